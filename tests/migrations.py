"""Databases as an earlier release left them, for the upgrade tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command

from app.storage.db import Database, _alembic_config, open_database


def migrated_from_nothing(path: Path) -> None:
    """A database made by running every revision from an empty file, as a database that
    has lived through every release has been (open_database makes a new one from the model
    in one step)."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()


def database_at(path: Path, revision: str) -> sqlite3.Connection:
    """Create a database at *path* with the schema of *revision*; a raw connection to fill it
    as that release would have."""
    db = open_database(path)
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    db.close()
    return sqlite3.connect(path)


def insert_ann_lee(con: sqlite3.Connection) -> None:
    """Contact 1, Ann Lee, as every release since 0001 stores a contact."""
    con.execute(
        """
        INSERT INTO contacts (id, uid, full_name, prefix, given_name, additional_names,
            family_name, suffix, nickname, sort_name, person_key, organization_id, department,
            title, industry, note, how_met, tier, created_at, updated_at)
          VALUES (1, 'u1', 'Ann Lee', '', '', '', '', '', '', 'Lee Ann', 'ann lee', NULL, '',
            '', '', '', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')
        """
    )


@contextmanager
def ann_lee_upgraded_from(path: Path, revision: str, sql: str = "") -> Iterator[Database]:
    """A database made at *revision* holding Ann Lee (and what *sql* adds), opened as this
    release opens it, which upgrades it; closed after."""
    con = database_at(path, revision)
    insert_ann_lee(con)
    if sql:
        con.executescript(sql)
    con.commit()
    con.close()
    db = open_database(path)
    try:
        yield db
    finally:
        db.close()
