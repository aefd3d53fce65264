"""Import address books: read files, preview, then add or merge contacts in one transaction."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.model.merge import merge_records
from app.model.normalize import email_key, is_linkedin, phone_key, text_key, url_key
from app.model.records import ContactRecord, validate
from app.model.tables import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactUrl,
    Organization,
)
from app.services.contacts import create_contacts, get_contact, update_contact
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


def _keys(r: ContactRecord, *, with_name: bool = False) -> list[str]:
    """What identifies a person, strongest first.

    The name alone is a key only for a record with nothing else to go by, unless *with_name*
    (an index of known people answers to their name too).
    """
    keys = []
    if r.uid:
        keys.append(f"uid:{r.uid}")
    keys += [f"email:{email_key(e.value)}" for e in r.emails if "@" in e.value]
    keys += [f"li:{url_key(u.value)}" for u in r.urls if is_linkedin(u.value)]
    keys += [f"tel:{k}" for p in r.phones if len(k := phone_key(p.value)) >= 8]
    keys += _name_keys(
        text_key(r.display_name), text_key(r.organization), with_name=with_name or not keys
    )
    return keys


def _name_keys(name: str, org: str, *, with_name: bool) -> list[str]:
    keys = [f"nameorg:{name}|{org}"] if org and name and name != org else []
    if with_name and name:
        keys.append(f"name:{name}")
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
        for k in _keys(r, with_name=True):
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
            for k in _name_keys(text_key(name or ""), text_key(org or ""), with_name=True):
                put(k, cid)
        return m


@dataclass
class Preview:
    """What an import would do, before anything is written."""

    new: int = 0
    merge: int = 0
    skip: int = 0
    problems: list[Problem] = field(default_factory=list)


def _walk(
    files: list[ParsedFile], problems: list[Problem]
) -> Iterator[tuple[str, MappedCard | None]]:
    """Every card to import, by file name; None for a card or file that must be skipped.

    The problems of files and cards are added to *problems* on the way.
    """
    for f in files:
        problems += f.problems
        for p in f.problems:
            if p.severity is Severity.ERROR and p.line == 0:
                yield f.name, None  # the whole file could not be read
        for card in f.cards:
            problems += card.problems
            yield f.name, None if card.skipped else card


def preview_import(session: Session, files: list[ParsedFile]) -> Preview:
    matcher = Matcher.from_database(session)
    out = Preview()
    placeholder = -1
    for _, card in _walk(files, out.problems):
        if card is None:
            out.skip += 1
        elif matcher.find(card.record) is None:
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
    run = _ImportRun(session, progress, cancelled)
    files = list(files)
    run.total = sum(len(f.cards) for f in files)
    for source, card in _walk(files, run.report.problems):
        run.check()
        if card is None:
            run.report.skipped += 1
            continue
        run.done += 1
        run.add(card, source)
        run.tick()
    run.write_pending()
    _resolve_introductions(session, run.introductions)
    return run.report


class _ImportRun:
    """One import: new people are collected and written together; known ones merged at once."""

    BATCH = 500

    def __init__(
        self, session: Session, progress: Progress | None, cancelled: Callable[[], bool] | None
    ) -> None:
        self.session = session
        self.progress = progress
        self.cancelled = cancelled
        self.matcher = Matcher.from_database(session)
        self.report = ImportReport()
        self.pending: list[ContactRecord] = []
        self.pending_uids: list[str] = []  # introducer UIDs of pending records
        self.introductions: list[tuple[int, str]] = []
        self.done = 0
        self.total = 0

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled

    def tick(self, force: bool = False) -> None:
        if self.progress is not None and (force or self.done % 50 == 0):
            self.progress(self.done, self.total)

    def add(self, card: MappedCard, source: str) -> None:
        incoming = card.record
        for issue in validate(incoming):
            if issue.field != "full_name":
                self.report.problems.append(
                    Problem(source, card.line, f"{issue.message} Kept as written.")
                )
        found = self.matcher.find(incoming)
        if found is None:
            # A placeholder id (-1, -2, …) until the batch is written.
            self.pending.append(incoming)
            self.pending_uids.append(card.introduced_by_uid)
            self.matcher.add(incoming, -len(self.pending))
            self.report.imported += 1
            return
        if found < 0:
            i = -found - 1
            merged = merge_records(self.pending[i], incoming, source)
            changed = merged != self.pending[i]
            self.pending[i] = merged
            self.pending_uids[i] = self.pending_uids[i] or card.introduced_by_uid
        else:
            current = get_contact(self.session, found)
            merged = merge_records(current, incoming, source)
            changed = _differs(merged, current)
            if changed:
                update_contact(self.session, merged, check=False)
            if found not in self.report.contact_ids:
                self.report.contact_ids.append(found)
            if card.introduced_by_uid:
                self.introductions.append((found, card.introduced_by_uid))
        self.matcher.add(incoming, found)
        if changed:
            self.report.merged += 1
        else:
            self.report.unchanged += 1

    def write_pending(self) -> None:
        self.total = self.done + len(self.pending)
        for start in range(0, len(self.pending), self.BATCH):
            self.check()
            batch = self.pending[start : start + self.BATCH]
            ids = create_contacts(self.session, batch)
            self.report.contact_ids += ids
            for cid, uid in zip(ids, self.pending_uids[start : start + self.BATCH], strict=True):
                if uid:
                    self.introductions.append((cid, uid))
            self.done += len(batch)
            self.tick(force=True)
        self.tick(force=True)


def _differs(a: ContactRecord, b: ContactRecord) -> bool:
    return replace(a, created_at=None, updated_at=None) != replace(
        b, created_at=None, updated_at=None
    )


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
