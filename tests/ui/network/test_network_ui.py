"""Logging interactions, follow-ups and Today, through the real widgets over a real file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services.contacts import create_contact
from app.services.followups import add_follow_up, follow_ups_of
from app.services.interactions import interactions_of, log_interaction
from app.storage.db import Database
from app.ui.common.forms import PickDateDialog, to_qdate
from app.ui.common.tables import day_text
from app.ui.contacts.activity_dialogs import FollowUpDialog, LogDialog
from app.ui.window.main_window import MainWindow
from app.ui.window.preferences import PreferencesDialog
from tests.ui.conftest import Answers, show_active, today_read

Make = Callable[[], MainWindow]


def add(db: Database, name: str, tier: str = "") -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, tier=tier))


def fill_log(kind: str, summary: str, day: dt.date | None = None) -> Callable[[QDialog], int]:
    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, LogDialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        dialog.summary.setText(summary)
        if day is not None:
            dialog.day.setDate(to_qdate(day))
        return int(QDialog.DialogCode.Accepted)

    return answer


def test_ctrl_l_logs_an_interaction_with_today_and_the_last_kind(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee")
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectRow(0)
    panel = w.contacts.activity
    assert panel.isVisibleTo(w) and panel.no_history.isVisibleTo(w)
    assert "No contact yet" in panel.summary.text()
    answers.on_dialog = fill_log("coffee", "chapter meeting; she'll intro me to Raj")
    qtbot.keyClick(w.contacts.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    (dialog,) = answers.dialogs
    assert isinstance(dialog, LogDialog)
    with db.session() as s:
        (row,) = interactions_of(s, ann)
    assert (row.occurred_on, row.kind, row.summary) == (
        today,
        "coffee",
        "chapter meeting; she'll intro me to Raj",
    )
    assert panel.history.rowCount() == 1
    assert panel.history.index(0, 2).data() == row.summary
    assert w.contacts.model.index(0, 4).data() == today.isoformat()  # "Last contact"
    assert f"Last contact {today.day}" in panel.summary.text()
    # The next log offers the kind used last.
    answers.on_dialog = lambda d: int(QDialog.DialogCode.Rejected)
    w.contact_actions.log_action.trigger()
    assert answers.dialogs[-1].kind.currentData() == "coffee"  # type: ignore[attr-defined]
    # Undo takes the entry away again.
    w.undo_action.trigger()
    with db.session() as s:
        assert interactions_of(s, ann) == []
    assert panel.history.rowCount() == 0


def test_history_is_newest_first_and_can_be_edited_and_deleted(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann = add(db, "Ann Lee")
    with db.session() as s:
        log_interaction(s, ann, dt.date(2025, 5, 1), "call", "first call")
        log_interaction(s, ann, dt.date(2026, 2, 1), "email", "sent my CV")
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectRow(0)
    panel = w.contacts.activity
    assert [panel.history.index(r, 2).data() for r in range(2)] == ["sent my CV", "first call"]
    panel.history_view.selectRow(1)
    answers.on_dialog = fill_log("meeting", "first meeting", dt.date(2025, 5, 2))
    panel.edit_button.click()
    with db.session() as s:
        assert [i.summary for i in interactions_of(s, ann)] == ["sent my CV", "first meeting"]
    panel.history_view.selectRow(0)
    panel.delete_button.click()
    with db.session() as s:
        assert [i.summary for i in interactions_of(s, ann)] == ["first meeting"]
    w.undo_action.trigger()
    w.undo_action.trigger()
    with db.session() as s:
        assert [i.summary for i in interactions_of(s, ann)] == ["sent my CV", "first call"]


def test_follow_ups_come_due_on_today_and_are_done_or_snoozed(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee")
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.table.selectRow(0)

    def due_yesterday(dialog: QDialog) -> int:
        assert isinstance(dialog, FollowUpDialog)
        assert dialog.heading.text() == "About Ann Lee"
        dialog.text.setText("send the article")
        dialog.due.setDate(to_qdate(today - dt.timedelta(days=1)))
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = due_yesterday
    w.contacts.activity.add_follow_button.click()
    today_read(qtbot, w)
    assert w.tabs.tabText(0) == "&Today (1)"
    assert w.contacts.activity.follow_ups.rowCount() == 1
    w.tabs.setCurrentWidget(w.today)
    tab = w.today
    assert [tab.model.index(0, c).data() for c in range(3)] == [
        "1 day overdue",
        "Ann Lee",
        "send the article",
    ]
    tab.done_button.click()
    today_read(qtbot, w)
    assert w.tabs.tabText(0) == "&Today"
    assert tab.empty.isVisibleTo(w)
    with db.session() as s:
        assert follow_ups_of(s, ann) == []
    w.undo_action.trigger()
    today_read(qtbot, w)
    assert tab.model.rowCount() == 1
    tab.snooze_actions["For a week"].trigger()
    today_read(qtbot, w)
    assert tab.model.rowCount() == 0
    with db.session() as s:
        (f,) = follow_ups_of(s, ann)
        assert f.due_on == today + dt.timedelta(days=7)
    w.undo_action.trigger()
    today_read(qtbot, w)
    answers.on_dialog = lambda d: (
        d.day.setDate(to_qdate(today + dt.timedelta(days=30)))  # type: ignore[attr-defined]
        or int(QDialog.DialogCode.Accepted)
    )
    tab.snooze_actions["pick"].trigger()
    assert isinstance(answers.dialogs[-1], PickDateDialog)
    with db.session() as s:
        assert follow_ups_of(s, ann)[0].due_on == today + dt.timedelta(days=30)


def test_keep_in_touch_is_done_by_logging_the_contact_and_survives_a_restart(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee", tier="A")
    bob = add(db, "Bob Roe", tier="B")
    with db.session() as s:
        log_interaction(s, ann, today - dt.timedelta(days=40), "call")
        log_interaction(s, bob, today - dt.timedelta(days=10), "call")
        add_follow_up(s, None, today, "renew the association membership")
    w = make_window()
    assert w.tabs.currentWidget() is w.today  # the day starts here
    assert w.tabs.tabText(0) == "&Today (2)"
    whats = [w.today.model.index(r, 2).data() for r in range(2)]
    assert whats == ["Keep in touch (every 3 weeks)", "renew the association membership"]
    w.today.table.selectRow(0)
    answers.on_dialog = fill_log("email", "checked in about her new team")
    w.today.done_button.click()
    with db.session() as s:
        assert interactions_of(s, ann)[0].summary == "checked in about her new team"
    today_read(qtbot, w)
    assert w.tabs.tabText(0) == "&Today (1)"
    # Preferences: Bob's tier every week makes him due too.
    answers.on_dialog = lambda d: (
        d.spins["B"].setValue(7) or int(QDialog.DialogCode.Accepted)  # type: ignore[attr-defined]
    )
    w.preferences_action.trigger()
    assert isinstance(answers.dialogs[-1], PreferencesDialog)
    today_read(qtbot, w)
    assert w.tabs.tabText(0) == "&Today (2)"
    w.close()
    w2 = make_window()
    assert w2.tabs.tabText(0) == "&Today (2)"
    row = [w2.today.model.index(r, 1).data() for r in range(2)].index("Bob Roe")
    w2.today.table.selectRow(row)
    w2.today.open_button.click()
    assert w2.tabs.currentWidget() is w2.contacts
    assert w2.contacts.current_id() == bob
    assert "overdue by 3 days" in w2.contacts.activity.summary.text()


def test_introductions_are_listed_and_one_click_away(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    from app.ui.contacts.who_at_dialog import WhoAtDialog

    with db.session() as s:
        raj = create_contact(s, ContactRecord(full_name="Raj Patel", organization="Acme Inc."))
        create_contact(s, ContactRecord(full_name="Mia Chen", introduced_by_id=raj))
        lee = create_contact(
            s, ContactRecord(full_name="Lee Park", organization="ACME", introduced_by_id=raj)
        )
    w = make_window()
    w.open_contact(raj)
    panel = w.contacts.activity
    assert panel.introduced_view.isVisibleTo(w)
    assert "Introduced you to 2 people" in panel.introduced_label.text()
    assert [panel.introduced.index(r, 0).data() for r in range(2)] == ["Lee Park", "Mia Chen"]
    panel.introduced_view.activated.emit(panel.introduced.index(0, 0))
    assert w.contacts.current_id() == lee
    assert w.contacts.editor.introduced_by.text() == "Raj Patel — Acme Inc."
    assert not panel.introduced_view.isVisibleTo(w)  # Lee introduced nobody yet

    def search_acme(dialog: QDialog) -> int:
        assert isinstance(dialog, WhoAtDialog)
        qtbot.keyClicks(dialog.query, "acme ltd")
        assert dialog.count.text() == "2 people"
        assert [dialog.model.index(r, 0).data() for r in range(2)] == ["Lee Park", "Raj Patel"]
        dialog.table.selectRow(1)
        dialog.table.activated.emit(dialog.model.index(1, 0))
        return int(dialog.result())

    answers.on_dialog = search_acme
    w.contact_actions.who_at_action.trigger()
    assert w.contacts.current_id() == raj


def test_the_map_summary_counts_one_in_the_singular() -> None:
    from app.services.industries import Bar
    from app.ui.network.tab import NetworkTab

    one = [Bar("Healthcare", "healthcare", 0, 1, 0)]
    assert NetworkTab._summary(one, "Healthcare") == (
        "1 person, 1 in Healthcare, 1 dormant tie worth reviving."
    )
    many = [Bar("", "", 1, 1, 0), Bar("Software", "software", 1200, 2, 0)]
    assert NetworkTab._summary(many, "") == (
        "1,204 people, 3 dormant ties worth reviving. 2 have no industry yet: Suggest "
        "industries fills them in with your confirmation."
    )
    assert NetworkTab._summary([Bar("", "", 1, 0, 0)], "").endswith(
        " 1 has no industry yet: Suggest industries fills them in with your confirmation."
    )


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen, showing a dialog
def test_snoozing_to_a_past_day_is_refused_in_words_and_the_dialog_stays_open(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee")
    with db.session() as s:
        add_follow_up(s, ann, today, "send the article")
    w = make_window()
    w.tabs.setCurrentWidget(w.today)
    today_read(qtbot, w)
    tab = w.today
    assert tab.model.rowCount() == 1
    tab.table.selectRow(0)
    tomorrow = today + dt.timedelta(days=1)
    seen: dict[str, object] = {}

    def pick(dialog: QDialog) -> int:
        assert isinstance(dialog, PickDateDialog)
        show_active(qtbot, dialog)
        field = dialog.day.text
        for text in ("1 Jan 2026", today.isoformat()):  # a past day, then today
            field.setFocus()
            qtbot.waitUntil(field.hasFocus)
            qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            qtbot.keyClicks(field, text)
            qtbot.keyClick(field, Qt.Key.Key_Return)
            # Refused in words; the dialog stays open on the field.
            assert dialog.isVisible() and dialog.result() == 0
            assert dialog.day.message.isVisible()
            seen[text] = dialog.day.message.text()
        # Tomorrow is taken.
        qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(field, tomorrow.isoformat())
        qtbot.keyClick(field, Qt.Key.Key_Return)
        assert not dialog.day.message.isVisible()
        return dialog.result()

    answers.on_dialog = pick
    tab.snooze_actions["pick"].trigger()
    assert all(f"Pick {day_text(tomorrow)} or a later day." in str(m) for m in seen.values()), seen
    today_read(qtbot, w)
    assert tab.model.rowCount() == 0
    with db.session() as s:
        assert follow_ups_of(s, ann)[0].due_on == tomorrow
