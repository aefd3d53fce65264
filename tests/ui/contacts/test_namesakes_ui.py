"""Two people of one name are told apart in the window by what the user knows of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled, PostalAddress
from app.services.contacts import create_contact, find_choices, get_contact
from app.storage.db import Database
from app.ui.common.contact_picker import ContactPicker
from app.ui.contacts.duplicates_dialog import DuplicatesDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


def add(db: Database, name: str, **kw: object) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, **kw))  # type: ignore[arg-type]


# The completer's popup asks the offscreen platform for things it cannot do; nothing else.
@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)
def test_the_picker_offers_namesakes_by_where_they_live(qtbot: QtBot, db: Database) -> None:
    york = add(db, "Ana Smith", addresses=[PostalAddress(city="York")])
    leeds = add(db, "Ana Smith", addresses=[PostalAddress(city="Leeds")])
    picker = ContactPicker()
    qtbot.addWidget(picker)

    def search(text: str) -> list:  # type: ignore[type-arg]
        with db.session() as s:
            return find_choices(s, text)

    picker.search = search
    qtbot.keyClicks(picker, "ana")
    assert sorted(picker.choices_offered()) == ["Ana Smith (Leeds)", "Ana Smith (York)"]
    picker.setText("Ana Smith (Leeds)")  # what the completer does on a choice
    assert picker.contact_id() == leeds
    picker.setText("Ana Smith (York)")
    assert picker.contact_id() == york


def test_a_merge_of_namesakes_says_which_went_into_which(
    make_window: Make, db: Database, answers: Answers
) -> None:
    old = add(db, "Ana Smith", emails=[Labeled("ana@old.example")])
    acme = add(db, "Ana Smith", organization="Acme")
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectAll()

    def merge(dialog: QDialog) -> int:
        assert isinstance(dialog, DuplicatesDialog)
        dialog.merge_button.click()  # keeps the older one
        return dialog.result()

    answers.on_dialog = merge
    w.contact_actions.merge_action.trigger()
    with db.session() as s:
        assert get_contact(s, old).organization == "Acme"
    said = w.statusBar().currentMessage()
    assert said == "Merged Ana Smith (Acme) into Ana Smith (ana@old.example)."
    assert "Ana Smith (Acme) into Ana Smith (ana@old.example)" in w.undo_stack.undoText()
    assert acme != old
