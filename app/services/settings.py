"""Preferences stored in the database, because the command line needs them as the window does."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.model.records import TIERS
from app.model.tables import Setting

if TYPE_CHECKING:
    from app.vcard.csv_formats import CsvLayout


def tier_days(session: Session) -> dict[str, int]:
    """Days between contacts for each keep-in-touch tier: the defaults, or the user's."""
    days = {tier: default for tier, (_label, default) in TIERS.items()}
    for key, value in session.execute(
        select(Setting.key, Setting.value).where(Setting.key.like("tier_days.%"))
    ):
        tier = key.removeprefix("tier_days.")
        if tier in days and value.isdigit() and int(value) > 0:
            days[tier] = int(value)
    return days


def set_tier_days(session: Session, days: dict[str, int]) -> None:
    for tier, n in days.items():
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier}")
        if not 1 <= n <= 3650:
            raise ValueError("An interval is between 1 day and 10 years.")
        put(session, f"tier_days.{tier}", str(n))


def get(session: Session, key: str) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == key))


def put(session: Session, key: str, value: str | None) -> str | None:
    """Store (None: remove) a setting; returns the value it had, for Undo."""
    before = get(session, key)
    if value is None:
        session.execute(delete(Setting).where(Setting.key == key))
        return before
    stmt = sqlite_insert(Setting).values(key=key, value=value)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))
    return before


def _mapping_key(layout: CsvLayout) -> str:
    return "csv_mapping." + hashlib.sha1(layout.key().encode("utf-8")).hexdigest()


def remembered_mapping(session: Session, layout: CsvLayout) -> dict[str, str]:
    """Where the user last placed the columns of a CSV with this very header ({} if never)."""
    text = get(session, _mapping_key(layout))
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def remember_mapping(session: Session, layout: CsvLayout, mapping: dict[str, str]) -> None:
    put(session, _mapping_key(layout), json.dumps(mapping, ensure_ascii=False))
