"""Merging two contacts by hand, and splitting them back (Undo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.model.merge import merge_records
from app.model.records import ContactRecord
from app.model.tables import Contact, Exchange, FollowUp, Interaction, Interview, MetAt, utcnow
from app.services import search
from app.services.contacts import get_contact, restore_contacts, update_contact


@dataclass
class MergeUndo:
    """Everything needed to split a merge back exactly."""

    keep_before: ContactRecord
    other_id: int
    # Rows of the other's history that now belong to the kept one, by table.
    moved: dict[str, list[int]] = field(default_factory=dict)
    repointed: list[int] = field(default_factory=list)
    moved_met_at: list[int] = field(default_factory=list)  # group ids
    dropped_met_at: list[int] = field(default_factory=list)  # both had met there


# What a person's history is made of: carried over by a merge, handed back by Undo.
_HISTORY: list[Any] = [Interaction, FollowUp, Exchange, Interview]


def merge_contacts(session: Session, keep_id: int, other_id: int) -> MergeUndo:
    """Fold *other* into *keep*; *other* goes to the trash, remembered as merged."""
    if keep_id == other_id:
        raise ValueError("a contact cannot be merged with itself")
    keep = get_contact(session, keep_id)
    other = get_contact(session, other_id)
    undo = MergeUndo(keep, other_id)
    merged = merge_records(keep, other, f"“{other.display_name}”")
    update_contact(session, merged, check=False)
    for table in _HISTORY:
        undo.moved[table.__tablename__] = list(
            session.scalars(select(table.id).where(table.contact_id == other_id))
        )
        session.execute(
            update(table).where(table.contact_id == other_id).values(contact_id=keep_id)
        )
    kept_groups = set(session.scalars(select(MetAt.group_id).where(MetAt.contact_id == keep_id)))
    other_groups = list(session.scalars(select(MetAt.group_id).where(MetAt.contact_id == other_id)))
    undo.moved_met_at = [g for g in other_groups if g not in kept_groups]
    undo.dropped_met_at = [g for g in other_groups if g in kept_groups]
    session.execute(delete(MetAt).where(MetAt.contact_id == other_id))
    if undo.moved_met_at:
        session.execute(
            insert(MetAt), [{"group_id": g, "contact_id": keep_id} for g in undo.moved_met_at]
        )
    undo.repointed = list(
        session.scalars(
            select(Contact.id).where(Contact.introduced_by_id == other_id, Contact.id != keep_id)
        )
    )
    session.execute(
        update(Contact).where(Contact.id.in_(undo.repointed)).values(introduced_by_id=keep_id)
    )
    c = session.get(Contact, other_id)
    assert c is not None
    c.deleted_at = utcnow()
    c.merged_into_id = keep_id
    search.unindex(session, other_id)
    return undo


def unmerge_contacts(session: Session, undo: MergeUndo) -> None:
    """Undo merge_contacts: both contacts come back as they were before."""
    restore_contacts(session, [undo.other_id])
    update_contact(session, undo.keep_before, check=False)
    for table in _HISTORY:
        ids = undo.moved.get(table.__tablename__, [])
        if ids:
            session.execute(update(table).where(table.id.in_(ids)).values(contact_id=undo.other_id))
    if undo.moved_met_at:
        session.execute(
            delete(MetAt).where(
                MetAt.contact_id == undo.keep_before.id, MetAt.group_id.in_(undo.moved_met_at)
            )
        )
    back = undo.moved_met_at + undo.dropped_met_at
    if back:
        session.execute(insert(MetAt), [{"group_id": g, "contact_id": undo.other_id} for g in back])
    if undo.repointed:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(undo.repointed))
            .values(introduced_by_id=undo.other_id)
        )


def merge_into_one(session: Session, keep_id: int, other_ids: list[int]) -> list[MergeUndo]:
    """Fold each of *other_ids* into *keep_id*, in order (a group of namesakes the user says
    are one person); returns what unmerge_many needs."""
    return [merge_contacts(session, keep_id, other) for other in other_ids]


def unmerge_many(session: Session, undos: list[MergeUndo]) -> None:
    """Undo merge_into_one: the last merge is split first, so each comes back as it was."""
    for undo in reversed(undos):
        unmerge_contacts(session, undo)
