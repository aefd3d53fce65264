"""The text written over a server's card (server_text), without a server: which version it
is written in, the REV it is stamped with, folded lines, the introducer; and the name a new
card gets on the server (through Radicale).

Asked for by the survivors of mutation testing (tests/MUTATION.md, app/services/sync.py, the
"text" group); test_sync_servers.py claims the splice itself through Radicale and Xandikos."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from app.model.records import ContactRecord, Labeled
from app.services import sync
from app.services.contacts import create_contact
from app.storage.db import Database
from app.vcard.mapping import X_PREFIX
from tests.carddav_server import radicale
from tests.services.test_sync import connect, run

V4 = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "PRODID:-//Other//EN\r\n"
    "UID:urn:uuid:ann\r\n"
    "FN:Ann Lee\r\n"
    "N:Lee;Ann;;;\r\n"
    "TEL;TYPE=cell:+44-20-1234\r\n"
    "EMAIL;TYPE=work:ann@x.org\r\n"
    "TITLE:Clerk\r\n"
    "END:VCARD\r\n"
)


def record(card: str, **edits: object) -> ContactRecord:
    r = sync.parse_card(card, "")
    assert r is not None
    return replace(r, **edits)  # type: ignore[arg-type]


def written(db: Database, server_card: str, r: ContactRecord) -> list[str]:
    with db.session() as s:
        return sync.server_text(s, r, server_card).split("\r\n")


def without_rev(lines: list[str]) -> list[str]:
    return [x for x in lines if not x.startswith("REV:")]


def test_a_version_4_card_is_spliced_in_version_4(db: Database) -> None:
    r = record(V4, phones=[Labeled("+44-20-1234", "mobile"), Labeled("+1 555", "home")])
    # 4.0's lower-case TYPE, the other client's PRODID and order: only the phones are ours.
    assert without_rev(written(db, V4, r)) == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "PRODID:-//Other//EN",
        "UID:urn:uuid:ann",
        "FN:Ann Lee",
        "N:Lee;Ann;;;",
        "TEL;TYPE=cell:+44-20-1234",
        "TEL;TYPE=home:+1 555",
        "EMAIL;TYPE=work:ann@x.org",
        "TITLE:Clerk",
        "END:VCARD",
        "",
    ]


def test_a_version_3_0_card_is_spliced_in_version_3_0(db: Database) -> None:
    v3 = V4.replace("VERSION:4.0", "VERSION:3.0").replace("TYPE=cell", "TYPE=CELL")
    r = record(v3, phones=[Labeled("+44-20-1234", "mobile"), Labeled("+1 555", "home")])
    lines = written(db, v3, r)
    assert lines[6:8] == ["TEL;TYPE=CELL:+44-20-1234", "TEL;TYPE=HOME:+1 555"]


def test_a_version_2_1_card_is_written_whole_in_3_0(db: Database) -> None:
    """2.1 has no escapes and encodings of its own: no line of it is kept beside ours."""
    v21 = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lee;Ann\r\nFN:Ann Lee\r\n"
        "EMAIL;INTERNET;WORK:ann@x.org\r\nTITLE:Clerk\r\nUID:ann\r\nEND:VCARD\r\n"
    )
    r = record(v21, title="Curator")
    with db.session() as s:
        whole = sync.card_text(s, r, v21, "3.0").split("\r\n")
    lines = written(db, v21, r)
    assert without_rev(lines) == whole
    assert lines[-3].startswith("REV:") and "VERSION:3.0" in lines


def test_a_card_without_a_version_or_with_a_line_of_no_name_is_written_whole(
    db: Database,
) -> None:
    no_version = V4.replace("VERSION:4.0\r\n", "")
    r = record(no_version, title="Curator")
    with db.session() as s:
        assert without_rev(written(db, no_version, r)) == sync.card_text(s, r).split("\r\n")
    # A quoted-printable soft break's next line may start with "=": no property name there.
    v21 = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lee;Ann\r\nFN:Ann Lee\r\nUID:ann\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:met at the=\r\n=20fair\r\nEND:VCARD\r\n"
    )
    r = record(v21, title="Curator")
    assert r.note == "met at the fair"
    with db.session() as s:
        assert without_rev(written(db, v21, r)) == sync.card_text(s, r).split("\r\n")


@pytest.fixture
def new_york() -> Iterator[None]:
    """The process in a time zone five hours behind UTC (in winter)."""
    saved = time.tzname
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "America/New_York")
        time.tzset()
        assert time.timezone == 5 * 3600, saved  # the zone database knows it
        yield
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_the_rev_of_an_edit_is_now_in_utc_whatever_the_local_zone(db: Database) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    lines = written(db, V4, record(V4, title="Curator"))
    after = dt.datetime.now(dt.UTC)
    (rev,) = [x for x in lines if x.startswith("REV:")]
    stamp = dt.datetime.strptime(rev, "REV:%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert before <= stamp <= after


def test_a_grouped_rev_keeps_its_group_and_a_card_without_end_gets_one_last(
    db: Database,
) -> None:
    grouped = V4.replace("TITLE:Clerk\r\n", "TITLE:Clerk\r\nitem3.REV:20200101T000000Z\r\n")
    lines = written(db, grouped, record(grouped, title="Curator"))
    (rev,) = [x for x in lines if "REV:" in x]
    assert rev.startswith("item3.REV:") and rev != "item3.REV:20200101T000000Z"
    # No END line (the reader reads such a card, with a warning): the card is closed, and REV
    # goes after the rest, before the END that closes it.
    open_card = V4.replace("END:VCARD\r\n", "")
    lines = written(db, open_card, record(open_card, title="Curator"))
    assert lines[-3].startswith("REV:") and lines[-2:] == ["END:VCARD", ""]
    assert "TITLE:Curator" in lines


def test_folded_lines_of_a_replaced_property_go_with_it(db: Database) -> None:
    """Continuation lines start with a space or a tab: they belong to the line above."""
    folded = V4.replace(
        "TITLE:Clerk\r\n", "TITLE:Clerk\r\nNOTE:met at\r\n  the fair\r\n\tin May\r\n"
    )
    assert record(folded).note == "met at the fairin May"
    lines = written(db, folded, record(folded, note="new"))
    assert without_rev(lines)[8:11] == ["TITLE:Clerk", "NOTE:new", "END:VCARD"]


def test_the_introducer_here_is_written_by_its_uid(db: Database) -> None:
    with db.session() as s:
        bob = create_contact(s, ContactRecord(uid="bob-uid", full_name="Bob Roy"))
    lines = written(db, V4, record(V4, introduced_by_id=bob))
    assert f"{X_PREFIX}INTRODUCED-BY:bob-uid" in lines
    # Its whole value is the UID, colons and all: another introducer here replaces it.
    with db.session() as s:
        eve = create_contact(s, ContactRecord(uid="tel:1234", full_name="Eve Ng"))
    theirs = V4.replace("TITLE:Clerk\r\n", f"{X_PREFIX}INTRODUCED-BY:urn:uuid:1234\r\n")
    lines = written(db, theirs, record(theirs, introduced_by_id=eve))
    assert [x for x in lines if "INTRODUCED-BY" in x] == [f"{X_PREFIX}INTRODUCED-BY:tel:1234"]


def test_a_new_card_is_named_on_the_server_by_its_uid_made_safe(
    tmp_path: Path, db: Database
) -> None:
    odd, long = "urn:uuid:Ann/Lee é+1", "x" * 130
    with db.session() as s:
        create_contact(s, ContactRecord(uid=odd, full_name="Ann Lee"))
        create_contact(s, ContactRecord(uid=long, full_name="Bob Roy"))
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        connect(db, srv)
        assert run(db).added_there == 2
        names = {unquote(urlsplit(h).path.rsplit("/", 1)[1]) for h in srv.cards()}
    # Letters (any script), digits, - _ . kept; anything else one "_"; at most 120 of them.
    assert names == {"urn_uuid_Ann_Lee_é_1.vcf", "x" * 120 + ".vcf"}


def test_the_servers_uid_is_kept_folded_or_escaped_and_a_new_card_has_its_own(
    db: Database,
) -> None:
    r = record(V4, uid="here")
    with db.session() as s:
        assert "UID:here" in sync.card_text(s, r).split("\r\n")  # a new card: its own
        theirs = V4.replace("UID:urn:uuid:ann", "UID:urn:uuid:a\\,b\\;\r\n c")
        assert "UID:urn:uuid:a\\,b\\;c" in sync.card_text(s, r, theirs).split("\r\n")
        no_uid = V4.replace("UID:urn:uuid:ann\r\n", "")
        assert "UID:here" in sync.card_text(s, r, no_uid).split("\r\n")


def test_over_a_card_the_reader_cannot_make_a_contact_of_ours_is_written_whole(
    db: Database,
) -> None:
    nameless = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ann\r\nNOTE;X-A=1:\r\nEND:VCARD\r\n"
    assert sync.parse_card(nameless, "") is None
    r = record(V4, uid="ann")
    with db.session() as s:
        assert without_rev(written(db, nameless, r)) == sync.card_text(s, r).split("\r\n")
