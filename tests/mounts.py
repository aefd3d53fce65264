"""Real file systems a test mounts for itself: a read-only folder, a small disk. Mounting
needs root (the tests run as root here); elsewhere the tests that use them are skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a file system needs root")
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A data folder (with its backups and logs folders, 0755) on a read-only bind mount:
    refused even to root."""
    source = tmp_path / "source"
    (source / "backups").mkdir(parents=True, mode=0o755)
    (source / "logs").mkdir(mode=0o755)
    where = tmp_path / "ro"
    where.mkdir()
    _mount("--bind", str(source), str(where))
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(where)], check=True)
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs)."""
    where = tmp_path / "small"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(where))
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)
