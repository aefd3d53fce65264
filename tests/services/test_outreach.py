"""Outreach (services): templates in the sandbox, the checker, recipients, and real campaigns
sent through a real SMTP server on loopback (STARTTLS and implicit TLS, AUTH, a test CA)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import random
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trustme
from sqlalchemy import select

from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.model.tables import CampaignRecipient, FollowUp
from app.paths import AppPaths
from app.services import industries, interviews, mail, outreach, sending, templates
from app.services.contacts import create_contact
from app.services.followups import delete_follow_up, get_follow_up, restore_follow_up
from app.services.interactions import interactions_of
from app.services.today import FOLLOW_UP, due_items
from app.storage.db import Database, open_database
from tests.conftest import ROOT
from tests.mailserver import PASSWORD, USER, MailServer
from tests.migrations import database_at, insert_ann_lee

MONDAY = dt.datetime(2026, 11, 30, 9, 0)


def person(db: Database, name: str, email_: str | None = None, **kw: object) -> int:
    emails = [Labeled(email_)] if email_ else []
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, emails=emails, **kw))  # type: ignore[arg-type]


def account_for(server: MailServer) -> mail.MailAccount:
    return mail.MailAccount(
        server.host, server.port, server.security, USER, USER, "Renée Müller-Łukasz"
    )


def connect_to(account: mail.MailAccount, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    def connect() -> mail.SmtpTransport:
        t = mail.SmtpTransport(account, password, timeout=10)
        t.connect()
        return t

    return connect


def campaign(db: Database, purpose: str = "informational", **kw: str) -> int:
    with db.session() as s:
        interviews.set_my_name(s, "Renée Müller")
        industries.set_target_industry(s, "Data science")
        record = outreach.starter(purpose)
        if kw:
            record = outreach.CampaignRecord(
                kw.get("name", record.name),
                purpose,
                kw.get("subject", record.subject),
                kw.get("body", record.body),
            )
        return outreach.create_campaign(s, record)


def test_every_starter_template_passes_its_own_checker() -> None:
    for purpose, (subject, body) in outreach.STARTERS.items():
        findings = outreach.check_message(subject, body, purpose)
        assert [f for f in findings if f.ok is False] == [], purpose
    assert set(outreach.STARTERS) == set(outreach.PURPOSE_LABELS)


def test_the_checker_finds_what_the_method_warns_about() -> None:
    body = (
        "Hi Ann,\n\nI am looking for a job at your company. I have fifteen years of experience "
        "and I attached my CV.\n\nBest,\nRenée\n"
    )
    found = {f.rule: f for f in outreach.check_message("A job", body, "informational")}
    assert found["no_job_words"].ok is False and "“job”" in found["no_job_words"].text
    assert found["connection_first"].ok is False
    assert found["ends_with_question"].ok is False
    assert found["about_them"].ok is False
    assert found["length"].ok is True
    long = "Hi Ann,\n\n" + "We met at the fair and you said hello. " * 12 + "Coffee?\n"
    assert {f.rule: f for f in outreach.check_message("s", long, "reconnect")}["length"].ok is False
    # Asking for job tips may talk about openings.
    rules = {f.rule for f in outreach.check_message("s", body, "job_tips")}
    assert "no_job_words" not in rules


def test_templates_fall_back_report_blanks_and_stay_in_the_sandbox() -> None:
    src = (
        'Hi {{ first_name | default("there") }}'
        "{% if organization %} at {{ organization }}{% endif %}, {{ title }}!"
    )
    out = templates.render(src, {"first_name": "", "organization": "", "title": ""})
    assert out.text == "Hi there, !"
    assert out.missing == ("title",)  # defaulted and conditional fields are not "missing"
    assert templates.render(
        src, {"first_name": "Ann", "organization": "Acme", "title": "CTO"}
    ).text == ("Hi Ann at Acme, CTO!")
    assert templates.unknown_fields("{{ frist_name }} {{ first_name }}", outreach.FIELD_NAMES) == [
        "frist_name"
    ]
    for evil in (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ first_name.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    ):
        try:
            text = templates.render(evil, {"first_name": "Ann"}).text
        except ValueError as exc:
            assert "mistake" in str(exc)
        else:
            assert "class" not in text and "uid=" not in text and "<" not in text
    with pytest.raises(ValueError, match="line 1"):
        templates.render("{{ first_name ", {})


def test_recipients_skipped_with_reasons_and_same_employer_warned(db: Database) -> None:
    ann = person(db, "Ann Lee", "ann@example.com", organization="Acme Inc.")
    bob = person(db, "Bob Stone", "bob@example.com", organization="ACME")
    nomail = person(db, "Cy Nomail")
    opted = person(db, "Di Out", "di@example.com")
    cid = campaign(db)
    with db.session() as s:
        outreach.set_opt_out(s, opted, True)
        added = outreach.add_recipients(s, cid, [ann, bob, nomail, opted, ann])
        assert len(added) == 4
        rows = {r.name: r for r in outreach.recipients(s, cid)}
        assert (
            rows["Cy Nomail"].status == "skipped" and rows["Cy Nomail"].reason == "No email address"
        )
        assert rows["Di Out"].status == "skipped" and "opted out" in rows["Di Out"].reason
        assert rows["Ann Lee"].status == "draft"
        warnings = outreach.employer_warnings(list(rows.values()))
        assert len(warnings) == 1 and "Ann Lee" in warnings[0] and "Bob Stone" in warnings[0]
        # An opt-out lifted: back to a draft. An email added later is picked up too.
        outreach.set_opt_out(s, opted, False)
        assert {r.name: r.status for r in outreach.recipients(s, cid)}["Di Out"] == "draft"
        counts = outreach.queue(s, cid)
        assert counts == {"queued": 2, "held": 1}
        held = {r.name: r for r in outreach.recipients(s, cid)}
        assert held["Bob Stone"].status == "held" and "3B7" in held["Bob Stone"].reason
        with pytest.raises(ValueError, match="not yet sent"):
            outreach.remove_recipients(s, [held["Ann Lee"].id])


def test_selection_by_tag_industry_and_tier(db: Database) -> None:
    a = person(db, "Ann Lee", "a@x.org", tags=["Alumni"], industry="Healthcare", tier="A")
    b = person(db, "Bob Stone", "b@x.org", tags=["alumni"], industry="Finance", tier="B")
    person(db, "Cy Wu", "c@x.org", industry="Healthcare", tier="A")
    with db.session() as s:
        assert outreach.select_contacts(s, outreach.Selection(tag="ALUMNI")) == [a, b]
        assert outreach.select_contacts(s, outreach.Selection(tag="alumni", tier="A")) == [a]
        assert len(outreach.select_contacts(s, outreach.Selection(industry="Healthcare"))) == 2
        assert outreach.select_contacts(s, outreach.Selection(query="stone")) == [b]


def test_unknown_fields_block_and_blanks_are_reported_per_recipient(db: Database) -> None:
    ann = person(db, "Ann Lee", "ann@example.com")
    cid = campaign(
        db, subject="Hello", body="Hi {{ first_name }} of {{ organization }} {{ frist }}?"
    )
    with db.session() as s:
        outreach.add_recipients(s, cid, [ann])
        found = outreach.problems(s, cid)
        assert any(p.blocking and "frist" in p.text for p in found)
        assert any(not p.blocking and p.text == "Organisation is blank for Ann Lee" for p in found)
        with pytest.raises(ValueError, match="frist"):
            outreach.queue(s, cid)
        assert {r.status for r in outreach.recipients(s, cid)} == {"draft"}


def test_a_campaign_through_a_real_smtp_server(db: Database, smtp_server: MailServer) -> None:
    ann = person(
        db, "Ann Lee", "ann@example.com", organization="Acme", how_met="at the Berlin meetup"
    )
    zoe = person(db, "Zoë Ångström", "zoe@example.net", given_name="Zoë", family_name="Ångström")
    bob = person(db, "Bob Stone", "bob@example.com", organization="Acme")
    cid = campaign(db)
    account = account_for(smtp_server)
    with db.session() as s:
        outreach.add_recipients(s, cid, [ann, zoe, bob])
        rows = {r.name: r for r in outreach.recipients(s, cid)}
        outreach.set_override(s, rows["Zoë Ångström"].id, None, "Liebe Zoë, ça va? 🌱 Kaffee?\n")
        assert outreach.queue(s, cid) == {"queued": 2, "held": 1}
    seen: list[sending.Progress] = []
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    out = sending.send_queued(
        db,
        cid,
        account,
        connect_to(account),
        wait=wait,
        progress=seen.append,
        clock=lambda: MONDAY,
        rng=random.Random(1),
    )
    assert (out.sent, out.failed, out.left, out.reason) == (2, 0, 0, "done")
    assert len(waits) == 1 and 60 <= waits[0] <= 90  # the default throttle, between messages
    got = smtp_server.messages()
    assert len(got) == 2
    by_to = {r.envelope_to[0]: r for r in got}
    for r in got:
        assert len(r.envelope_to) == 1
        assert r.message["Cc"] is None and r.message["Bcc"] is None
        assert r.message["Message-ID"].endswith("@example.org>")
        assert (
            r.message["Date"]
            and r.message["From"].addresses[0].display_name == "Renée Müller-Łukasz"
        )
    ann_msg = by_to["ann@example.com"].message
    assert ann_msg["To"].addresses[0].display_name == "Ann Lee"
    body = ann_msg.get_content()
    assert body.startswith("Hi Ann,") and "We met at the Berlin meetup." in body
    assert "Data science" in body and "path to Acme" in body and "Renée" in body
    assert "{{" not in body and "{%" not in body
    zoe_msg = by_to["zoe@example.net"].message
    assert zoe_msg["To"].addresses[0].display_name == "Zoë Ångström"
    assert zoe_msg.get_content().replace("\r\n", "\n") == "Liebe Zoë, ça va? 🌱 Kaffee?\n"
    assert zoe_msg.get_content_charset() == "utf-8"
    with db.session() as s:
        rows = {r.name: r for r in outreach.recipients(s, cid)}
        assert rows["Ann Lee"].status == "sent" and rows["Bob Stone"].status == "held"
        assert rows["Ann Lee"].sent_at == MONDAY
        stored = s.scalars(select(CampaignRecipient.message_id)).all()
        assert {m.message["Message-ID"] for m in got} <= set(stored)
        # A sent message is an interaction; 3B7 follow-ups wait on Today.
        assert [i.kind for i in interactions_of(s, ann)] == ["email"]
        ups = {f.purpose: f for f in s.scalars(select(FollowUp))}
        assert ups[outreach.NEXT_3B7].contact_id == bob
        assert ups[outreach.NEXT_3B7].due_on == dt.date(2026, 12, 3)  # 3 business days
        assert ups[outreach.FOLLOW_UP_3B7].due_on == dt.date(2026, 12, 9)  # 7, over a weekend
        today = [i for i in due_items(s, dt.date(2026, 12, 9)) if i.kind == FOLLOW_UP]
        assert len(today) == 3  # next at Acme, and follow-ups with Ann and Zoë
        # A reply closes them, is logged, and Undo puts all back.
        undo = outreach.mark_replied(s, rows["Ann Lee"].id, dt.date(2026, 12, 1), meeting=True)
        assert len([i for i in due_items(s, dt.date(2026, 12, 9)) if i.kind == FOLLOW_UP]) == 1
        summary = outreach.summary(s, cid)
        assert (summary.sent, summary.replied, summary.meetings) == (2, 1, 1)
        assert summary.reply_rate == 0.5
        outreach.unmark_replied(s, rows["Ann Lee"].id, undo)
        assert len([i for i in due_items(s, dt.date(2026, 12, 9)) if i.kind == FOLLOW_UP]) == 3
        assert [i.kind for i in interactions_of(s, ann)] == ["email"]
        # Deleting a 3B7 follow-up and undoing it keeps its link to the message.
        f = ups[outreach.FOLLOW_UP_3B7]
        row = delete_follow_up(s, f.id)
        restore_follow_up(s, row)
        assert get_follow_up(s, f.id).recipient_id == f.recipient_id
        # Bob is sent his message when the user releases him: nobody else again.
        outreach.queue(s, cid, [rows["Bob Stone"].id])
    out = sending.send_queued(db, cid, account, connect_to(account), clock=lambda: MONDAY)
    assert out.sent == 1
    assert sorted(r.envelope_to[0] for r in smtp_server.messages()) == [
        "ann@example.com",
        "bob@example.com",
        "zoe@example.net",
    ]


def test_a_wrong_password_is_explained_and_changes_no_status(
    db: Database, starttls_server: MailServer
) -> None:
    ann = person(db, "Ann Lee", "ann@example.com")
    cid = campaign(db)
    account = account_for(starttls_server)
    with db.session() as s:
        outreach.add_recipients(s, cid, [ann])
        outreach.queue(s, cid)
    with pytest.raises(mail.MailError, match="did not accept the user name or password"):
        sending.send_queued(db, cid, account, connect_to(account, "wrong"))
    with db.session() as s:
        assert [r.status for r in outreach.recipients(s, cid)] == ["queued"]
    assert starttls_server.messages() == []
    gmail = mail.MailAccount("smtp.gmail.com", 465, mail.SSL, "a@gmail.com", "a@gmail.com")

    assert "app password" in mail.explain(smtplib.SMTPAuthenticationError(535, b"no"), gmail)
    with pytest.raises(mail.MailError, match="did not accept"):
        mail.check_connection(account, "wrong")
    mail.check_connection(account, PASSWORD)


def test_an_untrusted_certificate_is_refused(
    db: Database, starttls_server: MailServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "none.pem"
    other = trustme.CA()
    other.cert_pem.write_to_path(str(empty))
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    with pytest.raises(mail.MailError, match="does not trust the certificate"):
        mail.check_connection(account_for(starttls_server), PASSWORD)


def test_pause_cap_and_an_unsure_message_never_send_twice(
    db: Database, starttls_server: MailServer
) -> None:
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(5)]
    cid = campaign(db)
    account = account_for(starttls_server)
    with db.session() as s:
        sending.save_pace(s, sending.Pace(0, 0, 2))
        outreach.add_recipients(s, cid, people)
        outreach.queue(s, cid)
    out = sending.send_queued(db, cid, account, connect_to(account), clock=lambda: MONDAY)
    assert (out.sent, out.left, out.reason) == (2, 3, "cap") and "daily limit" in out.message
    # The next day: pause after one message.
    later = MONDAY + dt.timedelta(days=1, minutes=1)
    calls = iter([False, True])
    out = sending.send_queued(
        db, cid, account, connect_to(account), stop=lambda: next(calls), clock=lambda: later
    )
    assert (out.sent, out.left, out.reason) == (1, 2, "paused")
    # A crash while a message was in flight: it is unsure, and not sent again by itself.
    with db.session() as s:
        r = s.scalars(select(CampaignRecipient).where(CampaignRecipient.status == "queued")).first()
        assert r is not None
        r.status = "sending"
        unsure = r.id
    out = sending.send_queued(db, cid, account, connect_to(account), clock=lambda: later)
    assert (out.sent, out.left) == (1, 0)
    with db.session() as s:
        rows = {r.id: r for r in outreach.recipients(s, cid)}
        assert rows[unsure].status == "failed" and "may have arrived" in rows[unsure].reason
        outreach.mark_sent_by_hand(s, [unsure], later.date())
        assert {r.status for r in outreach.recipients(s, cid)} == {"sent"}
    got = [r.envelope_to[0] for r in starttls_server.messages()]
    assert len(got) == len(set(got)) == 4


def test_drafts_and_mailto(tmp_path: Path) -> None:
    account = mail.MailAccount("smtp.example.org", 465, mail.SSL, "me", "me@example.org", "Me")
    msg = mail.build_message(account, "Zoë Ö", "zoe@example.net", "Grüße", "Hallo Zoë\n")
    [path] = mail.write_drafts(tmp_path / "drafts", [("Zoë Ö", msg)])
    back = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert back["X-Unsent"] == "1" and back["Subject"] == "Grüße"
    assert back.get_content() == "Hallo Zoë\n"
    url = mail.mailto_url("zoe@example.net", "Grüße & more", "Line 1\nLine 2")
    assert url.startswith("mailto:zoe@example.net?subject=Gr%C3%BC%C3%9Fe%20%26%20more&body=")
    assert "Line%201%0D%0ALine%202" in url


def test_the_password_goes_to_the_keyring_and_nowhere_in_the_data_folder(
    db: Database, paths: AppPaths, starttls_server: MailServer, test_keyring: Path
) -> None:
    account = account_for(starttls_server)
    store = mail.PasswordStore()
    with db.session() as s:
        mail.save_account(s, account)
    assert store.set(account, PASSWORD) is True
    assert mail.PasswordStore().get(account) == PASSWORD
    ann = person(db, "Ann Lee", "ann@example.com")
    cid = campaign(db)
    with db.session() as s:
        outreach.add_recipients(s, cid, [ann])
        outreach.queue(s, cid)
        loaded = mail.load_account(s)
    assert loaded == account
    sending.send_queued(db, cid, account, connect_to(account))
    db.close()
    for f in paths.data_dir.rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f
    assert PASSWORD in test_keyring.read_text()


def test_cli_lists_campaigns_with_counts(
    db: Database, paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    ann = person(db, "Ann Lee", "ann@example.com")
    cy = person(db, "Cy Nomail")
    cid = campaign(db, name="Announcing my move")
    with db.session() as s:
        outreach.add_recipients(s, cid, [ann, cy])
    db.close()
    assert main(["--data-dir", str(paths.data_dir), "campaigns", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["name"] == "Announcing my move" and row["recipients"] == 2
    assert row["counts"]["draft"] == 1 and row["counts"]["skipped"] == 1
    assert main(["--data-dir", str(paths.data_dir), "campaigns"]) == 0
    assert "1 draft, 1 skipped" in capsys.readouterr().out
    assert main(["--data-dir", str(paths.data_dir), "campaigns", "--send", str(cid)]) == 1
    assert "no mail account" in capsys.readouterr().err


def test_upgrade_from_0006_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = database_at(path, "0006")
    insert_ann_lee(con)
    con.executescript(
        """
        INSERT INTO interactions (contact_id, occurred_on, kind, summary, created_at)
          VALUES (1, '2026-01-05', 'coffee', 'talked shop', '2026-01-05 00:00:00');
        INSERT INTO follow_ups (contact_id, due_on, text, created_at, purpose)
          VALUES (1, '2026-02-01', 'send the article', '2026-01-02 00:00:00', '');
        """
    )
    con.commit()
    con.close()
    db = open_database(path, tmp_path / "backups")
    with db.session() as s:
        assert [i.summary for i in interactions_of(s, 1)] == ["talked shop"]
        assert s.scalars(select(FollowUp.text)).all() == ["send the article"]
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        assert outreach.add_recipients(s, cid, [1])
        assert outreach.recipients(s, cid)[0].reason == "No email address"
    db.close()


def _count(path: Path, status: str) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return int(
            con.execute(
                "SELECT count(*) FROM campaign_recipients WHERE status = ?", (status,)
            ).fetchone()[0]
        )
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_send_killed_half_way_resumes_without_sending_anyone_twice(
    db: Database, paths: AppPaths, starttls_server: MailServer
) -> None:
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(6)]
    cid = campaign(db)
    account = account_for(starttls_server)
    with db.session() as s:
        mail.save_account(s, account)
        sending.save_pace(s, sending.Pace(1, 1, 100))
        outreach.add_recipients(s, cid, people)
        assert outreach.queue(s, cid) == {"queued": 6}
    assert mail.PasswordStore().set(account, PASSWORD)
    db.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir)]
    log = paths.data_dir.parent / "child.log"
    with log.open("wb") as out:
        child = subprocess.Popen(
            [*command, "campaigns", "--send", str(cid)], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 60
        # Two messages went, the third not yet begun: the child is waiting out its throttle.
        while not (_count(paths.database, "sent") >= 2 and _count(paths.database, "sending") == 0):
            assert child.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the child never sent two messages"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    received_before = len(starttls_server.messages())
    assert 2 <= received_before < 6
    again = open_database(paths.database, paths.backups)
    with again.session() as s:  # the rest without waits: the gap kept the kill between messages
        sending.save_pace(s, sending.Pace(0, 0, 100))
    again.close()
    done = subprocess.run(
        [*command, "campaigns", "--send", str(cid)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    got = sorted(r.envelope_to[0] for r in starttls_server.messages())
    assert got == sorted(f"p{i}@example.com" for i in range(6))  # each once, nobody twice
    assert _count(paths.database, "sent") == 6
