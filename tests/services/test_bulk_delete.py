"""Bulk delete and its undo (issue 24): set-based, cancellable, and exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.model.records import ContactRecord, Labeled
from app.services import contacts
from app.services.contacts import (
    count_contacts,
    create_contact,
    delete_contacts,
    get_contact,
    list_contact_ids,
    restore_contacts,
    update_contact,
)
from app.services.followups import add_follow_up
from app.services.groups import GroupRecord, link, save_group
from app.services.importing import Cancelled, import_files, last_import, parse_bytes
from app.services.interactions import log_interaction
from app.storage.db import Database


def book(db: Database, n: int = 40) -> list[int]:
    """People with emails, phones, tags, an introducer, a tier, a group met at, a history
    and follow-ups."""
    with db.session() as s:
        ids: list[int] = []
        for i in range(n):
            record = ContactRecord(
                full_name=f"Person {i}",
                emails=[Labeled(f"p{i}@x.org", "work")],
                phones=[Labeled(f"+1 555 01{i:02d}")],
                tags=["alumni", f"t{i % 3}"],
                introduced_by_id=ids[i // 2] if ids else None,
                tier="B" if i % 4 == 0 else "",
                note=f"note {i}",
            )
            ids.append(create_contact(s, record))
        group = GroupRecord(name="Meetup")
        save_group(s, group)  # gives it its id
        assert group.id is not None
        link(s, group.id, ids[::3])
        for k, cid in enumerate(ids):
            log_interaction(s, cid, dt.date(2024, 1, 1) + dt.timedelta(days=k), "call", "hi")
            add_follow_up(s, cid, dt.date(2025, 1, 1), f"ask {k}")
    return ids


def snapshot(db: Database) -> dict[str, list[Any]]:
    """Every row of every table, the search index's text included."""
    with db.session() as s:
        raw = s.connection().exec_driver_sql
        tables = [
            name
            for (name,) in raw(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'contact_search_%'"
            )
        ]
        out = {}
        for name in tables:
            rowid = "rowid, " if name == "contact_search" else ""
            out[name] = sorted(map(tuple, raw(f'SELECT {rowid}* FROM "{name}"')), key=repr)
        return out


def test_undo_of_a_bulk_delete_restores_every_row_link_and_interaction(db: Database) -> None:
    ids = book(db)
    before = snapshot(db)
    chosen = ids[1::2] + ids[:6]
    with db.session() as s:
        done = delete_contacts(s, chosen)
    assert sorted(done) == sorted(set(chosen))
    with db.session() as s:
        assert count_contacts(s) == len(ids) - len(set(chosen))
        assert not set(list_contact_ids(s)) & set(chosen)
        assert not set(list_contact_ids(s, "person")) & set(chosen)  # out of the search too
    with db.session() as s:
        assert sorted(restore_contacts(s, done)) == sorted(done)
    assert snapshot(db) == before


def test_a_cancelled_bulk_delete_leaves_the_database_as_it_was(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = book(db, 30)
    before = snapshot(db)
    monkeypatch.setattr(contacts, "BULK_CHUNK", 7)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 2  # after two chunks were trashed

    seen: list[tuple[int, int]] = []
    with pytest.raises(Cancelled), db.session() as s:
        delete_contacts(s, ids, lambda d, t: seen.append((d, t)), cancelled)
    assert seen == [(7, 30), (14, 30)]
    assert snapshot(db) == before


def test_undo_import_counts_only_real_edits_after_the_import(db: Database) -> None:
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u{i}\r\nFN:Card {i}\r\nEMAIL:c{i}@x.org\r\n"
        "END:VCARD\r\n"
        for i in range(12)
    )
    with db.session() as s:
        report = import_files(s, [parse_bytes(cards.encode(), "cards.vcf")])
        imported = report.contact_ids
        # As if the import were made an hour ago: later changes are past its second's grace.
        s.connection().exec_driver_sql(
            "UPDATE imports SET started_at = datetime(started_at, '-1 hour'),"
            " finished_at = datetime(finished_at, '-1 hour')"
        )
        s.connection().exec_driver_sql(
            "UPDATE contacts SET created_at = datetime(created_at, '-1 hour'),"
            " updated_at = datetime(updated_at, '-1 hour')"
        )
    with db.session() as s:
        deleted = delete_contacts(s, imported[:8])
    with db.session() as s:
        restore_contacts(s, deleted)
    with db.session() as s:
        last = last_import(s)
        assert last is not None and last.edited_since == 0  # deleted and back: not edited
        edited = get_contact(s, imported[0])
        update_contact(s, ContactRecord(**{**edited.__dict__, "title": "Dean"}))
    with db.session() as s:
        last = last_import(s)
        assert last is not None and last.edited_since == 1
