"""Plain contact records: what services hand to the UI, the CLI and the vCard edge."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from app.model.pickling import ByFields

TIERS: dict[str, tuple[str, int]] = {
    # Derek Sivers' keep-in-touch tiers: label and days between contacts.
    "A": ("A: every 3 weeks", 21),
    "B": ("B: every 2 months", 61),
    "C": ("C: every 6 months", 182),
    "D": ("D: once a year", 365),
}


@dataclass
class Labeled(ByFields):
    """One email, phone or URL with the label the address book gave it ("work", "Assistant")."""

    value: str
    label: str = ""


@dataclass
class PostalAddress(ByFields):
    label: str = ""
    po_box: str = ""
    extended: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def parts(self) -> list[str]:
        """The seven vCard ADR components, in order."""
        return [
            self.po_box,
            self.extended,
            self.street,
            self.city,
            self.region,
            self.postal_code,
            self.country,
        ]

    def is_empty(self) -> bool:
        return not any(self.parts())

    def one_line(self) -> str:
        return ", ".join(p for p in self.parts() if p)


@dataclass(frozen=True)
class Birthday(ByFields):
    """A birthday whose year may be unknown (vCard ``--MMDD``, Apple's 1604)."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        # 2000 is a leap year, so 29 February without a year is accepted.
        dt.date(self.year or 2000, self.month, self.day)

    def iso(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass
class ContactRecord(ByFields):
    """Everything Second Act keeps about one person, detached from any database session."""

    id: int | None = None
    uid: str = ""
    full_name: str = ""
    prefix: str = ""
    given_name: str = ""
    additional_names: str = ""
    family_name: str = ""
    suffix: str = ""
    nickname: str = ""
    organization: str = ""
    department: str = ""
    title: str = ""
    industry: str = ""
    emails: list[Labeled] = field(default_factory=list)
    phones: list[Labeled] = field(default_factory=list)
    urls: list[Labeled] = field(default_factory=list)
    addresses: list[PostalAddress] = field(default_factory=list)
    birthday: Birthday | None = None
    photo: bytes | None = None
    photo_mime: str = ""
    note: str = ""
    tags: list[str] = field(default_factory=list)
    how_met: str = ""
    introduced_by_id: int | None = None
    tier: str = ""
    # vCard properties Second Act does not model, kept verbatim so export loses nothing.
    extra_lines: list[str] = field(default_factory=list)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def display_name(self) -> str:
        return display_name_of(self)

    def name_parts(self) -> tuple[str, str, str, str, str, str, str]:
        """Full name, prefix, given, additional, family, suffix, nickname: name_from_parts'
        order."""
        return (
            self.full_name,
            self.prefix,
            self.given_name,
            self.additional_names,
            self.family_name,
            self.suffix,
            self.nickname,
        )


# Instant-messaging properties: kept as vCard lines (extra_lines), not modelled, but a way to
# reach someone all the same, so a card with only a handle is a contact with that name.
IM_PROPERTIES = frozenset(
    {
        "IMPP",
        "X-AIM",
        "X-GADUGADU",
        "X-GOOGLE-TALK",
        "X-GROUPWISE",
        "X-GTALK",
        "X-ICQ",
        "X-JABBER",
        "X-MS-IMADDRESS",
        "X-MSN",
        "X-QQ",
        "X-SKYPE",
        "X-SKYPE-USERNAME",
        "X-TWITTER",
        "X-WECHAT",
        "X-YAHOO",
    }
)


def im_handles(extra_lines: list[str]) -> list[str]:
    """The instant-messaging handles among kept vCard lines ("skype:bob" reads "bob")."""
    found = []
    for line in extra_lines:
        head, sep, value = line.partition(":")
        name = head.split(";", 1)[0].rsplit(".", 1)[-1].upper()
        if not sep or name not in IM_PROPERTIES:
            continue
        value = value.replace("\\,", ",").replace("\\;", ";").strip()
        if name == "IMPP" and re.match(r"[a-z][a-z0-9+.-]*:", value, re.I):
            value = value.split(":", 1)[1].lstrip("/")
        if value:
            found.append(value)
    return found


def name_from_parts(
    full: str,
    prefix: str,
    given: str,
    middle: str,
    family: str,
    suffix: str,
    nickname: str,
    organization: str,
) -> str:
    """The name a person is shown by, from the name fields alone ("" when there is none)."""
    if full.strip():
        return full.strip()
    composed = " ".join(p.strip() for p in (prefix, given, middle, family, suffix) if p.strip())
    return composed or nickname.strip() or organization.strip()


def display_name_of(r: ContactRecord) -> str:
    name = name_from_parts(*r.name_parts(), r.organization)
    if name:
        return name
    if r.emails:
        return r.emails[0].value
    if r.phones:
        return r.phones[0].value
    if r.urls:
        return r.urls[0].value
    for a in r.addresses:
        if not a.is_empty():
            return a.one_line().split("\n")[0]
    handles = im_handles(r.extra_lines)
    return handles[0] if handles else ""


@dataclass(frozen=True)
class FieldProblem:
    """A reason a record cannot be saved as it is, in words for the person typing."""

    field: str
    message: str
    index: int | None = None


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate(r: ContactRecord) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not display_name_of(r):
        problems.append(
            FieldProblem(
                "full_name", "Give the contact a name, an organisation or an email address."
            )
        )
    for i, email in enumerate(r.emails):
        v = email.value.strip()
        if not v:
            continue
        if "@" not in v:
            problems.append(
                FieldProblem(
                    "emails", f"“{v}” has no @: an email address looks like name@example.com.", i
                )
            )
        elif not EMAIL_RE.match(v):
            problems.append(
                FieldProblem(
                    "emails", f"“{v}” is not a complete email address (name@example.com).", i
                )
            )
    for i, phone in enumerate(r.phones):
        if phone.value.strip() and not any(ch.isdigit() for ch in phone.value):
            problems.append(FieldProblem("phones", f"“{phone.value}” has no digits.", i))
    for i, url in enumerate(r.urls):
        if any(ch.isspace() for ch in url.value.strip()):
            problems.append(FieldProblem("urls", f"“{url.value}” contains spaces.", i))
    if r.tier and r.tier not in TIERS:
        problems.append(FieldProblem("tier", f"Unknown keep-in-touch tier “{r.tier}”."))
    if r.id is not None and r.introduced_by_id == r.id:
        problems.append(FieldProblem("introduced_by_id", "A contact cannot introduce themselves."))
    return problems
