"""Crash reports: an unexpected error is written to the logs folder, never lost or shown raw."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from app import APP_NAME, __version__


def format_report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
    return (
        f"{APP_NAME} {__version__} on Python {sys.version.split()[0]}, "
        f"{sys.platform}\n{dt.datetime.now().isoformat(timespec='seconds')}\n\n"
        + "".join(traceback.format_exception(kind, error, tb))
    )


def write_report(logs: Path, report: str) -> Path:
    """Write *report* as logs/crash-STAMP.txt (a new name each time) and return its path.

    The file is readable by the user only, and so is the logs folder when this makes it.
    """
    if not logs.is_dir():
        logs.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(logs, 0o700)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    n = 1
    while True:
        path = logs / (f"crash-{stamp}.txt" if n == 1 else f"crash-{stamp}-{n}.txt")
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            n += 1
            continue
        with open(fd, "w", encoding="utf-8") as f:
            f.write(report)
        return path
