"""Possible duplicates: people with the same name, for the user to merge or keep apart.

A name is never enough to merge two people automatically (services.importing merges only on
strong keys); here the user decides, and "different people" is remembered (a pair at a time,
in ``distinct_pairs``).

Same-name people come as groups (issue 24): a large book has clusters of 50 to 80 namesakes,
and a cluster of 80 is 3,160 pairs; the groups are counted and read in SQL a page at a
time, and a group's pairs are only ever made for the one group the user is looking at. A
group holds the members that still have an undecided pair in it; its pairs are every pair
of those members not marked different, so the groups give exactly the pairs
``find_possible_duplicates`` lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.model.tables import Contact, DistinctPair


@dataclass(frozen=True)
class DuplicatePair:
    """Two live contacts whose names agree; *first* is the older one (kept on a merge)."""

    first: int
    second: int


@dataclass(frozen=True)
class DuplicateGroup:
    """Live contacts with one person name and at least one pair not yet decided.

    *ids*: the members with an undecided pair in the group, oldest first (the first is
    the one a merge keeps unless the user picks another); *key*: their person_key.
    """

    key: str
    ids: tuple[int, ...]


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


# Per shared name: how many live people, and how many of their pairs are decided. The
# decided pairs are walked once, each looked up on both sides by primary key.
_GROUPED = """
WITH named AS (
    SELECT person_key AS k, count(*) AS n FROM contacts
    WHERE deleted_at IS NULL AND person_key != ''
    GROUP BY person_key HAVING count(*) > 1
), decided AS (
    SELECT a.person_key AS k, count(*) AS m
    FROM distinct_pairs AS d
    JOIN contacts AS a ON a.id = d.low_id
    JOIN contacts AS b ON b.id = d.high_id
    WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL AND a.person_key = b.person_key
        AND a.person_key != ''
    GROUP BY a.person_key
), pending AS (
    SELECT named.k AS k FROM named LEFT JOIN decided ON decided.k = named.k
    WHERE named.n * (named.n - 1) / 2 > coalesce(decided.m, 0)
)
"""
_COUNT = text(f"{_GROUPED} SELECT count(*) FROM pending")
_PAGE = text(f"{_GROUPED} SELECT k FROM pending ORDER BY k LIMIT :limit OFFSET :offset")
_ALL = text(f"{_GROUPED} SELECT k FROM pending ORDER BY k")
_MEMBERS = (
    select(Contact.person_key, Contact.id)
    .where(Contact.deleted_at.is_(None), Contact.person_key.in_(bindparam("keys", expanding=True)))
    .order_by(Contact.person_key, Contact.id)
)
_DECIDED = select(DistinctPair.low_id, DistinctPair.high_id).where(
    DistinctPair.low_id.in_(bindparam("ids", expanding=True))
)


def count_duplicate_groups(session: Session) -> int:
    """How many same-name groups wait for the user (no pair is made)."""
    return int(session.execute(_COUNT).scalar_one())


def duplicate_groups(
    session: Session, offset: int = 0, limit: int | None = None
) -> list[DuplicateGroup]:
    """The groups still to review, by name; *limit* of them from *offset* (all if None)."""
    if limit is None:
        keys = list(session.scalars(_ALL))
    else:
        keys = list(session.scalars(_PAGE, {"limit": limit, "offset": offset}))
    return groups_named(session, keys)


def groups_named(session: Session, keys: list[str]) -> list[DuplicateGroup]:
    """The groups for these person keys, in their order; a key with nothing left to decide
    (or fewer than two people) gives no group."""
    if not keys:
        return []
    members: dict[str, list[int]] = defaultdict(list)
    key_of: dict[int, str] = {}
    for key, cid in session.execute(_MEMBERS, {"keys": keys}):
        members[key].append(cid)
        key_of[cid] = key
    decided: dict[int, int] = defaultdict(int)  # per contact: its pairs decided in its group
    for lo, hi in session.execute(_DECIDED, {"ids": list(key_of)}):
        if key_of.get(hi) == key_of[lo]:
            decided[lo] += 1
            decided[hi] += 1
    groups = []
    for key in keys:
        ids = members.get(key, [])
        # A member decided against everyone else in its group has nothing left in it.
        left = tuple(i for i in ids if decided[i] < len(ids) - 1)
        if len(left) > 1:
            groups.append(DuplicateGroup(key, left))
    return groups


def group_of(session: Session, contact_id: int) -> DuplicateGroup | None:
    """The group *contact_id* is in now, if it is in one."""
    key = session.scalar(
        select(Contact.person_key).where(Contact.id == contact_id, Contact.deleted_at.is_(None))
    )
    found = groups_named(session, [key]) if key else []
    return found[0] if found else None


def _undecided(session: Session, members: list[int]) -> Iterator[DuplicatePair]:
    """The pairs among *members* (ids, oldest first) not marked as different people, in
    order, made one at a time as they are asked for."""
    if len(members) < 2:
        return
    distinct = {
        (lo, hi)
        for lo, hi in session.execute(
            select(DistinctPair.low_id, DistinctPair.high_id).where(
                DistinctPair.low_id.in_(members), DistinctPair.high_id.in_(members)
            )
        )
    }
    for a, b in combinations(members, 2):
        if (a, b) not in distinct:
            yield DuplicatePair(a, b)


def undecided_pairs(session: Session, ids: Iterable[int]) -> list[DuplicatePair]:
    """The pairs among *ids* (one group's people, say) not marked as different people."""
    return list(_undecided(session, sorted(set(ids))))


def first_undecided_pair(session: Session, ids: Iterable[int]) -> DuplicatePair | None:
    """The first of undecided_pairs(*ids*), the oldest two not yet decided: what the review
    shows next. Stops there, past only the pairs already decided."""
    return next(_undecided(session, sorted(set(ids))), None)


def find_possible_duplicates(
    session: Session, among: Iterable[int] | None = None
) -> list[DuplicatePair]:
    """Pairs of live contacts with the same person name, not yet marked as different people.

    With *among*, only pairs that include one of those contacts (say, the ones an import just
    brought in). Ordered by name, then by the older contact. Pairwise: for a report's count
    use count_possible, for the review the groups.
    """
    wanted = set(among) if among is not None else None
    pairs = []
    for group in duplicate_groups(session):
        for pair in undecided_pairs(session, group.ids):
            if wanted is None or pair.first in wanted or pair.second in wanted:
                pairs.append(pair)
    return pairs


def count_possible(session: Session, among: Iterable[int]) -> tuple[int, int]:
    """(pairs, names): how many undecided same-name pairs include one of *among*, and under
    how many names (the groups the review shows, as the Contacts tab counts them). Counted
    without making the pairs: per group of n people, w of them wanted, C(n, 2) - C(n - w, 2),
    less the pairs decided that include a wanted one."""
    wanted = set(among)
    if not wanted:
        return 0, 0
    keys = {
        key
        for (key,) in session.execute(
            select(Contact.person_key)
            .where(Contact.id.in_(bindparam("ids", expanding=True)), Contact.person_key != "")
            .distinct(),
            {"ids": list(wanted)},
        )
    }
    total = names = 0
    for group in groups_named(session, sorted(keys)):
        n = len(group.ids)
        w = sum(1 for i in group.ids if i in wanted)
        pairs = n * (n - 1) // 2 - (n - w) * (n - w - 1) // 2
        inside = set(group.ids)
        for lo, hi in session.execute(
            select(DistinctPair.low_id, DistinctPair.high_id).where(
                DistinctPair.low_id.in_(group.ids), DistinctPair.high_id.in_(group.ids)
            )
        ):
            if lo in inside and hi in inside and (lo in wanted or hi in wanted):
                pairs -= 1
        total += pairs
        names += pairs > 0
    return total, names


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
    unmark_pairs(session, [_ordered(a, b)])


def mark_all_different(session: Session, ids: Iterable[int]) -> list[tuple[int, int]]:
    """The user says these are all different people (a whole group, say): every pair among
    them is remembered. Returns the pairs newly marked, for unmark_pairs to undo."""
    pairs = [(p.first, p.second) for p in undecided_pairs(session, ids)]
    if pairs:
        session.connection().exec_driver_sql(
            "INSERT OR IGNORE INTO distinct_pairs (low_id, high_id) VALUES (?, ?)", pairs
        )
    return pairs


def unmark_pairs(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Undo mark_all_different (or mark_different): these pairs are offered again."""
    if pairs:
        session.connection().exec_driver_sql(
            "DELETE FROM distinct_pairs WHERE low_id = ? AND high_id = ?", pairs
        )
