"""Give and take: networking is reciprocal, so what was asked and what was given are logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.model.tables import Contact, Exchange

ASKED = "asked"
GAVE = "gave"
KINDS: dict[str, list[tuple[str, str]]] = {
    ASKED: [
        ("introduction", "An introduction"),
        ("recommendation", "A recommendation"),
        ("job_tip", "A job tip"),
        ("advice", "Advice"),
        ("informational_interview", "An informational interview"),
    ],
    GAVE: [
        ("introduction_made", "An introduction I made"),
        ("article_or_lead", "An article or a lead I sent"),
        ("help_offered", "Help I offered"),
        ("thank_you", "A thank-you"),
    ],
}
THANK_YOU = "thank_you"
KIND_LABELS = {key: label for kinds in KINDS.values() for key, label in kinds}


@dataclass(frozen=True)
class ExchangeRow:
    id: int
    contact_id: int
    direction: str
    kind: str
    occurred_on: dt.date
    note: str
    remind_on: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Balance:
    asked: int
    gave: int

    @property
    def only_taken(self) -> bool:
        return self.asked > 0 and self.gave == 0


def _row(e: Exchange) -> ExchangeRow:
    return ExchangeRow(e.id, e.contact_id, e.direction, e.kind, e.occurred_on, e.note, e.remind_on)


def record_exchange(
    session: Session, contact_id: int, direction: str, kind: str, on: dt.date, note: str = ""
) -> int:
    if direction not in KINDS or kind not in {k for k, _l in KINDS[direction]}:
        raise ValueError(f"unknown {direction!r} kind {kind!r}")
    c = session.get(Contact, contact_id)
    if c is None or c.deleted_at is not None:
        raise LookupError(f"contact {contact_id} is gone")
    e = Exchange(
        contact_id=contact_id, direction=direction, kind=kind, occurred_on=on, note=note.strip()
    )
    session.add(e)
    session.flush()
    return e.id


def exchanges_of(session: Session, contact_id: int) -> list[ExchangeRow]:
    """Newest first."""
    stmt = (
        select(Exchange)
        .where(Exchange.contact_id == contact_id)
        .order_by(Exchange.occurred_on.desc(), Exchange.id.desc())
    )
    return [_row(e) for e in session.scalars(stmt)]


def delete_exchange(session: Session, exchange_id: int) -> ExchangeRow:
    e = session.get(Exchange, exchange_id)
    if e is None:
        raise LookupError(f"exchange {exchange_id} is gone")
    row = _row(e)
    session.delete(e)
    session.flush()
    return row


def restore_exchange(session: Session, row: ExchangeRow) -> None:
    session.add(
        Exchange(
            id=row.id,
            contact_id=row.contact_id,
            direction=row.direction,
            kind=row.kind,
            occurred_on=row.occurred_on,
            note=row.note,
            remind_on=row.remind_on,
        )
    )
    session.flush()


def balance(session: Session, contact_id: int) -> Balance:
    counts = {
        d: n
        for d, n in session.execute(
            select(Exchange.direction, func.count())
            .where(Exchange.contact_id == contact_id)
            .group_by(Exchange.direction)
        )
    }
    return Balance(counts.get(ASKED, 0), counts.get(GAVE, 0))


def only_taken_ids() -> Select[Any]:
    """Contacts you have asked something of and never given anything to (a subquery)."""
    return (
        select(Exchange.contact_id)
        .group_by(Exchange.contact_id)
        .having(func.sum(Exchange.direction == GAVE) == 0)
    )


@dataclass(frozen=True)
class ThanksOwed:
    exchange_id: int  # the ask
    contact_id: int
    kind: str
    asked_on: dt.date
    due_on: dt.date  # a thank-you goes out within a day (or when the user snoozed it to)


_thanks = aliased(Exchange)
_thanked = (
    select(func.max(_thanks.occurred_on))
    .where(
        _thanks.contact_id == Exchange.contact_id,
        _thanks.direction == GAVE,
        _thanks.kind == THANK_YOU,
    )
    .correlate(Exchange)
    .scalar_subquery()
)
# Built once: building it took five times as long as running it (Today asks on every refresh).
_THANKS_OWED = select(
    Exchange.id,
    Exchange.contact_id,
    Exchange.kind,
    Exchange.occurred_on,
    Exchange.remind_on,
    _thanked,
).where(  # EXISTS rather than a join: the asks lead, each one's contact looked up by id.
    Exchange.direction == ASKED,
    exists().where(Contact.id == Exchange.contact_id, Contact.deleted_at.is_(None)),
)


def thanks_owed(session: Session, today: dt.date) -> list[ThanksOwed]:
    """Asks not yet followed by a thank-you to that person, due by today.

    A thank-you logged on or after the day of an ask settles it (and every earlier ask).
    """
    rows = session.execute(_THANKS_OWED).all()
    out = []
    for eid, cid, kind, on, remind_on, last_thanks in rows:
        if last_thanks is not None and last_thanks >= on:
            continue
        due = max(on + dt.timedelta(days=1), remind_on or on)
        if due <= today:
            out.append(ThanksOwed(eid, cid, kind, on, due))
    return out


def snooze_thanks(session: Session, exchange_id: int, until: dt.date | None) -> dt.date | None:
    """Remind of the thank-you for this ask on *until*; returns the earlier day, for Undo."""
    e = session.get(Exchange, exchange_id)
    if e is None:
        raise LookupError(f"exchange {exchange_id} is gone")
    before = e.remind_on
    e.remind_on = until
    return before
