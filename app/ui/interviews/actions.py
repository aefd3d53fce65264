"""What the window does for interview prep: each change one undoable step over the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from sqlalchemy.orm import Session

from app.model.tables import Contact
from app.services import calendar, profile, question_bank
from app.services import interviews as iv
from app.services.contacts import delete_contacts, get_contact
from app.services.followups import delete_follow_up
from app.services.mail import mailto_url
from app.services.prep_sheet import prep_sheet_html
from app.ui.common.commands import DbStep
from app.ui.common.host import Host, SendOne, Tab
from app.ui.common.text import message_box
from app.ui.interviews.conversation import ConversationDialog
from app.ui.interviews.dialogs import (
    BankDialog,
    GlossaryDialog,
    PickContactDialog,
    PromiseDialog,
    QuestionDialog,
    ReferralDialog,
    TemplateDialog,
    TermDialog,
)
from app.ui.interviews.pages import system_zone
from app.ui.interviews.prep_sheet import PDF_DPI, write_pdf
from app.ui.interviews.tab import InterviewsTab

THANK_YOU_SUBJECT = "Thank you"


def _file_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in " -_" else "_" for c in text).strip() or "interview"


class InterviewActions:
    def __init__(self, host: Host, tab: InterviewsTab, send_one: SendOne) -> None:
        self.w = host
        self.parent_widget = host.dialog_parent()
        self.tab = tab
        self.send_one = send_one
        # Replaced in tests: where to save a file (None: the user cancelled), how to open a URL.
        self.save_path: Callable[[str, str, str], Path | None] = self._ask_save_path
        self.open_url: Callable[[QUrl], Any] = QDesktopServices.openUrl
        self._bank_dialog: BankDialog | None = None
        # Its menu items (Plan Informational Interview…, Export Interviews to Calendar…) are
        # the window's (window/menus.py): they are there before this tab is built.
        self._reload_page = True
        page = self.tab.page
        self.tab.new_requested.connect(lambda: self.new_interview())
        self.tab.delete_requested.connect(self.delete_interview)
        self.tab.bank_requested.connect(self.edit_bank)
        self.tab.glossary_requested.connect(self.show_glossary)
        self.tab.export_requested.connect(self.export_all)
        page.record_edited.connect(self.save_record)
        page.plan_edited.connect(self.save_plan)
        page.start_requested.connect(self.start_conversation)
        page.pdf_requested.connect(self.save_prep_sheet)
        page.ics_requested.connect(lambda i: self.export_ics([i]))
        page.open_contact.connect(host.open_contact)
        page.referral_requested.connect(self.add_referral)
        page.referral_removed.connect(self.remove_referral)
        page.promise_requested.connect(self.add_promise)
        page.term_requested.connect(self.add_term)
        page.term_deleted.connect(self.delete_term)
        page.draft_requested.connect(self.draft_thank_you)
        page.mail_requested.connect(self.open_in_mail)
        page.send_requested.connect(self.send_thank_you)
        page.sent_requested.connect(self.mark_sent)
        page.template_requested.connect(self.edit_template)
        page.profile_requested.connect(host.edit_profile)

    # -- helpers ------------------------------------------------------------------------------
    def _ask_save_path(self, title: str, name: str, pattern: str) -> Path | None:
        target, _ = QFileDialog.getSaveFileName(
            self.parent_widget, title, str(Path.home() / name), pattern
        )
        return Path(target) if target else None

    def _step(
        self,
        text: str,
        do: Callable[[Session], Any],
        undo: Callable[[Session, Any], object],
        ids: list[int] | None = None,
        changed: Callable[[list[int]], None] | None = None,
    ) -> Any:
        """Push one undoable step; a service's ValueError is shown, and nothing is changed.

        By default the window shows the change everywhere (this tab too, when it is shown).
        """
        step = DbStep(self.w.db, text, do, undo, changed or self.w.changed, ids)
        try:
            self.w.undo_stack.push(step)
        except ValueError as exc:
            self.w.say(str(step.error or exc), 10000)
            return None
        return step.result

    def _who(self, interview_id: int) -> str:
        with self.w.db.session() as s:
            return iv.get_interview(s, interview_id).who

    # -- the interview ------------------------------------------------------------------------
    def new_interview(self, contact_id: int | None = None) -> int | None:
        w = self.w
        w.ask_profile_once()  # the story the homework shows, the name the thank-you signs
        if contact_id is None:
            dialog = PickContactDialog(w.find_people, self.parent_widget)
            if w.ask(dialog) != QDialog.DialogCode.Accepted:
                return None
            contact_id = dialog.value()
        cid = contact_id
        record = iv.InterviewRecord(cid, tz=system_zone())
        new_id = self._step(
            f"Plan an informational interview with {w.contact_name(cid)}",
            lambda s: iv.create_interview(s, replace(record)),
            lambda s, interview_id: iv.delete_interview(s, interview_id),
            [cid],
        )
        if new_id is not None:
            w.open_tab(Tab.INTERVIEWS)
            self.tab.refresh(new_id)
            self.tab.page.pages.setCurrentIndex(0)
            self.tab.page.status.setFocus()
        return int(new_id) if new_id is not None else None

    def open_interview(self, interview_id: int) -> None:
        self.w.open_tab(Tab.INTERVIEWS)
        self.tab.refresh(interview_id)

    def save_record(self, record: iv.InterviewRecord) -> None:
        try:
            iv.check(record)
        except ValueError as exc:
            self.w.say(str(exc), 10000)
            return
        after = replace(record)

        def do(s: Session) -> iv.InterviewRecord:
            return iv.update_interview(s, replace(after))

        def undo(s: Session, before: iv.InterviewRecord) -> None:
            iv.update_interview(s, before)

        self._reload_page = False
        step = DbStep(self.w.db, "Edit interview", do, undo, self._saved)
        self.w.undo_stack.push(step)

    def _saved(self, ids: list[int]) -> None:
        """After typing was saved, the page keeps its fields (and cursor); after Undo, it is
        read again."""
        self.w.refresh_today()
        self.tab.refresh(reload_page=self._reload_page)
        self._reload_page = True

    def save_plan(self, interview_id: int, plan: list[iv.PlannedQuestion]) -> None:
        self._reload_page = False
        step = DbStep(
            self.w.db,
            "Change the planned questions",
            lambda s: iv.set_plan(s, interview_id, plan),
            lambda s, before: iv.set_plan(s, interview_id, before),
            self._saved,
        )
        self.w.undo_stack.push(step)

    def delete_interview(self, interview_id: int) -> None:
        who = self._who(interview_id)
        self._step(
            f"Delete the interview with {who}",
            lambda s: iv.delete_interview(s, interview_id),
            iv.restore_interview,
        )
        self.w.say("Interview deleted. Press Ctrl+Z to undo.", 8000)

    # -- the conversation ---------------------------------------------------------------------
    def start_conversation(self, interview_id: int) -> ConversationDialog:
        with self.w.db.session() as s:
            detail = iv.get_interview(s, interview_id)
        dialog = ConversationDialog(detail, self.parent_widget)
        dialog.finished.connect(lambda _r: self._conversation_over(interview_id, dialog))
        dialog.show()  # not modal: the rest of the app stays usable during a call
        return dialog

    def _conversation_over(self, interview_id: int, dialog: ConversationDialog) -> None:
        notes, per_question = dialog.free_note.toPlainText(), dialog.question_notes()
        held = dialog.finished_talking
        today = dt.date.today()
        unchanged = notes == dialog.detail.record.notes and per_question == [
            q.note for q in dialog.detail.questions
        ]
        if unchanged and not held:
            return  # opened and closed: nothing to save, nothing to undo

        def do(s: Session) -> tuple[Any, Any]:
            before = iv.save_conversation(s, interview_id, notes, per_question)
            return before, iv.mark_held(s, interview_id, today) if held else None

        def undo(s: Session, result: tuple[Any, Any]) -> None:
            (old_notes, old_per_question), held_undo = result
            if held_undo is not None:
                iv.undo_held(s, interview_id, held_undo)
            iv.save_conversation(s, interview_id, old_notes, old_per_question)

        who = dialog.detail.who
        text = f"Interview with {who} held" if held else f"Notes from the interview with {who}"
        self._step(text, do, undo, [dialog.detail.record.contact_id])
        if held:
            self.tab.page.pages.setCurrentIndex(3)  # the debrief comes next
            self.w.say(f"Saved. Now the debrief, and a thank-you to {who} within a day.", 10000)

    def _today_step(
        self,
        interview_id: int,
        text: str,
        do: Callable[[Session, int, dt.date], Any],
        undo: Callable[[Session, int, Any], None],
    ) -> str:
        """A step dated today on one interview; *text* may name {who}. Returns who."""
        who = self._who(interview_id)
        today = dt.date.today()
        self._step(
            text.format(who=who),
            lambda s: do(s, interview_id, today),
            lambda s, result: undo(s, interview_id, result),
        )
        return who

    def held(self, interview_id: int) -> None:
        """Today's Done on an interview: it happened; the debrief is next."""
        self._today_step(interview_id, "Interview with {who} held", iv.mark_held, iv.undo_held)
        self.open_interview(interview_id)
        self.tab.page.pages.setCurrentIndex(3)

    def snooze_thank_you(self, interview_id: int, until: dt.date, who: str) -> None:
        self._step(
            f"Snooze the thank-you to {who}",
            lambda s: iv.snooze_thank_you(s, interview_id, until),
            lambda s, before: iv.snooze_thank_you(s, interview_id, before),
        )
        self.w.say(f"Snoozed until {until:%A %d %B}.", 5000)

    # -- afterwards ---------------------------------------------------------------------------
    def add_referral(self, interview_id: int) -> None:
        w = self.w
        who = self._who(interview_id)
        dialog = ReferralDialog(who, w.find_people, self.parent_widget)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        new, existing = dialog.value()
        name = new.full_name if new is not None else w.contact_name(existing or 0)

        def do(s: Session) -> tuple[int, bool, int | None]:
            before = None
            if existing is not None:
                c = s.get(Contact, existing)
                before = c.introduced_by_id if c is not None else None
            cid = iv.add_referral(s, interview_id, new, existing)
            return cid, new is not None, before

        def undo(s: Session, result: tuple[int, bool, int | None]) -> None:
            cid, created, before = result
            iv.remove_referral(s, interview_id, cid)
            if created:
                delete_contacts(s, [cid])
            else:
                c = s.get(Contact, cid)
                if c is not None:
                    c.introduced_by_id = before

        self._step(f"{who} referred you to {name}", do, undo)

    def remove_referral(self, interview_id: int, contact_id: int) -> None:
        self._step(
            "Remove a referral",
            lambda s: iv.remove_referral(s, interview_id, contact_id),
            lambda s, _r: iv.add_referral(s, interview_id, existing_id=contact_id),
        )

    def add_promise(self, interview_id: int, mine: bool) -> None:
        w = self.w
        who = self._who(interview_id)
        dialog = PromiseDialog(who, mine, self.parent_widget)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        text, due = dialog.values()
        self._step(
            "Promised: " + text,
            lambda s: iv.add_promise(s, interview_id, mine, text, due),
            lambda s, fid: delete_follow_up(s, fid),
        )

    def add_term(self, interview_id: int) -> None:
        w = self.w
        dialog = TermDialog(parent=self.parent_widget)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        term, meaning = dialog.values()
        self._step(
            f"Add “{term.strip()}” to the glossary",
            lambda s: iv.add_term(s, term, meaning, interview_id),
            lambda s, tid: iv.delete_term(s, tid),
        )

    def delete_term(self, term_id: int) -> None:
        self._step("Delete a glossary term", lambda s: iv.delete_term(s, term_id), iv.restore_term)

    def show_glossary(self) -> GlossaryDialog:
        db = self.w.db

        def load(query: str) -> list[iv.TermRow]:
            with db.session() as s:
                return iv.glossary(s, query)

        dialog = GlossaryDialog(load, self.parent_widget)
        self.w.ask(dialog)
        return dialog

    # -- the thank-you ------------------------------------------------------------------------
    def draft_thank_you(self, interview_id: int, specific: str) -> None:
        try:
            with self.w.db.session() as s:
                text = iv.draft_thank_you(s, interview_id, specific or None)
        except ValueError as exc:
            self.w.say(str(exc), 10000)
            return
        page = self.tab.page
        page.thank_you.setPlainText(text)  # saved as typing is
        page.flush()
        page.thank_you.setFocus()

    def _thank_you(self, interview_id: int) -> tuple[str, str, str]:
        """Who, their first email ("" for none), and the note (drafted if still empty)."""
        self.tab.page.flush()
        with self.w.db.session() as s:
            detail = iv.get_interview(s, interview_id)
            text = detail.record.thank_you_text
            if not text.strip():
                text = iv.draft_thank_you(s, interview_id)
            emails = get_contact(s, detail.record.contact_id).emails
        page = self.tab.page
        showing = page.detail is not None and page.detail.record.id == interview_id
        if text != detail.record.thank_you_text and showing:
            page.thank_you.setPlainText(text)  # what goes out is kept with the interview
            page.flush()
        return detail.who, emails[0].value if emails else "", text

    def open_in_mail(self, interview_id: int) -> None:
        _who, to, body = self._thank_you(interview_id)
        self.open_url(QUrl(mailto_url(to, THANK_YOU_SUBJECT, body)))
        self.w.say("The note is in your mail app. Once it is sent, press Mark sent.", 10000)

    def send_thank_you(self, interview_id: int) -> None:
        """Through the user's own account (set up in Outreach); marked sent when it went."""
        who, to, body = self._thank_you(interview_id)
        if not to:
            self.w.say(
                f"{who} has no email address: add one to their contact, or use your mail app.",
                10000,
            )
            return
        button = self.tab.page.send_button

        def done(problem: str) -> None:
            button.setEnabled(True)
            if problem:
                self.w.ask(
                    message_box(
                        self.parent_widget,
                        "The thank-you was not sent",
                        problem,
                        icon=QMessageBox.Icon.Warning,
                    )
                )
                return
            self.mark_sent(interview_id)

        button.setEnabled(False)
        if not self.send_one(who, to, THANK_YOU_SUBJECT, body, done):
            button.setEnabled(True)
            return
        self.w.say(f"Sending the thank-you to {who}…", 30000)

    def mark_sent(self, interview_id: int) -> None:
        who = self._today_step(
            interview_id,
            "Thank-you to {who} sent",
            iv.mark_thank_you_sent,
            iv.unmark_thank_you_sent,
        )
        self.w.say(f"Logged. A reminder to report back to {who} is on Today in two weeks.", 10000)

    def edit_template(self) -> None:
        w = self.w
        with w.db.session() as s:
            dialog = TemplateDialog(iv.thank_you_template(s), iv.my_name(s), self.parent_widget)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        text, name = dialog.values()
        stored = None if text == iv.DEFAULT_THANK_YOU else text

        def do(s: Session) -> tuple[str | None, str | None]:
            return iv.set_thank_you_template(s, stored), iv.set_my_name(s, name)

        def undo(s: Session, before: tuple[str | None, str | None]) -> None:
            iv.set_thank_you_template(s, before[0])
            iv.set_my_name(s, before[1] or "")

        self._step("Edit the thank-you template", do, undo)

    # -- the question bank --------------------------------------------------------------------
    def edit_bank(self) -> BankDialog:
        db = self.w.db

        def load() -> list[question_bank.Question]:
            with db.session() as s:
                return question_bank.bank(s)

        dialog = BankDialog(load, self._add_question, self._edit_question, self._delete_question)
        self._bank_dialog = dialog
        dialog.setParent(self.parent_widget, dialog.windowFlags())
        self.w.ask(dialog)
        self._bank_dialog = None
        return dialog

    def _bank_changed(self, ids: list[int]) -> None:
        self.tab.reload_bank()
        if self._bank_dialog is not None:
            self._bank_dialog.reload()

    def _bank_step(self, text: str, do: Any, undo: Any) -> None:
        self._step(text, do, undo, changed=self._bank_changed)

    def _add_question(self) -> None:
        dialog = QuestionDialog(parent=self._bank_dialog or self.parent_widget)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        theme, text = dialog.values()
        self._bank_step(
            "Add a question to the bank",
            lambda s: question_bank.add_question(s, theme, text),
            lambda s, qid: question_bank.delete_question(s, qid),
        )

    def _edit_question(self, q: question_bank.Question) -> None:
        dialog = QuestionDialog(q.theme, q.text, parent=self._bank_dialog or self.parent_widget)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        theme, text = dialog.values()
        self._bank_step(
            "Edit a question",
            lambda s: question_bank.update_question(s, q.id, theme, text),
            lambda s, before: question_bank.update_question(s, q.id, before.theme, before.text),
        )

    def _delete_question(self, q: question_bank.Question) -> None:
        self._bank_step(
            "Delete a question from the bank",
            lambda s: question_bank.delete_question(s, q.id),
            question_bank.restore_question,
        )

    # -- files --------------------------------------------------------------------------------
    def save_prep_sheet(self, interview_id: int) -> Path | None:
        with self.w.db.session() as s:
            detail = iv.get_interview(s, interview_id)
            c = s.get(Contact, detail.record.contact_id)
            assert c is not None
            employer = ""
            if detail.record.employer_id is not None:
                from app.model.tables import TargetEmployer

                e = s.get(TargetEmployer, detail.record.employer_id)
                employer = e.name if e is not None else ""
            html = prep_sheet_html(
                detail,
                c.organization.name if c.organization else "",
                c.title,
                c.how_met,
                employer,
                profile.load_profile(s).story,
                PDF_DPI,
            )
        path = self.save_path(
            "Save the prep sheet",
            f"Prep sheet - {_file_name(detail.who)}.pdf",
            "PDF files (*.pdf)",
        )
        if path is None:
            return None
        try:
            write_pdf(html, f"Prep sheet: {detail.who}", path)
        except OSError as exc:
            self.w.say(f"Could not save {path}: {exc.strerror}", 10000)
            return None
        self.w.say(f"Saved the prep sheet to {path}.", 8000)
        return path

    def export_all(self) -> None:
        with self.w.db.session() as s:
            ids = [r.id for r in iv.list_interviews(s, "scheduled")]
        if not ids:
            self.w.say(
                "No scheduled interview yet: give one a date and the status Scheduled.", 8000
            )
            return
        self.export_ics(ids)

    def export_ics(self, interview_ids: list[int]) -> Path | None:
        with self.w.db.session() as s:
            rows = [r for r in iv.list_interviews(s) if r.id in interview_ids]
        dated = [r for r in rows if r.starts_at is not None]
        if not dated:
            self.w.say("Give the interview a date and time first (on its Details page).", 8000)
            return None
        name = (
            f"Interview - {_file_name(dated[0].who)}.ics" if len(dated) == 1 else "Interviews.ics"
        )
        path = self.save_path("Save for your calendar", name, "Calendar files (*.ics)")
        if path is None:
            return None
        try:
            n = calendar.write_ics(dated, path)
        except OSError as exc:
            self.w.say(f"Could not save {path}: {exc.strerror}", 10000)
            return None
        self.w.say(
            f"Saved {n} interview{'s' if n != 1 else ''} to {path}: open it to add to your "
            "calendar.",
            10000,
        )
        return path
