"""Outreach through the real widgets, over a real database file and a real SMTP server on
loopback: write a campaign with the checker beside it, choose people, look at every message,
set up the mail account (password to the keyring), send, stop and resume, mark replies."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.model.tables import CampaignRecipient
from app.paths import AppPaths
from app.services import industries, interviews, mail, outreach, sending
from app.services.contacts import create_contact
from app.services.interactions import interactions_of
from app.services.today import FOLLOW_UP, due_items
from app.storage.db import Database
from app.ui.outreach.dialogs import (
    AddPeopleDialog,
    MailAccountDialog,
    NewCampaignDialog,
    ReplyDialog,
)
from app.ui.window.main_window import MainWindow
from tests.mailserver import PASSWORD, USER, MailServer
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


def add(db: Database, name: str, email_: str | None = None, **kw: object) -> int:
    emails = [Labeled(email_)] if email_ else []
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, emails=emails, **kw))  # type: ignore[arg-type]


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def network(db: Database) -> dict[str, int]:
    people = {
        "Ann Lee": add(db, "Ann Lee", "ann@example.com", organization="Acme", tags=["Alumni"]),
        "Bob Stone": add(
            db, "Bob Stone", "bob@example.com", organization="ACME Inc.", tags=["Alumni"]
        ),
        "Zoë Ångström": add(db, "Zoë Ångström", "zoe@example.net", tags=["Alumni"]),
        "Cy Nomail": add(db, "Cy Nomail", tags=["Alumni"]),
        "Di Other": add(db, "Di Other", "di@example.org"),
    }
    with db.session() as s:
        interviews.set_my_name(s, "Renée Müller")
        industries.set_target_industry(s, "Data science")
    return people


def fill_account(d: MailAccountDialog, server: MailServer, password: str) -> None:
    d.preset.setCurrentIndex(d.preset.count() - 1)  # Other
    d.address.setText(USER)
    d.from_name.setText("Renée Müller")
    d.host.setText(server.host)
    d.port.setValue(server.port)
    d.security.setCurrentIndex(d.security.findData(server.security))
    d.username.setText(USER)
    d.password.setText(password)
    d.min_gap.setValue(0)
    d.max_gap.setValue(0)


def new_campaign(qtbot: QtBot, w: MainWindow, answers: Answers, purpose: str) -> int:
    def on_new(d: QDialog) -> int:
        assert isinstance(d, NewCampaignDialog)
        d.purpose.setCurrentIndex(d.purpose.findData(purpose))
        d.name.setText("Spring asks")
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = on_new
    w.tabs.setCurrentWidget(w.outreach)
    click(qtbot, w.outreach.new_button)
    cid = w.outreach.current_id()
    assert cid is not None
    return cid


def add_alumni(qtbot: QtBot, w: MainWindow, answers: Answers) -> None:
    def on_add(d: QDialog) -> int:
        assert isinstance(d, AddPeopleDialog)
        d.tag.setCurrentIndex(d.tag.findData("Alumni"))
        assert d.matches.text() == "4 people match."
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = on_add
    w.outreach.pages.setCurrentWidget(w.outreach.recipients)
    click(qtbot, w.outreach.recipients.add_button)


def test_empty_state_and_a_campaign_written_with_the_checker(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    network(db)
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    assert w.outreach.right.currentWidget() is w.outreach.empty
    new_campaign(qtbot, w, answers, "informational")
    page = w.outreach.message
    assert w.outreach.title.text() == "Spring asks"
    assert page.subject.text().startswith("Your advice on")
    findings = [page.findings.item(i).text() for i in range(page.findings.count())]
    assert all(f.startswith("✓") for f in findings), findings
    # Typing: the checker answers (debounced), and the text is saved by itself, undoably.
    page.body.setFocus()
    page.body.moveCursor(page.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(page.body, "Any job openings?")
    qtbot.waitUntil(
        lambda: any("“job”" in page.findings.item(i).text() for i in range(page.findings.count()))
    )
    # Insert field puts the field at the cursor.
    menu = page.insert.menu()
    [title] = [a for a in menu.actions() if a.data() == "title"]
    title.trigger()
    assert page.body.toPlainText().endswith("Any job openings?⟦Job title⟧")  # read as words
    qtbot.waitUntil(lambda: not page.pending(), timeout=3000)
    with db.session() as s:
        assert outreach.get_campaign(s, page.campaign_id).body.endswith("{{ title }}")  # type: ignore[arg-type]
    w.undo_stack.undo()
    with db.session() as s:
        assert not outreach.get_campaign(s, page.campaign_id).body.endswith("{{ title }}")  # type: ignore[arg-type]
    assert not page.body.toPlainText().endswith("⟦Job title⟧")  # the editor shows the undo
    # An unknown field is refused before sending.
    page.body.setPlainText("Hi {{ frist_name }}, coffee?")
    page.flush()
    add_alumni(qtbot, w, answers)
    assert "“{{ frist_name }}” is not a field" in w.outreach.recipients.warnings.text()


def test_send_a_campaign_through_the_window(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    paths: AppPaths,
    answers: Answers,
    smtp_server: MailServer,
    test_keyring: Path,
) -> None:
    people = network(db)
    w = make_window()
    cid = new_campaign(qtbot, w, answers, "introductions")
    add_alumni(qtbot, w, answers)
    rec = w.outreach.recipients
    rows = {r.name: r for r in rec.rows()}
    assert rows["Cy Nomail"].status == "skipped" and rows["Cy Nomail"].reason == "No email address"
    assert "2 people at Acme (Ann Lee, Bob Stone)" in rec.warnings.text()
    assert rec.counts.text() == "4 people, 1 skipped"
    # Preview: every message, one edited by hand.
    w.outreach.pages.setCurrentWidget(w.outreach.preview)
    pv = w.outreach.preview
    assert pv.position.text().startswith("Message 1 of 3")
    assert pv.to.text() == "Ann Lee <ann@example.com>"
    assert pv.body.toPlainText().startswith("Hi Ann,")
    click(qtbot, pv.next_button)
    click(qtbot, pv.next_button)
    assert pv.to.text() == "Zoë Ångström <zoe@example.net>"
    pv.body.setPlainText("Liebe Zoë, kennst du jemanden in Data Science? 🌱\n")
    click(qtbot, pv.save_edit)
    assert "Edited by hand" in pv.notice.text()
    # The mail account: a wrong password explained, then the right one; Test connection runs
    # off the GUI thread.
    tested: list[str] = []

    def on_account(d: QDialog) -> int:
        assert isinstance(d, MailAccountDialog)
        fill_account(d, smtp_server, "wrong")
        with qtbot.waitSignal(d.tested, timeout=15000) as got:
            click(qtbot, d.test_button)
        tested.append(d.result.text())
        assert "did not accept the user name or password" in d.result.text()
        d.password.setText(PASSWORD)
        with qtbot.waitSignal(d.tested, timeout=15000):
            click(qtbot, d.test_button)
        tested.append(d.result.text())
        assert got.args == [tested[0]]  # the first test reported the wrong password
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = on_account
    w.outreach.pages.setCurrentWidget(w.outreach.send)
    click(qtbot, w.outreach.send.account_button)
    assert tested[1].startswith("✓ Connected")
    # Send: the confirmation says how many and what 3B7 holds back.
    answers.on_dialog = None
    answers.reply = answers.reply.Yes
    click(qtbot, w.outreach.send.send_button)
    assert "Send 2 messages from me@example.org" in answers.asked[-1]
    assert "1 more waits as the next contact" in answers.asked[-1]
    qtbot.waitUntil(lambda: not w.outreach_actions.sending(), timeout=20000)
    assert w.outreach.send.state.text() == "Done: 2 sent."
    got = smtp_server.messages()
    assert sorted(r.envelope_to[0] for r in got) == ["ann@example.com", "zoe@example.net"]
    for r in got:
        assert len(r.envelope_to) == 1 and r.message["Cc"] is None
    zoe = next(r for r in got if r.envelope_to[0] == "zoe@example.net").message
    assert (
        "Liebe Zoë" in zoe.get_content() and zoe["To"].addresses[0].display_name == "Zoë Ångström"
    )
    ann = next(r for r in got if r.envelope_to[0] == "ann@example.com").message
    assert (
        "Data science" in ann.get_content()
        and ann["From"].addresses[0].display_name == "Renée Müller"
    )
    assert "2 sent · 0 replied (0%)" in w.outreach.send.summary_label.text()
    assert [b.total for b in w.outreach.send.chart.bars] == [2, 0, 0]
    # A reply: marked on the Recipients page, logged, the 3B7 follow-ups closed.
    w.outreach.pages.setCurrentWidget(rec)
    ann_row = next(i for i, r in enumerate(rec.rows()) if r.name == "Ann Lee")
    rec.table.selectRow(ann_row)

    def on_reply(d: QDialog) -> int:
        assert isinstance(d, ReplyDialog)
        d.meeting.setChecked(True)
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = on_reply
    click(qtbot, rec.reply_button)
    with db.session() as s:
        summary = outreach.summary(s, cid)
        assert (summary.replied, summary.meetings) == (1, 1)
        kinds = [i.summary for i in interactions_of(s, people["Ann Lee"])]
        assert kinds[0].startswith("Replied to") and kinds[1].startswith("Sent “")
        later = dt.date.today() + dt.timedelta(days=14)
        ups = [i for i in due_items(s, later) if i.kind == FOLLOW_UP]
        assert [i.who for i in ups] == ["Zoë Ångström"]  # Ann replied: hers are closed
    w.undo_stack.undo()
    with db.session() as s:
        assert outreach.summary(s, cid).replied == 0
    w.undo_stack.redo()
    # Bob, held back by 3B7, is sent when the user releases him.
    bob_row = next(i for i, r in enumerate(rec.rows()) if r.name == "Bob Stone")
    rec.table.selectRow(bob_row)
    assert rec.release_button.isEnabled()
    click(qtbot, rec.release_button)
    click(qtbot, w.outreach.send.send_button)
    qtbot.waitUntil(lambda: not w.outreach_actions.sending(), timeout=20000)
    assert sorted(r.envelope_to[0] for r in smtp_server.messages()) == [
        "ann@example.com",
        "bob@example.com",
        "zoe@example.net",
    ]
    w.close()
    # The password is in the keyring, nowhere in the data folder (database, window state).
    for f in paths.data_dir.rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f
    assert PASSWORD in test_keyring.read_text()


def test_closing_while_sending_then_resuming_sends_nobody_twice(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    starttls_server: MailServer,
) -> None:
    people = [add(db, f"Person {i}", f"p{i}@example.com") for i in range(4)]
    account = mail.MailAccount(
        starttls_server.host, starttls_server.port, mail.STARTTLS, USER, USER, "Me"
    )
    with db.session() as s:
        mail.save_account(s, account)
        sending.save_pace(s, sending.Pace(30, 30, 100))  # the window closes during the wait
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, people)
    assert mail.PasswordStore().set(account, PASSWORD)
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    w.outreach.pages.setCurrentWidget(w.outreach.send)
    click(qtbot, w.outreach.send.send_button)
    qtbot.waitUntil(lambda: len(starttls_server.messages()) == 1, timeout=15000)
    qtbot.waitUntil(lambda: "Waiting 30 seconds" in w.outreach.send.state.text(), timeout=5000)
    # The window stayed live: the pause button answers while the worker waits.
    assert w.outreach.send.pause_button.isEnabled()
    answers.reply = answers.reply.Yes
    w.close()
    assert "Stop sending and quit?" in answers.asked[-1]
    assert not w.isVisible()
    with db.session() as s:
        assert outreach.waiting(s, cid) == 3
    # Next start: a banner says messages wait; Send resumes.
    with db.session() as s:
        sending.save_pace(s, sending.Pace(0, 0, 100))
    w2 = make_window()
    w2.tabs.setCurrentWidget(w2.outreach)
    assert "3 messages wait to be sent" in w2.outreach.banner.text()
    assert w2.outreach.banner.isVisible()
    w2.outreach.pages.setCurrentWidget(w2.outreach.send)
    click(qtbot, w2.outreach.send.send_button)
    qtbot.waitUntil(lambda: not w2.outreach_actions.sending(), timeout=20000)
    got = sorted(r.envelope_to[0] for r in starttls_server.messages())
    assert got == [f"p{i}@example.com" for i in range(4)]
    assert not w2.outreach.banner.isVisible()


def test_drafts_and_the_mail_app_when_sending_is_not_set_up(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, tmp_path: Path
) -> None:
    network(db)
    w = make_window()
    new_campaign(qtbot, w, answers, "reconnect")
    add_alumni(qtbot, w, answers)
    opened: list[QUrl] = []
    w.outreach_actions.open_url = opened.append
    w.outreach_actions.choose_folder = lambda: tmp_path / "drafts"
    w.outreach.pages.setCurrentWidget(w.outreach.preview)
    click(qtbot, w.outreach.preview.mail_app)
    assert opened[0].toString().startswith("mailto:ann@example.com?subject=")
    click(qtbot, w.outreach.preview.drafts)
    qtbot.waitUntil(lambda: len(list((tmp_path / "drafts").glob("*.eml"))) == 3, timeout=10000)
    names = sorted(p.name for p in (tmp_path / "drafts").glob("*.eml"))
    assert names[0] == "001 Ann Lee.eml"
    msg = email.message_from_bytes(
        (tmp_path / "drafts" / names[0]).read_bytes(), policy=email.policy.default
    )
    assert msg["X-Unsent"] == "1" and msg["To"].addresses[0].addr_spec == "ann@example.com"
    assert msg.get_content().startswith("Hi Ann,")


def test_cancel_puts_queued_messages_back_to_drafts(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    a = add(db, "Ann Lee", "ann@example.com")
    with db.session() as s:
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, [a])
        outreach.queue(s, cid)
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    assert w.outreach.banner.isVisible()
    w.outreach.pages.setCurrentWidget(w.outreach.send)
    w.outreach_actions.cancel()
    with db.session() as s:
        assert [r.status for r in outreach.recipients(s, cid)] == ["draft"]
    assert "1 queued message back to drafts" in w.outreach.send.state.text()
    assert not w.outreach.banner.isVisible()


def test_add_people_from_the_contact_list(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    people = network(db)
    with db.session() as s:
        outreach.create_campaign(s, outreach.starter("reconnect"))
        second = outreach.create_campaign(s, outreach.CampaignRecord("Second", "announce"))
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.show_contact(people["Ann Lee"])

    def pick(d: QDialog) -> int:
        d.setTextValue("Second")  # type: ignore[attr-defined]
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = pick
    w.campaign_action.trigger()
    with db.session() as s:
        assert [r.name for r in outreach.recipients(s, second)] == ["Ann Lee"]
    w.undo_stack.undo()
    with db.session() as s:
        assert outreach.recipients(s, second) == []


def test_an_unsure_message_is_the_users_call(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    a = add(db, "Ann Lee", "ann@example.com")
    b = add(db, "Bob Stone", "bob@example.com")
    with db.session() as s:
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, [a, b])
        outreach.queue(s, cid)
        for r in outreach.recipients(s, cid):
            s.get(CampaignRecipient, r.id).status = "sending"  # type: ignore[union-attr]
        assert outreach.recover(s, cid) == 2  # what a crash mid-send leaves
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    rec = w.outreach.recipients
    w.outreach.pages.setCurrentWidget(rec)
    assert {r.status for r in rec.rows()} == {"failed"}
    assert "may have arrived" in rec.model.index(0, 4).data()
    # Send does not send them again by itself: only Send again, chosen per person, does.
    w.outreach.pages.setCurrentWidget(w.outreach.send)
    click(qtbot, w.outreach.send.send_button)
    assert w.statusBar().currentMessage().startswith("Nothing to send")
    with db.session() as s:
        assert {r.status for r in outreach.recipients(s, cid)} == {"failed"}
    w.outreach.pages.setCurrentWidget(rec)
    rec.table.selectRow(0)
    assert rec.mark_sent_button.isEnabled() and rec.resend_button.isEnabled()
    answers.reply = answers.reply.Yes
    click(qtbot, rec.mark_sent_button)
    assert "Only do this when you found it in your Sent folder" in answers.asked[-1]
    rec.table.selectRow(1)
    click(qtbot, rec.resend_button)
    with db.session() as s:
        got = {r.name: r.status for r in outreach.recipients(s, cid)}
        assert got == {"Ann Lee": "sent", "Bob Stone": "queued"}
        assert [i.kind for i in interactions_of(s, a)] == ["email"]


def test_opting_out_and_back_in(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    a = add(db, "Ann Lee", "ann@example.com")
    with db.session() as s:
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, [a])
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    rec = w.outreach.recipients
    w.outreach.pages.setCurrentWidget(rec)
    rec.table.selectRow(0)
    answers.reply = answers.reply.Yes
    click(qtbot, rec.opt_out_button)
    assert "Never include Ann Lee" in answers.asked[-1]
    assert rec.rows()[0].status == "skipped" and "opted out" in rec.rows()[0].reason
    rec.table.selectRow(0)
    click(qtbot, rec.opt_out_button)
    assert "may get campaign messages again" in answers.asked[-1]
    assert rec.rows()[0].status == "draft"
    w.undo_stack.undo()
    assert rec.rows()[0].status == "skipped"


def test_an_interview_thank_you_goes_from_the_users_account(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, starttls_server: MailServer
) -> None:
    ann = add(db, "Ann Lee", "ann@example.com")
    account = mail.MailAccount(
        starttls_server.host, starttls_server.port, mail.STARTTLS, USER, USER, "Renée"
    )
    with db.session() as s:
        mail.save_account(s, account)
        iid = interviews.create_interview(s, interviews.InterviewRecord(ann, debrief="Join IxDA"))
        interviews.mark_held(s, iid, dt.date.today())
    assert mail.PasswordStore().set(account, PASSWORD)
    w = make_window()
    w.interview_actions.open_interview(iid)
    page = w.interviews.page
    page.pages.setCurrentIndex(3)
    assert page.send_button.isEnabled()
    click(qtbot, page.send_button)
    qtbot.waitUntil(lambda: len(starttls_server.messages()) == 1, timeout=15000)

    def status() -> str:
        with db.session() as s:
            return interviews.get_interview(s, iid).record.status

    qtbot.waitUntil(lambda: status() == "thanked", timeout=5000)
    assert not page.send_button.isEnabled()  # sent once: the button is done
    assert "Join IxDA" in page.thank_you.toPlainText()  # what went out is kept
    [got] = starttls_server.messages()
    assert got.envelope_to == ["ann@example.com"] and got.message["Subject"] == "Thank you"
    assert "Join IxDA" in got.message.get_content()
    with db.session() as s:
        assert interactions_of(s, ann)[0].kind == "email"  # newest first
