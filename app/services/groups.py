"""Groups and events: associations and their chapters, online groups, newsletters, events
attended, volunteer and board roles, and the people the user met through each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.model.tables import Contact, MetAt, NetworkGroup
from app.services.contacts import ContactRow, fetch_rows

KINDS: dict[str, str] = {
    "association": "Professional association",
    "chapter": "Local chapter",
    "online_group": "Online group",
    "newsletter": "Newsletter",
    "event": "Event",
    "volunteer": "Volunteer or board role",
}


@dataclass
class GroupRecord:
    kind: str = "event"
    name: str = ""
    parent_id: int | None = None
    held_on: dt.date | None = None
    place: str = ""
    url: str = ""
    my_role: str = ""
    note: str = ""
    id: int | None = None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class GroupRow:
    id: int
    kind: str
    name: str
    held_on: dt.date | None
    place: str
    parent: str
    my_role: str
    people: int

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class DeletedGroup:
    record: GroupRecord
    members: list[int]
    children: list[int]  # chapters that pointed at it


_FIELDS = [f.name for f in fields(GroupRecord) if f.name != "id"]


def check(r: GroupRecord) -> None:
    if r.kind not in KINDS:
        raise ValueError(f"unknown kind {r.kind!r}")
    if not r.name.strip():
        raise ValueError("A group or event needs a name.")


def save_group(session: Session, r: GroupRecord) -> GroupRecord | None:
    """Create (id None) or update; returns the record as it was before an update."""
    check(r)
    values = {f: getattr(r, f) for f in _FIELDS}
    values["name"] = r.name.strip()
    if r.id is None:
        new = NetworkGroup(**values)
        session.add(new)
        session.flush()
        r.id = new.id
        return None
    g = session.get(NetworkGroup, r.id)
    if g is None:
        raise LookupError(f"group {r.id} is gone")
    if r.parent_id == r.id:
        raise ValueError("A group cannot belong to itself.")
    before = get_group(session, r.id)
    for k, v in values.items():
        setattr(g, k, v)
    session.flush()
    return before


def get_group(session: Session, group_id: int) -> GroupRecord:
    g = session.get(NetworkGroup, group_id)
    if g is None:
        raise LookupError(f"group {group_id} is gone")
    return GroupRecord(**{f: getattr(g, f) for f in _FIELDS}, id=g.id)


def delete_group(session: Session, group_id: int) -> DeletedGroup:
    record = get_group(session, group_id)
    members = list(session.scalars(select(MetAt.contact_id).where(MetAt.group_id == group_id)))
    children = list(
        session.scalars(select(NetworkGroup.id).where(NetworkGroup.parent_id == group_id))
    )
    g = session.get(NetworkGroup, group_id)
    session.delete(g)
    session.flush()
    return DeletedGroup(record, members, children)


def restore_group(session: Session, deleted: DeletedGroup) -> None:
    r = deleted.record
    session.add(NetworkGroup(id=r.id, **{f: getattr(r, f) for f in _FIELDS}))
    session.flush()
    if deleted.members:
        session.execute(
            insert(MetAt), [{"group_id": r.id, "contact_id": c} for c in deleted.members]
        )
    for child in deleted.children:
        g = session.get(NetworkGroup, child)
        if g is not None:
            g.parent_id = r.id


def list_groups(
    session: Session, kind: str | None = None, met: int | None = None
) -> list[GroupRow]:
    """Events newest first, then the rest by name; only where contact *met* was met, if given."""
    people = (
        select(func.count(MetAt.contact_id))
        .join(Contact, Contact.id == MetAt.contact_id)
        .where(MetAt.group_id == NetworkGroup.id, Contact.deleted_at.is_(None))
        .correlate(NetworkGroup)
        .scalar_subquery()
    )
    parent = NetworkGroup.__table__.alias("parent")
    stmt = select(
        NetworkGroup.id,
        NetworkGroup.kind,
        NetworkGroup.name,
        NetworkGroup.held_on,
        NetworkGroup.place,
        func.coalesce(parent.c.name, ""),
        NetworkGroup.my_role,
        people,
    ).outerjoin(parent, parent.c.id == NetworkGroup.parent_id)
    if kind is not None:
        stmt = stmt.where(NetworkGroup.kind == kind)
    if met is not None:
        stmt = stmt.where(
            NetworkGroup.id.in_(select(MetAt.group_id).where(MetAt.contact_id == met))
        )
    rows = [GroupRow(*row) for row in session.execute(stmt)]
    rows.sort(
        key=lambda g: (
            g.held_on is None,
            -(g.held_on.toordinal() if g.held_on else 0),
            g.name.casefold(),
        )
    )
    return rows


def people_met_at(session: Session, group_id: int) -> list[ContactRow]:
    ids = list(
        session.scalars(
            select(Contact.id)
            .join(MetAt, MetAt.contact_id == Contact.id)
            .where(MetAt.group_id == group_id, Contact.deleted_at.is_(None))
            .order_by(Contact.sort_name, Contact.id)
        )
    )
    rows = fetch_rows(session, ids)
    return [rows[i] for i in ids if i in rows]


def groups_of(session: Session, contact_id: int) -> list[GroupRow]:
    return list_groups(session, met=contact_id)


def link(session: Session, group_id: int, contact_ids: list[int]) -> list[int]:
    """Record that the user met these people there; returns those newly linked."""
    if session.get(NetworkGroup, group_id) is None:
        raise LookupError(f"group {group_id} is gone")
    had = set(session.scalars(select(MetAt.contact_id).where(MetAt.group_id == group_id)))
    new = [c for c in dict.fromkeys(contact_ids) if c not in had]
    if new:
        session.execute(insert(MetAt), [{"group_id": group_id, "contact_id": c} for c in new])
    return new


def unlink(session: Session, group_id: int, contact_ids: list[int]) -> list[int]:
    had = list(
        session.scalars(
            select(MetAt.contact_id).where(
                MetAt.group_id == group_id, MetAt.contact_id.in_(contact_ids)
            )
        )
    )
    session.execute(delete(MetAt).where(MetAt.group_id == group_id, MetAt.contact_id.in_(had)))
    return had
