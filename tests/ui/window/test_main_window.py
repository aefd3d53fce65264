from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services.contacts import count_contacts, create_contact, get_contact, list_contact_ids
from app.storage.db import Database
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


def add(db: Database, name: str, **kw: object) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, **kw))  # type: ignore[arg-type]


def test_first_run_shows_the_welcome_page_and_the_tabs(make_window: Make) -> None:
    w = make_window()
    shown = [
        w.tabs.tabText(i).replace("&&", "\0").replace("&", "").replace("\0", "&")
        for i in range(w.tabs.count())
    ]
    assert shown == [
        "Today",
        "Contacts",
        "Network map",
        "Target employers",
        "Groups & events",
        "Interview prep",
        "Outreach",
    ]
    assert w.tabs.currentWidget() is w.contacts  # a first run starts at the welcome page
    assert w.contacts.pages.currentWidget() is w.contacts.empty
    assert w.contacts.import_button.text() == "Import your address book…"
    assert w.count_label.text() == "0 contacts"


def test_add_a_contact_with_the_keyboard(qtbot: QtBot, make_window: Make, db: Database) -> None:
    w = make_window()
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = w.contacts.editor
    assert QApplication.focusWidget() is editor.edits["full_name"]
    qtbot.keyClicks(editor.edits["full_name"], "Katherine Johnson")
    qtbot.keyClicks(editor.edits["organization"], "NASA")
    editor.emails.on_add()
    editor.emails.table.item(0, 1).setText("kj@nasa.example")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    with db.session() as s:
        ids = list_contact_ids(s)
        assert len(ids) == 1
        r = get_contact(s, ids[0])
    assert (r.full_name, r.organization, r.emails[0].value) == (
        "Katherine Johnson",
        "NASA",
        "kj@nasa.example",
    )
    assert w.contacts.pages.currentWidget() is w.contacts.splitter
    assert w.contacts.model.rowCount() == 1
    assert w.contacts.table.currentIndex().row() == 0
    assert not editor.is_dirty()


def test_invalid_email_is_flagged_and_not_saved(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    cid = add(db, "Dorothy Vaughan", emails=[Labeled("dv@example.org")])
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)  # the window opens on Today
    w.contacts.table.selectRow(0)
    editor = w.contacts.editor
    editor.emails.table.item(0, 1).setText("dv.example.org")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.banner.isVisible()
    assert "has no @" in editor.emails.errors.text()
    assert editor.emails.table.item(0, 1).background().color().name() == "#fde2e1"
    with db.session() as s:
        assert get_contact(s, cid).emails[0].value == "dv@example.org"
    editor.emails.table.item(0, 1).setText("dv@nasa.example")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.banner.isVisible()
    with db.session() as s:
        assert get_contact(s, cid).emails[0].value == "dv@nasa.example"


def test_impossible_birthday_is_explained(qtbot: QtBot, make_window: Make) -> None:
    w = make_window()
    w.contact_actions.on_new_contact()
    editor = w.contacts.editor
    qtbot.keyClicks(editor.edits["full_name"], "Mary Jackson")
    editor.birthday.day.setValue(30)
    editor.birthday.month.setCurrentIndex(2)
    editor.on_save()
    assert "February has no day 30" in editor.birthday_error.text()
    assert w.contacts.model.rowCount() == 0


def test_edit_then_undo_and_redo(qtbot: QtBot, make_window: Make, db: Database) -> None:
    cid = add(db, "Ada Lovelace", title="Analyst")
    w = make_window()
    w.contacts.table.selectRow(0)
    editor = w.contacts.editor
    editor.edits["title"].setText("Mathematician")
    editor.on_save()
    with db.session() as s:
        assert get_contact(s, cid).title == "Mathematician"
    w.undo_action.trigger()
    with db.session() as s:
        assert get_contact(s, cid).title == "Analyst"
    assert editor.edits["title"].text() == "Analyst"
    w.redo_action.trigger()
    with db.session() as s:
        assert get_contact(s, cid).title == "Mathematician"


def test_delete_asks_first_and_undo_brings_the_contact_back(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    add(db, "Alan Turing", emails=[Labeled("alan@example.org")])
    keep = add(db, "Joan Clarke")
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)  # the window opens on Today
    w.contacts.table.selectRow(0)
    w.contacts.table.setFocus()
    answers.reply = answers.reply.Cancel
    qtbot.keyClick(w.contacts.table, Qt.Key.Key_Delete)
    assert answers.asked == ["Delete “Alan Turing”? You can undo this with Edit ▸ Undo (Ctrl+Z)."]
    with db.session() as s:
        assert count_contacts(s) == 2
    answers.reply = answers.reply.Yes
    qtbot.keyClick(w.contacts.table, Qt.Key.Key_Delete)
    with db.session() as s:
        assert list_contact_ids(s) == [keep]
    assert w.contacts.model.rowCount() == 1
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    with db.session() as s:
        assert count_contacts(s) == 2
        assert list_contact_ids(s, "alan@example.org") != []


def test_delete_key_in_a_text_field_edits_text_not_contacts(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    add(db, "Alan Turing")
    w = make_window()
    w.contacts.table.selectRow(0)
    field = w.contacts.editor.edits["full_name"]
    field.setFocus()
    field.setCursorPosition(0)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert field.text() == "lan Turing"
    assert answers.asked == []


def test_typing_in_search_filters_the_list(qtbot: QtBot, make_window: Make, db: Database) -> None:
    add(db, "Rosalind Franklin", organization="King's College")
    add(db, "Linus Pauling", organization="Caltech")
    w = make_window()
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is w.contacts.search
    qtbot.keyClicks(w.contacts.search, "caltech")
    qtbot.waitUntil(lambda: w.contacts.model.rowCount() == 1)
    assert w.contacts.model.index(0, 0).data() == "Linus Pauling"
    assert w.contacts.count_label.text() == "1 of 2"
    w.contacts.search.clear()
    qtbot.waitUntil(lambda: w.contacts.model.rowCount() == 2)
    qtbot.keyClicks(w.contacts.search, "nobody-at-all")
    qtbot.waitUntil(lambda: w.contacts.no_match.isVisible())
    assert "nobody-at-all" in w.contacts.no_match.text()


def test_unsaved_edits_are_not_lost_when_switching_contacts(
    make_window: Make, db: Database, answers: Answers
) -> None:
    a = add(db, "Anna")
    add(db, "Bert")
    w = make_window()
    w.contacts.table.selectRow(0)
    w.contacts.editor.edits["title"].setText("Chemist")
    answers.reply = answers.reply.Save
    w.contacts.table.selectRow(1)
    assert answers.asked and "Anna" in answers.asked[0]
    with db.session() as s:
        assert get_contact(s, a).title == "Chemist"
    assert w.contacts.editor.edits["full_name"].text() == "Bert"


def test_typing_in_the_search_keeps_unsaved_edits_in_the_pane(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    """Every keystroke in the search read the contact shown again and put it in the pane,
    throwing away what the user had typed in it and not saved."""
    anna = add(db, "Anna Lee")
    add(db, "Bert Ray")
    w = make_window()
    tab = w.contacts
    w.tabs.setCurrentWidget(tab)
    tab.table.selectRow(0)
    assert tab.editor.current_id() == anna
    tab.editor.edits["title"].setText("Chemist (not saved yet)")
    for text in ("an", "anna", "bert", ""):  # found, found, hidden by the search, everyone
        tab.search.setText(text)
        tab.on_search_timeout()
        assert tab.editor.current_id() == anna, text
        assert tab.editor.edits["title"].text() == "Chemist (not saved yet)", text
    assert tab.current_id() == anna and tab.table.currentIndex().row() == 0
    # Saved or not, nothing was written behind the user's back.
    with db.session() as s:
        assert get_contact(s, anna).title == ""
    # With nothing unsaved, a search that hides the contact empties the pane as before.
    tab.editor.on_revert()
    tab.search.setText("bert")
    tab.on_search_timeout()
    assert tab.detail.currentWidget() is tab.editor_placeholder


def test_window_layout_is_remembered(make_window: Make, db: Database) -> None:
    add(db, "Someone")
    w = make_window()
    w.resize(760, 560)  # the offscreen screen is 800x600
    w.contacts.splitter.setSizes([300, 440])
    w.tabs.setCurrentIndex(2)
    left, right = w.contacts.splitter.sizes()
    w.close()
    w2 = make_window()
    assert w2.tabs.currentWidget() is w2.today  # with contacts, the day starts at Today
    assert w2.size().width() == 760
    left2, right2 = w2.contacts.splitter.sizes()
    assert abs(left2 / (left2 + right2) - left / (left + right)) < 0.02


def test_long_names_are_elided_not_breaking_the_layout(make_window: Make, db: Database) -> None:
    long_name = "Maximiliana " * 12 + "Featherstonehaugh"
    add(db, long_name, organization="Org " * 40)
    w = make_window()
    w.resize(900, 600)
    w.contacts.table.selectRow(0)
    table = w.contacts.table
    # The list cuts the name with an ellipsis: its column is narrower than the name's text.
    assert table.textElideMode() == Qt.TextElideMode.ElideRight
    assert table.model().index(0, 0).data() == long_name
    assert table.columnWidth(0) < table.fontMetrics().horizontalAdvance(long_name)
    # The editor wraps the heading instead: the whole name, in a pane that did not widen.
    heading = w.contacts.editor.heading
    assert heading.wordWrap() and long_name in heading.text()
    assert w.width() == 900 and w.contacts.editor.width() < w.width()


def test_welcome_text_is_not_clipped(qtbot: QtBot, make_window: Make) -> None:
    w = make_window()
    label = w.contacts.empty.text
    qtbot.waitUntil(lambda: label.height() > 0)
    # A word-wrapped label gets the height its text needs at its width.
    assert label.height() >= label.heightForWidth(label.width())


def test_enter_in_search_moves_to_the_first_result(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    add(db, "Rosalind Franklin")
    add(db, "Linus Pauling")
    w = make_window()
    w.contacts.focus_search()
    qtbot.keyClicks(w.contacts.search, "linus")
    qtbot.keyClick(w.contacts.search, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is w.contacts.table
    assert w.contacts.editor.edits["full_name"].text() == "Linus Pauling"


def test_ctrl_s_saves_the_contact_being_edited(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    cid = add(db, "Chien-Shiung Wu")
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)  # the window opens on Today
    w.contacts.table.selectRow(0)
    field = w.contacts.editor.edits["title"]
    field.setFocus()
    qtbot.keyClicks(field, "Physicist")
    qtbot.keyClick(field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with db.session() as s:
        assert get_contact(s, cid).title == "Physicist"
