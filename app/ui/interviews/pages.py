"""One interview, on four pages: details, homework, questions, debrief.

Typing is saved by itself a moment after the user stops (record_edited, debounced), and at
once before anything else happens (flush); the window makes each save an undoable step.
Reloading never rewrites a field that already says the same, so the cursor stays put.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QEvent, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import interviews as iv
from app.services.days import parse_time
from app.services.interviews import InterviewDetail, InterviewRecord, PlannedQuestion
from app.services.question_bank import Question
from app.ui.common.day_edit import DayEdit, from_qdate, mark_field, message_below
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import day_text, rows_table
from app.ui.common.text import plain_label, plain_tooltip
from app.ui.common.widgets import ErrorLabel, button_row

SAVE_AFTER_MS = 700
TIME_HINT = "The time agreed, as you write it: 14:30, 14.30, 9 or 2:30 pm."
ROLE = Qt.ItemDataRole.UserRole
WARNING = QColor("#8a5a00")
COMMON_ZONES = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
]


def system_zone() -> str:
    from PySide6.QtCore import QTimeZone

    name = bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"
    try:
        iv.zone(name)
    except ValueError:
        return "UTC"
    return name


def set_text(edit: QLineEdit | QPlainTextEdit, value: str) -> None:
    """Replace the text only if it differs: the cursor of someone typing stays where it is."""
    current = edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()
    if current != value:
        if isinstance(edit, QLineEdit):
            edit.setText(value)
        else:
            edit.setPlainText(value)


def long_text(
    name: str, placeholder: str, lines: int = 4, most: int | None = None
) -> QPlainTextEdit:
    """A note field *lines* high (growing to *most* lines, when given)."""
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().height() * lines + 12)
    if most is not None:
        edit.setMaximumHeight(edit.fontMetrics().height() * most + 12)
    return edit


class TermsModel(RowsModel):
    headers = ("Term", "Meaning")

    def cells(self, row: iv.TermRow) -> tuple[str, ...]:
        return row.term, row.meaning


class PeopleModel(RowsModel):
    headers = ("Referred to",)

    def cells(self, row: tuple[int, str]) -> tuple[str, ...]:
        return (row[1],)


class PromisesModel(RowsModel):
    headers = ("By", "Promised", "Done")

    def cells(self, row: iv.Promise) -> tuple[str, ...]:
        return day_text(row.due_on), row.text, "✓" if row.done else ""


class WhenEdit(QWidget):
    """The agreed day and time: a DayEdit (typed as written, or on its calendar) and the time
    beside it, read whole as typed ("14:30", "2:30 pm"). QDateTimeEdit dropped "15/03/2027"
    typed over its text, its Alt+Down stepped the month back, and QTimeEdit drops "14:30"
    typed over a selected time. dateTime(), setDateTime() and dateTimeChanged as
    QDateTimeEdit's; understood() is False while either part's text names nothing."""

    dateTimeChanged = Signal(QDateTime)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._time = dt.time(10, 0)
        self.day = DayEdit(dt.date.today(), self)
        self.day.setObjectName("interview_day")
        self.time = QLineEdit(self)
        self.time.setObjectName("interview_time")
        self.time.setAccessibleName("Time")
        self.time.setPlaceholderText("HH:mm")
        self.time.setToolTip(plain_tooltip(TIME_HINT))
        self.time.setFixedWidth(self.time.fontMetrics().horizontalAdvance("00:00 pm") + 16)
        self.time_message = ErrorLabel(self)
        self.time_message.setObjectName("interview_time_message")
        row = QHBoxLayout()
        row.addWidget(self.day, 1, Qt.AlignmentFlag.AlignTop)  # level with the time
        row.addWidget(self.time, 0, Qt.AlignmentFlag.AlignTop)
        message_below(self, row, self.time_message, self.day)
        self.day.dateChanged.connect(self._changed)
        self.time.textEdited.connect(self._time_typed)
        self.time.editingFinished.connect(self.show_problem)
        self._show_time()

    def understood(self) -> bool:
        """Both parts name something (a disabled field always counts as understood)."""
        return not self.isEnabled() or (
            self.day.understood() and parse_time(self.time.text()) is not None
        )

    def date(self) -> QDate:
        return self.day.date()

    def dateTime(self) -> QDateTime:
        return QDateTime(self.day.date(), QTime(self._time.hour, self._time.minute))

    def setDateTime(self, value: QDateTime) -> None:
        self.day.set_day(from_qdate(value.date()))
        t = value.time()
        self._set_time(dt.time(t.hour(), t.minute()))
        self._show_time()

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.day.day(), self._time)

    def show_problem(self) -> None:
        """Say now, in red, which part names nothing (if one does not)."""
        self.day.show_problem()
        if parse_time(self.time.text()) is not None:
            self._show_time()
        else:
            self._mark_time(False)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange and not self.isEnabled():
            self._show_time()  # no date agreed: what was typed goes

    def _set_time(self, value: dt.time) -> None:
        if value != self._time:
            self._time = value
            self._changed()

    def _show_time(self) -> None:
        self.time.setText(self._time.strftime("%H:%M"))
        self._mark_time(True)

    def _time_typed(self, text: str) -> None:
        value = parse_time(text)
        if value is not None:
            self._set_time(value)
            self._mark_time(True)

    def _mark_time(self, understood: bool) -> None:
        typed = self.time.text().strip()
        problem = "" if understood else f"“{typed}” is not a time this field can read. Try 14:30."
        mark_field(self.time, self.time_message, problem)

    def _changed(self, *_: Any) -> None:
        self.dateTimeChanged.emit(self.dateTime())


class InterviewPage(QWidget):
    record_edited = Signal(object)  # InterviewRecord
    plan_edited = Signal(int, object)  # interview id, list[PlannedQuestion]
    start_requested = Signal(int)
    pdf_requested = Signal(int)
    ics_requested = Signal(int)
    open_contact = Signal(int)
    bank_requested = Signal()
    referral_requested = Signal(int)
    referral_removed = Signal(int, int)
    promise_requested = Signal(int, bool)  # interview id, the user's own promise
    promise_done = Signal(int)  # follow-up id
    term_requested = Signal(int)
    term_deleted = Signal(int)
    draft_requested = Signal(int, str)  # interview id, the specific thing to quote
    mail_requested = Signal(int)
    send_requested = Signal(int)  # from the user's own account (Outreach's mail account)
    sent_requested = Signal(int)
    template_requested = Signal()
    profile_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: InterviewDetail | None = None
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.flush)

        self.title = plain_label()
        self.title.setObjectName("interview_title")
        self.title.setWordWrap(True)  # a long name wraps instead of widening the window
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = plain_label()
        self.subtitle.setObjectName("interview_subtitle")
        self.subtitle.setWordWrap(True)
        self.start_button = QPushButton("&Start the conversation")
        self.start_button.setObjectName("start_interview")
        self.start_button.setToolTip(
            "The planned questions with a note field each, and a clock for the agreed time"
        )
        self.pdf_button = QPushButton("Prep &sheet (PDF)…")
        self.pdf_button.setObjectName("prep_sheet")
        self.ics_button = QPushButton("Add to calen&dar…")
        self.ics_button.setObjectName("interview_ics")
        self.ics_button.setToolTip("Save an .ics file that calendar apps import")
        self.start_button.clicked.connect(lambda: self._emit_id(self.start_requested))
        self.pdf_button.clicked.connect(lambda: self._emit_id(self.pdf_requested))
        self.ics_button.clicked.connect(lambda: self._emit_id(self.ics_requested))

        self.pages = QTabWidget()
        self.pages.setObjectName("interview_pages")
        self.pages.addTab(self._details_page(), "&Details")
        self.pages.addTab(self._homework_page(), "&Homework")
        self.pages.addTab(self._questions_page(), "&Questions")
        self.pages.addTab(self._debrief_page(), "De&brief")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(button_row(self.start_button, self.pdf_button, self.ics_button))
        layout.addWidget(self.pages, 1)

    # -- building ---------------------------------------------------------------------------
    def _details_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.status = QComboBox()
        self.status.setObjectName("interview_status")
        for key, label in iv.STATUSES:
            self.status.addItem(label, key)
        self.has_date = QCheckBox("Date and time agreed")
        self.has_date.setObjectName("interview_has_date")
        self.starts = WhenEdit()
        self.starts.setObjectName("interview_starts")
        self.has_date.toggled.connect(self.starts.setEnabled)
        self.zone = QComboBox()
        self.zone.setObjectName("interview_zone")
        self.zone.setEditable(True)
        self.zone.addItems(COMMON_ZONES)
        self.zone.setToolTip("The time zone of the time above (the other person's, for a call)")
        self.length = QSpinBox()
        self.length.setObjectName("interview_length")
        self.length.setRange(iv.MIN_LENGTH, iv.MAX_LENGTH)
        self.length.setSingleStep(5)
        self.length.setSuffix(" minutes")
        self.length.setToolTip("Ask for 20 minutes; 15 to 45 is fine. Keep to what was agreed.")
        self.place = QLineEdit()
        self.place.setObjectName("interview_place")
        self.place.setPlaceholderText("An address, or the call link")
        self.found_via = QComboBox()
        self.found_via.setObjectName("interview_found_via")
        for key, label in iv.FOUND_VIA:
            self.found_via.addItem(label, key)
        self.employer = QComboBox()
        self.employer.setObjectName("interview_employer")
        self.introduced = plain_label()
        self.introduced.setObjectName("interview_introduced_by")
        self.introduced.setWordWrap(True)
        when = QHBoxLayout()
        when.addWidget(self.has_date, 0, Qt.AlignmentFlag.AlignTop)  # level with the text
        when.addWidget(self.starts, 1)
        form.addRow("&Status", self.status)
        when_label = QLabel("&When")
        when_label.setBuddy(self.has_date)
        form.addRow(when_label, when)
        form.addRow("Time &zone", self.zone)
        form.addRow("&Length", self.length)
        form.addRow("&Place or link", self.place)
        form.addRow("Found th&rough", self.found_via)
        form.addRow("T&arget employer", self.employer)
        form.addRow("Introduced by", self.introduced)
        for combo in (self.status, self.found_via, self.employer):
            combo.currentIndexChanged.connect(self._edited)
        self.zone.currentTextChanged.connect(self._edited)
        self.has_date.toggled.connect(self._edited)
        self.starts.dateTimeChanged.connect(self._edited)
        self.length.valueChanged.connect(self._edited)
        self.length.valueChanged.connect(lambda _v: self._show_warnings())
        self.place.textEdited.connect(self._edited)
        return page

    def _homework_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            plain_label(
                "Do the homework first: questions that a search would answer waste their time."
            )
        )
        self.homework: dict[str, QCheckBox] = {}
        for key, label in iv.HOMEWORK:
            box = QCheckBox(label)
            box.setObjectName(f"homework_{key}")
            box.toggled.connect(self._edited)
            layout.addWidget(box)
            self.homework[key] = box
        self.story = plain_label()
        self.story.setObjectName("homework_story")
        self.story.setWordWrap(True)
        self.story.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.story.setFrameShape(QFrame.Shape.StyledPanel)
        self.story.setMargin(6)
        profile_button = QPushButton("Edit in My &Profile…")
        profile_button.setObjectName("homework_edit_profile")
        profile_button.clicked.connect(self.profile_requested)
        layout.addWidget(plain_label("Your 60-second story (the same for every interview)"))
        layout.addWidget(self.story)
        layout.addLayout(button_row(profile_button))
        self.homework_notes = long_text("homework_notes", "What you found, links…", 8)
        self.homework_notes.textChanged.connect(self._edited)
        layout.addWidget(plain_label("Notes and links"))
        layout.addWidget(self.homework_notes, 1)
        return page

    def _questions_page(self) -> QWidget:
        page = QWidget()
        self.bank = QTreeWidget()
        self.bank.setObjectName("question_bank_tree")
        self.bank.setHeaderLabel("Question bank (double-click to add)")
        self.bank.setWordWrap(True)
        self.bank.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.bank.itemActivated.connect(lambda item, _c: self._add_from_bank(item))
        self.plan = QListWidget()
        self.plan.setObjectName("question_plan")
        self.plan.setWordWrap(True)
        self.plan.setAlternatingRowColors(True)
        self.plan.setSpacing(2)
        self.plan.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.plan.model().rowsMoved.connect(lambda *_: self._plan_changed())
        self.add_question = QPushButton("&Add →")
        self.add_question.setObjectName("add_question")
        self.add_question.clicked.connect(lambda: self._add_from_bank(self.bank.currentItem()))
        self.up = QPushButton("U&p")
        self.up.setObjectName("question_up")
        self.down = QPushButton("Do&wn")
        self.down.setObjectName("question_down")
        self.remove = QPushButton("&Remove")
        self.remove.setObjectName("remove_question")
        self.edit_bank = QPushButton("Edit the &bank…")
        self.edit_bank.setObjectName("edit_bank")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.remove.clicked.connect(self._remove_question)
        self.edit_bank.clicked.connect(self.bank_requested)
        self.plan_count = plain_label()
        self.plan_count.setObjectName("plan_count")
        self.warnings = plain_label()
        self.warnings.setObjectName("plan_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(f"color: {WARNING.name()}")
        left = QVBoxLayout()
        left.addWidget(self.bank, 1)
        left.addLayout(button_row(self.add_question, self.edit_bank))
        right = QVBoxLayout()
        right.addWidget(plain_label("Your plan, most important first (5 to 10)"))
        right.addWidget(self.plan, 1)
        right.addLayout(button_row(self.up, self.down, self.remove))
        right.addWidget(self.plan_count)
        right.addWidget(self.warnings)
        layout = QHBoxLayout(page)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        return page

    def _debrief_page(self) -> QWidget:
        inner = QWidget()
        layout = QVBoxLayout(inner)
        self.debrief = long_text("debrief", "The main points, one a line", 5, 7)
        self.debrief.textChanged.connect(self._edited)
        self.notes = long_text("conversation_notes", "The free note from the conversation", 3, 5)
        self.notes.textChanged.connect(self._edited)
        layout.addWidget(plain_label("Main points"))
        layout.addWidget(self.debrief)
        layout.addWidget(plain_label("Notes from the conversation"))
        layout.addWidget(self.notes)

        self.terms = TermsModel(self)
        self.terms_view = rows_table(self.terms, "interview_terms")
        self.add_term = QPushButton("A&dd a term…")
        self.add_term.setObjectName("add_term")
        self.delete_term = QPushButton("Delete")
        self.delete_term.setObjectName("delete_term")
        self.add_term.clicked.connect(lambda: self._emit_id(self.term_requested))
        self.delete_term.clicked.connect(self._emit_term_deleted)
        words = QGroupBox("The field's language learned")
        box = QVBoxLayout(words)
        box.addWidget(self.terms_view)
        box.addLayout(button_row(self.add_term, self.delete_term))
        layout.addWidget(words)

        self.referrals = PeopleModel(self)
        self.referrals_view = rows_table(self.referrals, "interview_referrals")
        self.referrals_view.setToolTip("Double-click or press Enter to open")
        self.referrals_view.activated.connect(
            lambda i: self.open_contact.emit(self.referrals.rows[i.row()][0])
        )
        self.add_referral = QPushButton("Add a &referral…")
        self.add_referral.setObjectName("add_referral")
        self.add_referral.setToolTip("A person they suggested you talk to: a new contact, or one")
        self.remove_referral = QPushButton("Remove")
        self.remove_referral.setObjectName("remove_referral")
        self.add_referral.clicked.connect(lambda: self._emit_id(self.referral_requested))
        self.remove_referral.clicked.connect(self._emit_referral_removed)
        people = QGroupBox("Referrals: who else to talk to")
        box = QVBoxLayout(people)
        box.addWidget(self.referrals_view)
        box.addLayout(button_row(self.add_referral, self.remove_referral))
        layout.addWidget(people)

        self.promises = PromisesModel(self)
        self.promises_view = rows_table(self.promises, "interview_promises")
        self.my_promise = QPushButton("I p&romised…")
        self.my_promise.setObjectName("my_promise")
        self.their_promise = QPushButton("They &promised…")
        self.their_promise.setObjectName("their_promise")
        self.promise_done_button = QPushButton("Done")
        self.promise_done_button.setObjectName("promise_done")
        self.my_promise.clicked.connect(lambda: self._emit_promise(True))
        self.their_promise.clicked.connect(lambda: self._emit_promise(False))
        self.promise_done_button.clicked.connect(self._emit_promise_done)
        promised = QGroupBox("Promised actions (each one a follow-up on Today)")
        box = QVBoxLayout(promised)
        box.addWidget(self.promises_view)
        box.addLayout(button_row(self.my_promise, self.their_promise, self.promise_done_button))
        layout.addWidget(promised)

        thanks = QGroupBox("Thank-you note (within a day)")
        box = QVBoxLayout(thanks)
        self.thanks_state = plain_label()
        self.thanks_state.setObjectName("thank_you_state")
        self.thanks_state.setWordWrap(True)
        self.specific = QComboBox()
        self.specific.setObjectName("thank_you_specific")
        self.specific.setToolTip("Something specific they said, quoted in the note")
        self.draft_button = QPushButton("&Draft from template")
        self.draft_button.setObjectName("draft_thank_you")
        self.draft_button.clicked.connect(self._emit_draft)
        self.template_button = QPushButton("Edit template…")
        self.template_button.setObjectName("edit_thank_you_template")
        self.template_button.clicked.connect(self.template_requested)
        self.thank_you = long_text("thank_you_text", "Draft it from the template, then edit", 8)
        self.thank_you.textChanged.connect(self._edited)
        self.send_button = QPushButton("Send f&rom my account")
        self.send_button.setObjectName("thank_you_send")
        self.send_button.setToolTip(
            "Sent from the mail account set up in Outreach, then marked sent by itself"
        )
        self.send_button.clicked.connect(lambda: self._emit_id(self.send_requested))
        self.mail_button = QPushButton("Open in mail &app")
        self.mail_button.setObjectName("thank_you_mail")
        self.sent_button = QPushButton("Mark &sent")
        self.sent_button.setObjectName("thank_you_sent")
        self.mail_button.clicked.connect(lambda: self._emit_id(self.mail_requested))
        self.sent_button.clicked.connect(lambda: self._emit_id(self.sent_requested))
        quote = QHBoxLayout()
        quote.addWidget(plain_label("Quote"))
        quote.addWidget(self.specific, 1)
        quote.addWidget(self.draft_button)
        quote.addWidget(self.template_button)
        box.addWidget(self.thanks_state)
        box.addLayout(quote)
        box.addWidget(self.thank_you)
        box.addLayout(button_row(self.send_button, self.mail_button, self.sent_button))
        layout.addWidget(thanks)
        scroll = QScrollArea()
        scroll.setObjectName("debrief_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    # -- loading ----------------------------------------------------------------------------
    def set_bank(self, questions: list[Question]) -> None:
        self.bank.clear()
        themes: dict[str, QTreeWidgetItem] = {}
        for q in questions:
            parent = themes.get(q.theme)
            if parent is None:
                parent = themes[q.theme] = QTreeWidgetItem(self.bank, [q.theme])
                parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            item = QTreeWidgetItem(parent, [q.text])
            item.setToolTip(0, plain_tooltip(q.text))
            item.setData(0, ROLE, q.theme)
        self.bank.expandAll()

    def set_story(self, story: str) -> None:
        self.story.setText(
            story.strip()
            or "Not written yet: write it once in My Profile, and every interview shows it."
        )

    def set_employers(self, employers: list[tuple[int, str]]) -> None:
        self._loading = True
        try:
            current = self.employer.currentData()
            self.employer.clear()
            self.employer.addItem("—", None)
            for eid, name in employers:
                self.employer.addItem(name, eid)
            self.employer.setCurrentIndex(max(0, self.employer.findData(current)))
        finally:
            self._loading = False

    def load(self, detail: InterviewDetail, terms: list[iv.TermRow]) -> None:
        self.detail = detail
        r = detail.record
        self._loading = True
        try:
            self.title.setText(f"Informational interview with {detail.who}")
            self._subtitle(detail)
            self.status.setCurrentIndex(self.status.findData(r.status))
            self.has_date.setChecked(r.starts_at is not None)
            self.starts.setEnabled(r.starts_at is not None)
            start = r.starts_at or dt.datetime.combine(
                dt.date.today() + dt.timedelta(days=7), dt.time(10, 0)
            )
            self.starts.setDateTime(
                QDateTime(
                    QDate(start.year, start.month, start.day), QTime(start.hour, start.minute)
                )
            )
            if self.zone.currentText() != (r.tz or system_zone()):
                self.zone.setCurrentText(r.tz or system_zone())
            self.length.setValue(r.length_minutes)
            set_text(self.place, r.place)
            self.found_via.setCurrentIndex(max(0, self.found_via.findData(r.found_via)))
            self.employer.setCurrentIndex(max(0, self.employer.findData(r.employer_id)))
            self.introduced.setText(
                f"{detail.introduced_by} (set in their contact details)"
                if detail.introduced_by
                else "Nobody (set “Introduced by” in their contact details)"
            )
            for key, box in self.homework.items():
                box.setChecked(key in r.homework_done)
            set_text(self.homework_notes, r.homework_notes)
            self.plan.clear()
            for q in detail.questions:
                self._plan_item(q)
            set_text(self.debrief, r.debrief)
            set_text(self.notes, r.notes)
            set_text(self.thank_you, r.thank_you_text)
            self.terms.set_rows(terms)
            self.referrals.set_rows(detail.referrals)
            promises = detail.promises + ([detail.report_back] if detail.report_back else [])
            self.promises.set_rows(promises)
            for view, rows in (
                (self.terms_view, terms),
                (self.referrals_view, detail.referrals),
                (self.promises_view, promises),
            ):
                if rows:
                    view.selectRow(0)
            self.delete_term.setEnabled(bool(terms))
            self.remove_referral.setEnabled(bool(detail.referrals))
            self.promise_done_button.setEnabled(any(not p.done for p in promises))
            chosen = self.specific.currentText()
            self.specific.clear()
            self.specific.addItems(iv.specifics(detail) or ["(note something in the debrief)"])
            if chosen:
                self.specific.setCurrentIndex(max(0, self.specific.findText(chosen)))
            self._thanks_state(detail)
        finally:
            self._loading = False
        self._show_warnings()

    def _subtitle(self, d: InterviewDetail) -> None:
        r = d.record
        parts = [iv.STATUS_LABELS[r.status]]
        when = iv.when_text(r.starts_at, d.held_on)
        if when:
            parts.append(when)
        parts.append(f"{r.length_minutes} minutes")
        if r.place:
            parts.append(r.place)
        self.subtitle.setText(" · ".join(parts))

    def _thanks_state(self, d: InterviewDetail) -> None:
        if d.thank_you_sent_on:
            text = f"Sent on {day_text(d.thank_you_sent_on)}."
            if d.report_back:
                state = "done" if d.report_back.done else f"due {day_text(d.report_back.due_on)}"
                text += f" Report back: {state}."
        elif d.held_on:
            text = (
                f"Owed since {day_text(d.held_on)}: send it within a day, quoting something "
                "specific they said."
            )
        else:
            text = "After the conversation, send a thank-you within a day."
        self.thanks_state.setText(text)
        self.sent_button.setEnabled(d.thank_you_sent_on is None)
        self.mail_button.setEnabled(d.thank_you_sent_on is None)
        self.send_button.setEnabled(d.thank_you_sent_on is None)

    # -- the plan ---------------------------------------------------------------------------
    def _plan_item(self, q: PlannedQuestion) -> None:
        item = QListWidgetItem(q.text)
        item.setData(ROLE, q)
        item.setToolTip(plain_tooltip(f"{q.text} ({q.theme})"))
        self.plan.addItem(item)
        self._number()

    def _number(self) -> None:
        for n in range(self.plan.count()):
            item = self.plan.item(n)
            q: PlannedQuestion = item.data(ROLE)
            item.setText(f"{n + 1}. {q.text}  ({q.theme})")

    def planned(self) -> list[PlannedQuestion]:
        return [self.plan.item(i).data(ROLE) for i in range(self.plan.count())]

    def _add_from_bank(self, item: QTreeWidgetItem | None) -> None:
        if item is None or item.parent() is None:
            return
        q = PlannedQuestion(str(item.data(0, ROLE)), item.text(0))
        if q.text in [p.text for p in self.planned()]:
            return
        self._plan_item(q)
        self._plan_changed()

    def _move(self, step: int) -> None:
        row = self.plan.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.plan.count():
            return
        item = self.plan.takeItem(row)
        self.plan.insertItem(to, item)
        self.plan.setCurrentRow(to)
        self._plan_changed()

    def _remove_question(self) -> None:
        row = self.plan.currentRow()
        if row >= 0:
            self.plan.takeItem(row)
            self._plan_changed()

    def _plan_changed(self) -> None:
        self._number()
        self._show_warnings()
        if self.detail is not None and self.detail.record.id is not None and not self._loading:
            self.plan_edited.emit(self.detail.record.id, self.planned())

    def _show_warnings(self) -> None:
        plan = self.planned()
        fit = iv.questions_that_fit(self.length.value())
        self.plan_count.setText(
            f"{len(plan)} question{'s' if len(plan) != 1 else ''} planned; about {fit} fit in "
            f"{self.length.value()} minutes."
        )
        found = iv.plan_warnings(self.length.value(), plan)
        self.warnings.setText("\n".join(f"⚠ {w}" for w in found))
        self.warnings.setVisible(bool(found))

    # -- saving -----------------------------------------------------------------------------
    def _edited(self, *_: Any) -> None:
        if self._loading or self.detail is None:
            return
        self._timer.start()

    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Save what was typed now, if anything is waiting."""
        self._timer.stop()
        if self.detail is None:
            return
        if self.has_date.isChecked() and not self.starts.understood():
            self.starts.show_problem()  # in red, in words; never save another day or time
            return
        record = self.current_record()
        if record != self.detail.record:
            self.detail.record = record
            self.record_edited.emit(record)

    def current_record(self) -> InterviewRecord:
        assert self.detail is not None
        r = self.detail.record
        start = None
        if self.has_date.isChecked():
            start = self.starts.starts_at()
        return InterviewRecord(
            contact_id=r.contact_id,
            status=str(self.status.currentData()),
            starts_at=start,
            tz=self.zone.currentText().strip(),
            length_minutes=self.length.value(),
            place=self.place.text(),
            found_via=str(self.found_via.currentData() or ""),
            employer_id=self.employer.currentData(),
            homework_done=frozenset(k for k, box in self.homework.items() if box.isChecked()),
            homework_notes=self.homework_notes.toPlainText(),
            notes=self.notes.toPlainText(),
            debrief=self.debrief.toPlainText(),
            thank_you_text=self.thank_you.toPlainText(),
            id=r.id,
        )

    # -- signals ----------------------------------------------------------------------------
    def _emit_id(self, signal: Any) -> None:
        self.flush()
        if self.detail is not None and self.detail.record.id is not None:
            signal.emit(self.detail.record.id)

    def _emit_promise(self, mine: bool) -> None:
        self.flush()
        if self.detail is not None and self.detail.record.id is not None:
            self.promise_requested.emit(self.detail.record.id, mine)

    def _emit_draft(self) -> None:
        self.flush()
        if self.detail is not None and self.detail.record.id is not None:
            text = self.specific.currentText()
            specific = text if text in iv.specifics(self.detail) else ""
            self.draft_requested.emit(self.detail.record.id, specific)

    def _selected(self, view: Any, model: RowsModel) -> Any:
        rows = view.selectionModel().selectedRows()
        return model.rows[rows[0].row()] if rows else None

    def _emit_term_deleted(self) -> None:
        term = self._selected(self.terms_view, self.terms)
        if term is not None:
            self.term_deleted.emit(term.id)

    def _emit_referral_removed(self) -> None:
        person = self._selected(self.referrals_view, self.referrals)
        if person is not None and self.detail is not None and self.detail.record.id is not None:
            self.referral_removed.emit(self.detail.record.id, person[0])

    def _emit_promise_done(self) -> None:
        promise = self._selected(self.promises_view, self.promises)
        if promise is not None and not promise.done:
            self.promise_done.emit(promise.follow_up_id)
