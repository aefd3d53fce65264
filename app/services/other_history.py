"""History from elsewhere than mail, added as mail history is (services/mail_history.py):
LinkedIn's data export `messages.csv` (people matched by their LinkedIn profile URL, never by
name; what was said is not read) and past meetings in an `.ics` calendar file (attendees
matched by email address). Each counts once however often the file is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.model.normalize import email_key, url_key
from app.model.tables import Contact, ContactUrl
from app.services.mail_history import (
    NO_DATE,
    NOBODY,
    MailHistoryError,
    Progress,
    Recorder,
    Report,
    book_by_email,
    my_addresses,
    read_mail_files,
)

LINKEDIN = "linkedin"  # Interaction.source
CALENDAR = "calendar"
COLUMNS = ("CONVERSATION ID", "FROM", "SENDER PROFILE URL", "RECIPIENT PROFILE URLS", "DATE")


def _digest(*parts: str) -> str:
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


def _linkedin_date(text: str) -> dt.date | None:
    text = text.strip().removesuffix(" UTC")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def read_linkedin_messages(session: Session, path: Path) -> Report:
    """LinkedIn's messages.csv: a message between the user and a connection in the book
    (by profile URL) becomes an interaction; the user is the profile in every conversation."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MailHistoryError(f"{path.name} could not be read: {exc}") from exc
    if not rows or any(c not in rows[0] for c in COLUMNS):
        raise MailHistoryError(
            f"{path.name} is not LinkedIn's messages.csv (it needs the columns "
            f"{', '.join(COLUMNS)})."
        )
    by_url: dict[str, list[int]] = {}
    for value, cid in session.execute(
        select(ContactUrl.normalized, ContactUrl.contact_id)
        .join(Contact, Contact.id == ContactUrl.contact_id)
        .where(Contact.deleted_at.is_(None), ContactUrl.normalized != "")
    ):
        by_url.setdefault(value, []).append(cid)

    def people(row: dict[str, Any]) -> tuple[str, list[str]]:
        sender = url_key(row.get("SENDER PROFILE URL") or "")
        to = [url_key(u) for u in (row.get("RECIPIENT PROFILE URLS") or "").split(",")]
        return sender, [u for u in to if u]

    # The user: the profile that takes part in the most messages.
    seen_in: Counter[str] = Counter()
    for row in rows:
        sender, to = people(row)
        seen_in.update({sender, *to} - {""})
    me = seen_in.most_common(1)[0][0] if seen_in else ""
    rec = Recorder(session)
    r = rec.report
    for row in rows:
        r.messages_read += 1
        on = _linkedin_date(row.get("DATE") or "")
        if on is None:
            r.skipped[NO_DATE] += 1
            continue
        sender, to = people(row)
        if sender == me:
            targets = [(cid, "Sent") for u in to if u != me for cid in by_url.get(u, ())]
        else:
            targets = [(cid, "Received") for cid in by_url.get(sender, ())]
        if not targets:
            r.skipped[NOBODY] += 1
            continue
        key = "linkedin:" + _digest(row.get("CONVERSATION ID") or "", sender, row["DATE"])
        subject = (row.get("SUBJECT") or "").strip()
        what = f" “{subject[:200]}”" if subject else ""
        added = False
        for cid, verb in dict.fromkeys(targets):
            added |= rec.record(
                cid, on, "message", f"{verb} a LinkedIn message{what}", LINKEDIN, key
            )
        if not added:
            r.already_read += 1
    rec.flush(session)
    return r


def _value(component: Any, name: str) -> str:
    found = component.contents.get(name)
    return str(found[0].value) if found else ""


def read_calendar(
    session: Session, path: Path, me: Iterable[str] = (), today: dt.date | None = None
) -> Report:
    """Past meetings in an .ics file: each attendee (or organiser) in the book, other than
    the user, gets a meeting on that day. Events still to come are left for later."""
    import vobject  # the calendar library the app already writes interviews with

    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        calendars = list(vobject.readComponents(text, ignoreUnreadable=True))
    except (OSError, Exception) as exc:  # vobject raises its own ParseError and others
        raise MailHistoryError(f"{path.name} is not a calendar file we can read: {exc}") from exc
    mine = my_addresses(session, me)
    book = book_by_email(session)
    today = today or dt.date.today()
    rec = Recorder(session)
    r = rec.report
    for cal in calendars:
        for event in cal.contents.get("vevent", []):
            r.messages_read += 1
            start = getattr(event, "dtstart", None)
            when = start.value if start is not None else None
            on = when.date() if isinstance(when, dt.datetime) else when
            if not isinstance(on, dt.date):
                r.skipped[NO_DATE] += 1
                continue
            if on > today:
                r.skipped["still to come"] += 1
                continue
            people = [
                email_key(str(p.value).removeprefix("mailto:").removeprefix("MAILTO:"))
                for p in event.contents.get("attendee", []) + event.contents.get("organizer", [])
            ]
            ids = [cid for a in people if a not in mine for cid in book.get(a, ())]
            if not ids:
                r.skipped[NOBODY] += 1
                continue
            title = _value(event, "summary").strip()
            uid = _value(event, "uid") or title
            key = "ics:" + _digest(uid, on.isoformat())
            summary = f"Meeting “{title[:200]}”" if title else "Meeting"
            added = False
            for cid in dict.fromkeys(ids):
                added |= rec.record(cid, on, "meeting", summary, CALENDAR, key)
            if not added:
                r.already_read += 1
    rec.flush(session)
    return r


def read_history_files(
    session: Session,
    paths: Iterable[Path],
    me: Iterable[str] = (),
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Report:
    """Mail files (mbox, Maildir), LinkedIn's messages.csv and .ics calendars, each read by
    its kind, into one report (the caller commits)."""
    paths = list(paths)
    me = list(me)
    mail_paths = [p for p in paths if p.suffix.lower() not in (".csv", ".ics")]
    reports = []
    if mail_paths:
        reports.append(read_mail_files(session, mail_paths, me, progress, cancelled))
    for p in paths:
        if p.suffix.lower() == ".csv":
            reports.append(read_linkedin_messages(session, p))
        elif p.suffix.lower() == ".ics":
            reports.append(read_calendar(session, p, me))
    total = Report()
    for r in reports:
        total.messages_read += r.messages_read
        total.interactions_added += r.interactions_added
        total.replies_found += r.replies_found
        total.already_read += r.already_read
        total.skipped.update(r.skipped)
        total.strangers.update(r.strangers)
        total.stranger_names.update(r.stranger_names)
        total.cancelled |= r.cancelled
    return total
