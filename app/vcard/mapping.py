"""From vCard content lines to a ContactRecord, keeping whatever the model does not hold."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import unquote_to_bytes

from app.model.names import turn_family_first
from app.model.pickling import ByFields
from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.model.serialize import fingerprint
from app.vcard.problems import Problem, Severity
from app.vcard.reader import Card, Property, base64_problem, decode_base64, decode_text

# Properties that describe the file rather than the person: not kept, export writes its own.
DROPPED = {"VERSION", "PRODID", "REV", "X-ABLABEL"}
X_PREFIX = "X-SECONDACT-"
TYPE_LABELS = {
    # vCard TYPE values, as Second Act shows them. Order matters for several types at once.
    "cell": "mobile",
    "mobile": "mobile",
    "iphone": "iPhone",
    "main": "main",
    "work": "work",
    "home": "home",
    "fax": "fax",
    "pager": "pager",
    "car": "car",
    "video": "video",
    "isdn": "ISDN",
    "bbs": "BBS",
    "modem": "modem",
    "textphone": "textphone",
    "text": "text",
    "msg": "message",
    "other": "other",
}
# The content lines that carry each field of a record; every other line is kept as an extra
# line. A writer over another client's card replaces only the lines of the fields that
# changed and leaves the rest as that client wrote them (app/services/sync.py).
_NAME_LINES = ("FN", "N")
FIELD_PROPERTIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("full_name", "prefix", "given_name", "additional_names", "family_name", "suffix"),
        _NAME_LINES,
    ),
    "uid": ("UID",),
    "nickname": ("NICKNAME",),
    "organization": ("ORG",),
    "department": ("ORG",),
    "title": ("TITLE",),
    "emails": ("EMAIL",),
    "phones": ("TEL",),
    "urls": ("URL", "X-SOCIALPROFILE"),
    "addresses": ("ADR",),
    "birthday": ("BDAY",),
    "photo": ("PHOTO",),
    "photo_mime": ("PHOTO",),
    "note": ("NOTE",),
    "tags": ("CATEGORIES",),
    "industry": (f"{X_PREFIX}INDUSTRY",),
    "how_met": (f"{X_PREFIX}HOW-MET",),
    "tier": (f"{X_PREFIX}TIER",),
}
IGNORED_TYPES = {
    "internet",
    "pref",
    "voice",
    "x400",
    "intl",
    "dom",
    "postal",
    "parcel",
    "x-internet",
}


@dataclass
class MappedCard(ByFields):
    """A record read from one card, and what the import must still resolve."""

    record: ContactRecord
    file: str
    line: int
    problems: list[Problem] = field(default_factory=list)
    introduced_by_uid: str = ""

    @cached_property
    def fingerprint(self) -> str:
        """What recognises this very card when it is imported again (see serialize)."""
        return fingerprint(self.record)

    @property
    def skipped(self) -> bool:
        """True when the card cannot be imported (a problem of severity error)."""
        return any(p.severity is Severity.ERROR for p in self.problems)


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], text, flags=re.S)


def split_unescaped(text: str, sep: str) -> list[str]:
    """Split at separators not preceded by a backslash; pieces stay escaped."""
    if "\\" not in text:
        return text.split(sep)
    parts, buf, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
        i += 1
    parts.append("".join(buf))
    return parts


def components(text: str) -> list[str]:
    """The parts of a structured value (N, ORG, ADR), unescaped and trimmed."""
    return [unescape(x).strip() for x in split_unescaped(text, ";")]


def text_value(text: str, legacy: bool) -> str:
    """A single text value; in vCard 2.1 (*legacy*) a backslash is just a backslash."""
    return text if legacy else unescape(text)


def parts_value(text: str, legacy: bool) -> list[str]:
    """A structured value; in 2.1 only ``\\;`` is an escape (a ';' inside a component)."""
    if not legacy:
        return components(text)
    return [x.replace("\\;", ";").strip() for x in re.split(r"(?<!\\);", text)]


def legacy_to_escaped(value: str) -> str:
    """2.1 text (no escapes but ``\\;``) as 3.0/4.0 escaped text, for lines kept as they are."""
    value = re.sub(r"\\(?!;)", r"\\\\", value)
    return value.replace("\r\n", "\n").replace("\n", "\\n")


ANDROID_NICKNAME = "vnd.android.cursor.item/nickname"


def _apple_label(text: str) -> str:
    """Apple's built-in labels are written _$!<Work>!$_; custom ones as typed."""
    m = re.fullmatch(r"_\$!<(.*)>!\$_", text)
    if not m:
        return text
    return m[1].lower() if m[1].lower() in TYPE_LABELS.values() else m[1]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def label_of(prop: Property, group_labels: dict[str, str]) -> str:
    if prop.group and prop.group.lower() in group_labels:
        return group_labels[prop.group.lower()]
    words = []
    for t in prop.types:
        t = _CONTROL.sub("", t).strip()  # TYPE=\x00 is no label (export writes none back)
        if not t or t in IGNORED_TYPES:
            continue
        words.append(TYPE_LABELS.get(t, t))
    # "work fax", "home", "mobile": the place first, then the kind.
    words.sort(key=lambda w: 0 if w in ("work", "home", "other") else 1)
    return " ".join(dict.fromkeys(words))


def _image_mime(data: bytes, declared: str) -> str:
    """The real type of an image; files in the wild declare the wrong one."""
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM"):
        return "image/bmp"
    declared = declared.lower().strip()
    return clean_mime(declared if "/" in declared else f"image/{declared}")


_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


def clean_mime(mime: str) -> str:
    """*mime* when it is a media type (RFC 6838), else application/octet-stream: a TYPE
    parameter may hold any text, and export writes the type into a parameter again."""
    mime = mime.lower()
    return mime if _MIME.fullmatch(mime) else "application/octet-stream"


def parse_birthday(prop: Property, text: str) -> Birthday | None:
    """A birthday; None when the value is not a date (kept as an extra line instead)."""
    value = text.strip()
    if any(v.lower() == "text" for v in prop.param("VALUE")):
        return None
    omit_year = prop.param("X-APPLE-OMIT-YEAR")
    return birthday_from_text(value, omit_year[0] if omit_year else "")


def birthday_from_text(value: str, omit_year: str = "") -> Birthday | None:
    """``YYYY-MM-DD``, ``YYYYMMDD`` (a time may follow), ``--MM-DD`` or ``--MMDD`` as a
    birthday; None for anything else. The year is left out where *omit_year* names it, or
    where it is a client's "year unknown" (1604, 0). The one date parser of vCard and CSV."""
    value = value.strip()
    m = re.fullmatch(r"--(\d\d)-?(\d\d)", value)
    if m:
        return _birthday(int(m[1]), int(m[2]), None)
    m = re.match(r"(\d{4})-?(\d\d)-?(\d\d)(?:T[\d:]+(?:Z|[+-][\d:]+)?)?$", value)
    if not m:
        return None
    year: int | None = int(m[1])
    if (omit_year and omit_year.strip() == m[1]) or year in (1604, 0):
        year = None  # Apple's and others' "year unknown"
    return _birthday(int(m[2]), int(m[3]), year)


def _birthday(month: int, day: int, year: int | None) -> Birthday | None:
    try:
        return Birthday(month, day, year)
    except ValueError:
        return None


def canonical_line(prop: Property, legacy: bool = False) -> str:
    """A content line for an unmapped property, in vCard 3.0/4.0 form (UTF-8, no QP).

    *legacy*: the card is vCard 2.1, whose text has no backslash escapes.
    """
    params = [
        (k, v)
        for k, v in prop.params
        if k != "CHARSET"
        and not (k == "ENCODING" and v.upper() in ("QUOTED-PRINTABLE", "8BIT", "7BIT"))
    ]
    enc = prop.encoding
    if enc in ("B", "BASE64"):
        params = [(k, "b" if k == "ENCODING" else v) for k, v in params]
        try:
            if base64_problem(prop.raw):
                raise ValueError("damaged base64 is written back as it came")
            value = base64.b64encode(prop.value_bytes()).decode("ascii")
        except (binascii.Error, ValueError):
            # Not ASCII as "replace" would make it: U+FFFD grew by three each export. Only
            # what base64_problem counts as white space goes (not \x1c, which str's \s is).
            value = decode_text(re.sub(rb"\s|\x00", b"", prop.raw))
    else:
        value = prop.text()
        if legacy or enc == "QUOTED-PRINTABLE":
            value = legacy_to_escaped(value)  # 2.1 text is not escaped; write it the 3.0 way
    name = prop.spelled or prop.name
    head = f"{prop.group}.{name}" if prop.group else name
    for k, v in params:
        needs_quotes = any(c in v for c in ':;,"') or "\n" in v
        v2 = v.replace("^", "^^").replace("\n", "^n").replace('"', "^'")
        head += f";{k}=" + (f'"{v2}"' if needs_quotes else v2)
    return f"{head}:{value}"


# The largest value a property may have on import, as written in the file: a photo (or
# any base64 value) of 10 MB, a note of a million characters (longer ones are cut, keeping
# the beginning), and 1 MB for anything else. Larger values are dropped with a warning that
# names the line, and the rest of the card is read: export and sync write every value of
# every card again, and an 8 MB line made each of them take seconds.
BINARY_LIMIT = 10_000_000
NOTE_LIMIT = 1_000_000
TEXT_LIMIT = 1_000_000
_BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}


def _size_limit(p: Property) -> tuple[int, bool]:
    """The most a property's value may hold, and whether a longer one is cut (else dropped)."""
    if p.name in _BINARY or p.encoding in ("B", "BASE64"):
        return BINARY_LIMIT, False
    return (NOTE_LIMIT, True) if p.name == "NOTE" else (TEXT_LIMIT, False)


def _too_large(p: Property, limit: int, cut: bool) -> str:
    name = p.spelled or p.name
    if cut:
        return f"{name} is longer than {limit:,} characters; only its beginning was kept"
    size = len(p.raw) / 1e6
    return f"{name} is {size:.1f} MB, more than the {limit / 1e6:g} MB a value may be; dropped"


def map_card(card: Card) -> MappedCard:
    """Read a card into a record. Never raises: a bad property becomes a warning."""
    r = ContactRecord()
    out = MappedCard(r, card.file, card.line, list(card.problems))
    props = card.properties
    legacy = card.version == "2.1"
    mapped_groups: set[str] = set()
    group_labels: dict[str, str] = {}
    for p in props:
        refused = p.refused_charset() if p.params and p.param("CHARSET") else ""
        if refused:
            out.problems.append(
                Problem(
                    card.file,
                    p.line,
                    f"{p.spelled or p.name} declares the charset “{refused}”, which cannot "
                    "decode it; read as UTF-8 or Windows-1252 instead",
                )
            )
        if p.name == "X-ABLABEL" and p.group:
            group_labels[p.group.lower()] = _apple_label(unescape(p.text().strip()))
    extra: list[Property] = []
    notes: list[str] = []  # joined once: adding each NOTE to the last copied them all
    n_done = False
    for p in props:
        name = p.name
        limit, cut = _size_limit(p)
        if len(p.raw) > limit and not cut:
            out.problems.append(Problem(card.file, p.line, _too_large(p, limit, cut)))
            continue
        try:
            text = p.text() if p.encoding not in ("B", "BASE64") else ""
            if cut and len(text) > limit:
                text = text[:limit]
                out.problems.append(Problem(card.file, p.line, _too_large(p, limit, cut)))
            handled = _map_property(r, out, p, name, text, group_labels, n_done, notes, legacy)
        except (ValueError, binascii.Error) as exc:
            out.problems.append(
                Problem(card.file, p.line, f"{name} could not be read ({exc}); dropped")
            )
            continue
        if name == "N" and handled:
            n_done = True
        if handled:
            if p.group:
                mapped_groups.add(p.group.lower())
            continue
        if name in DROPPED:
            continue
        extra.append(p)
    # Keep X-ABLabel lines whose property stayed unmapped, so label and property stay together.
    for p in props:
        if p.name == "X-ABLABEL" and p.group and p.group.lower() not in mapped_groups:
            extra.append(p)
    extra.sort(key=lambda e: e.line)
    for p in extra:
        try:
            r.extra_lines.append(canonical_line(p, legacy))
        except (ValueError, binascii.Error):
            out.problems.append(Problem(card.file, p.line, f"{p.name} could not be kept"))
    _labels_become_addresses(r)
    if notes:
        r.note = "\n\n".join(notes)
        if len(r.note) > NOTE_LIMIT:
            r.note = r.note[:NOTE_LIMIT]
            out.problems.append(
                Problem(
                    card.file,
                    card.line,
                    f"the notes are longer than {NOTE_LIMIT:,} characters together; "
                    "only their beginning was kept",
                )
            )
    if len(r.tags) > 1:  # one tag however it is capitalised, spelled as it first came
        first: dict[str, str] = {}
        for tag in r.tags:
            first.setdefault(tag.casefold(), tag)
        r.tags = list(first.values())
    turn_family_first(r)
    if not r.display_name:  # display_name_of also counts instant-messaging handles
        only = " (only a photo)" if r.photo else ""
        out.problems.append(
            Problem(
                card.file,
                card.line,
                f"the card has no name, organisation, email, phone or address{only}; skipped",
                Severity.ERROR,
            )
        )
    return out


def _map_property(
    r: ContactRecord,
    out: MappedCard,
    p: Property,
    name: str,
    text: str,
    group_labels: dict[str, str],
    n_done: bool,
    notes: list[str],
    legacy: bool = False,
) -> bool:
    """Fill the record from one property; False when the property is kept as an extra line."""
    line = _Line(r, out, p, text, group_labels, n_done, notes, legacy)
    if name.startswith(X_PREFIX):
        return _own_field(line, name[len(X_PREFIX) :])
    read = READERS.get(name)
    return read(line) if read is not None else False


@dataclass
class _Line:
    """One content line being read into the record."""

    r: ContactRecord
    out: MappedCard
    p: Property
    text: str
    group_labels: dict[str, str]
    n_done: bool  # an N was read already (a second one is an extra line)
    notes: list[str]  # the card's notes, joined once it is read (map_card)
    legacy: bool  # vCard 2.1: its text has no backslash escapes

    def unescaped(self) -> str:
        return text_value(self.text, self.legacy)

    def value(self) -> str:
        return self.unescaped().strip()

    def parts(self) -> list[str]:
        return parts_value(self.text, self.legacy)

    def label(self) -> str:
        return label_of(self.p, self.group_labels)


def _fn(x: _Line) -> bool:
    value = x.value()
    if value and not x.r.full_name:
        x.r.full_name = value
        return True
    return not value


def _n(x: _Line) -> bool:
    if x.n_done:
        return False  # a second N (4.0 ALTID): kept as it was
    parts = x.parts() + [""] * 5
    r = x.r
    r.family_name, r.given_name, r.additional_names, r.prefix, r.suffix = parts[:5]
    return True


def _once(field_name: str) -> Callable[[_Line], bool]:
    """A reader of a text field that the first such line fills; later ones stay extra lines."""

    def read(x: _Line) -> bool:
        if getattr(x.r, field_name):
            return False
        setattr(x.r, field_name, x.value())
        return True

    return read


def _org(x: _Line) -> bool:
    if x.r.organization:
        return False
    units = x.parts()
    x.r.organization = units[0] if units else ""
    x.r.department = "; ".join(u for u in units[1:] if u)
    return True


def _labeled(
    items: Callable[[ContactRecord], list[Labeled]], scheme: str = "", label: str = ""
) -> Callable[[_Line], bool]:
    """A reader adding a labelled value (an email, a phone, a link) to the record's list
    *items*; *scheme* ("mailto:") is taken off, *label* is the label when none is given."""

    def read(x: _Line) -> bool:
        value = x.value()
        if scheme and value.lower().startswith(scheme):
            value = value[len(scheme) :]
        if value:
            items(x.r).append(Labeled(value, x.label() or label))
        return True

    return read


def _adr(x: _Line) -> bool:
    parts = x.parts() + [""] * 7
    a = PostalAddress(x.label(), *parts[:7])
    if len(parts) > 14:  # more than 7 components: keep the rest in the country line
        a.country = "; ".join(v for v in parts[6:] if v)
    if not a.is_empty():
        x.r.addresses.append(a)
    return True


def _bday(x: _Line) -> bool:
    if x.r.birthday is not None:
        return False
    b = parse_birthday(x.p, x.text)
    if b is None:
        return False
    x.r.birthday = b
    return True


def _note(x: _Line) -> bool:
    value = x.unescaped().replace("\r\n", "\n").strip()
    if value:
        x.notes.append(value)  # adding each to the last copied them all: joined in map_card
    return True


def _categories(x: _Line) -> bool:
    # Split at escaped commas too: Thunderbird writes "a\, b", and tags hold no commas.
    # Repeats are dropped once the whole card is read (map_card), not here tag by tag.
    x.r.tags.extend(tag for t in x.unescaped().split(",") if (tag := t.strip()))
    return True


def _photo(x: _Line) -> bool:
    if x.r.photo is not None:
        return False
    return _map_photo(x.r, x.out, x.p, x.value())


def _android_custom(x: _Line) -> bool:
    parts = x.parts()
    if parts[0] == ANDROID_NICKNAME and len(parts) > 1 and parts[1] and not x.r.nickname:
        x.r.nickname = parts[1]
        return True
    return False


def _own_field(x: _Line, key: str) -> bool:
    """Second Act's own X-SECONDACT-* lines; an unknown one is kept as an extra line."""
    value = x.value()
    if key == "INDUSTRY":
        x.r.industry = value
    elif key == "HOW-MET":
        x.r.how_met = value
    elif key == "TIER" and value.upper() in ("A", "B", "C", "D"):
        x.r.tier = value.upper()
    elif key == "INTRODUCED-BY":
        x.out.introduced_by_uid = value
    else:
        return False
    return True


# Each property the record holds → its reader: True when the line was read into the record,
# False when it stays as an extra line. Properties not named here are kept as extra lines.
READERS: dict[str, Callable[[_Line], bool]] = {
    "FN": _fn,
    "N": _n,
    "NICKNAME": _once("nickname"),
    "ORG": _org,
    "TITLE": _once("title"),
    "EMAIL": _labeled(lambda r: r.emails, "mailto:"),
    "TEL": _labeled(lambda r: r.phones, "tel:"),
    "URL": _labeled(lambda r: r.urls),
    "X-SOCIALPROFILE": _labeled(lambda r: r.urls, label="profile"),
    "ADR": _adr,
    "BDAY": _bday,
    "NOTE": _note,
    "CATEGORIES": _categories,
    "UID": _once("uid"),
    "PHOTO": _photo,
    "X-ANDROID-CUSTOM": _android_custom,
}


def _map_photo(r: ContactRecord, out: MappedCard, p: Property, value: str) -> bool:
    declared = (p.param("TYPE") or [""])[0]
    data = b""
    if p.encoding in ("B", "BASE64"):
        encoded = p.raw
    else:
        m = re.match(r"data:([^;,]*)(;base64)?,(.*)$", value, re.S | re.I)
        if not m:
            return False  # a link to a photo elsewhere: kept, never fetched
        declared = declared or m[1]
        if not m[2]:
            encoded = b""
            data = unquote_to_bytes(m[3])  # a percent-encoded data URI
        else:
            encoded = m[3].encode("utf-8", "replace")
    if encoded:
        why = base64_problem(encoded)
        if why:
            out.problems.append(
                Problem(
                    out.file,
                    p.line,
                    f"the photo cannot be shown: its base64 text is damaged ({why}); "
                    "kept as it was, so an export writes it back unchanged",
                )
            )
            return False
        data = decode_base64(encoded)
    if not data:
        out.problems.append(Problem(out.file, p.line, "empty photo dropped"))
        return True
    r.photo = data
    r.photo_mime = _image_mime(data, declared)
    return True


def _labels_become_addresses(r: ContactRecord) -> None:
    """A 2.1 LABEL with no ADR at all is the only address the card has: make it one."""
    if r.addresses:
        return
    kept = []
    for line in r.extra_lines:
        head, _, value = line.partition(":")
        name = head.split(";")[0].split(".")[-1].upper()
        if name == "LABEL" and value.strip():
            text = unescape(value).strip()
            r.addresses.append(PostalAddress(label="", street=text))
        else:
            kept.append(line)
    r.extra_lines = kept
