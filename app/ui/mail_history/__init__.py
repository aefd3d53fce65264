"""File ▸ Mail History…: the user's own mail, LinkedIn messages and past meetings read into
the history (services/mail_history.py), off the GUI thread with progress and Cancel through
the window's task runner; and Forget Mail History, one undoable step."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.storage.db import Database
from app.ui.common.commands import Changed, Step
from app.ui.common.host import Host
from app.ui.common.text import message_box, plain_label

# The reading itself (mail, IMAP, LinkedIn, calendars) is imported when first used: the
# window makes this controller at start for its menu item, and start-up needs no more of it.
if TYPE_CHECKING:
    from app.services import mail_history

WHAT_IS_READ = (
    "Second Act reads only these header fields of your mail: From, To, Cc, Date, Subject, "
    "Message-ID, In-Reply-To, References, List-Id and Precedence. Message bodies are never "
    "read into Second Act, and nothing leaves this computer. A message between you and "
    "someone in your contacts becomes an interaction; list mail and people not in your "
    "contacts add nothing. LinkedIn's messages.csv (matched by profile address) and .ics "
    "calendars (past meetings) are read the same way."
)


def report_text(report: mail_history.Report) -> str:
    from app.services.mail_history import SHOWN_STRANGERS

    lines = [report.summary + "."]
    lines += [f"  skipped, {why}: {n}" for why, n in report.skipped.most_common()]
    if report.strangers:
        lines.append("People you write to who are not in your contacts (not added):")
        for addr, n in report.strangers.most_common(SHOWN_STRANGERS):
            name = report.stranger_names.get(addr, "")
            lines.append(f"  {name} <{addr}>: {n}" if name else f"  {addr}: {n}")
    return "\n".join(lines)


class ForgetMailHistory(Step):
    def __init__(self, db: Database, changed: Changed) -> None:
        super().__init__("Forget Mail History", changed)
        self.db = db
        self.forgotten: mail_history.Forgotten | None = None

    def _do(self) -> list[int]:
        from app.services.mail_history import forget_history

        with self.db.session() as s:
            self.forgotten = forget_history(s)
        return []

    def _undo(self) -> list[int]:
        from app.services.mail_history import restore_history

        assert self.forgotten is not None
        with self.db.session() as s:
            restore_history(s, self.forgotten)
        return []


class MailHistoryDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mail_history")
        self.setWindowTitle("Mail History")
        about = plain_label(WHAT_IS_READ)
        about.setWordWrap(True)
        self.me = QLineEdit()
        self.me.setObjectName("me")
        self.me.setPlaceholderText("Your addresses, separated by commas")
        self.files_button = QPushButton("Read Mail &Files…")
        self.files_button.setObjectName("read_files")
        self.account_button = QPushButton("Read My Mail &Account")
        self.account_button.setObjectName("read_account")
        self.forget_button = QPushButton("F&orget Mail History")
        self.forget_button.setObjectName("forget")
        self.report = QPlainTextEdit()
        self.report.setObjectName("report")
        self.report.setReadOnly(True)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for b in (self.files_button, self.account_button, self.forget_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(plain_label("Your own addresses:"))
        layout.addWidget(self.me)
        layout.addLayout(buttons)
        layout.addWidget(self.report)
        self.resize(640, 420)

    def addresses(self) -> list[str]:
        return [a.strip() for a in self.me.text().replace(";", ",").split(",") if a.strip()]


class MailHistoryController(QObject):
    finished = Signal(object)  # the Report of a reading that ended (or None: it failed)

    def __init__(self, host: Host) -> None:
        parent = host.dialog_parent()
        super().__init__(parent)
        self.window = host
        self.action = QAction("&Mail History…", parent)
        self.action.setObjectName("mail_history")
        self.action.triggered.connect(self.open)
        self.dialog: MailHistoryDialog | None = None

    def open(self) -> MailHistoryDialog:
        from app.services.imap_history import imap_account
        from app.services.mail_history import my_addresses

        if self.dialog is None:
            d = MailHistoryDialog(self.window.dialog_parent())
            with self.window.db.session() as s:
                d.me.setText(", ".join(sorted(my_addresses(s))))
                d.account_button.setEnabled(imap_account(s) is not None)
            d.files_button.clicked.connect(self._choose_files)
            d.account_button.clicked.connect(self.read_account)
            d.forget_button.clicked.connect(self.forget)
            self.dialog = d
        self.dialog.show()
        return self.dialog

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.dialog,
            "Read mail history",
            str(Path.home()),
            "Mail, LinkedIn messages, calendars (*.mbox *.csv *.ics *);;All files (*)",
        )
        if paths:
            self.read_files([Path(p) for p in paths])

    def _run(self, title: str, work: Any) -> None:
        d = self.dialog
        assert d is not None
        for b in (d.files_button, d.account_button, d.forget_button):
            b.setEnabled(False)

        def done(result: Any) -> None:
            self._enable()
            if isinstance(result, str):  # explained in plain words
                d.report.setPlainText(result)
                self.finished.emit(None)
                return
            d.report.setPlainText(report_text(result))
            self.window.changed([])
            self.finished.emit(result)

        def failed(details: str) -> None:
            self._enable()
            self.finished.emit(None)
            self.window.task_failed(details)

        self.window.tasks.start(title, work, done, on_cancelled=self._enable, on_failed=failed)

    def _enable(self) -> None:
        from app.services.imap_history import imap_account

        d = self.dialog
        if d is not None:
            d.files_button.setEnabled(True)
            d.forget_button.setEnabled(True)
            with self.window.db.session() as s:
                d.account_button.setEnabled(imap_account(s) is not None)

    def read_files(self, paths: list[Path]) -> None:
        from app.services.mail_history import MailHistoryError
        from app.services.other_history import read_history_files

        d = self.open()
        db, me = self.window.db, d.addresses()

        def work(progress: Any, cancelled: Any) -> mail_history.Report | str:
            try:
                with db.session() as s:
                    return read_history_files(s, paths, me, progress, cancelled)
            except MailHistoryError as exc:
                return str(exc)

        self._run("Reading mail history", work)

    def read_account(self) -> None:
        from app.services import imap_history
        from app.services.mail_history import MailHistoryError

        d = self.open()
        db, me = self.window.db, d.addresses()
        with db.session() as s:
            account = imap_history.imap_account(s)
            password = imap_history.password_of(account, s) if account else None
        if account is None or password is None:
            d.report.setPlainText(
                "Set up your mail account and its password first (Outreach ▸ Mail account)."
            )
            return

        def work(progress: Any, cancelled: Any) -> mail_history.Report | str:
            try:
                return imap_history.read_account(
                    db, account, password, me, None, progress, cancelled
                )
            except MailHistoryError as exc:
                return str(exc)

        self._run("Reading your mail account", work)

    def forget(self) -> None:
        box = message_box(
            self.dialog,
            "Forget mail history",
            "Remove every interaction read from your mail? What you logged yourself stays, "
            "and Edit ▸ Undo brings them back.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if self.window.ask(box) != QMessageBox.StandardButton.Yes:
            return
        step = ForgetMailHistory(self.window.db, self.window.changed)
        self.window.undo_stack.push(step)
        if self.dialog is not None and step.forgotten is not None:
            n = step.forgotten.count
            self.dialog.report.setPlainText(f"{n} interactions read from mail were removed.")
