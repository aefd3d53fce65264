"""Merging two contacts by hand moves exactly the merged one's history, met-at groups and
introductions to the survivor, touches no one else's, and Undo puts every row of every
table back (issue 29 item 5: the survivors of mutating app/services/merging.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.model.records import ContactRecord, Labeled
from app.model.tables import Contact, Exchange, FollowUp, Interaction, Interview, MetAt
from app.services import groups, reciprocity
from app.services import interviews as iv
from app.services.contacts import create_contact, get_contact
from app.services.followups import add_follow_up
from app.services.interactions import log_interaction
from app.services.merging import merge_contacts, merge_into_one, unmerge_contacts, unmerge_many
from app.services.search import match_expression, matching_ids
from app.storage.db import Database
from tests.snapshot import snapshot

DAY = dt.date(2026, 3, 2)
HISTORY: list[Any] = [Interaction, FollowUp, Exchange, Interview]


def _history(db: Database) -> dict[str, dict[int, int | None]]:
    """Whose each row of each history table is: table name → row id → contact id."""
    with db.session() as s:
        return {
            t.__tablename__: {row: cid for row, cid in s.execute(select(t.id, t.contact_id))}
            for t in HISTORY
        }


def _met_at(db: Database) -> set[tuple[int, int]]:
    with db.session() as s:
        return {(g, c) for g, c in s.execute(select(MetAt.group_id, MetAt.contact_id))}


def _contacts(db: Database) -> dict[int, tuple[int | None, bool, int | None]]:
    """contact id → (introduced by, in the trash, merged into)."""
    with db.session() as s:
        rows = s.execute(
            select(Contact.id, Contact.introduced_by_id, Contact.deleted_at, Contact.merged_into_id)
        )
        return {cid: (by, deleted is not None, into) for cid, by, deleted, into in rows}


def _found(db: Database, words: str) -> list[int]:
    expression = match_expression(words)
    assert expression is not None
    with db.session() as s:
        return matching_ids(s, expression)


def _history_of(db: Database, cid: int, n: int) -> None:
    """*n* rows in each history table for *cid*."""
    with db.session() as s:
        for i in range(n):
            log_interaction(s, cid, DAY + dt.timedelta(days=i), "call", f"call {i}")
            add_follow_up(s, cid, DAY + dt.timedelta(days=i), f"follow up {i}")
            reciprocity.record_exchange(s, cid, "asked", "advice", DAY)
            iv.create_interview(s, iv.InterviewRecord(cid))


def _group(db: Database, name: str, members: list[int]) -> int:
    with db.session() as s:
        g = groups.GroupRecord(kind="event", name=name)
        groups.save_group(s, g)
        assert g.id is not None
        groups.link(s, g.id, members)
        return g.id


def test_a_merge_moves_exactly_the_merged_ones_rows_and_undo_puts_every_table_back(
    db: Database,
) -> None:
    with db.session() as s:
        keep = create_contact(
            s, ContactRecord(full_name="Ann Lee", title="Nurse", emails=[Labeled("ann@a.org")])
        )
        other = create_contact(
            s,
            ContactRecord(
                full_name="Ann Lee-Wong", title="Pilot", emails=[Labeled("ann@zephyr.org")]
            ),
        )
        zed = create_contact(s, ContactRecord(full_name="Zed Third"))
        cy = create_contact(s, ContactRecord(full_name="Cy Park", introduced_by_id=other))
        dee = create_contact(s, ContactRecord(full_name="Dee Park", introduced_by_id=keep))
        eli = create_contact(s, ContactRecord(full_name="Eli Park", introduced_by_id=zed))
    _history_of(db, keep, 1)
    _history_of(db, other, 2)
    _history_of(db, zed, 1)
    both = _group(db, "Both met here", [keep, other, zed])
    only_keep = _group(db, "Ann only", [keep])
    only_other = _group(db, "Ann Lee-Wong only", [other])
    also_other = _group(db, "Ann Lee-Wong too", [other, zed])
    before, history, met_at, contacts = snapshot(db), _history(db), _met_at(db), _contacts(db)
    assert _found(db, "zephyr") == [other]

    with db.session() as s:
        undo = merge_contacts(s, keep, other)

    assert _history(db) == {
        table: {row: keep if cid == other else cid for row, cid in rows.items()}
        for table, rows in history.items()
    }
    assert _met_at(db) == (met_at - {(both, other), (only_other, other), (also_other, other)}) | {
        (only_other, keep),
        (also_other, keep),
    }
    assert _contacts(db) == contacts | {cy: (keep, False, None), other: (None, True, keep)}
    assert _found(db, "zephyr") == [keep]  # the survivor has the address; the trash is out
    with db.session() as s:
        merged = get_contact(s, keep)
        assert merged.note == (
            "Also known from “Ann Lee-Wong”:\nName: Ann Lee-Wong\nLast name: Lee-Wong\nTitle: Pilot"
        )
        assert [e.value for e in merged.emails] == ["ann@a.org", "ann@zephyr.org"]
    assert (only_keep, keep) in met_at and dee in contacts and eli in contacts

    with db.session() as s:
        unmerge_contacts(s, undo)

    assert snapshot(db) == before
    assert _found(db, "zephyr") == [other]


def test_merging_a_group_into_one_and_undo_puts_every_table_back(db: Database) -> None:
    """Three namesakes folded into the first in turn; Undo splits the last merge first, so
    the survivor gets back its own fields, not those it had between the merges."""
    with db.session() as s:
        people = [
            create_contact(
                s,
                ContactRecord(full_name="Sam Reed", title=title, emails=[Labeled(f"sam{i}@x.org")]),
            )
            for i, title in enumerate(["", "Chef", "Baker"])
        ]
    keep, *others = people
    for cid in people:
        _history_of(db, cid, 1)
    shared = _group(db, "Both others met here", others)
    before, history = snapshot(db), _history(db)

    with db.session() as s:
        undos = merge_into_one(s, keep, others)

    assert _history(db) == {t: dict.fromkeys(rows, keep) for t, rows in history.items()}
    assert _met_at(db) == {(shared, keep)}
    with db.session() as s:
        merged = get_contact(s, keep)
        assert merged.title == "Chef" and "Title: Baker" in merged.note
    with db.session() as s:
        unmerge_many(s, undos)
    assert snapshot(db) == before


def test_a_contact_kept_as_imported_merges_and_splits_back_without_being_refused(
    db: Database,
) -> None:
    """An import keeps an address book's odd values as written (no @ in an email): merging
    such a contact, and undoing the merge, must not refuse it as a form would."""
    with db.session() as s:
        keep = create_contact(
            s, ContactRecord(full_name="Ann Lee", emails=[Labeled("ann at home")]), check=False
        )
        other = create_contact(s, ContactRecord(full_name="Ann Lee", phones=[Labeled("+1 555")]))
    before = snapshot(db)
    with db.session() as s:
        undo = merge_contacts(s, keep, other)
    with db.session() as s:
        merged = get_contact(s, keep)
        assert [e.value for e in merged.emails] == ["ann at home"]
        assert [p.value for p in merged.phones] == ["+1 555"]
    with db.session() as s:
        unmerge_contacts(s, undo)
    assert snapshot(db) == before
