"""Adding recipients never defaults to everyone: an untouched Add people dialog adds nobody,
and more than 50 at once is asked about with Cancel the default (issue 26 item 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services import outreach
from app.services.contacts import create_contacts
from app.storage.db import Database
from app.ui.outreach.dialogs import AddPeopleDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

N = 120  # more than the 50 asked about


def recipients(db: Database, cid: int) -> int:
    with db.session() as s:
        return len(outreach.recipients(s, cid))


@pytest.mark.qt_log_ignore("This plugin does not support")  # the dialog is shown
def test_enter_in_an_untouched_dialog_adds_nobody_and_many_are_asked_about(
    qtbot: QtBot, make_window: Callable[[], MainWindow], db: Database, answers: Answers
) -> None:
    with db.session() as s:
        create_contacts(
            s,
            [
                ContactRecord(
                    full_name=f"Person {i}",
                    emails=[Labeled(f"p{i}@example.com")],
                    tags=["Alumni"] if i < 3 else [],
                )
                for i in range(N)
            ],
        )
        cid = outreach.create_campaign(s, outreach.starter("announce"))
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    w.outreach_actions.refresh(cid)
    seen: list[tuple[bool, str, str]] = []

    def press_enter(d: QDialog) -> int:
        """What the user sees, then Enter: the default button, if it can be pressed."""
        assert isinstance(d, AddPeopleDialog)
        d.show()
        ok = d.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append((ok.isEnabled(), ok.text(), d.matches.text()))
        if not ok.isEnabled():
            return int(QDialog.DialogCode.Rejected)
        qtbot.keyClick(d.query, Qt.Key.Key_Return)
        return int(d.result())

    answers.on_dialog = press_enter
    w.outreach.pages.setCurrentWidget(w.outreach.recipients)
    qtbot.mouseClick(w.outreach.recipients.add_button, Qt.MouseButton.LeftButton)
    assert seen[-1][0] is False and "Choose people by" in seen[-1][2]
    assert recipients(db, cid) == 0

    # Everyone, in so many words: the count, then "Add 120 people?" with Cancel the default.
    # Cancel there goes back to the dialog as it was left; Escape there adds nobody.
    shown: list[AddPeopleDialog] = []

    def everyone(d: QDialog) -> int:
        assert isinstance(d, AddPeopleDialog)
        shown.append(d)
        if len(shown) == 2:  # back after Cancel: the same dialog, Everyone still chosen
            assert d is shown[0] and d.everyone.isChecked()
            qtbot.keyClick(d.query, Qt.Key.Key_Escape)
            return int(d.result())
        d.everyone.setChecked(True)
        return press_enter(d)

    answers.on_dialog = everyone
    answers.reply = QMessageBox.StandardButton.Cancel
    qtbot.mouseClick(w.outreach.recipients.add_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 2
    assert seen[-1] == (True, f"Add {N} people", f"{N} people match.")
    box = answers.boxes[-1]
    assert box.text().startswith(f"Add {N} people to this campaign?")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert recipients(db, cid) == 0  # cancelled
    answers.reply = QMessageBox.StandardButton.Ok
    qtbot.mouseClick(w.outreach.recipients.add_button, Qt.MouseButton.LeftButton)
    assert recipients(db, cid) == N

    # A tag: three people, added at once without a question.
    w.undo_stack.undo()
    asked = len(answers.boxes)

    def tag(d: QDialog) -> int:
        assert isinstance(d, AddPeopleDialog)
        d.tag.setCurrentIndex(d.tag.findData("Alumni"))
        return press_enter(d)

    answers.on_dialog = tag
    qtbot.mouseClick(w.outreach.recipients.add_button, Qt.MouseButton.LeftButton)
    assert seen[-1] == (True, "Add 3 people", "3 people match.")
    assert recipients(db, cid) == 3 and len(answers.boxes) == asked
