"""Sync in the window: the toolbar's Sync button, the status line, the schedule, the account
setup and the conflicts, with every sync run off the window's thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy.orm import Session

from app.services import carddav, sync
from app.services.contacts import get_contact
from app.ui.common.host import Host
from app.ui.common.tasks import Task
from app.ui.common.text import Button, message_box, plain_label, plain_tooltip
from app.ui.common.trust import TrustPrompt
from app.ui.sync.dialogs import AccountsDialog, ConflictsDialog, SyncAccountDialog

EVERY_MINUTES = 15


class _Signals(QObject):
    status = Signal(str)


class SyncController(QObject):
    finished = Signal(object)  # the list of SyncReport of a sync that ended

    def __init__(self, window: Host) -> None:
        self.parent_widget = window.dialog_parent()
        super().__init__(self.parent_widget)
        self.window = window
        self.db = window.db
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.task: Task | None = None
        self.halt = carddav.Stop()  # the running sync's
        self.signals = _Signals()
        self.signals.status.connect(self._show_progress)
        self.label = plain_label()
        self.label.setObjectName("sync_status")
        self.sync_action = QAction("S&ync Now", self.parent_widget)
        self.sync_action.setObjectName("sync_now")
        self.sync_action.setShortcut("F5")
        self.sync_action.setToolTip("Sync your contacts with your CardDAV address books (F5)")
        self.sync_action.triggered.connect(self.sync_now)
        self.setup_action = QAction("Address Book &Sync…", self.parent_widget)
        self.setup_action.setObjectName("sync_setup")
        self.setup_action.triggered.connect(self.set_up)
        self.conflicts_action = QAction("Sync &Conflicts…", self.parent_widget)
        self.conflicts_action.setObjectName("sync_conflicts")
        self.conflicts_action.triggered.connect(self.show_conflicts)
        self.timer = QTimer(self)
        self.timer.setInterval(EVERY_MINUTES * 60 * 1000)
        self.timer.timeout.connect(lambda: self.sync_now(quiet=True))
        self.password_for: Callable[[sync.AccountKey], str | None] = sync.passwords().get
        self.ask_deletes: Callable[[int], bool] = self._ask_deletes
        self.refresh_status()

    # -- status ------------------------------------------------------------------------------
    def has_accounts(self) -> bool:
        with self.db.session() as s:
            return bool(sync.accounts(s))

    def refresh_status(self) -> None:
        with self.db.session() as s:
            has = bool(sync.accounts(s))
            when, error = sync.last_synced(s)
            waiting = len(sync.conflicts(s))
        self.conflicts_action.setEnabled(waiting > 0)
        if has and not self.timer.isActive():
            self.timer.start()
        if not has:
            self.timer.stop()
            self.label.setText("")
            self.label.setToolTip("")
            return
        text = f"Synced {_when(when)}" if when else "Not synced yet"
        if waiting:
            text += f" · {waiting} conflict(s) to resolve"
        if error:
            text += " · sync failed"
        self.label.setText(text)
        self.label.setStyleSheet("color: #b3261e;" if error or waiting else "")
        # The error names an address book, as the server calls it.
        self.label.setToolTip(plain_tooltip(error or "Sync runs every 15 minutes and on F5."))

    def _show_progress(self, text: str) -> None:
        self.label.setStyleSheet("")
        self.label.setText(text)

    # -- syncing -----------------------------------------------------------------------------
    def sync_now(self, quiet: bool = False, allow_deletes: bool = False) -> None:
        if self.task is not None:
            return  # one at a time; the running one will do
        if quiet and self.window.tasks.running:
            return  # an import or export is writing: the next scheduled sync will do
        if not self.has_accounts():
            if not quiet:
                self.set_up()
            return
        db, password_for, status = self.db, self.password_for, self.signals.status
        self.halt = halt = carddav.Stop()

        def work(_progress: Any, _cancelled: Callable[[], bool]) -> list[sync.SyncReport]:
            return sync.sync_all(
                db,
                password_for=password_for,
                allow_deletes=allow_deletes,
                progress=status.emit,
                cancelled=halt,
            )

        self.sync_action.setEnabled(False)
        self.label.setText("Syncing…")
        self.task = Task(work)
        self.task.signals.finished.connect(lambda reports: self._done(reports, quiet))
        self.task.signals.failed.connect(self._failed)
        self.pool.start(self.task)

    def stop(self) -> None:
        """Stop a running sync (the window is closing): what was done is kept. A request
        waiting on the server is cut, so this returns at once."""
        self.timer.stop()
        self.halt.set()
        self.pool.waitForDone()

    def _done(self, reports: list[sync.SyncReport], quiet: bool) -> None:
        self.task = None
        self.sync_action.setEnabled(True)
        self.window.reload_contacts(background=True)
        self.window.refresh_today()
        self.refresh_status()
        self.finished.emit(reports)
        total = sync.SyncReport()
        for r in reports:
            total.add(r)
        held = total.deletions_held
        # A scheduled sync does not interrupt with a question: the status line says it waits.
        if held and not quiet and self.ask_deletes(held):
            self.sync_now(quiet=quiet, allow_deletes=True)
            return
        if held:
            self.label.setText(f"{held} deletion(s) wait for you: Sync Now (F5)")
            self.label.setStyleSheet("color: #b3261e;")
        self.window.say(f"Sync: {total.summary}.", 10000)
        problems = [p for r in reports for p in r.problems]
        if problems and not quiet:
            self.window.ask(
                message_box(
                    self.parent_widget,
                    "Sync",
                    "The sync did not finish for every address book. What was done is kept.",
                    icon=QMessageBox.Icon.Warning,
                    details="\n".join(problems),
                )
            )
        if total.conflicts and not quiet:
            self.show_conflicts()

    def _failed(self, details: str) -> None:
        self.task = None
        self.sync_action.setEnabled(True)
        self.refresh_status()
        self.window.task_failed(details)

    def _ask_deletes(self, n: int) -> bool:
        box = message_box(
            self.parent_widget,
            "Sync",
            f"This sync would delete {n} contacts (here and on the server together). Delete them?",
            icon=QMessageBox.Icon.Question,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        return bool(self.window.ask(box) == QMessageBox.StandardButton.Yes)

    # -- the account ------------------------------------------------------------------------
    def set_up(self) -> None:
        """The accounts (or, with none yet, straight to adding one)."""
        if not self.has_accounts():
            self.add_account()
            return
        dialog = AccountsDialog(self.parent_widget)

        def fill() -> None:
            with self.db.session() as s:
                dialog.set_accounts(account_rows(s))

        def remove(account_id: int) -> None:
            box = message_box(
                dialog,
                "Address book sync",
                "Stop syncing with this account? Your contacts stay, here and on the server.",
                Button.Yes | Button.No,
                Button.No,
            )
            if self.window.ask(box) != Button.Yes:
                return
            with self.db.session() as s:
                sync.remove_account(s, account_id)
            fill()
            self.refresh_status()

        def add() -> None:
            self.add_account()
            fill()

        dialog.add_requested.connect(add)
        dialog.remove_requested.connect(remove)
        fill()
        self.window.ask(dialog)

    def add_account(self) -> None:
        dialog = SyncAccountDialog(self.parent_widget)
        prompt = TrustPrompt(self.db, lambda d: self.window.ask(d), self.parent_widget)
        dialog.context_for = prompt.context
        dialog.on_untrusted = prompt.ask
        if self.window.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        books = dialog.chosen()
        if not books:
            return
        url, user = dialog.url.text().strip(), dialog.username.text().strip()
        key = sync.AccountKey(carddav.normalize_url(url), user)
        password = dialog.password.text()
        store = sync.passwords()
        if not store.set(key, password):
            self.password_for = lambda k: password if k == key else store.get(k)
        with self.db.session() as s:
            sync.add_account(s, url, user, books)
        self.refresh_status()
        self.sync_now()

    def show_conflicts(self) -> None:
        dialog = ConflictsDialog(self.parent_widget)

        def fill() -> None:
            with self.db.session() as s:
                rows = []
                for link in sync.conflicts(s):
                    name = ""
                    if link.contact_id is not None:
                        name = get_contact(s, link.contact_id).display_name
                    rows.append((link.id, name, sync.differences(s, link)))
            dialog.set_conflicts(rows)

        def choose(link_id: int, side: str) -> None:
            with self.db.session() as s:
                sync.resolve_conflict(s, link_id, side)
            fill()
            self.window.reload_contacts()
            self.refresh_status()

        dialog.chosen.connect(choose)
        fill()
        self.window.ask(dialog)


def account_rows(session: Session) -> list[tuple[int, str]]:
    """Each account as the accounts dialog lists it: who, where, each book's last sync."""
    rows = []
    for a in sync.accounts(session):
        lines = [f"{a.username} at {a.url}"]
        for b in sync.books_of(session, a.id):
            state = f"synced {_when(b.last_synced_at)}" if b.last_synced_at else ""
            if b.last_error:
                state = f"last sync failed: {b.last_error}"
            lines.append(f"    {b.name}" + (f": {state}" if state else ""))
        rows.append((a.id, "\n".join(lines)))
    return rows


def _when(moment: dt.datetime) -> str:
    local = moment.replace(tzinfo=dt.UTC).astimezone()
    today = dt.datetime.now().astimezone().date()
    if local.date() == today:
        return f"today {local:%H:%M}"
    return f"{local.day} {local:%b} {local:%H:%M}"
