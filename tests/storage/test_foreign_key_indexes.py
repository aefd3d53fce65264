"""Every key that points at a contact has an index (schema 0012): deleting a contact makes
SQLite look up the rows that point at it, and without an index it reads the whole table for
each one (Undo Import of 5,000 into a book of 50,000 took 52 s through contacts.merged_into_id).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.services.contacts import get_contact
from app.storage.db import Database
from tests.migrations import ann_lee_upgraded_from


def unindexed_keys_to_contacts(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        missing = []
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            leading = {
                next(iter(con.execute(f"PRAGMA index_info('{index[1]}')")))[2]
                for index in con.execute(f"PRAGMA index_list('{table}')")
            }
            pk = [r[1] for r in con.execute(f"PRAGMA table_info('{table}')") if r[5] == 1]
            for fk in con.execute(f"PRAGMA foreign_key_list('{table}')"):
                column = fk[3]
                if fk[2] == "contacts" and column not in leading and pk[:1] != [column]:
                    missing.append(f"{table}.{column}")
        return missing
    finally:
        con.close()


def test_every_key_to_a_contact_has_an_index(db: Database) -> None:
    assert unindexed_keys_to_contacts(db.path) == []


def test_upgrade_from_0011_adds_the_index_and_keeps_contacts(tmp_path: Path) -> None:
    with ann_lee_upgraded_from(tmp_path / "old.sqlite3", "0011") as db:
        assert unindexed_keys_to_contacts(db.path) == []
        with db.session() as s:
            ann = get_contact(s, 1)
            assert ann.full_name == "Ann Lee"
