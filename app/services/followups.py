"""Follow-ups: one-off things to do by a day, about a contact or about no one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.model.tables import Contact, FollowUp, Interview, utcnow

REPORT_BACK = "report_back"  # the purpose of the follow-up that closes an interview


class FollowUpNotFound(LookupError):
    pass


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    contact_id: int | None
    due_on: dt.date
    text: str
    done_at: dt.datetime | None
    # What gave rise to it (an interview, an outreach message), kept so Undo of a delete
    # puts back a follow-up that still closes what it belongs to.
    interview_id: int | None = None
    purpose: str = ""
    recipient_id: int | None = None


def _row(f: FollowUp) -> FollowUpRow:
    return FollowUpRow(
        f.id, f.contact_id, f.due_on, f.text, f.done_at, f.interview_id, f.purpose, f.recipient_id
    )


def _get(session: Session, follow_up_id: int) -> FollowUp:
    f = session.get(FollowUp, follow_up_id)
    if f is None:
        raise FollowUpNotFound(f"follow-up {follow_up_id} is gone")
    return f


def add_follow_up(session: Session, contact_id: int | None, due_on: dt.date, text: str) -> int:
    text = text.strip()
    if not text:
        raise ValueError("Say what to do, for example “send the article”.")
    if contact_id is not None:
        c = session.get(Contact, contact_id)
        if c is None or c.deleted_at is not None:
            raise ValueError("That contact is no longer in your contacts.")
    f = FollowUp(contact_id=contact_id, due_on=due_on, text=text)
    session.add(f)
    session.flush()
    return f.id


def follow_ups_of(session: Session, contact_id: int) -> list[FollowUpRow]:
    """A contact's open follow-ups, soonest first."""
    stmt = (
        select(FollowUp)
        .where(FollowUp.contact_id == contact_id, FollowUp.done_at.is_(None))
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    return [_row(f) for f in session.scalars(stmt)]


def get_follow_up(session: Session, follow_up_id: int) -> FollowUpRow:
    return _row(_get(session, follow_up_id))


def set_done(session: Session, follow_up_id: int, done: bool = True) -> FollowUpRow:
    """Mark done (or, for Undo, open again); returns the follow-up as it was."""
    f = _get(session, follow_up_id)
    before = _row(f)
    f.done_at = utcnow() if done else None
    if f.purpose == REPORT_BACK and f.interview_id is not None:
        # Reporting back is the last step of an informational interview.
        i = session.get(Interview, f.interview_id)
        if i is not None and done and i.status == "thanked":
            i.status = "reported_back"
        elif i is not None and not done and i.status == "reported_back":
            i.status = "thanked"
    return before


def reschedule(session: Session, follow_up_id: int, due_on: dt.date) -> FollowUpRow:
    """Snooze to another day; returns the follow-up as it was."""
    f = _get(session, follow_up_id)
    before = _row(f)
    f.due_on = due_on
    return before


def delete_follow_up(session: Session, follow_up_id: int) -> FollowUpRow:
    f = _get(session, follow_up_id)
    row = _row(f)
    session.delete(f)
    session.flush()
    return row


def restore_follow_up(session: Session, row: FollowUpRow) -> None:
    session.add(
        FollowUp(
            id=row.id,
            contact_id=row.contact_id,
            due_on=row.due_on,
            text=row.text,
            done_at=row.done_at,
            interview_id=row.interview_id,
            purpose=row.purpose,
            recipient_id=row.recipient_id,
        )
    )
    session.flush()
