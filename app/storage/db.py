"""The SQLite database: safe opening, migrations at start-up, and sessions for callers."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app.storage.backups import copy_database, make_backup, private_file

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseRefused(Exception):
    """The file cannot be used; the message is written for the person at the keyboard."""


class DatabaseDamaged(DatabaseRefused):
    """The file is Second Act's (or looks like an SQLite file) but its pages are damaged.

    Nothing is written to it; the user is offered a backup to restore instead.
    """


class DiskFull(DatabaseRefused):
    """The disk (or the database's size limit) ran out of room; SQLite rolled back."""


DISK_FULL = "The disk is full; nothing was changed. Free some space and try again."
# SQLite's own words for a damaged file and a full disk (sqlite3ErrStr: the same in every
# version and language), which is all a task's report (text) keeps of the error.
_DAMAGE_SIGNS = ("database disk image is malformed", "file is not a database")
_FULL_SIGNS = ("database or disk is full", "No space left on device")


LOCK_TIMEOUT = 120.0

# How long a write waits for another program's write lock (a sync, the command line) before
# it fails as "locked", in milliseconds: read when a connection opens.
BUSY_TIMEOUT_MS = 5000

if TYPE_CHECKING:
    from alembic.config import Config


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _revisions() -> list[str]:
    """Every schema revision, oldest first.

    Read from the names of the revision files (NNNN_what.py, whose revision is NNNN, one after
    the other): importing Alembic to ask it took a tenth of a second at every start, and it
    is only needed to upgrade. tests/storage/test_db.py checks that Alembic agrees.
    """
    found = sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    if found:
        return found
    from alembic.script import ScriptDirectory  # files without their source (never so far)

    script = ScriptDirectory.from_config(_alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def head_revision() -> str:
    return _revisions()[-1]


def known_revisions() -> set[str]:
    return set(_revisions())


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cur.close()


def _make_engine(path: Path) -> Engine:
    # A failed statement's error must not quote its values (names, notes, whole imported
    # rows): errors end up in crash reports, logs and the details users copy into reports.
    engine = create_engine(f"sqlite:///{path}", hide_parameters=True)
    event.listen(engine, "connect", _on_connect)
    return engine


class Database:
    """One open database file. Callers take short sessions from it: one per user action."""

    def __init__(
        self, path: Path, engine: Engine, backups: Path, checked: str | None = None
    ) -> None:
        self.path = path
        self.engine = engine
        self.backups = backups
        self._checked = checked  # the file's stamp as this start found it unchanged
        self._damaged = False  # an error while open showed the file damaged
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        with self._sessions() as s, s.begin():
            yield s

    def backup(self, reason: str) -> Path:
        """A copy of the database as it is now, in the backups folder (rotated)."""
        return make_backup(self.path, self.backups, reason)

    def restore(self, source: Path) -> Path | None:
        """Replace this database with the backup *source*; it is reopened (and migrated).

        Returns where the replaced database was kept (a backup, or the damaged file moved
        aside). Raises DatabaseRefused, leaving everything as it was, when *source* is unfit.
        """
        check_backup(source)
        self.engine.dispose()
        kept = restore_file(self.path, self.backups, source)
        fresh = open_database(self.path, self.backups)
        self.engine = fresh.engine
        self._checked = fresh._checked
        self._damaged = False
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return kept

    def note_failure(self, error: BaseException | str) -> DatabaseRefused | None:
        """The storage failure *error* reports, in plain words (see explain_failure); a
        damaged file is remembered, so that closing does not vouch for it and the next start
        reads every page again."""
        known = explain_failure(error, self.path)
        if isinstance(known, DatabaseDamaged):
            self._damaged = True
            _checked_stamp(self.path).unlink(missing_ok=True)
        return known

    def close(self) -> None:
        self.engine.dispose()
        if not self._damaged:
            _remember_closed(self.path, self._checked)


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


def _damaged(path: Path, detail: str) -> DatabaseDamaged:
    return DatabaseDamaged(
        f"{path} is damaged ({detail}). Second Act will not write to it, so nothing more is "
        "lost. Restore a backup: File ▸ Restore from Backup… in the window, or "
        "'second-act restore FILE' (see 'second-act backup --list')."
    )


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        orig = getattr(e, "orig", None)  # SQLAlchemy's wrapper of the driver's error
        todo += [e.__cause__, e.__context__, orig if isinstance(orig, BaseException) else None]


def explain_failure(error: BaseException | str, path: Path) -> DatabaseRefused | None:
    """What a failed step means for the person, when it is the database's file: damaged
    pages found by a command after the start-up check (DatabaseDamaged, with the way to a
    backup), or a full disk (DiskFull: SQLite rolled the step back). None for anything else.
    *error* is the exception, or a task's report of it (its traceback as text); None for a
    DatabaseRefused, which says what it means already (about this file or another)."""
    if isinstance(error, DatabaseRefused):
        return None
    if isinstance(error, str):
        text = error
        full = False
    else:
        causes = list(_causes(error))
        text = "\n".join(str(e) for e in causes)
        full = any(isinstance(e, OSError) and e.errno == errno.ENOSPC for e in causes)
    if any(sign in text for sign in _DAMAGE_SIGNS):
        return _damaged(path, "SQLite found damaged pages while reading it")
    if full or any(sign in text for sign in _FULL_SIGNS):
        return DiskFull(DISK_FULL)
    return None


def _checked_stamp(path: Path) -> Path:
    return path.with_name(f".{path.name}.closed")


def _file_state(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns}"


# Read and hashed in pieces of 1 MB, the interpreter lock released for each: a thread reading
# the file beside start-up's imports takes the lock back a quarter as often as with
# hashlib.file_digest's 256 KB pieces, for the same processor time (8 MB pieces cost 10% more:
# a piece no longer stays in the processor's cache).
DIGEST_PIECE = 1 << 20


def _digest(path: Path) -> str:
    """A digest of every byte of the file: 0.07 s for 100 MB here (SHA-1 is computed by the
    processor; it guards against damage, not against an attacker), against 0.25 s for
    SQLite's check of a 50,000-contact database."""
    h = hashlib.sha1()
    piece = bytearray(DIGEST_PIECE)
    view = memoryview(piece)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(piece):
            h.update(view[:n])
    return h.hexdigest()


class EarlyDigest:
    """The digest of the database's file, read on a thread while start-up imports the
    window (0.08 s of processor time at 50,000 contacts, on another core; see open_database's
    *early*).

    It stands for the file only while the file's size and time are what they were before
    it was read, after, and when the database is opened; otherwise the file is read again
    there, as without it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._result: tuple[str, str, str] | None = None  # state before, digest, after
        self._thread = threading.Thread(target=self._read, name="database-digest", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            before = _file_state(self.path)
            digest = _digest(self.path)
            self._result = (before, digest, _file_state(self.path))
        except OSError:
            self._result = None  # no file yet, or unreadable: opening says what it means

    def digest(self, state: str) -> str | None:
        """The digest, if the file was in *state* (size and time, now) all along."""
        self._thread.join()
        if self._result is None:
            return None
        before, digest, after = self._result
        return digest if before == after == state else None


def _wal_is_empty(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return not wal.exists() or wal.stat().st_size == 0


def _remember_closed(path: Path, checked: str | None = None) -> None:
    """Note the size, time and digest of the file as Second Act closed it (its own writes
    are SQLite's transactions); if nothing touches it before the next start, that start need
    not read every page again. *checked* is what the start found, reused (no second reading)
    while the file's size and time are still those."""
    try:
        if path.exists() and _wal_is_empty(path):
            state = _file_state(path)
            if checked is None or not checked.startswith(f"{state} "):
                checked = f"{state} {_digest(path)}"
            stamp = _checked_stamp(path)
            private_file(stamp)
            stamp.write_text(checked)
    except OSError:
        pass  # only an optimisation: the next start checks every page


def _untouched_since_closed(path: Path, early: EarlyDigest | None = None) -> str | None:
    """The stamp, when the file is exactly as Second Act closed it: same size, same
    modification time to the nanosecond, nothing left in the write-ahead log, and the same
    bytes. Size and time alone were not enough: a disk tool overwrote pages and put the time
    back, and the damage went unseen until a command failed with "malformed". *early*: the
    bytes as read at the start of this run, if the file stayed in this state since."""
    try:
        if not _wal_is_empty(path):
            return None
        stamp = _checked_stamp(path).read_text()
        state = _file_state(path)
        if not stamp.startswith(f"{state} "):
            return None
        digest = early.digest(state) if early is not None and early.path == path else None
        if stamp == f"{state} {digest or _digest(path)}":
            return stamp
    except OSError:
        pass
    return None


def _quick_check(conn: Any, path: Path) -> None:
    """SQLite's structural check of every page: finds overwritten or truncated pages."""
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(5)")]
    if rows != ["ok"]:
        first = str(rows[0]).splitlines()[0] if rows else "no answer"
        raise _damaged(path, f"SQLite's check says: {first[:100]}")


def open_in_worker(path: Path, backups: Path | None = None) -> Database:
    """The database this run has already opened (checked and migrated), for one of its
    worker processes: no check, no migration, no lock."""
    return Database(path, _make_engine(path), backups or path.parent / "backups")


def open_database(
    path: Path, backups: Path | None = None, early: EarlyDigest | None = None
) -> Database:
    """Open (creating if needed), check and migrate the database at *path*.

    *early*: the file's digest begun earlier (EarlyDigest), used if the file has not changed
    since; the check of every page is skipped only for the bytes Second Act closed, as ever.

    Raises DatabaseRefused, with a message for the user, when the file is not a Second Act
    database or was written by a newer version, and DatabaseDamaged when its pages are
    damaged; the file is left untouched in every case. Creating and migrating hold a lock
    beside the file, so two processes starting on a new folder do not race.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    backups = backups or path.parent / "backups"
    lock = FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT, mode=0o600)
    try:
        with lock:
            return _open_locked(path, backups, early)
    except Timeout as exc:
        raise DatabaseRefused(
            f"{path} is being upgraded or repaired by another Second Act that has not "
            "finished. Nothing was changed; try again in a moment."
        ) from exc


def _open_locked(path: Path, backups: Path, early: EarlyDigest | None = None) -> Database:
    _check_header(path)
    existed = path.exists() and path.stat().st_size > 0
    if not existed:
        private_file(path)  # created readable by the user only, before SQLite writes to it
    engine = _make_engine(path)
    try:
        with engine.connect() as conn:
            checked = _untouched_since_closed(path, early) if existed else None
            if existed and checked is None:
                _quick_check(conn, path)
            tables = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
                )
            }
            current = None
            if "alembic_version" in tables:
                current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DatabaseDamaged:
        engine.dispose()
        raise
    except DatabaseError as exc:
        engine.dispose()
        raise _damaged(path, str(exc.orig)) from exc

    head = head_revision()
    if current is None and tables - {"alembic_version"}:
        engine.dispose()
        raise DatabaseRefused(
            f"{path} is an SQLite database, but not one of Second Act's. Nothing was changed."
        )
    if current is not None and current not in known_revisions():
        engine.dispose()
        raise DatabaseRefused(
            f"{path} was written by a newer version of Second Act (schema {current}). "
            "Nothing was changed. Install the newer version to open it."
        )
    # Only now that the file is known to be ours: WAL mode is written into the file itself,
    # and a database made by an earlier version (0644) becomes private too.
    private_file(path)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    if current is None:
        _create_at_head(path, head)
    elif current != head:
        if existed:
            make_backup(path, backups, f"before-{head}")
        _upgrade(path)
    return Database(path, engine, backups, checked)


def _driver_autocommit(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's default mode commits each CREATE, ALTER and DROP at once, even inside
    # engine.begin(): a process killed mid-upgrade left some of a revision applied and the
    # version unchanged, and the file never opened again ("duplicate column name"). With the
    # driver's own transactions off, _begin below opens a real one that covers every statement.
    dbapi_conn.isolation_level = None


def _begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def _one_transaction(path: Path) -> Iterator[Connection]:
    """A connection whose every statement, CREATE, ALTER and DROP included, is in one SQLite
    transaction: committed when the block ends, rolled back on an error, and none of it
    kept if the process is killed. SQLAlchemy's documented recipe for real pysqlite
    transactions, on an engine of its own so that everyday sessions keep the ordinary mode."""
    engine = _make_engine(path)
    event.listen(engine, "connect", _driver_autocommit)
    event.listen(engine, "begin", _begin)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _upgrade(path: Path) -> None:
    """Run every pending revision: all of them, or (killed, power cut, an error) none."""
    from alembic import command

    cfg = _alembic_config()
    with _one_transaction(path) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _create_at_head(path: Path, head: str) -> None:
    """Make a new database's schema from the model in one step and record it as *head*.

    Running the ten revisions one after another took 0.36 to 0.40 s at first start (a tenth
    of importing 10,000 cards into a new database). Alembic's own advice for a database made
    from scratch; tests/storage/test_db.py checks that both ways give the same schema. One
    transaction, as an upgrade is: a start killed half-way leaves an empty file, not tables
    without a version that would be refused as someone else's database.
    """
    from app.model.tables import CONTACT_SEARCH, Base

    with _one_transaction(path) as conn:
        Base.metadata.create_all(conn)
        conn.exec_driver_sql(CONTACT_SEARCH)
        conn.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
            " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
        conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))


def check_backup(source: Path) -> int:
    """How many contacts the backup *source* holds; DatabaseRefused if it cannot be restored."""
    if not source.is_file():
        raise DatabaseRefused(f"{source} does not exist.")
    with source.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DatabaseRefused(f"{source} is not a Second Act backup (not an SQLite file).")
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            raise DatabaseDamaged(f"{source} is damaged too ({rows[0]}); choose another backup.")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables or "contacts" not in tables:
            raise DatabaseRefused(f"{source} is an SQLite file, but not a Second Act backup.")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] not in known_revisions():
            raise DatabaseRefused(f"{source} was made by a newer version of Second Act.")
        count = conn.execute("SELECT count(*) FROM contacts WHERE deleted_at IS NULL").fetchone()
        return int(count[0])
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(f"{source} cannot be read ({exc}); choose another backup.") from exc
    finally:
        conn.close()


def restore_file(path: Path, backups: Path, source: Path) -> Path | None:
    """Put a copy of *source* where the database is; no connection may be open on it.

    The database it replaces is never deleted: a healthy one is backed up first, a damaged
    one is moved into the backups folder as it is.
    """
    check_backup(source)
    # The copy is made beside the database first: if it fails (a full disk), nothing changed.
    incoming = path.with_name(f".{path.name}.restoring")
    incoming.unlink(missing_ok=True)
    try:
        copy_database(source, incoming)
    except BaseException:
        incoming.unlink(missing_ok=True)
        raise
    kept: Path | None = None
    if path.exists() and path.stat().st_size > 0:
        try:
            check_backup(path)
            healthy = True
        except DatabaseRefused:
            healthy = False
        if healthy:
            kept = make_backup(path, backups, "before-restore")
        else:
            backups.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            kept = backups / f"{path.stem}-{stamp}-damaged.sqlite3"
            os.replace(path, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(incoming, path)
    return kept
