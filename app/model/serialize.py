"""A contact record as JSON (for the import journal) and as a fingerprint (for re-imports)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import asdict, fields
from typing import Any

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress


def record_to_json(r: ContactRecord) -> str:
    data = asdict(r)
    data["photo"] = base64.b64encode(r.photo).decode("ascii") if r.photo else None
    for key in ("created_at", "updated_at"):
        value = getattr(r, key)
        data[key] = value.isoformat() if value else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def record_from_json(text: str) -> ContactRecord:
    data: dict[str, Any] = json.loads(text)
    known = {f.name for f in fields(ContactRecord)}
    data = {k: v for k, v in data.items() if k in known}
    data["emails"] = [Labeled(**x) for x in data.get("emails", [])]
    data["phones"] = [Labeled(**x) for x in data.get("phones", [])]
    data["urls"] = [Labeled(**x) for x in data.get("urls", [])]
    data["addresses"] = [PostalAddress(**x) for x in data.get("addresses", [])]
    if data.get("birthday"):
        data["birthday"] = Birthday(**data["birthday"])
    if data.get("photo"):
        data["photo"] = base64.b64decode(data["photo"])
    for key in ("created_at", "updated_at"):
        if data.get(key):
            data[key] = dt.datetime.fromisoformat(data[key])
    return ContactRecord(**data)


def fingerprint(r: ContactRecord) -> str:
    """The same for two cards that say exactly the same things, whatever file they came from.

    Re-importing a card that has no UID, email, phone or profile is recognised by this, so
    importing a file again adds nothing, without ever matching people by name.
    """
    # Every field but the ones a database gives, in declaration order; the photo by its bytes.
    values = [getattr(r, name) for name in _CONTENT_FIELDS]
    h = hashlib.sha256(repr(values).encode("utf-8"))
    h.update(r.photo or b"")
    return h.hexdigest()


_CONTENT_FIELDS = tuple(
    f.name
    for f in fields(ContactRecord)
    if f.name not in ("id", "created_at", "updated_at", "introduced_by_id", "photo")
)
