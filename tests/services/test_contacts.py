from __future__ import annotations

import datetime as dt

import pytest

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.services.contacts import (
    ContactNotFound,
    InvalidContact,
    SortKey,
    count_contacts,
    create_contact,
    delete_contacts,
    fetch_rows,
    find_choices,
    get_contact,
    list_contact_ids,
    restore_contacts,
    update_contact,
)
from app.services.interactions import log_interaction
from app.storage.db import Database

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8"
    b"N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def full_record() -> ContactRecord:
    return ContactRecord(
        uid="urn:uuid:1",
        full_name="Dr. Ada King",
        prefix="Dr.",
        given_name="Ada",
        additional_names="Augusta",
        family_name="King",
        suffix="PhD",
        nickname="Ada",
        organization="Analytical Engines, Inc.",
        department="Research",
        title="Mathematician",
        industry="Computing",
        emails=[Labeled("ada@example.org", "work"), Labeled("ada@home.example", "home")],
        phones=[Labeled("+44 20 7946 0018", "mobile")],
        urls=[Labeled("https://www.linkedin.com/in/ada", "LinkedIn")],
        addresses=[
            PostalAddress(
                "home",
                street="12 St James's Square",
                city="London",
                postal_code="SW1Y 4JH",
                country="UK",
            )
        ],
        birthday=Birthday(12, 10),
        photo=PNG,
        photo_mime="image/png",
        note="Met at the Royal Society.\nFollow up about engines.",
        tags=["mentor", "alumni"],
        how_met="Royal Society soirée",
        tier="B",
        extra_lines=["X-CUSTOM:kept"],
    )


def test_every_field_round_trips(db: Database) -> None:
    with db.session() as s:
        cid = create_contact(s, full_record())
    with db.session() as s:
        got = get_contact(s, cid)
    want = full_record()
    want.id = cid
    want.tags = sorted(want.tags)  # tags come back in alphabetical order
    got.created_at = got.updated_at = None
    assert got == want


def test_birthday_without_year_stays_without_year(db: Database) -> None:
    with db.session() as s:
        cid = create_contact(s, ContactRecord(full_name="Leap", birthday=Birthday(2, 29)))
    with db.session() as s:
        b = get_contact(s, cid).birthday
    assert b == Birthday(2, 29) and b.year is None and b.iso() == "--02-29"


def test_email_without_at_is_refused_with_an_explanation(db: Database) -> None:
    with db.session() as s, pytest.raises(InvalidContact) as info:
        create_contact(s, ContactRecord(full_name="X", emails=[Labeled("x.example.org")]))
    assert info.value.problems[0].field == "emails"
    assert "has no @" in info.value.problems[0].message
    with db.session() as s:
        assert count_contacts(s) == 0


def test_a_contact_needs_something_to_call_them(db: Database) -> None:
    with db.session() as s, pytest.raises(InvalidContact, match="name"):
        create_contact(s, ContactRecord())


def test_update_replaces_lists_and_keeps_id(db: Database) -> None:
    with db.session() as s:
        cid = create_contact(s, full_record())
    with db.session() as s:
        r = get_contact(s, cid)
        r.emails = [Labeled("new@example.org", "work")]
        r.tags = ["alumni"]
        r.organization = "Babbage & Co"
        update_contact(s, r)
    with db.session() as s:
        r = get_contact(s, cid)
    assert [e.value for e in r.emails] == ["new@example.org"]
    assert r.tags == ["alumni"]
    assert r.organization == "Babbage & Co"


def test_delete_then_restore_brings_back_everything(db: Database) -> None:
    with db.session() as s:
        cid = create_contact(s, full_record())
    with db.session() as s:
        assert delete_contacts(s, [cid]) == [cid]
    with db.session() as s:
        assert count_contacts(s) == 0
        assert list_contact_ids(s, "Ada") == []
        with pytest.raises(ContactNotFound):
            get_contact(s, cid)
    with db.session() as s:
        assert restore_contacts(s, [cid]) == [cid]
    with db.session() as s:
        assert list_contact_ids(s, "Ada") == [cid]
        assert get_contact(s, cid).photo == PNG


def add(db: Database, **kw: object) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(**kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ada", ["Dr. Ada King"]),
        ("ki", ["Dr. Ada King"]),
        ("example.org", ["Dr. Ada King"]),
        ("analytical", ["Dr. Ada King"]),
        ("mathem", ["Dr. Ada King"]),
        ("royal", ["Dr. Ada King"]),
        ("mentor", ["Dr. Ada King"]),
        ("muller", ["Jürgen Müller"]),
        ("Müller", ["Jürgen Müller"]),
        ("nurse", ["Jürgen Müller"]),
        ("ada king", ["Dr. Ada King"]),
        ("ada müller", []),
        ('"', []),
        ("NOT", []),
        ("ada*", ["Dr. Ada King"]),
    ],
)
def test_search_covers_names_emails_organisation_title_note_and_tags(
    db: Database, query: str, expected: list[str]
) -> None:
    add(db, **{**full_record().__dict__, "id": None})
    add(
        db,
        given_name="Jürgen",
        family_name="Müller",
        title="Nurse",
        emails=[Labeled("jm@hospital.test")],
    )
    with db.session() as s:
        ids = list_contact_ids(s, query)
        rows = fetch_rows(s, ids)
    assert [rows[i].name for i in ids] == expected


def test_sorting_puts_blank_values_last_in_both_directions(db: Database) -> None:
    add(db, full_name="A", organization="Zeta")
    add(db, full_name="B", organization="")
    add(db, full_name="C", organization="Alpha")
    with db.session() as s:
        asc = fetch_rows(s, ids := list_contact_ids(s, "", SortKey.ORGANIZATION))
        assert [asc[i].name for i in ids] == ["C", "A", "B"]
        ids = list_contact_ids(s, "", SortKey.ORGANIZATION, descending=True)
        assert [asc[i].name for i in ids] == ["A", "C", "B"]
        ids = list_contact_ids(s, "", SortKey.NAME, descending=True)
        assert [asc[i].name for i in ids] == ["C", "B", "A"]


def test_last_contact_comes_from_interactions(db: Database) -> None:
    a = add(db, full_name="Seen recently")
    b = add(db, full_name="Seen long ago")
    c = add(db, full_name="Never seen")
    with db.session() as s:
        log_interaction(s, a, dt.date(2026, 10, 1), "coffee")
        log_interaction(s, b, dt.date(2023, 1, 5), "call")
        log_interaction(s, b, dt.date(2022, 1, 5), "call")
    with db.session() as s:
        ids = list_contact_ids(s, "", SortKey.LAST_CONTACT, descending=True)
        rows = fetch_rows(s, ids)
    assert ids == [a, b, c]
    assert rows[b].last_contact == dt.date(2023, 1, 5)
    assert rows[c].last_contact is None


def test_introduced_by_links_two_contacts_and_survives_deletion_of_the_introducer(
    db: Database,
) -> None:
    a = add(db, full_name="Introducer")
    b = add(db, full_name="New friend", introduced_by_id=a)
    with db.session() as s:
        assert get_contact(s, b).introduced_by_id == a
        assert [c.name for c in find_choices(s, "intro")] == ["Introducer"]
    with pytest.raises(InvalidContact, match="no longer"):
        add(db, full_name="Other", introduced_by_id=9999)
    with db.session() as s:
        delete_contacts(s, [a])
    with db.session() as s:
        friend = get_contact(s, b)  # still there, and still says who introduced them
        assert friend.full_name == "New friend" and friend.introduced_by_id == a
        assert [c.name for c in find_choices(s, "intro")] == []  # no longer offered


def test_same_organisation_name_in_other_case_is_one_organisation(db: Database) -> None:
    from sqlalchemy import func, select

    from app.model.tables import Organization

    add(db, full_name="One", organization="Acme")
    add(db, full_name="Two", organization="ACME")
    with db.session() as s:
        assert s.scalar(select(func.count(Organization.id))) == 1


def test_contacts_deleted_in_an_earlier_session_are_removed_for_good(db: Database) -> None:
    from sqlalchemy import func, select

    from app.model.tables import Contact, ContactEmail
    from app.services.contacts import purge_deleted

    gone = add(db, full_name="Gone", emails=[Labeled("gone@x.org")])
    kept = add(db, full_name="Kept", introduced_by_id=gone)
    with db.session() as s:
        delete_contacts(s, [gone])
    with db.session() as s:
        assert purge_deleted(s) == 1
    with db.session() as s:
        assert s.scalar(select(func.count(Contact.id))) == 1
        assert s.scalar(select(func.count(ContactEmail.id))) == 0
        assert get_contact(s, kept).introduced_by_id is None
        assert purge_deleted(s) == 0


def test_contacts_created_together_get_the_next_ids_and_their_own_details(db: Database) -> None:
    """create_contacts gives the ids itself (one INSERT for thousands rather than one each):
    each contact's emails, phones, tags and index entry must land on that contact."""
    from app.services.contacts import create_contacts, get_contact, list_contact_ids

    with db.session() as s:
        first = create_contacts(s, [ContactRecord(full_name="Ann Lee")])
        batch = create_contacts(
            s,
            [
                ContactRecord(
                    full_name=f"Person {i}",
                    emails=[Labeled(f"p{i}@example.org")],
                    phones=[Labeled(f"+1 555 010{i}")],
                    tags=[f"t{i}"],
                )
                for i in range(5)
            ],
        )
        assert batch == list(range(first[0] + 1, first[0] + 6))
        for i, cid in enumerate(batch):
            c = get_contact(s, cid)
            assert (c.full_name, c.emails[0].value, c.tags) == (
                f"Person {i}",
                f"p{i}@example.org",
                [f"t{i}"],
            )
        assert list_contact_ids(s, "p3@example") == [batch[3]]
