"""How a sync reaches its servers, without the window: the password kept in the keyring, the
certificate the user trusted, an address an older version kept, a Stop that cuts a request
waiting on the network, and the deletions held by default.

Asked for by mutation testing (tests/MUTATION.md, app/services/sync.py, the "loop" group):
only the window's tests (tests/ui/sync, the trust prompt's) reached these."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme

from app.model.records import ContactRecord, Labeled
from app.model.tables import SyncAccount, SyncBook
from app.services import carddav, sync, trust
from app.services.contacts import create_contact
from app.storage.db import Database
from tests.carddav_server import PASSWORD, USER, Radicale, radicale
from tests.hostile_dav import Handler, Hostile, hostile
from tests.services.test_sync import card, connect, names


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[Radicale]:
    """Radicale over HTTPS with a certificate of a private authority (a home server's),
    holding Ann Lee; srv.verify trusts that authority."""
    with radicale(tmp_path / "tls", tls=trustme.CA()) as srv:
        srv.make_book()
        srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
        yield srv


def tls_account(db: Database, srv: Radicale) -> None:
    with carddav.client(srv.url, USER, PASSWORD, srv.verify) as http:  # type: ignore[arg-type]
        books = carddav.discover(http, srv.url)
    with db.session() as s:
        sync.add_account(s, srv.url, USER, books)


def test_a_server_whose_certificate_the_user_trusted_syncs_with_the_kept_password(
    tls_server: Radicale, db: Database
) -> None:
    """The sync as the window starts it: no password given (the keyring's), no certificate
    authority given (the system's, and the certificates the user trusted)."""
    tls_account(db, tls_server)
    assert sync.passwords().set(sync.AccountKey(tls_server.url, USER), PASSWORD)
    (report,) = sync.sync_all(db)
    assert "certificate of 127.0.0.1" in report.problems[0]  # not trusted yet: nothing sent
    assert names(db) == []
    where = urlsplit(tls_server.url)
    assert where.hostname and where.port
    cert = trust.fetch_certificate(where.hostname, where.port)
    assert cert is not None
    with db.session() as s:
        trust.trust(s, cert)
    (report,) = sync.sync_all(db)
    assert (report.problems, report.added_here) == ([], 1)
    assert names(db) == ["Ann Lee"]


def test_a_certificate_authority_given_to_the_sync_is_trusted(
    tls_server: Radicale, db: Database
) -> None:
    tls_account(db, tls_server)
    assert isinstance(tls_server.verify, carddav.ssl.SSLContext)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD, verify=tls_server.verify)
    assert (report.problems, report.added_here) == ([], 1)


def test_an_http_address_an_older_version_kept_is_reported_for_each_book_unsent(
    db: Database, tmp_path: Path
) -> None:
    """As an older version stored it (the window now refuses such an address); the
    accounts after it sync all the same."""
    url = "http://dav.example.org"
    with db.session() as s:
        old = SyncAccount(url=url, username=USER)
        s.add(old)
        s.flush()
        s.add_all(
            SyncBook(account_id=old.id, url=f"{url}/ann/b{i}/", name=f"Book {i}") for i in range(2)
        )
        account = old.id
    with pytest.raises(carddav.CardDavError) as refused:
        carddav.check_address(url)
    why = str(refused.value)
    assert "unencrypted" in why
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
        connect(db, srv)
        reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert [(r.book, r.problems) for r in reports] == [
        ("Book 0", [why]),
        ("Book 1", [why]),
        ("Contacts", []),
    ]
    assert reports[2].added_here == 1
    with db.session() as s:
        assert [b.last_error for b in sync.books_of(s, account)] == [why, why]
        assert sync.last_synced(s)[1] == f"Book 0: {why}; Book 1: {why}"


def test_a_stop_cuts_a_request_waiting_on_the_network(db: Database) -> None:
    """The server answers a byte at a time for minutes: Stop ends the sync at once, as
    "stopped", not when the answer or the time allowed for it runs out."""

    def drip(h: Handler, _state: Hostile) -> None:
        h.drip(b" ", 0.05)

    with hostile(drip) as server:
        with db.session() as s:
            book = carddav.BookInfo(f"{server.url}/{USER}/contacts/", "Contacts", True)
            sync.add_account(s, server.url, USER, [book])
        stop = carddav.Stop()
        reports: list[sync.SyncReport] = []

        def run() -> None:
            reports.extend(sync.sync_all(db, password_for=lambda _k: PASSWORD, cancelled=stop))

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        assert server.answering.wait(30)
        stop.set()
        worker.join(60)  # a bound for a broken build; the answer drips for far longer
        assert not worker.is_alive()
        assert not server.finished.is_set()
    ((report,),) = [reports]
    assert report.problems == [str(carddav.Stopped())]


def test_more_than_a_handful_of_deletions_are_held_unless_the_sync_is_told(
    tmp_path: Path, db: Database
) -> None:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        for i in range(sync.HANDFUL + 1):
            srv.put(f"p{i}.vcf", card(f"p{i}", f"Pat{i} Roe", f"p{i}@x.org"))
        connect(db, srv)
        (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
        assert report.added_here == sync.HANDFUL + 1
        for href in srv.cards():
            srv.delete(href)
        (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert (report.deleted_here, report.deletions_held) == (0, sync.HANDFUL + 1)
    assert len(names(db)) == sync.HANDFUL + 1


def test_the_sync_says_what_it_is_doing_as_it_goes(tmp_path: Path, db: Database) -> None:
    """The window's status line reads these while a sync runs."""
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        for uid in ("ann", "bob"):
            srv.put(f"{uid}.vcf", card(uid, f"{uid.title()} Lee", f"{uid}@x.org"))
        connect(db, srv)
        said: list[str] = []
        with db.session() as s:
            assert sync.last_synced(s) == (None, "")
        (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD, progress=said.append)
    where = urlsplit(srv.url).netloc
    assert said[:2] == [f"Asking {where} what changed…", "Reading cards 1 to 2 of 2…"]
    assert report.book == "Contacts"  # the report names the book, as the window shows it
    with db.session() as s:
        when, errors = sync.last_synced(s)
    assert when is not None and errors == ""


def test_new_contacts_go_to_the_first_book_only_and_wait_while_it_is_unreachable(
    tmp_path: Path, db: Database
) -> None:
    """With two accounts, a contact made here is written to the first account's book (the
    window says so), not to every book; while that server cannot be reached, it waits."""
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Eve Ng", emails=[Labeled("eve@x.org")]))
    with radicale(tmp_path / "one") as one:
        one.make_book()
        connect(db, one)
        port = int(one.url.rsplit(":", 1)[1])
    with radicale(tmp_path / "two") as two:
        two.make_book()
        connect(db, two)
        reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
        assert "Could not reach" in reports[0].problems[0]
        assert (reports[1].added_there, two.cards()) == (0, {})
        with radicale(tmp_path / "one", port=port) as one:  # back
            reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
            assert [r.added_there for r in reports] == [1, 0]
            assert (len(one.cards()), len(two.cards())) == (1, 0)


def test_a_certificate_trusted_for_an_address_without_a_port_is_the_one_for_443(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """https://dav.example.org is port 443: the certificate the user trusted there is the
    one the connection is given. (No server here: the connection is only looked at.)"""
    pem = trustme.CA().issue_cert("dav.example.org").cert_chain_pems[0].bytes()
    der = ssl.PEM_cert_to_DER_cert(pem.decode())
    with db.session() as s:
        trust.trust(s, trust.Certificate("dav.example.org", 443, der))
        sync.add_account(
            s,
            "https://dav.example.org",
            USER,
            [carddav.BookInfo("https://dav.example.org/ann/c/", "Contacts", True)],
        )
    given: list[ssl.SSLContext | None] = []

    def client(*args: object, **_kw: object) -> carddav.Connection:
        given.append(args[3])  # type: ignore[arg-type]
        raise carddav.CardDavError("not connecting in this test")

    monkeypatch.setattr(carddav, "client", client)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert report.problems == ["not connecting in this test"]
    ((context,),) = [given]
    assert context is not None  # the trusted certificate alone, as the leaf it is:
    assert context.cert_store_stats()["x509"] == 1 and context.get_ca_certs() == []
    assert context.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN
