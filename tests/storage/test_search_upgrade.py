"""0009 builds the full-text index again with one- and two-letter prefixes kept ready."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app.services.contacts import list_contact_ids
from tests.migrations import ann_lee_upgraded_from


def test_upgrade_from_0008_keeps_the_search_and_adds_the_prefix_index(tmp_path: Path) -> None:
    added = """
        INSERT INTO contact_search (rowid, names, emails, organization, title, note, tags, other)
          VALUES (1, 'Ann Lee', 'ann@example.org', 'Zoë Ltd', '', 'met at PyCon', '', '');
    """
    with ann_lee_upgraded_from(tmp_path / "old.sqlite3", "0008", added) as db, db.session() as s:
        sql = s.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'contact_search'")
        ).scalar_one()
        assert "prefix = '1 2'" in sql
        for query in ("a", "an", "LE", "zo", "py", "ann@", "pycon"):
            assert list_contact_ids(s, query) == [1], query
        assert list_contact_ids(s, "b") == []
