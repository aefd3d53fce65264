"""Changes to many contacts at once (a multi-selection): tag, tier, industry.

Each returns what its undo needs, so the window can push it as one step.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.model.records import TIERS
from app.model.tables import Contact, ContactTag, Tag, name_key, utcnow
from app.services import search
from app.services.contacts import IN_IDS_JSON, load_records, tags_named

FIELDS = {"tier": Contact.tier, "industry": Contact.industry}
SEARCHED = {"industry"}  # fields the search index holds (search._search_row)


def _live(session: Session, ids: list[int]) -> list[int]:
    return list(
        session.scalars(select(Contact.id).where(Contact.id.in_(ids), Contact.deleted_at.is_(None)))
    )


def _reindex(session: Session, ids: list[int]) -> None:
    session.flush()
    records = load_records(session, ids)
    search.index_records(session, [(r.id, r) for r in records if r.id is not None])


def set_field(session: Session, ids: list[int], field: str, value: str) -> dict[int, str]:
    """Set tier or industry on every live contact in *ids*; returns the earlier values."""
    column = FIELDS[field]
    value = value.strip()
    if field == "tier" and value and value not in TIERS:
        raise ValueError(f"unknown keep-in-touch tier {value!r}")
    live = _live(session, ids)
    before = {
        cid: old
        for cid, old in session.execute(select(Contact.id, column).where(Contact.id.in_(live)))
    }
    session.execute(
        update(Contact)
        .where(Contact.id.in_(live))
        .values({column.key: value, "updated_at": utcnow()})
    )
    if field in SEARCHED:  # the tier is not searched: 50,000 records read for nothing
        _reindex(session, live)
    return before


def shared_value(session: Session, ids: list[int], field: str) -> str | None:
    """The tier or industry every live contact in *ids* has ("" when none has one), or None
    when they differ: the bulk dialog starts there rather than at a value that would
    overwrite theirs."""
    column = FIELDS[field]
    # The ids as one JSON array: 50,000 bound parameters took the window's thread about
    # 50 ms to render before the dialog could open.
    values = session.scalars(
        select(column)
        .where(Contact.id.in_(IN_IDS_JSON), Contact.deleted_at.is_(None))
        .distinct()
        .limit(2),
        {"ids": json.dumps(ids)},
    ).all()
    return values[0] if len(values) == 1 else None


def restore_field(session: Session, field: str, before: dict[int, str]) -> None:
    column = FIELDS[field]
    for value in set(before.values()):
        ids = [cid for cid, v in before.items() if v == value]
        session.execute(update(Contact).where(Contact.id.in_(ids)).values({column.key: value}))
    if field in SEARCHED:
        _reindex(session, list(before))


def add_tag(session: Session, ids: list[int], name: str) -> list[int]:
    """Tag every live contact in *ids*; returns those that did not have the tag before."""
    tags = tags_named(session, [name])
    if not tags:
        raise ValueError("A tag needs a name.")
    session.flush()
    tag_id = tags[0].id
    had = set(session.scalars(select(ContactTag.contact_id).where(ContactTag.tag_id == tag_id)))
    added = [cid for cid in _live(session, ids) if cid not in had]
    if added:
        session.execute(insert(ContactTag), [{"contact_id": c, "tag_id": tag_id} for c in added])
    _reindex(session, added)
    return added


def remove_tag(session: Session, ids: list[int], name: str) -> list[int]:
    """Take the tag off every contact in *ids*; returns those that had it."""
    tag_id = session.scalar(select(Tag.id).where(Tag.name_key == name_key(name)))
    if tag_id is None:
        return []
    had = list(
        session.scalars(
            select(ContactTag.contact_id).where(
                ContactTag.tag_id == tag_id, ContactTag.contact_id.in_(ids)
            )
        )
    )
    session.execute(
        delete(ContactTag).where(ContactTag.tag_id == tag_id, ContactTag.contact_id.in_(had))
    )
    _reindex(session, had)
    return had


def tags_in_use(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Tag.name).where(Tag.id.in_(select(ContactTag.tag_id))).order_by(Tag.name)
        )
    )
