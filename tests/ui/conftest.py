from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.paths import AppPaths
from app.storage.db import Database
from app.ui.window.main_window import MainWindow


class Answers:
    """Stands in for the user at the window's dialogs (MainWindow.ask); records what was asked.

    Message boxes get *reply*; other dialogs get *dialog_answer*.
    """

    def __init__(self) -> None:
        self.reply = QMessageBox.StandardButton.Yes
        self.dialog_answer: int = QDialog.DialogCode.Accepted
        self.asked: list[str] = []
        self.boxes: list[QMessageBox] = []
        self.dialogs: list[QDialog] = []
        self.on_dialog: Callable[[QDialog], int] | None = None

    def __call__(self, dialog: QDialog) -> int:
        if isinstance(dialog, QMessageBox):
            self.asked.append(dialog.text())
            self.boxes.append(dialog)
            return int(self.reply.value)
        self.dialogs.append(dialog)
        if self.on_dialog is not None:
            return self.on_dialog(dialog)
        return int(self.dialog_answer)


def _no_static_boxes(*_a: object, **_k: object) -> None:
    raise AssertionError(
        "a static QMessageBox was used: route it through MainWindow.ask and text.message_box, "
        "which shows names as plain text"
    )


@pytest.fixture(autouse=True)
def no_key_held() -> Iterator[None]:
    """After each test, no modifier key is held. A QTest key click with Ctrl whose shortcut
    closes its widget (a cell editor on Ctrl+S, the window on Ctrl+Q) never sends the Ctrl
    release, and Qt goes on seeing Ctrl held: a later test's selectRow then added the row to
    the selection instead of selecting it. A release with no modifiers is what Qt goes by."""
    yield
    if QApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        anywhere = QWidget()
        QTest.keyRelease(anywhere, Qt.Key.Key_Control)
        anywhere.deleteLater()
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    for name in ("question", "information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, _no_static_boxes)
    return Answers()


def show_active(qtbot: QtBot, widget: QWidget) -> None:
    """Show *widget* and wait until it is the active window: keys go where a user's would."""
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


@pytest.fixture
def make_window(
    qtbot: QtBot, db: Database, paths: AppPaths, answers: Answers
) -> Iterator[Callable[[], MainWindow]]:
    # Every window test answers dialogs: a modal box left open would hang the run.
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(db, paths)
        w.ask = answers
        qtbot.addWidget(w)
        show_active(qtbot, w)
        today_read(qtbot, w)  # the window reads Today's list off its thread at start-up
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()


def today_read(qtbot: QtBot, w: MainWindow) -> None:
    """Wait until Today's newest read has landed: it reads off the window's thread."""
    qtbot.waitUntil(lambda: not w.today.pending(), timeout=30_000)
