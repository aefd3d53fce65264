"""Interview prep: the list of informational interviews by status and date, and the one chosen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import employers as lamp
from app.services import interviews as iv
from app.services import profile, question_bank
from app.storage.db import Database
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import rows_table
from app.ui.common.text import plain_label
from app.ui.common.widgets import button_row
from app.ui.interviews.pages import InterviewPage


def when_text(row: iv.InterviewRow) -> str:
    return iv.when_text(row.starts_at, row.held_on) or "not set"


class InterviewsModel(RowsModel):
    headers = ("Who", "Status", "When", "Length")

    def cells(self, row: iv.InterviewRow) -> tuple[str, ...]:
        return row.who, row.status_label, when_text(row), f"{row.length_minutes} min"


class InterviewsTab(QWidget):
    new_requested = Signal()
    delete_requested = Signal(int)
    bank_requested = Signal()
    glossary_requested = Signal()
    export_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.filter = QComboBox()
        self.filter.setObjectName("interview_filter")
        self.filter.addItem("All interviews", None)
        for key, label in iv.STATUSES:
            self.filter.addItem(label, key)
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.model = InterviewsModel(self)
        self.list = rows_table(self.model, "interviews_list")
        self.list.setMaximumHeight(16777215)
        header = self.list.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._selecting = False  # refresh() selects the row again: it decides what to load
        self.list.selectionModel().currentRowChanged.connect(self._current_changed)
        self.new_button = QPushButton("&New interview…")
        self.new_button.setObjectName("new_interview")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("delete_interview")
        self.new_button.clicked.connect(self._new)
        self.delete_button.clicked.connect(self._delete)
        self.bank_button = QPushButton("Question &bank…")
        self.bank_button.setObjectName("open_bank")
        self.glossary_button = QPushButton("G&lossary…")
        self.glossary_button.setObjectName("open_glossary")
        self.glossary_button.setToolTip("Every term learned, across all interviews, searchable")
        self.export_button = QPushButton("E&xport to calendar…")
        self.export_button.setObjectName("export_interviews")
        self.export_button.setToolTip("All scheduled interviews as one .ics file")
        self.bank_button.clicked.connect(self._bank)
        self.glossary_button.clicked.connect(self.glossary_requested)
        self.export_button.clicked.connect(self.export_requested)

        self.page = InterviewPage()
        self.page.setObjectName("interview_page")
        self.page.bank_requested.connect(self._bank)
        self.empty = plain_label(
            "An informational interview is a short conversation, 20 minutes is usual, with "
            "someone who does the work you want to do. You ask the questions; you never ask "
            "for a job.\n\nStart one from a contact (“Plan an informational interview” in "
            "their pane, or a right-click in the list), or with New interview. Second Act "
            "walks you through it: homework first, a plan of 5 to 10 good questions, a clock "
            "that keeps you to the agreed time, notes, the vocabulary you learn, the people "
            "they refer you to, a thank-you within a day, and a report back two weeks later."
        )
        self.empty.setObjectName("interviews_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.right = QStackedWidget()
        self.right.addWidget(self.empty)
        self.right.addWidget(self.page)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(plain_label("Show"))
        top.addWidget(self.filter, 1)
        left_layout.addLayout(top)
        left_layout.addWidget(self.list, 1)
        left_layout.addLayout(button_row(self.new_button, self.delete_button))
        left_layout.addLayout(
            button_row(self.bank_button, self.glossary_button, self.export_button)
        )
        splitter = QSplitter()
        splitter.setObjectName("interviews_splitter")
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.setTabOrder(self.filter, self.list)
        self.setTabOrder(self.list, self.new_button)
        self.reload_bank()
        self.refresh()

    def current_id(self) -> int | None:
        index = self.list.selectionModel().currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.model.rows):
            return None
        row: iv.InterviewRow = self.model.rows[index.row()]
        return row.id

    def refresh(self, select: int | None = None, reload_page: bool = True) -> None:
        """Read the list again; *select* an interview (default: the current one)."""
        keep = select if select is not None else self.current_id()
        status = self.filter.currentData()
        with self._db.session() as s:
            rows = iv.list_interviews(s, status)
        if select is not None and select not in [r.id for r in rows] and status is not None:
            self.filter.blockSignals(True)  # one read, below, not a second one by the signal
            self.filter.setCurrentIndex(0)  # show the one asked for, whatever its status
            self.filter.blockSignals(False)
            return self.refresh(select, reload_page)
        self.list.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        self.list.selectionModel().blockSignals(False)
        ids = [r.id for r in rows]
        row = ids.index(keep) if keep in ids else (0 if rows else -1)
        if row >= 0:
            # Not a choice of the user's: after typing was saved the page keeps its fields,
            # their selection and cursor (reloading it here dropped the selection of the
            # field just tabbed into, so what was typed next went after the old text).
            self._selecting = True
            try:
                self.list.selectRow(row)
            finally:
                self._selecting = False
        self.delete_button.setEnabled(bool(rows))
        if (
            reload_page
            or self.page.detail is None
            or self.current_id() != (self.page.detail.record.id)
        ):
            self._load_current()

    def reload_bank(self) -> None:
        with self._db.session() as s:
            self.page.set_bank(question_bank.bank(s))

    def _current_changed(self, *_: object) -> None:
        if not self._selecting:
            self._load_current()

    def _load_current(self) -> None:
        if self.page.detail is not None and self.page.pending():
            self.page.flush()
        interview_id = self.current_id()
        if interview_id is None:
            self.page.detail = None
            self.right.setCurrentWidget(self.empty)
            return
        with self._db.session() as s:
            try:
                detail = iv.get_interview(s, interview_id)
            except iv.InterviewNotFound:
                self.right.setCurrentWidget(self.empty)
                return
            terms = iv.glossary(s, interview_id=interview_id)
            employers = [(e.id, e.name) for e in lamp.lamp_list(s)]
            story = profile.load_profile(s).story
        self.page.set_employers(employers)
        self.page.set_story(story)
        self.page.load(detail, terms)
        self.right.setCurrentWidget(self.page)

    def _new(self) -> None:
        self.page.flush()
        self.new_requested.emit()

    def _delete(self) -> None:
        interview_id = self.current_id()
        if interview_id is not None:
            self.page.detail = None  # nothing of it is saved after it is gone
            self.delete_requested.emit(interview_id)

    def _bank(self) -> None:
        self.page.flush()
        self.bank_requested.emit()

    def leave(self) -> None:
        """Save what is being typed (the window calls this when the tab or the app closes)."""
        self.page.flush()
