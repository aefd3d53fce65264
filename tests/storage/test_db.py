from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from app.model.records import ContactRecord
from app.services.contacts import create_contact, get_contact
from app.storage.db import DatabaseRefused, _alembic_config, head_revision, open_database
from tests.migrations import migrated_from_nothing


def test_new_database_is_migrated_to_head_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.sqlite3")
    with db.session() as s:
        assert (
            s.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        )
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(Exception, match="FOREIGN KEY"):
            s.execute(
                text(
                    "INSERT INTO contact_emails (contact_id, value, label, position)"
                    " VALUES (999, 'x@y.z', '', 0)"
                )
            )
    db.close()


def test_data_survives_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    db = open_database(path)
    with db.session() as s:
        cid = create_contact(s, ContactRecord(given_name="Ada", family_name="Lovelace"))
    db.close()
    db = open_database(path)
    with db.session() as s:
        assert get_contact(s, cid).display_name == "Ada Lovelace"
    db.close()


def test_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    path.write_bytes(b"BEGIN:VCARD\r\nFN:not a database\r\nEND:VCARD\r\n")
    before = path.read_bytes()
    with pytest.raises(DatabaseRefused, match="not a Second Act database"):
        open_database(path)
    assert path.read_bytes() == before


def test_corrupt_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = path.read_bytes()
    with pytest.raises(DatabaseRefused, match="is damaged"):
        open_database(path)
    assert path.read_bytes() == before


def test_someone_elses_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseRefused, match="not one of Second Act's"):
        open_database(path)
    # Not even switched to WAL: that would rewrite the other program's file header.
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseRefused, match="newer version"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_backup_is_taken_before_migrating_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    backups = tmp_path / "backups"
    db = open_database(path, backups)
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Kept Safe"))
    # Step back one revision (or to nothing), as an older Second Act would have left it.
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    with db.engine.connect() as conn:
        (older,) = conn.exec_driver_sql("SELECT version_num FROM alembic_version").one()
    db.close()
    assert not list(backups.glob("*.sqlite3"))
    open_database(path, backups).close()
    copies = list(backups.glob("*.sqlite3"))
    assert len(copies) == 1
    # The copy holds the database as it was before the upgrade: its schema version and its
    # contact (a copy taken after the upgrade would say head).
    con = sqlite3.connect(copies[0])
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(older,)]
    assert older != head_revision()
    assert con.execute("SELECT full_name FROM contacts").fetchall() == [("Kept Safe",)]
    con.close()


def test_reopening_at_head_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path, tmp_path / "b").close()
    open_database(path, tmp_path / "b").close()
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").iterdir())


def test_the_migrations_build_exactly_the_tables_the_model_declares(tmp_path: Path) -> None:
    """A column or index added to the model without a revision would show here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from app.model.tables import Base

    migrated_from_nothing(tmp_path / "db.sqlite3")
    db = open_database(tmp_path / "db.sqlite3")
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.close()
    # The search index is an FTS5 table made by hand in the first revision.
    diffs = [d for d in diffs if "contact_search" not in repr(d)]
    assert diffs == []


def test_the_revisions_read_from_file_names_are_alembics(tmp_path: Path) -> None:
    """Opening reads the revisions from the files' names, not through Alembic (a tenth of a
    second at every start); a revision named or chained differently would fool it."""
    from alembic.script import ScriptDirectory

    from app.storage.db import _revisions, known_revisions

    script = ScriptDirectory.from_config(_alembic_config())
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert _revisions() == chain
    assert head_revision() == script.get_current_head()
    assert known_revisions() == set(chain)


def test_opening_a_database_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    open_database(tmp_path / "a.sqlite3").close()  # made and migrated here
    code = (
        "import sys; from pathlib import Path; from app.storage.db import open_database; "
        f"open_database(Path({str(tmp_path / 'a.sqlite3')!r})).close(); "
        "print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


class _Checks:
    """Counts SQLite's page check while still running it (a spy, not a stand-in)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import app.storage.db as storage

        self.count = 0
        real = storage._quick_check

        def spy(conn: object, path: Path) -> None:
            self.count += 1
            real(conn, path)

        monkeypatch.setattr(storage, "_quick_check", spy)


def test_a_file_untouched_since_a_clean_close_is_not_read_page_by_page_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.sqlite3"
    db = open_database(path)
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ann Lee"))
    db.close()
    checks = _Checks(monkeypatch)
    open_database(path).close()
    assert checks.count == 0
    stamp = tmp_path / ".a.sqlite3.closed"
    assert stamp.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def closed(tmp_path: Path) -> Path:
    """A database made and closed cleanly, as the app leaves it when it quits."""
    path = tmp_path / "a.sqlite3"
    open_database(path).close()
    return path


def test_a_file_written_by_anything_else_is_checked_again(
    closed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    path = closed
    checks = _Checks(monkeypatch)
    data = path.read_bytes()
    path.write_bytes(data)  # the same bytes, but written by someone else: checked
    open_database(path).close()
    assert checks.count == 1
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # touched
    open_database(path).close()
    assert checks.count == 2


def test_a_session_that_never_closed_is_checked_at_the_next_start(
    closed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = closed
    db = open_database(path)
    with db.session() as s:  # then the app is killed: no close, the log still holds this
        create_contact(s, ContactRecord(full_name="Ann Lee"))
    checks = _Checks(monkeypatch)
    second = open_database(path)
    assert checks.count == 1
    with second.session() as s:
        assert get_contact(s, 1).full_name == "Ann Lee"
    second.close()
    db.engine.dispose()


def schema_of(path: Path) -> dict[str, object]:
    """Everything SQLite keeps of a schema, in a form two ways of making it can be compared
    by: objects, columns (not their order: a revision adds columns at the end), types,
    defaults, keys, foreign keys, indexes with their columns and conditions, CHECKs."""
    import re
    import sqlite3

    def norm(sql: str | None) -> str:
        return " ".join((sql or "").replace('"', "").split()).lower()

    con = sqlite3.connect(path)
    try:
        objects = con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
        out: dict[str, object] = {"objects": sorted((t, n, tbl) for t, n, tbl, _ in objects)}
        for kind, name, _tbl, sql in objects:
            if kind == "index":
                where = norm(sql).partition(" where ")[2]
                cols = [r[2] for r in con.execute(f"PRAGMA index_info('{name}')")]
                out[f"index {name}"] = (cols, where)
            elif kind == "table" and name.startswith("contact_search"):
                if name == "contact_search":
                    out["contact_search"] = norm(sql)
            elif kind == "table":
                info = con.execute(f"PRAGMA table_info('{name}')").fetchall()
                out[f"columns {name}"] = {r[1]: (r[2].upper(), r[3], r[4], r[5]) for r in info}
                fks = con.execute(f"PRAGMA foreign_key_list('{name}')").fetchall()
                out[f"keys {name}"] = sorted(r[2:] for r in fks)
                indexes = con.execute(f"PRAGMA index_list('{name}')").fetchall()
                out[f"unique {name}"] = sorted(
                    tuple(r[2] for r in con.execute(f"PRAGMA index_info('{i[1]}')"))
                    for i in indexes
                    if i[2]
                )
                out[f"checks {name}"] = sorted(re.findall(r"check \((.+?)\)(?:,|\))", norm(sql)))
        return out
    finally:
        con.close()


def test_a_new_database_has_the_schema_the_revisions_build(tmp_path: Path) -> None:
    """A new database is made from the model in one step (0.4 s less at first start); it
    must be the database the revisions make, one after another, from nothing."""
    made = tmp_path / "made.sqlite3"
    open_database(made).close()
    migrated = tmp_path / "migrated.sqlite3"
    migrated_from_nothing(migrated)
    ours, theirs = schema_of(made), schema_of(migrated)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key
    # And it opens as one of ours, at head, without migrating again.
    with open_database(made).session() as s:
        assert (
            s.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        )
