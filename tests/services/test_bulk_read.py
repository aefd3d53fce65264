"""The bulk reader (plain rows, chunk by chunk) gives exactly the records the ORM gives.

`list --json`, exports and bulk edits read every contact through `iter_records`; the contact
pane and the editor read one through `to_record`. Both must agree on every field of every
card in the real-client corpus, or an export would lose what the editor shows.
"""

from __future__ import annotations

import datetime as dt

from app.model.records import Birthday, ContactRecord, Labeled
from app.model.tables import Contact
from app.services.contacts import (
    create_contact,
    delete_contacts,
    iter_records,
    last_contacts,
    list_contact_ids,
    to_record,
)
from app.services.importing import import_files, read_file
from app.services.interactions import log_interaction
from app.storage.db import Database
from tests.conftest import VCARDS


def corpus(db: Database) -> list[int]:
    files = [read_file(p) for p in sorted(VCARDS.rglob("*.vcf"))]
    with db.session() as s:
        import_files(s, files)
        # What the corpus lacks: a year-less birthday, tags, a photo, an introduction.
        ann = create_contact(
            s,
            ContactRecord(
                given_name="Ann",
                family_name="Lee",
                birthday=Birthday(2, 29),
                tags=["zeta", "alpha"],
                photo=b"\x89PNG\r\n",
                photo_mime="image/png",
                emails=[Labeled("ann@example.com", "work"), Labeled("ann@home.example")],
            ),
        )
        create_contact(s, ContactRecord(full_name="Bob Ray", introduced_by_id=ann))
        return list_contact_ids(s)


def test_every_field_of_every_corpus_card_reads_the_same(db: Database) -> None:
    ids = corpus(db)
    assert len(ids) > 50
    order = ids[::-1]  # the caller's order is kept, across chunk boundaries
    with db.session() as s:
        fast = list(iter_records(s, order, chunk=7))
        slow = [to_record(s.get(Contact, i)) for i in order]  # type: ignore[arg-type]
    assert [r.id for r in fast] == order
    for a, b in zip(fast, slow, strict=True):
        assert a == b, a.display_name
    assert any(r.photo for r in fast) and any(r.extra_lines for r in fast)
    assert any(r.birthday and r.birthday.year is None for r in fast)


def test_without_photos_a_record_still_says_it_has_one(db: Database) -> None:
    ids = corpus(db)
    with db.session() as s:
        full = {r.id: r for r in iter_records(s, ids)}
        light = list(iter_records(s, ids, photos=False))
    assert {r.id for r in light if r.photo is not None} == {
        i for i, r in full.items() if r.photo is not None
    }
    assert all(r.photo == b"" for r in light if r.photo is not None)


def test_deleted_and_unknown_ids_are_left_out(db: Database) -> None:
    with db.session() as s:
        a = create_contact(s, ContactRecord(full_name="Ann Lee"))
        b = create_contact(s, ContactRecord(full_name="Bob Ray"))
        delete_contacts(s, [a])
        assert [r.full_name for r in iter_records(s, [a, b, 999])] == ["Bob Ray"]


def test_last_contacts_is_each_persons_latest_day(db: Database) -> None:
    with db.session() as s:
        a = create_contact(s, ContactRecord(full_name="Ann Lee"))
        create_contact(s, ContactRecord(full_name="Bob Ray"))  # never in touch: not listed
        for day in (dt.date(2026, 3, 1), dt.date(2026, 5, 2), dt.date(2025, 1, 1)):
            log_interaction(s, a, day, "coffee", "")
        assert last_contacts(s) == {a: dt.date(2026, 5, 2)}


def test_the_value_a_whole_selection_shares_is_found_among_thousands(db: Database) -> None:
    """What the bulk Keep in touch and Set industry dialogs start at: the tier every selected
    live contact has, "" when none has one, None when they differ (past SQLite's old limit of
    999 bound values: the ids travel as one JSON array)."""
    from app.services import bulk
    from app.services.contacts import create_contacts, delete_contacts

    with db.session() as s:
        ids = create_contacts(s, [ContactRecord(full_name=f"P {i}", tier="B") for i in range(1500)])
        other = create_contacts(s, [ContactRecord(full_name="Odd One", tier="A")])
        plain = create_contacts(s, [ContactRecord(full_name=f"Q {i}") for i in range(3)])
    with db.session() as s:
        assert bulk.shared_value(s, ids, "tier") == "B"
        assert bulk.shared_value(s, [*ids, *other], "tier") is None
        assert bulk.shared_value(s, plain, "tier") == ""
        delete_contacts(s, other)
    with db.session() as s:
        # A deleted contact's tier does not count.
        assert bulk.shared_value(s, [*ids, *other], "tier") == "B"
