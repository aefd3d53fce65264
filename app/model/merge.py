"""Merging two records of one person, field by field, without losing either side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.model.normalize import email_key, phone_key, text_key, url_key
from app.model.records import ContactRecord, Labeled, PostalAddress

SCALARS = [
    ("full_name", "Name"),
    ("prefix", "Prefix"),
    ("given_name", "First name"),
    ("additional_names", "Middle name"),
    ("family_name", "Last name"),
    ("suffix", "Suffix"),
    ("nickname", "Nickname"),
    ("organization", "Organisation"),
    ("department", "Department"),
    ("title", "Title"),
    ("industry", "Industry"),
    ("how_met", "How we met"),
    ("tier", "Tier"),
]


def _union(mine: list[Labeled], theirs: list[Labeled], key: Callable[[str], str]) -> list[Labeled]:
    out = list(mine)
    index = {key(x.value): i for i, x in enumerate(out)}
    for x in theirs:
        k = key(x.value)
        if k not in index:
            index[k] = len(out)
            out.append(x)
        elif x.label and not out[index[k]].label:
            out[index[k]] = Labeled(out[index[k]].value, x.label)
    return out


def _address_key(a: PostalAddress) -> tuple[str, ...]:
    return tuple(text_key(v) for v in a.parts())


def _introducer(mine: ContactRecord, theirs: ContactRecord) -> int | None:
    """Who introduced the merged person: mine's introducer, else theirs, but never either
    side itself (merging someone into the person who introduced them, or two people who
    introduced each other, would leave the survivor introduced by itself or by the one merged
    away)."""
    sides = {mine.id, theirs.id} - {None}
    for candidate in (mine.introduced_by_id, theirs.introduced_by_id):
        if candidate is not None and candidate not in sides:
            return candidate
    return None


def merge_records(mine: ContactRecord, theirs: ContactRecord, source: str = "") -> ContactRecord:
    """*mine* (already in Second Act) completed with *theirs*.

    Empty fields are filled in; lists are united; where both sides have a different value,
    mine stays and theirs is written into the note, so nothing is silently lost.
    """
    merged = replace(mine)
    conflicts: list[str] = []
    for attr, label in SCALARS:
        a, b = getattr(mine, attr), getattr(theirs, attr)
        if not b or a == b:
            continue
        if not a:
            setattr(merged, attr, b)
        elif text_key(a) != text_key(b):
            conflicts.append(f"{label}: {b}")
    merged.emails = _union(mine.emails, theirs.emails, email_key)
    merged.phones = _union(
        mine.phones, theirs.phones, lambda v: phone_key(v) or " ".join(v.split())
    )
    merged.urls = _union(mine.urls, theirs.urls, url_key)
    keys = {_address_key(a) for a in mine.addresses}
    merged.addresses = list(mine.addresses) + [
        a for a in theirs.addresses if _address_key(a) not in keys and not a.is_empty()
    ]
    tags = {t.casefold() for t in mine.tags}
    merged.tags = list(mine.tags) + [t for t in theirs.tags if t.casefold() not in tags]
    if mine.birthday is None:
        merged.birthday = theirs.birthday
    elif theirs.birthday is not None and theirs.birthday != mine.birthday:
        b, t = mine.birthday, theirs.birthday
        if (b.month, b.day) == (t.month, t.day) and b.year is None:
            merged.birthday = t  # the other side knows the year
        elif (b.month, b.day) != (t.month, t.day) or t.year is not None:
            conflicts.append(f"Birthday: {t.iso()}")
    if not mine.photo and theirs.photo:
        merged.photo, merged.photo_mime = theirs.photo, theirs.photo_mime
    if not mine.uid:
        merged.uid = theirs.uid
    merged.introduced_by_id = _introducer(mine, theirs)
    lines = set(mine.extra_lines)
    merged.extra_lines = list(mine.extra_lines) + [x for x in theirs.extra_lines if x not in lines]
    notes = [mine.note] if mine.note else []
    if theirs.note and theirs.note.strip() not in mine.note:
        notes.append(theirs.note)
    conflicts = [c for c in conflicts if c not in mine.note]  # merged before: said already
    if conflicts:
        where = f" from {source}" if source else ""
        notes.append(f"Also known{where}:\n" + "\n".join(conflicts))
    merged.note = "\n\n".join(notes)
    return merged
