"""ContactRecord to vCard 3.0 or 4.0 text, folded by octets as RFC 6350 asks."""

from __future__ import annotations

import base64
import re

from app import __version__
from app.model.records import ContactRecord, Labeled
from app.vcard.mapping import TYPE_LABELS, X_PREFIX, clean_mime

PRODID = f"-//Second Act//Second Act {__version__}//EN"
_LABEL_TYPES = {v: k for k, v in TYPE_LABELS.items() if k not in ("mobile",)}
_LABEL_TYPES["mobile"] = "cell"


def escape(text: str) -> str:
    return escape_breaks(text).replace(",", "\\,").replace(";", "\\;")


def escape_breaks(text: str) -> str:
    """Backslashes and line breaks escaped, commas and semicolons left: a 4.0 UID (a URI)."""
    return (
        text.replace("\x00", "")  # a NUL: no text, and a file of them reads as UTF-16
        .replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\r", "\n")  # a carriage return alone would end the line
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character.

    The pieces are sliced out of the encoded line by position, each once: cutting the rest
    off the front again and again copied the line once per fold, and an 8 MB note took half
    a minute on every export and sync."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces: list[bytes] = []
    start, limit = 0, 75
    while start < len(data):
        cut = min(start + limit, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
        limit = 74  # continuation lines start with a space
    return b"\r\n ".join(pieces).decode("utf-8")


def _types_for(label: str) -> list[str] | None:
    """vCard TYPE values for a label, or None when only X-ABLabel can carry it."""
    if not label:
        return []
    words = label.split()
    types = []
    for w in words:
        t = _LABEL_TYPES.get(w)
        if t is None:
            return None
        types.append(t)
    return types


class _Lines:
    def __init__(self, version: str, reserved_groups: set[str]) -> None:
        self.version = version
        self.lines: list[str] = []
        self._group = 0
        self._reserved = reserved_groups

    def add(self, name: str, value: str, params: str = "") -> None:
        self.lines.append(f"{name}{params}:{value}")

    def labelled(self, name: str, item: Labeled, value: str, extra: str = "") -> None:
        types = _types_for(item.label)
        if types is not None:
            params = ""
            if types:
                params = ";TYPE=" + ",".join(
                    t.upper() if self.version == "3.0" else t for t in types
                )
            self.add(name, value, params + extra)
            return
        # A custom label ("Assistant", "Lab"): Apple's grouped X-ABLabel keeps it.
        self._group += 1
        while f"item{self._group}" in self._reserved:
            self._group += 1
        group = f"item{self._group}"
        self.add(f"{group}.{name}", value, extra)
        self.add(f"{group}.X-ABLabel", escape(item.label))


def to_vcard(r: ContactRecord, version: str = "3.0", introduced_by_uid: str = "") -> str:
    if version not in ("3.0", "4.0"):
        raise ValueError(f"vCard version {version} is not written; use 3.0 or 4.0")
    reserved = {
        line.split(".", 1)[0].lower()
        for line in r.extra_lines
        if re.match(r"[A-Za-z0-9-]+\.", line)
    }
    out = _Lines(version, reserved)
    out.add("BEGIN", "VCARD")
    out.add("VERSION", version)
    out.add("PRODID", PRODID)
    if r.uid:
        out.add("UID", escape(r.uid) if version == "3.0" else escape_breaks(r.uid))
    out.add("FN", escape(r.display_name))
    out.add(
        "N",
        ";".join(
            escape(x) for x in (r.family_name, r.given_name, r.additional_names, r.prefix, r.suffix)
        ),
    )
    if r.nickname:
        out.add("NICKNAME", escape(r.nickname))
    if r.organization or r.department:
        units = [r.organization] + [u for u in r.department.split("; ") if u]
        out.add("ORG", ";".join(escape(u) for u in units))
    if r.title:
        out.add("TITLE", escape(r.title))
    for e in r.emails:
        out.labelled("EMAIL", e, escape(e.value))
    for p in r.phones:
        out.labelled("TEL", p, escape(p.value))
    for u in r.urls:
        out.labelled("URL", u, escape(u.value))
    for a in r.addresses:
        value = ";".join(escape(x) for x in a.parts())
        out.labelled("ADR", Labeled(value, a.label), value)
    if r.birthday:
        b = r.birthday
        if b.year is not None:
            out.add("BDAY", b.iso())
        elif version == "4.0":
            out.add("BDAY", f"--{b.month:02d}{b.day:02d}")
        else:
            out.add("BDAY", f"1604-{b.month:02d}-{b.day:02d}", ";X-APPLE-OMIT-YEAR=1604")
    if r.photo:
        data = base64.b64encode(r.photo).decode("ascii")
        mime = clean_mime(r.photo_mime)
        if version == "4.0":
            out.add("PHOTO", f"data:{mime};base64,{data}")
        else:
            # image/jpeg is TYPE=JPEG; another type is written whole, to be read back as it was.
            kind = mime[6:].upper() if mime.startswith("image/") else mime
            out.add("PHOTO", data, f";ENCODING=b;TYPE={kind}")
    if r.note:
        out.add("NOTE", escape(r.note))
    if r.tags:
        out.add("CATEGORIES", ",".join(escape(t) for t in r.tags))
    if r.industry:
        out.add(f"{X_PREFIX}INDUSTRY", escape(r.industry))
    if r.how_met:
        out.add(f"{X_PREFIX}HOW-MET", escape(r.how_met))
    if r.tier:
        out.add(f"{X_PREFIX}TIER", r.tier)
    if introduced_by_uid:
        out.add(f"{X_PREFIX}INTRODUCED-BY", escape(introduced_by_uid))
    out.lines.extend(r.extra_lines)
    out.add("END", "VCARD")
    return "".join(fold(line) + "\r\n" for line in out.lines)
