"""The window's start at 50,000 contacts: the list in name order and the same-name pairs are
read by walking indexes of the live contacts, not by sorting every row (schema 0010), and
the order is exactly the one the list always had."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text

from app.model.records import ContactRecord, Labeled
from app.services.contacts import (
    Narrow,
    SortKey,
    create_contact,
    delete_contacts,
    list_contact_ids,
)
from app.services.duplicates import count_duplicate_groups, duplicate_groups
from app.storage.db import Database
from tests.migrations import ann_lee_upgraded_from
from tests.storage.test_due_indexes import plans_of_reads

NAMES = ["bob ray", "Ann Lee", "", "ann lee", "Émile Zola", "zoe Ann", "", "ANN LEE", "Åsa Berg",
         "al", "Al", "O'Brien", "obrien"]  # fmt: skip


def seed(db: Database) -> list[int]:
    with db.session() as s:
        ids = [
            create_contact(
                s,
                ContactRecord(
                    full_name=n,
                    # The nameless are known by an email; every other person is in Software.
                    emails=[] if n else [Labeled(f"nameless{i}@example.org")],
                    industry="Software" if i % 2 else "",
                ),
                check=False,
            )
            for i, n in enumerate(NAMES)
        ]
        delete_contacts(s, [ids[0]])
    return ids


def test_the_name_order_is_the_lists_order_named_first_then_by_id(db: Database) -> None:
    ids = seed(db)
    with db.session() as s:
        rows = s.execute(text("SELECT id, sort_name FROM contacts WHERE deleted_at IS NULL")).all()

        def ascii_fold(t: str) -> str:  # SQLite's NOCASE folds A-Z only
            return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in t)

        expected = [i for i, _ in sorted(rows, key=lambda r: (r[1] == "", ascii_fold(r[1]), r[0]))]
        assert ids[0] not in expected
        assert list_contact_ids(s) == expected
        assert list_contact_ids(s, limit=3) == expected[:3]
        assert list_contact_ids(s, limit=len(expected) - 1) == expected[:-1]
        # With a search and a filter the order is the same, restricted.
        software = Narrow(industry="Software", label="Software")
        wanted = set(list_contact_ids(s, "ann")) & set(list_contact_ids(s, narrow=software))
        assert list_contact_ids(s, "ann", narrow=software) == [i for i in expected if i in wanted]
        # Descending keeps its own order: the nameless still last.
        down = list_contact_ids(s, sort=SortKey.NAME, descending=True)
        named = [i for i, n in rows if n]
        assert set(down[: len(named)]) == set(named)


def test_the_window_start_reads_no_contact_by_sorting_or_row_by_row(db: Database) -> None:
    seed(db)

    def read() -> None:
        with db.session() as s:
            list_contact_ids(s)
            count_duplicate_groups(s)
            duplicate_groups(s, 0, 50)

    plans = plans_of_reads(db, read)
    assert len(plans) >= 3
    assert not [p for p in plans if "TEMP B-TREE" in p], plans
    assert any("ix_contacts_live_sort_name" in p for p in plans), plans
    # The groups' members are found through a person_key index (SQLite picks the partial
    # live one or the full one by its own estimate; both are a search, not a walk).
    assert any(
        re.search(r"USING (COVERING )?INDEX ix_contacts_(live_)?person_key \(person_key=\?\)", p)
        for p in plans
    ), plans


def test_upgrade_from_0009_keeps_contacts_and_adds_the_live_indexes(tmp_path: Path) -> None:
    with ann_lee_upgraded_from(tmp_path / "old.sqlite3", "0009") as db:

        def read() -> None:
            with db.session() as s:
                assert list_contact_ids(s) == [1]

        plans = plans_of_reads(db, read)
        assert any("ix_contacts_live_sort_name" in p for p in plans), plans
