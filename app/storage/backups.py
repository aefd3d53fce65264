"""Rotating copies of the database in the backups folder: daily, before risky work, by hand."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# How many copies of each kind stay; "manual" copies are the user's and are never removed.
KEEP_DAILY = 7
KEEP_EVENTS = 10
DAILY = "daily"
MANUAL = "manual"
STALE_PARTIAL = 3600.0  # seconds: a copy unchanged this long was cut short (killed, no power)

_NAME = re.compile(r"-(\d{8}-\d{6})(?:-(\d+))?-([a-z][a-z0-9-]*)\.sqlite3$")
_LABELS = {
    DAILY: "Daily copy",
    MANUAL: "Made by you",
    "before-import": "Before an import",
    "before-undo-import": "Before undoing an import",
    "before-delete": "Before deleting many contacts",
    "before-merge": "Before merging many contacts",
    "before-restore": "Before restoring a backup",
}


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: dt.datetime
    reason: str
    size: int

    @property
    def label(self) -> str:
        if self.reason in _LABELS:
            return _LABELS[self.reason]
        if self.reason.startswith("before-"):
            return "Before upgrading to a new version"
        return self.reason


def private_file(path: Path, exclusive: bool = False) -> None:
    """Create *path* empty and readable only by its owner, or make an existing file so
    (unless *exclusive*: then an existing file raises FileExistsError)."""
    if path.exists() and not exclusive:
        if os.name == "posix":
            os.chmod(path, 0o600)
        return
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def copy_database(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API: consistent even while the source is in use."""
    private_file(target)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def make_backup(path: Path, backups: Path, reason: str, now: dt.datetime | None = None) -> Path:
    """A copy of the database at *path* in *backups*, named by time and reason; then rotate."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    # Written under a name the list ignores and renamed only when complete: a copy cut short
    # (killed, a full disk) is never offered as a backup, and a failed one leaves nothing.
    # The partial file is created exclusively: two processes copying in the same second
    # take two names.
    n = 1
    while True:
        suffix = f"-{n}" if n > 1 else ""
        target = backups / f"{path.stem}-{stamp}{suffix}-{reason}.sqlite3"
        partial = target.with_name(f".{target.name}.partial")
        if not target.exists():
            try:
                private_file(partial, exclusive=True)
                break
            except FileExistsError:
                pass
        n += 1
    try:
        copy_database(path, partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    rotate(backups)
    return target


def list_backups(backups: Path) -> list[Backup]:
    """Every backup in the folder, newest first."""
    found = []
    if not backups.is_dir():
        return []
    for p in backups.glob("*.sqlite3"):
        m = _NAME.search(p.name)
        if not m:
            continue
        try:
            made = dt.datetime.strptime(m[1], "%Y%m%d-%H%M%S")
            size = p.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(Backup(p, made, m[3], size))
    found.sort(key=lambda b: (b.made_at, b.path.name), reverse=True)
    return found


def rotate(backups: Path) -> list[Path]:
    """Remove the oldest copies beyond KEEP_DAILY daily and KEEP_EVENTS others, and what is
    left of copies cut short (a copy being written changes within seconds)."""
    removed = []
    stale = dt.datetime.now().timestamp() - STALE_PARTIAL
    for p in backups.glob(".*.sqlite3.partial*"):  # with its journal
        try:
            if p.stat().st_mtime < stale:
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    daily = events = 0
    for b in list_backups(backups):
        if b.reason == MANUAL or b.reason == "damaged":
            continue
        if b.reason == DAILY:
            daily += 1
            keep = daily <= KEEP_DAILY
        else:
            events += 1
            keep = events <= KEEP_EVENTS
        if not keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


def daily_backup(path: Path, backups: Path, now: dt.datetime | None = None) -> Path | None:
    """Today's daily copy, unless there is one already (or nothing to copy yet)."""
    now = now or dt.datetime.now()
    if not path.exists() or path.stat().st_size == 0:
        return None
    if any(b.reason == DAILY and b.made_at.date() == now.date() for b in list_backups(backups)):
        return None
    return make_backup(path, backups, DAILY, now)
