"""The same number wherever it appears (issue 26 item 8): the LAMP table's "People you know"
and the panel below it; Suggest Industries' count and the people it lists; what is ticked
and typed is applied on the first Apply."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services import employers
from app.services.contacts import create_contacts, get_contact, list_contact_ids
from app.storage.db import Database
from app.ui.network.industries_dialog import IndustriesDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers


def test_people_you_know_is_one_number(
    qtbot: QtBot, make_window: Callable[[], MainWindow], db: Database
) -> None:
    with db.session() as s:
        create_contacts(
            s,
            [
                ContactRecord(full_name=f"Lit Person {i:02}", organization="Litware, Inc.")
                for i in range(52)
            ],
        )
        employers.add_employer(s, "Litware", motivation=5)
    w = make_window()
    w.tabs.setCurrentWidget(w.employers)
    tab = w.employers
    m = tab.model
    assert m.data(m.index(0, 4)) == "52"
    top = tab.top.topLevelItem(0)
    assert top is not None and top.text(0) == "Litware: 52 people"
    children = [top.child(i).text(0) for i in range(top.childCount())]
    assert len(children) == 21 and children[-1] == "…and 32 more: show all 52 in Contacts"
    tab.top.itemActivated.emit(top.child(20), 0)
    assert w.tabs.currentWidget() is w.contacts
    qtbot.waitUntil(lambda: w.contacts.model.rowCount() == 52, timeout=5000)


def test_suggest_industries_lists_everyone_and_applies_what_is_typed(
    qtbot: QtBot, make_window: Callable[[], MainWindow], db: Database, answers: Answers
) -> None:
    with db.session() as s:
        create_contacts(
            s,
            [ContactRecord(full_name=f"P{i:04}", title="Nurse") for i in range(2003)]
            + [ContactRecord(full_name=f"Q{i}", organization="Obscure Ltd") for i in range(3)],
        )
    w = make_window()
    typed = "Consumer goods"

    def review(d: QDialog) -> int:
        assert isinstance(d, IndustriesDialog)
        assert d.pages.tabText(0) == "&Suggestions (2,006)"
        assert d.table.rowCount() == 2006
        # The last rows have no suggestion: tick one and type its industry, still typing
        # (the cell's editor open) when Apply is pressed.
        row = d.table.rowCount() - 1
        d.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
        d.table.setCurrentCell(row, 3)
        d.table.editItem(d.table.item(row, 3))
        editor = d.table.indexWidget(d.table.currentIndex())
        assert isinstance(editor, QLineEdit)
        editor.setText(typed)
        d.buttons.button(d.buttons.StandardButton.Apply).click()
        return int(d.result())

    answers.on_dialog = review
    w.network_actions.suggest_industries()
    with db.session() as s:
        industries = {get_contact(s, c).industry for c in list_contact_ids(s, "Q")}
    assert typed in industries
