"""Sync against both real servers on loopback: Radicale (a log of changes) and Xandikos
(snapshots diffed, the bytes stored as written), issue 20 items 9 to 11."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.model.records import ContactRecord, Labeled
from app.model.tables import SyncBook
from app.services import carddav, settings, sync
from app.services.contacts import create_contact, get_contact, list_contact_ids, update_contact
from app.storage.db import Database
from tests.carddav_server import PASSWORD, Radicale, radicale
from tests.services.test_sync import card, connect, edit, names, run
from tests.xandikos_server import Xandikos, xandikos


@pytest.fixture(params=["radicale", "xandikos"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Radicale]:
    start = radicale if request.param == "radicale" else xandikos
    with start(tmp_path / request.param) as srv:
        srv.make_book()
        yield srv


def path(srv: Radicale) -> str:
    """The book's path, as the hrefs of its cards start."""
    return urlsplit(srv.book_url()).path


def only_href(srv: Radicale) -> str:
    (href,) = srv.cards()
    return href


def test_created_here_deleted_there_is_deleted_here(server: Radicale, db: Database) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Eve Ng", emails=[Labeled("eve@x.org")]))
    connect(db, server)
    assert run(db).added_there == 1
    server.delete(only_href(server))  # another client deletes it
    report = run(db)
    assert report.deleted_here == 1
    assert names(db) == []
    assert server.cards() == {}


def test_edited_here_deleted_there_is_written_back_not_lost(server: Radicale, db: Database) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Eve Ng", emails=[Labeled("eve@x.org")]))
    connect(db, server)
    run(db)
    with db.session() as s:
        (cid,) = list_contact_ids(s)
    server.delete(only_href(server))
    edit(db, cid, title="Potter")
    report = run(db)
    assert report.added_there == 1  # kept, and written back as new
    (text,) = server.cards().values()
    assert "TITLE:Potter" in text
    assert run(db).summary == "everything was already in step"


def a_write_raced_by(db: Database, srv: Radicale, other_client: Callable[[], None]) -> int:
    """Ann edited here; *other_client* acts on the server just before the sync writes her
    card, so that the server answers the write 412. The first sync's report; Ann's id."""
    srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, srv)
    run(db)
    with db.session() as s:
        (cid,) = list_contact_ids(s)
    edit(db, cid, title="Curator")
    assert sync_raced_by(db, other_client).problems == []
    return cid


def sync_raced_by(db: Database, other_client: Callable[[], None]) -> sync.SyncReport:
    """One sync, *other_client* acting on the server just before the sync's first PUT goes
    out: after this side read the card (and its ETag), before it writes."""
    put = carddav.put
    raced = []

    def raced_put(*args: Any, **kwargs: Any) -> str:
        if not raced:
            raced.append(1)
            other_client()
        return put(*args, **kwargs)

    carddav.put = raced_put  # type: ignore[assignment]
    try:
        (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    finally:
        carddav.put = put  # type: ignore[assignment]
    assert raced, "the sync wrote nothing"
    return report


def test_a_card_changed_there_just_before_the_write_is_merged_not_skipped(
    server: Radicale, db: Database
) -> None:
    """The 412 is not skipped in silence (and then on every sync): the card is fetched
    again and merged."""
    cid = a_write_raced_by(
        db,
        server,
        lambda: server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "NOTE:met at the fair")),
    )
    with db.session() as s:
        assert get_contact(s, cid).note == "met at the fair"
    run(db)
    (text,) = server.cards().values()
    assert "TITLE:Curator" in text and "NOTE:met at the fair" in text
    assert run(db).summary == "everything was already in step"


def test_a_card_deleted_there_just_before_the_write_is_written_back(
    server: Radicale, db: Database
) -> None:
    a_write_raced_by(db, server, lambda: server.delete(only_href(server)))
    assert names(db) == ["Ann Lee"]  # edited here: kept
    (text,) = server.cards().values()  # and on the server again, with the edit
    assert "TITLE:Curator" in text
    assert run(db).summary == "everything was already in step"


def test_a_card_of_the_same_uid_added_there_meanwhile_is_linked_not_an_error(
    tmp_path: Path, db: Database
) -> None:
    """Radicale answers 409 (no-uid-conflict) to a new card whose UID another card has: the
    phone uploaded the same person just before this side did. (Xandikos takes both.)"""
    with db.session() as s:
        create_contact(
            s, ContactRecord(uid="eve-1", full_name="Eve Ng", emails=[Labeled("eve@x.org")])
        )
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        connect(db, srv)
        phone = card("eve-1", "Eve Ng", "eve@x.org", "TITLE:Potter")
        report = sync_raced_by(db, lambda: srv.put("phone-1.vcf", phone))
        assert report.problems == []
        assert names(db) == ["Eve Ng"]
        with db.session() as s:
            (cid,) = list_contact_ids(s)
            assert get_contact(s, cid).title == "Potter"
        assert [h.rsplit("/", 1)[-1] for h in srv.cards()] == ["phone-1.vcf"]
        assert run(db).summary == "everything was already in step"


# -- item 10: another client's card is written only where the contact changed ----------------
KHARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//khard//EN\r\nUID:ole\r\nN:Dane;Ole;;;\r\n"
    "FN:Ole Dane\r\nEMAIL;TYPE=home,pref:ole@dane.dk\r\nitem1.TEL;TYPE=cell:+45 1234\r\n"
    "item1.X-ABLabel:Boat\r\nCATEGORIES:from-khard\\, danes\r\nREV:20240101T120000Z\r\n"
    "END:VCARD\r\n"
)


def stored(srv: Radicale, name: str) -> str:
    """The card as the server gives it back: Xandikos stores the bytes PUT, Radicale its own
    serialisation of them (the same lines, sorted)."""
    with srv.http() as h:
        r = h.get(srv.book_url() + name)
        assert r.status_code == 200
        return r.text


def lines(text: str) -> set[str]:
    return set(text.replace("\r\n ", "").splitlines())


def ole_synced(db: Database, srv: Radicale, *here: ContactRecord) -> tuple[sync.SyncReport, str]:
    """Ole's card as khard wrote it, on the server, synced once (*here*: contacts here
    before): the first sync's report, and the card as the server had it before."""
    srv.put("ole.vcf", KHARD)
    before = stored(srv, "ole.vcf")
    with db.session() as s:
        for r in here:
            create_contact(s, r)
    connect(db, srv)
    return run(db), before


def revision(card: str) -> dt.datetime:
    """The card's REV, which Second Act writes in UTC as YYYYMMDDTHHMMSSZ."""
    (rev,) = [x for x in card.split("\r\n") if x.startswith("REV:")]
    return dt.datetime.strptime(rev, "REV:%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def added_lines(before: str, after: str) -> set[str]:
    """The lines a write added to a card, having kept every line it had."""
    assert lines(before) <= lines(after)
    return lines(after) - lines(before)


def test_the_first_sync_writes_nothing_over_another_clients_card(
    server: Radicale, db: Database
) -> None:
    report, before = ole_synced(db, server)
    assert report.added_here == 1 and report.changed_there == 0
    assert stored(server, "ole.vcf") == before
    assert run(db).summary == "everything was already in step"


def test_an_edit_here_changes_only_its_own_lines_of_another_clients_card(
    server: Radicale, db: Database
) -> None:
    _, before = ole_synced(db, server)
    with db.session() as s:
        (cid,) = list_contact_ids(s)
    edit(db, cid, title="Harbour master")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    assert run(db).changed_there == 1
    after = stored(server, "ole.vcf")
    # Kept: TYPE=home,pref, CATEGORIES:from-khard\, danes, item1's label Boat. REV is now.
    rev = revision(after)
    assert start <= rev <= dt.datetime.now(dt.UTC)
    stamp = f"REV:{rev:%Y%m%dT%H%M%SZ}"
    assert added_lines(before.replace("REV:20240101T120000Z", stamp), after) == {
        "TITLE:Harbour master"
    }
    if isinstance(server, Xandikos):  # the very bytes, the new line before END
        assert after == KHARD.replace("END:VCARD", "TITLE:Harbour master\r\nEND:VCARD").replace(
            "REV:20240101T120000Z", stamp
        )
    # A custom label added here takes a group of its own, not the card's item1 (Boat).
    with db.session() as s:
        r = get_contact(s, cid)
        r.emails.append(Labeled("ole@harbour.dk", "Harbour"))
        update_contact(s, r)
    run(db)
    now = stored(server, "ole.vcf")
    added = {x.casefold() for x in lines(now) - lines(after)}
    assert {"item2.email:ole@harbour.dk", "item2.x-ablabel:harbour"} <= added
    assert "item1.x-ablabel:boat" in {x.casefold() for x in lines(now)}
    with db.session() as s:
        phones = get_contact(s, cid).phones
    assert [(p.value, p.label) for p in phones] == [("+45 1234", "Boat")]
    assert run(db).summary == "everything was already in step"


def test_the_first_sync_adds_what_only_this_side_knew_and_keeps_the_rest(
    server: Radicale, db: Database
) -> None:
    # Here already, from a file: the same email, and a note the card lacks.
    here = ContactRecord(
        full_name="Ole Dane", emails=[Labeled("ole@dane.dk", "home")], note="Met at the harbour"
    )
    report, before = ole_synced(db, server, here)
    assert report.changed_there == 1 and names(db) == ["Ole Dane"]
    after = stored(server, "ole.vcf")
    stamp = f"REV:{revision(after):%Y%m%dT%H%M%SZ}"
    assert added_lines(before.replace("REV:20240101T120000Z", stamp), after) == {
        "NOTE:Met at the harbour"
    }
    assert run(db).summary == "everything was already in step"


def test_a_group_renamed_longer_is_folded_again_and_unchanged_cards_keep_their_bytes(
    tmp_path: Path, db: Database
) -> None:
    """A label added here takes item10 where the card's item1 to item9 are taken: its first
    line grows by a character and is folded again (75 octets at most). Xandikos keeps the
    bytes written."""
    phones = "".join(f"item{i}.TEL:+45 {i}\r\nitem{i}.X-ABLabel:Boat{i}\r\n" for i in range(1, 10))
    other = card("other", "Other Card", "other@x.org")
    with xandikos(tmp_path / "x") as srv:
        srv.make_book()
        srv.put(
            "ole.vcf",
            KHARD.replace("item1.TEL;TYPE=cell:+45 1234\r\nitem1.X-ABLabel:Boat\r\n", phones),
        )
        srv.put("other.vcf", other)
        connect(db, srv)
        run(db)
        before_other = stored(srv, "other.vcf")
        with db.session() as s:
            [cid] = [c for c in list_contact_ids(s) if get_contact(s, c).full_name == "Ole Dane"]
            r = get_contact(s, cid)
            # "item1.EMAIL:" and the address: 75 octets as this side writes it, 76 as item10.
            r.emails.append(Labeled("o" * 52 + "@harbour.dk", "Harbour"))
            update_contact(s, r)
        assert run(db).changed_there == 1
        after = stored(srv, "ole.vcf")
        assert stored(srv, "other.vcf") == before_other == other
        assert run(db).summary == "everything was already in step"
    assert all(len(line.encode()) <= 75 for line in after.split("\r\n")), after
    assert "item10.email:" + "o" * 52 + "@harbour.dk" in {x.casefold() for x in lines(after)}
    with db.session() as s:
        assert "o" * 52 + "@harbour.dk" in [e.value for e in get_contact(s, cid).emails]


# -- item 11: one card the reader fails on is reported, and the others sync -------------------
def test_a_card_with_an_undefined_charset_does_not_stop_the_others(
    server: Radicale, db: Database
) -> None:
    """Contacts on iOS exports write CHARSET=undefined: whether the reader keeps the card
    or not, the sync goes on with the other cards and says what it left."""
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    odd = card(
        "odd", "Odd Ball", extra="item1.EMAIL:odd@x.org\r\nitem1.X-ABLabel;CHARSET=undefined:Lab"
    )
    server.put("odd.vcf", odd)
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org"))
    connect(db, server)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert {"Ann Lee", "Bob Ray"} <= set(names(db))
    if "Odd Ball" not in names(db):
        (problem,) = report.problems
        assert problem.startswith(f"{path(server)}odd.vcf: not a card Second Act can read (")
    else:
        assert report.problems == []


def failing_on_cy(data: bytes, name: str) -> Any:
    """The reader, made to fail on Cy's card with a message quoting it."""
    if b"\nUID:cy\n" in data.replace(b"\r", b""):
        raise UnicodeError("cannot decode 'FN:Cy Young' 'EMAIL:cy@x.org'")
    return READ(data, name)


READ = sync.parse_bytes


def test_a_card_the_reader_fails_on_is_reported_and_the_others_sync(
    server: Radicale, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever makes the reader fail on one card (here made to fail on Cy's, whatever
    the reader can do by now): that card is named with the reason, the others sync, and it
    is read again at each sync until it can be, while the book's sync token is saved (the
    other cards are not asked for again). The reason names no content of the card."""
    real = sync.parse_bytes

    def token() -> str:
        with db.session() as s:
            (book,) = s.scalars(select(SyncBook))
            return book.sync_token

    monkeypatch.setattr(sync, "parse_bytes", failing_on_cy)
    for uid, name in (("ann", "Ann Lee"), ("cy", "Cy Young"), ("bob", "Bob Ray")):
        server.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    connect(db, server)
    asked: list[str] = []
    real_sync_collection = sync.carddav.sync_collection

    def sync_collection(http: Any, url: str, token: str) -> Any:
        asked.append(token)
        return real_sync_collection(http, url, token)

    monkeypatch.setattr(sync.carddav, "sync_collection", sync_collection)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert report.added_here == 2 and names(db) == ["Ann Lee", "Bob Ray"]
    problem = (
        f"{path(server)}cy.vcf: not a card Second Act can read (the reader failed: "
        "UnicodeError); left on the server as it is."
    )
    assert report.problems == [problem]
    with db.session() as s:
        assert "cy.vcf" not in sync.last_synced(s)[1]  # the book itself synced
    first = token()
    assert first  # saved, though one card was unread
    server.put("dan.vcf", card("dan", "Dan Orr", "dan@x.org"))
    asked.clear()
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert asked[0] == first  # only what changed since: not everything again
    assert report.added_here == 1 and report.problems == [problem]  # said again, not forgotten
    monkeypatch.setattr(sync, "parse_bytes", real)  # the reader copes now (an update)
    assert run(db).added_here == 1
    assert names(db) == ["Ann Lee", "Bob Ray", "Cy Young", "Dan Orr"]
    assert run(db).summary == "everything was already in step"


def test_an_unread_card_deleted_there_is_forgotten(
    server: Radicale, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sync.parse_bytes
    monkeypatch.setattr(sync, "parse_bytes", failing_on_cy)
    server.put("cy.vcf", card("cy", "Cy Young", "cy@x.org"))
    connect(db, server)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert len(report.problems) == 1
    with db.session() as s:
        assert settings.get(s, "sync.unread.1")
    server.delete(f"{path(server)}cy.vcf")
    run(db)  # no problem left
    with db.session() as s:
        assert settings.get(s, "sync.unread.1") is None
    monkeypatch.setattr(sync, "parse_bytes", real)
    assert run(db).summary == "everything was already in step"
