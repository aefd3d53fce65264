"""Import address books: read files, preview, then add or merge contacts in one transaction."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.gc_pause import gc_paused
from app.model.merge import merge_records
from app.model.normalize import (
    email_key,
    is_linkedin,
    learn_phone_keys,
    person_key,
    phone_key,
    url_key,
)
from app.model.records import ContactRecord, validate
from app.model.serialize import record_from_json, record_to_json
from app.model.tables import (
    CardFingerprint,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactUrl,
    ImportChange,
    ImportRun,
    utcnow,
)
from app.services import search
from app.services.contacts import (
    Cancelled as Cancelled,  # raised by bulk deletes too; callers still import it from here
)
from app.services.contacts import count_contacts, create_contacts, load_records, update_contact
from app.services.duplicates import count_possible
from app.storage.backups import daily_backup
from app.storage.db import Database
from app.vcard.csv_formats import CsvLayout, read_csv
from app.vcard.linkedin import looks_like_linkedin
from app.vcard.mapping import MappedCard, map_card
from app.vcard.pieces import PieceRead, parse_piece
from app.vcard.problems import Problem, Severity
from app.vcard.reader import iter_cards, iter_pieces, strip_bom

Progress = Callable[[int, int], None]


@dataclass
class ParsedFile:
    path: str
    cards: list[MappedCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # A CSV whose columns are not all placed: what the window's mapping step shows.
    layout: CsvLayout | None = None
    # A file from open_file: its cards not read yet, coming a piece at a time as the import
    # asks for them (cards stays empty; problems are complete once they have all come).
    stream: Iterator[list[MappedCard]] | None = field(default=None, repr=False, compare=False)
    # How many cards the file seems to hold (its BEGIN:VCARD lines) once it is being read;
    # how many it held (skipped ones too) once it has been read to the end.
    expected: int = 0
    # A file read with keep=True by reader processes: its cards as each piece's pickled
    # list (cards stays empty), unpickled a piece at a time each time they are walked.
    kept: list[bytes] = field(default_factory=list, repr=False, compare=False)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def batches(self, last: bool = False) -> Iterator[list[MappedCard]]:
        """The cards: all at once; a piece at a time from their kept form (each piece
        unpickled again each time, and let go as it is when this is the *last* walk: the
        import's); or a piece at a time for a file still to be read (only once: what has
        been read is not kept)."""
        if self.stream is None:
            if not self.kept:
                yield self.cards
                return
            for i, piece in enumerate(self.kept):
                if last:
                    self.kept[i] = b""
                yield pickle.loads(piece)
                del piece
            if last:
                self.kept.clear()
            return
        stream, self.stream = self.stream, None
        try:
            yield from stream
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # a reading left half-way ends its reader processes now


def release(parsed: list[ParsedFile], step: int = 200) -> None:
    """Free *parsed*'s cards a few at a time, then empty the list.

    Freeing 50,000 cards in one `list.clear()` is a single call that holds the GIL for
    60 ms or more, and the window's thread waits for all of it; between slices of *step*
    cards the interpreter can hand the GIL over.
    """
    for f in parsed:
        while f.cards:
            del f.cards[-step:]
    parsed.clear()


@dataclass
class ImportReport:
    imported: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)
    import_id: int | None = None  # None when the import changed nothing
    possible_duplicates: int = 0  # same-name pairs involving the contacts of this import
    possible_duplicate_names: int = 0  # the names they share: the review's groups

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


# Below this a file is read in this process: starting another Python (a third of a second)
# would cost more than it saves. A piece is about this size, so both cores stay busy; small,
# because each piece's cards come back as one unpickling that holds the GIL: 2 MB pieces
# took 24 to 33 ms each and the window's longest stall importing 50,000 cards was 62 to 63
# ms, 256 kB pieces 40 to 50 ms, the import's time unchanged (ratio 0.49 and 0.50).
PARALLEL_FROM = 4 << 20
PIECE = 1 << 18
# Pieces sent to each reader process ahead of the import: enough to keep it busy.
IN_FLIGHT = 2


@gc_paused()
def parse_bytes(
    data: bytes,
    path: str,
    *,
    processes: int | None = None,
    piece: int = PIECE,
    mapping: dict[str, str] | None = None,
    keep: bool = False,
) -> ParsedFile:
    """Read one file's cards (or a CSV's rows) into records.

    *mapping* places a CSV's columns (header → field, see app.vcard.csv_formats) that its
    layout does not explain.

    A large vCard file is cut between cards and its pieces read by worker processes, one per
    core (*processes*: how many; 1 reads here); the cards, problems and line numbers are
    exactly those of one reading from start to end. *keep*: the pieces read by those
    processes are kept pickled (ParsedFile.kept), a third of their size as objects, for a
    preview and an import that each walk them a piece at a time.
    """
    parsed = ParsedFile(path)
    parsed.stream = _read(parsed, data, processes, piece, mapping, keep)
    parsed.cards = [card for cards in parsed.batches() for card in cards]
    return parsed


def open_file(
    path: str | os.PathLike[str],
    mapping: dict[str, str] | None = None,
    *,
    processes: int | None = None,
    piece: int = PIECE,
) -> ParsedFile:
    """A file to import as it is read, a piece at a time (import_files reads it): its cards
    are never all held, nor its bytes once decoded. What it gives is exactly what read_file
    gives, but its problems are complete only once every card has come."""
    p = Path(path)
    parsed = ParsedFile(str(p))

    def read() -> Iterator[list[MappedCard]]:
        # In a list, so that this frame lets go of the bytes once they are handed over:
        # _read drops them when they are decoded.
        data: list[bytes] = []
        try:
            data.append(p.read_bytes())
        except OSError as exc:
            parsed.problems.append(_unreadable(p, exc))
            return
        yield from _read(parsed, data.pop(), processes, piece, mapping)

    parsed.stream = read()
    return parsed


def _read(
    parsed: ParsedFile,
    data: bytes,
    processes: int | None,
    piece: int,
    mapping: dict[str, str] | None,
    keep: bool = False,
) -> Iterator[list[MappedCard]]:
    """The cards of one file's bytes, a piece at a time; its problems go to *parsed*, and
    with *keep* the pieces read by processes to parsed.kept, pickled, instead."""
    name = parsed.name
    path = parsed.path
    if path.lower().endswith(".csv") or (
        not path.lower().endswith((".vcf", ".vcard")) and looks_like_linkedin(data)
    ):
        result = read_csv(data, name, mapping)
        parsed.problems += result.problems
        parsed.layout = result.layout
        parsed.expected = len(result.cards)
        yield result.cards
        return
    workers = processes if processes is not None else (os.cpu_count() or 1)
    parallel = workers > 1 and (len(data) >= PARALLEL_FROM or processes is not None)
    text = strip_bom(data)  # decoded once, for the whole file: never again for a piece
    del data  # if decoding made new bytes, the file's own are not held meanwhile
    parsed.expected = text.count(b"BEGIN:VCARD") + text.count(b"begin:vcard")
    found = 0
    for cards in _read_pieces(text, name, parsed.problems, workers if parallel else 1, piece):
        if isinstance(cards, list):
            found += len(cards)
            yield cards
            continue
        count, kept = cards
        found += count
        if keep:
            parsed.kept.append(kept)
        else:
            yield pickle.loads(kept)
        del cards, kept  # this piece's bytes are not held while the next is read
    if not found and not whole_file_errors([parsed]):
        # Whatever warnings the reading gave (random bytes are "text outside any card"), a
        # file without a single card is an error, not an import of nothing.
        parsed.problems.append(Problem(name, 0, "no vCards found in this file", Severity.ERROR))
    parsed.expected = found  # a kept file's cards are counted here only: the import's total


# Cards handed on together when a file is read here: the import takes them as they come.
SERIAL_BATCH = 500


def _read_pieces(
    text: bytes, name: str, problems: list[Problem], workers: int, piece: int
) -> Iterator[list[MappedCard] | tuple[int, bytes]]:
    """The cards of *text*, in the file's order: read here (one worker, or a file of one
    piece), else its pieces by *workers* reader processes, a few pieces in flight at a time
    (cut only as they are sent, so no copy of the whole file is made), each piece as its
    number of cards and the cards pickled."""
    pieces = iter_pieces(text, piece) if workers > 1 else iter([(text, 1)])
    first = next(pieces)
    second = next(pieces, None)
    if second is None:
        # Each card is mapped as it is read and then handed on: never every card held twice.
        batch: list[MappedCard] = []
        for card in iter_cards(first[0], name, problems, first[1]):
            batch.append(map_card(card))
            if len(batch) >= SERIAL_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    yield from _parse_in_processes(
        name, itertools.chain([first, second], pieces), workers, problems
    )


def whole_file_errors(files: Iterable[ParsedFile]) -> list[Problem]:
    """The files nothing could be imported from (unreadable, or holding no card), as their
    errors."""
    return [p for f in files for p in f.problems if p.severity is Severity.ERROR and p.line == 0]


def _parse_in_processes(
    name: str, pieces: Iterator[tuple[bytes, int]], workers: int, problems: list[Problem]
) -> Iterator[tuple[int, bytes]]:
    # "spawn", not fork: this process runs Qt and threads, which a fork would copy half-way.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    running: deque[Future[PieceRead]] = deque()

    def take() -> tuple[int, bytes]:
        count, cards, outside, phones = running.popleft().result()
        problems.extend(outside)
        learn_phone_keys(phones)
        return count, cards

    try:
        for data, line in pieces:
            running.append(pool.submit(parse_piece, (data, name, line)))
            del data
            if len(running) > IN_FLIGHT * workers:
                yield take()
        while running:
            yield take()
    except GeneratorExit:
        # The import stopped taking cards (Cancel): the pieces not started are dropped, the
        # few being read are let finish (a fraction of a second).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    except BaseException:
        # A worker killed (out of memory, say) breaks the pool, and waiting for it to shut
        # down can hang for ever: its queue's feeder thread stays blocked writing a piece
        # that no worker will read (seen with a reader killed under load). The others are
        # stopped here and nothing waits; the caller reports the failure in words.
        for worker in list((pool._processes or {}).values()):
            worker.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def back_up_before_import(db: Database) -> None:
    """Copies of the database before an import changes it (today's, and one named for the
    import); an empty database has nothing to protect."""
    with db.session() as s:
        if count_contacts(s) == 0:
            return
    daily_backup(db.path, db.backups)
    db.backup("before-import")


def read_file(
    path: str | os.PathLike[str], mapping: dict[str, str] | None = None, *, keep: bool = False
) -> ParsedFile:
    """Read and parse one file; a file that cannot be opened becomes one error, not a crash.
    *keep*: as parse_bytes."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return ParsedFile(str(p), problems=[_unreadable(p, exc)])
    return parse_bytes(data, str(p), mapping=mapping, keep=keep)


def _unreadable(p: Path, exc: OSError) -> Problem:
    return Problem(p.name, 0, f"cannot be read: {exc.strerror or exc}", Severity.ERROR)


def _strong_keys(r: ContactRecord, card_fingerprint: str = "") -> list[str]:
    """What identifies a person for certain, strongest first: never their name."""
    keys = []
    if r.uid:
        keys.append(f"uid:{r.uid}")
    if card_fingerprint:
        keys.append(f"card:{card_fingerprint}")
    keys += [f"email:{k}" for k in _emails(r)]
    keys += [f"li:{url_key(u.value)}" for u in r.urls if is_linkedin(u.value)]
    keys += [f"tel:{k}" for p in r.phones if len(k := phone_key(p.value)) >= 8]
    return keys


def _emails(r: ContactRecord) -> set[str]:
    return {email_key(e.value) for e in r.emails if "@" in e.value}


def _person(r: ContactRecord) -> str:
    return person_key(r.full_name, r.given_name, r.family_name)


@dataclass
class _Identity:
    """What the matcher remembers of a contact to tell a shared key from a coincidence."""

    uid: str = ""
    sources: set[str] = field(default_factory=set)  # files of this import it came from
    key: str | None = None  # person_key, once known
    # The names to work out the key from, only when a phone asks for it (not the record: an
    # import that writes as it goes must not keep every new person's record here).
    names: tuple[str, str, str] | None = None

    @property
    def name(self) -> str:
        if self.key is None:
            self.key = person_key(*self.names) if self.names is not None else ""
        return self.key


def card_key(card: MappedCard) -> str:
    """The card's fingerprint where it has no other strong key; "" where it has one.

    Identical cards without a UID, email, profile or phone are still one record (importing a
    file again adds nothing); the others are recognised by those keys, so the hash is spared.
    """
    return "" if _strong_keys(card.record) else card.fingerprint


class Matcher:
    """Finds the contact an incoming record belongs to, among existing and just-imported ones.

    Only strong keys match: the same UID, the very same card, an email, a LinkedIn profile
    or a phone number. A shared key does not merge where the two disagree on who they are:
    two UIDs from the same file are two people, and a shared phone (an office switchboard,
    a family's landline) does not join two differently named people. Matching names alone
    never merge; they are offered to the user as possible duplicates (services.duplicates).
    """

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}
        self._who: dict[int, _Identity] = {}
        # While a preview tries the cards (try_out): the keys it added, and the people it
        # changed as they were before (None: new), so that it leaves the matcher as it was.
        self._added: list[str] | None = None
        self._saved: dict[int, _Identity | None] = {}

    def find(self, r: ContactRecord, card_fingerprint: str = "", source: str = "") -> int | None:
        for k in _strong_keys(r, card_fingerprint):
            cid = self._by_key.get(k)
            if cid is not None and self._compatible(r, source, cid, k.split(":", 1)[0]):
                return cid
        return None

    def _compatible(self, r: ContactRecord, source: str, cid: int, kind: str) -> bool:
        if kind in ("uid", "card"):
            return True
        who = self._who.get(cid)
        if who is None:
            return True
        uids_differ = bool(r.uid and who.uid and r.uid != who.uid)
        if uids_differ and source and source in who.sources:
            return False  # one address book holds both: it says they are two people
        if kind in ("email", "li"):
            return True
        name = _person(r)
        return not (name and who.name and name != who.name)

    def add(
        self, r: ContactRecord, contact_id: int, card_fingerprint: str = "", source: str = ""
    ) -> None:
        for k in _strong_keys(r, card_fingerprint):
            if k not in self._by_key:
                self._by_key[k] = contact_id
                if self._added is not None:
                    self._added.append(k)
        who = self._who.get(contact_id)
        if self._added is not None and contact_id not in self._saved:
            self._saved[contact_id] = (
                None if who is None else replace(who, sources=set(who.sources))
            )
        if who is None:
            who = self._who[contact_id] = _Identity()
        who.uid = who.uid or r.uid
        if who.names is None and who.key is None:
            who.names = (r.full_name, r.given_name, r.family_name)
        if source:
            who.sources.add(source)

    @contextmanager
    def try_out(self) -> Iterator[None]:
        """Cards added inside are forgotten at the end: the matcher is as it was before."""
        self._added, self._saved = [], {}
        try:
            yield
        finally:
            for k in self._added:
                del self._by_key[k]
            for cid, before in self._saved.items():
                if before is None:
                    del self._who[cid]
                else:
                    self._who[cid] = before
            self._added, self._saved = None, {}

    @classmethod
    def from_database(cls, session: Session) -> Matcher:
        m = cls()
        live = Contact.deleted_at.is_(None)

        def who(cid: int) -> _Identity:
            return m._who.setdefault(cid, _Identity())

        def put(key: str, cid: int) -> None:
            m._by_key.setdefault(key, cid)

        for cid, uid in session.execute(
            select(Contact.id, Contact.uid).where(live, Contact.uid != "")
        ):
            put(f"uid:{uid}", cid)
            who(cid).uid = uid
        for cid, key in session.execute(
            select(Contact.id, Contact.person_key).where(live, Contact.person_key != "")
        ):
            who(cid).key = key
        for fp, cid in session.execute(
            select(CardFingerprint.fingerprint, CardFingerprint.contact_id)
            .join(Contact)
            .where(live)
        ):
            put(f"card:{fp}", cid)
        for cid, v in session.execute(
            select(ContactEmail.contact_id, ContactEmail.value).join(Contact).where(live)
        ):
            if "@" in v:
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
        return m


@dataclass
class Preview:
    """What an import would do, before anything is written."""

    new: int = 0
    merge: int = 0
    skip: int = 0
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[Problem] = field(default_factory=list)  # whole files, each counted in skip


def _walk(
    files: list[ParsedFile], problems: list[Problem], last: bool = False
) -> Generator[tuple[str, MappedCard | None], None, None]:
    """Every card of the files, by file name (a skipped one too: card.skipped); None for a
    file that could not be read.
    *last*: the import's walk, after which the files' kept pieces are not needed.

    The problems of files and cards are added to *problems* on the way, each file's own
    before those of its cards (and of what is done with them meanwhile): a file read as it
    is imported knows its own only once it is read.
    """
    for f in files:
        mark = len(problems)
        for cards in f.batches(last):
            for card in cards:
                problems += card.problems
                yield f.name, card
        problems[mark:mark] = f.problems
        for _ in whole_file_errors([f]):
            yield f.name, None  # the whole file could not be read (it has no cards)


@dataclass
class KeptMatcher:
    """The matcher a preview read, for the import that follows it: reading it again took
    0.7 s at 50,000 contacts (issue 24). It serves only if no other connection wrote to the
    database since (SQLite's data_version of the very same connection says so)."""

    matcher: Matcher
    connection: Any
    version: int

    @staticmethod
    def state(session: Session) -> tuple[Any, int]:
        """The session's own SQLite connection and its data_version now."""
        raw: Any = session.connection().connection.driver_connection
        return raw, raw.execute("PRAGMA data_version").fetchone()[0]

    def serves(self, session: Session) -> bool:
        raw, version = self.state(session)
        return raw is self.connection and version == self.version


@gc_paused()
def preview_import(
    session: Session, files: list[ParsedFile], keep: list[KeptMatcher] | None = None
) -> Preview:
    """What importing *files* would do; nothing is written. *keep*, if given, receives the
    matcher read for it, for import_files to use if nothing changed meanwhile."""
    # The state before reading: a change that lands while the matcher is read changes it.
    state = KeptMatcher.state(session) if keep is not None else None
    matcher = Matcher.from_database(session)
    if keep is not None and state is not None:
        keep.append(KeptMatcher(matcher, *state))
    out = Preview(unreadable=whole_file_errors(files))
    placeholder = -1
    with matcher.try_out():
        for source, card in _walk(files, out.problems):
            if card is None or card.skipped:
                out.skip += 1
                continue
            fp = card_key(card)
            found = matcher.find(card.record, fp, source)
            if found is None:
                out.new += 1
                found = placeholder
                placeholder -= 1
            else:
                out.merge += 1
            matcher.add(card.record, found, fp, source)
    return out


@gc_paused()
def import_files(
    session: Session,
    files: Iterable[ParsedFile],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    placed: list[int | None] | None = None,
    kept: KeptMatcher | None = None,
) -> ImportReport:
    """Add new people and merge known ones. Raises Cancelled; the caller then rolls back.

    *files* may come from open_file: each is then read as it is imported, and new people
    are written a batch at a time as the import goes, so that neither the cards nor the new
    records are ever all held. *placed*, if given, receives the contact each card became or
    joined, card by card in the files' order (None for a card that was skipped): a CardDAV
    sync links them so. *kept*: the matcher preview_import read, used if the database has
    not changed since.
    """
    files = list(files)
    run = _ImportRun(session, progress, cancelled, kept, files)
    where: list[int | None] = []
    walk = _walk(files, run.report.problems, True)  # the last walk: kept pieces let go
    try:
        for source, card in walk:
            run.check()
            if card is not None:
                run.cards += 1  # counted as the files count them: skipped ones too
            if card is None or card.skipped:
                run.report.skipped += 1
                where.append(None)
            else:
                where.append(run.add(card, source))
            run.tick()
    finally:
        walk.close()  # a reading left half-way (Cancel) ends its reader processes now
    run.merge_known()
    run.write_pending(last=True)
    run.report.contact_ids += run.created
    if placed is not None:
        # New people had placeholders -1, -2, … in the order they were written.
        placed += [run.created[-w - 1] if w is not None and w < 0 else w for w in where]
    run.introduced = _resolve_introductions(session, run.introductions)
    run.journal()
    pairs, names = count_possible(session, run.report.contact_ids)
    run.report.possible_duplicates, run.report.possible_duplicate_names = pairs, names
    return run.report


def _stored_as_built(r: ContactRecord) -> bool:
    """Whether the database gives *r* back as it was written, but for what _ImportRun keeps
    of it (uid, organisation, tags) and its id and timestamps: create_contacts and
    contact_values strip the name and values, drop empty values and addresses, and a photo
    of no bytes."""
    return (
        r.id is None
        and r.introduced_by_id is None
        and r.created_at is None
        and r.updated_at is None
        and r.full_name == r.full_name.strip()
        and all(x.value and x.value == x.value.strip() for x in (*r.emails, *r.phones, *r.urls))
        and not any(a.is_empty() for a in r.addresses)
        and (bool(r.photo) or (r.photo is None and not r.photo_mime))
    )


# What _ImportRun keeps of a new person it has written: whether create_contacts gave them
# their UID, their organisation and tags as the import had them; or the whole record, where
# the database would not give it back as it was.
_Written = tuple[bool, str, list[str]] | ContactRecord


class _ImportRun:
    """One import: new people are collected and written a batch at a time; cards of known
    people are merged a batch at a time, their contacts read in a few queries per batch (not
    one contact at a time: re-importing 5,000 unchanged cards took 80,000 queries).

    A card that joins a new person of this import merges into the record the import built
    for them, as it was before any was written: held while they wait to be written, read
    back from the database once they are (with what the database does not give back as it
    was kept aside), and then written again. They stay "created" by this import."""

    BATCH = 500

    def __init__(
        self,
        session: Session,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
        kept: KeptMatcher | None = None,
        files: list[ParsedFile] | None = None,
    ) -> None:
        self.session = session
        self.progress = progress
        self.cancelled = cancelled
        self.files = files or []
        # Writing the journal row first takes SQLite's write lock before the matcher reads
        # who is there: a second import running at the same time waits, then sees them all.
        self.run = ImportRun(files="")
        session.add(self.run)
        session.flush()
        # Our own write above leaves data_version as it was: only another's would change it.
        serves = kept is not None and kept.serves(session)
        self.matcher = (
            kept.matcher if kept is not None and serves else Matcher.from_database(session)
        )
        self.report = ImportReport(import_id=self.run.id)
        # New people waiting to be written; the i-th has the placeholder
        # -(len(self.created) + i + 1).
        self.pending: list[ContactRecord] = []
        self.pending_uids: list[str] = []  # introducer UIDs of pending records
        self.pending_fps: list[list[str]] = []  # fingerprints of the cards in each
        self.fingerprints: list[tuple[str, int]] = []
        self.known: list[tuple[int, ContactRecord, str]] = []  # (contact, card, file) to merge
        self.before: dict[int, ContactRecord] = {}  # existing contacts, as they were
        self.current: dict[int, ContactRecord] = {}  # the same, as merged so far
        self.touched: set[int] = set()  # existing contacts in report.contact_ids
        self.introduced: list[int] = []  # contacts given their introducer after the cards
        self.created: list[int] = []
        self.written: dict[int, _Written] = {}  # the new people written, by contact
        self.own_uid: dict[int, str] = {}  # the UIDs create_contacts gave those read back
        self.with_introducer: set[int] = set()  # new people with an introducer's UID
        self.sources: list[str] = []
        self.introductions: list[tuple[int, str]] = []
        self.cards = 0  # the files' cards taken so far, skipped ones too

    @property
    def total(self) -> int:
        """The files' cards: exact for a file read before (its cards, or its kept pieces'
        count); for one being read, as many as it seems to hold, never fewer than taken."""
        cards = sum(len(f.cards) if f.cards else f.expected for f in self.files)
        return max(cards, self.cards)

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled

    def tick(self, force: bool = False) -> None:
        """Progress as "N of M cards": the cards taken of the files' cards (writing the new
        people is part of taking them, not counted apart)."""
        if self.progress is not None and (force or self.cards % 50 == 0):
            self.progress(self.cards, self.total)

    def add(self, card: MappedCard, source: str) -> int:
        """Returns the contact's id, or a placeholder (-1, -2, …) for a new one."""
        incoming = card.record
        for issue in validate(incoming):
            if issue.field != "full_name":
                self.report.problems.append(
                    Problem(source, card.line, f"{issue.message} Kept as written.")
                )
        if source not in self.sources:
            self.sources.append(source)
        fp = card_key(card)
        found = self.matcher.find(incoming, fp, source)
        if found is None:
            # A placeholder id (-1, -2, …) until the batch is written.
            self.pending.append(incoming)
            self.pending_uids.append(card.introduced_by_uid)
            self.pending_fps.append([fp])
            found = -(len(self.created) + len(self.pending))
            self.matcher.add(incoming, found, fp, source)
            self.report.imported += 1
            if len(self.pending) >= self.BATCH:
                self.write_pending()
            return found
        self.matcher.add(incoming, found, fp, source)
        if found < 0 and -found - 1 >= len(self.created):
            i = -found - 1 - len(self.created)
            merged = merge_records(self.pending[i], incoming, source)
            self._count(merged != self.pending[i])
            self.pending[i] = merged
            self.pending_uids[i] = self.pending_uids[i] or card.introduced_by_uid
            self.pending_fps[i].append(fp)
            return found
        cid = found if found >= 0 else self.created[-found - 1]
        if fp:
            self.fingerprints.append((fp, cid))
        if card.introduced_by_uid:
            if cid not in self.written:
                self.introductions.append((cid, card.introduced_by_uid))
            elif cid not in self.with_introducer:  # the first UID a new person's cards gave
                self.with_introducer.add(cid)
                self.introductions.append((cid, card.introduced_by_uid))
        if cid not in self.touched and cid not in self.written:
            self.touched.add(cid)
            self.report.contact_ids.append(cid)
        self.known.append((cid, incoming, source))
        if len(self.known) >= self.BATCH:
            self.merge_known()
        return found

    def _count(self, changed: bool) -> None:
        if changed:
            self.report.merged += 1
        else:
            self.report.unchanged += 1

    def merge_known(self) -> None:
        """Merge the waiting cards into the people they belong to, in the cards' order; only
        the contacts they change are written."""
        unread = list(dict.fromkeys(cid for cid, _, _ in self.known if cid not in self.current))
        for record in load_records(self.session, unread):
            assert record.id is not None
            if record.id in self.written:
                self.current[record.id] = self._as_built(record)
            else:
                self.before[record.id] = self.current[record.id] = record
        for cid, incoming, source in self.known:
            current = self.current[cid]
            merged = merge_records(current, incoming, source)
            if cid in self.written:
                # Counted and compared as when they were waiting to be written.
                changed = merged != current
                stored = replace(merged, id=cid, uid=merged.uid or self.own_uid.get(cid, ""))
            else:
                changed = _differs(merged, current)
                stored = merged
            if changed:
                update_contact(self.session, stored, check=False)
                self.current[cid] = merged
            self._count(changed)
        self.known.clear()

    def _as_built(self, stored: ContactRecord) -> ContactRecord:
        """A new person of this import read back, as the import had built them."""
        assert stored.id is not None
        kept = self.written[stored.id]
        if isinstance(kept, ContactRecord):
            built = kept
        else:
            own_uid, organization, tags = kept
            built = replace(
                stored,
                id=None,
                uid="" if own_uid else stored.uid,
                organization=organization,
                tags=list(tags),
                created_at=None,
                updated_at=None,
            )
        if not built.uid:
            self.own_uid[stored.id] = stored.uid
        return built

    def write_pending(self, last: bool = False) -> None:
        """Write the new people waiting; *last*: the cards are all taken."""
        for start in range(0, len(self.pending), self.BATCH):
            self.check()
            batch = self.pending[start : start + self.BATCH]
            ids = create_contacts(self.session, batch)
            self.created += ids
            for cid, record, uid, fps in zip(
                ids,
                batch,
                self.pending_uids[start : start + self.BATCH],
                self.pending_fps[start : start + self.BATCH],
                strict=True,
            ):
                if uid:
                    self.introductions.append((cid, uid))
                    self.with_introducer.add(cid)
                self.fingerprints += [(fp, cid) for fp in fps if fp]
                self.written[cid] = (
                    (not record.uid, record.organization, record.tags)
                    if _stored_as_built(record)
                    else record
                )
            self.tick(force=True)
        self.pending.clear()
        self.pending_uids.clear()
        self.pending_fps.clear()
        if last:
            self.tick(force=True)

    def journal(self) -> None:
        """Remember what this import did, so that Undo import can take it back."""
        changes: list[tuple[int, int, str, str | None]] = [
            (self.run.id, cid, "created", None) for cid in self.created
        ]
        introduced = set(self.introduced)
        for cid, before in self.before.items():
            if cid in introduced or _differs(self.current[cid], before):
                changes.append((self.run.id, cid, "merged", record_to_json(before)))
        # Plain executemany: thousands of journal rows, no ORM bookkeeping needed.
        raw = self.session.connection()
        if changes:
            raw.exec_driver_sql(
                "INSERT INTO import_changes (import_id, contact_id, kind, before)"
                " VALUES (?, ?, ?, ?)",
                changes,
            )
        rows = {fp: cid for fp, cid in self.fingerprints}
        if rows:
            raw.exec_driver_sql(
                "INSERT OR IGNORE INTO card_fingerprints (fingerprint, contact_id, import_id)"
                " VALUES (?, ?, ?)",
                [(fp, cid, self.run.id) for fp, cid in rows.items()],
            )
        if not changes:
            # Nothing to undo: the import before it stays the one Undo import takes back.
            self.session.delete(self.run)
            self.report.import_id = None
            self.session.flush()
            return
        self.run.files = "\n".join(self.sources)
        self.run.finished_at = utcnow()


def _differs(a: ContactRecord, b: ContactRecord) -> bool:
    return replace(a, created_at=None, updated_at=None) != replace(
        b, created_at=None, updated_at=None
    )


def _resolve_introductions(session: Session, pairs: list[tuple[int, str]]) -> list[int]:
    """Link contacts to the people their cards say introduced them (by UID), where they have
    no introducer yet; returns the contacts linked. A few queries for any number of pairs."""
    if not pairs:
        return []
    session.flush()
    live = Contact.deleted_at.is_(None)
    uids = sorted({uid for _, uid in pairs})
    cids = sorted({cid for cid, _ in pairs})
    by_uid: dict[str, int] = {}
    free: set[int] = set()
    for start in range(0, max(len(uids), len(cids)), 500):
        for uid, found in session.execute(
            select(Contact.uid, Contact.id)
            .where(Contact.uid.in_(uids[start : start + 500]), live)
            .order_by(Contact.id)
        ):
            by_uid.setdefault(uid, found)
        free.update(
            session.scalars(
                select(Contact.id).where(
                    Contact.id.in_(cids[start : start + 500]), Contact.introduced_by_id.is_(None)
                )
            )
        )
    links: dict[int, int] = {}
    for cid, uid in pairs:
        introducer = by_uid.get(uid)
        if introducer is not None and cid in free and cid not in links and introducer != cid:
            links[cid] = introducer
    if links:
        session.execute(
            update(Contact),
            [{"id": cid, "introduced_by_id": introducer} for cid, introducer in links.items()],
        )
    return list(links)


@dataclass(frozen=True)
class LastImport:
    """The import that Undo import would take back, as the confirmation describes it."""

    id: int
    started_at: dt.datetime
    files: list[str]
    created: int
    merged: int
    edited_since: int  # contacts changed after the import: Undo takes those edits back too


def last_import(session: Session) -> LastImport | None:
    """The most recent import that changed something and has not been undone."""
    run = session.scalar(
        select(ImportRun)
        .where(ImportRun.undone_at.is_(None), ImportRun.finished_at.is_not(None))
        .order_by(ImportRun.id.desc())
        .limit(1)
    )
    if run is None or run.finished_at is None:
        return None
    counts: dict[str, int] = {
        kind: n
        for kind, n in session.execute(
            select(ImportChange.kind, func.count())
            .where(ImportChange.import_id == run.id)
            .group_by(ImportChange.kind)
        )
    }
    # A second's grace: the import itself stamps its contacts a moment before it finishes.
    edited = session.scalar(
        select(func.count())
        .select_from(ImportChange)
        .join(Contact, Contact.id == ImportChange.contact_id)
        .where(
            ImportChange.import_id == run.id,
            Contact.updated_at > run.finished_at + dt.timedelta(seconds=1),
        )
    )
    return LastImport(
        run.id,
        run.started_at,
        [f for f in run.files.split("\n") if f],
        counts.get("created", 0),
        counts.get("merged", 0),
        edited or 0,
    )


@dataclass(frozen=True)
class UndoneImport:
    removed: int
    reverted: int


def undo_import(session: Session, import_id: int) -> UndoneImport:
    """Take an import back as one step: its new contacts go, merged ones are as they were."""
    run = session.get(ImportRun, import_id)
    if run is None or run.undone_at is not None:
        raise LookupError(f"import {import_id} cannot be undone (already undone, or unknown)")
    changes = session.execute(
        select(ImportChange.contact_id, ImportChange.kind, ImportChange.before).where(
            ImportChange.import_id == import_id
        )
    ).all()
    reverted = 0
    created = [cid for cid, kind, _ in changes if kind == "created"]
    for cid, kind, before in changes:
        if kind != "merged" or before is None:
            continue
        c = session.get(Contact, cid)
        if c is None or c.deleted_at is not None:
            continue
        update_contact(session, record_from_json(before), check=False)
        reverted += 1
    for start in range(0, len(created), 500):
        chunk = created[start : start + 500]
        for cid in chunk:
            search.unindex(session, cid)
        session.execute(delete(Contact).where(Contact.id.in_(chunk)))
    session.execute(delete(CardFingerprint).where(CardFingerprint.import_id == import_id))
    run.undone_at = utcnow()
    session.flush()
    session.expire_all()
    return UndoneImport(len(created), reverted)
