"""History from the user's own mail files (issue 27): mbox and Maildir, read by headers only,
through the real command line; replies to campaigns; Forget mail history with Undo."""

from __future__ import annotations

import datetime as dt
import json
import mailbox
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.model.tables import CampaignRecipient, Contact, ContactUrl, FollowUp, Interaction
from app.paths import AppPaths
from app.services import industries, mail_history, outreach, today
from app.services.contacts import create_contact, last_contacts
from app.services.interactions import interactions_of, log_interaction
from app.storage.db import Database, open_database
from tests.conftest import DATA
from tests.migrations import ann_lee_upgraded_from

ME = "Me.Myself@Home.example"
BODY = b"Secret body text that must never reach the database.\n"


def message(
    sender: str,
    to: str,
    subject: str = "Hello",
    date: str = "Tue, 03 Mar 2026 12:00:00 +0000",
    mid: str | None = "<m1@home.example>",
    extra: str = "",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}"]
    if mid is not None:
        lines.append(f"Message-ID: {mid}")
    if extra:
        lines.extend(extra.strip().splitlines())
    return ("\n".join(lines) + "\n\n").encode() + BODY


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    with path.open("wb") as f:
        for m in messages:
            f.write(b"From someone@example Tue Mar  3 12:00:00 2026\n")
            f.write(m.replace(b"\nFrom ", b"\n>From "))
            f.write(b"\n")
    return path


def write_maildir(path: Path, messages: list[bytes], folders: dict[str, list[bytes]]) -> Path:
    box = mailbox.Maildir(path, create=True)
    for m in messages:
        box.add(m)
    for name, ms in folders.items():
        sub = box.add_folder(name)
        for m in ms:
            sub.add(m)
    return path


def people(db: Database) -> dict[str, int]:
    with db.session() as s:

        def add(name: str, *emails: str) -> int:
            return create_contact(
                s, ContactRecord(full_name=name, emails=[Labeled(e) for e in emails])
            )

        return {
            "ann": add("Ann Lee", "ann@lee.example"),
            "renee": add("Renée Dupont", "Renee.Dupont@Example.ORG"),
            "grace": add("Grace Hopper", "grace@navy.example", "g.hopper@old.example"),
            "bob": add("Bob Stone", "bob@stone.example"),
        }


TRICKY = [
    # To a contact written "Family, Given" in mixed case, Cc another: two interactions.
    message(
        f"Me <{ME.lower()}>",
        '"Lee, Ann" <ANN@Lee.Example>',
        subject="=?utf-8?q?Caf=C3=A9_next_week=3F?=",
        extra="Cc: Grace <g.hopper@old.example>, =?utf-8?q?J=C3=BCrgen_Gro=C3=9F?= "
        "<jurgen@else.example>",
    ),
    # From a contact whose RFC 2047 name is decoded; address in other case than the book.
    message(
        "=?utf-8?q?Ren=C3=A9e_Dupont?= <renee.dupont@example.org>",
        ME,
        subject="Re: your news",
        date="Fri, 14 Nov 2025 09:30:00 -0800",
        mid="<r1@example.org>",
    ),
    # List mail and bulk mail add nothing, even from a contact.
    message(
        "bob@stone.example",
        "list@lists.example",
        mid="<l1@lists.example>",
        extra="List-Id: Friends <friends.lists.example>",
    ),
    message("bob@stone.example", ME, mid="<b1@stone.example>", extra="Precedence: bulk"),
    # A Date nobody can read.
    message("bob@stone.example", ME, date="sometime last spring", mid="<b2@stone.example>"),
    # Someone not in the book writes: nothing, and not offered (the user did not write).
    message("spam@nowhere.example", ME, mid="<s1@nowhere.example>"),
]


def run(paths: AppPaths, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["--data-dir", str(paths.data_dir), "mail-history", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_mbox_and_maildir_through_the_command_line(
    paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(paths.database)
    ids = people(db)
    db.close()
    mbox = write_mbox(tmp_path / "Sent", TRICKY)
    # The Maildir holds the first message again (another folder): it counts once.
    again = message(
        "bob@stone.example", ME, subject="Lunch?", date="Mon, 2 Feb 2026 10:00:00 +0100", mid=None
    )
    maildir = write_maildir(tmp_path / "Mail", [again], {"Archive": [TRICKY[0]]})

    out = run(paths, capsys, "--me", ME, str(mbox), str(maildir))
    assert out["messages_read"] == len(TRICKY) + 2
    assert out["interactions_added"] == 4  # Ann, Grace, Renée, Bob
    assert out["replies_found"] == 0
    assert out["already_read"] == 1
    assert out["skipped_because"] == {
        mail_history.LIST_MAIL: 2,
        mail_history.NO_DATE: 1,
        mail_history.NOBODY: 1,
    }
    assert out["skipped"] == 4
    assert out["not_in_contacts"] == [
        {"address": "jurgen@else.example", "name": "Jürgen Groß", "messages": 1}
    ]

    db = open_database(paths.database)
    with db.session() as s:
        ann = interactions_of(s, ids["ann"])
        assert [(i.occurred_on, i.kind, i.summary, i.source) for i in ann] == [
            (dt.date(2026, 3, 3), "email", "Sent “Café next week?”", "mail")
        ]
        assert [i.summary for i in interactions_of(s, ids["grace"])] == ["Sent “Café next week?”"]
        assert [(i.occurred_on, i.summary) for i in interactions_of(s, ids["renee"])] == [
            (dt.date(2025, 11, 14), "Received “Re: your news”")
        ]
        assert [i.summary for i in interactions_of(s, ids["bob"])] == ["Received “Lunch?”"]
        texts = s.execute(select(Interaction.summary, Interaction.source_key)).all()
        assert not any(b"Secret" in repr(t).encode() for t in texts)
    db.close()
    assert b"Secret body" not in paths.database.read_bytes()

    # Read again, in another run: nothing is added twice.
    out = run(paths, capsys, "--me", ME, str(maildir), str(mbox))
    assert out["interactions_added"] == 0 and out["already_read"] == 4

    assert main(["--data-dir", str(paths.data_dir), "list", "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
    assert listed[ids["ann"]]["interaction_count"] == 1
    assert listed[ids["ann"]]["last_contact"] == "2026-03-03"
    assert listed[ids["renee"]]["last_contact"] == "2025-11-14"


def test_the_command_explains_what_it_cannot_read(
    paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = write_mbox(tmp_path / "Inbox", TRICKY)
    # No address of the user's known: refused in plain words, nothing guessed.
    assert main(["--data-dir", str(paths.data_dir), "mail-history", str(mbox)]) == 1
    assert "--me" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("not mail\n")
    assert main(["--data-dir", str(paths.data_dir), "mail-history", "--me", ME, str(notes)]) == 1
    assert "not an mbox file" in capsys.readouterr().err
    assert main(["--data-dir", str(paths.data_dir), "mail-history", "--me", ME]) == 2
    # The human report names the people written to who are not in the book.
    assert main(["--data-dir", str(paths.data_dir), "mail-history", "--me", ME, str(mbox)]) == 0
    printed = capsys.readouterr().out
    assert "Jürgen Groß <jurgen@else.example>: 1" in printed


def test_history_feeds_last_contact_keep_in_touch_dormant_ties_and_today(
    db: Database, tmp_path: Path
) -> None:
    ids = people(db)
    day = dt.date.today()
    with db.session() as s:
        for cid in ids.values():
            s.get(Contact, cid).tier = "A"  # type: ignore[union-attr]
    recent = (day - dt.timedelta(days=3)).strftime("%a, %d %b %Y 12:00:00 +0000")
    old = (day - dt.timedelta(days=800)).strftime("%a, %d %b %Y 12:00:00 +0000")
    mbox = write_mbox(
        tmp_path / "All",
        [
            message(ME, "ann@lee.example", date=recent, mid="<a@x>"),
            message(ME, "bob@stone.example", date=old, mid="<b@x>"),
        ],
    )
    with db.session() as s:
        due_before = {
            i.contact_id for i in today.due_items(s, day) if i.kind == today.KEEP_IN_TOUCH
        }
        assert ids["ann"] in due_before
        mail_history.read_mail_files(s, [mbox], [ME])
    with db.session() as s:
        assert last_contacts(s)[ids["ann"]] == day - dt.timedelta(days=3)
        due = {i.contact_id for i in today.due_items(s, day) if i.kind == today.KEEP_IN_TOUCH}
        assert ids["ann"] not in due and ids["bob"] in due
        bars = industries.by_industry(s, day)
        assert sum(b.active for b in bars) == 1
        assert sum(b.dormant for b in bars) == 1  # Bob: a dormant tie
        assert sum(b.unlogged for b in bars) == 2


def sent_campaign(db: Database, ids: dict[str, int]) -> tuple[int, str]:
    """A campaign message sent to Ann (as sending.py records it); its recipient and id."""
    with db.session() as s:
        cid = outreach.create_campaign(s, outreach.starter("informational"))
        [rid] = outreach.add_recipients(s, cid, [ids["ann"]])
        r = s.get(CampaignRecipient, rid)
        assert r is not None
        r.message_id = "<campaign.1@home.example>"
        outreach.record_sent(s, rid, dt.datetime(2026, 3, 2, 9), "Your advice?")
    return rid, "<campaign.1@home.example>"


def test_a_reply_to_a_campaign_is_marked_as_mark_replied_does(db: Database, tmp_path: Path) -> None:
    ids = people(db)
    rid, mid = sent_campaign(db, ids)
    ours = message(ME, "ann@lee.example", subject="Your advice?", mid=mid)
    reply = message(
        "Ann Lee <ann@lee.example>",
        ME,
        subject="Re: Your advice?",
        date="Thu, 05 Mar 2026 08:00:00 +0000",
        mid="<reply@lee.example>",
        extra=f"In-Reply-To: {mid}\nReferences: <older@x> {mid}",
    )
    mbox = write_mbox(tmp_path / "All", [ours, reply, reply])
    with db.session() as s:
        report = mail_history.read_mail_files(s, [mbox], [ME])
    assert report.replies_found == 1
    assert report.skipped[mail_history.OWN_CAMPAIGN] == 1
    with db.session() as s:
        r = s.get(CampaignRecipient, rid)
        assert r is not None and r.status == "replied" and r.replied_on == dt.date(2026, 3, 5)
        open_follow_ups = s.scalars(
            select(FollowUp).where(FollowUp.recipient_id == rid, FollowUp.done_at.is_(None))
        ).all()
        assert open_follow_ups == []
        history = [(i.occurred_on, i.summary) for i in interactions_of(s, ids["ann"])]
    # The sent message once (logged when sent), the reply once, as Mark replied logs it.
    assert history == [
        (dt.date(2026, 3, 5), "Replied to “Ask for an informational interview”"),
        (dt.date(2026, 3, 2), "Sent “Your advice?” (Ask for an informational interview)"),
    ]
    with db.session() as s:
        again = mail_history.read_mail_files(s, [mbox], [ME])
    assert again.replies_found == 0 and again.interactions_added == 0


def test_forget_mail_history_in_one_undoable_step(db: Database, tmp_path: Path) -> None:
    ids = people(db)
    with db.session() as s:
        typed = log_interaction(s, ids["ann"], dt.date(2026, 1, 5), "call", "typed by hand")
    mbox = write_mbox(tmp_path / "Sent", TRICKY)
    with db.session() as s:
        mail_history.read_mail_files(s, [mbox], [ME])
    with db.session() as s:
        before = sorted(s.execute(select(Interaction.id, Interaction.summary)).all())
        forgotten = mail_history.forget_history(s)
    assert forgotten.count == 3
    with db.session() as s:
        left = s.execute(select(Interaction.id)).scalars().all()
        assert left == [typed]
        mail_history.restore_history(s, forgotten)
    with db.session() as s:
        assert sorted(s.execute(select(Interaction.id, Interaction.summary)).all()) == (before)
        # Restored, they still count once.
        assert mail_history.read_mail_files(s, [mbox], [ME]).interactions_added == 0


def test_upgrade_from_0010_keeps_interactions_as_typed(tmp_path: Path) -> None:
    sql = """
        INSERT INTO interactions (id, contact_id, occurred_on, kind, summary, created_at)
          VALUES (7, 1, '2025-06-01', 'coffee', 'met at the fair', '2025-06-01 10:00:00');
    """
    with ann_lee_upgraded_from(tmp_path / "old.db", "0010", sql) as db, db.session() as s:
        [row] = interactions_of(s, 1)
        assert (row.id, row.summary, row.source, row.source_key) == (7, "met at the fair", "", "")
        mbox = write_mbox(
            tmp_path / "m", [message(ME, "ann@example.org", mid="<x@y>")]
        )  # nobody with that address: the new columns are read and written without error
        assert mail_history.read_mail_files(s, [mbox], [ME]).skipped[mail_history.NOBODY] == 1


LINKEDIN_CSV = DATA / "linkedin-messages.csv"  # see tests/data/README.md

ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:past-1@cal
DTSTAMP:20250101T000000Z
DTSTART:20250510T150000Z
SUMMARY:Coffee with Ann
ORGANIZER:mailto:me.myself@home.example
ATTENDEE;CN=Ann:mailto:ANN@lee.example
ATTENDEE:mailto:nobody@else.example
END:VEVENT
BEGIN:VEVENT
UID:future-1@cal
DTSTAMP:20250101T000000Z
DTSTART;VALUE=DATE:29990101
SUMMARY:Far ahead
ATTENDEE:mailto:grace@navy.example
END:VEVENT
END:VCALENDAR
"""


def test_linkedin_messages_and_past_meetings_through_the_command_line(
    paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(paths.database)
    ids = people(db)
    with db.session() as s:
        s.add(
            ContactUrl(
                contact_id=ids["ann"],
                value="http://linkedin.com/in/ann-lee/",
                normalized="linkedin.com/in/ann-lee",
            )
        )
    db.close()
    csv_file = tmp_path / "messages.csv"
    csv_file.write_bytes(LINKEDIN_CSV.read_bytes())
    ics = tmp_path / "calendar.ics"
    ics.write_text(ICS, encoding="utf-8")
    out = run(paths, capsys, "--me", ME, str(csv_file), str(ics))
    assert out["messages_read"] == 4 + 2
    assert out["interactions_added"] == 3
    assert out["skipped_because"] == {
        mail_history.NOBODY: 1,  # the other Ann Lee: never matched by name
        mail_history.NO_DATE: 1,
        "still to come": 1,
    }
    db = open_database(paths.database)
    with db.session() as s:
        history = [
            (i.occurred_on, i.kind, i.summary, i.source) for i in interactions_of(s, ids["ann"])
        ]
    db.close()
    assert history == [
        (dt.date(2025, 5, 10), "meeting", "Meeting “Coffee with Ann”", "calendar"),
        (dt.date(2025, 4, 2), "message", "Received a LinkedIn message", "linkedin"),
        (dt.date(2025, 4, 1), "message", "Sent a LinkedIn message “Catching up”", "linkedin"),
    ]
    assert b"private words" not in paths.database.read_bytes().lower()
    again = run(paths, capsys, "--me", ME, str(csv_file), str(ics))
    assert again["interactions_added"] == 0 and again["already_read"] == 3


def test_header_fields_as_mail_clients_write_them() -> None:
    raw = (
        b"FROM: =?iso-8859-1?q?Ren=E9e?= (work) <Renee@Example.ORG>\r\n"
        b'to: Friends: a@one.example, "Doe, John" <JOHN@two.example>;,\r\n'
        b"\tplain@three.example\r\n"
        b"Cc: undisclosed-recipients:;\r\n"
        b"Subject: =?utf-8?b?w4l0w6kgMjAyNQ==?=\r\n"
        b"  continued\r\n"
        b"message-id:   <ID.1@Example.org>  \r\n"
        b"Date: Sun, 29 Jun 2025 23:30:00 -0000\r\n"
        b"References: <a@x>\r\n  <b@x>\r\n"
        b"X-Other: M\xfcller \xff\r\n"
        b"Precedence: Bulk\r\n"
    )
    h = mail_history.parse_header(raw)
    assert h.sender == "renee@example.org"
    assert [a for a, _ in h.recipients] == [
        "a@one.example",
        "john@two.example",
        "plain@three.example",
    ]
    assert h.subject == "Été 2025 continued"
    assert h.message_id == "<ID.1@Example.org>"
    assert h.on == dt.date(2025, 6, 29)
    assert h.refs == ("<a@x>", "<b@x>")
    assert h.bulk
    # Raw 8-bit bytes in a name, and no Message-ID: read, and keyed the same each time.
    odd = b"From: M\xfcller <m@x.example>\nTo: me@home.example\nDate: Mon, 1 Dec 2025 10:00 +0100\n"
    first, again = mail_history.parse_header(odd), mail_history.parse_header(odd)
    assert first.sender == "m@x.example" and first.key == again.key
    assert first.key.startswith("sha1:") and not first.bulk
