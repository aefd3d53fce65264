"""Each contact's `list --json` text, read with a few plain queries per chunk of contacts.

At 50,000 contacts, building a full record per contact, a dict from it and its JSON took
`list --json` 4 to 5 s (issue 24): here each table is read once per chunk in the order of
its contact ids (one pass over its index, not a look-up per contact in name order), and
the text is put together from the columns, its strings escaped as `json.dumps` escapes
them. The result is byte for byte `json.dumps(contact_json(record), ensure_ascii=False)`
(app/cli.py), which renders the few people whose shown name comes from something other
than their name fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import groupby
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from app.model.records import ContactRecord, name_from_parts
from app.services.contacts import _birthday, load_records

# The chunk's ids, given as one JSON array.
_CHUNK = "SELECT value FROM json_each(?)"
_CONTACTS = (
    "SELECT c.id, c.full_name, c.prefix, c.given_name, c.additional_names, c.family_name,"
    " c.suffix, c.nickname, coalesce(o.name, ''), c.title, c.note, c.bday_year, c.bday_month,"
    " c.bday_day FROM contacts AS c LEFT JOIN organizations AS o ON o.id = c.organization_id"
    f" WHERE c.id IN ({_CHUNK}) AND c.deleted_at IS NULL"
)
# Every child row in contact and position order: grouped by contact as they come.
_VALUES = {
    name: f"SELECT contact_id, value FROM {table} WHERE contact_id IN ({_CHUNK})"
    " ORDER BY contact_id, position"
    for name, table in (
        ("emails", "contact_emails"),
        ("phones", "contact_phones"),
        ("urls", "contact_urls"),
    )
}
_ADDRESSES = (
    "SELECT contact_id, street, city, region, postal_code, country FROM contact_addresses"
    f" WHERE contact_id IN ({_CHUNK}) ORDER BY contact_id, position"
)
_TAGS = (
    "SELECT ct.contact_id, t.name FROM contact_tags AS ct JOIN tags AS t ON t.id = ct.tag_id"
    f" WHERE ct.contact_id IN ({_CHUNK}) ORDER BY ct.contact_id, t.name"
)
_PHOTOS = f"SELECT contact_id FROM contact_photos WHERE contact_id IN ({_CHUNK})"
_INTERACTIONS = (
    "SELECT contact_id, max(occurred_on), count(*) FROM interactions"
    f" WHERE contact_id IN ({_CHUNK}) GROUP BY contact_id"
)
_ADDRESS = '{{"street": {}, "city": {}, "region": {}, "postal_code": {}, "country": {}}}'
_CONTACT = (
    '{{"id": {}, "last_contact": {}, "interaction_count": {}, "full_name": {},'
    ' "given_name": {}, "family_name": {}, "emails": [{}], "phones": [{}], "urls": [{}],'
    ' "tags": [{}], "organization": {}, "title": {}, "note": {}, "birthday": {},'
    ' "has_photo": {}, "addresses": [{}]}}'
)


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _grouped(rows: list[Any], render: Callable[[Any], str]) -> dict[int, str]:
    """Each contact's rendered rows, joined as the items of a JSON array."""
    return {cid: ", ".join(map(render, group)) for cid, group in groupby(rows, key=itemgetter(0))}


def json_texts(
    session: Session,
    ids: list[int],
    render: Callable[[ContactRecord, str | None, int], str],
    chunk: int = 5000,
) -> Iterator[str]:
    """The JSON of the live contacts among *ids*, in *ids*' order. *render* writes the one
    of a contact whose shown name is not from their name fields (from the full record, the
    last interaction's date and how many there are)."""
    session.flush()
    # The driver's own cursor: rows as plain tuples (SQLAlchemy's rows cost a tenth more).
    db = session.connection().connection.driver_connection
    assert db is not None
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        param = (json.dumps(sorted(part)),)

        def read(sql: str, param: tuple[str] = param) -> list[Any]:
            rows: list[Any] = db.execute(sql, param).fetchall()
            return rows

        values = {
            name: _grouped(read(sql), lambda r: encode_basestring(r[1]))
            for name, sql in _VALUES.items()
        }
        addresses = _grouped(read(_ADDRESSES), lambda r: _ADDRESS.format(*map(_text, r[1:])))
        tags = _grouped(read(_TAGS), lambda r: encode_basestring(r[1]))
        photos = {cid for (cid,) in read(_PHOTOS)}
        met = {cid: (day, n) for cid, day, n in read(_INTERACTIONS)}
        found: dict[int, Any] = {row[0]: row for row in read(_CONTACTS)}
        names = {cid: name_from_parts(*row[1:9]) for cid, row in found.items()}
        unnamed = [cid for cid, name in names.items() if not name]
        records = {r.id: r for r in load_records(session, unnamed)} if unnamed else {}
        emails, phones, urls = values["emails"], values["phones"], values["urls"]
        for cid in part:
            row = found.get(cid)
            if row is None:
                continue  # deleted
            day, count = met.get(cid, (None, 0))
            if cid in records:
                yield render(records[cid], day, count)
                continue
            birthday = _birthday(row[11], row[12], row[13])
            yield _CONTACT.format(
                cid,
                _text(day),
                count,
                encode_basestring(names[cid]),
                encode_basestring(row[3]),
                encode_basestring(row[5]),
                emails.get(cid, ""),
                phones.get(cid, ""),
                urls.get(cid, ""),
                tags.get(cid, ""),
                encode_basestring(row[8]),
                encode_basestring(row[9]),
                encode_basestring(row[10]),
                _text(birthday.iso() if birthday else None),
                "true" if cid in photos else "false",
                addresses.get(cid, ""),
            )
