"""The backups folder itself (issue 29 item 5: the survivors of mutating
app/storage/backups.py): the copies' names and what they hold, how they are listed and
labelled, which ones rotation removes, and one daily copy a day."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from app.storage import backups
from app.storage.backups import (
    KEEP_DAILY,
    KEEP_EVENTS,
    Backup,
    daily_backup,
    list_backups,
    make_backup,
    private_file,
    rotate,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX here")

NOON = dt.datetime(2026, 3, 2, 12, 30, 5)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _database(path: Path, note: str = "kept") -> Path:
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE t (note TEXT)")
        con.execute("INSERT INTO t VALUES (?)", (note,))
    con.close()
    return path


def _notes(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [n for (n,) in con.execute("SELECT note FROM t")]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("daily", "Daily copy"),
        ("manual", "Made by you"),
        ("before-import", "Before an import"),
        ("before-undo-import", "Before undoing an import"),
        ("before-delete", "Before deleting many contacts"),
        ("before-merge", "Before merging many contacts"),
        ("before-restore", "Before restoring a backup"),
        ("before-0007", "Before upgrading to a new version"),
        ("damaged", "damaged"),
    ],
)
def test_each_kind_of_copy_has_its_label(reason: str, label: str) -> None:
    assert Backup(Path("x.sqlite3"), NOON, reason, 1).label == label


def test_a_private_file_is_made_empty_and_an_existing_one_made_private(tmp_path: Path) -> None:
    new = tmp_path / "new"
    private_file(new)
    assert (new.read_bytes(), _mode(new)) == (b"", 0o600)
    old = tmp_path / "old"
    old.write_bytes(b"data")
    old.chmod(0o644)
    private_file(old)
    assert (old.read_bytes(), _mode(old)) == (b"data", 0o600)
    with pytest.raises(FileExistsError):
        private_file(old, exclusive=True)
    assert old.read_bytes() == b"data"


def test_a_copy_is_named_by_time_and_reason_holds_the_data_and_leaves_no_partial(
    tmp_path: Path,
) -> None:
    source = _database(tmp_path / "second-act.sqlite3")
    folder = tmp_path / "deep" / "backups"  # made, with its parents
    first = make_backup(source, folder, "before-import", NOON)
    assert first == folder / "second-act-20260302-123005-before-import.sqlite3"
    assert (_notes(first), _mode(first)) == (["kept"], 0o600)
    # More in the same second take their own names; one being written holds its name.
    (folder / ".second-act-20260302-123005-3-manual.sqlite3.partial").touch()
    again = [make_backup(source, folder, "manual", NOON) for _ in range(3)]
    assert [p.name for p in again] == [
        "second-act-20260302-123005-manual.sqlite3",
        "second-act-20260302-123005-2-manual.sqlite3",
        "second-act-20260302-123005-4-manual.sqlite3",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            first.name,
            *(p.name for p in again),
            ".second-act-20260302-123005-3-manual.sqlite3.partial",
        ]
    )
    listed = list_backups(folder)
    assert {(b.path, b.made_at, b.reason) for b in listed} == {
        *((p, NOON, "manual") for p in again),
        (first, NOON, "before-import"),
    }
    assert all(b.size == b.path.stat().st_size > 0 for b in listed)


def test_a_copy_without_a_time_is_named_by_the_clock(tmp_path: Path) -> None:
    source = _database(tmp_path / "db.sqlite3")
    before = dt.datetime.now().replace(microsecond=0)
    made = make_backup(source, tmp_path / "backups", "manual")
    (b,) = list_backups(tmp_path / "backups")
    assert b.path == made and before <= b.made_at <= dt.datetime.now()


def test_only_copies_named_as_backups_are_listed(tmp_path: Path) -> None:
    assert list_backups(tmp_path / "none") == []
    for name in (
        "db-20260302-123005-daily.sqlite3",
        "db-20260303-090000-damaged.sqlite3",
        "db-20261399-123005-daily.sqlite3",  # no such date
        "db-20260302-123005-Daily.sqlite3",
        "db-20260302-daily.sqlite3",
        "notes.sqlite3",
        "db-20260304-123005-daily.sqlite3.bak",
    ):
        (tmp_path / name).write_bytes(b"12345")
    assert [(b.path.name, b.reason, b.size) for b in list_backups(tmp_path)] == [
        ("db-20260303-090000-damaged.sqlite3", "damaged", 5),
        ("db-20260302-123005-daily.sqlite3", "daily", 5),
    ]


def test_rotation_removes_stale_partial_copies_and_the_oldest_beyond_the_limits(
    tmp_path: Path,
) -> None:
    stale, fresh = time.time() - 2 * 3600, time.time() - 60
    partials = {}
    for name, mtime in (
        (".db-20260101-000000-daily.sqlite3.partial", stale),
        (".db-20260101-000000-daily.sqlite3.partial-journal", stale),
        (".db-20260102-000000-daily.sqlite3.partial", fresh),  # being written
    ):
        p = tmp_path / name
        p.touch()
        os.utime(p, (mtime, mtime))
        partials[name] = p
    start = dt.datetime(2026, 1, 1, 9)
    events = ("before-import", "before-merge")  # counted together
    for day in range(KEEP_DAILY + 2):
        stamp = (start + dt.timedelta(days=day)).strftime("%Y%m%d-%H%M%S")
        for reason in ("daily", "manual", "damaged", events[day % 2]):
            (tmp_path / f"db-{stamp}-{reason}.sqlite3").write_bytes(b"x")
    for hour in range(KEEP_EVENTS):  # later than every daily one
        stamp = (start + dt.timedelta(days=30, hours=hour)).strftime("%Y%m%d-%H%M%S")
        (tmp_path / f"db-{stamp}-before-delete.sqlite3").write_bytes(b"x")

    removed = rotate(tmp_path)

    old_days = [(start + dt.timedelta(days=d)).strftime("%Y%m%d-%H%M%S") for d in (0, 1)]
    assert sorted(p.name for p in removed) == sorted(
        [
            ".db-20260101-000000-daily.sqlite3.partial",
            ".db-20260101-000000-daily.sqlite3.partial-journal",
            *(f"db-{stamp}-daily.sqlite3" for stamp in old_days),
            *(
                f"db-{(start + dt.timedelta(days=d)).strftime('%Y%m%d-%H%M%S')}-{events[d % 2]}"
                ".sqlite3"
                for d in range(KEEP_DAILY + 2)
            ),
        ]
    )
    assert not any(p.exists() for p in removed)
    assert partials[".db-20260102-000000-daily.sqlite3.partial"].exists()
    left = list_backups(tmp_path)
    assert [b.reason for b in left].count("daily") == KEEP_DAILY
    assert [b.reason for b in left].count("before-delete") == KEEP_EVENTS
    assert [b.reason for b in left].count("manual") == KEEP_DAILY + 2
    assert [b.reason for b in left].count("damaged") == KEEP_DAILY + 2
    assert rotate(tmp_path) == []


def test_a_copy_removed_meanwhile_by_another_process_rotating_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes backing up at once both rotate: a copy the other one removed between
    this one's listing and its removal is simply gone."""
    start = dt.datetime(2026, 1, 1, 9)
    for day in range(KEEP_DAILY + 2):
        stamp = (start + dt.timedelta(days=day)).strftime("%Y%m%d-%H%M%S")
        (tmp_path / f"db-{stamp}-daily.sqlite3").write_bytes(b"x")
    listed = list_backups(tmp_path)

    def listed_then_one_removed(folder: Path) -> list[Backup]:
        listed[-1].path.unlink()  # the oldest, by the other process
        return listed

    monkeypatch.setattr(backups, "list_backups", listed_then_one_removed)
    removed = rotate(tmp_path)
    assert removed == [b.path for b in listed[KEEP_DAILY:]]
    assert sorted(tmp_path.iterdir()) == sorted(b.path for b in listed[:KEEP_DAILY])


def test_one_daily_copy_a_day_and_none_of_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    path = tmp_path / "db.sqlite3"
    assert daily_backup(path, folder, NOON) is None  # no database yet
    path.touch()
    assert daily_backup(path, folder, NOON) is None  # an empty file: nothing to keep
    assert not folder.exists()
    path.unlink()
    _database(path)
    make_backup(path, folder, "manual", NOON - dt.timedelta(hours=1))  # today, not daily
    make_backup(path, folder, "daily", NOON - dt.timedelta(days=1))  # daily, yesterday's
    first = daily_backup(path, folder, NOON)
    assert first == folder / "db-20260302-123005-daily.sqlite3"
    assert daily_backup(path, folder, NOON + dt.timedelta(hours=11)) is None
    nxt = daily_backup(path, folder, NOON + dt.timedelta(hours=12))
    assert nxt == folder / "db-20260303-003005-daily.sqlite3"
    assert [b.reason for b in list_backups(folder)] == ["daily", "daily", "manual", "daily"]
