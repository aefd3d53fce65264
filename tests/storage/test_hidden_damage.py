"""Damage that leaves the file's size and modification time as they were, and damage a command
finds after the start-up check: the CLI says so plainly and offers a backup, writing nothing."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

import app.cli as cli
from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services.contacts import create_contacts
from app.storage.db import Database, DatabaseDamaged, open_database

PAGE = 4096


def _fill(paths: AppPaths, n: int = 2000) -> None:
    db = open_database(paths.database, paths.backups)
    with db.session() as s:
        create_contacts(
            s,
            [
                ContactRecord(
                    full_name=f"Person {i}", emails=[Labeled(f"p{i}@example.org")], note="x" * 200
                )
                for i in range(n)
            ],
        )
    db.backup("manual")
    db.close()


def _overwrite_pages(path: Path, count: int = 49) -> None:
    """Random bytes over *count* pages past the first, as a disk tool left them, with the
    file's times put back: its size and modification time are what Second Act last saw."""
    st = path.stat()
    pages = st.st_size // PAGE
    rng = random.Random(49)
    with path.open("r+b") as f:
        for page in rng.sample(range(1, pages), count):
            f.seek(page * PAGE)
            f.write(rng.randbytes(PAGE))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def _cli(paths: AppPaths, *args: str) -> int:
    return main(["--data-dir", str(paths.data_dir), *args])


def test_pages_overwritten_with_the_time_put_back_are_found_at_start(paths: AppPaths) -> None:
    _fill(paths)
    _overwrite_pages(paths.database)
    with pytest.raises(DatabaseDamaged):
        open_database(paths.database, paths.backups)


def test_commands_on_such_a_file_offer_a_backup_and_write_nothing(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(paths)
    _overwrite_pages(paths.database)
    damaged = paths.database.read_bytes()
    capsys.readouterr()
    for args in (["list"], ["log", "5", "--summary", "Coffee"]):
        assert _cli(paths, *args) == 1
        err = capsys.readouterr().err
        assert "is damaged" in err and "second-act restore" in err, err
        assert "unexpected error" not in err and "Traceback" not in err
    assert paths.database.read_bytes() == damaged


def test_damage_a_command_meets_after_the_start_is_said_plainly_and_checked_next_time(
    paths: AppPaths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(paths)
    real_open = cli._open

    def damaged_while_open(p: AppPaths) -> Database:
        db = real_open(p)  # checked and found whole; then something overwrites pages
        _overwrite_pages(p.database)
        return db

    monkeypatch.setattr(cli, "_open", damaged_while_open)
    assert _cli(paths, "list") == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "second-act restore" in err, err
    assert "unexpected error" not in err
    # Closing did not vouch for the file: the next start reads every page and refuses it.
    with pytest.raises(DatabaseDamaged):
        open_database(paths.database, paths.backups)
