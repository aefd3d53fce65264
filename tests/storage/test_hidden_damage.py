"""Damage that leaves the file's size and modification time as they were, and damage a command
finds after the start-up check: the CLI says so plainly and offers a backup, writing nothing."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

import app.cli as cli
import app.storage.db as db_module
from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services.contacts import create_contacts
from app.storage.db import Database, DatabaseDamaged, EarlyDigest, _file_state, open_database

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


def test_the_digest_read_beside_start_up_finds_the_same_damage(paths: AppPaths) -> None:
    """The window's start reads the file's digest on a thread while its modules load
    (EarlyDigest): the damage is found all the same."""
    _fill(paths)
    _overwrite_pages(paths.database)
    with pytest.raises(DatabaseDamaged):
        open_database(paths.database, paths.backups, EarlyDigest(paths.database))


def test_a_digest_read_before_the_file_changed_stands_for_nothing(paths: AppPaths) -> None:
    """Read early over the bytes as closed, then the pages overwritten (the time set a moment
    later, as a write leaves it): the early digest is not used, the file is read again."""
    _fill(paths)
    early = EarlyDigest(paths.database)
    assert early.digest(_file_state(paths.database)) is not None  # read, and it stands
    _overwrite_pages(paths.database)
    st = paths.database.stat()
    os.utime(paths.database, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert early.digest(_file_state(paths.database)) is None
    with pytest.raises(DatabaseDamaged):
        open_database(paths.database, paths.backups, early)


def test_an_untouched_file_opens_on_the_early_digest_without_the_full_check(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(paths)
    early = EarlyDigest(paths.database)
    early.digest(_file_state(paths.database))  # read on its thread, done
    reads: list[Path] = []
    real = db_module._digest
    monkeypatch.setattr(db_module, "_digest", lambda p: reads.append(p) or real(p))
    monkeypatch.setattr(db_module, "_quick_check", _no_check)
    open_database(paths.database, paths.backups, early).close()
    assert reads == []  # not read again: the early digest served the start and the close


def _no_check(*_a: object) -> None:
    raise AssertionError("the full check ran on a file closed as it is")


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
