"""The contact pane's activity: history of interactions, open follow-ups, keep-in-touch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.model.records import TIERS
from app.services.activity import Activity, activity_of
from app.services.followups import FollowUpRow
from app.services.groups import GroupRow
from app.services.interactions import InteractionRow
from app.services.interviews import InterviewRow
from app.services.reciprocity import ASKED, GAVE, Balance, ExchangeRow
from app.storage.db import Database
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import OVERDUE, PeopleModel, day_text, people_table, rows_table
from app.ui.common.text import plain_label
from app.ui.common.widgets import button_row


class HistoryModel(RowsModel):
    headers = ("Date", "Kind", "What happened")

    def cells(self, row: InteractionRow) -> tuple[str, ...]:
        return day_text(row.occurred_on), row.kind_label, row.summary


class ExchangesModel(RowsModel):
    headers = ("Date", "", "What", "Note")

    def cells(self, row: ExchangeRow) -> tuple[str, ...]:
        side = "You asked" if row.direction == ASKED else "You gave"
        return day_text(row.occurred_on), side, row.kind_label, row.note


class GroupsModel(RowsModel):
    headers = ("Where", "Kind", "When")

    def cells(self, row: GroupRow) -> tuple[str, ...]:
        return row.name, row.kind_label, day_text(row.held_on) if row.held_on else ""


def balance_text(b: Balance) -> str:
    if not b.asked and not b.gave:
        return "Nothing asked or given yet. Networking is give and take: log both."
    text = f"You asked {b.asked} time{'s' if b.asked != 1 else ''}, gave {b.gave}."
    if b.only_taken:
        text += " You have only taken so far: send an article, a lead, or a thank-you."
    return text


class InterviewsModel(RowsModel):
    headers = ("When", "Status")

    def cells(self, row: InterviewRow) -> tuple[str, ...]:
        when = day_text(row.starts_at.date()) if row.starts_at else "date not set"
        return when, row.status_label


class FollowUpsModel(RowsModel):
    headers = ("By", "To do")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()

    def cells(self, row: FollowUpRow) -> tuple[str, ...]:
        return day_text(row.due_on), row.text

    def decoration(self, row: FollowUpRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 0 and row.due_on < self.today:
            return OVERDUE
        return None


class ActivityPanel(QGroupBox):
    """Shown above a contact's details; every change goes through the window (undoable)."""

    log_requested = Signal()
    edit_requested = Signal(int)  # interaction id
    delete_requested = Signal(int)
    follow_up_requested = Signal()
    follow_up_done = Signal(int)  # follow-up id
    follow_up_deleted = Signal(int)
    open_contact = Signal(int)
    exchange_requested = Signal(str)  # ASKED or GAVE
    exchange_deleted = Signal(int)  # exchange id
    link_group_requested = Signal()
    group_unlinked = Signal(int)  # group id
    open_group = Signal(int)
    interview_requested = Signal()
    open_interview = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__("Keeping in touch", parent)
        self.setObjectName("activity")
        self._db = db
        self.contact_id: int | None = None
        self.summary = plain_label()
        self.summary.setObjectName("touch_summary")
        self.summary.setWordWrap(True)
        self.history = HistoryModel(self)
        self.history_view = rows_table(self.history, "history")
        self.history_view.doubleClicked.connect(lambda _i: self._emit_selected_history(True))
        self.no_history = plain_label("Nothing logged yet. Log a call, an email or a coffee here.")
        self.no_history.setObjectName("no_history")
        self.log_button = QPushButton("&Log…")
        self.log_button.setObjectName("log_interaction")
        self.log_button.setToolTip("Log an interaction (Ctrl+L)")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("edit_interaction")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("delete_interaction")
        self.log_button.clicked.connect(self.log_requested)
        self.edit_button.clicked.connect(lambda: self._emit_selected_history(True))
        self.delete_button.clicked.connect(lambda: self._emit_selected_history(False))

        self.follow_ups = FollowUpsModel(self)
        self.follow_view = rows_table(self.follow_ups, "follow_ups")
        self.add_follow_button = QPushButton("Add follo&w-up…")
        self.add_follow_button.setObjectName("add_follow_up")
        self.done_button = QPushButton("Done")
        self.done_button.setObjectName("follow_up_done")
        self.delete_follow_button = QPushButton("Delete")
        self.delete_follow_button.setObjectName("delete_follow_up")
        self.add_follow_button.clicked.connect(self.follow_up_requested)
        self.done_button.clicked.connect(lambda: self._emit_follow_up(self.follow_up_done))
        self.delete_follow_button.clicked.connect(
            lambda: self._emit_follow_up(self.follow_up_deleted)
        )

        self.introduced = PeopleModel(self)
        self.introduced_view = people_table(self.introduced, "introduced")
        self.introduced_view.activated.connect(
            lambda i: self.open_contact.emit(self.introduced.rows[i.row()].id)
        )
        self.introduced_label = plain_label()

        self.balance_label = plain_label()
        self.balance_label.setObjectName("balance")
        self.balance_label.setWordWrap(True)
        self.exchanges = ExchangesModel(self)
        self.exchanges_view = rows_table(self.exchanges, "exchanges")
        self.asked_button = QPushButton("I as&ked…")
        self.asked_button.setObjectName("log_asked")
        self.asked_button.setToolTip("An introduction, advice, a job tip, an interview…")
        self.gave_button = QPushButton("I g&ave…")
        self.gave_button.setObjectName("log_gave")
        self.gave_button.setToolTip("An introduction you made, an article or lead, help, thanks")
        self.delete_exchange_button = QPushButton("Delete")
        self.delete_exchange_button.setObjectName("delete_exchange")
        self.asked_button.clicked.connect(lambda: self.exchange_requested.emit(ASKED))
        self.gave_button.clicked.connect(lambda: self.exchange_requested.emit(GAVE))
        self.delete_exchange_button.clicked.connect(self._emit_exchange_deleted)

        self.groups = GroupsModel(self)
        self.groups_view = rows_table(self.groups, "met_at")
        self.groups_view.setToolTip("Double-click or press Enter to open")
        self.groups_view.activated.connect(
            lambda i: self.open_group.emit(self.groups.rows[i.row()].id)
        )
        self.link_group_button = QPushButton("Met at…")
        self.link_group_button.setObjectName("link_group")
        self.link_group_button.setToolTip("The group, association or event where you met")
        self.unlink_group_button = QPushButton("Remove")
        self.unlink_group_button.setObjectName("unlink_group")
        self.link_group_button.clicked.connect(self.link_group_requested)
        self.unlink_group_button.clicked.connect(self._emit_group_unlinked)

        self.interviews = InterviewsModel(self)
        self.interviews_view = rows_table(self.interviews, "contact_interviews")
        self.interviews_view.setToolTip("Double-click or press Enter to open")
        self.interviews_view.activated.connect(
            lambda i: self.open_interview.emit(self.interviews.rows[i.row()].id)
        )
        self.interview_button = QPushButton("&Plan an informational interview…")
        self.interview_button.setObjectName("plan_interview_button")
        self.interview_button.setToolTip(
            "A short conversation to learn about their work (Ctrl+Shift+I)"
        )
        self.interview_button.clicked.connect(self.interview_requested)

        history_buttons = button_row(self.log_button, self.edit_button, self.delete_button)
        follow_buttons = button_row(
            self.add_follow_button, self.done_button, self.delete_follow_button
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(plain_label("History, newest first"))
        layout.addWidget(self.history_view)
        layout.addWidget(self.no_history)
        layout.addLayout(history_buttons)
        layout.addWidget(plain_label("Follow-ups"))
        layout.addWidget(self.follow_view)
        layout.addLayout(follow_buttons)
        layout.addWidget(plain_label("Give and take"))
        layout.addWidget(self.balance_label)
        layout.addWidget(self.exchanges_view)
        layout.addLayout(
            button_row(self.asked_button, self.gave_button, self.delete_exchange_button)
        )
        layout.addWidget(plain_label("Informational interviews"))
        layout.addWidget(self.interviews_view)
        layout.addLayout(button_row(self.interview_button))
        layout.addWidget(plain_label("Where you met: groups and events"))
        layout.addWidget(self.groups_view)
        layout.addLayout(button_row(self.link_group_button, self.unlink_group_button))
        layout.addWidget(self.introduced_label)
        layout.addWidget(self.introduced_view)

    def show_contact(self, contact_id: int | None, read: Activity | None = None) -> None:
        """Show *contact_id*'s activity (*read*: as a worker already read it)."""
        self.contact_id = contact_id
        self.setVisible(contact_id is not None)
        if contact_id is None:
            return
        if read is None or read.contact_id != contact_id:
            with self._db.session() as s:
                read = activity_of(s, contact_id, dt.date.today())
        today = read.today
        history, follow_ups, introduced = read.history, read.follow_ups, read.introduced
        exchanges, met_at, interviews = read.exchanges, read.met_at, read.interviews
        given_and_taken = read.balance
        self.interviews.set_rows(interviews)
        self.interviews_view.setVisible(bool(interviews))
        self.exchanges.set_rows(exchanges)
        self.exchanges_view.setVisible(bool(exchanges))
        self.delete_exchange_button.setEnabled(bool(exchanges))
        self.balance_label.setText(balance_text(given_and_taken))
        self.groups.set_rows(met_at)
        self.groups_view.setVisible(bool(met_at))
        self.unlink_group_button.setEnabled(bool(met_at))
        if exchanges:
            self.exchanges_view.selectRow(0)
        if met_at:
            self.groups_view.selectRow(0)
        self.history.set_rows(history)
        self.follow_ups.today = today
        self.follow_ups.set_rows(follow_ups)
        has = bool(history)
        self.history_view.setVisible(has)
        self.no_history.setVisible(not has)
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.follow_view.setVisible(bool(follow_ups))
        self.done_button.setEnabled(bool(follow_ups))
        self.delete_follow_button.setEnabled(bool(follow_ups))
        if has:
            self.history_view.selectRow(0)
        if follow_ups:
            self.follow_view.selectRow(0)
        self.summary.setText(self._summary(history, read.tier, read.due, today))
        self.introduced.set_rows(introduced)
        n = len(introduced)
        self.introduced_label.setText(
            f"Introduced you to {n} {'person' if n == 1 else 'people'} (double-click to open)"
        )
        self.introduced_label.setVisible(bool(n))
        self.introduced_view.setVisible(bool(n))

    @staticmethod
    def _summary(
        history: list[InteractionRow], tier: str, due: dt.date | None, today: dt.date
    ) -> str:
        last = f"Last contact {day_text(history[0].occurred_on)}." if history else "No contact yet."
        if not tier or due is None:
            return f"{last} No keep-in-touch reminder (set one below, under Relationship)."
        label = TIERS[tier][0].split(": ", 1)[-1]
        if due <= today:
            late = (today - due).days
            when = "due today" if late == 0 else f"overdue by {late} day{'s' if late != 1 else ''}"
            return f"{last} Keep in touch {label}: {when}."
        return f"{last} Keep in touch {label}: next by {day_text(due)}."

    def _emit_selected_history(self, edit: bool) -> None:
        rows = self.history_view.selectionModel().selectedRows()
        if rows:
            row = self.history.rows[rows[0].row()]
            (self.edit_requested if edit else self.delete_requested).emit(row.id)

    def _emit_exchange_deleted(self) -> None:
        rows = self.exchanges_view.selectionModel().selectedRows()
        if rows:
            self.exchange_deleted.emit(self.exchanges.rows[rows[0].row()].id)

    def _emit_group_unlinked(self) -> None:
        rows = self.groups_view.selectionModel().selectedRows()
        if rows:
            self.group_unlinked.emit(self.groups.rows[rows[0].row()].id)

    def _emit_follow_up(self, signal: Any) -> None:
        rows = self.follow_view.selectionModel().selectedRows()
        if rows:
            signal.emit(self.follow_ups.rows[rows[0].row()].id)
