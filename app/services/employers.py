"""The LAMP list of the 2-Hour Job Search: target employers rated for Advocacy, Motivation
and Posting, sorted as the method prescribes, with who the user knows at each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.model.normalize import org_key
from app.model.tables import Contact, Organization, TargetEmployer
from app.services.contacts import ContactRow, fetch_rows

EDITABLE = {"name", "advocacy", "motivation", "posting", "note"}
TOP = 5  # the method: work the top five, two starting contacts each


@dataclass(frozen=True)
class EmployerRow:
    id: int
    name: str
    advocacy_set: str  # "" (from contacts), "yes" or "no": what the user chose
    known: int  # live contacts working there
    motivation: int  # 1-5, 0 not rated
    posting: int  # 1-3, 0 not rated
    note: str
    match_key: str = ""  # the employer's org_key: the contacts' Narrow for "show all"

    @property
    def advocacy(self) -> bool:
        """Someone there could speak for you: the user's word, or else a contact works there."""
        return self.advocacy_set == "yes" if self.advocacy_set else self.known > 0

    def sort_key(self) -> tuple[int, int, int, str]:
        return (-self.motivation, -self.posting, -int(self.advocacy), self.name.casefold())


def _known_counts(session: Session, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return {
        key: n
        for key, n in session.execute(
            select(Organization.match_key, func.count(Contact.id))
            .join(Contact, Contact.organization_id == Organization.id)
            .where(Organization.match_key.in_(keys), Contact.deleted_at.is_(None))
            .group_by(Organization.match_key)
        )
    }


def lamp_list(session: Session) -> list[EmployerRow]:
    """Every target employer, by Motivation, then Posting, then Advocacy (highest first)."""
    employers = list(session.scalars(select(TargetEmployer)))
    known = _known_counts(session, {e.match_key for e in employers if e.match_key})
    rows = [
        EmployerRow(
            e.id,
            e.name,
            e.advocacy,
            known.get(e.match_key, 0) if e.match_key else 0,
            e.motivation,
            e.posting,
            e.note,
            e.match_key,
        )
        for e in employers
    ]
    rows.sort(key=EmployerRow.sort_key)
    return rows


def add_employer(session: Session, name: str, motivation: int = 0, posting: int = 0) -> int:
    name = " ".join(name.split())
    if not name:
        raise ValueError("An employer needs a name.")
    e = TargetEmployer(
        name=name, match_key=org_key(name), motivation=motivation, posting=posting, advocacy=""
    )
    _validate(e)
    session.add(e)
    session.flush()
    return e.id


def _validate(e: TargetEmployer) -> None:
    for field in ("advocacy", "motivation", "posting", "name"):
        check(field, getattr(e, field))


def check(field: str, value: object) -> None:
    if field == "advocacy" and value not in ("", "yes", "no"):
        raise ValueError("Advocacy is yes, no, or left to your contacts.")
    if field == "motivation" and not (isinstance(value, int) and 0 <= value <= 5):
        raise ValueError("Motivation is from 1 (low) to 5 (high).")
    if field == "posting" and not (isinstance(value, int) and 0 <= value <= 3):
        raise ValueError("Posting is 1 (none), 2 (some posting) or 3 (a posting for your role).")
    if field == "name" and not str(value).strip():
        raise ValueError("An employer needs a name.")


def update_employer(session: Session, employer_id: int, field: str, value: str | int) -> str | int:
    """Change one cell of the list; returns the value it had, for Undo."""
    if field not in EDITABLE:
        raise ValueError(f"{field} cannot be edited")
    e = session.get(TargetEmployer, employer_id)
    if e is None:
        raise LookupError(f"employer {employer_id} is gone")
    before: str | int = getattr(e, field)
    if field == "name":
        value = " ".join(str(value).split())
    check(field, value)  # before anything changes: a refused value is never written
    if field == "name":
        e.match_key = org_key(str(value))
    setattr(e, field, value)
    session.flush()
    return before


def delete_employer(session: Session, employer_id: int) -> dict[str, object]:
    e = session.get(TargetEmployer, employer_id)
    if e is None:
        raise LookupError(f"employer {employer_id} is gone")
    snapshot = {
        c.key: getattr(e, c.key)
        for c in TargetEmployer.__table__.columns  # type: ignore[attr-defined]
    }
    session.delete(e)
    session.flush()
    return snapshot


def restore_employer(session: Session, snapshot: dict[str, object]) -> None:
    session.add(TargetEmployer(**snapshot))
    session.flush()


def people_there(session: Session, employer_id: int, limit: int = 50) -> list[ContactRow]:
    """Who the user knows at this employer (same name without case or legal suffix)."""
    e = session.get(TargetEmployer, employer_id)
    if e is None or not e.match_key:
        return []
    ids = list(
        session.scalars(
            select(Contact.id)
            .join(Organization, Contact.organization_id == Organization.id)
            .where(Organization.match_key == e.match_key, Contact.deleted_at.is_(None))
            .order_by(Contact.sort_name, Contact.id)
            .limit(limit)
        )
    )
    rows = fetch_rows(session, ids)
    return [rows[i] for i in ids if i in rows]


def organizations_not_listed(session: Session, limit: int = 200) -> list[tuple[str, int]]:
    """The organisations the user's contacts work at that are not on the list yet, with how
    many contacts each: where a LAMP list usually starts."""
    listed = select(TargetEmployer.match_key)
    rows = session.execute(
        select(func.min(Organization.name), func.count(Contact.id))
        .join(Contact, Contact.organization_id == Organization.id)
        .where(
            Contact.deleted_at.is_(None),
            Organization.match_key != "",
            Organization.match_key.not_in(listed),
        )
        .group_by(Organization.match_key)
        .order_by(func.count(Contact.id).desc(), func.min(Organization.name))
        .limit(limit)
    ).all()
    return [(name, n) for name, n in rows]
