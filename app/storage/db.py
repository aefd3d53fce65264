"""The SQLite database: safe opening, migrations at start-up, and sessions for callers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseRefused(Exception):
    """The file cannot be used; the message is written for the person at the keyboard."""


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    return engine


class Database:
    """One open database file. Callers take short sessions from it: one per user action."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()


def _check_header(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        magic = f.read(len(SQLITE_MAGIC))
    if magic != SQLITE_MAGIC:
        raise DatabaseRefused(
            f"{path} is not a Second Act database (it is not an SQLite file at all). "
            "Nothing was changed. Move the file away, or start Second Act with another data "
            "folder (--data-dir)."
        )


def backup_copy(path: Path, backups: Path, reason: str) -> Path:
    """Copy the database with SQLite's online backup, which is safe while WAL pages are pending."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = backups / f"{path.stem}-{stamp}-{reason}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = backups / f"{path.stem}-{stamp}-{reason}-{n}.sqlite3"
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def open_database(path: Path, backups: Path | None = None) -> Database:
    """Open (creating if needed) and migrate the database at *path*.

    Raises DatabaseRefused, with a message for the user, when the file is not a Second Act
    database or was written by a newer version; the file is left untouched in both cases.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    _check_header(path)
    existed = path.exists() and path.stat().st_size > 0
    engine = _make_engine(path)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names())
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseRefused(
            f"{path} cannot be read as a database ({exc.orig}). Nothing was changed. "
            "Restore a backup copy, or start with another data folder (--data-dir)."
        ) from exc

    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    if current is None and tables - {"alembic_version"}:
        engine.dispose()
        raise DatabaseRefused(
            f"{path} is an SQLite database, but not one of Second Act's. Nothing was changed."
        )
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        engine.dispose()
        raise DatabaseRefused(
            f"{path} was written by a newer version of Second Act (schema {current}). "
            "Nothing was changed. Install the newer version to open it."
        )
    # Only now that the file is known to be ours: WAL mode is written into the file itself.
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    if current != head:
        if existed:
            backup_copy(path, backups or path.parent / "backups", f"before-{head}")
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    return Database(path, engine)
