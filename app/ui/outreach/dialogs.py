"""The dialogs of Outreach: a new campaign, people to add, a reply, and the mail account."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.services import mail, outreach, sending, trust
from app.services.contacts import Choice
from app.ui.common.contact_picker import NOT_A_CONTACT, ContactPicker
from app.ui.common.forms import Form, date_edit, from_qdate
from app.ui.common.tasks import Task
from app.ui.common.text import plain_label, plural
from app.ui.common.widgets import ErrorLabel, button_row


class NewCampaignDialog(Form):
    """What the campaign is for; the starter text for that purpose fills the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "New campaign",
            "What do you want to ask your network? Second Act starts you with a short message "
            "written for career changers; make it your own on the next page.",
            parent,
        )
        self.setObjectName("new_campaign_dialog")
        self.purpose = QComboBox()
        self.purpose.setObjectName("campaign_purpose")
        for key, label in outreach.PURPOSES:
            self.purpose.addItem(label, key)
        self.name = QLineEdit()
        self.name.setObjectName("campaign_name")
        self.name.setPlaceholderText("for example: Announcing my move, spring")
        self.error = ErrorLabel()
        self.form.addRow("&Purpose", self.purpose)
        self.form.addRow("&Name", self.name)
        self.form.addRow(self.error)
        self.purpose.setFocus()

    def record(self) -> outreach.CampaignRecord:
        base = outreach.starter(str(self.purpose.currentData()))
        name = self.name.text().strip() or base.name
        return outreach.CampaignRecord(name, base.purpose, base.subject, base.body)


class AddPeopleDialog(Form):
    """Whom to write to: a search, a tag, an industry, a tier, or people picked one by one."""

    def __init__(
        self,
        count: Callable[[outreach.Selection], int],
        search: Callable[[str], list[Choice]],
        tags: list[str],
        industries: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Add people",
            "Choose people by any of these; only those matching all you set are added. People "
            "without an email address or who opted out are listed as skipped, with the reason.",
            parent,
        )
        self.setObjectName("add_people_dialog")
        self._count = count
        self.query = QLineEdit()
        self.query.setObjectName("add_query")
        self.query.setPlaceholderText("names, organisation, notes…")
        self.tag = QComboBox()
        self.tag.setObjectName("add_tag")
        self.tag.addItem("Any tag", "")
        for t in tags:
            self.tag.addItem(t, t)
        self.industry = QComboBox()
        self.industry.setObjectName("add_industry")
        self.industry.addItem("Any industry", None)
        for i in industries:
            self.industry.addItem(i, i)
        self.tier = QComboBox()
        self.tier.setObjectName("add_tier")
        self.tier.addItem("Any tier", "")
        for t in ("A", "B", "C", "D"):
            self.tier.addItem(f"Tier {t}", t)
        self.picker = ContactPicker()
        self.picker.setObjectName("add_person")
        self.picker.search = search
        self.picker.setPlaceholderText("or type one person's name")
        self.everyone = QCheckBox("Everyone in my contacts")
        self.everyone.setObjectName("add_everyone")
        self.matches = plain_label()
        self.matches.setObjectName("add_matches")
        self.error = ErrorLabel()
        self.form.addRow("&Search", self.query)
        self.form.addRow("&Tag", self.tag)
        self.form.addRow("&Industry", self.industry)
        self.form.addRow("Keep-in-touch t&ier", self.tier)
        self.form.addRow("One &person", self.picker)
        self.form.addRow("", self.everyone)
        self.form.addRow(self.matches)
        self.form.addRow(self.error)
        self.query.textChanged.connect(self.update_count)
        for combo in (self.tag, self.industry, self.tier):
            combo.currentIndexChanged.connect(self.update_count)
        self.picker.textChanged.connect(self.update_count)
        self.everyone.toggled.connect(self.update_count)
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setObjectName("add_people_ok")
        self.update_count()
        self.query.setFocus()

    def selection(self) -> outreach.Selection:
        return outreach.Selection(
            self.query.text(),
            str(self.tag.currentData() or ""),
            self.industry.currentData(),
            str(self.tier.currentData() or ""),
            self.everyone.isChecked(),
        )

    def picked(self) -> int | None:
        cid = self.picker.contact_id()
        return None if cid in (None, NOT_A_CONTACT) else cid

    def update_count(self, *_: object) -> None:
        """The count, and the Add button's text; the button adds nothing until a filter, a
        person or Everyone is chosen (Enter in an untouched dialog adds nobody)."""
        if self.picker.text().strip():
            self.matches.setText("Adds the one person typed above.")
            self.add_button.setText("Add")
            self.add_button.setEnabled(True)
            return
        selection = self.selection()
        if not selection.chosen:
            self.matches.setText("Choose people by a search, a tag, an industry or a tier.")
            self.add_button.setText("Add")
            self.add_button.setEnabled(False)
            return
        n = self._count(selection)
        self.matches.setText(f"{n:,} {'person matches' if n == 1 else 'people match'}.")
        self.add_button.setText(f"Add {people(n)}")
        self.add_button.setEnabled(n > 0)

    def accept(self) -> None:
        if self.picker.text().strip() and self.picked() is None:
            self.error.show_messages(["Pick the person from the list that appears as you type."])
            return
        if not self.picker.text().strip() and not self.selection().chosen:
            self.error.show_messages(["Choose whom to add first."])
            return
        super().accept()


def people(n: int) -> str:
    return plural(n, "person", "people")


class ReplyDialog(Form):
    def __init__(self, who: str, sent_on: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(
            "Mark reply",
            f"When did {who} reply? The reply is logged on their contact, and the 3B7 "
            "follow-ups for this message are closed.",
            parent,
        )
        self.setObjectName("reply_dialog")
        self.on = date_edit(max(sent_on, dt.date.today()), "reply_date")
        self.sent_on = sent_on
        self.meeting = QCheckBox("They agreed to meet or talk")
        self.meeting.setObjectName("reply_meeting")
        self.error = ErrorLabel()
        self.form.addRow("&Replied on", self.on)
        self.form.addRow("", self.meeting)
        self.form.addRow(self.error)

    def values(self) -> tuple[dt.date, bool]:
        return from_qdate(self.on.date()), self.meeting.isChecked()

    def accept(self) -> None:
        if self.values()[0] < self.sent_on:
            self.error.show_messages(["The reply cannot come before the message was sent."])
            return
        super().accept()


class MailAccountDialog(QDialog):
    """The user's own account: server, encryption, sign-in (password to the keyring), and
    the pace of sending. Test connection runs off the GUI thread."""

    # The outcome line under the buttons. The name hides QDialog.result(), which nothing
    # asks of this dialog: a rename is all it needs (mypy is told here, once).
    result: QLabel  # type: ignore[assignment]

    tested = Signal(str)  # "" when the connection worked, else what went wrong

    def __init__(
        self,
        account: mail.MailAccount | None,
        pace: sending.Pace,
        has_password: bool,
        my_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mail_account_dialog")
        self.setWindowTitle("Mail account")
        self.setMinimumWidth(520)
        from PySide6.QtWidgets import QFormLayout, QVBoxLayout

        self.heading = plain_label(
            "Second Act sends each message from your own mail account, one person at a time, "
            "over an encrypted connection. Your password goes to this computer's password "
            "store, never into Second Act's files."
        )
        self.heading.setWordWrap(True)
        self.preset = QComboBox()
        self.preset.setObjectName("mail_preset")
        for p in mail.PRESETS:
            self.preset.addItem(p.name, p)
        self.note = plain_label()
        self.note.setObjectName("mail_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #50545c;")
        self.host = QLineEdit()
        self.host.setObjectName("mail_host")
        self.port = QSpinBox()
        self.port.setObjectName("mail_port")
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        self.security.setObjectName("mail_security")
        for key, label in mail.SECURITY.items():
            self.security.addItem(label, key)
        self.address = QLineEdit()
        self.address.setObjectName("mail_address")
        self.address.setPlaceholderText("you@example.com")
        self.from_name = QLineEdit()
        self.from_name.setObjectName("mail_from_name")
        self.username = QLineEdit()
        self.username.setObjectName("mail_username")
        self.username.setPlaceholderText("usually your email address")
        self.password = QLineEdit()
        self.password.setObjectName("mail_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            "stored — type to replace" if has_password else "your app password"
        )
        self.min_gap = QSpinBox()
        self.min_gap.setObjectName("mail_min_gap")
        self.max_gap = QSpinBox()
        self.max_gap.setObjectName("mail_max_gap")
        for box in (self.min_gap, self.max_gap):
            box.setRange(0, 3600)
            box.setSuffix(" s")
        self.cap = QSpinBox()
        self.cap.setObjectName("mail_cap")
        self.cap.setRange(1, 2000)
        self.cap.setSuffix(" messages a day")
        self.test_button = QPushButton("&Test connection")
        self.test_button.setObjectName("mail_test")
        self.result = plain_label()
        self.result.setObjectName("mail_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Provider", self.preset)
        form.addRow(self.note)
        form.addRow("&Your address", self.address)
        form.addRow("Your &name", self.from_name)
        form.addRow("SMTP &server", self.host)
        form.addRow("P&ort", self.port)
        form.addRow("&Encryption", self.security)
        form.addRow("&User name", self.username)
        form.addRow("Pass&word", self.password)
        form.addRow("&Wait between messages", _pair(self.min_gap, self.max_gap))
        form.addRow("&Daily limit", self.cap)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addLayout(button_row(self.test_button))
        layout.addWidget(self.result)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._loading = True
        if account is not None:
            self.preset.setCurrentIndex(self._preset_index(account.host))
            self.host.setText(account.host)
            self.port.setValue(account.port)
            self.security.setCurrentIndex(self.security.findData(account.security))
            self.address.setText(account.from_address)
            self.from_name.setText(account.from_name)
            self.username.setText(account.username)
        else:
            self.from_name.setText(my_name)
            self._apply_preset()
        self.min_gap.setValue(pace.min_gap)
        self.max_gap.setValue(pace.max_gap)
        self.cap.setValue(pace.daily_cap)
        self._loading = False
        self._show_note()
        self.preset.currentIndexChanged.connect(self._apply_preset)
        self.address.textEdited.connect(self._address_edited)
        self.test_button.clicked.connect(self.test)
        self.tested.connect(self._show_result)
        self.stored_password = has_password
        self.check_with: Callable[[mail.MailAccount, str, ssl.SSLContext | None], None] = (
            mail.check_connection
        )
        self.password_for: Callable[[mail.MailAccount], str | None] = lambda _a: None
        # The certificate trusted for a server, and the question when it shows one this
        # computer does not trust (common/trust.py); set by the actions.
        self.context_for: Callable[[str, int], ssl.SSLContext | None] = lambda _h, _p: None
        self.on_untrusted: Callable[[trust.Certificate], bool] = lambda _c: False
        self._untrusted: trust.Certificate | None = None
        self._pool = QThreadPool(self)
        self._task: Task | None = None

    def _preset_index(self, host: str) -> int:
        for i in range(self.preset.count()):
            p = self.preset.itemData(i)
            if p.host and p.host == host:
                return i
        return self.preset.count() - 1

    def _apply_preset(self, *_: object) -> None:
        p: mail.Preset = self.preset.currentData()
        if p.host:
            self.host.setText(p.host)
        self.port.setValue(p.port)
        self.security.setCurrentIndex(self.security.findData(p.security))
        self._show_note()

    def _show_note(self) -> None:
        p: mail.Preset = self.preset.currentData()
        self.note.setText(p.note)

    def _address_edited(self, text: str) -> None:
        if not self.username.text() or "@" in self.username.text():
            self.username.setText(text)

    def account(self) -> mail.MailAccount:
        return mail.MailAccount(
            self.host.text().strip(),
            self.port.value(),
            str(self.security.currentData()),
            self.username.text().strip(),
            self.address.text().strip(),
            " ".join(self.from_name.text().split()),
        )

    def pace(self) -> sending.Pace:
        return sending.Pace(self.min_gap.value(), self.max_gap.value(), self.cap.value())

    def new_password(self) -> str | None:
        return self.password.text() or None

    def _problems(self) -> list[str]:
        out = []
        for check in (self.account().check, self.pace().check):
            try:
                check()
            except ValueError as exc:
                out.append(str(exc))
        return out

    def test(self) -> None:
        problems = self._problems()
        if problems:
            self.error.show_messages(problems)
            return
        self.error.show_messages([])
        account = self.account()
        password = self.new_password() or self.password_for(account)
        if not password:
            self.error.show_messages(["Enter the password (for most providers, an app password)."])
            return
        self.test_button.setEnabled(False)
        self.result.setText(f"Connecting to {account.host}…")
        check = self.check_with
        context = self.context_for(account.host, account.port)
        self._untrusted = None

        def work(_progress: object, _cancelled: object) -> str:
            try:
                check(account, password, context)
            except mail.MailError as exc:
                self._untrusted = exc.certificate
                return str(exc)
            return ""

        self._task = Task(work)
        self._task.signals.finished.connect(self.tested.emit)
        self._task.signals.failed.connect(lambda report: self.tested.emit(report.splitlines()[-1]))
        self._pool.start(self._task)

    def wait(self) -> None:
        self._pool.waitForDone()

    def _show_result(self, problem: str) -> None:
        self.test_button.setEnabled(True)
        shown, self._untrusted = self._untrusted, None
        if problem and shown is not None and self.on_untrusted(shown):
            self.test()  # again, trusting the certificate the user compared
            return
        if problem:
            self.result.setStyleSheet("color: #b3261e;")
            self.result.setText(problem)
        else:
            self.result.setStyleSheet("color: #1e7b34;")
            self.result.setText("✓ Connected, encrypted and signed in. Ready to send.")

    def accept(self) -> None:
        problems = self._problems()
        if not self.new_password() and not self.stored_password:
            problems.append("Enter the password (for most providers, an app password).")
        if problems:
            self.error.show_messages(problems)
            return
        self.wait()
        super().accept()

    def reject(self) -> None:
        self.wait()
        super().reject()


def _pair(low: QSpinBox, high: QSpinBox) -> QWidget:
    w = QWidget()
    row = button_row(low, plain_label("to"), high, plain_label("(a random wait in between)"))
    row.setContentsMargins(0, 0, 0, 0)
    w.setLayout(row)
    return w
