"""What the sync writes to the server and deletes there, and server deletions applied here,
through a real Radicale (some through the failure-injecting proxy of test_sync_failures).

Asked for by mutation testing (tests/MUTATION.md, app/services/sync.py, the "loop" group):
each test below failed with a mutant that no earlier test caught."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from app.model.records import ContactRecord, Labeled
from app.model.tables import Contact, SyncCard
from app.services.contacts import (
    create_contact,
    delete_contacts,
    get_contact,
    list_contact_ids,
    update_contact,
)
from app.storage.db import Database
from tests.carddav_server import Radicale, radicale
from tests.hostile_dav import Handler
from tests.services.test_sync import (
    card,
    connect,
    edit,
    names,
    run,
    server,  # noqa: F401 (fixture)
)
from tests.services.test_sync_failures import (
    Proxy,
    put_of,
    servers,  # noqa: F401 (fixture)
    sync_once,
)
from tests.services.test_sync_failures import connect as connect_through


def in_step(db: Database) -> None:
    assert run(db).summary == "everything was already in step"


def card_of(srv: Radicale, name: str) -> str:
    (text,) = [t for t in srv.cards().values() if f"FN:{name}" in t]
    return text


def test_a_card_deleted_there_deletes_its_contact_here_though_it_has_an_introducer(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """Whether the contact was edited here is read from its card, introducer and all."""
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, server)
    run(db)
    with db.session() as s:
        (ann,) = list_contact_ids(s)
        bob = create_contact(s, ContactRecord(full_name="Bob Roy"))
        r = get_contact(s, ann)
        r.introduced_by_id = bob
        update_contact(s, r)
    run(db)  # the introducer goes up; Bob too
    assert "INTRODUCED-BY" in card_of(server, "Ann Lee")
    (href,) = [h for h, t in server.cards().items() if "FN:Ann Lee" in t]
    server.delete(href)
    report = run(db)
    assert report.deleted_here == 1
    assert names(db) == ["Bob Roy"]


def test_a_contact_joined_under_its_own_uid_and_edited_is_deleted_when_its_card_is(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """A contact that was here before the first sync keeps its own UID and is joined to the
    server's card by email; its card is compared as the server's (the server's UID): once
    its edit went up, a deletion there deletes it here, as for any other."""
    with db.session() as s:
        ann = create_contact(
            s, ContactRecord(uid="here-1", full_name="Ann Lee", emails=[Labeled("ann@x.org")])
        )
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    connect(db, server)
    run(db)
    with db.session() as s:
        assert get_contact(s, ann).uid == "here-1"
    edit(db, ann, title="Pilot")
    assert run(db).changed_there == 1
    assert "TITLE:Pilot" in card_of(server, "Ann Lee")
    in_step(db)
    (href,) = server.cards()
    server.delete(href)
    report = run(db)
    assert (report.deleted_here, report.added_there) == (1, 0)
    assert names(db) == [] and server.cards() == {}


def test_contacts_in_the_trash_are_not_written_to_the_server(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    with db.session() as s:
        ids = [
            create_contact(s, ContactRecord(full_name=n, emails=[Labeled(f"{n[:2]}@x.org")]))
            for n in ("Ann Lee", "Bo Ray")
        ]
        delete_contacts(s, ids[1:])  # in the trash, never synced
    connect(db, server)
    assert run(db).added_there == 1
    assert [t.split("FN:")[1].split("\n")[0] for t in server.cards().values()] == ["Ann Lee"]


def test_new_contacts_go_into_a_book_whatever_its_name_ends_with(
    tmp_path: Path, db: Database
) -> None:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book("INBOX", "Inbox")
        with db.session() as s:
            create_contact(s, ContactRecord(full_name="Ann Lee", emails=[Labeled("a@x.org")]))
        connect(db, srv)
        assert run(db).added_there == 1
        (href,) = srv.cards("INBOX")
        assert href.startswith("/ann/INBOX/")


def test_contacts_without_a_uid_get_one_each_and_a_card_each(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """Contacts an older version kept without a UID: each is given its own before its card
    is named by it (all named "card.vcf", the second was refused as taken)."""
    with db.session() as s:
        for n in ("Ann Lee", "Bo Ray"):
            create_contact(s, ContactRecord(full_name=n, emails=[Labeled(f"{n[:2]}@x.org")]))
        s.execute(update(Contact).values(uid=""))
    connect(db, server)
    report = run(db)
    assert report.added_there == 2
    with db.session() as s:
        uids = [get_contact(s, i).uid for i in list_contact_ids(s)]
    assert len(set(uids)) == 2 and all(u.count("-") == 4 for u in uids)  # UUIDs
    cards = server.cards()
    assert len(cards) == 2
    for uid in uids:
        (text,) = [t for t in cards.values() if f"UID:{uid}" in t]
        assert f"/{uid}.vcf" in [h[h.rfind("/") :] for h, t in cards.items() if t == text]
    in_step(db)


def test_a_new_contact_goes_up_with_its_introducer(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    with db.session() as s:
        bob = create_contact(s, ContactRecord(uid="bob", full_name="Bob Roy"))
        create_contact(
            s,
            ContactRecord(full_name="Ann Lee", emails=[Labeled("ann@x.org")], introduced_by_id=bob),
        )
    connect(db, server)
    assert run(db).added_there == 2
    assert "INTRODUCED-BY:bob" in card_of(server, "Ann Lee")


def test_a_new_contact_then_changed_there_takes_the_change_cleanly(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """The card written is remembered as the base of the next merge: a change there is a
    change, not a conflict with an unknown base."""
    with db.session() as s:
        ann = create_contact(
            s, ContactRecord(full_name="Ann Lee", emails=[Labeled("ann@x.org")], title="Pilot")
        )
    connect(db, server)
    run(db)
    (href,) = server.cards()
    text = card_of(server, "Ann Lee").replace("TITLE:Pilot", "TITLE:Chief pilot")
    server.put(href.rsplit("/", 1)[1], text)
    report = run(db)
    assert (report.changed_here, report.conflicts, report.merged) == (1, [], 0)
    with db.session() as s:
        assert get_contact(s, ann).title == "Chief pilot"


def test_a_new_card_refused_does_not_keep_the_next_ones_from_going_up(
    servers: tuple[Radicale, Proxy],  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    srv, proxy = servers
    with db.session() as s:
        for n in ("Ann Lee", "Bo Ray", "Cy Dunn"):
            create_contact(s, ContactRecord(full_name=n, emails=[Labeled(f"{n[:2]}@x.org")]))
    connect_through(db, proxy)
    refused = proxy.fail(put_of("Ann Lee", new=True), 409)
    report = sync_once(db)
    assert refused.hit == 1 and report.added_there == 2
    assert sorted(card_of(srv, n) != "" for n in ("Bo Ray", "Cy Dunn")) == [True, True]


def test_deletions_here_go_up_each_counted_and_one_changed_there_meanwhile_comes_back(
    servers: tuple[Radicale, Proxy],  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """Four contacts deleted here. As the first deletion goes up, another sync forgets the
    second's link (passed over), and the third's card is changed on the server (its
    deletion is refused, 412: the change is not lost, it comes back here). The fourth is
    still deleted there; each deletion made is counted; the next syncs put all in step."""
    srv, proxy = servers
    people = [("ann", "Ann Lee"), ("bo", "Bo Ray"), ("cy", "Cy Dunn"), ("di", "Di Fox")]
    for uid, name in people:
        srv.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    connect_through(db, proxy)
    sync_once(db)
    with db.session() as s:
        links = {
            get_contact(s, c.contact_id).uid: (c.id, c.href)
            for c in s.scalars(select(SyncCard).order_by(SyncCard.id))
            if c.contact_id is not None
        }
        delete_contacts(s, list_contact_ids(s))
    order = sorted(links.values())  # deletions go up in the links' order, oldest first
    uid_of = {link_id: uid for uid, (link_id, _href) in links.items()}
    third = uid_of[order[2][0]]
    deletes: list[str] = []

    def meanwhile(h: Handler) -> bool:
        if h.command == "DELETE":
            deletes.append(h.path)
            if len(deletes) == 1:
                with db.session() as s:  # another sync of the book forgets the second link
                    link = s.get(SyncCard, order[1][0])
                    assert link is not None
                    s.delete(link)
                # Another client edits the third card.
                srv.put(f"{third}.vcf", card(third, dict(people)[third], "", "TITLE:Kept"))
        return False

    proxy.fail(meanwhile)
    report = sync_once(db)
    assert report.problems == []
    assert (report.deleted_there, len(deletes), report.added_here) == (2, 3, 1)
    left = srv.cards()
    assert sorted(left) == sorted([order[1][1], order[2][1]])
    assert "TITLE:Kept" in left[order[2][1]]
    with db.session() as s:  # the edited card came back here, at the read after the writes
        back = [get_contact(s, i) for i in list_contact_ids(s)]
    assert [(r.full_name, r.title) for r in back] == [(dict(people)[third], "Kept")]
    assert sync_once(db).summary == "everything was already in step"


def test_deletions_that_went_up_are_forgotten_and_not_counted_again(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """Three contacts deleted here go up; the next sync finds nothing to do (had their links
    stayed, it counted each twice, here and there, and held six deletions for the user)."""
    for i in range(4):
        server.put(f"p{i}.vcf", card(f"p{i}", f"Pat{i} Roe", f"p{i}@x.org"))
    connect(db, server)
    run(db)
    with db.session() as s:
        delete_contacts(s, list_contact_ids(s)[:3])
    assert run(db).deleted_there == 3
    with db.session() as s:
        assert len(list(s.scalars(select(SyncCard)))) == 1
    in_step(db)


def test_links_whose_card_reads_differently_now_are_put_in_step_without_writing(
    server: Radicale,  # noqa: F811 (the fixture)
    db: Database,
) -> None:
    """After an upgrade that writes cards a little differently, no link's hash matches
    though nothing was edited: the server's cards already say all, so nothing is written
    and the hashes are brought up to date (else a deletion there would count as an edit
    here and bring the contact back); an edit among them still goes up."""
    for uid, name in [("ann", "Ann Lee"), ("bo", "Bo Ray"), ("cy", "Cy Dunn")]:
        server.put(f"{uid}.vcf", card(uid, name, f"{uid}@x.org"))
    connect(db, server)
    run(db)
    stale = "as an older version wrote it"
    with db.session() as s:
        links = list(s.scalars(select(SyncCard).order_by(SyncCard.id)))
        for link in links:
            link.local_hash = stale
        last = links[-1].contact_id
    assert last is not None
    edit(db, last, title="Pilot")  # the last link: the others' come first
    report = run(db)
    assert (report.changed_there, report.added_there) == (1, 0)
    with db.session() as s:
        assert all(c.local_hash != stale for c in s.scalars(select(SyncCard)))
        first = get_contact(s, links[0].contact_id or 0).full_name
    server.delete(links[0].href)
    report = run(db)
    assert (report.deleted_here, report.added_there) == (1, 0)
    assert first not in names(db)
