"""Two-way sync of the contacts with CardDAV address books (issue 12).

One sync of one address book, in this order, each step committed as it goes so that a sync
stopped anywhere (a crash, the network gone, the process killed) leaves the database
consistent and the next sync carries on without duplicating anyone:

1. What changed on the server: sync-collection since the last token where offered, else
   every card's ETag compared with the ETags kept from last time.
2. New and changed cards fetched in batches. A card never seen before goes through the
   import's matching and merging (the same strong keys: UID, email, LinkedIn, phone), so the
   first sync into a full Second Act duplicates no one. A changed card is merged three ways
   (the last synced version, the contact here, the server's): fields changed on one side
   only are taken from that side; where both changed the same field differently, the
   server's version waits as a conflict for the user, and neither side is touched.
3. Cards gone from the server: their contacts are deleted here, unless edited here since
   (then they are kept, and written back as new).
4. Contacts edited here: written with If-Match (only over the version last seen); new
   contacts with If-None-Match, under their UID, so a write whose answer was lost is found
   again by that UID rather than written twice.
5. Contacts deleted here: deleted on the server, with If-Match.
More than HANDFUL deletions, either way, wait for the user's confirmation (allow_deletes).

Only the contact card travels; interactions, interviews and campaigns stay on this computer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.gc_pause import gc_paused
from app.model.merge import SCALARS
from app.model.records import ContactRecord, PostalAddress
from app.model.tables import Contact, SyncAccount, SyncBook, SyncCard, utcnow
from app.services import carddav, settings, trust
from app.services.contacts import delete_contacts, get_contact, load_records, update_contact
from app.services.importing import ParsedFile, import_files, parse_bytes, whole_file_errors
from app.services.passwords import PasswordStore
from app.storage.db import Database
from app.vcard.mapping import FIELD_PROPERTIES, X_PREFIX
from app.vcard.problems import Severity
from app.vcard.writer import fold, to_vcard

GROUP_CARD = re.compile(r"^(?:X-ADDRESSBOOKSERVER-)?KIND:\s*group\s*$", re.I | re.M)
HANDFUL = 5  # deletions in one sync above which the user is asked first
BATCH = 100  # cards fetched and applied per transaction
KEYRING_SERVICE = "Second Act CardDAV"

# What a card carries and a three-way merge compares; the rest (ids, dates, who introduced
# whom) is this computer's own.
CARD_FIELDS = [
    f.name
    for f in fields(ContactRecord)
    if f.name not in ("id", "introduced_by_id", "created_at", "updated_at")
]
FIELD_LABELS = {
    "uid": "UID",
    **dict(SCALARS),  # the names the merge of duplicates gives them
    "emails": "Email",
    "phones": "Phone",
    "urls": "Web",
    "addresses": "Address",
    "birthday": "Birthday",
    "photo": "Photo",
    "photo_mime": "Photo type",
    "note": "Note",
    "tags": "Tags",
    "extra_lines": "Other card properties",
}

Progress = Callable[[str], None]


@dataclass
class SyncReport:
    book: str = ""
    added_here: int = 0
    changed_here: int = 0
    deleted_here: int = 0
    added_there: int = 0
    changed_there: int = 0
    deleted_there: int = 0
    merged: int = 0  # changed on both sides, merged field by field
    conflicts: list[str] = field(default_factory=list)  # names waiting for the user
    deletions_held: int = 0  # waiting for the user's confirmation
    problems: list[str] = field(default_factory=list)

    def add(self, other: SyncReport) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, int):
                setattr(self, f.name, mine + theirs)
            elif isinstance(mine, list):
                mine += theirs

    @property
    def summary(self) -> str:
        parts = []
        here = (self.added_here, self.changed_here, self.deleted_here)
        there = (self.added_there, self.changed_there, self.deleted_there)
        if any(here):
            parts.append("here: {} added, {} changed, {} deleted".format(*here))
        if any(there):
            parts.append("on the server: {} added, {} changed, {} deleted".format(*there))
        if self.merged:
            parts.append(f"{self.merged} edited on both sides and merged")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict(s) to resolve")
        if self.deletions_held:
            parts.append(f"{self.deletions_held} deletion(s) waiting for your confirmation")
        return "; ".join(parts) or "everything was already in step"


# -- accounts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountKey:
    """Names the account's password in the OS keyring."""

    url: str
    username: str

    @property
    def keyring_user(self) -> str:
        return f"{self.username}@{urlsplit(self.url).netloc or self.url}"


def passwords() -> PasswordStore:
    return PasswordStore(KEYRING_SERVICE)


def add_account(session: Session, url: str, username: str, books: list[carddav.BookInfo]) -> int:
    """Remember an account and the address books the user picked (the password: keyring).
    Raises CardDavError for an address the password would travel to unencrypted, or books
    elsewhere than that address."""
    account = SyncAccount(url=carddav.check_address(url), username=username.strip())
    for b in books:
        carddav.check_origin(account.url, b.url)
    session.add(account)
    session.flush()
    for b in books:
        session.add(SyncBook(account_id=account.id, url=b.url, name=b.name))
    session.flush()
    return account.id


def accounts(session: Session) -> list[SyncAccount]:
    return list(session.scalars(select(SyncAccount).order_by(SyncAccount.id)))


def books_of(session: Session, account_id: int) -> list[SyncBook]:
    return list(
        session.scalars(
            select(SyncBook).where(SyncBook.account_id == account_id).order_by(SyncBook.id)
        )
    )


def remove_account(session: Session, account_id: int) -> None:
    """Forget the account and its links; the contacts stay here."""
    a = session.get(SyncAccount, account_id)
    if a is not None:
        passwords().forget(AccountKey(a.url, a.username))
        for book_id in session.scalars(select(SyncBook.id).where(SyncBook.account_id == a.id)):
            settings.put(session, _unread_key(book_id), None)
        session.delete(a)
        session.flush()


# -- cards ---------------------------------------------------------------------------------------
def card_text(
    session: Session, r: ContactRecord, server_card: str = "", version: str = "3.0"
) -> str:
    """The contact as a whole vCard (3.0: every client reads it), as a new card is written
    to the server; its hash tells whether the contact changed since the last sync.

    Over an existing card (*server_card*) the server's UID is kept, whatever this side's is
    (a contact that was here before the first sync has its own): a card's UID never changes.
    """
    uid = _uid_in(server_card)
    if uid and uid != r.uid:
        r = replace(r, uid=uid)
    introducer = ""
    if r.introduced_by_id is not None:
        c = session.get(Contact, r.introduced_by_id)
        introducer = c.uid if c is not None else ""
    return to_vcard(r, version, introducer)


def server_text(session: Session, r: ContactRecord, server_card: str) -> str:
    """What is written over the server's *server_card* to make it the contact: the lines of
    the fields that differ are Second Act's, every other line stays as the other client
    wrote it (its order, TYPE case, escaped commas…). Equal to *server_card* (with CRLF line
    ends) when the contact already reads as that card: nothing to write then. Otherwise its
    REV is now, so that a client asking "is this newer?" of REV sees the edit."""
    version = _version(server_card)
    ours = card_text(session, r, server_card, "4.0" if version == "4.0" else "3.0")
    # 2.1 has no escapes and other encodings: rewritten whole.
    text = _over(server_card, ours) if version in ("3.0", "4.0") else ours
    if text == _joined(_content_lines(server_card)):
        return text
    return _revised(text, dt.datetime.now(dt.UTC))


def _revised(card: str, when: dt.datetime) -> str:
    """*card* with its REV (put before END where it has none) set to *when*, in UTC."""
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = _content_lines(card)
    rev = next((x for x in lines if x.name == "REV"), None)
    if rev is not None:
        rev.text = [f"{rev.group + '.' if rev.group else ''}REV:{stamp}"]
    else:
        end = max((i for i, x in enumerate(lines) if x.name == "END"), default=len(lines))
        lines.insert(end, _Line("", "REV", [f"REV:{stamp}"]))
    return _joined(lines)


@dataclass
class _Line:
    """One content line of a card: its group and name, its physical (folded) lines as given."""

    group: str  # lower-case
    name: str  # upper-case
    text: list[str]


_NAME = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)")
_INTRODUCER = f"{X_PREFIX}INTRODUCED-BY"
_MAPPED = {n for names in FIELD_PROPERTIES.values() for n in names} | {_INTRODUCER}
_KEPT = {"BEGIN", "END", "VERSION", "PRODID", "REV"}  # the card's own, never ours


def _content_lines(card: str) -> list[_Line]:
    out: list[_Line] = []
    for raw in re.split(r"\r\n|\r|\n", card):
        if raw[:1] in (" ", "\t") and out:
            out[-1].text.append(raw)
        elif raw.strip():
            m = _NAME.match(raw)
            group, name = (m[1] or "", m[2]) if m else ("", "")
            out.append(_Line(group.lower(), name.upper(), [raw]))
    return out


def _joined(lines: list[_Line]) -> str:
    return "".join(line + "\r\n" for x in lines for line in x.text)


def _version(card: str) -> str:
    line = next((x for x in _content_lines(card) if x.name == "VERSION"), None)
    return "".join(line.text).partition(":")[2].strip() if line else ""


def _introducer(card: str) -> str:
    return next(
        ("".join(x.text).partition(":")[2] for x in _content_lines(card) if x.name == _INTRODUCER),
        "",
    )


def _field_of(line: _Line, lines: list[_Line]) -> str:
    """The property a line belongs to as far as fields go: its name if a field maps it, ""
    for the extra lines, the grouped property's for an X-ABLabel, "-" for the card's own."""
    if line.name in _KEPT:
        return "-"
    if line.name == "X-ABLABEL" and line.group:
        owner = next((x for x in lines if x.group == line.group and x.name != "X-ABLABEL"), None)
        return _field_of(owner, lines) if owner is not None else ""
    return line.name if line.name in _MAPPED else ""


def _same(name: str, a: object, b: object) -> bool:
    if name == "tags" and isinstance(a, list) and isinstance(b, list):
        return sorted(t.casefold() for t in a) == sorted(t.casefold() for t in b)  # a set
    return a == b


def _differing(a: ContactRecord, b: ContactRecord) -> list[str]:
    return [name for name in CARD_FIELDS if not _same(name, getattr(a, name), getattr(b, name))]


def _over(server_card: str, ours: str) -> str:
    """*ours* spliced into *server_card* (see server_text); *ours* whole where that cannot
    be done faithfully."""
    theirs, mine = parse_card(server_card, ""), parse_card(ours, "")
    if theirs is None or mine is None:
        return ours
    replaced: set[str] = set()
    for name in _differing(_comparable(theirs), mine):
        if name in FIELD_PROPERTIES:
            replaced.update(FIELD_PROPERTIES[name])
        elif name == "extra_lines":
            replaced.add("")  # every line no field maps
        else:
            return ours
    if _introducer(server_card) != _introducer(ours):
        replaced.add(_INTRODUCER)
    old, new = _content_lines(server_card), _content_lines(ours)
    if replaced:
        old = _splice(old, new, replaced)
    text = _joined(old)
    if replaced:
        back = parse_card(text, "")
        if (
            back is None
            or _differing(_comparable(back), mine)
            or _introducer(text) != _introducer(ours)
        ):
            return ours  # a line read in a way the splice did not foresee
    return text


def _splice(old: list[_Line], new: list[_Line], replaced: set[str]) -> list[_Line]:
    """The server's lines, with those of the *replaced* properties taken from *new*."""
    keys = [_field_of(x, old) for x in old]
    keep = [x for x, k in zip(old, keys, strict=True) if k not in replaced]
    add = [x for x in new if _field_of(x, new) in replaced]
    # This side's item1., item2. groups must not take a group a kept line has.
    used = {x.group for x in keep} | {x.group for x in add}
    renamed: dict[str, str] = {}
    for x in add:
        if x.group and x.group in {k.group for k in keep} and x.group not in renamed:
            n = 1
            while f"item{n}" in used:
                n += 1
            renamed[x.group] = f"item{n}"
            used.add(f"item{n}")
    add = [_regrouped(x, renamed[x.group]) if x.group in renamed else x for x in add]
    if not any(x.name == "END" for x in keep):
        # A card the server holds unclosed (the reader reads it, with a warning) is closed:
        # a server refuses a card without END:VCARD, and this side's edit would never land.
        keep.append(_Line("", "END", ["END:VCARD"]))
    first = next((i for i, k in enumerate(keys) if k in replaced), None)
    if first is not None:
        at = sum(1 for k in keys[:first] if k not in replaced)
    else:
        at = max(i for i, x in enumerate(keep) if x.name == "END")
    return keep[:at] + add + keep[at:]


def _regrouped(line: _Line, group: str) -> _Line:
    """*line* in *group* (item1 to item10), folded again: its first line grows."""
    logical = line.text[0] + "".join(t[1:] for t in line.text[1:])
    return _Line(group, line.name, fold(group + logical[len(line.group) :]).split("\r\n"))


_UID = re.compile(r"^UID(?:;[^:\r\n]*)?:(.*?)\r?$", re.I | re.M)


def _uid_in(card: str) -> str:
    """The UID a card's text gives, without parsing all of it ("" when none)."""
    m = _UID.search(re.sub(r"\r?\n[ \t]", "", card)) if card else None
    return m[1].strip().replace("\\,", ",").replace("\\;", ";") if m else ""


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_card(text: str, href: str) -> ContactRecord | None:
    parsed = parse_bytes(text.encode("utf-8"), href)
    cards = [c for c in parsed.cards if not c.skipped]
    return cards[0].record if cards else None


def _comparable(r: ContactRecord) -> ContactRecord:
    """*r* as a card would bring it back: all three sides of a merge compared alike."""
    return parse_card(to_vcard(r, "3.0"), "") or ContactRecord()


def three_way(
    base: ContactRecord, mine: ContactRecord, theirs: ContactRecord
) -> tuple[ContactRecord, list[str]]:
    """Field by field: a side that changed a field wins it; both changed alike is no conflict.
    Returns the merge (on *mine*'s id and local fields) and the fields both changed apart."""
    a, b, c = _comparable(base), _comparable(mine), _comparable(theirs)
    merged = replace(mine)
    clashes = []
    for name in CARD_FIELDS:
        old, here, there = getattr(a, name), getattr(b, name), getattr(c, name)
        if here == there or there == old:
            continue  # nothing to take from the server
        if here == old:
            setattr(merged, name, getattr(theirs, name))
        elif isinstance(here, list):
            setattr(merged, name, _merge_lists(old, here, there))
        else:
            clashes.append(name)
    return merged, clashes


def _merge_lists(old: list[Any], here: list[Any], there: list[Any]) -> list[Any]:
    """Both sides changed a list (emails, phones, tags…): each side's removals and additions
    are all applied, in this side's order, the server's additions after."""
    key = repr
    was, kept_there = {key(x) for x in old}, {key(x) for x in there}
    out = [x for x in here if not (key(x) in was and key(x) not in kept_there)]
    seen = {key(x) for x in out}
    for x in there:
        if key(x) not in was and key(x) not in seen:
            out.append(x)
            seen.add(key(x))
    return out


def differences(session: Session, link: SyncCard) -> list[tuple[str, str, str]]:
    """A conflict side by side: (field, here, on the server) where they differ."""
    if link.contact_id is None or link.conflict is None:
        return []
    mine = _comparable(get_contact(session, link.contact_id))
    theirs = _comparable(parse_card(link.conflict, link.href) or ContactRecord())
    out = []
    for name in CARD_FIELDS:
        here, there = getattr(mine, name), getattr(theirs, name)
        if here != there:
            out.append((FIELD_LABELS.get(name, name), _show(here), _show(there)))
    return out


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return f"a picture ({len(value):,} bytes)"
    if isinstance(value, list):
        return "\n".join(
            v.one_line() if isinstance(v, PostalAddress) else str(getattr(v, "value", v))
            for v in value
        )
    if value is None:
        return ""
    if hasattr(value, "iso"):
        return str(value.iso())
    return str(value)


def conflicts(session: Session) -> list[SyncCard]:
    return list(
        session.scalars(
            select(SyncCard).where(SyncCard.conflict.is_not(None)).order_by(SyncCard.id)
        )
    )


def resolve_conflict(session: Session, link_id: int, keep: str) -> None:
    """Settle a conflict: where both sides changed a field, *keep* "here" or "server" wins
    it; every field only one side changed keeps that side's change, so neither side's other
    edits are lost. What differs from the server's version is written back at the next sync.
    """
    link = session.get(SyncCard, link_id)
    if link is None or link.conflict is None:
        return
    theirs_text, theirs_etag = link.conflict, link.conflict_etag
    link.conflict, link.conflict_etag = None, ""
    theirs = parse_card(theirs_text, link.href)
    if link.contact_id is not None and theirs is not None:
        mine = get_contact(session, link.contact_id)
        merged, clashes = three_way(
            parse_card(link.card, link.href) or ContactRecord(), mine, theirs
        )
        if keep == "server":
            for name in clashes:
                setattr(merged, name, getattr(theirs, name))
        update_contact(session, merged, check=False)
        now = card_text(session, get_contact(session, link.contact_id), theirs_text)
        server = card_text(session, _as_here(theirs, mine), theirs_text)
        link.local_hash = _hash(now) if now == server else ""  # "": written back next sync
    link.card, link.etag = theirs_text, theirs_etag
    session.flush()


# -- one sync ------------------------------------------------------------------------------------
Stopped = carddav.Stopped


@dataclass
class _Book:
    db: Database
    http: carddav.Connection
    book_id: int
    url: str
    default: bool  # new contacts made here go to this book
    allow_deletes: bool
    progress: Progress
    report: SyncReport
    cancelled: Callable[[], bool]
    # Server cards skipped as unreadable, {href: ETag}: kept, and read again at each sync
    # until readable or gone; the sync token is saved all the same.
    unread: dict[str, str] = field(default_factory=dict)
    retry: dict[str, str] = field(default_factory=dict)  # those of the syncs before
    # New cards the server refused where it holds none (another client's card has that UID,
    # written meanwhile): {contact id: (href, why)}, looked for once more before the end.
    refused: dict[int, tuple[str, str]] = field(default_factory=dict)

    def check(self) -> None:
        if self.cancelled():
            raise Stopped()


def sync_all(
    db: Database,
    *,
    password_for: Callable[[AccountKey], str | None] | None = None,
    allow_deletes: bool = False,
    progress: Progress | None = None,
    verify: ssl.SSLContext | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[SyncReport]:
    """Sync every enabled address book of every account; one report per book.

    A book that fails (wrong password, server down) is reported and the others go on. With a
    carddav.Stop as *cancelled*, setting it also cuts a request waiting on the network."""
    password_for = password_for or passwords().get
    with gc_paused():  # one collection after the whole sync, not one per card parsed
        return _sync_all(
            db, password_for, allow_deletes, progress, verify, cancelled or (lambda: False)
        )


def _sync_all(
    db: Database,
    password_for: Callable[[AccountKey], str | None],
    allow_deletes: bool,
    progress: Progress | None,
    verify: ssl.SSLContext | None,
    cancelled: Callable[[], bool],
) -> list[SyncReport]:
    progress = progress or (lambda _text: None)
    with db.session() as s:
        plan = [
            (
                AccountKey(a.url, a.username),
                [(b.id, b.url, b.name) for b in books_of(s, a.id) if b.enabled],
            )
            for a in accounts(s)
        ]
    reports = []
    first = True
    for key, books in plan:
        password = password_for(key)
        context = verify
        if context is None:  # the certificate the user trusted for this server, if any
            where = urlsplit(key.url)
            with db.session() as s:
                context = trust.context_for(s, where.hostname or "", where.port or 443)
        try:
            http = carddav.client(key.url, key.username, password or "", context, cancelled)
        except carddav.CardDavError as exc:  # an http:// address kept by an older version
            for book_id, _url, name in books:
                reports.append(SyncReport(book=name, problems=[str(exc)]))
                _set_error(db, book_id, str(exc))
            continue
        with http:
            for book_id, url, name in books:
                report = SyncReport(book=name)
                reports.append(report)
                job = _Book(
                    db, http, book_id, url, first, allow_deletes, progress, report, cancelled
                )
                try:
                    sync_book(job)
                    _set_error(db, book_id, "")
                except OperationalError as exc:
                    if "locked" not in str(exc.orig):
                        raise
                    # Not recorded either: the database is what is busy.
                    report.problems.append(
                        "Second Act was busy writing (an import?); the next sync carries on."
                    )
                except carddav.CardDavError as exc:
                    report.problems.append(str(exc))
                    _set_error(db, book_id, str(exc))
                    if isinstance(exc, Stopped):
                        return reports
                first = False
    return reports


def _set_error(db: Database, book_id: int, error: str) -> None:
    with db.session() as s:
        b = s.get(SyncBook, book_id)
        if b is not None:
            b.last_error = error
            if not error:
                b.last_synced_at = utcnow()


def sync_book(job: _Book) -> None:
    db, report = job.db, job.report
    with db.session() as s:
        book = s.get(SyncBook, job.book_id)
        assert book is not None
        token = book.sync_token
        job.retry = _unread(s, job.book_id)
    new_token, hold = _pull(job, token)
    before = _writes(report)
    _push_local_edits(job)
    if job.default:
        _push_new_contacts(job)
    if not hold:
        _push_local_deletions(job)
    wrote = new_token is not None and _writes(report) != before
    if not hold and (wrote or job.refused):
        # The token is taken after this side's writes. A server that diffs snapshots
        # (Xandikos) answers a token with what differs from the state it names: one read
        # before the writes would hide for ever a card written here and deleted there.
        # What changed since the first token is this side's writes (known by their ETags)
        # and whatever another client did meanwhile, applied now.
        new_token, hold = _pull(job, new_token or "")
    with db.session() as s:
        linked = set(s.scalars(select(SyncCard.contact_id).where(SyncCard.book_id == job.book_id)))
    for cid, (href, why) in job.refused.items():
        if cid not in linked:
            report.problems.append(f"{href}: the server refused the new card ({why}).")
    with db.session() as s:
        book = s.get(SyncBook, job.book_id)
        assert book is not None
        if new_token is not None and not hold:
            book.sync_token = new_token
        value = json.dumps(job.unread, sort_keys=True) if job.unread else None
        settings.put(s, _unread_key(job.book_id), value)


def _unread_key(book_id: int) -> str:
    return f"sync.unread.{book_id}"


def _unread(s: Session, book_id: int) -> dict[str, str]:
    """The book's server cards left unread by the syncs before, {href: ETag}."""
    try:
        value = json.loads(settings.get(s, _unread_key(book_id)) or "{}")
    except ValueError:
        return {}
    return {str(h): str(e) for h, e in value.items()} if isinstance(value, dict) else {}


def _writes(report: SyncReport) -> tuple[int, int, int]:
    return report.added_there, report.changed_there, report.deleted_there


def _pull(job: _Book, token: str) -> tuple[str | None, bool]:
    """What changed on the server since *token*, applied here: (the server's new token or
    None without sync-collection, whether deletions wait for the user)."""
    db, http, url, report = job.db, job.http, job.url, job.report
    with db.session() as s:
        known = {c.href: c.etag for c in _links(s, job.book_id)}
    job.progress(f"Asking {urlsplit(url).netloc} what changed…")
    changed, removed, new_token = _server_changes(http, url, token, known)
    changed = {h: e for h, e in changed.items() if known.get(h) != e or not e}
    # The cards unread before are read again (once a sync), unless gone from the server;
    # one the server no longer lists is simply not returned by the fetch.
    for href, etag in job.retry.items():
        if href not in removed:
            changed.setdefault(href, etag)
    job.retry = {}
    # Deletions both ways are counted before any is made: over a handful, the user is asked.
    with db.session() as s:
        going_here = [h for h in removed if h in known]
        going_there = _deleted_here(s, job.book_id)
    deletions = len(going_here) + len(going_there)
    hold = deletions > HANDFUL and not job.allow_deletes
    hrefs = list(changed)
    for start in range(0, len(hrefs), BATCH):
        job.check()
        part = hrefs[start : start + BATCH]
        job.progress(f"Reading cards {start + 1:,} to {start + len(part):,} of {len(hrefs):,}…")
        _apply_server_cards(job, carddav.fetch(http, url, part))
    if hold:
        report.deletions_held = deletions
    else:
        _apply_server_deletions(job, going_here)
    return new_token, hold


def _links(s: Session, book_id: int) -> list[SyncCard]:
    """The book's links, oldest first (the order writes and deletions go up in)."""
    return list(
        s.scalars(select(SyncCard).where(SyncCard.book_id == book_id).order_by(SyncCard.id))
    )


def _server_changes(
    http: carddav.Connection, url: str, token: str, known: dict[str, str]
) -> tuple[dict[str, str], list[str], str | None]:
    """(changed hrefs with ETags, removed hrefs, the new token or None without sync-collection)."""
    try:
        try:
            ch = _all_pages(http, url, token)
        except carddav.InvalidSyncToken:
            ch = _all_pages(http, url, "")
            token = ""
        if token:
            return ch.changed, ch.removed, ch.token
        # Everything the server has: whatever is known here and not there is gone.
        return ch.changed, [h for h in known if h not in ch.changed], ch.token
    except carddav.CardDavError as exc:
        if exc.status not in (400, 403, 405, 501) or exc.status == 0:
            raise
    etags = carddav.list_etags(http, url)  # no sync-collection here: compare ETags
    return etags, [h for h in known if h not in etags], None


def _all_pages(http: carddav.Connection, url: str, token: str) -> carddav.Changes:
    """sync-collection until the server says it has given everything (it may page)."""
    changed: dict[str, str] = {}
    removed: set[str] = set()
    for _ in range(1000):
        page = carddav.sync_collection(http, url, token)
        for href, etag in page.changed.items():
            changed[href] = etag
            removed.discard(href)
        for href in page.removed:
            changed.pop(href, None)
            removed.add(href)
        if not page.truncated or page.token in ("", token):
            return carddav.Changes(changed, sorted(removed), page.token)
        token = page.token
    raise carddav.CardDavError("The server kept sending more changes; try again later.")


def _apply_server_cards(job: _Book, cards: dict[str, tuple[str, str]]) -> None:
    """New and changed server cards, in one transaction."""
    report = job.report
    with job.db.session() as s:
        links = {c.href: c for c in _links(s, job.book_id)}
        new: list[tuple[str, str, str, ParsedFile, ContactRecord]] = []
        for href, (etag, text) in cards.items():
            if GROUP_CARD.search(text):
                continue  # a group (Apple's, or vCard 4.0's KIND): left on the server as it is
            try:
                parsed = parse_bytes(text.encode("utf-8"), href)
            except Exception as exc:  # one card the reader fails on: the others go on
                # Its kind only: an exception's text can quote the card (names, emails),
                # and this report is shown, copied and printed by `sync`.
                parsed, why = ParsedFile(href), f"the reader failed: {type(exc).__name__}"
            else:
                errors = [*parsed.problems, *(p for c in parsed.cards for p in c.problems)]
                why = "; ".join(p.message for p in errors if p.severity is Severity.ERROR)
            record = next((c.record for c in parsed.cards if not c.skipped), None)
            if record is None:
                job.unread[href] = etag
                report.problems.append(
                    f"{href}: not a card Second Act can read ({why or 'no vCard in it'}); "
                    "left on the server as it is."
                )
                continue
            more = sum(not c.skipped for c in parsed.cards) - 1
            if more:
                report.problems.append(
                    f"{href}: holds {more + 1} cards where one is expected; the first is "
                    "kept in step, the others were read as people of their own."
                )
            link = links.get(href)
            contact = _live_contact(s, link)
            if link is None or contact is None:
                if link is not None:  # deleted here, changed there: the server's edit wins
                    s.delete(link)
                    s.flush()
                new.append((href, etag, text, parsed, record))
                continue
            if etag in (link.etag, link.conflict_etag):
                continue  # as last seen, or a conflict already waiting for the user
            _apply_change(job, s, link, contact, etag, text, record)
        if new:
            placed: list[int | None] = []
            result = import_files(s, [n[3] for n in new], placed=placed)
            report.added_here += result.imported
            report.changed_here += result.merged
            s.flush()  # the bulk reader reads with SQL of its own
            records = {r.id: r for r in load_records(s, [c for c in placed if c is not None])}
            for (href, etag, text, _, theirs), cid in zip(
                new, _first_of_each(new, placed), strict=True
            ):
                mine = records.get(cid) if cid is not None else None
                if cid is None or mine is None:
                    continue
                here = card_text(s, mine, text)
                same = _says_all(s, here, replace(theirs), mine, text)
                # A contact that was here already may know more than the card: written back.
                _link(s, job, href, cid, etag, text, _hash(here) if same else "")
            s.flush()


def _first_of_each(
    new: list[tuple[str, str, str, ParsedFile, ContactRecord]], placed: list[int | None]
) -> list[int | None]:
    """The contact of each resource's first card: *placed* has an entry per card (None for
    one skipped), and a resource should hold one vCard, but a server may keep more in one.
    Its first readable card is the one linked, as the record read from it is."""
    out: list[int | None] = []
    at = 0
    for *_, parsed, _theirs in new:
        count = len(parsed.cards) + len(whole_file_errors([parsed]))
        out.append(next((c for c in placed[at : at + count] if c is not None), None))
        at += count
    return out


def _as_here(theirs: ContactRecord, mine: ContactRecord) -> ContactRecord:
    """A server's record as it would read here: on *mine*'s id, with its introducer."""
    theirs.id, theirs.introduced_by_id = mine.id, mine.introduced_by_id
    return theirs


def _says_all(s: Session, here: str, theirs: ContactRecord, mine: ContactRecord, text: str) -> bool:
    """Whether the server's card *text*, read as *theirs*, already says all that *here* (the
    card of *mine*, the contact here) does: its fields, and who introduced the contact."""
    introducers = _introducer(here), _introducer(text)
    return here == card_text(s, _as_here(theirs, mine), text) and introducers[0] == introducers[1]


def _live_contact(s: Session, link: SyncCard | None) -> Contact | None:
    if link is None or link.contact_id is None:
        return None
    c = s.get(Contact, link.contact_id)
    return c if c is not None and c.deleted_at is None else None


def _apply_change(
    job: _Book,
    s: Session,
    link: SyncCard,
    contact: Contact,
    etag: str,
    text: str,
    theirs: ContactRecord,
) -> None:
    report = job.report
    mine = get_contact(s, contact.id)
    base = parse_card(link.card, link.href) or ContactRecord()
    merged, clashes = three_way(base, mine, theirs)
    if clashes:
        link.conflict, link.conflict_etag = text, etag
        report.conflicts.append(mine.display_name)
        return
    edited_here = _hash(card_text(s, mine, link.card)) != link.local_hash
    update_contact(s, merged, check=False)
    now = card_text(s, get_contact(s, contact.id), text)
    link.card, link.etag = text, etag
    link.conflict, link.conflict_etag = None, ""
    report.changed_here += 1
    if edited_here and not _says_all(s, now, theirs, mine, text):
        report.merged += 1
        link.local_hash = ""  # both sides' edits go back to the server below
    else:
        link.local_hash = _hash(now)


def _apply_server_deletions(job: _Book, hrefs: list[str]) -> None:
    with job.db.session() as s:
        for href in hrefs:
            link = s.scalar(
                select(SyncCard).where(SyncCard.book_id == job.book_id, SyncCard.href == href)
            )
            if link is None:
                continue
            contact = _live_contact(s, link)
            if contact is not None:
                here = card_text(s, get_contact(s, contact.id), link.card)
                edited = _hash(here) != link.local_hash
                if not edited:
                    delete_contacts(s, [contact.id])
                    job.report.deleted_here += 1
                # Edited here since: kept, and written back as a new card (no link now).
            s.delete(link)
        s.flush()


def _push_local_edits(job: _Book) -> None:
    with job.db.session() as s:
        links = [
            (c.id, c.contact_id, c.card, c.local_hash)
            for c in _links(s, job.book_id)
            if c.conflict is None and c.contact_id is not None
        ]
        records = {r.id: r for r in load_records(s, [cid for _, cid, _, _ in links])}
        edited = []
        for link_id, cid, base, local_hash in links:
            r = records.get(cid)
            if r is None or _hash(whole := card_text(s, r, base)) == local_hash:
                continue
            text = server_text(s, r, base)
            if text == _joined(_content_lines(base)):
                # The card on the server already says all the contact does (a first sync
                # that found nothing more here): nothing is written over another client's.
                link = s.get(SyncCard, link_id)
                if link is not None:
                    link.local_hash = _hash(whole)
                continue
            edited.append((link_id, whole, text))
    for link_id, whole, text in edited:
        job.check()
        _write(job, link_id, whole, text)


def _where(job: _Book, link_id: int) -> tuple[str, str] | None:
    """The card's path and the version last seen of it (None: the link is gone)."""
    with job.db.session() as s:
        link = s.get(SyncCard, link_id)
        return None if link is None else (link.href, link.etag)


def _write(job: _Book, link_id: int, whole: str, text: str) -> None:
    """PUT a linked card (*text*) over the version last seen; *whole*: the contact's own card,
    whose hash says it is in step. A newer version there is fetched and merged at once."""
    where = _where(job, link_id)
    if where is None:
        return
    href, etag = where
    try:
        new_etag = carddav.put(job.http, job.url, href, text, etag)
    except carddav.CardDavError as exc:
        _refused(job, href, exc)
        return
    with job.db.session() as s:
        link = s.get(SyncCard, link_id)
        if link is not None:
            link.etag, link.card, link.local_hash = new_etag, text, _hash(whole)
    job.report.changed_there += 1


def _refused(
    job: _Book, href: str, exc: carddav.CardDavError, new_contact: int | None = None
) -> None:
    """A write the server refused for this card alone: 412 (it changed or appeared there
    since it was read) or 409 (a conflict with what is there, such as a card of the same
    UID elsewhere). The card is fetched again and applied (merged, a conflict for the user,
    or a deletion there); where that changes nothing, the refusal is reported. Anything
    else stops the sync as before. *new_contact*: the contact whose new card it was."""
    if exc.status not in (409, 412):
        raise exc
    with job.db.session() as s:
        before = s.scalar(
            select(SyncCard.etag).where(SyncCard.book_id == job.book_id, SyncCard.href == href)
        )
    cards = carddav.fetch(job.http, job.url, [href])
    if href in cards:
        if cards[href][0] == before:  # the same version refused: nothing to merge
            job.report.problems.append(f"{href}: the server refused the change ({exc}).")
            return
        _apply_server_cards(job, cards)
    elif before is not None:
        _apply_server_deletions(job, [href])
    elif new_contact is not None:
        job.refused[new_contact] = (href, str(exc))


def _push_new_contacts(job: _Book) -> None:
    with job.db.session() as s:
        linked = select(SyncCard.contact_id).where(SyncCard.contact_id.is_not(None))
        ids = list(
            s.scalars(
                select(Contact.id)
                .where(Contact.deleted_at.is_(None), Contact.id.not_in(linked))
                .order_by(Contact.id)
            )
        )
    path = urlsplit(job.url).path.rstrip("/")
    for start in range(0, len(ids), BATCH):
        job.check()
        job.progress(f"Writing new contacts to the server: {start:,} of {len(ids):,}…")
        with job.db.session() as s:
            # Every card is named by its UID: a contact without one gets one first.
            for c in s.scalars(select(Contact).where(Contact.id.in_(ids[start : start + BATCH]))):
                if not c.uid:
                    c.uid = str(uuid.uuid4())
            s.flush()
            cards = [
                (r.id, f"{path}/{quote(_safe(r.uid), safe='')}.vcf", card_text(s, r))
                for r in load_records(s, ids[start : start + BATCH])
                if r.id is not None
            ]
        for cid, href, text in cards:
            job.check()
            # The UID names the card: a write whose answer never came is not made twice.
            try:
                etag = carddav.put(job.http, job.url, href, text, None)
            except carddav.CardDavError as exc:
                _refused(job, href, exc, cid)  # there already: linked, by its UID
                continue
            with job.db.session() as s:
                _link(s, job, href, cid, etag, text, _hash(text))
            job.report.added_there += 1


def _link(
    s: Session, job: _Book, href: str, cid: int, etag: str, text: str, local_hash: str
) -> None:
    """Remember that card *href* (as *text*, version *etag*) is contact *cid*."""
    s.add(
        SyncCard(
            book_id=job.book_id,
            href=href,
            contact_id=cid,
            etag=etag,
            card=text,
            local_hash=local_hash,
        )
    )


def _safe(uid: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in uid)[:120] or "card"


def _deleted_here(s: Session, book_id: int) -> list[int]:
    """Links whose contact was deleted here (the trash, a merge, or purged)."""
    return [c.id for c in _links(s, book_id) if _live_contact(s, c) is None]


def _push_local_deletions(job: _Book) -> None:
    with job.db.session() as s:
        ids = _deleted_here(s, job.book_id)
    for link_id in ids:
        job.check()
        where = _where(job, link_id)
        if where is None:
            continue
        href, etag = where
        try:
            carddav.delete(job.http, job.url, href, etag)
        except carddav.PreconditionFailed:
            continue  # changed there since: the next sync brings it back
        with job.db.session() as s:
            link = s.get(SyncCard, link_id)
            if link is not None:
                s.delete(link)
        job.report.deleted_there += 1


def last_synced(session: Session) -> tuple[dt.datetime | None, str]:
    """When every book last synced (the oldest), and the latest error, for the status line."""
    books = list(session.scalars(select(SyncBook).where(SyncBook.enabled.is_(True))))
    if not books:
        return None, ""
    times = [b.last_synced_at for b in books]
    when = None if any(t is None for t in times) else min(t for t in times if t is not None)
    errors = [f"{b.name}: {b.last_error}" for b in books if b.last_error]
    return when, "; ".join(errors)
