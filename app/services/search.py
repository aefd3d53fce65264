"""The full-text index behind instant search (SQLite FTS5)."""

from __future__ import annotations

import collections
import itertools
import json
import operator
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


def match_terms(query: str) -> list[str]:
    """What the user typed as FTS5 terms, one per word, each matching as a prefix.

    Typed text is never passed to FTS5 syntax as is, so quotes, stars or words like NOT or
    NEAR cannot make the search fail.
    """
    terms = []
    for w in query.split():
        cleaned = w.replace('"', " ").strip()
        if re.search(r"\w", cleaned):
            terms.append(f'"{cleaned}"*')
    return terms


def match_expression(query: str) -> str | None:
    """An FTS5 query for what the user typed: every word must match as a prefix."""
    return " ".join(match_terms(query)) or None


def matching_ids(session: Session, expression: str) -> list[int]:
    """Ids whose text matches an FTS5 expression (deleted contacts' too).

    SQLite hands them over as one JSON array: a row each cost 15 ms of Python for a
    one-letter search at 50,000 contacts; one array through JSON's parser, 5 ms."""
    session.flush()
    ids = session.execute(
        text("SELECT json_group_array(rowid) FROM contact_search WHERE contact_search MATCH :q"),
        {"q": expression},
    ).scalar_one()
    return list(json.loads(ids))


class Matcher:
    """The search of one list that stays as it is between keystrokes (*everyone*, in the
    order shown): what each word matched is kept until the contacts change, as a byte per
    contact id, so the list is filtered without a line of Python per contact and a word
    typed again (after Backspace, or the first letter of the next search) is not looked up
    again.

    Drop it when the contacts change; a new order needs a new one too.
    """

    KEPT = 64  # words remembered: 64 × 50 kB at 50,000 contacts

    def __init__(self, everyone: list[int]) -> None:
        self.everyone = everyone
        self._size = max(everyone, default=0) + 1
        # Reads the byte of each of everyone's ids, in the list's order, in one C call.
        self._gather = operator.itemgetter(*everyone) if len(everyone) > 1 else None
        self._words: dict[str, bytes] = {}

    def matching(self, session: Session, query: str) -> list[int]:
        """The ids of everyone matching *query*, in everyone's order."""
        if not query.strip():
            return list(self.everyone)
        terms = match_terms(query)
        if not terms:
            return []  # nothing searchable typed (only punctuation): nobody, as in SQL
        if len(terms) > 1 and any(t not in self._words for t in terms):
            # A word not seen yet beside others: the index answers for all of them at once
            # with the few people matching every word, instead of handing over everyone a
            # new short word matches ("ben j": 30,000 ids for "j", 10 ms of 20 at 50,000).
            return self._in_order(self._mask(matching_ids(session, " ".join(terms))))
        masks = [self._word(session, t) for t in terms]
        mask = masks[0]
        for other in masks[1:]:  # every word must match
            both = int.from_bytes(mask, "little") & int.from_bytes(other, "little")
            mask = both.to_bytes(self._size, "little")
        return self._in_order(mask)

    def _in_order(self, mask: bytes) -> list[int]:
        """Everyone whose byte in *mask* is set, in everyone's order."""
        if self._gather is None:
            return [i for i in self.everyone if mask[i]]
        return list(itertools.compress(self.everyone, self._gather(mask)))

    def _mask(self, ids: list[int]) -> bytes:
        """A byte per contact id up to everyone's largest, set for *ids*."""
        built = bytearray(max(self._size, max(ids, default=0) + 1))
        collections.deque(map(built.__setitem__, ids, itertools.repeat(1)), maxlen=0)
        # Ids beyond everyone's are people the list does not show (deleted).
        return bytes(built[: self._size])

    def _word(self, session: Session, term: str) -> bytes:
        mask = self._words.get(term)
        if mask is None:
            ids = matching_ids(session, term)
            if len(self._words) >= self.KEPT:
                del self._words[next(iter(self._words))]  # the oldest
            mask = self._words[term] = self._mask(ids)
        return mask
