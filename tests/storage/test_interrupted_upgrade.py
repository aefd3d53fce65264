"""A start killed (SIGKILL) in the middle of an upgrade or of a backup: the next start opens."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.storage.backups import list_backups, make_backup
from app.storage.db import check_backup, head_revision, open_database
from tests.conftest import ROOT
from tests.migrations import database_at

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

CONTACTS = 3000

# Opens the database as a start does, and kills itself (SIGKILL: no clean-up of any kind)
# just before its Nth SQL statement, or at the Nth page of a backup's copy. With 0, it
# finishes and prints how many statements it ran.
KILLER = """
import os, signal, sqlite3, sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

import app.storage.backups as backups

where, at = sys.argv[1], int(sys.argv[2])
ran = 0


def die():
    os.kill(os.getpid(), signal.SIGKILL)


@event.listens_for(Engine, "before_cursor_execute")
def count(*_args):
    global ran
    ran += 1
    if where == "statement" and ran == at:
        die()


class _Copying:  # the real copy, a page at a time, killed part-way
    def __init__(self, conn):
        self.conn = conn

    def backup(self, target):
        def progress(_status, remaining, total):
            if total - remaining >= at:
                die()

        self.conn.backup(target.conn, pages=1, progress=progress)

    def close(self):
        self.conn.close()


class _Sqlite3:
    @staticmethod
    def connect(*args, **kwargs):
        return _Copying(sqlite3.connect(*args, **kwargs))


if where == "backup":
    backups.sqlite3 = _Sqlite3
from app.storage.db import open_database

open_database(Path(sys.argv[3])).close()
print(ran)
"""


def _run(where: str, at: int, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KILLER, where, str(at), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture(scope="module")
def at_0001(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made by revision 0001 holding CONTACTS contacts with emails, employers and
    tags, as that release stored them."""
    path = tmp_path_factory.mktemp("old") / "second-act.sqlite3"
    con = database_at(path, "0001")
    con.executemany(
        "INSERT INTO organizations (id, name, industry) VALUES (?, ?, '')",
        [(i, f"Employer {i}") for i in range(1, 51)],
    )
    con.executemany("INSERT INTO tags (id, name) VALUES (?, ?)", [(1, "Mentor"), (2, "mentor ")])
    con.executemany(
        """
        INSERT INTO contacts (id, uid, full_name, prefix, given_name, additional_names,
            family_name, suffix, nickname, sort_name, organization_id, department, title,
            industry, note, how_met, tier, created_at, updated_at)
          VALUES (?, ?, ?, '', ?, '', ?, '', '', ?, ?, '', '', '', ?, '', '',
            '2026-01-01 00:00:00', '2026-01-01 00:00:00')
        """,
        [
            (i, f"u{i}", f"Ann Lée {i}", "Ann", f"Lée{i}", f"Lée{i} Ann", i % 50 + 1, f"n{i}")
            for i in range(1, CONTACTS + 1)
        ],
    )
    con.executemany(
        "INSERT INTO contact_emails (contact_id, value, label, position) VALUES (?, ?, '', 0)",
        [(i, f"ann{i}@example.org") for i in range(1, CONTACTS + 1)],
    )
    con.executemany(
        "INSERT INTO contact_tags (contact_id, tag_id) VALUES (?, ?)",
        [(i, 1 + i % 2) for i in range(1, CONTACTS + 1)],
    )
    con.commit()
    con.close()
    return path


def _assert_upgraded_and_whole(path: Path) -> None:
    db = open_database(path)  # raises if the kill left a file that does not open
    db.close()
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        assert con.execute("SELECT count(*) FROM contacts").fetchone() == (CONTACTS,)
        assert con.execute("SELECT count(*) FROM contact_emails").fetchone() == (CONTACTS,)
        assert con.execute("SELECT person_key, note FROM contacts WHERE id = 1234").fetchone() == (
            "ann lee1234",
            "n1234",
        )
        assert con.execute("SELECT count(*) FROM contacts WHERE person_key = ''").fetchone() == (0,)
        # The two spellings of one tag were folded into one, their contacts kept.
        assert con.execute("SELECT count(*) FROM tags").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM contact_tags").fetchone() == (CONTACTS,)
    finally:
        con.close()
    for backup in list_backups(path.parent / "backups"):
        check_backup(backup.path)  # every backup listed is whole


def test_an_upgrade_killed_at_any_point_opens_and_upgrades_at_the_next_start(
    at_0001: Path, tmp_path: Path
) -> None:
    whole = tmp_path / "whole" / at_0001.name
    whole.parent.mkdir()
    shutil.copy(at_0001, whole)
    done = _run("statement", 0, whole)
    assert done.returncode == 0, done.stderr
    statements = int(done.stdout)
    # Ten points from the first statements of the start to the last of the upgrade.
    points = sorted({1 + (statements - 1) * k // 9 for k in range(10)} - {statements})
    for n, at in enumerate(points):
        path = tmp_path / f"killed-{n}" / at_0001.name
        path.parent.mkdir()
        shutil.copy(at_0001, path)
        killed = _run("statement", at, path)
        assert killed.returncode == -9, (at, killed.stderr)
        _assert_upgraded_and_whole(path)


def test_a_backup_killed_part_way_is_not_listed_and_the_next_start_opens(
    at_0001: Path, tmp_path: Path
) -> None:
    path = tmp_path / at_0001.name
    shutil.copy(at_0001, path)
    killed = _run("backup", 20, path)  # the copy made before upgrading, 20 pages in
    assert killed.returncode == -9, killed.stderr
    assert list_backups(tmp_path / "backups") == []
    left = list((tmp_path / "backups").iterdir())  # the copy cut short, and its journal
    for p in left:
        os.utime(p, (1, 1))  # long ago: the next backup removes what the kill left
    _assert_upgraded_and_whole(path)
    assert len(list_backups(tmp_path / "backups")) == 1
    assert left and not any(p.exists() for p in left)


def test_a_backup_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    source = tmp_path / "a.sqlite3"
    source.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)  # not readable as a database
    backups = tmp_path / "backups"
    with pytest.raises(sqlite3.DatabaseError):
        make_backup(source, backups, "manual")
    assert list_backups(backups) == []
    assert list(backups.iterdir()) == []
