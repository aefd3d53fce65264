"""The dated log of real contacts with a person; "last contact" and keep-in-touch come from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.model.tables import Contact, Interaction

# (key, what the user reads), in the order the menus offer them.
KINDS: list[tuple[str, str]] = [
    ("email", "Email"),
    ("call", "Call"),
    ("coffee", "Coffee or lunch"),
    ("meeting", "Meeting"),
    ("event", "Event"),
    ("message", "Message"),
    ("note", "Note"),
]
KIND_LABELS = dict(KINDS)


class InteractionNotFound(LookupError):
    pass


@dataclass(frozen=True)
class InteractionRow:
    id: int
    contact_id: int
    occurred_on: dt.date
    kind: str
    summary: str
    source: str = ""  # how it was made: "" typed in; "mail", "linkedin", "calendar" read
    source_key: str = ""  # what it was read from (a Message-ID), so it counts once

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.capitalize())


def _check_kind(kind: str) -> None:
    if kind and kind not in KIND_LABELS:
        raise ValueError(f"unknown kind “{kind}”; one of: {', '.join(KIND_LABELS)}")


def log_interaction(
    session: Session, contact_id: int, on: dt.date, kind: str = "", summary: str = ""
) -> int:
    """Record a real contact with someone; the list's "last contact" comes from these."""
    from app.services.contacts import ContactNotFound

    _check_kind(kind)
    c = session.get(Contact, contact_id)
    if c is None or c.deleted_at is not None:
        raise ContactNotFound(f"contact {contact_id} is gone")
    i = Interaction(contact_id=contact_id, occurred_on=on, kind=kind, summary=summary.strip())
    session.add(i)
    session.flush()
    return i.id


# What an InteractionRow is read from, in its order.
ROW_COLUMNS = (
    Interaction.id,
    Interaction.contact_id,
    Interaction.occurred_on,
    Interaction.kind,
    Interaction.summary,
    Interaction.source,
    Interaction.source_key,
)


def _row(i: Interaction) -> InteractionRow:
    return InteractionRow(
        i.id, i.contact_id, i.occurred_on, i.kind, i.summary, i.source, i.source_key
    )


def get_interaction(session: Session, interaction_id: int) -> InteractionRow:
    i = session.get(Interaction, interaction_id)
    if i is None:
        raise InteractionNotFound(f"interaction {interaction_id} is gone")
    return _row(i)


def interactions_of(session: Session, contact_id: int) -> list[InteractionRow]:
    """A person's history, newest first (same day: the one logged last first)."""
    # Plain rows, not ORM objects: a history of 500 is read in a few milliseconds.
    stmt = (
        select(*ROW_COLUMNS)
        .where(Interaction.contact_id == contact_id)
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
    )
    return [InteractionRow(*row) for row in session.execute(stmt)]


def update_interaction(
    session: Session, interaction_id: int, on: dt.date, kind: str, summary: str
) -> InteractionRow:
    """Change one entry; returns it as it was before, for Undo."""
    _check_kind(kind)
    i = session.get(Interaction, interaction_id)
    if i is None:
        raise InteractionNotFound(f"interaction {interaction_id} is gone")
    before = _row(i)
    i.occurred_on, i.kind, i.summary = on, kind, summary.strip()
    session.flush()
    return before


def delete_interaction(session: Session, interaction_id: int) -> InteractionRow:
    """Remove one entry; returns it, so that restore_interaction can bring it back."""
    i = session.get(Interaction, interaction_id)
    if i is None:
        raise InteractionNotFound(f"interaction {interaction_id} is gone")
    row = _row(i)
    session.delete(i)
    session.flush()
    return row


def restore_interaction(session: Session, row: InteractionRow) -> None:
    session.add(
        Interaction(
            id=row.id,
            contact_id=row.contact_id,
            occurred_on=row.occurred_on,
            kind=row.kind,
            summary=row.summary,
            source=row.source,
            source_key=row.source_key,
        )
    )
    session.flush()


def last_kind(session: Session) -> str:
    """The kind logged most recently, to offer it again; "email" at first."""
    kind = session.scalar(select(Interaction.kind).order_by(Interaction.id.desc()).limit(1))
    return kind or "email"


def last_contact(session: Session, contact_id: int) -> dt.date | None:
    return session.scalar(
        select(func.max(Interaction.occurred_on)).where(Interaction.contact_id == contact_id)
    )


def interaction_counts(session: Session) -> dict[int, int]:
    """How many interactions each contact has, in one pass over the (contact, day) index."""
    rows = session.execute(
        select(Interaction.contact_id, func.count()).group_by(Interaction.contact_id)
    )
    return {cid: n for cid, n in rows}
