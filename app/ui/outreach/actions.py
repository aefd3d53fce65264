"""What the window does for Outreach: changes as undoable steps, and sending off the GUI
thread (throttled, pausable, cancellable, resumable after the app was closed)."""

from __future__ import annotations

import datetime as dt
import threading
import traceback
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox
from sqlalchemy.orm import Session

from app.services import industries, mail, outreach, profile, sending
from app.services.bulk import tags_in_use
from app.services.contacts import find_choices
from app.services.sending import Outcome, Progress
from app.storage.db import Database
from app.ui.common.commands import DbStep
from app.ui.common.host import Host, Tab
from app.ui.common.tasks import Task
from app.ui.common.text import Button, message_box, plural
from app.ui.common.trust import TrustPrompt
from app.ui.outreach.dialogs import (
    AddPeopleDialog,
    MailAccountDialog,
    NewCampaignDialog,
    ReplyDialog,
    people,
)
from app.ui.outreach.tab import OutreachTab

CONFIRM_ABOVE = 50  # adding more people than this at once is asked about, Cancel the default


class _JobSignals(QObject):
    progress = Signal(object)  # sending.Progress
    finished = Signal(object)  # sending.Outcome
    failed = Signal(str)


class SendJob(QRunnable):
    """send_queued on a pool thread. stop() makes it finish after the message in flight; the
    wait between messages ends at once."""

    def __init__(
        self,
        db: Database,
        campaign_id: int,
        account: mail.MailAccount,
        connect: Callable[[], sending.Transport],
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _JobSignals()
        self.campaign_id = campaign_id
        self._db, self._account, self._connect = db, account, connect
        self._stop = threading.Event()
        self.cancelled = False

    def stop(self, cancel: bool = False) -> None:
        self.cancelled = self.cancelled or cancel
        self._stop.set()

    def run(self) -> None:
        try:
            out = sending.send_queued(
                self._db,
                self.campaign_id,
                self._account,
                self._connect,
                stop=self._stop.is_set,
                wait=self._stop.wait,
                progress=self.signals.progress.emit,
            )
        except mail.MailError as exc:
            self.signals.failed.emit(str(exc))
        except Exception:
            self.signals.failed.emit(traceback.format_exc())
        else:
            self.signals.finished.emit(out)


class OutreachActions:
    def __init__(self, host: Host, tab: OutreachTab) -> None:
        self.w = host
        self.parent_widget = host.dialog_parent()
        self.tab = tab
        self.passwords = mail.PasswordStore()
        self.trust = TrustPrompt(host.db, lambda d: host.ask(d), self.parent_widget)
        # Replaced in tests: where drafts go (None: cancelled), how a mailto: URL is opened.
        self.choose_folder: Callable[[], Path | None] = self._ask_folder
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self.pool = QThreadPool(self.parent_widget)
        self.pool.setMaxThreadCount(2)  # a send, and a test beside it
        self.job: SendJob | None = None
        self._tests: list[Task] = []
        # Contact ▸ Add Selected to Campaign… is the window's (window/menus.py): it is there
        # before this tab is built.
        tab.new_requested.connect(self.new_campaign)
        tab.delete_requested.connect(self.delete_campaign)
        tab.message.record_edited.connect(self.save_record)
        tab.message.starter_requested.connect(self.use_starter)
        r = tab.recipients
        r.add_requested.connect(self.add_people)
        r.remove_requested.connect(self.remove_people)
        r.opt_out_requested.connect(self.opt_out)
        r.reply_requested.connect(self.mark_replied)
        r.release_requested.connect(self.release)
        r.resend_requested.connect(self.resend)
        r.mark_sent_requested.connect(self.mark_sent)
        r.open_contact.connect(host.open_contact)
        p = tab.preview
        p.override_requested.connect(self.set_override)
        p.test_requested.connect(self.send_test)
        p.mail_app_requested.connect(self.open_in_mail_app)
        p.drafts_requested.connect(self.save_drafts)
        s = tab.send
        s.send_requested.connect(self.send)
        s.pause_requested.connect(self.pause)
        s.cancel_requested.connect(self.cancel)
        s.account_requested.connect(self.edit_account)
        s.bar_activated.connect(self._show_status)

    # -- helpers ----------------------------------------------------------------------------
    def _ask_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(
            self.parent_widget, "Save the messages as drafts in…", str(Path.home())
        )
        return Path(folder) if folder else None

    def _step(
        self,
        text: str,
        do: Callable[[Session], Any],
        undo: Callable[[Session, Any], object],
        ids: list[int] | None = None,
    ) -> Any:
        step = DbStep(self.w.db, text, do, undo, self._changed, ids)
        try:
            self.w.undo_stack.push(step)
        except ValueError as exc:
            self._say(str(step.error or exc))
            return None
        return step.result

    def _changed(self, ids: list[int]) -> None:
        self.w.changed(ids)
        self.refresh()

    def refresh(self, select: int | None = None, reload_message: bool = True) -> None:
        self.tab.refresh(select, reload_message)
        self._show_pace()

    def _say(self, text: str, seconds: int = 10) -> None:
        self.w.say(text, seconds * 1000)

    def _warn(self, title: str, text: str) -> None:
        self.w.ask(message_box(self.parent_widget, title, text, icon=QMessageBox.Icon.Warning))

    def _campaign_name(self, campaign_id: int) -> str:
        with self.w.db.session() as s:
            return outreach.get_campaign(s, campaign_id).name

    def _show_pace(self) -> None:
        with self.w.db.session() as s:
            account = mail.load_account(s)
            pace = sending.load_pace(s)
        who = (
            f"Sent from {account.from_address}"
            if account
            else "No mail account is set up yet (Send asks for one). Messages go"
        )
        self.tab.send.show_pace(
            f"{who}, one message per person, {pace.min_gap}–{pace.max_gap} seconds apart, at "
            f"most {pace.daily_cap} a day."
        )

    # -- campaigns ------------------------------------------------------------------------------
    def new_campaign(self) -> int | None:
        self.w.ask_profile_once()  # the name the messages are signed with
        dialog = NewCampaignDialog(self.parent_widget)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return None
        record = dialog.record()
        new_id: int | None = self._step(
            f"New campaign “{record.name}”",
            lambda s: outreach.create_campaign(s, record),
            lambda s, cid: outreach.delete_campaign(s, cid),
        )
        if new_id is not None:
            self.w.open_tab(Tab.OUTREACH)
            self.refresh(new_id)
            self.tab.pages.setCurrentWidget(self.tab.message)
            self.tab.message.subject.setFocus()
        return new_id

    def delete_campaign(self, campaign_id: int) -> None:
        name = self._campaign_name(campaign_id)
        self._step(
            f"Delete the campaign “{name}”",
            lambda s: outreach.delete_campaign(s, campaign_id),
            lambda s, _r: outreach.restore_campaign(s, campaign_id),
        )

    def save_record(self, record: outreach.CampaignRecord) -> None:
        cid = self.tab.message.campaign_id
        if cid is None:
            return
        try:
            outreach._check(record)
        except ValueError as exc:
            self._say(str(exc))
            return
        step = DbStep(
            self.w.db,
            "Edit campaign",
            lambda s: outreach.update_campaign(s, cid, record),
            lambda s, before: outreach.update_campaign(s, cid, before),
            lambda _ids: self._after_edit(cid),
        )
        self._editing = True
        self.w.undo_stack.push(step)
        self._editing = False

    def _after_edit(self, campaign_id: int) -> None:
        """After typing was saved, the editor keeps its text and cursor; after Undo, it is
        read again."""
        self.tab.refresh(campaign_id, reload_message=not getattr(self, "_editing", False))

    def use_starter(self) -> None:
        page = self.tab.message
        purpose = str(page.purpose.currentData())
        base = outreach.starter(purpose)
        page.subject.setText(base.subject)
        page.body.setPlainText(base.body)  # saved, and undoable, as typing is
        page.flush()

    # -- recipients -----------------------------------------------------------------------------
    def add_people(self) -> None:
        cid = self.tab.current_id()
        if cid is None:
            return
        db = self.w.db

        def count(sel: outreach.Selection) -> int:
            with db.session() as s:
                return len(outreach.select_contacts(s, sel))

        def search(text: str) -> list[Any]:
            with db.session() as s:
                return find_choices(s, text)

        with db.session() as s:
            tags = tags_in_use(s)
            known = industries.industries_in_use(s)
        dialog = AddPeopleDialog(count, search, tags, known, self.parent_widget)
        while True:  # Cancel on "Add 120 people?" goes back to the choice, as it was left
            if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
                return
            picked = dialog.picked()
            if picked is not None:
                ids = [picked]
            else:
                with db.session() as s:
                    ids = outreach.select_contacts(s, dialog.selection())
            if not ids:
                self._say("Nobody matches: nothing was added.")
                return
            if self._many_ok(len(ids)):
                break
        added = self._step(
            f"Add {people(len(ids))} to the campaign",
            lambda s: outreach.add_recipients(s, cid, ids),
            lambda s, new: outreach.remove_recipients(s, new),
        )
        if added is not None:
            self.tab.pages.setCurrentWidget(self.tab.recipients)
            self._say(f"Added {len(added)}; {len(ids) - len(added)} were already in it.")

    def _many_ok(self, n: int) -> bool:
        """Over CONFIRM_ABOVE people at once is asked about, with Cancel the default: one
        Enter must not put the whole address book into a campaign."""
        if n <= CONFIRM_ABOVE:
            return True
        box = message_box(
            self.parent_widget,
            "Add people",
            f"Add {people(n)} to this campaign?\n\nEach gets their own message. A personal "
            "ask works best sent to the people it suits: a tag, an industry or a tier narrows "
            "the list.",
            Button.Ok | Button.Cancel,
            Button.Cancel,
        )
        box.button(Button.Ok).setText(f"Add {people(n)}")
        return bool(self.w.ask(box) == Button.Ok)

    def add_contacts(self, contact_ids: list[int]) -> None:
        """The contact list's selection, into a campaign the user picks."""
        if not contact_ids:
            self._say("Select the people in the contact list first.")
            return
        with self.w.db.session() as s:
            campaigns = outreach.list_campaigns(s)
        if not campaigns:
            self._say("Create a campaign first: Outreach ▸ New campaign.")
            return
        dialog = QInputDialog(self.parent_widget)
        dialog.setObjectName("pick_campaign")
        dialog.setWindowTitle("Add to campaign")
        n = len(contact_ids)
        dialog.setLabelText(f"Add {people(n)} to which campaign?")
        dialog.setComboBoxItems([c.name for c in campaigns])
        dialog.setComboBoxEditable(False)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        names = [c.name for c in campaigns]
        chosen = campaigns[names.index(dialog.textValue())]
        if not self._many_ok(n):
            return
        added = self._step(
            f"Add {n} to “{chosen.name}”",
            lambda s: outreach.add_recipients(s, chosen.id, contact_ids),
            lambda s, new: outreach.remove_recipients(s, new),
            contact_ids,
        )
        if added is not None:
            self._say(
                f"Added {len(added)} to “{chosen.name}”"
                + (f"; {n - len(added)} were already in it." if n > len(added) else ".")
            )

    def remove_people(self, recipient_ids: list[int]) -> None:
        if recipient_ids:
            self._step(
                f"Remove {len(recipient_ids)} from the campaign",
                lambda s: outreach.remove_recipients(s, recipient_ids),
                outreach.restore_recipients,
            )

    def _confirm(self, title: str, text: str, default: Button = Button.Yes) -> bool:
        box = message_box(self.parent_widget, title, text, Button.Yes | Button.No, default)
        return bool(self.w.ask(box) == Button.Yes)

    def opt_out(self, recipient_ids: list[int]) -> None:
        """They asked not to get these messages; on people already opted out, it lifts that."""
        rows = [r for r in self.tab.recipients.rows() if r.id in recipient_ids]
        contacts = [r.contact_id for r in rows]
        if not contacts:
            return
        names = ", ".join(r.name for r in rows)
        lift = all("opted out" in r.reason for r in rows)
        if lift:
            question = f"{names} may get campaign messages again?"
        else:
            question = (
                f"Never include {names} in a campaign? Their messages not yet sent are skipped "
                "(the same button on them lifts it)."
            )
        if not self._confirm("Opted out", question):
            return
        self._step(
            "Campaigns allowed again" if lift else "Opted out of campaigns",
            lambda s: [outreach.set_opt_out(s, c, not lift) for c in contacts],
            lambda s, before: [
                outreach.set_opt_out(s, c, b) for c, b in zip(contacts, before, strict=True)
            ],
            contacts,
        )

    def mark_replied(self, recipient_id: int) -> None:
        row = next((r for r in self.tab.recipients.rows() if r.id == recipient_id), None)
        if row is None or row.sent_at is None:
            return
        dialog = ReplyDialog(row.name, row.sent_at.date(), self.parent_widget)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        on, meeting = dialog.values()
        self._step(
            f"{row.name} replied",
            lambda s: outreach.mark_replied(s, recipient_id, on, meeting),
            lambda s, undo: outreach.unmark_replied(s, recipient_id, undo),
            [row.contact_id],
        )
        if meeting:
            self._say(
                f"Plan the conversation with {row.name}: Contact ▸ Plan Informational Interview."
            )

    def _queue_step(self, text: str, recipient_ids: list[int]) -> None:
        cid = self.tab.current_id()
        if cid is None or not recipient_ids:
            return

        def do(s: Session) -> dict[int, tuple[str, str]]:
            before = {
                r.id: (r.status, r.reason)
                for r in outreach.recipients(s, cid)
                if r.id in recipient_ids
            }
            outreach.queue(s, cid, recipient_ids)
            return before

        def undo(s: Session, before: dict[int, tuple[str, str]]) -> None:
            from app.model.tables import CampaignRecipient

            for rid, (status, reason) in before.items():
                r = s.get(CampaignRecipient, rid)
                if r is not None and r.status == "queued":
                    r.status, r.reason = status, reason

        self._step(text, do, undo)
        self.tab.pages.setCurrentWidget(self.tab.send)
        self._say("Queued. Press Send to send them.")

    def release(self, recipient_ids: list[int]) -> None:
        self._queue_step("Queue the next message (3B7)", recipient_ids)

    def resend(self, recipient_ids: list[int]) -> None:
        self._queue_step("Send again", recipient_ids)

    def mark_sent(self, recipient_ids: list[int]) -> None:
        """The user checked their Sent folder: it went. Not an undoable step: a message that
        went cannot be un-sent, and the history and follow-ups it adds are real."""
        rows = [r for r in self.tab.recipients.rows() if r.id in recipient_ids]
        question = (
            f"Mark {len(rows)} message{'s' if len(rows) != 1 else ''} as sent today? Only do "
            "this when you found it in your Sent folder (or they told you it arrived)."
        )
        if not self._confirm("It did go", question, Button.No):
            return
        with self.w.db.session() as s:
            outreach.mark_sent_by_hand(s, recipient_ids, dt.date.today())
        self._changed([r.contact_id for r in rows])

    def set_override(self, recipient_id: int, subject: str | None, body: str | None) -> None:
        self._step(
            "Edit one message" if body is not None else "Back to the template",
            lambda s: outreach.set_override(s, recipient_id, subject, body),
            lambda s, before: outreach.set_override(s, recipient_id, *before),
        )
        self.tab.pages.setCurrentWidget(self.tab.preview)

    def _show_status(self, key: str) -> None:
        statuses = {"sent": {"sent", "replied"}, "replied": {"replied"}}.get(key, set())
        self.tab.pages.setCurrentWidget(self.tab.recipients)
        if key == "meeting":
            rows = self.tab.recipients.rows()
            ids = {r.id for r in rows if r.meeting_booked}
            self.tab.recipients.table.clearSelection()
            model = self.tab.recipients.table.selectionModel()
            for i, r in enumerate(rows):
                if r.id in ids:
                    model.select(
                        self.tab.recipients.model.index(i, 0),
                        model.SelectionFlag.Select | model.SelectionFlag.Rows,
                    )
            return
        self.tab.recipients.select_status(statuses)

    # -- the account ----------------------------------------------------------------------------
    def edit_account(self) -> bool:
        """The account dialog; True when an account with a password is set up after it."""
        with self.w.db.session() as s:
            account = mail.load_account(s)
            pace = sending.load_pace(s)
            me = profile.load_profile(s).full_name
        has_password = account is not None and self.passwords.get(account) is not None
        dialog = MailAccountDialog(account, pace, has_password, me, self.parent_widget)
        dialog.password_for = self.passwords.get
        dialog.context_for = self.trust.context
        dialog.on_untrusted = self.trust.ask
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return has_password
        new = dialog.account()
        with self.w.db.session() as s:
            mail.save_account(s, new)
            sending.save_pace(s, dialog.pace())
        password = dialog.new_password()
        if password is None and account is not None and account.keyring_user != new.keyring_user:
            password = self.passwords.get(account)
        if password is not None and not self.passwords.set(new, password):
            self._warn("Password kept until you quit", mail.NO_KEYRING)
        self._show_pace()
        self._say(f"Mail account saved: {new.from_address}.")
        return self.passwords.get(new) is not None

    def account(self) -> tuple[mail.MailAccount, str] | None:
        with self.w.db.session() as s:
            account = mail.load_account(s)
        if account is None or self.passwords.get(account) is None:
            if not self.edit_account():
                return None
            with self.w.db.session() as s:
                account = mail.load_account(s)
        if account is None:
            return None
        password = self.passwords.get(account)
        return (account, password) if password else None

    def _connector(
        self, account: mail.MailAccount, password: str
    ) -> Callable[[], mail.SmtpTransport]:
        context = self.trust.context(account.host, account.port)  # read here, not in a thread

        def connect() -> mail.SmtpTransport:
            t = mail.SmtpTransport(account, password, context=context)
            t.connect()
            return t

        return connect

    # -- a test, the mail app, drafts --------------------------------------------------------
    def send_one(
        self, to_name: str, to_email: str, subject: str, body: str, done: Callable[[str], None]
    ) -> bool:
        """Send one message from the user's account on a pool thread; *done* gets "" when it
        went, else what went wrong. False when no account is set up (nothing is sent)."""
        found = self.account()
        if found is None:
            return False
        account, password = found
        connect = self._connector(account, password)
        if not to_email:  # to the user themselves
            to_name, to_email = account.from_name, account.from_address

        def work(_p: object, _c: object) -> str:
            try:
                sending.send_one(account, connect, to_name, to_email, subject, body)
            except mail.MailError as exc:
                return str(exc)
            return ""

        task = Task(work)
        self._tests.append(task)

        def finish(problem: str) -> None:
            self._tests.remove(task)
            done(problem)

        task.signals.finished.connect(finish)
        task.signals.failed.connect(lambda report: finish(report.splitlines()[-1]))
        self.pool.start(task)
        return True

    def send_test(self, recipient_id: int) -> None:
        with self.w.db.session() as s:
            m = outreach.render_message(s, recipient_id)

        def done(problem: str) -> None:
            self.tab.preview.test_button.setEnabled(True)
            if problem:
                self._warn("The test was not sent", problem)
            else:
                self._say("Test sent to you: look in your inbox.")

        self.tab.preview.test_button.setEnabled(False)
        started = self.send_one("", "", *outreach.test_copy(m), done)
        if not started:
            self.tab.preview.test_button.setEnabled(True)
        else:
            self._say("Sending a test to yourself…", 60)

    def open_in_mail_app(self, recipient_id: int) -> None:
        with self.w.db.session() as s:
            m = outreach.render_message(s, recipient_id)
        self.open_url(QUrl(mail.mailto_url(m.to_email, m.subject, m.body)))
        self._say(
            f"Opened in your mail app. When it has gone, mark it: select {m.to_name} on Recipients."
        )

    def save_drafts(self) -> None:
        cid = self.tab.current_id()
        if cid is None:
            return
        folder = self.choose_folder()
        if folder is None:
            return
        db = self.w.db

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> int:
            with db.session() as s:
                account = mail.load_account(s)
                rows = [r for r in outreach.recipients(s, cid) if r.status in outreach.UNSENT]
                messages: list[tuple[str, EmailMessage]] = []
                for i, r in enumerate(rows):
                    if cancelled():
                        return len(messages)
                    m = outreach.render_message(s, r.id)
                    messages.append(
                        (
                            m.to_name or m.to_email,
                            mail.build_message(account, m.to_name, m.to_email, m.subject, m.body),
                        )
                    )
                    progress(i + 1, len(rows))
            return len(mail.write_drafts(folder, messages))

        def done(n: int) -> None:
            self._say(
                f"{n} draft{'s' if n != 1 else ''} saved in {folder}: open each in your mail "
                "app to send it."
            )

        self.w.tasks.start(
            "Saving drafts",
            work,
            done,
            on_failed=lambda report: self._warn("Drafts not saved", report.splitlines()[-1]),
        )

    # -- sending ---------------------------------------------------------------------------------
    def sending(self) -> bool:
        return self.job is not None

    def send(self) -> None:
        cid = self.tab.current_id()
        if cid is None or self.job is not None:
            return
        self.tab.leave()
        with self.w.db.session() as s:
            found = outreach.problems(s, cid)
            rows = outreach.recipients(s, cid)
        blocking = [p.text for p in found if p.blocking]
        if blocking:
            self._warn("Fix the message first", "\n".join(blocking))
            self.tab.pages.setCurrentWidget(self.tab.message)
            return
        queued = sum(1 for r in rows if r.status == "queued")
        to_queue = [r for r in rows if outreach.queued_by_send(r)]
        if not queued and not to_queue:
            self._say("Nothing to send: every message has gone, or people are held back (3B7).")
            return
        blanks = [p for p in found if not p.blocking]
        if blanks:
            box = message_box(
                self.parent_widget,
                "Some messages have blanks",
                f"{len(blanks)} field{'s' if len(blanks) != 1 else ''} would print blank. Send "
                "anyway, or go back and give the template a fallback (or edit those messages "
                "on the Preview page)?",
                Button.Yes | Button.No,
                Button.No,
                details="\n".join(p.text for p in blanks),
            )
            box.button(Button.Yes).setText("Send anyway")
            box.button(Button.No).setText("Go back")
            if self.w.ask(box) != Button.Yes:
                self.tab.pages.setCurrentWidget(self.tab.preview)
                return
        found_account = self.account()
        if found_account is None:
            return
        account, password = found_account
        with self.w.db.session() as s:
            pace = sending.load_pace(s)
        employers: set[str] = set()
        held = 0
        for r in to_queue:
            if r.employer_key and (r.employer_key in employers or r.also_at_employer):
                held += r.employer_key in employers
            employers.add(r.employer_key)
        n = queued + len(to_queue) - held
        minutes = max(1, round(n * (pace.min_gap + pace.max_gap) / 2 / 60))
        text = (
            f"Send {plural(n, 'message')} from {account.from_address}, one to each person, "
            f"{pace.min_gap}–{pace.max_gap} seconds apart (about {plural(minutes, 'minute')})?"
        )
        if held:
            text += (
                f"\n\n{held} more wait{'s' if held == 1 else ''} as the next contact at an "
                "employer you are already writing to (3B7): Today reminds you after 3 business "
                "days without a reply."
            )
        text += "\n\nYou can keep working, pause, or close Second Act: nobody gets a message twice."
        box = message_box(self.parent_widget, "Send", text, Button.Yes | Button.No, Button.Yes)
        box.button(Button.Yes).setText("Send")
        if self.w.ask(box) != Button.Yes:
            return
        with self.w.db.session() as s:
            outreach.queue(s, cid)
        self.start(cid, account, password)

    def start(self, campaign_id: int, account: mail.MailAccount, password: str) -> None:
        job = SendJob(self.w.db, campaign_id, account, self._connector(account, password))
        self.job = job
        job.signals.progress.connect(self._progress)
        job.signals.finished.connect(self._finished)
        job.signals.failed.connect(self._failed)
        self.tab.send.set_running(True)
        self.tab.send.show_progress(0, 0, f"Connecting to {account.host}…")
        self.tab.show_waiting(0, sending=True)
        self.tab.pages.setCurrentWidget(self.tab.send)
        self.pool.start(job)

    def _progress(self, p: Progress) -> None:
        if p.status == "waiting":
            self.tab.send.show_wait(p.done, p.total, p.wait_seconds)
            return
        if p.status == "sent":
            text = f"Sent to {p.who}."
        else:
            text = f"Not sent to {p.who}: see the Recipients page."
        self.tab.send.show_progress(p.done, p.total, text)
        self.tab.update_counts()  # the campaign list's "2 of 5", message by message
        self.tab._page_changed()

    def _end(self) -> SendJob | None:
        job, self.job = self.job, None
        self.tab.send.set_running(False)
        if job is not None and job.cancelled:
            with self.w.db.session() as s:
                n = outreach.unqueue(s, job.campaign_id)
            self.tab.send.state.setText(
                f"Cancelled. {n} message{'s' if n != 1 else ''} not sent went back to drafts."
            )
        self.w.changed([])
        self.refresh(reload_message=False)
        return job

    def _finished(self, out: Outcome) -> None:
        job = self._end()
        if job is not None and job.cancelled:
            return
        if out.reason == "done":
            text = f"Done: {out.sent} sent" + (f", {out.failed} failed." if out.failed else ".")
        elif out.reason == "paused":
            text = f"Paused: {out.sent} sent, {out.left} waiting. Press Send to resume."
        else:
            text = out.message
        self.tab.send.state.setText(text)
        self._say(text)

    def _failed(self, problem: str) -> None:
        self._end()
        text = problem.strip().splitlines()[-1] if "Traceback" in problem else problem
        self.tab.send.state.setText(f"Sending stopped: {text}")
        self._warn("Sending stopped", f"{text}\n\nThe messages not sent stay queued.")

    def pause(self) -> None:
        if self.job is not None:
            self.job.stop()
            self.tab.send.state.setText("Pausing after the message being sent…")

    def cancel(self) -> None:
        if self.job is not None:
            self.job.stop(cancel=True)
            self.tab.send.state.setText("Cancelling after the message being sent…")
            return
        cid = self.tab.current_id()
        if cid is not None:
            with self.w.db.session() as s:
                n = outreach.unqueue(s, cid)
            self.tab.send.state.setText(
                f"{n} queued message{'s' if n != 1 else ''} back to drafts."
            )
            self.refresh(reload_message=False)

    def confirm_close(self) -> bool:
        """Asked when the window closes: sending stops after the message in flight; the rest
        stay queued for the next start."""
        if self.job is None:
            return True
        box = message_box(
            self.parent_widget,
            "Sending in progress",
            "Stop sending and quit? The messages not yet sent stay queued: press Send on the "
            "campaign's last page when you are back. Nobody gets a message twice.",
            Button.Yes | Button.No,
            Button.No,
        )
        box.button(Button.Yes).setText("Stop and quit")
        if self.w.ask(box) != Button.Yes:
            return False
        self.job.stop()
        return True

    def wait(self) -> None:
        self.pool.waitForDone()
