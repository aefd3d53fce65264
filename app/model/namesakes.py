"""Telling namesakes apart by what a person knows of them, not by numbers they never see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

ORDINALS = ("1st", "2nd", "3rd")


@dataclass(frozen=True)
class Namesake:
    """What may tell one of several people of the same name from the others."""

    organization: str = ""
    emails: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    added: dt.date | None = None


def _added(day: dt.date | None) -> str:
    return f"added {day.day} {day:%b %Y}" if day else "date added unknown"


def _ordinal(n: int) -> str:
    return ORDINALS[n - 1] if n <= len(ORDINALS) else f"{n}th"


def tell_apart(people: list[Namesake]) -> list[str]:
    """For people who share a name, in order, what tells each from the others: their
    organisation, else an email, else a city, else a phone number that none of the others
    has; else the day they were added ("added 3 May 2025"). Each suffix differs from the
    others' (the same day added is told by order: "added 3 May 2025, 2nd of 3"); one
    person alone needs none ("")."""
    if len(people) < 2:
        return [""] * len(people)

    def values(p: Namesake) -> list[tuple[str, ...]]:
        return [(p.organization,) if p.organization else (), p.emails, p.cities, p.phones]

    held = [[{v.strip().casefold() for v in vs if v.strip()} for vs in values(p)] for p in people]
    suffixes: list[str] = []
    for i, p in enumerate(people):
        found = ""
        for kind, vs in enumerate(values(p)):
            others = set().union(*(h[kind] for j, h in enumerate(held) if j != i))
            found = next((v.strip() for v in vs if v.strip().casefold() not in others), "")
            if found:
                break
        suffixes.append(found or _added(p.added))
    counts = Counter(s.casefold() for s in suffixes)
    seen: Counter[str] = Counter()
    out = []
    for s in suffixes:
        key = s.casefold()
        if counts[key] > 1:
            seen[key] += 1
            s = f"{s}, {_ordinal(seen[key])} of {counts[key]}"
        out.append(s)
    return out
