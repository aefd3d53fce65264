"""History from the user's own mail: who they wrote to and heard from, read from the headers
of mbox files and Maildir folders (and, through services/imap_history.py, their account),
becomes interactions, so last contact, keep-in-touch, dormant ties and Today follow at once.

Only these header fields are read: From, To, Cc, Date, Message-ID, In-Reply-To, References,
Subject, List-Id and Precedence. Bodies are never read into the database, and nothing is
sent anywhere. A message between the user and someone in the address book becomes one
interaction with that person (source "mail", keyed by its Message-ID, so a message read
twice counts once); list and bulk mail, and people not in the book, add nothing (those the
user writes to are reported, never added). A reply to a campaign message marks that
recipient replied, exactly as Outreach's "Mark replied" does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.errors
import email.header
import email.utils
import hashlib
import mailbox
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.model.normalize import email_key
from app.model.tables import CampaignRecipient, Contact, ContactEmail, Interaction, utcnow
from app.services import mail, outreach, settings
from app.services.interactions import ROW_COLUMNS, InteractionRow

MAIL = "mail"  # Interaction.source of what mail added
FIELDS = (
    "From",
    "To",
    "Cc",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
    "List-Id",
    "Precedence",
)
IMAP_STATE = "mail_history.imap."  # settings keys: where each folder's reading stopped
BATCH = 2_000
SHOWN_STRANGERS = 50

Progress = Callable[[int, int], None]  # (messages read, messages in all; 0: not known yet)


class MailHistoryError(Exception):
    """For the person at the keyboard: what was wrong and what to do."""


@dataclass(frozen=True)
class Header:
    """What is read of one message. Names and the subject stay as written (RFC 2047 words
    and all) until they are shown: most messages never need them decoded."""

    message_id: str
    sender: str  # address, case-folded; "" if none
    sender_name: str
    recipients: tuple[tuple[str, str], ...]  # (address case-folded, name), To and Cc
    on: dt.date | None
    raw_subject: str
    refs: tuple[str, ...]  # In-Reply-To and References
    bulk: bool

    @property
    def subject(self) -> str:
        return decoded(self.raw_subject)[:200]

    @property
    def key(self) -> str:
        """The Message-ID, or (a message without one) a digest of what identifies it."""
        if self.message_id:
            return self.message_id
        parts = [self.sender, ",".join(a for a, _ in self.recipients), str(self.on)]
        parts.append(self.raw_subject)
        return "sha1:" + hashlib.sha1("\n".join(parts).encode()).hexdigest()


_IDS = re.compile(r"<[^<>\s]+>")
_ANGLE = re.compile(r"<([^<>]*)>")
_WANTED = {f.lower() for f in FIELDS}


def decoded(raw: str) -> str:
    """A header's text, RFC 2047 words decoded, on one line."""
    if "=?" in raw:
        with contextlib.suppress(
            ValueError, LookupError, UnicodeError, email.errors.HeaderParseError
        ):
            raw = str(email.header.make_header(email.header.decode_header(raw)))
    return " ".join(raw.split())


def _fields(raw: bytes) -> dict[str, list[str]]:
    """The wanted fields of a header block, unfolded; 8-bit bytes that are not UTF-8 become
    U+FFFD (only names and subjects can hold them)."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in raw.decode("utf-8", "replace").split("\n"):
        if line[:1] in (" ", "\t"):
            if current is not None:
                current[-1] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if colon and name in _WANTED:
            current = fields.setdefault(name, [])
            current.append(value.strip())
        else:
            current = None
    return fields


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    """(address case-folded, name as written) of address fields; `"Family, Given" <a@b>`,
    groups and comments go through the standard library's parser, plain lists do not."""
    found = []
    for value in values:
        if '"' in value or "(" in value or ":" in value or "\\" in value:
            pairs = email.utils.getaddresses([value])
        else:  # no quoting: a comma separates addresses (RFC 2047 words never hold one)
            pairs = []
            for part in value.split(","):
                m = _ANGLE.search(part)
                pairs.append((part[: m.start()], m.group(1)) if m else ("", part))
        for name, addr in pairs:
            key = email_key(addr)
            if "@" in key and " " not in key:
                found.append((key, name.strip()))
    return found


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    try:
        return when.astimezone().date() if when.tzinfo else when.date()
    except (ValueError, OverflowError):
        return None


def parse_header(raw: bytes) -> Header:
    """The fields of one message's header block (bytes up to the blank line)."""
    f = _fields(raw)

    def first(name: str) -> str | None:
        found = f.get(name)
        return found[0] if found else None

    given = first("message-id") or ""
    ids = _IDS.findall(given)
    mid = ids[0] if ids else (f"<{given}>" if given else "")
    senders = _addresses(f.get("from", []))
    sender, sender_name = senders[0] if senders else ("", "")
    refs = _IDS.findall(" ".join(f.get("in-reply-to", []) + f.get("references", [])))
    precedence = (first("precedence") or "").lower()
    return Header(
        message_id=mid,
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(_addresses(f.get("to", []) + f.get("cc", []))),
        on=_date(first("date")),
        raw_subject=first("subject") or "",
        refs=tuple(refs),
        bulk="list-id" in f or precedence in ("list", "bulk", "junk"),
    )


# -- reading files -----------------------------------------------------------------------------
def _header_bytes(f: Any) -> bytes:
    lines = []
    for line in f:
        if line in (b"\n", b"\r\n"):
            break
        lines.append(line)
    return b"".join(lines)


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _maildirs(path: Path) -> Iterator[mailbox.Maildir]:
    """A Maildir and its folders (Maildir++ ".Sent", ".Archive.2019" ...)."""
    box = mailbox.Maildir(path, factory=None, create=False)
    yield box
    for name in box.list_folders():
        yield box.get_folder(name)


def open_boxes(paths: Iterable[Path]) -> list[mailbox.Mailbox[Any]]:
    """Each path as a mailbox: an mbox file, or a Maildir folder with its sub-folders."""
    boxes: list[mailbox.Mailbox[Any]] = []
    for path in paths:
        if _is_maildir(path):
            boxes.extend(_maildirs(path))
        elif path.is_dir():
            raise MailHistoryError(
                f"{path} is a folder but not a Maildir (it has no cur and new folders): give "
                "an mbox file or a Maildir folder."
            )
        elif not path.is_file():
            raise MailHistoryError(f"{path} does not exist.")
        else:
            with path.open("rb") as f:
                start = f.read(5)
            if start and start != b"From ":
                raise MailHistoryError(
                    f"{path.name} is not an mbox file (it does not start with “From ”)."
                )
            boxes.append(mailbox.mbox(path, factory=None, create=False))
    return boxes


def headers_of(boxes: list[mailbox.Mailbox[Any]]) -> Iterator[bytes]:
    """Every message's header block, box after box; bodies are left on disk unread. Each box
    is closed once read (none is ever changed)."""
    try:
        for box in boxes:
            for key in box.iterkeys():
                f = box.get_file(key)
                try:
                    yield _header_bytes(f)
                finally:
                    f.close()
            box.close()
    finally:
        for box in boxes:
            box.close()


# -- matching ----------------------------------------------------------------------------------
@dataclass
class Report:
    messages_read: int = 0
    interactions_added: int = 0
    replies_found: int = 0
    already_read: int = 0  # seen before (another folder, an earlier run)
    skipped: Counter[str] = field(default_factory=Counter)  # reason: messages
    strangers: Counter[str] = field(default_factory=Counter)  # addresses written to, not in book
    stranger_names: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "messages_read": self.messages_read,
            "interactions_added": self.interactions_added,
            "replies_found": self.replies_found,
            "already_read": self.already_read,
            "skipped": sum(self.skipped.values()),
            "skipped_because": dict(self.skipped),
            "not_in_contacts": [
                {"address": a, "name": self.stranger_names.get(a, ""), "messages": n}
                for a, n in self.strangers.most_common(SHOWN_STRANGERS)
            ],
            "cancelled": self.cancelled,
        }

    @property
    def summary(self) -> str:
        s = (
            f"{self.messages_read} messages read: {self.interactions_added} interactions "
            f"added, {self.replies_found} campaign replies found, {self.already_read} already "
            f"read before, {sum(self.skipped.values())} skipped"
        )
        return s + (" (cancelled)" if self.cancelled else "")


LIST_MAIL = "list or bulk mail"
NO_DATE = "no readable date"
NOBODY = "nobody in your contacts"
OWN_CAMPAIGN = "campaign message (logged when it was sent)"


def my_addresses(session: Session, given: Iterable[str] = ()) -> set[str]:
    """The user's addresses: those given, and the mail account Outreach uses."""
    mine = {email_key(a) for a in given if "@" in a}
    account = mail.load_account(session)
    if account is not None:
        mine |= {email_key(a) for a in (account.from_address, account.username) if "@" in a}
    return mine


class Recorder:
    """Interactions read from somewhere (mail, LinkedIn, a calendar), each (contact, key)
    once: those already in the database are known from the start. record() each, then
    flush() before the session commits."""

    def __init__(self, session: Session) -> None:
        seen = select(Interaction.contact_id, Interaction.source_key).where(
            Interaction.source_key != ""
        )
        self.seen: set[tuple[int, str]] = {(cid, key) for cid, key in session.execute(seen)}
        self.report = Report()
        self._pending: list[dict[str, Any]] = []

    def record(
        self, contact_id: int, on: dt.date, kind: str, summary: str, source: str, key: str
    ) -> bool:
        """One interaction, unless this contact already has one from *key*."""
        if (contact_id, key) in self.seen:
            return False
        self.seen.add((contact_id, key))
        self._pending.append(
            {
                "contact_id": contact_id,
                "occurred_on": on,
                "kind": kind,
                "summary": summary,
                "source": source,
                "source_key": key,
                "created_at": utcnow(),
            }
        )
        return True

    def flush(self, session: Session) -> None:
        if self._pending:
            session.execute(insert(Interaction), self._pending)
            self.report.interactions_added += len(self._pending)
            self._pending = []
        session.flush()


def book_by_email(session: Session) -> dict[str, list[int]]:
    """Every live contact's addresses, case-folded: address to contacts."""
    book: dict[str, list[int]] = {}
    rows = session.execute(
        select(ContactEmail.value, ContactEmail.contact_id)
        .join(Contact, Contact.id == ContactEmail.contact_id)
        .where(Contact.deleted_at.is_(None))
    )
    for value, cid in rows:
        ids = book.setdefault(email_key(value), [])
        if cid not in ids:
            ids.append(cid)
    return book


class History(Recorder):
    """Headers in, interactions out, against the address book as it is now. Built from a
    session and used with it (or later ones on the same database): add() each message,
    then flush() before the session commits."""

    def __init__(self, session: Session, me: set[str]) -> None:
        if not me:
            raise MailHistoryError(
                "Second Act does not know your own address: give it (--me you@example.com) "
                "or set up your mail account in Outreach."
            )
        super().__init__(session)
        self.me = me
        self.book = book_by_email(session)
        campaign = select(CampaignRecipient.message_id, CampaignRecipient.id).where(
            CampaignRecipient.message_id != ""
        )
        self.campaign: dict[str, int] = {mid: rid for mid, rid in session.execute(campaign)}
        self._stranger_seen: set[tuple[str, str]] = set()

    def add(self, session: Session, h: Header) -> None:
        r = self.report
        r.messages_read += 1
        if h.bulk:
            r.skipped[LIST_MAIL] += 1
            return
        if h.on is None:
            r.skipped[NO_DATE] += 1
            return
        if h.message_id in self.campaign:
            r.skipped[OWN_CAMPAIGN] += 1
            return
        key = h.key
        targets: list[tuple[int, str]] = []
        replied: set[int] = set()
        if h.sender in self.me:
            verb = "Sent"
            for addr, name in h.recipients:
                if addr in self.me:
                    continue
                ids = self.book.get(addr)
                if ids is None:
                    if (addr, key) not in self._stranger_seen:
                        self._stranger_seen.add((addr, key))
                        r.strangers[addr] += 1
                    if name and addr not in r.stranger_names:
                        r.stranger_names[addr] = decoded(name).strip('" ')
                    continue
                targets.extend((cid, verb) for cid in ids)
        else:
            verb = "Received"
            replied = self._replies(session, h, key)
            targets = [(cid, verb) for cid in self.book.get(h.sender, ()) if cid not in replied]
        if not targets and not replied:
            r.skipped[NOBODY] += 1
            return
        subject = f"“{h.subject}”" if h.subject else "an email"
        added = False
        for cid, verb in dict.fromkeys(targets):
            added |= self.record(cid, h.on, "email", f"{verb} {subject}", MAIL, key)
        if not added and targets:
            r.already_read += 1
        if len(self._pending) >= BATCH:
            self.flush(session)

    def _replies(self, session: Session, h: Header, key: str) -> set[int]:
        """A reply to a campaign message: that recipient is marked replied, as by hand.
        Returns the contacts whose reply this was (logged here, not again as received)."""
        who: set[int] = set()
        for ref in h.refs:
            rid = self.campaign.get(ref)
            if rid is None:
                continue
            rec = session.get(CampaignRecipient, rid)
            if rec is None:
                continue
            who.add(rec.contact_id)
            if rec.status != "sent" or (rec.contact_id, key) in self.seen:
                continue
            assert h.on is not None
            on = max(h.on, rec.sent_at.date()) if rec.sent_at else h.on
            undo = outreach.mark_replied(session, rid, on, rec.meeting_booked)
            logged = session.get(Interaction, undo["interaction"])
            if logged is not None:
                logged.source, logged.source_key = MAIL, key
            self.seen.add((rec.contact_id, key))
            self.report.replies_found += 1
            self.report.interactions_added += 1
        return who


def read_mail_files(
    session: Session,
    paths: Iterable[Path],
    me: Iterable[str] = (),
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Report:
    """Read mbox files and Maildir folders into the history (the caller commits)."""
    history = History(session, my_addresses(session, me))
    boxes = open_boxes([Path(p) for p in paths])
    total = sum(len(b) for b in boxes)
    if progress is not None:
        progress(0, total)
    for n, raw in enumerate(headers_of(boxes), 1):
        history.add(session, parse_header(raw))
        if n % 500 == 0:
            if progress is not None:
                progress(n, total)
            if cancelled is not None and cancelled():
                history.report.cancelled = True
                break
    history.flush(session)
    if progress is not None:
        progress(history.report.messages_read, total)
    return history.report


# -- forgetting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Forgotten:
    """What forget_history removed, for Undo."""

    rows: list[InteractionRow]
    state: dict[str, str]  # where the account's folders had been read to

    @property
    def count(self) -> int:
        return len(self.rows)


def forget_history(session: Session, source: str = MAIL) -> Forgotten:
    """Remove every interaction read from mail (or *source*), in one step; the account is
    read from the start next time. Campaign recipients marked replied stay so (their status
    is Outreach's; "Mark replied" undoes it there)."""
    rows = [
        InteractionRow(*row)
        for row in session.execute(select(*ROW_COLUMNS).where(Interaction.source == source))
    ]
    session.execute(delete(Interaction).where(Interaction.source == source))
    state: dict[str, str] = {}
    if source == MAIL:
        state = settings.with_prefix(session, IMAP_STATE)
        for k in state:
            settings.put(session, k, None)
    session.flush()
    return Forgotten(rows, state)


def restore_history(session: Session, forgotten: Forgotten) -> None:
    if forgotten.rows:
        session.execute(
            insert(Interaction),
            [
                {
                    "id": r.id,
                    "contact_id": r.contact_id,
                    "occurred_on": r.occurred_on,
                    "kind": r.kind,
                    "summary": r.summary,
                    "source": r.source,
                    "source_key": r.source_key,
                }
                for r in forgotten.rows
            ],
        )
    for k, v in forgotten.state.items():
        settings.put(session, k, v)
    session.flush()
