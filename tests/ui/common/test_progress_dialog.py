"""The progress dialog, with its Cancel, shows soon for long work, reported or not, and never
for quick work."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.services.importing import Cancelled
from app.ui.common.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen, on show


class Shown(QObject):
    """Every progress dialog shown while installed on the application."""

    def __init__(self) -> None:
        super().__init__()
        self.dialogs: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QProgressDialog):
            self.dialogs.append(watched.labelText())
        return False


def window(qtbot: QtBot) -> QWidget:
    w = QWidget()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_long_work_that_reports_nothing_shows_cancel_soon(qtbot: QtBot) -> None:
    w = window(qtbot)
    runner = TaskRunner(w)
    release = threading.Event()
    outcome: list[str] = []

    def work(_progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
        # A long first step: nothing reported until it ends (or is cancelled).
        while not release.wait(0.01):
            if cancelled():
                raise Cancelled()
        return "done"

    runner.start("Reading", work, outcome.append, lambda: outcome.append("cancelled"))
    try:
        dialog = w.findChild(QProgressDialog, "progress")
        assert dialog is not None
        # Qt's own timer would show it only after 4 s: 2 s is a deadline, not a measure.
        qtbot.waitUntil(dialog.isVisible, timeout=2000)
        cancel = dialog.findChild(QPushButton)
        assert cancel is not None and cancel.text() == "Cancel" and cancel.isEnabled()
        assert cancel.isVisible()
        cancel.click()
        qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=10000)
    finally:
        release.set()
        runner.wait()


def test_quick_work_shows_no_dialog(qtbot: QtBot) -> None:
    w = window(qtbot)
    shown = Shown()
    QApplication.instance().installEventFilter(shown)
    try:
        runner = TaskRunner(w)
        outcome: list[str] = []
        runner.start("Saving", lambda _p, _c: "done", outcome.append)
        dialog = w.findChild(QProgressDialog, "progress")
        assert dialog is not None
        gone: list[bool] = []
        dialog.destroyed.connect(lambda: gone.append(True))
        # Once the dialog is gone nothing can show it any more.
        qtbot.waitUntil(lambda: outcome == ["done"] and gone == [True], timeout=10000)
        runner.wait()
        assert shown.dialogs == []
    finally:
        QApplication.instance().removeEventFilter(shown)


def test_the_label_says_what_the_progress_counts(qtbot: QtBot) -> None:
    w = window(qtbot)
    runner = TaskRunner(w)
    release = threading.Event()
    outcome: list[str] = []

    def work(progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Any:
        progress(3, 40)
        release.wait(10)
        return "done"

    runner.start("Importing contacts", work, outcome.append, unit="cards")
    try:
        dialog = w.findChild(QProgressDialog, "progress")
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.labelText() == "Importing contacts (3 of 40 cards)")
    finally:
        release.set()
        runner.wait()
    qtbot.waitUntil(lambda: outcome == ["done"])
