"""Contacts as a CSV file in Google Contacts' columns, which Excel opens and Google, Outlook
and Second Act import."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from app.model.records import ContactRecord
from app.vcard.csv_formats import RELATED, SEPARATOR, other_field
from app.vcard.mapping import unescape

NAME_COLUMNS = [
    ("Name", "full_name"),
    ("First Name", "given_name"),
    ("Middle Name", "additional_names"),
    ("Last Name", "family_name"),
    ("Name Prefix", "prefix"),
    ("Name Suffix", "suffix"),
    ("Nickname", "nickname"),
    ("Organization Name", "organization"),
    ("Organization Title", "title"),
    ("Organization Department", "department"),
]
ADDRESS_COLUMNS = [
    ("Street", "street"),
    ("City", "city"),
    ("PO Box", "po_box"),
    ("Region", "region"),
    ("Postal Code", "postal_code"),
    ("Country", "country"),
    ("Extended Address", "extended"),
]
_RELATION_LABEL = {
    "RELATED;TYPE=spouse;VALUE=text": "Spouse",
    "RELATED;TYPE=child;VALUE=text": "Child",
    "X-MS-MANAGER": "Manager",
    "X-MS-ASSISTANT": "Assistant",
}
assert set(_RELATION_LABEL) == set(RELATED.values())


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets an apostrophe
    (read back without it by csv_formats.unformula)."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


Pairs = list[tuple[str, str]]


def _pairs(r: ContactRecord) -> tuple[Pairs, Pairs, Pairs]:
    """The record's relations, events and custom fields ((label, value) each)."""
    relations: list[tuple[str, str]] = []
    events: list[tuple[str, str]] = []
    custom: list[tuple[str, str]] = [
        (label, value)
        for label, value in (("Industry", r.industry), ("How met", r.how_met), ("Tier", r.tier))
        if value
    ]
    for line in r.extra_lines:
        head, _, value = line.partition(":")
        kept = other_field(line)
        if head in _RELATION_LABEL:
            relations.append((_RELATION_LABEL[head], unescape(value)))
        elif head == "ANNIVERSARY":
            events.append(("Anniversary", value))
        elif kept is not None:
            custom.append(kept)
        else:
            custom.append(("vCard", line))
    return relations, events, custom


def to_csv(records: Sequence[ContactRecord]) -> str:
    """The records as CSV text (the caller writes it as UTF-8 with a BOM, for Excel)."""
    counts = {"email": 0, "phone": 0, "address": 0, "url": 0, "rel": 0, "event": 0, "cf": 0}
    extras = []
    for r in records:
        rel, ev, cf = _pairs(r)
        extras.append((rel, ev, cf))
        for key, n in (
            ("email", len(r.emails)),
            ("phone", len(r.phones)),
            ("address", len(r.addresses)),
            ("url", len(r.urls)),
            ("rel", len(rel)),
            ("event", len(ev)),
            ("cf", len(cf)),
        ):
            counts[key] = max(counts[key], n)
    header = [h for h, _ in NAME_COLUMNS] + ["Birthday", "Notes", "Labels"]
    pair_groups = (
        ("email", "E-mail"),
        ("phone", "Phone"),
        ("url", "Website"),
        ("rel", "Relation"),
        ("event", "Event"),
        ("cf", "Custom Field"),
    )
    for key, title in pair_groups[:2]:
        for i in range(1, counts[key] + 1):
            header += [f"{title} {i} - Label", f"{title} {i} - Value"]
    for i in range(1, counts["address"] + 1):
        header += [f"Address {i} - Label", f"Address {i} - Formatted"]
        header += [f"Address {i} - {h}" for h, _ in ADDRESS_COLUMNS]
    for key, title in pair_groups[2:]:
        for i in range(1, counts[key] + 1):
            header += [f"{title} {i} - Label", f"{title} {i} - Value"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for r, (rel, ev, cf) in zip(records, extras, strict=True):
        row = [getattr(r, attr) for _, attr in NAME_COLUMNS]
        row += [r.birthday.iso() if r.birthday else "", r.note, SEPARATOR.join(r.tags)]
        for key, items in (
            ("email", [(e.label, e.value) for e in r.emails]),
            ("phone", [(p.label, p.value) for p in r.phones]),
        ):
            row += _padded(items, counts[key])
        for a in r.addresses:
            row += [a.label, a.one_line()] + [getattr(a, attr) for _, attr in ADDRESS_COLUMNS]
        row += [""] * (9 * (counts["address"] - len(r.addresses)))
        for key, items in (
            ("url", [(u.label, u.value) for u in r.urls]),
            ("rel", rel),
            ("event", ev),
            ("cf", cf),
        ):
            row += _padded(items, counts[key])
        writer.writerow([csv_cell(c) for c in row])
    return buf.getvalue()


def _padded(items: Sequence[tuple[str, ...]], width: int) -> list[str]:
    cells = [c for pair in items for c in pair]
    return cells + [""] * (2 * width - len(cells))
