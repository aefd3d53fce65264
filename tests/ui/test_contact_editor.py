from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services.contacts import Choice
from app.ui.contact_editor import ContactEditor


def test_a_long_introducer_list_is_rebuilt_many_times(qtbot: QtBot) -> None:
    # Filling the combo item by item with data crashed PySide6 (None's refcount ran out)
    # after a few rebuilds of a 10,000-contact list.
    editor = ContactEditor()
    qtbot.addWidget(editor)
    choices = [Choice(i, f"Person {i}") for i in range(1, 20001)]
    for _ in range(6):
        editor.set_choices(choices)
    editor.load(ContactRecord(id=5, full_name="X", introduced_by_id=20000))
    assert editor.introduced_by.currentText() == "Person 20000"
    assert editor.record().introduced_by_id == 20000
    editor.introduced_by.setEditText("Nobody We Know")
    assert any("not one of your contacts" in p.message for p in editor.problems())
    editor.introduced_by.setEditText("")
    assert editor.record().introduced_by_id is None
