"""File ▸ Mail History… (issue 27): mail files read off the GUI thread through the task
runner, the report shown as plain text, and Forget Mail History undone with Edit ▸ Undo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.model.tables import Interaction
from app.services.imap_history import ImapAccount, save_imap_account
from app.services.passwords import PasswordStore
from app.storage.db import Database
from app.ui.window.main_window import MainWindow
from tests.imap_server import PASSWORD, USER, ImapServer
from tests.services.test_imap_history import EXPECTED, fill
from tests.services.test_mail_history import ME, TRICKY, people, write_mbox
from tests.ui.conftest import Answers


def count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Interaction)) or 0)


@pytest.mark.qt_log_ignore("This plugin does not support")  # a dialog shown offscreen
def test_mail_files_read_in_the_background_and_forgotten_with_undo(
    make_window: Callable[[], MainWindow],
    db: Database,
    qtbot: QtBot,
    tmp_path: Path,
    answers: Answers,
) -> None:
    ids = people(db)
    mbox = write_mbox(tmp_path / "Sent", TRICKY)
    w = make_window()
    w.mail_history.action.trigger()
    dialog = w.mail_history.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.me.setText(f"  {ME}, ")
    with qtbot.waitSignal(w.mail_history.finished, timeout=30000) as done:
        w.mail_history.read_files([mbox])
    report = done.args[0]
    assert report is not None and report.interactions_added == 3
    text = dialog.report.toPlainText()
    assert "3 interactions added" in text
    assert "Jürgen Groß <jurgen@else.example>: 1" in text
    assert count(db) == 3
    w.contacts.activity.show_contact(ids["ann"])

    answers.reply = QMessageBox.StandardButton.No
    dialog.forget_button.click()
    assert count(db) == 3
    answers.reply = QMessageBox.StandardButton.Yes
    dialog.forget_button.click()
    assert count(db) == 0
    assert "3 interactions" in dialog.report.toPlainText()
    w.undo_stack.undo()
    assert count(db) == 3

    # A file that is not mail is explained in the dialog, in plain words.
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    with qtbot.waitSignal(w.mail_history.finished, timeout=30000):
        w.mail_history.read_files([notes])
    assert "not an mbox file" in dialog.report.toPlainText()
    assert dialog.files_button.isEnabled()


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_the_mail_account_is_read_from_the_window(
    make_window: Callable[[], MainWindow], db: Database, qtbot: QtBot, imap_server: ImapServer
) -> None:
    fill(imap_server, db)
    acc = ImapAccount(imap_server.host, imap_server.port, "ssl", USER)
    with db.session() as s:
        save_imap_account(s, acc)
    PasswordStore().set(acc, PASSWORD)
    w = make_window()
    dialog = w.mail_history.open()
    assert dialog.account_button.isEnabled()
    dialog.me.setText(USER)
    with qtbot.waitSignal(w.mail_history.finished, timeout=60000) as done:
        dialog.account_button.click()
    assert done.args[0] is not None and done.args[0].interactions_added == EXPECTED
    assert f"{EXPECTED} interactions added" in dialog.report.toPlainText()
    assert "1 campaign replies found" in dialog.report.toPlainText()
