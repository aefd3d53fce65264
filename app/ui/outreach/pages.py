"""The four pages of a campaign: the message with its checker, the recipients, the preview of
every message, and sending with the results."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services import outreach, readable
from app.services.industries import Bar
from app.ui.common.chart import BarChart
from app.ui.common.rows_model import RowsModel
from app.ui.common.text import plain_label, plain_tooltip, plural
from app.ui.common.widgets import button_row

SAVE_AFTER_MS = 700
CHECK_AFTER_MS = 150
OK_COLOR = QColor("#1e7b34")
BAD_COLOR = QColor("#b3261e")
ADVICE_COLOR = QColor("#8a5a00")


def _heading(text: str) -> Any:
    label = plain_label(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


# -- the message -------------------------------------------------------------------------------
class MessagePage(QWidget):
    """Name, purpose, subject and body, with an Insert field menu and the checker beside."""

    record_edited = Signal(object)  # CampaignRecord, debounced
    starter_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.campaign_id: int | None = None
        self.saved: outreach.CampaignRecord | None = None
        self._loading = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_AFTER_MS)
        self._save_timer.timeout.connect(self.flush)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_AFTER_MS)
        self._check_timer.timeout.connect(self.run_checker)

        self.name = QLineEdit()
        self.name.setObjectName("campaign_name_edit")
        self.purpose = QComboBox()
        self.purpose.setObjectName("campaign_purpose_edit")
        for key, label in outreach.PURPOSES:
            self.purpose.addItem(label, key)
        self.subject = QLineEdit()
        self.subject.setObjectName("campaign_subject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("campaign_body")
        self.body.setTabChangesFocus(True)
        self.marks = MarkHighlighter(self.body.document())
        self.insert = QToolButton()
        self.insert.setObjectName("insert_field")
        self.insert.setText("Insert fiel&d")
        self.insert.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.insert)
        for name, label in outreach.FIELDS:
            if name == "target_field":
                continue  # the older name of "The field you are moving into"
            action = menu.addAction(label)
            action.setData(name)
            action.triggered.connect(lambda _c=False, n=name: self.insert_field(n))
        menu.addSeparator()
        fallback = menu.addAction("First name, or “there” when unknown")
        fallback.triggered.connect(
            lambda _c=False: self.insert_text(self.readable('{{ first_name | default("there") }}'))
        )
        conditional = menu.addAction("Text only when the organisation is known")
        conditional.triggered.connect(
            lambda _c=False: self.insert_text(
                self.readable("{% if organization %} at {{ organization }}{% endif %}")
            )
        )
        self.insert.setMenu(menu)
        self.starter = QPushButton("Use the st&arter text")
        self.starter.setObjectName("use_starter")
        self.starter.setToolTip("Replace subject and body with the text for this purpose")
        self.starter.clicked.connect(self.starter_requested)

        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Purpose", self.purpose)
        form.addRow("&Subject", self.subject)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.body, 1)
        left.addLayout(button_row(self.insert, self.starter))
        left_w = QWidget()
        left_w.setLayout(left)

        self.findings = QListWidget()
        self.findings.setObjectName("checker")
        self.findings.setWordWrap(True)
        self.findings.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.findings.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.findings.setFrameShape(QFrame.Shape.NoFrame)
        self.findings.setStyleSheet("QListWidget { background: transparent; }")
        self.sample = QPlainTextEdit()
        self.sample.setObjectName("checker_sample")
        self.sample.setReadOnly(True)
        self.sample.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        right = QVBoxLayout()
        right.addWidget(_heading("The 5-point / 6-point email check"))
        right.addWidget(self.findings, 2)
        right.addWidget(_heading("As the first recipient gets it"))
        right.addWidget(self.sample, 3)
        right_w = QWidget()
        right_w.setLayout(right)
        right_w.setMinimumWidth(260)
        split = QSplitter()
        split.setChildrenCollapsible(False)
        split.addWidget(left_w)
        split.addWidget(right_w)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        # The tab renders for the first recipient.
        self.preview_of: Callable[[outreach.CampaignRecord], str] = lambda _record: ""

        self._last_editor: QWidget = self.body
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)
        self.name.textEdited.connect(self._edited)
        self.subject.textEdited.connect(self._edited)
        self.body.textChanged.connect(self._edited)
        self.purpose.currentIndexChanged.connect(self._edited)

    def load(self, campaign_id: int | None, record: outreach.CampaignRecord | None) -> None:
        self._save_timer.stop()
        self._loading = True
        self.campaign_id, self.saved = campaign_id, record
        r = record or outreach.CampaignRecord("")
        if self.name.text() != r.name:
            self.name.setText(r.name)
        self.purpose.setCurrentIndex(max(0, self.purpose.findData(r.purpose)))
        subject, body = self.readable(r.subject), self.readable(r.body)
        if self.subject.text() != subject:
            self.subject.setText(subject)
        if self.body.toPlainText() != body:
            self.body.setPlainText(body)
        self._loading = False
        self.setEnabled(record is not None)
        self.run_checker()

    def record(self) -> outreach.CampaignRecord:
        """What the editor shows, as the Jinja2 template that is saved and rendered."""
        return outreach.CampaignRecord(
            self.name.text(),
            str(self.purpose.currentData()),
            readable.from_readable(self.subject.text(), outreach.FIELDS),
            readable.from_readable(self.body.toPlainText(), outreach.FIELDS),
        )

    @staticmethod
    def readable(source: str) -> str:
        return readable.to_readable(source, outreach.FIELDS)

    def insert_field(self, name: str) -> None:
        self.insert_text(self.readable(f"{{{{ {name} }}}}"))

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is self.subject or new is self.body:
            self._last_editor = new

    def insert_text(self, text: str) -> None:
        """At the cursor of the subject or the body, whichever the user was last in."""
        if self._last_editor is self.subject:
            self.subject.insert(text)
            self.subject.setFocus()
        else:
            self.body.insertPlainText(text)
            self.body.setFocus()

    def _edited(self, *_: object) -> None:
        if self._loading or self.campaign_id is None:
            return
        self._save_timer.start()
        self._check_timer.start()

    def pending(self) -> bool:
        return self._save_timer.isActive()

    def flush(self) -> None:
        self._save_timer.stop()
        if self.campaign_id is None or self.saved is None:
            return
        record = self.record()
        if record != self.saved:
            self.saved = record
            self.record_edited.emit(record)

    def run_checker(self) -> None:
        self._check_timer.stop()
        self.findings.clear()
        if self.campaign_id is None:
            self.sample.setPlainText("")
            return
        r = self.record()
        for f in outreach.check_message(r.subject, r.body, r.purpose):
            marks: dict[bool | None, tuple[str, QColor]] = {
                True: ("✓", OK_COLOR),
                False: ("✗", BAD_COLOR),
            }
            mark, color = marks.get(f.ok, ("•", ADVICE_COLOR))
            item = QListWidgetItem(f"{mark}  {f.text}")
            item.setForeground(color)
            item.setData(Qt.ItemDataRole.UserRole, f.rule)
            self.findings.addItem(item)
        try:
            self.sample.setPlainText(self.preview_of(r))
        except ValueError as exc:
            self.sample.setPlainText(str(exc))


class MarkHighlighter(QSyntaxHighlighter):
    """The marks of a template (services/readable.py) stand out from the letter: fields on a
    blue ground, "if known", "otherwise" and "end" on an amber one."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.field = QTextCharFormat()
        self.field.setBackground(QColor("#dbe8fb"))
        self.field.setForeground(QColor("#0b3d91"))
        self.condition = QTextCharFormat()
        self.condition.setBackground(QColor("#fdebc8"))
        self.condition.setForeground(QColor("#6b4200"))
        self.condition.setFontItalic(True)

    def highlightBlock(self, text: str) -> None:
        for m in readable.MARK.finditer(text):
            inner = m.group(1)
            is_condition = inner.startswith((readable.IF, readable.ELIF)) or inner in (
                readable.ELSE,
                readable.END,
            )
            self.setFormat(
                m.start(), m.end() - m.start(), self.condition if is_condition else self.field
            )


# -- the recipients ---------------------------------------------------------------------------
class RecipientsModel(RowsModel):
    headers = ("Name", "Email", "Organisation", "Status", "Note")

    def cells(self, row: outreach.RecipientRow) -> tuple[str, ...]:
        status = row.status_label
        if row.status == "sent" and row.sent_at:
            status += f" {row.sent_at.day} {row.sent_at:%b}"
        if row.status == "replied" and row.replied_on:
            status += f" {row.replied_on.day} {row.replied_on:%b}"
            if row.meeting_booked:
                status += ", meeting"
        note = row.reason
        if row.edited and row.status in outreach.UNSENT:
            note = ("Edited by hand. " + note).strip()
        if not note and row.also_at_employer and row.status != "skipped":
            note = "Also at this employer: " + ", ".join(row.also_at_employer)
        return row.name, row.email, row.organization, status, note

    def decoration(self, row: outreach.RecipientRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            if row.status == "failed":
                return BAD_COLOR
            if row.status in ("sent", "replied"):
                return OK_COLOR
            if row.status == "skipped":
                return QColor("#6b6f76")
        return None


class RecipientsPage(QWidget):
    add_requested = Signal()
    remove_requested = Signal(list)  # recipient ids
    opt_out_requested = Signal(list)  # recipient ids
    reply_requested = Signal(int)
    resend_requested = Signal(list)
    mark_sent_requested = Signal(list)
    release_requested = Signal(list)
    open_contact = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RecipientsModel(self)
        self.table = QTableView()
        self.table.setObjectName("recipients")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((160, 170, 120, 150)):
            header.resizeSection(col, width)
        self.table.doubleClicked.connect(self._open)
        self.warnings = plain_label()
        self.warnings.setObjectName("recipient_warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #8a5a00;")
        self.counts = plain_label()
        self.counts.setObjectName("recipient_counts")

        def button(text: str, name: str, tip: str = "") -> QPushButton:
            b = QPushButton(text)
            b.setObjectName(name)
            b.setToolTip(plain_tooltip(tip))
            return b

        self.add_button = button("&Add people…", "add_people")
        self.remove_button = button("&Remove", "remove_people", "Only people not yet written to")
        self.opt_out_button = button(
            "Opte&d out", "opt_out", "They asked not to get these messages: never in a campaign"
        )
        self.reply_button = button("Mark re&plied…", "mark_replied")
        self.release_button = button(
            "Send &next", "release", "Queue a held-back message now (3B7: the next contact)"
        )
        self.resend_button = button("Se&nd again", "resend", "Queue a failed message again")
        self.mark_sent_button = button(
            "It &did go", "mark_sent", "You checked your Sent folder: it went"
        )
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.selected()))
        self.opt_out_button.clicked.connect(lambda: self.opt_out_requested.emit(self.selected()))
        self.reply_button.clicked.connect(self._reply)
        self.release_button.clicked.connect(lambda: self.release_requested.emit(self.selected()))
        self.resend_button.clicked.connect(lambda: self.resend_requested.emit(self.selected()))
        self.mark_sent_button.clicked.connect(
            lambda: self.mark_sent_requested.emit(self.selected())
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(
            button_row(self.add_button, self.remove_button, self.opt_out_button, self.counts)
        )
        layout.addWidget(self.warnings)
        layout.addWidget(self.table, 1)
        layout.addLayout(
            button_row(
                self.reply_button, self.release_button, self.resend_button, self.mark_sent_button
            )
        )
        self._enable()

    def set_rows(self, rows: list[outreach.RecipientRow], problems: list[str]) -> None:
        keep = set(self.selected())
        self.model.set_rows(rows)
        for i, r in enumerate(rows):
            if r.id in keep:
                self.table.selectionModel().select(
                    self.model.index(i, 0),
                    self.table.selectionModel().SelectionFlag.Select
                    | self.table.selectionModel().SelectionFlag.Rows,
                )
        n = len(rows)
        skipped = sum(1 for r in rows if r.status == "skipped")
        self.counts.setText(
            f"{n} {'person' if n == 1 else 'people'}"
            + (f", {skipped} skipped" if skipped else "")
            + ("" if n else ": add the people to write to")
        )
        employers = outreach.employer_warnings(rows)
        shown = employers[:2]
        if len(employers) > 2:
            shown.append(
                f"… and {len(employers) - 2} more employers with several people here (hover "
                "to see them all)."
            )
        lines = problems + shown
        self.warnings.setText("\n".join(f"⚠ {line}" for line in lines))
        self.warnings.setToolTip(plain_tooltip("\n".join(employers)) if len(employers) > 2 else "")
        self.warnings.setVisible(bool(lines))
        self._enable()

    def rows(self) -> list[outreach.RecipientRow]:
        return list(self.model.rows)

    def selected(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def _selected_rows(self) -> list[outreach.RecipientRow]:
        ids = set(self.selected())
        return [r for r in self.model.rows if r.id in ids]

    def _enable(self) -> None:
        rows = self._selected_rows()
        statuses = {r.status for r in rows}
        self.remove_button.setEnabled(
            bool(rows) and statuses <= {"draft", "held", "skipped", "failed"}
        )
        self.opt_out_button.setEnabled(bool(rows))
        self.reply_button.setEnabled(len(rows) == 1 and statuses <= {"sent", "replied"})
        self.release_button.setEnabled(bool(rows) and statuses <= {"held", "draft"})
        self.resend_button.setEnabled(bool(rows) and statuses == {"failed"})
        self.mark_sent_button.setEnabled(bool(rows) and statuses == {"failed"})

    def _reply(self) -> None:
        ids = self.selected()
        if len(ids) == 1:
            self.reply_requested.emit(ids[0])

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_contact.emit(self.model.rows[index.row()].contact_id)

    def select_status(self, statuses: set[str]) -> None:
        self.table.clearSelection()
        model = self.table.selectionModel()
        for i, r in enumerate(self.model.rows):
            if r.status in statuses:
                model.select(
                    self.model.index(i, 0),
                    model.SelectionFlag.Select | model.SelectionFlag.Rows,
                )


# -- the preview --------------------------------------------------------------------------------
class PreviewPage(QWidget):
    """Every message as its recipient gets it; one can be edited by hand."""

    override_requested = Signal(int, object, object)  # recipient id, subject|None, body|None
    test_requested = Signal(int)
    mail_app_requested = Signal(int)
    drafts_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[outreach.RecipientRow] = []
        self.index = 0
        self.message: outreach.Message | None = None
        # Set by the tab: recipient id → Message.
        self.render_message: Callable[[int], outreach.Message | None] = lambda _rid: None
        self.prev_button = QPushButton("◀ &Previous")
        self.prev_button.setObjectName("preview_prev")
        self.next_button = QPushButton("&Next ▶")
        self.next_button.setObjectName("preview_next")
        self.position = plain_label()
        self.position.setObjectName("preview_position")
        self.position.setWordWrap(True)
        self.to = plain_label()
        self.to.setObjectName("preview_to")
        self.to.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject = QLineEdit()
        self.subject.setObjectName("preview_subject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("preview_body")
        self.body.setTabChangesFocus(True)
        self.notice = plain_label()
        self.notice.setObjectName("preview_notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #8a5a00;")
        self.save_edit = QPushButton("&Keep this edit")
        self.save_edit.setObjectName("preview_keep")
        self.revert = QPushButton("&Back to the template")
        self.revert.setObjectName("preview_revert")
        self.test_button = QPushButton("Send a test to myse&lf")
        self.test_button.setObjectName("preview_test")
        self.mail_app = QPushButton("Open in mail &app")
        self.mail_app.setObjectName("preview_mail_app")
        self.drafts = QPushButton("Save all as &drafts (.eml)…")
        self.drafts.setObjectName("preview_drafts")
        self.prev_button.clicked.connect(lambda: self.show_at(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_at(self.index + 1))
        self.save_edit.clicked.connect(self._keep)
        self.revert.clicked.connect(self._revert)
        self.test_button.clicked.connect(self._test)
        self.mail_app.clicked.connect(self._mail_app)
        self.drafts.clicked.connect(self.drafts_requested)
        self.subject.textEdited.connect(self._edited)
        self.body.textChanged.connect(self._edited)
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.prev_button)
        top.addWidget(self.position, 1)
        top.addWidget(self.next_button)
        layout.addLayout(top)
        form = QFormLayout()
        form.addRow("To", self.to)
        form.addRow("&Subject", self.subject)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.notice)
        layout.addLayout(button_row(self.save_edit, self.revert))
        layout.addLayout(button_row(self.test_button, self.mail_app, self.drafts))

    def set_rows(self, rows: list[outreach.RecipientRow]) -> None:
        current = self.rows[self.index].id if 0 <= self.index < len(self.rows) else None
        self.rows = [r for r in rows if r.status != "skipped"]
        ids = [r.id for r in self.rows]
        self.show_at(ids.index(current) if current in ids else 0)

    def show_at(self, index: int) -> None:
        self.index = max(0, min(index, len(self.rows) - 1))
        self._loading = True
        has = bool(self.rows)
        for w in (
            self.subject,
            self.body,
            self.test_button,
            self.mail_app,
            self.drafts,
        ):
            w.setEnabled(has)
        self.prev_button.setEnabled(has and self.index > 0)
        self.next_button.setEnabled(has and self.index < len(self.rows) - 1)
        if not has:
            self.message = None
            self.position.setText("No messages yet: add people on the Recipients page.")
            self.to.setText("")
            self.subject.setText("")
            self.body.setPlainText("")
            self.notice.setText("")
            self.save_edit.setEnabled(False)
            self.revert.setEnabled(False)
            self._loading = False
            return
        row = self.rows[self.index]
        try:
            m = self.render_message(row.id)
        except ValueError as exc:
            m = None
            self.notice.setText(str(exc))
        self.message = m
        self.position.setText(f"Message {self.index + 1} of {len(self.rows)} — {row.status_label}")
        self.to.setText(f"{row.name} <{row.email}>")
        if m is not None:
            self.subject.setText(m.subject)
            self.body.setPlainText(m.body)
            labels = dict(outreach.FIELDS)
            notes = []
            if m.missing:
                notes.append(
                    "Blank for this person: "
                    + ", ".join(labels.get(f, f) for f in m.missing)
                    + ". Edit this message, or give the template a fallback."
                )
            if m.edited:
                notes.append("Edited by hand: changes to the template no longer reach it.")
            self.notice.setText(" ".join(notes))
        editable = row.status in outreach.UNSENT
        self.subject.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.save_edit.setEnabled(False)
        self.revert.setEnabled(editable and m is not None and m.edited)
        self._loading = False

    def _edited(self, *_: object) -> None:
        if not self._loading and self.message is not None:
            self.save_edit.setEnabled(True)

    def _keep(self) -> None:
        if self.message is None:
            return
        subject = self.subject.text()
        body = self.body.toPlainText()
        self.override_requested.emit(
            self.message.recipient_id,
            subject if subject != self.message.subject or self.message.edited else None,
            body,
        )

    def _revert(self) -> None:
        if self.message is not None:
            self.override_requested.emit(self.message.recipient_id, None, None)

    def _test(self) -> None:
        if self.message is not None:
            self.test_requested.emit(self.message.recipient_id)

    def _mail_app(self) -> None:
        if self.message is not None:
            self.mail_app_requested.emit(self.message.recipient_id)


# -- sending and results ------------------------------------------------------------------------
class FunnelChart(BarChart):
    """Sent → replied → meetings: clicking a bar selects those people."""

    def label_of(self, bar: Bar) -> str:
        return bar.label

    def tooltip_of(self, bar: Bar) -> str:
        return f"{bar.label}: {bar.total}. Click to select them on the Recipients page."


class SendPage(QWidget):
    send_requested = Signal()
    pause_requested = Signal()
    cancel_requested = Signal()
    account_requested = Signal()
    bar_activated = Signal(str)  # the status key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_label = plain_label()
        self.summary_label.setObjectName("send_summary")
        self.summary_label.setWordWrap(True)
        big = QFont(self.summary_label.font())
        big.setPointSizeF(big.pointSizeF() * 1.15)
        self.summary_label.setFont(big)
        self.chart = FunnelChart("campaign_chart", "Nothing sent yet.")
        self.chart.activated.connect(lambda bar: self.bar_activated.emit(bar.key))
        self.pace = plain_label()
        self.pace.setObjectName("send_pace")
        self.pace.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("send_progress")
        self.progress.setTextVisible(True)
        # The throttle's wait, counted down once a second until the next message.
        self._wait_until = 0.0
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        self.state = plain_label()
        self.state.setObjectName("send_state")
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.send_button = QPushButton("&Send…")
        self.send_button.setObjectName("send")
        self.pause_button = QPushButton("&Pause")
        self.pause_button.setObjectName("pause")
        self.pause_button.setToolTip("Stop after the message being sent; Resume goes on")
        self.cancel_button = QPushButton("Cancel se&nding")
        self.cancel_button.setObjectName("cancel_sending")
        self.cancel_button.setToolTip("Stop, and put the messages not yet sent back to drafts")
        self.account_button = QPushButton("Mail &account…")
        self.account_button.setObjectName("mail_account")
        self.send_button.clicked.connect(self.send_requested)
        self.pause_button.clicked.connect(self.pause_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.account_button.clicked.connect(self.account_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading("Results"))
        layout.addWidget(self.summary_label)
        layout.addWidget(self.chart)
        layout.addSpacing(8)
        layout.addWidget(_heading("Sending"))
        layout.addWidget(self.pace)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addLayout(
            button_row(self.send_button, self.pause_button, self.cancel_button, self.account_button)
        )
        layout.addStretch(1)
        self.set_running(False)

    def show_summary(self, s: outreach.Summary | None) -> None:
        if s is None:
            self.summary_label.setText("")
            self.chart.set_bars([])
            return
        c = s.counts
        waiting = c.get("queued", 0) + c.get("draft", 0) + c.get("held", 0)
        parts = [
            f"{s.sent} sent",
            f"{s.replied} replied" + (f" ({s.reply_rate:.0%})" if s.sent else ""),
            f"{s.meetings} meeting{'s' if s.meetings != 1 else ''} booked",
        ]
        rest = [
            f"{waiting} not sent yet" if waiting else "",
            f"{c.get('failed', 0)} failed" if c.get("failed") else "",
            f"{c.get('skipped', 0)} skipped" if c.get("skipped") else "",
        ]
        self.summary_label.setText(
            " · ".join(parts) + ("\n" + " · ".join(p for p in rest if p) if any(rest) else "")
        )
        bars = [
            Bar("Sent", "sent", s.sent, 0, 0),
            Bar("Replied", "replied", s.replied, 0, 0),
            Bar("Meetings booked", "meeting", s.meetings, 0, 0),
        ]
        self.chart.set_bars(bars if s.sent else [])

    def set_running(self, running: bool, paused_text: str = "") -> None:
        if not running:
            self._countdown.stop()
        self.send_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running or bool(paused_text))
        self.progress.setVisible(running)
        if paused_text:
            self.state.setText(paused_text)

    def show_pace(self, text: str) -> None:
        self.pace.setText(text)

    def show_progress(self, done: int, total: int, text: str) -> None:
        self._countdown.stop()
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total}")
        self.state.setText(text)

    def show_wait(self, done: int, total: int, seconds: float) -> None:
        """ "Waiting 29 seconds…", counting down until the next message goes."""
        self.show_progress(done, total, "")
        self._wait_until = time.monotonic() + seconds
        self._tick()
        self._countdown.start()

    def _tick(self) -> None:
        left = math.ceil(self._wait_until - time.monotonic())
        if left <= 0:
            self._countdown.stop()
            self.state.setText("Sending the next message…")
            return
        self.state.setText(
            f"Waiting {plural(left, 'second')} before the next message (the throttle)."
        )


def day_text(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
