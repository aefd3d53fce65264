"""The CardDAV client against servers that answer badly (issues 20 and 22): the password goes
only to the address the user entered, over TLS; answers are capped in size and in time; a stop
cuts a request waiting on the network; card hrefs stay inside their address book. Every
server here is real, on loopback (tests/hostile_dav.py)."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import trustme
from sqlalchemy import select

from app.model.tables import SyncAccount, SyncBook, SyncCard
from app.services import carddav, sync
from app.services.contacts import list_contact_ids
from app.storage.db import Database
from tests.carddav_server import PASSWORD, USER
from tests.hostile_dav import (
    BOOK,
    Answer,
    Handler,
    Hostile,
    a_server,
    hostile,
    multistatus,
    recorder,
    response,
)
from tests.services.test_sync import card

ROOT = Path(__file__).resolve().parents[2]


def discover(url: str, verify: ssl.SSLContext | None = None) -> list[carddav.BookInfo]:
    with carddav.client(url, USER, PASSWORD, verify) as http:
        return carddav.discover(http, url)


def add_account(db: Database, url: str, book_url: str = "") -> None:
    """The account as an older version kept it: whatever book address the server gave."""
    with db.session() as s:
        account = SyncAccount(url=url, username=USER)
        s.add(account)
        s.flush()
        s.add(SyncBook(account_id=account.id, url=book_url or url + BOOK, name="Contacts"))


def sync_once(db: Database, cancelled: carddav.Stop | None = None) -> list[str]:
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD, cancelled=cancelled)
    return report.problems


# -- the password goes only to the address entered -------------------------------------------
@pytest.mark.parametrize("where", ["principal", "home", "book"])
def test_an_href_to_another_address_is_refused_and_gets_no_password(where: str) -> None:
    with hostile(recorder) as other:
        elsewhere = f"{other.url}/ann/"  # plain http, another origin: a TLS proxy's slip
        hrefs = {"principal": "/ann/", "home": "/ann/", "book": BOOK}
        hrefs[where] = elsewhere + ("contacts/" if where == "book" else "")
        with hostile(a_server(**hrefs)) as srv:
            with pytest.raises(carddav.CardDavError) as e:
                discover(srv.url)
            assert f"sent Second Act on to {other.url}/ann/" in str(e.value)
            assert "sends your password only to the address you entered" in str(e.value)
        assert other.seen == []


def test_a_redirect_to_another_address_or_to_http_is_not_followed() -> None:
    """RFC 6764's .well-known redirect, from https to http on another port."""
    ca = trustme.CA()
    with hostile(recorder) as other:

        def well_known(h: Handler, _state: Hostile) -> None:
            if h.path == "/.well-known/carddav":
                h.send(301, "", {"Location": f"{other.url}/dav/"})
            else:
                h.send(404, "")

        context = ssl.create_default_context()
        ca.configure_trust(context)
        with hostile(well_known, tls=ca) as srv:
            with pytest.raises(carddav.CardDavError) as e:
                discover(srv.url, context)
            assert f"127.0.0.1:{srv.url.rsplit(':', 1)[1]} sent Second Act on to" in str(e.value)
            assert "(with https://)" in str(e.value)
            assert [s.path for s in srv.seen] == ["/", "/.well-known/carddav"]
        assert other.seen == []


def test_a_redirect_on_the_same_address_is_followed_with_the_password() -> None:
    """Nextcloud's .well-known/carddav, sent on to /remote.php/dav on the same server."""
    dav = a_server()

    def nextcloud(h: Handler, state: Hostile) -> None:
        if h.path == "/.well-known/carddav":
            h.send(301, "", {"Location": "/remote.php/dav/"})
        elif h.path == "/":
            h.send(404, "")
        else:
            h.path = "/" if h.path == "/remote.php/dav/" else h.path
            dav(h, state)

    with hostile(nextcloud) as srv:
        (book,) = discover(srv.url)
        assert book == carddav.BookInfo(srv.url + BOOK, "Contacts", False)
        assert [(s.method, s.path, s.password) for s in srv.seen] == [
            ("PROPFIND", "/", True),
            ("PROPFIND", "/.well-known/carddav", True),
            ("PROPFIND", "/remote.php/dav/", True),
            ("PROPFIND", "/ann/", True),  # the principal: its home set
            ("PROPFIND", "/ann/", True),  # the home set: its books
        ]


def test_a_book_kept_on_another_address_gets_no_password(db: Database) -> None:
    """An address book an older version stored where a server pointed it: never contacted."""
    with hostile(recorder) as other, hostile(recorder) as srv:
        add_account(db, srv.url, other.url + BOOK)
        (problem,) = sync_once(db)
        assert "another address than the one you entered" in problem
        assert other.seen == []
        with db.session() as s, pytest.raises(carddav.CardDavError):
            sync.add_account(
                s, srv.url, USER, [carddav.BookInfo(other.url + BOOK, "Contacts", True)]
            )


def test_an_http_address_is_refused_before_anything_is_sent(db: Database, tmp_path: Path) -> None:
    plain = "http://contacts.example.invalid/dav/"
    with pytest.raises(carddav.CardDavError) as e:
        discover(plain)
    assert str(e.value) == (
        "contacts.example.invalid was given with http://, which would send your password "
        "unencrypted. Use its https:// address instead (https://contacts.example.invalid/dav/)."
    )
    with db.session() as s, pytest.raises(carddav.CardDavError):
        sync.add_account(s, plain, USER, [])
    add_account(db, plain)  # kept by an older version: the sync refuses it too
    assert "unencrypted" in sync_once(db)[0]
    # The command line says so, before asking for the password.
    data = str(tmp_path / "data")
    command = [sys.executable, "-m", "app", "--data-dir", data, "sync", "--add-account", plain]
    out = subprocess.run(
        [*command, "--user", USER],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "would send your password unencrypted" in out.stderr
    assert "Password for" not in out.stderr


def test_plain_http_to_this_computer_is_allowed() -> None:
    for url in ("http://127.0.0.1:5232/", "http://localhost:5232", "http://[::1]/"):
        assert carddav.check_address(url) == url


# -- answers within limits ---------------------------------------------------------------------
def test_an_endless_answer_is_cut_at_the_cap(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(carddav, "MAX_ANSWER", 2**20)

    def endless(h: Handler, _state: Hostile) -> None:
        h.drip(b"<d:response><d:href>/x</d:href></d:response>" * 1000, every=0)

    with hostile(endless) as srv:
        add_account(db, srv.url)
        (problem,) = sync_once(db)
        assert problem == (
            f"{srv.url.split('//')[1]} sent an answer larger than 1 MB; Second Act stopped "
            "reading it."
        )
        assert srv.hung_up.wait(20)
        assert not srv.finished.is_set()


@pytest.mark.parametrize("headers_only", [False, True])
def test_an_answer_that_drips_forever_meets_a_deadline(
    db: Database, monkeypatch: pytest.MonkeyPatch, headers_only: bool
) -> None:
    monkeypatch.setattr(carddav, "ANSWER_WITHIN", 0.25)  # not five minutes: the drip is endless

    def drip(h: Handler, _state: Hostile) -> None:
        h.drip(b"X-More: 1\r\n" if headers_only else b" ", every=0.05, headers_only=headers_only)

    with hostile(drip) as srv:
        add_account(db, srv.url)
        (problem,) = sync_once(db)
        assert (
            f"took more than {0.25 / 60:g} minutes to answer, so Second Act gave up. "
            "Try again later." in problem
        )  # the deadline met is the one the test set
        assert not srv.finished.is_set()


@pytest.mark.parametrize("tls", [False, True])
def test_a_stop_cuts_a_request_waiting_on_the_server(
    db: Database, tls: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The window closing while the server sends nothing: no waiting for a time-out."""
    ca = trustme.CA() if tls else None
    if ca is not None:  # the test CA installed where the system looks
        pem = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    release = threading.Event()

    def stall(h: Handler, state: Hostile) -> None:
        state.answering.set()
        if not release.wait(60):
            h.send(207, multistatus())
            state.finished.set()

    stop = carddav.Stop()
    with hostile(stall, tls=ca) as srv:
        add_account(db, srv.url)
        threading.Thread(target=lambda: srv.answering.wait(20) and stop.set()).start()
        assert sync_once(db, stop) == ["Stopped before the end; the next sync carries on."]
        assert not srv.finished.is_set()
        release.set()


# -- card hrefs stay in their book -------------------------------------------------------------
@pytest.mark.parametrize(
    "href",
    [
        "../other/x.vcf",  # relative to the book
        BOOK + "../../x.vcf",
        BOOK + "%2e%2e/x.vcf",  # the server decodes what urljoin does not resolve
        "http://127.0.0.1:9/ann/contacts/x.vcf",  # another origin
    ],
)
def test_a_card_href_outside_the_book_is_refused(db: Database, href: str) -> None:
    with hostile(a_book(href, card("x", "Xavier Outside", "x@x.org"))) as srv:
        add_account(db, srv.url)
        (problem,) = sync_once(db)
        assert f"named a card outside the address book ({href})" in problem
        assert [(s.method, s.path) for s in srv.seen] == [("REPORT", BOOK)]
    with db.session() as s:
        assert list_contact_ids(s) == []
        assert list(s.scalars(select(SyncCard))) == []


def test_a_card_href_spelt_another_way_inside_the_book_is_read(db: Database) -> None:
    book = "/dav/ann@x.org/contacts/"
    with hostile(a_book("/dav/ann%40x.org/contacts/a.vcf", card("a", "Ann Lee"))) as srv:
        add_account(db, srv.url, srv.url + book)
        assert sync_once(db) == []
    with db.session() as s:
        assert len(list_contact_ids(s)) == 1


def a_book(href: str, vcard: str) -> Answer:
    """A book whose one card the server names *href*."""

    def answer(h: Handler, _state: Hostile) -> None:
        if h.command == "REPORT" and "sync-collection" in h.body:
            etag = response(href, '<d:getetag>"1"</d:getetag>')
            h.send(207, multistatus(etag, token="t1"))
        elif h.command == "REPORT":  # the multiget: the card, under the href it named
            data = f'<d:getetag>"1"</d:getetag><c:address-data>{vcard}</c:address-data>'
            h.send(207, multistatus(response(href, data)))
        else:
            h.send(204, "")

    return answer
