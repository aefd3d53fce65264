"""Two-way CardDAV sync against a real Radicale server on loopback (issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.model.records import ContactRecord, Labeled
from app.model.tables import SyncCard
from app.services import carddav, sync
from app.services.contacts import (
    create_contact,
    delete_contacts,
    get_contact,
    list_contact_ids,
    update_contact,
)
from app.storage.db import Database, open_database
from tests.carddav_server import PASSWORD, USER, Radicale, radicale
from tests.conftest import busy_timeout
from tests.hostile_dav import serving

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        yield srv


def card(uid: str, name: str, email: str = "", extra: str = "") -> str:
    family, given = name.split()[-1], name.split()[0]
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{uid}", f"FN:{name}", f"N:{family};{given};;;"]
    if email:
        lines.append(f"EMAIL;TYPE=work:{email}")
    if extra:
        lines.append(extra)
    return "\r\n".join([*lines, "END:VCARD", ""])


def connect(db: Database, srv: Radicale) -> None:
    with carddav.client(srv.url, USER, PASSWORD) as http:
        books = carddav.discover(http, srv.url)
    with db.session() as s:
        sync.add_account(s, srv.url, USER, books)


def run(db: Database, allow_deletes: bool = False) -> sync.SyncReport:
    reports = sync.sync_all(db, password_for=lambda _k: PASSWORD, allow_deletes=allow_deletes)
    assert len(reports) == 1
    assert reports[0].problems == []
    return reports[0]


def synced_ann(db: Database, srv: Radicale) -> int:
    """Ann Lee on the server, synced here once: her contact id."""
    srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, srv)
    run(db)
    with db.session() as s:
        (cid,) = list_contact_ids(s)
    return cid


def edit(db: Database, cid: int, **values: str) -> None:
    with db.session() as s:
        r = get_contact(s, cid)
        for k, v in values.items():
            setattr(r, k, v)
        update_contact(s, r)


def a_conflict(db: Database, srv: Radicale) -> int:
    """Ann's title changed both here (Director) and on the server (Keeper)."""
    cid = synced_ann(db, srv)
    edit(db, cid, title="Director")
    srv.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Keeper"))
    return cid


def names(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(get_contact(s, i).display_name for i in list_contact_ids(s))


def server_names(srv: Radicale) -> list[str]:
    out = []
    for text in srv.cards().values():
        fn = next(line for line in text.splitlines() if line.startswith("FN"))
        out.append(fn.split(":", 1)[1])
    return sorted(out)


def fill_server(srv: Radicale, n: int) -> None:
    """*n* cards on the server in one upload (a phone's whole address book)."""
    body = "".join(card(f"u{i}", f"Person{i} Name{i}", f"p{i}@example.org") for i in range(n))
    with srv.http() as h:
        # Radicale takes a whole address book in one PUT on the collection.
        r = h.put(srv.book_url(), content=body.encode(), headers={"Content-Type": "text/vcard"})
        assert r.status_code in (201, 204), r.text


def test_discovery_finds_the_book_and_explains_failures(server: Radicale) -> None:
    with carddav.client(server.url, USER, PASSWORD) as http:
        books = carddav.discover(http, server.url)
    assert [(b.name, b.supports_sync) for b in books] == [("Contacts", True)]
    assert books[0].url == server.book_url()
    with (
        pytest.raises(carddav.CardDavError) as e,
        carddav.client(server.url, USER, "wrong") as http,
    ):
        carddav.discover(http, server.url)
    assert "refused the user name or password" in str(e.value)
    gone = "http://127.0.0.1:9"
    with pytest.raises(carddav.CardDavError) as e, carddav.client(gone, USER, PASSWORD) as http:
        carddav.discover(http, gone)
    assert "Could not reach 127.0.0.1:9" in str(e.value)


def test_an_address_that_is_no_carddav_server_says_so(tmp_path: Path) -> None:
    import http.server

    handler = http.server.SimpleHTTPRequestHandler  # a plain web server: no WebDAV
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving(web):
        url = f"http://127.0.0.1:{web.server_address[1]}/"
        with pytest.raises(carddav.CardDavError) as e, carddav.client(url, USER, PASSWORD) as http:
            carddav.discover(http, url)
        assert str(e.value).startswith("No CardDAV address books were found at 127.0.0.1")


def test_first_sync_of_a_whole_book_into_an_empty_second_act(
    server: Radicale, db: Database
) -> None:
    whole = 2 * sync.BATCH + 50  # three fetch batches, the last one short
    fill_server(server, whole)
    connect(db, server)
    report = run(db)
    assert report.added_here == whole
    assert (report.added_there, report.changed_there, report.deleted_there) == (0, 0, 0)
    assert len(names(db)) == whole
    again = run(db)  # nothing changed anywhere: nothing moves
    assert again.summary == "everything was already in step"
    assert len(server.cards()) == whole


def test_first_sync_into_a_full_second_act_duplicates_no_one(
    server: Radicale, db: Database
) -> None:
    fill_server(server, 250)  # three fetch batches, the last one short
    with db.session() as s:
        # Already here from an earlier file import: same email, more details.
        for i in range(0, 250, 10):
            create_contact(
                s,
                ContactRecord(
                    full_name=f"Person{i} Name{i}",
                    emails=[Labeled(f"p{i}@example.org", "work")],
                    title="Engineer",
                ),
            )
        create_contact(s, ContactRecord(full_name="Only Here", emails=[Labeled("o@h.org")]))
    connect(db, server)
    report = run(db)
    assert report.added_here == 225
    assert report.added_there == 1  # Only Here went up
    assert report.changed_there == 25  # what this side knew more went up too
    assert len(names(db)) == 251
    cards = server.cards()
    assert len(cards) == 251
    assert sum("TITLE:Engineer" in t for t in cards.values()) == 25
    assert run(db).summary == "everything was already in step"


def test_edits_deletions_and_a_server_only_property_both_ways(
    server: Radicale, db: Database
) -> None:
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "X-PHONETIC-LAST-NAME:lee"))
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org"))
    server.put("cy.vcf", card("cy", "Cy Young", "cy@x.org"))
    connect(db, server)
    run(db)
    with db.session() as s:
        ids = {get_contact(s, i).uid: i for i in list_contact_ids(s)}
        ann = get_contact(s, ids["ann"])
        ann.title = "Curator"  # edited here
        update_contact(s, ann)
        delete_contacts(s, [ids["cy"]])  # deleted here
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org", "TITLE:Pilot"))  # edited there
    dan = card("dan", "Dan Orr", "dan@x.org")
    server.put("dan.vcf", dan)  # added there
    report = run(db)
    assert (report.added_here, report.changed_here, report.deleted_here) == (1, 1, 0)
    assert (report.added_there, report.changed_there, report.deleted_there) == (0, 1, 1)
    cards = {k.rsplit("/", 1)[-1]: v for k, v in server.cards().items()}
    assert sorted(cards) == ["ann.vcf", "bob.vcf", "dan.vcf"]
    assert "TITLE:Curator" in cards["ann.vcf"]
    assert "X-PHONETIC-LAST-NAME:lee" in cards["ann.vcf"]  # only the server knew it: kept
    with db.session() as s:
        bob = get_contact(s, ids["bob"])
        assert bob.title == "Pilot"
    assert names(db) == ["Ann Lee", "Bob Ray", "Dan Orr"]
    # A deletion there comes here.
    server.delete(next(h for h in server.cards() if h.endswith("/dan.vcf")))
    report = run(db)
    assert report.deleted_here == 1
    assert names(db) == ["Ann Lee", "Bob Ray"]


def test_groups_photos_and_categories_the_server_holds_survive_a_local_edit(
    server: Radicale, db: Database
) -> None:
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5E"
        "rkJggg=="
    )
    photo = f"PHOTO;ENCODING=b;TYPE=PNG:{png}"
    server.put(
        "ann.vcf",
        card("ann", "Ann Lee", "ann@x.org", f"CATEGORIES:Family,Museum\r\n{photo}"),
    )
    group = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:grp\r\nFN:Friends\r\nN:Friends;;;;\r\n"
        "X-ADDRESSBOOKSERVER-KIND:group\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ann\r\n"
        "END:VCARD\r\n"
    )
    server.put("friends.vcf", group)
    connect(db, server)
    run(db)
    assert names(db) == ["Ann Lee"]  # the group is not a person
    with db.session() as s:
        (cid,) = list_contact_ids(s)
        ann = get_contact(s, cid)
        assert ann.tags == ["Family", "Museum"] and ann.photo
        ann.title = "Curator"
        update_contact(s, ann)
    assert run(db).changed_there == 1
    cards = {k.rsplit("/", 1)[-1]: v for k, v in server.cards().items()}
    assert "TITLE:Curator" in cards["ann.vcf"]
    assert "CATEGORIES:Family,Museum" in cards["ann.vcf"]
    unfolded = cards["ann.vcf"].replace("\n ", "").replace("\r", "")
    assert (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
        in unfolded
    )
    assert cards["friends.vcf"].replace("\r", "") == group.replace("\r", "")  # untouched


def test_both_sides_edit_apart_merge_and_the_same_field_is_a_conflict(
    server: Radicale, db: Database
) -> None:
    cid = synced_ann(db, server)
    edit(db, cid, title="Curator")
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "NOTE:met at the fair"))
    report = run(db)
    assert report.merged == 1 and report.conflicts == []
    (text,) = server.cards().values()
    assert "TITLE:Curator" in text and "NOTE:met at the fair" in text
    with db.session() as s:
        assert get_contact(s, cid).note == "met at the fair"
    edit(db, cid, title="Director")  # now both change the title
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Keeper\r\nORG:Museum"))
    report = run(db)
    assert report.conflicts == ["Ann Lee"]
    with db.session() as s:
        assert get_contact(s, cid).title == "Director"  # neither side touched
        (link,) = sync.conflicts(s)
        assert ("Title", "Director", "Keeper") in sync.differences(s, link)
    (text,) = server.cards().values()
    assert "TITLE:Keeper" in text
    assert run(db).conflicts == []  # a conflict waits; it is not re-reported as new
    with db.session() as s:
        sync.resolve_conflict(s, sync.conflicts(s)[0].id, "here")
    run(db)
    (text,) = server.cards().values()
    assert "TITLE:Director" in text
    assert "ORG:Museum" in text  # the server's other change was not lost by keeping mine
    with db.session() as s:
        assert sync.conflicts(s) == []
        assert get_contact(s, cid).organization == "Museum"


def test_both_sides_adding_and_removing_emails_are_all_kept(server: Radicale, db: Database) -> None:
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "EMAIL:old@x.org"))
    connect(db, server)
    run(db)
    with db.session() as s:
        (cid,) = list_contact_ids(s)
        ann = get_contact(s, cid)
        ann.emails = [e for e in ann.emails if e.value != "old@x.org"]  # removed here
        ann.emails.append(Labeled("laptop@x.org"))  # and one added here
        update_contact(s, ann)
    # On the phone meanwhile: one added, ann@x.org removed.
    server.put("ann.vcf", card("ann", "Ann Lee", "phone@x.org", "EMAIL:old@x.org"))
    report = run(db)
    assert report.conflicts == [] and report.merged == 1
    with db.session() as s:
        assert [e.value for e in get_contact(s, cid).emails] == ["laptop@x.org", "phone@x.org"]
    (text,) = server.cards().values()
    assert sorted(line.split(":")[-1] for line in text.splitlines() if "EMAIL" in line) == [
        "laptop@x.org",
        "phone@x.org",
    ]


def test_taking_the_servers_side_of_a_conflict(server: Radicale, db: Database) -> None:
    cid = a_conflict(db, server)
    run(db)
    with db.session() as s:
        sync.resolve_conflict(s, sync.conflicts(s)[0].id, "server")
        assert get_contact(s, cid).title == "Keeper"
    report = run(db)
    assert report.changed_there == 0 and report.conflicts == []
    (text,) = server.cards().values()
    assert "TITLE:Keeper" in text


def test_more_than_a_handful_of_deletions_wait_for_confirmation(
    server: Radicale, db: Database
) -> None:
    fill_server(server, 20)
    connect(db, server)
    run(db)
    for href in list(server.cards())[:8]:
        server.delete(href)
    report = run(db)
    assert report.deletions_held == 8 and report.deleted_here == 0
    assert len(names(db)) == 20
    report = run(db, allow_deletes=True)
    assert report.deleted_here == 8
    assert len(names(db)) == 12


@pytest.mark.parametrize(
    ("there", "here"),
    [(sync.HANDFUL, 0), (sync.HANDFUL - 2, 2), (sync.HANDFUL - 2, 3)],
    ids=["a handful there", "a handful both ways", "one more than a handful"],
)
def test_a_handful_of_deletions_is_made_and_one_more_waits(
    server: Radicale, db: Database, there: int, here: int
) -> None:
    fill_server(server, 12)
    connect(db, server)
    run(db)
    for href, text in server.cards().items():  # Person0 to Person{there - 1}
        if int(text.split("UID:u")[1].split()[0]) < there:
            server.delete(href)
    with db.session() as s:  # Person11, Person10, ...: other people
        gone = {f"Person{11 - i} Name{11 - i}" for i in range(here)}
        delete_contacts(s, [i for i in list_contact_ids(s) if get_contact(s, i).full_name in gone])
    report = run(db)
    if there + here > sync.HANDFUL:
        assert (report.deletions_held, report.deleted_here) == (there + here, 0)
        assert len(server.cards()) == 12 - there
    else:
        assert (report.deletions_held, report.deleted_here) == (0, there)
        assert len(names(db)) == len(server.cards()) == 12 - there - here


def test_without_sync_collection_the_etags_are_compared(
    server: Radicale, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_a: object, **_k: object) -> carddav.Changes:
        raise carddav.CardDavError("no sync-collection here", 501)

    monkeypatch.setattr(carddav, "sync_collection", refused)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org"))
    connect(db, server)
    assert run(db).added_here == 2
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Curator"))
    server.delete(next(h for h in server.cards() if h.endswith("/bob.vcf")))
    report = run(db)
    assert (report.changed_here, report.deleted_here) == (1, 1)
    assert names(db) == ["Ann Lee"]


def test_a_server_that_pages_its_changes_is_followed_to_the_end(
    server: Radicale, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some servers send sync-collection results in pages (507 on the collection, RFC 6578
    §3.6). Radicale does not, so its answer is cut in pages of 7 here."""
    fill_server(server, 20)
    real = carddav.sync_collection
    asked: list[str] = []

    def paged(http: Any, url: str, token: str) -> carddav.Changes:
        asked.append(token)
        everything = real(http, url, "")
        hrefs = sorted(everything.changed)
        start = 0 if not token else int(token.rsplit("#", 1)[1])
        part = hrefs[start : start + 7]
        more = start + 7 < len(hrefs)
        return carddav.Changes(
            {h: everything.changed[h] for h in part},
            [],
            f"{everything.token}#{start + 7}" if more else everything.token,
            truncated=more,
        )

    monkeypatch.setattr(carddav, "sync_collection", paged)
    connect(db, server)
    assert run(db).added_here == 20
    assert len(asked) == 3


def test_stopping_a_sync_keeps_what_was_done_and_the_next_one_finishes(
    server: Radicale, db: Database
) -> None:
    with db.session() as s:
        for i in range(30):
            create_contact(s, ContactRecord(full_name=f"L{i} P", emails=[Labeled(f"l{i}@x.org")]))
    connect(db, server)
    writing: list[str] = []
    asked = [0]

    def cancelled() -> bool:  # the window closing once some cards went up
        asked[0] += bool(writing)
        return asked[0] > 20  # asked a few times for each card written

    (report,) = sync.sync_all(
        db,
        password_for=lambda _k: PASSWORD,
        progress=lambda said: writing.append(said) if said.startswith("Writing") else None,
        cancelled=cancelled,
    )
    assert report.problems == ["Stopped before the end; the next sync carries on."]
    assert 0 < report.added_there < 30
    assert 0 < len(server.cards()) < 30
    assert run(db).added_there == 30 - report.added_there
    assert len(server.cards()) == 30


def test_a_database_busy_with_an_import_is_reported_not_a_crash(
    short_busy_timeout: int, server: Radicale, db: Database
) -> None:
    import sqlite3

    assert busy_timeout(db) == short_busy_timeout
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, server)
    other = sqlite3.connect(db.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database (an import)
    try:
        (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    finally:
        other.rollback()
        other.close()
    assert report.problems == [
        "Second Act was busy writing (an import?); the next sync carries on."
    ]
    assert run(db).added_here == 1  # and the next one does


def test_a_second_device_converges_on_the_same_contacts(
    server: Radicale, db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        for i in range(30):
            create_contact(
                s,
                ContactRecord(
                    full_name=f"Here{i} Person", emails=[Labeled(f"h{i}@x.org")], tier="B"
                ),
            )
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, server)
    run(db)
    other = open_database(tmp_path / "laptop" / "second-act.sqlite3")
    try:
        connect(other, server)
        assert run(other).added_here == 31
        assert names(other) == names(db)
        with other.session() as s:  # an edit on the laptop reaches the desktop
            cid = next(i for i in list_contact_ids(s) if get_contact(s, i).full_name == "Ann Lee")
        edit(other, cid, title="Curator")
        run(other)
        assert run(db).changed_here == 1
        with db.session() as s:
            titles = {get_contact(s, i).full_name: get_contact(s, i) for i in list_contact_ids(s)}
        assert titles["Ann Lee"].title == "Curator"
        assert titles["Here3 Person"].tier == "B"
        with other.session() as s:
            tiers = {get_contact(s, i).tier for i in list_contact_ids(s)}
        assert tiers == {"B", ""}
    finally:
        other.close()


# The command line's sync, killed by the operating system right after its 20th card was
# written: a fixed point in the write phase instead of a race against a clock.
_KILLED_AFTER_PUTS = """
import os, runpy, signal, sys
from app.services import carddav
put, done = carddav.put, []
def counted(*args, **kwargs):
    etag = put(*args, **kwargs)
    done.append(1)
    if len(done) == int(os.environ["KILL_AFTER_PUTS"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return etag
carddav.put = counted
sys.argv[0] = "app"
runpy.run_module("app", run_name="__main__")
"""


def test_a_sync_killed_half_way_resumes_without_duplicates(
    server: Radicale, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    db = open_database(data / "second-act.sqlite3")
    try:
        with db.session() as s:
            for i in range(40):
                create_contact(
                    s, ContactRecord(full_name=f"Local{i} Person", emails=[Labeled(f"l{i}@x.org")])
                )
        connect(db, server)
    finally:
        db.close()
    fill_server(server, 30)
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "tests.keyring_backend.FileKeyring",
        "SECOND_ACT_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHONPATH": str(ROOT),
        "KILL_AFTER_PUTS": "20",
    }
    (tmp_path / "keyring.json").write_text(
        json.dumps({f"{sync.KEYRING_SERVICE}\0{USER}@{server.url.split('//')[1]}": PASSWORD})
    )
    args = ["--data-dir", str(data), "sync"]
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_PUTS, *args], env=env, capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(server.cards()) == 30 + 20  # killed part-way through the uploads
    cmd = [sys.executable, "-m", "app", *args]
    out = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    db = open_database(data / "second-act.sqlite3")
    try:
        assert len(names(db)) == 70
        cards = server.cards()
        assert len(cards) == 70
        assert sorted(server_names(server)) == names(db)
        with db.session() as s:
            links = list(s.scalars(select(SyncCard)))
            assert len(links) == 70 and len({c.contact_id for c in links}) == 70
        assert run(db).summary == "everything was already in step"
    finally:
        db.close()


def test_the_command_line_prints_what_it_did(server: Radicale, tmp_path: Path) -> None:
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "tests.keyring_backend.FileKeyring",
        "SECOND_ACT_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "SECOND_ACT_CARDDAV_PASSWORD": PASSWORD,
        "PYTHONPATH": str(ROOT),
    }
    data = str(tmp_path / "data")
    base = [sys.executable, "-m", "app", "--data-dir", data, "sync"]
    out = subprocess.run(
        [*base, "--add-account", server.url, "--user", USER, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    (book,) = json.loads(out.stdout)
    assert (book["book"], book["added_here"]) == ("Contacts", 1)
    assert PASSWORD in (tmp_path / "keyring.json").read_text()  # kept in the keyring
    for f in Path(data).rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f
    out = subprocess.run(base, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Contacts: everything was already in step." in out.stdout


def test_upgrade_from_0007_keeps_contacts_and_adds_sync(tmp_path: Path) -> None:
    from tests.migrations import ann_lee_upgraded_from

    with ann_lee_upgraded_from(tmp_path / "old.sqlite3", "0007") as db, db.session() as s:
        assert get_contact(s, 1).full_name == "Ann Lee"
        assert sync.accounts(s) == []
        assert sync.conflicts(s) == []


def test_an_untrusted_certificate_is_refused_in_plain_words(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trustme

    ca = trustme.CA()
    with radicale(tmp_path / "tls", tls=ca) as srv:
        srv_books = None
        with (
            pytest.raises(carddav.CardDavError) as e,
            carddav.client(srv.url, USER, PASSWORD) as http,
        ):
            carddav.discover(http, srv.url)  # this computer does not trust the test CA
        assert "certificate of 127.0.0.1" in str(e.value)
        assert "did not send your password" in str(e.value)
        # The CA installed where the system looks (here: SSL_CERT_FILE): trusted.
        pem = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))
        with carddav.client(srv.url, USER, PASSWORD) as http:
            srv_books = carddav.discover(http, srv.url)
        assert srv_books == []  # reached, over verified TLS (no book made yet)


def test_a_server_gone_half_way_is_reported_and_the_next_sync_catches_up(
    tmp_path: Path, db: Database
) -> None:
    root = tmp_path / "radicale"
    with radicale(root) as srv:
        srv.make_book()
        connect(db, srv)
        url = srv.url
    # The server is gone (the network dropped): a problem in plain words, nothing changed.
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Eve Ng", emails=[Labeled("eve@x.org")]))
    reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert "Could not reach 127.0.0.1" in reports[0].problems[0]
    with db.session() as s:
        assert "Could not reach" in sync.last_synced(s)[1]
        assert list(s.scalars(select(SyncCard))) == []
    with radicale(root, port=int(url.rsplit(":", 1)[1])) as back:  # the network is back
        report = run(db)
        assert report.added_there == 1
        assert server_names(back) == ["Eve Ng"]
        with db.session() as s:
            assert sync.last_synced(s)[1] == ""


def test_a_truncated_sync_collection_answer_is_recognised() -> None:
    """The 507 on the collection (RFC 6578 §3.6, as Nextcloud and iCloud send it), read from
    the RFC's own example shape; Radicale never pages, so the answer is given here."""
    import httpx

    body = """<?xml version="1.0" encoding="utf-8" ?>
<d:multistatus xmlns:d="DAV:">
  <d:response><d:href>/book/a.vcf</d:href>
    <d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop>
    <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
  <d:response><d:href>/book/gone.vcf</d:href><d:status>HTTP/1.1 404 Not Found</d:status>
  </d:response>
  <d:response><d:href>/book/</d:href>
    <d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>
  <d:sync-token>http://example.com/ns/sync/2</d:sync-token>
</d:multistatus>"""
    transport = httpx.MockTransport(lambda _request: httpx.Response(207, text=body))
    book = "http://example.com/book/"
    with carddav.Connection(httpx.Client(transport=transport), book) as http:
        page = carddav.sync_collection(http, book, "tok1")
    assert page == carddav.Changes(
        {"/book/a.vcf": '"1"'}, ["/book/gone.vcf"], "http://example.com/ns/sync/2", True
    )
