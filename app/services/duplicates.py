"""Possible duplicates: people with the same name, for the user to merge or keep apart.

A name is never enough to merge two people automatically (services.importing merges only on
strong keys); here the user decides, and "different people" is remembered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.model.tables import Contact, DistinctPair


@dataclass(frozen=True)
class DuplicatePair:
    """Two live contacts whose names agree; *first* is the older one (kept on a merge)."""

    first: int
    second: int


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def find_possible_duplicates(
    session: Session, among: Iterable[int] | None = None
) -> list[DuplicatePair]:
    """Pairs of live contacts with the same person name, not yet marked as different people.

    With *among*, only pairs that include one of those contacts (say, the ones an import just
    brought in). Ordered by name, then by the older contact.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    live = Contact.deleted_at.is_(None)
    shared = (
        select(Contact.person_key)
        .where(live, Contact.person_key != "")
        .group_by(Contact.person_key)
        .having(func.count() > 1)
    )
    rows = session.execute(
        select(Contact.id, Contact.person_key)
        .where(live, Contact.person_key.in_(shared))
        .order_by(Contact.person_key, Contact.id)
    )
    for cid, key in rows:
        groups[key].append(cid)
    wanted = set(among) if among is not None else None
    distinct = {
        (lo, hi) for lo, hi in session.execute(select(DistinctPair.low_id, DistinctPair.high_id))
    }
    pairs = []
    for ids in groups.values():
        for a, b in combinations(ids, 2):
            if (a, b) in distinct:
                continue
            if wanted is not None and a not in wanted and b not in wanted:
                continue
            pairs.append(DuplicatePair(a, b))
    return pairs


def mark_different(session: Session, a: int, b: int) -> None:
    """The user says these are two people: never suggest the pair again."""
    if a == b:
        raise ValueError("a contact is always the same person as itself")
    lo, hi = _ordered(a, b)
    session.execute(
        sqlite_insert(DistinctPair).values(low_id=lo, high_id=hi).on_conflict_do_nothing()
    )


def unmark_different(session: Session, a: int, b: int) -> None:
    """Undo mark_different."""
    lo, hi = _ordered(a, b)
    session.execute(
        delete(DistinctPair).where(DistinctPair.low_id == lo, DistinctPair.high_id == hi)
    )
