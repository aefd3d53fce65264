"""Failure injection between the sync and a real Radicale (issue 29 item 1): a proxy on
loopback passes every request through, except the ones a test names, which it answers with
an error status or cuts off half-way through the answer. The promises: nothing lost, nobody
twice, the user's edit wins or waits, and the next sync finishes the work."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.model.records import ContactRecord, Labeled
from app.model.tables import SyncBook, SyncCard
from app.services import carddav, sync
from app.services.contacts import create_contact, delete_contacts, get_contact, list_contact_ids
from app.storage.db import Database
from tests.carddav_server import PASSWORD, USER, Radicale, radicale
from tests.hostile_dav import Handler, Hostile, hostile
from tests.services.test_sync import card, edit, fill_server, names, server_names
from tests.services.test_sync import connect as connect_direct

_HOP = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}


@dataclass
class Fault:
    """Requests for which *when* is true get *status* (or, with cut, half the real answer
    and a closed connection) instead of the server's answer, *times* times."""

    when: Callable[[Handler], bool]
    status: int = 0
    cut: bool = False
    times: int = 1
    hit: int = 0


@dataclass
class Proxy:
    url: str
    faults: list[Fault] = field(default_factory=list)

    def fail(self, when: Callable[[Handler], bool], status: int = 0, cut: bool = False) -> Fault:
        fault = Fault(when, status, cut)
        self.faults.append(fault)
        return fault


def _pass_through(upstream: str, proxy: Proxy) -> Callable[[Handler, Hostile], None]:
    def answer(h: Handler, _state: Hostile) -> None:
        fault = next((f for f in proxy.faults if f.hit < f.times and f.when(h)), None)
        if fault is not None and not fault.cut:
            fault.hit += 1
            h.send(fault.status, "")
            return
        headers = {k: v for k, v in h.headers.items() if k.lower() not in _HOP}
        r = httpx.request(
            h.command, upstream + h.path, content=h.body.encode(), headers=headers, timeout=30
        )
        h.send_response(r.status_code)
        for k, v in r.headers.items():
            if k.lower() not in _HOP | {"content-encoding"}:
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(r.content)))
        h.end_headers()
        if fault is None:
            h.wfile.write(r.content)
            return
        fault.hit += 1  # the answer stops half-way: the connection drops
        h.wfile.write(r.content[: len(r.content) // 2])
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return answer


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Radicale, Proxy]]:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        proxy = Proxy("")
        with hostile(_pass_through(srv.url, proxy)) as state:
            proxy.url = state.url
            yield srv, proxy


def connect(db: Database, proxy: Proxy) -> None:
    with carddav.client(proxy.url, USER, PASSWORD) as http:
        books = carddav.discover(http, proxy.url)
    with db.session() as s:
        sync.add_account(s, proxy.url, USER, books)


def sync_once(db: Database) -> sync.SyncReport:
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    return report


def links(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count(SyncCard.id))) or 0)


def put_of(name: str, new: bool) -> Callable[[Handler], bool]:
    def when(h: Handler) -> bool:
        creates = h.headers.get("If-None-Match") == "*"
        return h.command == "PUT" and f"FN:{name}" in h.body and creates == new

    return when


def report_of(kind: str) -> Callable[[Handler], bool]:
    return lambda h: h.command == "REPORT" and kind in h.body


def in_step(db: Database) -> None:
    assert sync_once(db).summary == "everything was already in step"


@pytest.mark.parametrize("status", [507, 500])
def test_a_new_card_the_server_cannot_store_stays_here_and_goes_up_once_later(
    servers: tuple[Radicale, Proxy], db: Database, status: int
) -> None:
    srv, proxy = servers
    with db.session() as s:
        for name in ("Bo Ray", "Eve Ng"):
            create_contact(s, ContactRecord(full_name=name, emails=[Labeled(f"{name[:2]}@x.org")]))
    connect(db, proxy)
    full = proxy.fail(put_of("Eve Ng", new=True), status)  # 507: the server's disk is full
    report = sync_once(db)
    assert full.hit == 1 and report.problems
    assert names(db) == ["Bo Ray", "Eve Ng"]  # nothing lost here
    assert "Eve Ng" not in server_names(srv)
    report = sync_once(db)
    assert report.problems == []
    assert server_names(srv) == ["Bo Ray", "Eve Ng"]  # nobody twice
    assert names(db) == ["Bo Ray", "Eve Ng"] and links(db) == 2
    in_step(db)


@pytest.mark.parametrize("status", [409, 507])
def test_an_edit_the_server_refuses_is_kept_and_written_by_the_next_sync(
    servers: tuple[Radicale, Proxy], db: Database, status: int
) -> None:
    srv, proxy = servers
    srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, proxy)
    sync_once(db)
    with db.session() as s:
        (ann,) = list_contact_ids(s)
    edit(db, ann, title="Curator")
    refused = proxy.fail(put_of("Ann Lee", new=False), status)
    report = sync_once(db)
    assert refused.hit == 1 and report.problems
    (href,) = srv.cards()
    if status == 409:  # this card alone; the version refused is the one here: said so
        assert report.problems[0].startswith(f"{href}: the server refused the change (")
    (text,) = srv.cards().values()
    assert "Curator" not in text
    report = sync_once(db)  # the edit waited here, and goes now
    assert report.problems == [] and report.changed_there == 1
    (text,) = srv.cards().values()
    assert "TITLE:Curator" in text
    in_step(db)


@pytest.mark.parametrize(
    ("kind", "cut"),
    [("sync-collection", True), ("sync-collection", False), ("addressbook-multiget", True)],
    ids=["listing cut off", "listing refused", "cards cut off"],
)
def test_a_read_that_fails_half_way_changes_nothing_and_the_next_sync_catches_up(
    servers: tuple[Radicale, Proxy], db: Database, kind: str, cut: bool
) -> None:
    srv, proxy = servers
    fill_server(srv, 12)
    connect(db, proxy)
    failed = proxy.fail(report_of(kind), 500, cut=cut)
    report = sync_once(db)
    assert failed.hit == 1 and report.problems
    assert names(db) == [] and links(db) == 0
    report = sync_once(db)
    assert report.problems == [] and report.added_here == 12
    assert len(names(db)) == links(db) == 12 and len(srv.cards()) == 12
    in_step(db)


def test_a_fetch_failing_after_the_first_batch_keeps_that_batch_and_adds_no_one_twice(
    servers: tuple[Radicale, Proxy], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    srv, proxy = servers
    monkeypatch.setattr(sync, "BATCH", 5)
    fill_server(srv, 12)
    connect(db, proxy)
    batches: list[int] = []

    def second_multiget(h: Handler) -> bool:
        if report_of("addressbook-multiget")(h):
            batches.append(1)
        return len(batches) == 2

    proxy.fail(second_multiget, 503)
    report = sync_once(db)
    assert report.problems and len(names(db)) == links(db) == 5  # the first batch stays
    report = sync_once(db)
    assert report.problems == []
    assert len(names(db)) == links(db) == 12 and len(srv.cards()) == 12
    assert sorted(server_names(srv)) == names(db)
    in_step(db)


def test_a_new_card_refused_where_the_server_holds_none_is_reported_with_the_reason(
    servers: tuple[Radicale, Proxy], db: Database
) -> None:
    """409 to a new card, and nothing at its address to link it to: said, with the
    server's reason; the contact stays here unlinked and goes up at the next sync."""
    srv, proxy = servers
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Eve Ng", emails=[Labeled("eve@x.org")]))
    connect(db, proxy)
    refused = proxy.fail(put_of("Eve Ng", new=True), 409)
    report = sync_once(db)
    assert refused.hit == 1 and links(db) == 0
    ((href, why),) = [p.split(": the server refused the new card (") for p in report.problems]
    assert why == f"{proxy.url.split('://')[1]} answered 409 Conflict for {href}.)."
    assert sync_once(db).added_there == 1 and server_names(srv) == ["Eve Ng"]


def three_synced(srv: Radicale, proxy: Proxy, db: Database) -> None:
    """Ann Lee, Bob Ray and Cy Twombly on the server, synced here once through *proxy*."""
    for uid, name in [("ann", "Ann Lee"), ("bob", "Bob Ray"), ("cy", "Cy Twombly")]:
        srv.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    connect(db, proxy)
    sync_once(db)


def refused_edit_of(name: str, proxy: Proxy, db: Database) -> str:
    """*name*'s contact edited here, the edit refused with 409 at the version here (the
    server's card unchanged): the sync's one problem."""
    with db.session() as s:
        (cid,) = [i for i in list_contact_ids(s) if get_contact(s, i).full_name == name]
    edit(db, cid, title="Curator")
    refused = proxy.fail(put_of(name, new=False), 409)
    reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert refused.hit == 1
    ((problem,),) = [r.problems for r in reports if r.problems]
    return problem


def test_an_edit_refused_at_the_version_here_is_said_in_a_book_of_many_cards(
    servers: tuple[Radicale, Proxy], db: Database
) -> None:
    """The version refused is looked up for that card, not the book's first."""
    srv, proxy = servers
    three_synced(srv, proxy, db)
    with db.session() as s:
        last = s.scalars(select(SyncCard).order_by(SyncCard.id.desc())).first()
        assert last is not None and last.contact_id is not None
        name, href = get_contact(s, last.contact_id).full_name, last.href
    assert refused_edit_of(name, proxy, db).startswith(f"{href}: the server refused the change (")


def test_an_edit_refused_at_the_version_here_is_said_beside_a_book_of_the_same_paths(
    servers: tuple[Radicale, Proxy], db: Database, tmp_path: Path
) -> None:
    """Two servers where the user has the same name: their books, and so their cards'
    paths, are the same. The version refused is the one of this book's card."""
    srv, proxy = servers
    with radicale(tmp_path / "other") as other:
        other.make_book()
        other.put("ann.vcf", card("ann-kim", "Ann Kim", "kim@y.org"))
        connect_direct(db, other)
        sync_once(db)
        srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
        connect(db, proxy)
        sync.sync_all(db, password_for=lambda _k: PASSWORD)
        with db.session() as s:
            hrefs = [(c.book_id, c.href, c.etag) for c in s.scalars(select(SyncCard))]
        assert len({h for _, h, _ in hrefs}) == 1 and len({e for *_, e in hrefs}) == 2
        href = hrefs[0][1]
        assert refused_edit_of("Ann Lee", proxy, db).startswith(
            f"{href}: the server refused the change ("
        )


def test_a_link_another_sync_removed_meanwhile_is_passed_over(
    servers: tuple[Radicale, Proxy], db: Database
) -> None:
    """Two contacts deleted here; while the first deletion goes up, another sync of the
    book (a second window) forgets the second's link: it is passed over, not a crash, and
    the rest of the sync ends."""
    srv, proxy = servers
    three_synced(srv, proxy, db)
    with db.session() as s:
        ids = {get_contact(s, i).uid: i for i in list_contact_ids(s)}
        delete_contacts(s, [ids["ann"], ids["bob"]])
    deletes: list[str] = []

    def first_delete_forgets_the_other_link(h: Handler) -> bool:
        if h.command == "DELETE":
            deletes.append(h.path)
            if len(deletes) == 1:
                with db.session() as s:
                    other = s.scalars(
                        select(SyncCard).where(
                            SyncCard.href != h.path, SyncCard.contact_id != ids["cy"]
                        )
                    ).one()
                    s.delete(other)
        return False

    proxy.fail(first_delete_forgets_the_other_link)
    report = sync_once(db)
    assert report.problems == [] and (report.deleted_there, len(deletes)) == (1, 1)
    assert len(srv.cards()) == 2


@pytest.mark.parametrize("status", [400, 403, 405, 501])
def test_a_server_that_refuses_sync_collection_is_read_by_its_etags(
    servers: tuple[Radicale, Proxy], db: Database, status: int
) -> None:
    """Servers without sync-collection answer it with one of these: the sync lists the
    book's ETags instead, and finds changes and deletions there all the same."""
    srv, proxy = servers
    for uid, name in [("ann", "Ann Lee"), ("bob", "Bob Ray")]:
        srv.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    refused = proxy.fail(report_of("sync-collection"), status)
    refused.times = 1000
    connect(db, proxy)
    assert sync_once(db).added_here == 2
    srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    srv.delete(next(h for h in srv.cards() if h.endswith("/bob.vcf")))
    report = sync_once(db)
    assert (report.changed_here, report.deleted_here, report.problems) == (1, 1, [])
    assert refused.hit >= 2 and names(db) == ["Ann Lee"]


def test_a_sync_token_the_server_no_longer_knows_lists_everything_again(
    servers: tuple[Radicale, Proxy], db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server forgets old tokens (or was restored from a backup): the book is listed
    whole, and what changed or went meanwhile is found by comparing. (A listing from no
    token names only the cards the book holds, RFC 6578 §3.8; Radicale names those it
    deleted too, which are dropped here.)"""
    srv, _proxy = servers
    listing = carddav.sync_collection

    def what_it_holds(http: carddav.Connection, url: str, token: str) -> carddav.Changes:
        got = listing(http, url, token)
        return got if token else carddav.Changes(got.changed, [], got.token, got.truncated)

    monkeypatch.setattr(carddav, "sync_collection", what_it_holds)
    for uid, name in [("ann", "Ann Lee"), ("bob", "Bob Ray"), ("cy", "Cy Dunn")]:
        srv.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    connect_direct(db, srv)
    sync_once(db)
    srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    srv.delete(next(h for h in srv.cards() if h.endswith("/bob.vcf")))
    with db.session() as s:
        (book,) = s.scalars(select(SyncBook))
        assert book.sync_token
        book.sync_token = book.sync_token[:-8] + "deadbeef"  # one the server never gave
    report = sync_once(db)
    assert (report.changed_here, report.deleted_here, report.problems) == (1, 1, [])
    assert names(db) == ["Ann Lee", "Cy Dunn"]
    in_step(db)
