"""Give and take, groups and events, the LAMP list, the network map and bulk changes, through
the real widgets over a real database file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.paths import AppPaths
from app.services import employers, reciprocity
from app.services.contacts import create_contact, get_contact
from app.services.interactions import log_interaction
from app.storage.db import Database, open_database
from app.ui.common.forms import ChoiceDialog
from app.ui.contacts.activity_dialogs import ExchangeDialog
from app.ui.employers.tab import ADVOCACY, MOTIVATION, NAME, POSTING
from app.ui.network.industries_dialog import IndustriesDialog
from app.ui.today.tab import TodayTab
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers, today_read

Make = Callable[[], MainWindow]


def add(db: Database, name: str, org: str = "", title: str = "", **kw: object) -> int:
    with db.session() as s:
        return create_contact(
            s,
            ContactRecord(full_name=name, organization=org, title=title, **kw),  # type: ignore[arg-type]
        )


def shown(view_model: object, column: int = 0) -> list[str]:
    m = view_model
    return [m.index(r, column).data() for r in range(m.rowCount())]  # type: ignore[attr-defined]


def test_give_and_take_shows_the_balance_and_a_thank_you_comes_due(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, paths: AppPaths
) -> None:
    ann = add(db, "Ann Lee")
    add(db, "Bob Ray")
    w = make_window()
    w.open_contact(ann)
    panel = w.contacts.activity
    assert "Nothing asked or given yet" in panel.balance_label.text()

    def asked_intro(dialog: QDialog) -> int:
        assert isinstance(dialog, ExchangeDialog) and dialog.direction == "asked"
        dialog.kind.setCurrentIndex(dialog.kind.findData("introduction"))
        dialog.day.setDate(dialog.day.date().addDays(-3))
        dialog.note.setText("Intro to Raj at Initech")
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = asked_intro
    qtbot.mouseClick(panel.asked_button, Qt.MouseButton.LeftButton)
    assert panel.balance_label.text().startswith("You asked 1 time, gave 0. You have only taken")
    assert shown(panel.exchanges, 2) == ["An introduction"]
    # The ask owes a thank-you: Today lists it.
    today_read(qtbot, w)
    assert "Say thank you for an introduction" in shown(w.today.model, 2)[0]
    # The list filter finds the people you have only taken from.
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.only_taken.setChecked(True)
    assert shown(w.contacts.model) == ["Ann Lee"]
    assert w.contacts.count_label.text() == "1 of 2"
    w.contacts.only_taken.setChecked(False)
    assert shown(w.contacts.model) == ["Ann Lee", "Bob Ray"]

    # Done on Today logs the thank-you as given.
    w.tabs.setCurrentWidget(w.today)
    w.today.table.selectRow(0)
    qtbot.mouseClick(w.today.done_button, Qt.MouseButton.LeftButton)
    today_read(qtbot, w)
    assert w.today.model.rowCount() == 0
    w.open_contact(ann)
    assert panel.balance_label.text() == "You asked 1 time, gave 1."
    assert shown(panel.exchanges, 2) == ["A thank-you", "An introduction"]
    w.undo_action.trigger()
    today_read(qtbot, w)
    assert "Say thank you" in shown(w.today.model, 2)[0]
    w.redo_action.trigger()

    # I gave… then Delete, and Undo brings it back.
    def gave_article(dialog: QDialog) -> int:
        assert isinstance(dialog, ExchangeDialog) and dialog.direction == "gave"
        dialog.kind.setCurrentIndex(dialog.kind.findData("article_or_lead"))
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = gave_article
    w.open_contact(ann)
    qtbot.mouseClick(panel.gave_button, Qt.MouseButton.LeftButton)
    assert panel.balance_label.text() == "You asked 1 time, gave 2."
    panel.exchanges_view.selectRow(0)
    qtbot.mouseClick(panel.delete_exchange_button, Qt.MouseButton.LeftButton)
    assert panel.balance_label.text() == "You asked 1 time, gave 1."
    w.undo_action.trigger()
    assert panel.balance_label.text() == "You asked 1 time, gave 2."
    w.close()
    # It survives a restart.
    db.close()
    again = open_database(paths.database)
    with again.session() as s:
        assert reciprocity.balance(s, ann) == reciprocity.Balance(1, 2)
    again.close()


def test_snoozing_a_thank_you_moves_it_off_today(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee")
    with db.session() as s:
        reciprocity.record_exchange(s, ann, "asked", "advice", today - dt.timedelta(days=2))
    w = make_window()
    assert w.tabs.tabText(0) == "&Today (1)"
    assert not w.today.delete_button.isEnabled()  # a thank-you is sent or snoozed, not deleted
    w.today.snooze_actions["For a week"].trigger()
    today_read(qtbot, w)
    assert w.today.model.rowCount() == 0
    w.undo_action.trigger()
    today_read(qtbot, w)
    assert w.today.model.rowCount() == 1


@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)
def test_groups_and_events_list_whom_you_met_and_link_from_the_contact(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann = add(db, "Ann Lee", "Initech")
    add(db, "Bob Ray")
    w = make_window()
    w.tabs.setCurrentWidget(w.groups)
    tab = w.groups
    assert tab.empty.isVisibleTo(w)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    tab.kind.setCurrentIndex(tab.kind.findData("event"))
    qtbot.keyClicks(tab.name, "Spring meetup")
    tab.has_date.setChecked(True)
    qtbot.keyClicks(tab.place, "Boston")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert shown(tab.model) == ["Spring meetup"]
    assert tab.people_box.isEnabled()
    # Add the person met there by typing their name.
    qtbot.keyClicks(tab.picker, "ann")
    assert tab.picker.choices_offered() == ["Ann Lee — Initech"]
    tab.picker.setText("Ann Lee — Initech")  # what the completer does on a choice
    tab.picker.on_activated("Ann Lee — Initech")
    assert shown(tab.people) == ["Ann Lee"]
    assert shown(tab.model, 4) == ["1"]
    # The contact's pane lists where they were met; one click opens the event.
    w.open_contact(ann)
    panel = w.contacts.activity
    assert shown(panel.groups) == ["Spring meetup"]
    panel.groups_view.activated.emit(panel.groups.index(0, 0))
    assert w.tabs.currentWidget() is w.groups
    assert tab.name.text() == "Spring meetup"
    # From another contact's pane: Met at… picks the event.
    w.open_contact(add(db, "Cy Diaz"))

    def pick_first(dialog: QDialog) -> int:
        assert isinstance(dialog, ChoiceDialog)
        assert dialog.choice.currentText().startswith("Spring meetup (Event, ")
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = pick_first
    qtbot.mouseClick(panel.link_group_button, Qt.MouseButton.LeftButton)
    assert shown(panel.groups) == ["Spring meetup"]
    w.tabs.setCurrentWidget(w.groups)
    assert shown(tab.people) == ["Ann Lee", "Cy Diaz"]
    # Deleting the event is undoable, with the people met there.
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert shown(tab.model) == []
    w.undo_action.trigger()
    tab.refresh()
    assert shown(tab.model) == ["Spring meetup"]
    assert shown(tab.people) == ["Ann Lee", "Cy Diaz"]


def test_the_lamp_list_is_edited_in_place_resorts_and_undoes(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    add(db, "Ann Lee", "Initech LLC", "Engineer")
    w = make_window()
    w.tabs.setCurrentWidget(w.employers)
    tab = w.employers
    assert tab.empty.isVisibleTo(w)
    for name in ("Globex", "Initech"):
        qtbot.keyClicks(tab.new_name, name)
        qtbot.keyClick(tab.new_name, Qt.Key.Key_Return)
    m = tab.model
    # Nothing rated yet: advocacy decides, filled in from Ann who works at "Initech LLC".
    assert shown(m, NAME) == ["Initech", "Globex"]
    assert shown(m, ADVOCACY) == ["Yes (from contacts)", "No (from contacts)"]
    # Rate Initech 4 for motivation, through the cell's editor.
    row = shown(m, NAME).index("Initech")
    tab.table.setCurrentIndex(m.index(row, MOTIVATION))
    tab.table.edit(m.index(row, MOTIVATION))
    editor = tab.table.findChild(object, "lamp_choice")
    assert editor is not None
    editor.setCurrentIndex(editor.findData(4))  # type: ignore[attr-defined]
    tab.table.commitData(editor)  # type: ignore[arg-type]
    assert shown(m, NAME) == ["Initech", "Globex"]
    assert shown(m, MOTIVATION) == ["4", "–"]
    m.setData(m.index(1, MOTIVATION), 4)  # Globex too
    assert shown(m, NAME) == ["Initech", "Globex"]  # a tie: advocacy decides
    m.setData(m.index(1, POSTING), 3)
    assert shown(m, NAME) == ["Globex", "Initech"]  # same motivation, better posting
    # The top five show who you know there; one click opens them.
    top = tab.top.topLevelItem(1)
    assert top is not None and top.text(0) == "Initech: 1 person"
    tab.top.itemActivated.emit(top.child(0), 0)
    assert w.tabs.currentWidget() is w.contacts
    assert w.contacts.editor.edits["full_name"].text() == "Ann Lee"
    # Undo walks the edits back.
    w.tabs.setCurrentWidget(w.employers)
    w.undo_action.trigger()
    assert shown(m, NAME) == ["Initech", "Globex"]
    # The user knows someone at Globex who is not in the address book: Advocacy yes.
    m.setData(m.index(1, ADVOCACY), "yes")
    assert shown(m, ADVOCACY) == ["Yes", "Yes (from contacts)"]
    assert shown(m, NAME) == ["Globex", "Initech"]  # all tied: by name
    with db.session() as s:
        assert [r.name for r in employers.lamp_list(s)] == ["Globex", "Initech"]


def test_the_map_charts_industries_and_a_bar_filters_the_list(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee", "Mass General Hospital", "Nurse", industry="Healthcare")
    add(db, "Bob Ray", "Initech", "Developer", industry="Software")
    cy = add(db, "Cy Diaz", "Initech", "Sales", industry="Software")
    with db.session() as s:
        log_interaction(s, cy, today - dt.timedelta(days=900), "call", "")
        log_interaction(s, ann, today - dt.timedelta(days=9), "call", "")
    w = make_window()
    # The counts are read off the GUI thread; the charts fill when they arrive.
    with qtbot.waitSignal(w.network.loaded):
        w.tabs.setCurrentWidget(w.network)
    assert w.network.busy.text() == ""
    # Two counts started back to back: only the newer one reaches the charts.
    arrived: list[int] = []
    w.network.loaded.connect(lambda: arrived.append(1))
    w.network.refresh()
    assert w.network.busy.text() == "Counting…"  # refresh returned before the counts came
    w.network.refresh()
    w.network.wait()
    qtbot.waitUntil(lambda: w.network.busy.text() == "")
    QApplication.processEvents()
    assert arrived == [1]
    chart = w.network.industries
    assert [(b.label, b.active, b.dormant, b.unlogged) for b in chart.bars] == [
        ("Software", 0, 1, 1),
        ("Healthcare", 1, 0, 0),
    ]
    # The industry the user is moving into is remembered and highlighted.
    w.network.target.setCurrentText("Healthcare")
    with qtbot.waitSignal(w.network.loaded):
        w.network.target.lineEdit().editingFinished.emit()
    assert chart.highlight == "Healthcare"
    assert "1 in Healthcare, 1 dormant" in w.network.summary.text()
    # A click on the Software bar lists those two in Contacts.
    center = chart.bar_rect(0).center()
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(center.x(), center.y()))
    assert w.tabs.currentWidget() is w.contacts
    assert shown(w.contacts.model) == ["Bob Ray", "Cy Diaz"]
    assert w.contacts.narrow_label.text() == "Showing: industry Software (2)"
    qtbot.mouseClick(w.contacts.clear_narrow_button, Qt.MouseButton.LeftButton)
    assert w.contacts.model.rowCount() == 3
    # The keyboard reaches the employer chart: Down, Enter.
    with qtbot.waitSignal(w.network.loaded):
        w.tabs.setCurrentWidget(w.network)
    employers_chart = w.network.employers
    assert [b.label for b in employers_chart.bars] == ["Initech", "Mass General Hospital"]
    employers_chart.setFocus()
    qtbot.keyClick(employers_chart, Qt.Key.Key_Down)
    qtbot.keyClick(employers_chart, Qt.Key.Key_Return)
    assert shown(w.contacts.model) == ["Ann Lee"]


def test_industries_are_suggested_and_confirmed_in_one_undoable_step(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann = add(db, "Ann Lee", "Mass General Hospital", "Nurse")
    bob = add(db, "Bob Ray", "Initech", "Software developer")
    cy = add(db, "Cy Diaz", "Umbrella", "Sales")
    w = make_window()

    def confirm(dialog: QDialog) -> int:
        assert isinstance(dialog, IndustriesDialog)
        assert [s.suggested for s in dialog.suggestions] == ["Healthcare", "Software", ""]
        dialog.set_industry(2, "Pharmaceuticals")  # the user corrects Cy's by typing
        name = dialog.table.item(1, 0)
        assert name is not None
        name.setCheckState(Qt.CheckState.Unchecked)  # and leaves Bob for later
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = confirm
    w.suggest_industries_action.trigger()
    with db.session() as s:
        assert [get_contact(s, c).industry for c in (ann, bob, cy)] == [
            "Healthcare",
            "",
            "Pharmaceuticals",
        ]
    w.undo_action.trigger()
    with db.session() as s:
        assert [get_contact(s, c).industry for c in (ann, bob, cy)] == ["", "", ""]


@pytest.mark.parametrize("action", ["tag", "untag", "tier", "industry", "delete"])
def test_bulk_changes_on_a_selection_are_one_undo_step_each(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, action: str
) -> None:
    ids = [add(db, n, tags=["mentor"], tier="A") for n in ("Ann", "Bob", "Cy")]  # type: ignore[arg-type]
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectAll()
    assert w.contacts.selected_ids() == ids

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, ChoiceDialog)
        assert dialog.heading.text() == "For the 3 contacts selected"
        value = {"tag": "alumni", "untag": "mentor", "tier": "C: every 6 months"}
        dialog.choice.setCurrentText(value.get(action, "Healthcare"))
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = answer
    before = w.undo_stack.count()
    {
        "tag": w.contact_actions.bulk_actions[0],
        "untag": w.contact_actions.bulk_actions[1],
        "tier": w.contact_actions.bulk_actions[2],
        "industry": w.contact_actions.bulk_actions[3],
        "delete": w.contact_actions.delete_action,
    }[action].trigger()
    assert w.undo_stack.count() == before + 1

    def state() -> list[tuple[list[str], str, str]]:
        with db.session() as s:
            return [
                (r.tags, r.tier, r.industry)
                for r in (get_contact(s, c) for c in ids if w.contacts.model.row_of(c) >= 0)
            ]

    expected = {
        "tag": [(["alumni", "mentor"], "A", "")] * 3,
        "untag": [([], "A", "")] * 3,
        "tier": [(["mentor"], "C", "")] * 3,
        "industry": [(["mentor"], "A", "Healthcare")] * 3,
        "delete": [],
    }[action]
    assert state() == expected
    w.undo_action.trigger()
    assert state() == [(["mentor"], "A", "")] * 3


def test_the_window_opens_on_today_once_there_are_contacts(make_window: Make, db: Database) -> None:
    empty = make_window()
    assert empty.tabs.currentWidget() is empty.contacts  # nothing to do yet: add someone
    add(db, "Ann Lee")
    w = make_window()
    assert w.tabs.widget(0) is w.today and isinstance(w.today, TodayTab)
    assert w.tabs.currentWidget() is w.today


def test_a_selection_in_pieces_is_read_as_the_rows_it_covers(
    make_window: Make, db: Database
) -> None:
    """Rows 0-1 and 3 selected, as Ctrl+click makes them: their ids and names in list order,
    read from the selection's ranges (each row once, whatever the columns)."""
    ids = [add(db, n) for n in ("Ann", "Bob", "Cy", "Dee", "Eve")]
    w = make_window()
    tab = w.contacts
    model, flags = tab.model, QItemSelectionModel.SelectionFlag
    chosen = QItemSelection(model.index(3, 0), model.index(3, model.columnCount() - 1))
    chosen.select(model.index(0, 0), model.index(1, 1))
    chosen.select(model.index(1, 0), model.index(1, 0))  # overlapping: still one row
    tab.table.selectionModel().select(chosen, flags.ClearAndSelect | flags.Rows)
    assert tab.selected_ids() == [ids[0], ids[1], ids[3]]
    assert tab.selected_names() == ["Ann", "Bob", "Dee"]


def press_ok(dialog: QDialog) -> int:
    """The user presses OK straight away: the answer is what the dialog then holds."""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # type: ignore[attr-defined]
    return dialog.result()


@pytest.mark.parametrize(
    ("tiers", "starts_at"),
    [(["A", "A", "A"], "A: every 3 weeks"), (["A", "", "C"], ""), (["", "", ""], "No reminder")],
)
def test_bulk_keep_in_touch_starts_at_the_shared_tier_and_ok_straight_away_wipes_nothing(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    tiers: list[str],
    starts_at: str,
) -> None:
    ids = [add(db, n, tier=t) for n, t in zip(("Ann", "Bob", "Cy"), tiers, strict=True)]
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectAll()
    assert w.contacts.selected_ids() == ids
    seen: list[tuple[str, bool]] = []

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, ChoiceDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen.append((dialog.choice.currentText(), ok.isEnabled()))
        return press_ok(dialog)

    answers.on_dialog = answer
    w.contact_actions.bulk_actions[2].trigger()
    assert seen == [(starts_at, bool(starts_at))]
    with db.session() as s:
        assert [get_contact(s, c).tier for c in ids] == tiers


@pytest.mark.parametrize("action", [1, 3])  # Remove tag, Set industry
def test_bulk_untag_and_industry_start_at_no_choice_so_ok_straight_away_changes_nothing(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, action: int
) -> None:
    ids = [
        add(db, n, tags=["mentor", "alumni"], industry=i) for n, i in (("Ann", "Law"), ("Bob", ""))
    ]  # type: ignore[arg-type]
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectAll()
    answers.on_dialog = press_ok
    before = w.undo_stack.count()
    w.contact_actions.bulk_actions[action].trigger()
    assert w.undo_stack.count() == before
    with db.session() as s:
        assert [(sorted(get_contact(s, c).tags), get_contact(s, c).industry) for c in ids] == [
            (["alumni", "mentor"], "Law"),
            (["alumni", "mentor"], ""),
        ]
