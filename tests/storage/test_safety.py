"""Damage, backups, restore, private files and two processes at once, through the real CLI."""

from __future__ import annotations

import datetime as dt
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services.contacts import count_contacts, create_contacts
from app.storage.backups import KEEP_DAILY, KEEP_EVENTS, list_backups, make_backup, rotate
from app.storage.db import DatabaseDamaged, open_database
from tests.conftest import ROOT, VCARDS

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and fork are POSIX here")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _fill(paths: AppPaths, n: int, note_size: int = 0) -> None:
    db = open_database(paths.database, paths.backups)
    rng = random.Random(7)
    note = "".join(rng.choice("abcdefghij ") for _ in range(note_size))
    with db.session() as s:
        create_contacts(
            s,
            [
                ContactRecord(
                    full_name=f"Person {i}",
                    emails=[Labeled(f"p{i}@example.org")],
                    note=f"{i} {note}",
                )
                for i in range(n)
            ],
        )
    db.close()


def _cli(paths: AppPaths, *args: str) -> int:
    return main(["--data-dir", str(paths.data_dir), *args])


def test_database_and_backups_are_readable_by_the_user_only(paths: AppPaths) -> None:
    _fill(paths, 3)
    assert _mode(paths.database) == 0o600
    assert _cli(paths, "backup") == 0
    (copy,) = list_backups(paths.backups)
    assert _mode(copy.path) == 0o600


def test_a_database_made_0644_by_an_earlier_version_becomes_private(paths: AppPaths) -> None:
    _fill(paths, 1)
    os.chmod(paths.database, 0o644)
    open_database(paths.database, paths.backups).close()
    assert _mode(paths.database) == 0o600


def _damage(path: Path) -> None:
    """80 KB of random bytes written into the middle of the file."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size // 2)
        f.write(random.Random(1).randbytes(80 * 1024))


def test_damaged_database_is_refused_unchanged_and_a_backup_restores_it(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(paths, 4000, note_size=2000)
    assert paths.database.stat().st_size > 8_000_000
    assert _cli(paths, "backup") == 0
    (backup,) = list_backups(paths.backups)
    _damage(paths.database)
    before = paths.database.read_bytes()
    capsys.readouterr()

    assert _cli(paths, "list", "--json") == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "restore" in err and err.count("\n") == 1
    assert _cli(paths, "import", str(VCARDS / "khard" / "joe.vcf")) == 1
    assert "is damaged" in capsys.readouterr().err
    assert paths.database.read_bytes() == before  # nothing was written into it
    with pytest.raises(DatabaseDamaged):
        open_database(paths.database, paths.backups)

    assert _cli(paths, "backup", "--list") == 0
    assert str(backup.path) in capsys.readouterr().out
    assert _cli(paths, "restore", str(backup.path)) == 0
    assert "4000 contacts" in capsys.readouterr().out
    damaged = [b for b in list_backups(paths.backups) if b.reason == "damaged"]
    assert len(damaged) == 1 and damaged[0].path.read_bytes() == before  # kept as it was
    db = open_database(paths.database, paths.backups)
    with db.session() as s:
        assert count_contacts(s) == 4000
    db.close()


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(
    paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(paths, 2)
    before = paths.database.read_bytes()
    bogus = tmp_path / "x.sqlite3"
    bogus.write_bytes(b"not a database")
    assert _cli(paths, "restore", str(bogus)) == 1
    assert "not a Second Act backup" in capsys.readouterr().err
    assert paths.database.read_bytes() == before


def test_a_healthy_database_is_backed_up_before_a_restore_replaces_it(paths: AppPaths) -> None:
    _fill(paths, 2)
    old = make_backup(paths.database, paths.backups, "manual")
    _fill(paths, 3)  # five contacts now
    assert _cli(paths, "restore", str(old)) == 0
    kept = [b for b in list_backups(paths.backups) if b.reason == "before-restore"]
    assert len(kept) == 1
    db = open_database(kept[0].path)
    with db.session() as s:
        assert count_contacts(s) == 5
    db.close()


def test_import_makes_a_daily_copy_and_a_copy_before_importing(paths: AppPaths) -> None:
    assert _cli(paths, "import", str(VCARDS / "khard" / "joe.vcf")) == 0
    # The first import finds nothing to protect yet: no copy of an empty database.
    assert [b.reason for b in list_backups(paths.backups)] == []
    assert _cli(paths, "import", str(VCARDS / "khard" / "minimal.vcf")) == 0
    reasons = sorted(b.reason for b in list_backups(paths.backups))
    assert reasons == ["before-import", "daily"]
    assert _cli(paths, "import", str(VCARDS / "khard" / "org.vcf")) == 0
    reasons = sorted(b.reason for b in list_backups(paths.backups))
    assert reasons == ["before-import", "before-import", "daily"]  # one daily copy a day


def test_rotation_keeps_seven_daily_copies_ten_others_and_every_manual_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    start = dt.datetime(2026, 1, 1, 9, 0, 0)
    for i in range(12):
        stamp = (start + dt.timedelta(days=i)).strftime("%Y%m%d-%H%M%S")
        for reason in ("daily", "before-import", "manual"):
            (folder / f"second-act-{stamp}-{reason}.sqlite3").write_bytes(b"x")
    rotate(folder)
    left = list_backups(folder)
    daily = [b for b in left if b.reason == "daily"]
    events = [b for b in left if b.reason == "before-import"]
    assert len(daily) == KEEP_DAILY and len(events) == KEEP_EVENTS
    assert min(b.made_at for b in daily) == start + dt.timedelta(days=12 - KEEP_DAILY)
    assert len([b for b in left if b.reason == "manual"]) == 12


def test_processes_started_together_on_a_new_folder_all_succeed(tmp_path: Path) -> None:
    card = VCARDS / "ez-vcard" / "gmail-list.vcf"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for round_ in range(2):
        data = tmp_path / f"new-{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "app", "--data-dir", str(data), "import", str(card)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        for p, (_out, err) in zip(procs, results, strict=True):
            assert "Traceback" not in err
            assert p.returncode == 0, err
        db = open_database(data / "second-act.sqlite3")
        with db.session() as s:
            assert count_contacts(s) == 3  # the same file four times: three people
        db.close()


def test_an_unexpected_error_is_one_line_and_a_crash_report(
    paths: AppPaths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.cli

    def broken(*_a: object) -> int:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(app.cli, "cmd_list", broken)  # stands in for any bug in a command
    assert _cli(paths, "list") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "something nobody expected" in err
    (report,) = paths.logs.glob("crash-*.txt")
    assert str(report) in err
    assert "Traceback" in report.read_text() and "RuntimeError" in report.read_text()


def test_a_restore_that_cannot_copy_changes_nothing(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.storage.db as storage

    _fill(paths, 2)
    old = make_backup(paths.database, paths.backups, "manual")
    _fill(paths, 1)
    before = paths.database.read_bytes()

    def disk_full(_source: Path, target: Path) -> None:
        target.write_bytes(b"SQLite format 3\x00 half")  # what a full disk leaves behind
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "copy_database", disk_full)  # stands in for the full disk
    with pytest.raises(OSError):
        storage.restore_file(paths.database, paths.backups, old)
    assert paths.database.read_bytes() == before
    assert not list(paths.data_dir.glob(".*restoring"))
