"""Contact use cases: add, edit, delete and undo, list, search."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.model.names import fill_name_parts
from app.model.namesakes import Namesake, tell_apart
from app.model.normalize import org_key, person_key, phone_key, sort_key, url_key
from app.model.records import (
    Birthday,
    ContactRecord,
    FieldProblem,
    Labeled,
    PostalAddress,
    display_name_of,
    name_from_parts,
    validate,
)
from app.model.tables import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactExtraProperty,
    ContactPhone,
    ContactPhoto,
    ContactTag,
    ContactUrl,
    Interaction,
    Organization,
    Tag,
    name_key,
    utcnow,
)
from app.services import search
from app.services.reciprocity import only_taken_ids


class InvalidContact(ValueError):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class ContactNotFound(LookupError):
    pass


class SortKey(Enum):
    NAME = "name"
    ORGANIZATION = "organization"
    TITLE = "title"
    INDUSTRY = "industry"
    LAST_CONTACT = "last_contact"


class ContactRow(NamedTuple):
    """What one line of the contact list shows."""

    id: int
    name: str
    organization: str
    title: str
    industry: str
    last_contact: dt.date | None
    email: str


def _organization(session: Session, name: str) -> Organization | None:
    name = name.strip()
    if not name:
        return None
    org = session.scalar(select(Organization).where(Organization.name_key == name_key(name)))
    if org is None:
        org = Organization(name=name, name_key=name_key(name), match_key=org_key(name), industry="")
        session.add(org)
    return org


def tags_named(session: Session, names: list[str]) -> list[Tag]:
    """The tags of these names (one per name key), created where missing."""
    tags: list[Tag] = []
    seen: set[str] = set()
    for raw in names:
        name, key = raw.strip(), name_key(raw)
        if not key or key in seen:
            continue
        seen.add(key)
        tag = session.scalar(select(Tag).where(Tag.name_key == key))
        if tag is None:
            tag = Tag(name=name, name_key=key)
            session.add(tag)
        tags.append(tag)
    return tags


def _apply(session: Session, c: Contact, r: ContactRecord) -> None:
    """Copy a record onto an existing row (an edit), replacing every field and list.

    update_contact flushes right after, so an organisation or tag added here is in the
    database before the next edit looks for it.
    """
    with session.no_autoflush:
        _apply_fields(session, c, r)


def contact_values(r: ContactRecord) -> dict[str, Any]:
    """The contacts-table columns for a record (all but organisation and timestamps)."""
    b = r.birthday
    return {
        "uid": r.uid,
        "full_name": r.full_name.strip(),
        "prefix": r.prefix,
        "given_name": r.given_name,
        "additional_names": r.additional_names,
        "family_name": r.family_name,
        "suffix": r.suffix,
        "nickname": r.nickname,
        "sort_name": sort_key(display_name_of(r)),
        "person_key": person_key(r.full_name, r.given_name, r.family_name),
        "department": r.department,
        "title": r.title,
        "industry": r.industry,
        "bday_year": b.year if b else None,
        "bday_month": b.month if b else None,
        "bday_day": b.day if b else None,
        "note": r.note,
        "how_met": r.how_met,
        "tier": r.tier,
        "introduced_by_id": r.introduced_by_id,
    }


def child_values(r: ContactRecord) -> dict[type[Any], list[dict[str, Any]]]:
    """Rows of the per-contact tables for a record, without contact_id."""
    kept = [x for x in r.emails if x.value.strip()]
    phones = [x for x in r.phones if x.value.strip()]
    urls = [x for x in r.urls if x.value.strip()]
    addresses = [a for a in r.addresses if not a.is_empty()]
    return {
        ContactEmail: [
            {"value": e.value.strip(), "label": e.label, "position": i} for i, e in enumerate(kept)
        ],
        ContactPhone: [
            {
                "value": p.value.strip(),
                "label": p.label,
                "position": i,
                "normalized": phone_key(p.value),
            }
            for i, p in enumerate(phones)
        ],
        ContactUrl: [
            {
                "value": u.value.strip(),
                "label": u.label,
                "position": i,
                "normalized": url_key(u.value),
            }
            for i, u in enumerate(urls)
        ],
        ContactAddress: [
            {
                "label": a.label,
                "po_box": a.po_box,
                "extended": a.extended,
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postal_code": a.postal_code,
                "country": a.country,
                "position": i,
            }
            for i, a in enumerate(addresses)
        ],
        ContactExtraProperty: [
            {"line": line, "position": i} for i, line in enumerate(r.extra_lines)
        ],
    }


_CHILD_ATTR = {
    ContactEmail: "emails",
    ContactPhone: "phones",
    ContactUrl: "urls",
    ContactAddress: "addresses",
    ContactExtraProperty: "extra",
}


def _apply_fields(session: Session, c: Contact, r: ContactRecord) -> None:
    for key, value in contact_values(r).items():
        setattr(c, key, value)
    c.organization = _organization(session, r.organization)
    for table, rows in child_values(r).items():
        setattr(c, _CHILD_ATTR[table], [table(**row) for row in rows])
    if r.photo:
        if c.photo is None:
            c.photo = ContactPhoto(data=r.photo, mime=r.photo_mime)
        else:
            c.photo.data, c.photo.mime = r.photo, r.photo_mime
    else:
        c.photo = None
    c.tags = tags_named(session, r.tags)


def _name_ids(
    session: Session, model: type[Organization] | type[Tag], names: Iterable[str]
) -> dict[str, int]:
    """Ids of organisations or tags by name_key, adding the missing ones; a new one is
    named as *names* first spells it (in the order given: never a set's, which changes with
    the hash seed from run to run)."""
    wanted: dict[str, str] = {}
    for n in names:
        key = name_key(n)
        if key:
            wanted.setdefault(key, n.strip())
    found: dict[str, int] = {}
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for cid, key in session.execute(
            select(model.id, model.name_key).where(model.name_key.in_(chunk))
        ):
            found[key] = cid
    missing = [{"name": n, "name_key": k} for k, n in wanted.items() if k not in found]
    if missing:
        if model is Organization:
            for row in missing:
                row["industry"] = ""
                row["match_key"] = org_key(row["name"])
        new_ids = session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True), missing
        ).all()
        for row, new_id in zip(missing, new_ids, strict=True):
            found[row["name_key"]] = new_id
    return found


def _table(mapped: Any) -> Table:
    """The Core table of a mapped class (Core inserts skip the ORM's per-row work)."""
    return cast(Table, mapped.__table__)


def _insert_many(db: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT *rows* (each with the same keys) in one executemany through the driver.

    The ORM's bulk insert spent longer preparing rows than SQLite took to write them, and
    then SQLAlchemy Core's per-row parameter building was a quarter of an import's writing
    (0.6 s of 10,000 cards). Columns left out get their database defaults; values go
    through each column type's conversion, as Core would send them."""
    if not rows:
        return
    columns = list(rows[0])
    convert = [
        (i, process)
        for i, c in enumerate(columns)
        if (process := table.c[c].type.bind_processor(db.dialect)) is not None
    ]
    values = [tuple(row[c] for c in columns) for row in rows]
    if convert:
        values = [_converted(v, convert) for v in values]
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    db.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


def _converted(value: tuple[Any, ...], convert: list[tuple[int, Any]]) -> tuple[Any, ...]:
    row = list(value)
    for i, process in convert:
        row[i] = process(row[i])
    return tuple(row)


def create_contacts(session: Session, records: list[ContactRecord]) -> list[int]:
    """Add contacts, unchecked, in a few executemany statements per table.

    The one way contacts are created (create_contact checks first, then calls this): the ORM
    unit of work would cost milliseconds per contact on an import of thousands.
    """
    if not records:
        return []
    # Every contact gets a stable UID, so an exported file imports back onto itself.
    records = [r if r.uid else replace(r, uid=f"urn:uuid:{uuid.uuid4()}") for r in records]
    orgs = _name_ids(session, Organization, (r.organization for r in records))
    tags = _name_ids(session, Tag, (t for r in records for t in r.tags))
    now = utcnow()
    rows = []
    for r in records:
        row = contact_values(r)
        row["organization_id"] = orgs.get(name_key(r.organization))
        row["created_at"] = row["updated_at"] = now
        rows.append(row)
    # The ids are given here, not returned one INSERT at a time: SQLite cannot promise the
    # order of a multi-row RETURNING, so SQLAlchemy sent 10,000 single INSERTs for 10,000
    # contacts. A no-op write first takes the database's write lock for this transaction, so
    # nobody else can take the next ids between reading the largest and using them (the ids
    # SQLite would have chosen itself: it has no AUTOINCREMENT here).
    db = session.connection()
    db.execute(text("UPDATE contacts SET id = id WHERE 0"))
    first = (db.execute(text("SELECT max(id) FROM contacts")).scalar() or 0) + 1
    ids = list(range(first, first + len(rows)))
    for cid, row in zip(ids, rows, strict=True):
        row["id"] = cid
    _insert_many(db, _table(Contact), rows)
    children: dict[type[Any], list[dict[str, Any]]] = {t: [] for t in _CHILD_ATTR}
    photos, tag_links = [], []
    for cid, r in zip(ids, records, strict=True):
        for table, child_rows in child_values(r).items():
            children[table] += [{**row, "contact_id": cid} for row in child_rows]
        if r.photo:
            photos.append({"contact_id": cid, "data": r.photo, "mime": r.photo_mime})
        seen = set()
        for t in r.tags:
            tid = tags.get(name_key(t))
            if tid is not None and tid not in seen:
                seen.add(tid)
                tag_links.append({"contact_id": cid, "tag_id": tid})
    for table, child_rows in children.items():
        _insert_many(db, _table(table), child_rows)
    _insert_many(db, _table(ContactPhoto), photos)
    _insert_many(db, _table(ContactTag), tag_links)
    search.index_records(session, list(zip(ids, records, strict=True)), new=True)
    return ids


def to_record(c: Contact) -> ContactRecord:
    birthday = None
    if c.bday_month and c.bday_day:
        try:
            birthday = Birthday(c.bday_month, c.bday_day, c.bday_year)
        except ValueError:
            birthday = None
    return ContactRecord(
        id=c.id,
        uid=c.uid,
        full_name=c.full_name,
        prefix=c.prefix,
        given_name=c.given_name,
        additional_names=c.additional_names,
        family_name=c.family_name,
        suffix=c.suffix,
        nickname=c.nickname,
        organization=c.organization.name if c.organization else "",
        department=c.department,
        title=c.title,
        industry=c.industry,
        emails=[Labeled(e.value, e.label) for e in c.emails],
        phones=[Labeled(p.value, p.label) for p in c.phones],
        urls=[Labeled(u.value, u.label) for u in c.urls],
        addresses=[
            PostalAddress(
                a.label, a.po_box, a.extended, a.street, a.city, a.region, a.postal_code, a.country
            )
            for a in c.addresses
        ],
        birthday=birthday,
        photo=c.photo.data if c.photo else None,
        photo_mime=c.photo.mime if c.photo else "",
        note=c.note,
        tags=[t.name for t in c.tags],
        how_met=c.how_met,
        introduced_by_id=c.introduced_by_id,
        tier=c.tier,
        extra_lines=[x.line for x in c.extra],
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _check(session: Session, r: ContactRecord) -> None:
    problems = validate(r)
    if r.introduced_by_id is not None and _live(session, r.introduced_by_id) is None:
        problems.append(
            FieldProblem(
                "introduced_by_id", "The person who introduced you is no longer in your contacts."
            )
        )
    if problems:
        raise InvalidContact(problems)


def _live(session: Session, contact_id: int) -> Contact | None:
    c = session.get(Contact, contact_id)
    return c if c is not None and c.deleted_at is None else None


def create_contact(session: Session, record: ContactRecord, *, check: bool = True) -> int:
    """Add a contact; InvalidContact lists what the user must fix first.

    Imports pass check=False: what an address book holds is kept as written and reported,
    never refused, since refusing would lose it. What the user typed (check=True) gets its
    name's parts from a name typed as one string.
    """
    if check:
        record = replace(record)
        fill_name_parts(record)
        _check(session, record)
    return create_contacts(session, [record])[0]


def update_contact(session: Session, record: ContactRecord, *, check: bool = True) -> None:
    if record.id is None:
        raise ContactNotFound("a new contact has no id yet")
    c = _live(session, record.id)
    if c is None:
        raise ContactNotFound(f"contact {record.id} is gone")
    if check:
        _check(session, record)
    _apply(session, c, record)
    c.updated_at = utcnow()
    session.flush()
    search.index_records(session, [(c.id, record)])


def get_contact(session: Session, contact_id: int) -> ContactRecord:
    c = _live(session, contact_id)
    if c is None:
        raise ContactNotFound(f"contact {contact_id} is gone")
    return to_record(c)


# Bulk delete and its undo work a chunk of ids at a time, each chunk one statement per table
# (5,006 contacts one ORM object at a time took the window 30 s, and their undo 120 s).
class Cancelled(Exception):
    """The user pressed Cancel; the caller's session rolls back and nothing is written."""


BULK_CHUNK = 2000
_SEARCH_UNINDEX = text(
    "DELETE FROM contact_search WHERE rowid IN (SELECT value FROM json_each(:ids))"
)


def _set_in_chunks(
    session: Session,
    ids: list[int],
    where: Any,
    values: dict[str, Any],
    then: Callable[[list[int]], object],
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> list[int]:
    """Set *values* on the contacts of *ids* that meet *where*, a chunk at a time, *then*
    called with each chunk's changed ids; ``updated_at`` is left alone. Returns the ids
    changed. *cancelled* is asked before each chunk: yes raises Cancelled."""
    stmt = (
        update(Contact)
        .where(where, Contact.id.in_(IN_IDS_JSON))
        .values(**values, updated_at=Contact.updated_at)
        .returning(Contact.id)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    done: list[int] = []
    for start in range(0, len(ids), BULK_CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled
        changed = list(session.scalars(stmt, {"ids": json.dumps(ids[start : start + BULK_CHUNK])}))
        then(changed)
        done += changed
        if progress is not None:
            progress(min(start + BULK_CHUNK, len(ids)), len(ids))
    session.expire_all()  # objects read before see the change
    return done


def delete_contacts(
    session: Session,
    ids: list[int],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """Move contacts to the trash; returns the ids actually deleted, for Undo.

    Their rows, links and history stay as they are (``updated_at`` too: going to the trash
    is not an edit, and Undo import must not count it as one). *cancelled* is asked between
    chunks; when it says yes this raises Cancelled and the caller's session, rolled back,
    leaves the database as it was.
    """
    return _set_in_chunks(
        session,
        ids,
        Contact.deleted_at.is_(None),
        {"deleted_at": utcnow()},
        lambda gone: session.execute(_SEARCH_UNINDEX, {"ids": json.dumps(gone)}),
        progress,
        cancelled,
    )


def restore_contacts(
    session: Session,
    ids: list[int],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[int]:
    """Undo a delete: the contacts come back exactly as they were (*progress* and
    *cancelled* as for delete_contacts)."""

    def index(back: list[int]) -> None:
        search.index_records(session, list(zip(back, iter_records(session, back), strict=True)))

    return _set_in_chunks(
        session,
        ids,
        Contact.deleted_at.is_not(None),
        {"deleted_at": None, "merged_into_id": None},
        index,
        progress,
        cancelled,
    )


def count_contacts(session: Session) -> int:
    return session.scalar(select(func.count(Contact.id)).where(Contact.deleted_at.is_(None))) or 0


@dataclass(frozen=True)
class Narrow:
    """A filter on the list beside the search: an industry or an employer (from the network
    map), or the people you have only taken from."""

    industry: str | None = None  # "" = no industry set
    org_key: str | None = None  # normalize.org_key of the employer
    only_taken: bool = False
    label: str = ""

    def apply(self, stmt: Any) -> Any:
        if self.industry is not None:
            stmt = stmt.where(Contact.industry == self.industry)
        if self.org_key is not None:
            stmt = stmt.where(Organization.match_key == self.org_key)
        if self.only_taken:
            stmt = stmt.where(Contact.id.in_(only_taken_ids()))
        return stmt


_last_contact = (
    select(func.max(Interaction.occurred_on))
    .where(Interaction.contact_id == Contact.id)
    .correlate(Contact)
    .scalar_subquery()
)


def last_contacts(session: Session) -> dict[int, dt.date]:
    """Every contact's last interaction, in one pass over the (contact, day) index."""
    session.flush()
    rows = session.execute(
        select(Interaction.contact_id, func.max(Interaction.occurred_on)).group_by(
            Interaction.contact_id
        )
    )
    return {cid: day for cid, day in rows}


def list_contact_ids(
    session: Session,
    query: str = "",
    sort: SortKey = SortKey.NAME,
    descending: bool = False,
    limit: int | None = None,
    narrow: Narrow | None = None,
) -> list[int]:
    """Ids of the live contacts matching *query* (and *narrow*), in display order; empty
    values sort last."""
    column = {
        SortKey.NAME: Contact.sort_name,
        SortKey.ORGANIZATION: Organization.name,
        SortKey.TITLE: Contact.title,
        SortKey.INDUSTRY: Contact.industry,
        SortKey.LAST_CONTACT: _last_contact,
    }[sort]
    stmt = (
        select(Contact.id)
        .outerjoin(Organization, Contact.organization_id == Organization.id)
        .where(Contact.deleted_at.is_(None))
    )
    expression = search.match_expression(query)
    if query.strip() and expression is None:
        return []
    if expression:
        stmt = stmt.where(
            Contact.id.in_(
                select(text("rowid"))
                .select_from(text("contact_search"))
                .where(text("contact_search MATCH :q"))
            )
        ).params(q=expression)
    if narrow is not None:
        stmt = narrow.apply(stmt)
    if sort is SortKey.NAME and not descending:
        # The order the window opens in: named people, then the nameless, each walked in the
        # order of the live contacts' name index (sorting 50,000 rows took 68 ms, this 21).
        named = stmt.where(Contact.sort_name != "").order_by(Contact.sort_name, Contact.id)
        nameless = stmt.where(Contact.sort_name == "").order_by(Contact.id)
        parts = [named, nameless]
    else:
        blank_last = case((func.coalesce(column, "") == "", 1), else_=0)
        ordered = column.desc() if descending else column.asc()
        parts = [stmt.order_by(blank_last, ordered, Contact.sort_name, Contact.id)]
    ids: list[int] = []
    for part in parts:
        if limit is not None:
            part = part.limit(limit - len(ids))
        ids.extend(session.scalars(part))
    return ids


def _first(column: Any, child: Any) -> Any:
    """The contact's first email or phone, as a correlated subquery."""
    return (
        select(column)
        .where(child.contact_id == Contact.id)
        .order_by(child.position)
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )


# What name_from_parts needs, in its order; selected with an outer join to organizations.
NAME_COLUMNS = (
    Contact.full_name,
    Contact.prefix,
    Contact.given_name,
    Contact.additional_names,
    Contact.family_name,
    Contact.suffix,
    Contact.nickname,
    Organization.name,
)


def _named(*columns: Any) -> Any:
    """A select of what display_name_of needs (columns 1-10), then *columns*."""
    return select(
        Contact.id,
        *NAME_COLUMNS,
        _first(ContactEmail.value, ContactEmail),
        _first(ContactPhone.value, ContactPhone),
        *columns,
    ).outerjoin(Organization, Contact.organization_id == Organization.id)


def _display(row: Any) -> str:
    full, prefix, given, middle, family, suffix, nick, org, email, phone = row[1:11]
    return display_name_of(
        ContactRecord(
            full_name=full,
            prefix=prefix,
            given_name=given,
            additional_names=middle,
            family_name=family,
            suffix=suffix,
            nickname=nick,
            organization=org or "",
            emails=[Labeled(email)] if email else [],
            phones=[Labeled(phone)] if phone else [],
        )
    )


def fetch_rows(session: Session, ids: list[int]) -> dict[int, ContactRow]:
    """The list columns for these ids, in one query; photos and notes are not loaded."""
    if not ids:
        return {}
    stmt = _named(Contact.title, Contact.industry, _last_contact).where(Contact.id.in_(ids))
    rows: dict[int, ContactRow] = {}
    for row in session.execute(stmt):
        title, industry, last = row[11:14]
        rows[row[0]] = ContactRow(
            row[0], _display(row), row[8] or "", title, industry, last, row[9] or ""
        )
    return rows


_NAMES = (
    select(Contact.id, *NAME_COLUMNS)
    .outerjoin(Organization, Contact.organization_id == Organization.id)
    .where(Contact.id.in_(bindparam("ids", expanding=True)))
)


def names_of(session: Session, ids: list[int]) -> dict[int, str]:
    """Display names for these ids, for lists that show only who (Today, a group's people).

    Reads the name columns alone; a contact known only by an email or a phone number (a few)
    gets the fuller lookup that fetch_rows does.
    """
    if not ids:
        return {}
    names: dict[int, str] = {}
    nameless = []
    session.flush()  # a Core read does not autoflush
    # Core rather than ORM rows, one statement built once, no ContactRecord per row: Today
    # asks for hundreds.
    for row in session.connection().execute(_NAMES, {"ids": list(set(ids))}).all():
        name = name_from_parts(*(v or "" for v in row[1:]))
        if name:
            names[row[0]] = name
        else:
            nameless.append(row[0])
    names.update((i, r.name) for i, r in fetch_rows(session, nameless).items())
    return names


@dataclass(frozen=True)
class Choice:
    """A contact as a picker offers it: "Name — Organisation" tells two namesakes apart."""

    id: int
    name: str

    @classmethod
    def of(cls, row: ContactRow) -> Choice:
        label = row.name or f"#{row.id}"
        return cls(row.id, f"{label} — {row.organization}" if row.organization else label)


def find_choices(session: Session, text: str, limit: int = 15) -> list[Choice]:
    """The first contacts matching what was typed, for a picker: the search index answers.
    Namesakes are told apart in their labels (told_apart)."""
    ids = list_contact_ids(session, text, limit=limit)
    rows = fetch_rows(session, ids)
    labels = told_apart(session, {i: Choice.of(rows[i]).name for i in ids if i in rows})
    return [Choice(i, label) for i, label in labels.items()]


def told_apart(session: Session, labels: dict[int, str]) -> dict[int, str]:
    """*labels* (contact id: the name shown), each label that two or more of them share
    followed by what tells that contact from the others: "Ana Smith (Acme)", "Ana Smith
    (ana@example.org)", "Ana Smith (Leeds)", "Ana Smith (added 3 May 2025)"."""
    shared: dict[str, list[int]] = {}
    for cid, label in labels.items():
        shared.setdefault(label.casefold(), []).append(cid)
    out = dict(labels)
    for ids in shared.values():
        if len(ids) < 2:
            continue
        contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(ids)))}
        people = [
            Namesake(
                organization=c.organization.name if c.organization else "",
                emails=tuple(e.value for e in c.emails),
                cities=tuple(a.city for a in c.addresses),
                phones=tuple(p.value for p in c.phones),
                added=c.created_at.replace(tzinfo=dt.UTC).astimezone().date(),
            )
            if (c := contacts.get(cid)) is not None
            else Namesake()
            for cid in ids
        ]
        for cid, suffix in zip(ids, tell_apart(people), strict=True):
            out[cid] = f"{labels[cid]} ({suffix})"
    return out


def describe(session: Session, contact_id: int) -> Choice | None:
    rows = fetch_rows(session, [contact_id])
    return Choice.of(rows[contact_id]) if contact_id in rows else None


def introduced_by(session: Session, contact_id: int) -> list[ContactRow]:
    """The people this contact introduced you to, by name."""
    ids = list(
        session.scalars(
            select(Contact.id)
            .where(Contact.introduced_by_id == contact_id, Contact.deleted_at.is_(None))
            .order_by(Contact.sort_name, Contact.id)
        )
    )
    rows = fetch_rows(session, ids)
    return [rows[i] for i in ids if i in rows]


def people_at(session: Session, organization: str, limit: int = 200) -> list[ContactRow]:
    """Who you know at an organisation: case and legal suffixes (Inc., GmbH, …) do not matter.

    "acme" finds people at "ACME Inc.", "Acme Ltd" and "Acme Corporation", and at names that
    start with it ("Acme Robotics"), best matches first.
    """
    want = org_key(organization)
    if not want:
        return []
    candidates = session.execute(
        select(Organization.id, Organization.match_key).where(
            Organization.match_key.like(f"{_like_escape(want)}%", escape="\\")
        )
    ).all()
    exact = {oid for oid, key in candidates if key == want}
    prefix = {oid for oid, _key in candidates}
    if not prefix:
        return []
    ids = list(
        session.scalars(
            select(Contact.id)
            .where(Contact.organization_id.in_(prefix), Contact.deleted_at.is_(None))
            .order_by(Contact.sort_name, Contact.id)
            .limit(limit)
        )
    )
    rows = fetch_rows(session, ids)
    org_of = {
        cid: oid
        for cid, oid in session.execute(
            select(Contact.id, Contact.organization_id).where(Contact.id.in_(ids))
        )
    }
    found = [rows[i] for i in ids if i in rows]
    found.sort(key=lambda r: org_of.get(r.id) not in exact)  # exact names first, stable
    return found


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def load_records(session: Session, ids: list[int]) -> list[ContactRecord]:
    """Full records for many contacts in a handful of queries, in the order of *ids*."""
    return list(iter_records(session, ids))


_RECORD_COLUMNS = (
    Contact.id,
    Contact.uid,
    *NAME_COLUMNS,  # 2 to 9
    Contact.department,
    Contact.title,
    Contact.industry,
    Contact.bday_year,
    Contact.bday_month,
    Contact.bday_day,
    Contact.note,
    Contact.how_met,
    Contact.introduced_by_id,
    Contact.tier,
    Contact.created_at,
    Contact.updated_at,
)
# A chunk of ids travels as one JSON array: thousands of bound parameters cost SQLAlchemy more
# to render than SQLite takes to answer.
IN_IDS_JSON = select(
    func.json_each(bindparam("ids", type_=String)).table_valued("value").c.value
).scalar_subquery()
_RECORDS = (
    select(*_RECORD_COLUMNS)
    .outerjoin(Organization, Contact.organization_id == Organization.id)
    .where(Contact.id.in_(IN_IDS_JSON), Contact.deleted_at.is_(None))
)


def _children(*columns: Any) -> Any:
    """contact_id and *columns* of one child table for a chunk of contacts, in their order."""
    table = columns[0].class_
    return (
        select(table.contact_id, *columns)
        .where(table.contact_id.in_(IN_IDS_JSON))
        .order_by(table.contact_id, table.position)
    )


_CHILDREN = {
    "emails": _children(ContactEmail.value, ContactEmail.label),
    "phones": _children(ContactPhone.value, ContactPhone.label),
    "urls": _children(ContactUrl.value, ContactUrl.label),
    "addresses": _children(
        ContactAddress.label,
        ContactAddress.po_box,
        ContactAddress.extended,
        ContactAddress.street,
        ContactAddress.city,
        ContactAddress.region,
        ContactAddress.postal_code,
        ContactAddress.country,
    ),
    "extra": _children(ContactExtraProperty.line),
}
_TAGS = (
    select(ContactTag.contact_id, Tag.name)
    .join(Tag, Tag.id == ContactTag.tag_id)
    .where(ContactTag.contact_id.in_(IN_IDS_JSON))
    .order_by(ContactTag.contact_id, Tag.name)
)
_PHOTOS = select(ContactPhoto.contact_id, ContactPhoto.data, ContactPhoto.mime).where(
    ContactPhoto.contact_id.in_(IN_IDS_JSON)
)
# The key alone: the mime type is stored after the picture, and reading it meant reading
# through every picture (a fifth of `list --json`).
_HAS_PHOTO = select(ContactPhoto.contact_id).where(ContactPhoto.contact_id.in_(IN_IDS_JSON))


def _birthday(year: int | None, month: int | None, day: int | None) -> Birthday | None:
    if not (month and day):
        return None
    try:
        return Birthday(month, day, year)
    except ValueError:
        return None


def iter_records(
    session: Session, ids: list[int], *, photos: bool = True, chunk: int = 5000
) -> Iterator[ContactRecord]:
    """Full records in the order of *ids*, read chunk by chunk with plain rows (no ORM objects:
    at 50,000 contacts those took most of `list --json` and of an export), so that a caller
    that writes as it goes never holds them all.

    With photos=False a record with a photo gets ``photo=b""`` (and no mime type): enough to
    say it has one, without reading the pictures.
    """
    session.flush()  # Core reads do not autoflush
    db = session.connection()
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        params = {"ids": json.dumps(part)}
        kids: dict[str, dict[int, list[Any]]] = {}
        for name, stmt in _CHILDREN.items():
            grouped: dict[int, list[Any]] = {}
            for cid, *values in db.execute(stmt, params).all():
                grouped.setdefault(cid, []).append(values)
            kids[name] = grouped
        tags: dict[int, list[str]] = {}
        for cid, tag in db.execute(_TAGS, params).all():
            tags.setdefault(cid, []).append(tag)
        pictures: dict[int, tuple[bytes, str]]
        if photos:
            pictures = {cid: (data, mime) for cid, data, mime in db.execute(_PHOTOS, params)}
        else:
            pictures = {cid: (b"", "") for (cid,) in db.execute(_HAS_PHOTO, params)}
        found: dict[int, ContactRecord] = {}
        for row in db.execute(_RECORDS, params).all():
            cid = row[0]
            photo = pictures.get(cid)
            found[cid] = ContactRecord(
                id=cid,
                uid=row[1],
                full_name=row[2],
                prefix=row[3],
                given_name=row[4],
                additional_names=row[5],
                family_name=row[6],
                suffix=row[7],
                nickname=row[8],
                organization=row[9] or "",
                department=row[10],
                title=row[11],
                industry=row[12],
                emails=[Labeled(v, lab) for v, lab in kids["emails"].get(cid, ())],
                phones=[Labeled(v, lab) for v, lab in kids["phones"].get(cid, ())],
                urls=[Labeled(v, lab) for v, lab in kids["urls"].get(cid, ())],
                addresses=[PostalAddress(*a) for a in kids["addresses"].get(cid, ())],
                birthday=_birthday(row[13], row[14], row[15]),
                photo=photo[0] if photo else None,
                photo_mime=photo[1] if photo else "",
                note=row[16],
                tags=tags.get(cid, []),
                how_met=row[17],
                introduced_by_id=row[18],
                tier=row[19],
                extra_lines=[x[0] for x in kids["extra"].get(cid, ())],
                created_at=row[20],
                updated_at=row[21],
            )
        for cid in part:
            if cid in found:
                yield found[cid]


def purge_deleted(session: Session) -> int:
    """Remove contacts deleted or merged away in an earlier session, for good.

    Undo lives only as long as the window, so at the next start nothing can bring them back;
    keeping them would keep personal data the user asked to delete.
    """
    ids = list(session.scalars(select(Contact.id).where(Contact.deleted_at.is_not(None))))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            update(Contact).where(Contact.introduced_by_id.in_(chunk)).values(introduced_by_id=None)
        )
        session.execute(
            update(Contact).where(Contact.merged_into_id.in_(chunk)).values(merged_into_id=None)
        )
        session.execute(delete(Contact).where(Contact.id.in_(chunk)))
    return len(ids)
