"""Today: overdue and due follow-ups and keep-in-touch reminders, each one click from done."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.today import FOLLOW_UP, INTERVIEW, THANK_YOU_NOTE, DueItem, due_items
from app.storage.db import Database
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import CONTENTS_PRECISION, OVERDUE
from app.ui.common.tasks import LatestRead
from app.ui.common.text import plain_label

log = logging.getLogger(__name__)


def when_text(item: DueItem, today: dt.date) -> str:
    late = item.overdue_days(today)
    if late <= 0:
        return "Today"
    if late > 60:  # "1696 days" reads as a number, not as a time
        return f"Overdue since {item.due_on:%b %Y}"
    return f"{late} day{'s' if late != 1 else ''} overdue"


class TodayModel(RowsModel):
    headers = ("When", "Who", "What")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = dt.date.today()

    def cells(self, row: DueItem) -> tuple[str, ...]:
        return when_text(row, self.today), row.who or "—", row.what

    def decoration(self, row: DueItem, column: int, role: int) -> Any:
        late = row.overdue_days(self.today) > 0
        if role == Qt.ItemDataRole.ForegroundRole and column == 0 and late:
            return OVERDUE
        return None


class TodayTab(QWidget):
    """The list of what is due; the window carries out each choice as an undoable step."""

    done_requested = Signal(object)  # DueItem
    snooze_requested = Signal(object, object)  # DueItem, date or None to pick one
    delete_requested = Signal(object)
    open_requested = Signal(object)  # DueItem: its contact, or its interview
    add_follow_up = Signal()
    count_changed = Signal(int)
    loaded = Signal()  # a read has landed: the rows, heading and count are the newest

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.heading = plain_label()
        self.heading.setObjectName("today_heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.model = TodayModel(self)
        self.table = QTableView()
        self.table.setObjectName("today_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(CONTENTS_PRECISION)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(1, 220)
        self.table.doubleClicked.connect(lambda _i: self._emit_open())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.empty = plain_label(
            "Nothing is due today. Follow-ups you add to a contact, and the people you want "
            "to keep in touch with (set under Relationship in their details), appear here "
            "on the day they are due."
        )
        self.empty.setObjectName("today_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.done_button = QPushButton("&Done")
        self.done_button.setObjectName("today_done")
        self.done_button.setToolTip(
            "Mark the follow-up done, log the contact you made, the thank-you you sent, or "
            "the interview you held (Enter)"
        )
        self.snooze_button = QToolButton()
        self.snooze_button.setObjectName("today_snooze")
        self.snooze_button.setText("&Snooze")
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.snooze_button)
        self.snooze_actions: dict[str, QAction] = {}
        for label, days in (("Until tomorrow", 1), ("For a week", 7)):
            action = menu.addAction(label)
            action.triggered.connect(lambda _c=False, d=days: self._emit_snooze(d))
            self.snooze_actions[label] = action
        pick = menu.addAction("Until a day I pick…")
        pick.triggered.connect(lambda: self._emit_snooze(None))
        self.snooze_actions["pick"] = pick
        self.snooze_button.setMenu(menu)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("today_delete")
        self.open_button = QPushButton("O&pen contact")
        self.open_button.setObjectName("today_open")
        self.new_button = QPushButton("&Add follow-up…")
        self.new_button.setObjectName("today_add")
        self.done_button.clicked.connect(lambda: self._emit(self.done_requested))
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        self.open_button.clicked.connect(self._emit_open)
        self.new_button.clicked.connect(self.add_follow_up)
        enter = QAction(self)
        enter.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        enter.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        enter.triggered.connect(lambda: self._emit(self.done_requested))
        self.table.addAction(enter)

        buttons = QHBoxLayout()
        for b in (self.done_button, self.snooze_button, self.delete_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        # Neither the table nor "Nothing is due" until the first read says which.
        self.table.hide()
        self.empty.hide()
        self._reads = LatestRead(self)
        self._enable()
        self.refresh()

    def refresh(self, today: dt.date | None = None) -> None:
        """Read what is due off the window's thread (a third of a second at 50,000 people to
        keep in touch with); the table keeps showing, and acting on, the rows it has until
        the newest read lands (then `loaded` is emitted)."""
        day = today or dt.date.today()
        db = self._db

        def read() -> list[DueItem]:
            with db.session() as s:
                return due_items(s, day)

        self._reads.start(read, lambda items: self._show(day, items), self._failed)

    def pending(self) -> bool:
        """True while a read is on its way: what the table shows may be about to change."""
        return self._reads.pending()

    def wait(self) -> None:
        """Let a read in progress finish (before the database closes)."""
        self._reads.wait()

    def _failed(self, report: str) -> None:
        log.error("today: %s", report)
        self.heading.setText("Today's list could not be read; it shows what it last read.")
        self.loaded.emit()

    def _show(self, today: dt.date, items: list[DueItem]) -> None:
        keep = self.current()  # the row selected now, not when the read was asked for
        self.model.today = today
        self.model.set_rows(items)
        self.heading.setText(f"Today, {today:%A} {today.day} {today:%B}")
        has = bool(items)
        self.table.setVisible(has)
        self.empty.setVisible(not has)
        if has:
            row = 0
            if keep is not None:  # stops at the match: a 50,000-row list was 17 ms
                kind, item_id = keep.kind, keep.item_id
                found = (i for i, x in enumerate(items) if x.item_id == item_id and x.kind == kind)
                row = next(found, 0)
            self.table.selectRow(min(row, len(items) - 1))
        self._enable()
        self.count_changed.emit(len(items))
        self.loaded.emit()

    def current(self) -> DueItem | None:
        index = self.table.selectionModel().currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.model.rows):
            return None
        item: DueItem = self.model.rows[index.row()]
        return item

    def _enable(self) -> None:
        item = self.current()
        for w in (self.done_button, self.snooze_button):
            w.setEnabled(item is not None)
        self.delete_button.setEnabled(item is not None and item.kind == FOLLOW_UP)
        # An interview moves by changing its date, on its own page.
        self.snooze_button.setEnabled(item is not None and item.kind != INTERVIEW)
        self.open_button.setEnabled(item is not None and item.contact_id is not None)
        interview = item is not None and item.kind in (INTERVIEW, THANK_YOU_NOTE)
        self.open_button.setText("O&pen interview" if interview else "O&pen contact")

    def _emit(self, signal: Any) -> None:
        item = self.current()
        if item is not None:
            signal.emit(item)

    def _emit_snooze(self, days: int | None) -> None:
        item = self.current()
        if item is None:
            return
        until = None if days is None else self.model.today + dt.timedelta(days=days)
        self.snooze_requested.emit(item, until)

    def _emit_open(self) -> None:
        item = self.current()
        if item is not None and item.contact_id is not None:
            self.open_requested.emit(item)
