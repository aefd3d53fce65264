"""The full-text index behind instant search (SQLite FTS5)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.model.tables import Contact


def index_contact(session: Session, c: Contact) -> None:
    """Write the contact's searchable text; its own row in the index is replaced."""
    session.execute(text("DELETE FROM contact_search WHERE rowid = :id"), {"id": c.id})
    if c.deleted_at is not None:
        return
    names = " ".join(
        x
        for x in (
            c.full_name,
            c.prefix,
            c.given_name,
            c.additional_names,
            c.family_name,
            c.suffix,
            c.nickname,
        )
        if x
    )
    session.execute(
        text(
            "INSERT INTO contact_search (rowid, names, emails, organization, title, note, tags,"
            " other) VALUES (:id, :names, :emails, :org, :title, :note, :tags, :other)"
        ),
        {
            "id": c.id,
            "names": names,
            "emails": " ".join(e.value for e in c.emails),
            "org": " ".join(
                x for x in (c.organization.name if c.organization else "", c.department) if x
            ),
            "title": " ".join(x for x in (c.title, c.industry) if x),
            "note": " ".join(x for x in (c.note, c.how_met) if x),
            "tags": " ".join(t.name for t in c.tags),
            "other": " ".join(
                [p.value for p in c.phones]
                + [u.value for u in c.urls]
                + [a.city for a in c.addresses if a.city]
            ),
        },
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
