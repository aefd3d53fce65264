from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services.contacts import create_contacts, describe, find_choices
from app.storage.db import Database
from app.ui.contacts.editor import ContactEditor


# The completer's popup asks the offscreen platform for things it cannot do; nothing else.
@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)
def test_the_introducer_is_picked_from_the_search_index_among_thousands(
    qtbot: QtBot, db: Database
) -> None:
    with db.session() as s:
        ids = create_contacts(
            s,
            [ContactRecord(full_name=f"Person {i}") for i in range(20000)]
            + [
                ContactRecord(full_name="Priya Raman", organization="Northwind Health"),
                ContactRecord(full_name="Priya Raman", emails=[Labeled("pr@contoso.example")]),
            ],
        )
    editor = ContactEditor()
    qtbot.addWidget(editor)

    def search(text: str):  # type: ignore[no-untyped-def]
        with db.session() as s:
            return find_choices(s, text)

    def name_of(cid: int):  # type: ignore[no-untyped-def]
        with db.session() as s:
            return describe(s, cid)

    editor.introduced_by.search = search
    editor.describe = name_of
    editor.load(ContactRecord(id=ids[0], full_name="X", introduced_by_id=ids[19999]))
    assert editor.introduced_by.text() == "Person 19999"
    assert editor.record().introduced_by_id == ids[19999]
    assert not editor.is_dirty()

    editor.introduced_by.clear()
    qtbot.keyClicks(editor.introduced_by, "pri")
    offered = editor.introduced_by.choices_offered()
    # Only the matches, at most a page of them; namesakes told apart by organisation.
    assert offered == ["Priya Raman — Northwind Health", "Priya Raman"]
    completer = editor.introduced_by.completer()
    assert completer is not None
    completer.activated.emit("Priya Raman — Northwind Health")
    editor.introduced_by.setText("Priya Raman — Northwind Health")
    assert editor.record().introduced_by_id == ids[20000]
    qtbot.keyClicks(editor.introduced_by, "x")  # typed on: no longer anybody
    assert any("not one of your contacts" in p.message for p in editor.problems())
    editor.introduced_by.clear()
    assert editor.record().introduced_by_id is None
    qtbot.keyClicks(editor.introduced_by, "Person 1")
    assert len(editor.introduced_by.choices_offered()) == 15
