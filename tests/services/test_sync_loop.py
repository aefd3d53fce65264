"""The sync loop's smaller promises, through a real Radicale server on loopback.

Asked for by the survivors of mutation testing (tests/MUTATION.md, app/services/sync.py, the
"loop" group)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.model.records import ContactRecord, Labeled
from app.services import carddav, sync
from app.services.contacts import (
    create_contact,
    delete_contacts,
    get_contact,
    list_contact_ids,
    update_contact,
)
from app.services.importing import parse_bytes
from app.storage.db import Database
from app.vcard.problems import Severity
from tests.carddav_server import PASSWORD, Radicale, radicale
from tests.services.test_sync import card, connect, edit, run, synced_ann


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        yield srv


def introduced_by_bob(db: Database, cid: int) -> int:
    """Bob Roy (UID bob) made here and set as *cid*'s introducer: his id."""
    with db.session() as s:
        bob = create_contact(s, ContactRecord(uid="bob", full_name="Bob Roy"))
        r = get_contact(s, cid)
        r.introduced_by_id = bob
        update_contact(s, r)
    return bob


def went_up_with_bob(server: Radicale, db: Database) -> None:
    """Ann's card on the server names Bob as her introducer beside her title, and the next
    sync finds both sides in step."""
    ann_card = next(t for h, t in server.cards().items() if h.endswith("/ann.vcf"))
    assert "INTRODUCED-BY:bob" in ann_card and "TITLE:Pilot" in ann_card
    assert run(db).summary == "everything was already in step"


def test_a_change_there_to_a_contact_introduced_here_keeps_the_introducer(
    server: Radicale, db: Database
) -> None:
    """The card names Ann's introducer by UID; merging a change there reads it here."""
    ann = synced_ann(db, server)
    bob = introduced_by_bob(db, ann)
    run(db)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    report = run(db)
    assert report.changed_here == 1
    with db.session() as s:
        r = get_contact(s, ann)
        assert (r.title, r.introduced_by_id) == ("Pilot", bob)
        r.note = "met at the fair"  # edited here, and there too: merged
        update_contact(s, r)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Chief pilot"))
    report = run(db)
    assert (report.changed_here, report.merged, report.changed_there) == (1, 1, 1)
    with db.session() as s:
        r = get_contact(s, ann)
        assert (r.title, r.note, r.introduced_by_id) == ("Chief pilot", "met at the fair", bob)


def test_changes_there_are_taken_as_written_and_each_is_counted(
    server: Radicale, db: Database
) -> None:
    """What another client wrote is kept even where the contact form would refuse it (an
    email without @): refusing it would stop the sync or lose it."""
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org"))
    connect(db, server)
    run(db)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann at x.org"))
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org", "TITLE:Pilot"))
    report = run(db)
    assert (report.changed_here, report.merged, report.changed_there) == (2, 0, 0)
    with db.session() as s:
        emails = {get_contact(s, i).emails[0].value for i in list_contact_ids(s)}
    assert emails == {"ann at x.org", "bob@x.org"}
    with db.session() as s:
        for cid in list_contact_ids(s):
            r = get_contact(s, cid)
            r.note = "edited here"
            update_contact(s, r, check=False)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann at x.org", "TITLE:Chief"))
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org", "TITLE:Chief pilot"))
    report = run(db)
    assert (report.changed_here, report.merged, report.changed_there) == (2, 2, 2)


def test_group_cards_among_the_people_are_left_and_everyone_after_them_comes(
    server: Radicale, db: Database
) -> None:
    for i in range(4):
        group = f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:g{i}\r\nFN:Group {i}\r\nKIND:group\r\n"
        server.put(f"g{i}.vcf", group + "END:VCARD\r\n")
        server.put(f"p{i}.vcf", card(f"p{i}", f"Pat{i} Roe", f"p{i}@x.org"))
    connect(db, server)
    assert run(db).added_here == 4
    with db.session() as s:
        assert sorted(get_contact(s, i).uid for i in list_contact_ids(s)) == [
            "p0",
            "p1",
            "p2",
            "p3",
        ]


def test_cards_the_reader_skips_are_reported_with_its_reasons_and_the_rest_come(
    server: Radicale, db: Database
) -> None:
    nameless = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:n{}\r\nFN:\r\nNOTE:hi\r\nEND:VCARD\r\n"
    for i in range(3):
        server.put(f"n{i}.vcf", nameless.format(i))
        server.put(f"p{i}.vcf", card(f"p{i}", f"Pat{i} Roe", f"p{i}@x.org"))
    (errors,) = [c.problems for c in parse_bytes(nameless.format(0).encode(), "").cards]
    assert [p.severity for p in errors] == [Severity.ERROR]
    connect(db, server)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert report.added_here == 3
    skipped = sorted(h for h in server.cards() if h.rsplit("/", 1)[1].startswith("n"))
    assert sorted(report.problems) == [
        f"{href}: not a card Second Act can read ({errors[0].message}); "
        "left on the server as it is."
        for href in skipped
    ]


def test_a_card_deleted_here_and_changed_there_comes_back_with_the_change(
    server: Radicale, db: Database
) -> None:
    """The server's edit wins over this side's deletion: nothing is lost."""
    ann = synced_ann(db, server)
    with db.session() as s:
        delete_contacts(s, [ann])
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    report = run(db)
    assert (report.added_here, report.deleted_there) == (1, 0)
    with db.session() as s:
        (ann,) = list_contact_ids(s)
        assert get_contact(s, ann).title == "Pilot"
    (text,) = server.cards().values()
    assert "TITLE:Pilot" in text


def test_a_first_sync_counts_a_card_joining_a_contact_here_as_a_change_here(
    server: Radicale, db: Database
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ann Lee", emails=[Labeled("ann@x.org")]))
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org"))
    connect(db, server)
    report = run(db)
    assert (report.added_here, report.changed_here) == (1, 1)


def test_a_first_sync_joining_a_contact_introduced_here_keeps_the_introducer_in_step(
    server: Radicale, db: Database
) -> None:
    """The joined contact's card names its introducer by UID, which takes the session: the
    card goes up with it once, and the next sync finds both sides in step."""
    with db.session() as s:
        bob = create_contact(s, ContactRecord(uid="bob", full_name="Bob Roy"))
        create_contact(
            s,
            ContactRecord(full_name="Ann Lee", emails=[Labeled("ann@x.org")], introduced_by_id=bob),
        )
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    connect(db, server)
    report = run(db)
    assert (report.added_here, report.changed_here) == (0, 1)
    with db.session() as s:
        (ann,) = [i for i in list_contact_ids(s) if i != bob]
        r = get_contact(s, ann)
        assert (r.title, r.introduced_by_id) == ("Pilot", bob)
    went_up_with_bob(server, db)


def test_a_card_the_reader_skips_for_two_reasons_is_reported_with_both(
    server: Radicale, db: Database
) -> None:
    """A resource whose text holds a nameless card nested in another (Radicale stores it):
    both cards are skipped, each for its reason, and the report gives the two, apart."""
    nested = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:n1\r\nFN:\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:n1\r\nFN:\r\nEND:VCARD\r\nEND:VCARD\r\n"
    )
    server.put("n1.vcf", nested)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    ((href, text),) = [(h, t) for h, t in server.cards().items() if h.endswith("/n1.vcf")]
    reasons = [
        p.message
        for c in parse_bytes(text.encode(), href).cards
        for p in c.problems
        if p.severity is Severity.ERROR
    ]
    assert len(reasons) == 2
    connect(db, server)
    (report,) = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert report.added_here == 1
    assert report.problems == [
        f"{href}: not a card Second Act can read ({reasons[0]}; {reasons[1]}); "
        "left on the server as it is."
    ]


def test_cards_after_a_waiting_conflict_in_the_same_batch_are_applied(
    server: Radicale, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without sync-collection every card is listed at each sync, the one whose conflict
    waits for the user too: it is passed over, and the cards after it still come."""

    def refused(*_a: object, **_k: object) -> carddav.Changes:
        raise carddav.CardDavError("no sync-collection here", 501)

    monkeypatch.setattr(carddav, "sync_collection", refused)
    people = [("ann", "Ann Lee"), ("bob", "Bob Ray"), ("cy", "Cy Twombly"), ("di", "Di Fox")]
    for uid, name in people:
        server.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    connect(db, server)
    assert run(db).added_here == 4
    with db.session() as s:
        ids = {get_contact(s, i).uid: i for i in list_contact_ids(s)}
    edit(db, ids["ann"], title="Director")
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Keeper"))
    assert run(db).conflicts == ["Ann Lee"]
    for uid, name in people[1:]:
        server.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org", "TITLE:Pilot"))
    fetch = carddav.fetch

    def conflict_first(
        http: carddav.Connection, url: str, hrefs: list[str]
    ) -> dict[str, tuple[str, str]]:
        """The server's answer, the card in conflict first (a server answers in any order)."""
        got = fetch(http, url, hrefs)
        return dict(sorted(got.items(), key=lambda item: not item[0].endswith("/ann.vcf")))

    monkeypatch.setattr(carddav, "fetch", conflict_first)
    report = run(db)
    assert (report.changed_here, report.conflicts) == (3, [])
    with db.session() as s:
        titles = {uid: get_contact(s, cid).title for uid, cid in ids.items()}
        assert [link.contact_id for link in sync.conflicts(s)] == [ids["ann"]]
    assert titles == {"ann": "Director", "bob": "Pilot", "cy": "Pilot", "di": "Pilot"}


def test_an_introducer_set_here_goes_up_when_the_server_changed_the_card_meanwhile(
    server: Radicale, db: Database
) -> None:
    """The introducer is set here, another field there: the merge keeps both, and the
    server's card gets the introducer too (it was dropped, the sides said to be in step)."""
    ann = synced_ann(db, server)
    bob = introduced_by_bob(db, ann)
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "TITLE:Pilot"))
    report = run(db)
    assert (report.changed_here, report.merged, report.changed_there) == (1, 1, 1)
    with db.session() as s:
        r = get_contact(s, ann)
        assert (r.title, r.introduced_by_id) == ("Pilot", bob)
    went_up_with_bob(server, db)


def test_a_card_deleted_on_one_server_deletes_that_books_contact_not_one_at_the_same_path(
    tmp_path: Path, db: Database
) -> None:
    """Two servers where the user has the same name: the books, and so the cards' paths, are
    the same. A card deleted on the second deletes its own contact here, and only it."""
    with radicale(tmp_path / "one") as one, radicale(tmp_path / "two") as two:
        for srv, (uid, name) in ((one, ("kim", "Ann Kim")), (two, ("ann", "Ann Lee"))):
            srv.make_book()
            srv.put("ann.vcf", card(uid, name, f"{uid}@x.org"))
            connect(db, srv)
        reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
        assert [r.added_here for r in reports] == [1, 1]
        assert list(one.cards()) == list(two.cards())  # the same path on both
        with db.session() as s:
            assert sorted(get_contact(s, i).full_name for i in list_contact_ids(s)) == [
                "Ann Kim",
                "Ann Lee",
            ]
        (href,) = two.cards()
        two.delete(href)
        reports = sync.sync_all(db, password_for=lambda _k: PASSWORD)
    assert [(r.deleted_here, r.problems) for r in reports] == [(0, []), (1, [])]
    with db.session() as s:
        assert [get_contact(s, i).full_name for i in list_contact_ids(s)] == ["Ann Kim"]


def pages_of(monkeypatch: pytest.MonkeyPatch, *pages: carddav.Changes) -> list[str]:
    """sync-collection answered with *pages* in turn (the last one again and again): the
    tokens asked with. A server's own paging (RFC 6578 §3.6), which Radicale never does."""
    asked: list[str] = []

    def answer(_http: object, _url: str, token: str) -> carddav.Changes:
        asked.append(token)
        return pages[min(len(asked), len(pages)) - 1]

    monkeypatch.setattr(carddav, "sync_collection", answer)
    return asked


def test_pages_are_added_up_the_later_page_winning(monkeypatch: pytest.MonkeyPatch) -> None:
    """A card removed on one page and back on a later one is there; one changed and then
    removed is gone; each with the ETag its last page gave."""
    asked = pages_of(
        monkeypatch,
        carddav.Changes({"/b/a.vcf": "a1", "/b/c.vcf": "c1"}, ["/b/x.vcf"], "t1", True),
        carddav.Changes({"/b/x.vcf": "x2", "/b/a.vcf": "a2"}, ["/b/c.vcf"], "t2", False),
    )
    got = sync._all_pages(None, "https://dav.example.org/b/", "t0")  # type: ignore[arg-type]
    assert asked == ["t0", "t1"]
    assert (got.changed, got.removed, got.token) == (
        {"/b/a.vcf": "a2", "/b/x.vcf": "x2"},
        ["/b/c.vcf"],
        "t2",
    )


@pytest.mark.parametrize("token", ["", "t0"], ids=["no token", "the same token"])
def test_a_page_saying_more_without_a_new_token_ends_the_paging(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    asked = pages_of(monkeypatch, carddav.Changes({"/b/a.vcf": "a1"}, [], token, True))
    got = sync._all_pages(None, "https://dav.example.org/b/", "t0")  # type: ignore[arg-type]
    assert (asked, got.changed) == (["t0"], {"/b/a.vcf": "a1"})


def test_a_server_that_never_stops_paging_is_given_up_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def endless(_http: object, _url: str, token: str) -> carddav.Changes:
        asked.append(token)
        return carddav.Changes({}, [], f"t{len(asked)}", True)

    monkeypatch.setattr(carddav, "sync_collection", endless)
    with pytest.raises(carddav.CardDavError) as gave_up:
        sync._all_pages(None, "https://dav.example.org/b/", "t0")  # type: ignore[arg-type]
    assert str(gave_up.value) == "The server kept sending more changes; try again later."
    assert len(asked) == 1000
