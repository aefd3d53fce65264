"""The sync loop's smaller promises, through a real Radicale server on loopback.

Asked for by the survivors of mutation testing (tests/MUTATION.md, app/services/sync.py, the
"loop" group)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.model.records import ContactRecord, Labeled
from app.services import sync
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
from tests.services.test_sync import card, connect, run, synced_ann


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        yield srv


def test_a_change_there_to_a_contact_introduced_here_keeps_the_introducer(
    server: Radicale, db: Database
) -> None:
    """The card names Ann's introducer by UID; merging a change there reads it here."""
    ann = synced_ann(db, server)
    with db.session() as s:
        bob = create_contact(s, ContactRecord(uid="bob", full_name="Bob Roy"))
        r = get_contact(s, ann)
        r.introduced_by_id = bob
        update_contact(s, r)
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
