"""Sending a campaign against a real SMTP server on loopback, where it goes wrong in real
life: two senders at once, a sender killed while the server holds the message, a restart in
the middle of the throttle's wait, addresses that are not addresses."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
from sqlalchemy import select

from app.model.records import ContactRecord, Labeled
from app.model.tables import CampaignRecipient
from app.paths import AppPaths
from app.services import mail, outreach, sending
from app.services.contacts import create_contact
from app.services.interactions import interactions_of
from app.storage.db import Database, open_database
from tests.conftest import ROOT
from tests.mailserver import PASSWORD, MailServer, start_server
from tests.services.test_outreach import MONDAY, account_for, campaign, connect_to, person

DEADLINE = 120  # seconds: only to stop a hang


def cli(paths: AppPaths) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir)], env


def ready_to_send(db: Database, server: MailServer, people: list[int], pace: sending.Pace) -> int:
    """A campaign to *people*, queued, with the account and its password set up."""
    cid = campaign(db)
    account = account_for(server)
    with db.session() as s:
        mail.save_account(s, account)
        sending.save_pace(s, pace)
        outreach.add_recipients(s, cid, people)
        outreach.queue(s, cid, hold_same_employer=False)
    assert mail.PasswordStore().set(account, PASSWORD)
    return cid


def statuses(db: Database, cid: int) -> dict[str, str]:
    with db.session() as s:
        return {r.email: r.status for r in outreach.recipients(s, cid)}


def delivered(server: MailServer) -> Counter[str]:
    return Counter(r.envelope_to[0] for r in server.messages())


class Pairs:
    """A server that answers DATA when a second message arrives (or after 0.5 s): two
    senders running at once stay in step, as they do against a real, slower server."""

    def __init__(self) -> None:
        self.waiting: asyncio.Future[None] | None = None

    async def __call__(self) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result(None)
            return
        self.waiting = asyncio.get_running_loop().create_future()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.waiting), 0.5)


@pytest.mark.slow
def test_two_senders_at_once_send_each_message_once(
    db: Database, paths: AppPaths, starttls_server: MailServer
) -> None:
    people = [person(db, f"Person {i}", f"p{i:02}@example.com") for i in range(16)]
    cid = ready_to_send(db, starttls_server, people, sending.Pace(0, 0, 1000))
    db.close()
    starttls_server.hold = Pairs()
    command, env = cli(paths)
    children = [
        subprocess.Popen(
            [*command, "campaigns", "--send", str(cid)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    logs = [c.communicate(timeout=DEADLINE)[0] for c in children]
    # One sender at a time: the other, started while the first sent, said so and stopped.
    for child, log in zip(children, logs, strict=True):
        assert child.returncode == 0 or "already sending" in log, log
    assert 0 in [c.returncode for c in children], logs
    assert delivered(starttls_server) == {f"p{i:02}@example.com": 1 for i in range(16)}
    db = open_database(paths.database, paths.data_dir / "backups")
    assert set(statuses(db, cid).values()) == {"sent"}
    db.close()


class HeldInData:
    """The server has kept the first message and holds back its answer to DATA (the sender
    waits) until the test lets go."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()

    async def __call__(self) -> None:
        if self.holding.is_set():
            return
        self.holding.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, DEADLINE)


def held_in_data(
    db: Database, paths: AppPaths, server: MailServer
) -> tuple[int, HeldInData, subprocess.Popen[str]]:
    """A campaign to p0, p1 and p2, sent by `campaigns --send`, the server holding the first
    message in DATA (*db* is closed: the sender has the file)."""
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(3)]
    cid = ready_to_send(db, server, people, sending.Pace(0, 0, 100))
    db.close()
    held = HeldInData()
    server.hold = held
    command, env = cli(paths)
    child = subprocess.Popen(
        [*command, "campaigns", "--send", str(cid)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return cid, held, child


@pytest.mark.slow
def test_a_second_sender_leaves_the_message_in_flight_alone_and_says_so(
    db: Database, paths: AppPaths, starttls_server: MailServer
) -> None:
    """While one `campaigns --send` hands a message to the server, a second one neither
    marks it "may have arrived" (the user could send it twice) nor sends beside it (the gap
    and the daily limit are the account's): it says so and sends nothing."""
    cid, held, first = held_in_data(db, paths, starttls_server)
    command, env = cli(paths)
    try:
        assert held.holding.wait(DEADLINE), "the server never got a message"
        second = subprocess.run(
            [*command, "campaigns", "--send", str(cid)],
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        db = open_database(paths.database, paths.data_dir / "backups")
        during = statuses(db, cid)
        db.close()
        assert first.poll() is None  # the first is still sending
    finally:
        held.release.set()
        log = first.communicate(timeout=DEADLINE)[0]
    assert during["p0@example.com"] == "sending"  # not failed as unsure
    assert second.returncode == 1
    assert "already sending" in second.stderr
    assert first.returncode == 0, log
    assert delivered(starttls_server) == {f"p{i}@example.com": 1 for i in range(3)}
    db = open_database(paths.database, paths.data_dir / "backups")
    assert set(statuses(db, cid).values()) == {"sent"}
    db.close()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_message_cut_off_in_data_is_never_sent_again_by_itself(
    db: Database, paths: AppPaths, starttls_server: MailServer
) -> None:
    late = person(db, "Late Comer", "late@example.com")
    cid, held, child = held_in_data(db, paths, starttls_server)
    try:
        assert held.holding.wait(DEADLINE), "the server never got a message"
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=DEADLINE)
    finally:
        held.release.set()
        if child.poll() is None:
            child.kill()
            child.wait()
    assert delivered(starttls_server) == {"p0@example.com": 1}
    db = open_database(paths.database, paths.data_dir / "backups")
    account = account_for(starttls_server)
    # The window's Send, as the user presses it after the crash, and again later, after
    # adding someone: the message that may have arrived stays the user's call.
    for added in ([], [late]):
        with db.session() as s:
            outreach.add_recipients(s, cid, added)
            outreach.queue(s, cid)
        out = sending.send_queued(db, cid, account, connect_to(account))
        assert out.reason == "done"
    assert delivered(starttls_server) == {
        "p0@example.com": 1,
        "p1@example.com": 1,
        "p2@example.com": 1,
        "late@example.com": 1,
    }
    with db.session() as s:
        [unsure] = [r for r in outreach.recipients(s, cid) if r.status == "failed"]
        assert unsure.email == "p0@example.com" and outreach.unsure(unsure.reason)
        assert not outreach.queued_by_send(unsure)
        # Send again, chosen for that person: it goes.
        outreach.queue(s, cid, [unsure.id])
    sending.send_queued(db, cid, account, connect_to(account))
    assert delivered(starttls_server)["p0@example.com"] == 2
    db.close()


def test_the_throttle_keeps_its_gap_across_a_restart(
    db: Database, starttls_server: MailServer
) -> None:
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(3)]
    cid = ready_to_send(db, starttls_server, people, sending.Pace(30, 40, 100))
    account = account_for(starttls_server)
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    asked = iter([False, True])
    out = sending.send_queued(
        db,
        cid,
        account,
        connect_to(account),
        stop=lambda: next(asked),
        wait=lambda _s: False,
        clock=lambda: MONDAY,
    )
    assert (out.sent, out.reason) == (1, "paused")
    # Started again 10 seconds later (a new process): the shortest gap still holds.
    later = MONDAY + dt.timedelta(seconds=10)
    interrupted = iter([True])
    out = sending.send_queued(
        db,
        cid,
        account,
        connect_to(account),
        wait=lambda s: waits.append(s) or next(interrupted),  # type: ignore[func-returns-value]
        clock=lambda: later,
    )
    assert (out.sent, out.left, out.reason) == (0, 2, "paused")
    assert waits == [20.0]
    assert len(starttls_server.messages()) == 1
    # Long enough after: no wait before the first, the usual gap between the next ones.
    waits.clear()
    much_later = MONDAY + dt.timedelta(minutes=5)
    out = sending.send_queued(
        db, cid, account, connect_to(account), wait=wait, clock=lambda: much_later
    )
    assert (out.sent, out.reason) == (2, "done")
    assert len(waits) == 1 and 30 <= waits[0] <= 40


BAD = ["a@x.com, b@y.com", "Eve <eve@example.com>", "@example.com", "ann@"]


def test_addresses_that_are_not_one_address_fail_alone(
    db: Database, starttls_server: MailServer
) -> None:
    def imported(name: str, address: str) -> int:  # as an import keeps it: unchecked
        with db.session() as s:
            record = ContactRecord(full_name=name, emails=[Labeled(address)])
            return create_contact(s, record, check=False)

    good = [person(db, "Ann Lee", "ann@example.com"), imported("Bo\nLine", "bo@example.com")]
    bad = [imported(f"Bad {i}", address) for i, address in enumerate(BAD)]
    cid = ready_to_send(db, starttls_server, [good[0], *bad, good[1]], sending.Pace(0, 0, 100))
    with db.session() as s:
        rows = {r.email: r for r in outreach.recipients(s, cid)}
        for address in BAD:
            assert rows[address].status == "skipped", address
            assert "is not one email address" in rows[address].reason
        assert rows["ann@example.com"].status == rows["bo@example.com"].status == "queued"
        # Queued before Second Act checked addresses (or the address changed since): at send
        # time such a message fails with the reason, and the others go.
        for r in s.scalars(select(CampaignRecipient).where(CampaignRecipient.status == "skipped")):
            r.status = "queued"
    account = account_for(starttls_server)
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.failed, out.left, out.reason) == (2, len(BAD), 0, "done")
    got = {r.envelope_to[0]: r.message for r in starttls_server.messages()}
    assert sorted(got) == ["ann@example.com", "bo@example.com"]
    assert got["bo@example.com"]["To"].addresses[0].display_name == "Bo Line"
    with db.session() as s:
        rows = {r.email: r for r in outreach.recipients(s, cid)}
        for address in BAD:
            assert rows[address].status == "failed"
            assert "is not one email address" in rows[address].reason
        # The window's Send puts them back to skipped, with the reason, until fixed.
        outreach.queue(s, cid)
        assert {rows[a].id for a in BAD} == {
            r.id for r in outreach.recipients(s, cid) if r.status == "skipped"
        }


def test_a_bad_address_is_refused_before_anything_is_built() -> None:
    for address in BAD:
        with pytest.raises(ValueError, match="not one email address"):
            mail.build_message(None, "Eve", address, "Hello", "Hi\n")


@pytest.mark.parametrize("smtputf8", [False, True], ids=["plain-server", "smtputf8-server"])
def test_a_non_ascii_domain_goes_and_a_non_ascii_name_part_fails_alone(
    db: Database, test_ca: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch, smtputf8: bool
) -> None:
    ca, ca_file = test_ca
    controller, server = start_server(ca, ca_file, "starttls", smtputf8=smtputf8)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    try:
        people = [
            person(db, "Ann Lee", "ann@bücher.de"),
            person(db, "Zoë Roe", "zoë@example.com"),
            person(db, "Bo Ng", "bo@example.com"),
        ]
        cid = ready_to_send(db, server, people, sending.Pace(0, 0, 100))
        with db.session() as s:  # Python's mail library cannot write that address at all
            [zoe] = [r for r in outreach.recipients(s, cid) if r.email == "zoë@example.com"]
            assert zoe.status == "skipped"
            assert "letters before the @" in zoe.reason
        account = replace(account_for(server), from_address="me@exämple.org")
        out = sending.send_queued(db, cid, account, connect_to(account))
        got = {r.envelope_to[0]: r for r in server.messages()}
        # Even were it sent (an older queue): that recipient alone fails, certainly not sent.
        transport = connect_to(account)()
        try:
            msg = mail.build_message(account, "Bo", "bo@example.com", "Hi", "Hello")
            msg.replace_header("To", "zoë@example.com")
            if smtputf8:
                transport.send(msg)
            else:
                with pytest.raises(mail.RecipientRefused, match="SMTPUTF8") as refused:
                    transport.send(msg)
                assert refused.value.certain_not_sent
        finally:
            transport.close()
    finally:
        controller.stop()
    assert (out.sent, out.failed, out.reason) == (2, 0, "done")
    assert statuses(db, cid)["ann@bücher.de"] == statuses(db, cid)["bo@example.com"] == "sent"
    assert sorted(got) == ["ann@xn--bcher-kva.de", "bo@example.com"]
    ann = got["ann@xn--bcher-kva.de"]
    assert ann.envelope_from == "me@xn--exmple-cua.org"
    assert ann.message["To"].addresses[0].addr_spec == "ann@xn--bcher-kva.de"
    assert len(server.messages()) == 3 if smtputf8 else 2


def three_queued(db: Database, server: MailServer) -> tuple[int, mail.MailAccount]:
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(3)]
    return ready_to_send(db, server, people, sending.Pace(0, 0, 100)), account_for(server)


def test_a_refused_recipient_fails_alone_and_the_others_go(
    db: Database, starttls_server: MailServer
) -> None:
    starttls_server.refuse = {"p1@example.com"}
    cid, account = three_queued(db, starttls_server)
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.failed, out.left, out.reason) == (2, 1, 0, "done")
    assert delivered(starttls_server) == {"p0@example.com": 1, "p2@example.com": 1}
    states = statuses(db, cid)
    assert states == {
        "p0@example.com": "sent",
        "p1@example.com": "failed",
        "p2@example.com": "sent",
    }
    with db.session() as s:
        [refused] = [r for r in outreach.recipients(s, cid) if r.status == "failed"]
        assert "p1@example.com" in refused.reason or "refused" in refused.reason.lower()
        assert not outreach.unsure(refused.reason)  # the server said no: it did not go


@pytest.mark.parametrize("failure", ["drop_after_data", "silent_after_data"])
def test_a_message_the_server_may_have_kept_is_never_sent_again_by_itself(
    db: Database, starttls_server: MailServer, failure: str
) -> None:
    """The server has the message, then the connection drops or goes silent instead of its
    answer: the sender cannot know, so it stops, and later sends never repeat it."""
    setattr(starttls_server, failure, {"p1@example.com"})
    cid, account = three_queued(db, starttls_server)

    def connect() -> mail.SmtpTransport:
        t = mail.SmtpTransport(account, PASSWORD, timeout=1)  # the silent server: 1 s
        t.connect()
        return t

    out = sending.send_queued(db, cid, account, connect)
    assert (out.sent, out.failed, out.left, out.reason) == (1, 0, 1, "error")
    assert statuses(db, cid)["p1@example.com"] == "failed"
    setattr(starttls_server, failure, set())
    for _again in range(2):  # the window's Send, pressed again (and again)
        with db.session() as s:
            outreach.queue(s, cid)
        assert sending.send_queued(db, cid, account, connect_to(account)).reason == "done"
    assert delivered(starttls_server) == {f"p{i}@example.com": 1 for i in range(3)}
    with db.session() as s:
        [unsure] = [r for r in outreach.recipients(s, cid) if r.status == "failed"]
        assert unsure.email == "p1@example.com" and outreach.unsure(unsure.reason)


def test_a_login_refused_between_messages_leaves_the_rest_queued(
    db: Database, starttls_server: MailServer
) -> None:
    """The server hangs up after p0 and refuses the login that follows: p1 never reached
    it, so p1 goes back to the queue (certainly not sent), and goes once on the next Send."""
    starttls_server.hang_up_after = {"p0@example.com"}
    cid, account = three_queued(db, starttls_server)

    async def refuse_from_now_on() -> None:
        starttls_server.refuse_logins = True

    starttls_server.hold = refuse_from_now_on
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.reason) == (1, "error")
    assert statuses(db, cid) == {
        "p0@example.com": "sent",
        "p1@example.com": "queued",
        "p2@example.com": "queued",
    }
    starttls_server.hold = None
    starttls_server.refuse_logins = False
    assert sending.send_queued(db, cid, account, connect_to(account)).reason == "done"
    assert delivered(starttls_server) == {f"p{i}@example.com": 1 for i in range(3)}
    assert set(statuses(db, cid).values()) == {"sent"}


def test_messages_go_in_the_order_the_campaign_lists_them(
    db: Database, starttls_server: MailServer
) -> None:
    """People added in several steps: the list's order, not the contacts' or the addresses'."""
    a, b, c, d = (person(db, f"Person {n}", f"{n}@example.com") for n in "abcd")
    cid = campaign(db)
    account = account_for(starttls_server)
    with db.session() as s:
        mail.save_account(s, account)
        sending.save_pace(s, sending.Pace(0, 0, 100))
        outreach.add_recipients(s, cid, [c, a])
        outreach.add_recipients(s, cid, [d, b])
        listed = [r.email for r in outreach.recipients(s, cid)]
        assert listed == [f"{n}@example.com" for n in "cadb"]
        outreach.queue(s, cid, hold_same_employer=False)
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.reason) == (4, "done")
    assert [r.envelope_to[0] for r in starttls_server.messages()] == listed


class Closing:
    """A real connection that remembers being closed."""

    def __init__(self, account: mail.MailAccount) -> None:
        self.transport = connect_to(account)()
        self.closed = False

    def send(self, msg: EmailMessage) -> None:
        self.transport.send(msg)

    def close(self) -> None:
        self.closed = True
        self.transport.close()


def test_one_message_outside_a_campaign_goes_as_written_and_closes_its_connection(
    starttls_server: MailServer,
) -> None:
    account = account_for(starttls_server)
    opened: list[Closing] = []

    def connect() -> Closing:
        opened.append(Closing(account))
        return opened[-1]

    msg = sending.send_one(
        account, connect, "Ann Lee", "ann@example.com", "Thank you", "Thanks, Ann.\n"
    )
    [got] = starttls_server.messages()
    assert got.envelope_to == ["ann@example.com"]
    assert got.message["Message-ID"] == msg["Message-ID"]
    assert got.message["To"].addresses[0].display_name == "Ann Lee"
    assert got.message["From"].addresses[0].display_name == account.from_name
    assert got.message["Subject"] == "Thank you"
    assert got.message.get_content().replace("\r\n", "\n") == "Thanks, Ann.\n"
    assert len(opened) == 1 and opened[0].closed
    starttls_server.refuse = {"bob@example.com"}
    with pytest.raises(mail.RecipientRefused):
        sending.send_one(account, connect, "Bob", "bob@example.com", "Hi", "Hello.\n")
    assert len(opened) == 2 and opened[1].closed  # closed after a refusal too


def test_a_campaign_sends_its_own_messages_only(db: Database, starttls_server: MailServer) -> None:
    ann, bob = person(db, "Ann Lee", "ann@example.com"), person(db, "Bob Ray", "bob@example.com")
    first = ready_to_send(db, starttls_server, [ann], sending.Pace(0, 0, 100))
    other = ready_to_send(db, starttls_server, [bob], sending.Pace(0, 0, 100))
    account = account_for(starttls_server)
    out = sending.send_queued(db, first, account, connect_to(account))
    assert (out.sent, out.failed, out.left, out.reason) == (1, 0, 0, "done")
    assert delivered(starttls_server) == {"ann@example.com": 1}
    assert statuses(db, other) == {"bob@example.com": "queued"}


def test_a_pause_after_a_failed_message_counts_it(
    db: Database, starttls_server: MailServer
) -> None:
    with db.session() as s:
        record = ContactRecord(full_name="Bad", emails=[Labeled(BAD[0])])
        bad = create_contact(s, record, check=False)  # as an import keeps it: unchecked
    good = person(db, "Ann Lee", "ann@example.com")
    cid = ready_to_send(db, starttls_server, [bad, good], sending.Pace(0, 0, 100))
    with db.session() as s:
        for r in s.scalars(select(CampaignRecipient).where(CampaignRecipient.status == "skipped")):
            r.status = "queued"
    account = account_for(starttls_server)
    asked = iter([False, True])
    out = sending.send_queued(db, cid, account, connect_to(account), stop=lambda: next(asked))
    assert (out.sent, out.failed, out.left, out.reason) == (0, 1, 1, "paused")
    assert starttls_server.messages() == []


def test_a_one_second_gap_is_waited_shown_and_the_cap_says_why_it_stopped(
    db: Database, starttls_server: MailServer
) -> None:
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(3)]
    cid = ready_to_send(db, starttls_server, people, sending.Pace(1, 1, 2))
    account = account_for(starttls_server)
    waits: list[float] = []
    seen: list[sending.Progress] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return False

    out = sending.send_queued(
        db, cid, account, connect_to(account), wait=wait, progress=seen.append, clock=lambda: MONDAY
    )
    assert waits == [1.0]  # between the two messages, none before the first
    assert seen == [
        sending.Progress(1, 3, "Person 0", "sent"),
        sending.Progress(1, 3, "", "waiting", 1.0),
        sending.Progress(2, 3, "Person 1", "sent"),
    ]
    assert (out.sent, out.failed, out.left, out.reason) == (2, 0, 1, "cap")
    assert out.message == (
        "2 messages went out in the last 24 hours, your daily limit. "
        "The rest wait, queued: resume tomorrow."
    )
    with db.session() as s:
        [logged] = interactions_of(s, people[0])
        assert logged.summary.startswith(
            f"Sent “{starttls_server.messages()[0].message['Subject']}”"
        )


def test_a_failed_message_is_shown_and_counted_when_the_wait_is_interrupted(
    db: Database, starttls_server: MailServer
) -> None:
    with db.session() as s:
        record = ContactRecord(full_name="Bad", emails=[Labeled(BAD[0])])
        bad = create_contact(s, record, check=False)  # as an import keeps it: unchecked
    first, last = (person(db, n, f"{n.lower()}@example.com") for n in ("Ann", "Cy"))
    cid = ready_to_send(db, starttls_server, [first, bad, last], sending.Pace(1, 1, 100))
    with db.session() as s:
        for r in s.scalars(select(CampaignRecipient).where(CampaignRecipient.status == "skipped")):
            r.status = "queued"
    account = account_for(starttls_server)
    interrupted = iter([False, True])
    seen: list[sending.Progress] = []
    out = sending.send_queued(
        db,
        cid,
        account,
        connect_to(account),
        wait=lambda _s: next(interrupted),
        progress=seen.append,
        clock=lambda: MONDAY,
    )
    assert (out.sent, out.failed, out.left, out.reason) == (1, 1, 1, "paused")
    assert [p for p in seen if p.status != "waiting"] == [
        sending.Progress(1, 3, "Ann", "sent"),
        sending.Progress(2, 3, "Bad", "failed"),
    ]


def test_two_refused_recipients_both_count_as_failed(
    db: Database, starttls_server: MailServer
) -> None:
    starttls_server.refuse = {"p0@example.com", "p2@example.com"}
    cid, account = three_queued(db, starttls_server)
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.failed, out.left, out.reason) == (1, 2, 0, "done")


def test_a_stop_on_an_error_counts_what_this_campaign_has_left(
    db: Database, starttls_server: MailServer
) -> None:
    starttls_server.drop_after_data = {"p1@example.com"}
    cid, account = three_queued(db, starttls_server)
    ready_to_send(
        db, starttls_server, [person(db, "Other", "o@example.com")], sending.Pace(0, 0, 100)
    )
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.failed, out.left, out.reason) == (1, 0, 1, "error")


@pytest.mark.parametrize(
    ("pace", "refused"),
    [
        (sending.Pace(0, 3600, 1), ""),
        (sending.Pace(3600, 3600, 2000), ""),
        (sending.Pace(0, 3601, 100), "wait"),
        (sending.Pace(-1, 10, 100), "wait"),
        (sending.Pace(11, 10, 100), "wait"),
        (sending.Pace(0, 0, 0), "daily"),
        (sending.Pace(0, 0, 2001), "daily"),
    ],
)
def test_the_pace_is_checked_at_its_limits(db: Database, pace: sending.Pace, refused: str) -> None:
    words = {
        "wait": "The wait between messages is 0 to 3,600 seconds, shortest first.",
        "daily": "The daily limit is between 1 and 2,000 messages.",
    }
    with db.session() as s:
        if refused:
            with pytest.raises(ValueError, match=f"^{words[refused]}$"):
                sending.save_pace(s, pace)
            assert sending.load_pace(s) == sending.Pace()
        else:
            sending.save_pace(s, pace)
            assert sending.load_pace(s) == pace
