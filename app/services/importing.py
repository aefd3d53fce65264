"""Import address books: read files, preview, then add or merge contacts in one transaction."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.model.merge import merge_records
from app.model.normalize import email_key, is_linkedin, phone_key, url_key
from app.model.records import ContactRecord, validate
from app.model.tables import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactUrl,
    Organization,
)
from app.services.contacts import create_contact, get_contact, update_contact
from app.vcard.linkedin import looks_like_linkedin, read_connections
from app.vcard.mapping import MappedCard, map_card
from app.vcard.problems import Problem, Severity
from app.vcard.reader import read_cards

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """The user pressed Cancel; the caller's session rolls back and nothing is written."""


@dataclass
class ParsedFile:
    path: str
    cards: list[MappedCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


@dataclass
class ImportReport:
    imported: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


def parse_bytes(data: bytes, path: str) -> ParsedFile:
    name = os.path.basename(path)
    parsed = ParsedFile(path)
    if path.lower().endswith(".csv") or (
        not path.lower().endswith((".vcf", ".vcard")) and looks_like_linkedin(data)
    ):
        parsed.cards, parsed.problems = read_connections(data, name)
        return parsed
    cards, parsed.problems = read_cards(data, name)
    parsed.cards = [map_card(c) for c in cards]
    if not cards and not parsed.problems:
        parsed.problems.append(Problem(name, 0, "no vCards found in this file", Severity.ERROR))
    return parsed


def read_file(path: str | os.PathLike[str]) -> ParsedFile:
    """Read and parse one file; a file that cannot be opened becomes one error, not a crash."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return ParsedFile(
            str(p),
            problems=[Problem(p.name, 0, f"cannot be read: {exc.strerror or exc}", Severity.ERROR)],
        )
    return parse_bytes(data, str(p))


def _keys(r: ContactRecord) -> list[str]:
    """What identifies a person, strongest first."""
    keys = []
    if r.uid:
        keys.append(f"uid:{r.uid}")
    keys += [f"email:{email_key(e.value)}" for e in r.emails if "@" in e.value]
    keys += [f"li:{url_key(u.value)}" for u in r.urls if is_linkedin(u.value)]
    keys += [f"tel:{k}" for p in r.phones if len(k := phone_key(p.value)) >= 8]
    name = " ".join(r.display_name.casefold().split())
    if r.organization and name and name != r.organization.casefold():
        keys.append(f"nameorg:{name}|{' '.join(r.organization.casefold().split())}")
    if len(keys) == 0 and name:
        keys.append(f"name:{name}")  # nothing else to know them by: same name, same person
    return keys


class Matcher:
    """Finds the contact an incoming record belongs to, among existing and just-imported ones."""

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}

    def find(self, r: ContactRecord) -> int | None:
        for k in _keys(r):
            if k in self._by_key:
                return self._by_key[k]
        return None

    def add(self, r: ContactRecord, contact_id: int) -> None:
        keys = _keys(r)
        name = " ".join(r.display_name.casefold().split())
        if name and f"name:{name}" not in keys:
            keys.append(f"name:{name}")
        for k in keys:
            self._by_key.setdefault(k, contact_id)

    @classmethod
    def from_database(cls, session: Session) -> Matcher:
        m = cls()
        live = Contact.deleted_at.is_(None)

        def put(key: str, cid: int) -> None:
            m._by_key.setdefault(key, cid)

        for cid, uid in session.execute(
            select(Contact.id, Contact.uid).where(live, Contact.uid != "")
        ):
            put(f"uid:{uid}", cid)
        for cid, v in session.execute(
            select(ContactEmail.contact_id, ContactEmail.value).join(Contact).where(live)
        ):
            put(f"email:{email_key(v)}", cid)
        for cid, v in session.execute(
            select(ContactUrl.contact_id, ContactUrl.value).join(Contact).where(live)
        ):
            if is_linkedin(v):
                put(f"li:{url_key(v)}", cid)
        for cid, v in session.execute(
            select(ContactPhone.contact_id, ContactPhone.normalized).join(Contact).where(live)
        ):
            if len(v) >= 8:
                put(f"tel:{v}", cid)
        rows = session.execute(
            select(Contact.id, Contact.sort_name, Organization.name)
            .outerjoin(Organization, Contact.organization_id == Organization.id)
            .where(live)
        )
        for cid, name, org in rows:
            name = " ".join((name or "").split())
            if org and name and name != org.casefold():
                put(f"nameorg:{name}|{' '.join(org.casefold().split())}", cid)
            if name:
                # Only an incoming card with nothing else to go by is matched on name alone.
                m._by_key.setdefault(f"name:{name}", cid)
        return m


@dataclass
class Preview:
    """What an import would do, before anything is written."""

    new: int = 0
    merge: int = 0
    skip: int = 0
    problems: list[Problem] = field(default_factory=list)


def preview_import(session: Session, files: list[ParsedFile]) -> Preview:
    matcher = Matcher.from_database(session)
    out = Preview()
    placeholder = -1
    for f in files:
        out.problems += f.problems
        out.skip += sum(1 for p in f.problems if p.severity is Severity.ERROR and p.line == 0)
        for card in f.cards:
            out.problems += card.problems
            if any(p.severity is Severity.ERROR for p in card.problems):
                out.skip += 1
                continue
            if matcher.find(card.record) is None:
                out.new += 1
                matcher.add(card.record, placeholder)
                placeholder -= 1
            else:
                out.merge += 1
    return out


def import_files(
    session: Session,
    files: Iterable[ParsedFile],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Add new people and merge known ones. Raises Cancelled; the caller then rolls back."""
    files = list(files)
    total = sum(len(f.cards) for f in files)
    matcher = Matcher.from_database(session)
    report = ImportReport()
    introductions: list[tuple[int, str]] = []
    done = 0
    for f in files:
        report.problems += f.problems
        report.skipped += sum(1 for p in f.problems if p.severity is Severity.ERROR and p.line == 0)
        for card in f.cards:
            if cancelled is not None and cancelled():
                raise Cancelled
            done += 1
            report.problems += card.problems
            if any(p.severity is Severity.ERROR for p in card.problems):
                report.skipped += 1
                continue
            _import_one(session, card, f.name, matcher, report, introductions)
            if progress is not None and (done % 25 == 0 or done == total):
                progress(done, total)
    _resolve_introductions(session, introductions)
    return report


def _import_one(
    session: Session,
    card: MappedCard,
    source: str,
    matcher: Matcher,
    report: ImportReport,
    introductions: list[tuple[int, str]],
) -> None:
    incoming = card.record
    for issue in validate(incoming):
        if issue.field != "full_name":
            report.problems.append(Problem(source, card.line, f"{issue.message} Kept as written."))
    existing_id = matcher.find(incoming)
    if existing_id is None:
        cid = create_contact(session, incoming, check=False)
        report.imported += 1
    else:
        cid = existing_id
        current = get_contact(session, cid)
        merged = merge_records(current, incoming, source)
        merged.created_at = merged.updated_at = current.created_at = current.updated_at = None
        if merged == current:
            report.unchanged += 1
        else:
            update_contact(session, merged, check=False)
            report.merged += 1
    matcher.add(incoming, cid)
    if cid not in report.contact_ids:
        report.contact_ids.append(cid)
    if card.introduced_by_uid:
        introductions.append((cid, card.introduced_by_uid))


def _resolve_introductions(session: Session, pairs: list[tuple[int, str]]) -> None:
    for cid, uid in pairs:
        introducer = session.scalar(
            select(Contact.id).where(Contact.uid == uid, Contact.deleted_at.is_(None))
        )
        c = session.get(Contact, cid)
        if (
            introducer is not None
            and c is not None
            and c.introduced_by_id is None
            and introducer != cid
        ):
            c.introduced_by_id = introducer
