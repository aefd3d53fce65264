"""The full-text index behind instant search (SQLite FTS5)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.model.records import ContactRecord


def _search_row(contact_id: int, r: ContactRecord) -> dict[str, object]:
    return {
        "id": contact_id,
        "names": " ".join(x for x in r.name_parts() if x),
        "emails": " ".join(e.value for e in r.emails),
        "org": " ".join(x for x in (r.organization, r.department) if x),
        "title": " ".join(x for x in (r.title, r.industry) if x),
        "note": " ".join(x for x in (r.note, r.how_met) if x),
        "tags": " ".join(r.tags),
        "other": " ".join(
            [p.value for p in r.phones]
            + [u.value for u in r.urls]
            + [a.city for a in r.addresses if a.city]
        ),
    }


def index_records(
    session: Session, items: list[tuple[int, ContactRecord]], *, new: bool = False
) -> None:
    """Write the searchable text of live contacts; each one's old entry is replaced (*new*:
    contacts just created, which have none)."""
    if not items:
        return
    if not new:
        session.execute(
            text("DELETE FROM contact_search WHERE rowid = :id"),
            [{"id": cid} for cid, _ in items],
        )
    session.execute(
        text(
            "INSERT INTO contact_search (rowid, names, emails, organization, title, note, tags,"
            " other) VALUES (:id, :names, :emails, :org, :title, :note, :tags, :other)"
        ),
        [_search_row(cid, r) for cid, r in items],
    )


def unindex(session: Session, contact_id: int) -> None:
    session.execute(text("DELETE FROM contact_search WHERE rowid = :id"), {"id": contact_id})


def match_expression(query: str) -> str | None:
    """Turn what the user typed into an FTS5 query: every word must match as a prefix.

    Typed text is never passed to FTS5 syntax as is, so quotes, stars or words like NOT or
    NEAR cannot make the search fail.
    """
    words = [w for w in re.split(r"\s+", query.strip()) if w]
    terms = []
    for w in words:
        cleaned = w.replace('"', " ").strip()
        if not re.search(r"\w", cleaned):
            continue
        terms.append(f'"{cleaned}"*')
    return " ".join(terms) or None


def matching_ids(session: Session, expression: str) -> set[int]:
    """Ids whose text matches an FTS5 expression from match_expression (deleted ones too)."""
    session.flush()
    rows = session.execute(
        text("SELECT rowid FROM contact_search WHERE contact_search MATCH :q"), {"q": expression}
    )
    return {r[0] for r in rows}
