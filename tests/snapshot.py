"""Every row of every table of a database, to compare before and after: an undo, a cancelled
import, a rollback."""

from __future__ import annotations

from typing import Any

from app.storage.db import Database

Rows = dict[str, list[Any]]

# The search index's own b-trees change layout on every write; its content table is compared.
_FTS_INTERNALS = ("contact_search", "contact_search_data", "contact_search_idx")
_FTS_INTERNALS += ("contact_search_docsize", "contact_search_config", "alembic_version")


def snapshot(db: Database, live: bool = False) -> Rows:
    """Every row of every table. Times of change are left out (an undo is a new change) and
    other times kept as set or not; the ids of a contact's emails, phones and such are left
    out (a save writes the lists anew). *live*: what the user sees, the trash left out."""
    with db.session() as s:
        conn = s.connection()
        tables = [
            t
            for (t,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
            if t not in _FTS_INTERNALS
        ]
        trashed = {
            cid
            for (cid,) in conn.exec_driver_sql("SELECT id FROM contacts WHERE deleted_at NOT NULL")
        }
        out: Rows = {}
        for table in tables:
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
            columns = list(result.keys())
            rows = []
            for values in result:
                row = dict(zip(columns, values, strict=True))
                if live and (
                    row.get("contact_id") in trashed
                    or (table in ("contacts", "contact_search_content") and row["id"] in trashed)
                ):
                    continue
                for c in columns:
                    if c in ("created_at", "updated_at"):
                        del row[c]
                    elif c.endswith("_at"):
                        row[c] = row[c] is not None
                if table.startswith("contact_") and "contact_id" in row:
                    row.pop("id", None)
                rows.append(tuple(sorted(row.items())))
            out[table] = sorted(rows, key=repr)
        return out
