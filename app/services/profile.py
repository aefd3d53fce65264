"""The user's own profile: their name, how to reach them, the field they are moving into and
their 60-second story, for the messages they sign, the interview homework and their card.

Kept in the settings table (no table of its own: it is one record of short texts). The field
they are moving into is the network map's target industry, one setting for both; the name they
sign with is the key the thank-you note has always read ("me.name").
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy.orm import Session

from app.model.names import split_name
from app.model.records import ContactRecord, Labeled
from app.services import industries, settings
from app.vcard.writer import to_vcard

SIGN_AS_KEY = "me.name"  # how the user signs; the thank-you note's {{ my_name }} since 0.x
_PREFIX = "profile."
_TEXT_FIELDS = ("given_name", "family_name", "phone", "linkedin", "headline", "story")
ASKED_KEY = "profile.asked"  # set once the profile was offered on first use


@dataclass(frozen=True)
class Profile:
    given_name: str = ""
    family_name: str = ""
    sign_as: str = ""  # "Sam", "Dr. Renée Müller": how messages end; default the first name
    emails: tuple[str, ...] = ()
    phone: str = ""
    linkedin: str = ""
    target_field: str = ""
    headline: str = ""  # one line: "Chemist moving into data science"
    story: str = ""  # the 60-second story

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def first_name(self) -> str:
        return self.given_name or (self.sign_as.split() or [""])[0]

    @property
    def signature(self) -> str:
        return self.sign_as or self.given_name or self.full_name

    @property
    def is_empty(self) -> bool:
        return not (self.given_name or self.family_name or self.sign_as)


# The fields a template may use, with what each holds (Outreach's Insert field lists them).
FIELDS: list[tuple[str, str]] = [
    ("my_first_name", "Your first name"),
    ("my_last_name", "Your last name"),
    ("my_full_name", "Your full name"),
    ("my_name", "Your name as you sign"),
    ("my_email", "Your email address"),
    ("my_phone", "Your phone number"),
    ("my_linkedin", "Your LinkedIn profile"),
    ("my_headline", "Your one-line headline"),
    ("my_target_field", "The field you are moving into"),
    ("target_field", "Target field"),  # the older name of the same
]


def template_values(p: Profile) -> dict[str, str]:
    return {
        "my_first_name": p.first_name,
        "my_last_name": p.family_name,
        "my_full_name": p.full_name or p.signature,
        "my_name": p.signature,
        "my_email": p.emails[0] if p.emails else "",
        "my_phone": p.phone,
        "my_linkedin": p.linkedin,
        "my_headline": p.headline,
        "my_target_field": p.target_field,
        "target_field": p.target_field,
    }


def load_profile(session: Session) -> Profile:
    """The profile; a name typed only in the mail account ("Your name") counts as the user's
    name until the profile says otherwise."""
    values = {k: settings.get(session, _PREFIX + k) or "" for k in _TEXT_FIELDS}
    emails = tuple(e for e in (settings.get(session, _PREFIX + "emails") or "").split("\n") if e)
    sign_as = settings.get(session, SIGN_AS_KEY) or ""
    if not (values["given_name"] or values["family_name"]):
        typed = sign_as or settings.get(session, "mail.from_name") or ""
        parts = split_name(typed)
        values["given_name"] = parts.given
        values["family_name"] = " ".join(p for p in (parts.middle, parts.family) if p)
    if not emails:
        address = settings.get(session, "mail.from_address") or ""
        emails = (address,) if address else ()
    return Profile(
        sign_as=sign_as,
        emails=emails,
        target_field=industries.target_industry(session),
        **values,
    )


def save_profile(session: Session, p: Profile) -> Profile:
    """Store the profile; returns the one it replaces, for Undo."""
    before = load_profile(session)
    clean = {f.name: getattr(p, f.name) for f in fields(p)}
    for k in _TEXT_FIELDS:
        text = clean[k].strip() if k == "story" else " ".join(clean[k].split())
        settings.put(session, _PREFIX + k, text or None)
    emails = [e.strip() for e in p.emails if e.strip()]
    settings.put(session, _PREFIX + "emails", "\n".join(emails) or None)
    settings.put(session, SIGN_AS_KEY, " ".join(p.sign_as.split()) or None)
    industries.set_target_industry(session, p.target_field)
    return before


def should_ask(session: Session) -> bool:
    """True the first time Outreach or Interview prep is used without a name to sign with;
    then never again (the profile stays in Edit ▸ My Profile…)."""
    if settings.get(session, ASKED_KEY) or not load_profile(session).is_empty:
        return False
    settings.put(session, ASKED_KEY, "1")
    return True


def as_record(p: Profile) -> ContactRecord:
    return ContactRecord(
        full_name=p.full_name or p.signature,
        given_name=p.given_name,
        family_name=p.family_name,
        title=p.headline,
        emails=[Labeled(e) for e in p.emails],
        phones=[Labeled(p.phone)] if p.phone else [],
        urls=[Labeled(p.linkedin, "LinkedIn")] if p.linkedin else [],
        note=field_note(p),
    )


def field_note(p: Profile) -> str:
    return f"Moving into {p.target_field}" if p.target_field else ""


def vcard(p: Profile) -> str:
    """The user's card as vCard 3.0, which every address book and phone reads."""
    return to_vcard(as_record(p), "3.0")


def qr_matrix(p: Profile) -> list[list[bool]]:
    """The card as a QR code (True: a dark square), with its quiet zone of four squares.
    Medium error correction: a code printed on paper or shown on a scratched screen still
    reads."""
    import segno  # a few ms to import: only when a card is shown

    code = segno.make(vcard(p), error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(border=4)]
