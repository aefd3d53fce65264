"""Namesakes are told apart by what the user knows of them, never by database ids."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from app.model.namesakes import Namesake, tell_apart
from app.model.records import ContactRecord, Labeled, PostalAddress
from app.model.tables import Contact
from app.services.contacts import create_contact, find_choices, told_apart
from app.storage.db import Database


def test_the_first_thing_none_of_the_others_has() -> None:
    may = dt.date(2025, 5, 3)
    assert tell_apart(
        [
            Namesake(organization="Acme", emails=("ana@acme.example",), added=may),
            Namesake(organization="Acme", emails=("ana@home.example",), added=may),
            Namesake(cities=("Leeds",), added=may),
            Namesake(phones=("+44 113 496 0000",), added=may),
            Namesake(added=may),
        ]
    ) == [
        "ana@acme.example",  # Acme is shared: the email tells
        "ana@home.example",
        "Leeds",
        "+44 113 496 0000",
        "added 3 May 2025",
    ]
    assert tell_apart([Namesake(organization="Acme"), Namesake(organization="Initech")]) == [
        "Acme",
        "Initech",
    ]
    # Shared values do not tell anyone apart, whatever their case; one person needs nothing.
    assert tell_apart(
        [
            Namesake(emails=("A@x.example", "b@x.example"), added=may),
            Namesake(emails=("a@X.example",), added=dt.date(2026, 1, 9)),
        ]
    ) == ["b@x.example", "added 9 Jan 2026"]
    assert tell_apart([Namesake(organization="Acme")]) == [""]


def test_the_same_day_added_is_told_by_order() -> None:
    may = dt.date(2025, 5, 3)
    assert tell_apart([Namesake(added=may), Namesake(added=may), Namesake(cities=("York",))]) == [
        "added 3 May 2025, 1st of 2",
        "added 3 May 2025, 2nd of 2",
        "York",
    ]


def add(db: Database, **kw: object) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(**kw))  # type: ignore[arg-type]


def test_the_picker_labels_namesakes_by_what_tells_them_apart(db: Database) -> None:
    at_acme = add(db, full_name="Ana Smith", organization="Acme")
    at_acme_too = add(
        db, full_name="Ana Smith", organization="Acme", emails=[Labeled("ana@smith.example")]
    )
    in_leeds = add(db, full_name="Ana Smith", addresses=[PostalAddress(city="Leeds")])
    bare = add(db, full_name="Ana Smith")
    bare_too = add(db, full_name="Ana Smith")
    with db.session() as s:
        s.execute(
            update(Contact)
            .where(Contact.id == bare_too)
            .values(created_at=dt.datetime(2025, 5, 3, 12, 0))
        )
        added = dt.datetime.now(dt.UTC).astimezone().date()
        labels = {c.id: c.name for c in find_choices(s, "ana smith")}
    assert labels == {
        # "Ana Smith — Acme" twice: the email tells the second; the first has nothing of its
        # own but the day it was added.
        at_acme: f"Ana Smith — Acme (added {added.day} {added:%b %Y})",
        at_acme_too: "Ana Smith — Acme (ana@smith.example)",
        in_leeds: "Ana Smith (Leeds)",
        bare: f"Ana Smith (added {added.day} {added:%b %Y})",
        bare_too: "Ana Smith (added 3 May 2025)",
    }
    assert not any("#" in label for label in labels.values())


def test_different_names_are_left_as_they_are(db: Database) -> None:
    ana = add(db, full_name="Ana Smith", organization="Acme")
    bo = add(db, full_name="Bo Smith", organization="Acme")
    with db.session() as s:
        assert told_apart(s, {ana: "Ana Smith", bo: "Bo Smith"}) == {
            ana: "Ana Smith",
            bo: "Bo Smith",
        }
