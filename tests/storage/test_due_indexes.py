"""Today reads only what is due: the keep-in-touch and thank-you queries must not walk every
contact (at 50,000 contacts that was most of Today's 42 ms), and schema 0005 that gives them
their indexes upgrades a 0004 database without losing a row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from app.model.records import ContactRecord
from app.services import reciprocity
from app.services.contacts import create_contact, delete_contacts
from app.services.today import KEEP_IN_TOUCH, THANKS, due_items
from app.storage.db import Database, open_database
from tests.migrations import database_at

TODAY = dt.date(2026, 11, 25)


def plans_of_reads(db: Database, run: Any) -> list[str]:
    """The query plan of every SELECT that *run* issues, as SQLite would carry it out."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plans = []
    with db.engine.connect() as conn:
        for statement, params in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
            plans.append("\n".join(r[-1] for r in rows))
    return plans


def test_today_does_not_walk_every_contact(db: Database) -> None:
    # A tier contact never contacted is due from the day it was added, which is the real today:
    # a fixed date here made this test fail once the calendar passed it.
    today = dt.date.today()
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"Person {i}")) for i in range(30)]
        tiered = create_contact(s, ContactRecord(full_name="Ann Lee", tier="A"))
        reciprocity.record_exchange(s, ids[3], "asked", "advice", today)
        delete_contacts(s, [ids[4]])

    def read() -> None:
        with db.session() as s:
            kinds = {(i.kind, i.contact_id) for i in due_items(s, today + dt.timedelta(days=2))}
            assert (KEEP_IN_TOUCH, tiered) in kinds
            assert (THANKS, ids[3]) in kinds

    plans = plans_of_reads(db, read)
    assert plans
    walking = [p for p in plans if "SCAN contacts" in p or "ix_contacts_deleted_at" in p]
    assert walking == [], walking


def test_upgrade_from_0004_keeps_every_row_and_trash_still_works(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = database_at(path, "0004")
    con.executescript(
        """
        INSERT INTO contacts (id, uid, full_name, prefix, given_name, additional_names,
            family_name, suffix, nickname, sort_name, person_key, organization_id, department,
            title, industry, note, how_met, tier, created_at, updated_at, deleted_at)
          VALUES (1, 'u1', 'Ann Lee', '', '', '', '', '', '', 'Lee Ann', 'ann lee', NULL, '',
            '', '', '', '', 'A', '2026-01-01 00:00:00', '2026-01-01 00:00:00', NULL),
          (2, 'u2', 'Bob Ray', '', '', '', '', '', '', 'Ray Bob', 'bob ray', NULL, '',
            '', '', '', '', 'B', '2026-01-01 00:00:00', '2026-01-01 00:00:00',
            '2026-03-01 00:00:00');
        INSERT INTO exchanges (contact_id, direction, kind, occurred_on, note, created_at)
          VALUES (1, 'asked', 'advice', '2026-11-20', '', '2026-11-20 00:00:00');
        """
    )
    con.commit()
    con.close()

    db = open_database(path, tmp_path / "backups")
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM contacts")).scalar() == 2
        due = {(i.kind, i.contact_id) for i in due_items(s, TODAY)}
        assert due == {(KEEP_IN_TOUCH, 1), (THANKS, 1)}  # Bob is in the trash
        trashed = s.execute(text("SELECT id FROM contacts WHERE deleted_at IS NOT NULL")).scalars()
        assert list(trashed) == [2]
        indexes = {
            name: sql
            for name, sql in s.execute(
                text("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'contacts'")
            )
        }
    assert "ix_contacts_tier" in indexes
    assert "WHERE deleted_at IS NOT NULL" in indexes["ix_contacts_deleted_at"]
    db.close()
