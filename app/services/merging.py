"""Merging two contacts by hand, and splitting them back (Undo)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.model.merge import merge_records
from app.model.records import ContactRecord
from app.model.tables import Contact, FollowUp, Interaction, utcnow
from app.services import search
from app.services.contacts import get_contact, restore_contacts, update_contact


@dataclass
class MergeUndo:
    """Everything needed to split a merge back exactly."""

    keep_before: ContactRecord
    other_id: int
    moved_interactions: list[int] = field(default_factory=list)
    moved_follow_ups: list[int] = field(default_factory=list)
    repointed: list[int] = field(default_factory=list)


def merge_contacts(session: Session, keep_id: int, other_id: int) -> MergeUndo:
    """Fold *other* into *keep*; *other* goes to the trash, remembered as merged."""
    if keep_id == other_id:
        raise ValueError("a contact cannot be merged with itself")
    keep = get_contact(session, keep_id)
    other = get_contact(session, other_id)
    undo = MergeUndo(keep, other_id)
    merged = merge_records(keep, other, f"“{other.display_name}”")
    if merged.introduced_by_id == other_id:
        merged.introduced_by_id = keep.introduced_by_id
    update_contact(session, merged, check=False)
    undo.moved_interactions = list(
        session.scalars(select(Interaction.id).where(Interaction.contact_id == other_id))
    )
    session.execute(
        update(Interaction).where(Interaction.contact_id == other_id).values(contact_id=keep_id)
    )
    undo.moved_follow_ups = list(
        session.scalars(select(FollowUp.id).where(FollowUp.contact_id == other_id))
    )
    session.execute(
        update(FollowUp).where(FollowUp.contact_id == other_id).values(contact_id=keep_id)
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
    if undo.moved_interactions:
        session.execute(
            update(Interaction)
            .where(Interaction.id.in_(undo.moved_interactions))
            .values(contact_id=undo.other_id)
        )
    if undo.moved_follow_ups:
        session.execute(
            update(FollowUp)
            .where(FollowUp.id.in_(undo.moved_follow_ups))
            .values(contact_id=undo.other_id)
        )
    if undo.repointed:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(undo.repointed))
            .values(introduced_by_id=undo.other_id)
        )
