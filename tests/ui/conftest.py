from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.paths import AppPaths
from app.storage.db import Database
from app.ui.main_window import MainWindow


class Answers:
    """Stands in for the user's click on QMessageBox.question; records what was asked."""

    def __init__(self) -> None:
        self.reply = QMessageBox.StandardButton.Yes
        self.asked: list[str] = []

    def __call__(self, _parent: object, _title: str, text: str, *_a: object) -> object:
        self.asked.append(text)
        return self.reply


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    a = Answers()
    monkeypatch.setattr(QMessageBox, "question", a)
    return a


@pytest.fixture
def make_window(
    qtbot: QtBot, db: Database, paths: AppPaths, answers: Answers
) -> Iterator[Callable[[], MainWindow]]:
    # Every window test answers dialogs: a modal box left open would hang the run.
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(db, paths)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()
