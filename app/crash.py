"""Crash reports: an unexpected error is written to the logs folder, never lost or shown raw."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path
from types import TracebackType

from app import APP_NAME, __version__
from app.paths import private_folder
from app.storage.backups import private_file


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
    private_folder(logs)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    n = 1
    while True:
        path = logs / (f"crash-{stamp}.txt" if n == 1 else f"crash-{stamp}-{n}.txt")
        try:
            private_file(path, exclusive=True)  # a new name each time, never another's file
        except FileExistsError:
            n += 1
            continue
        path.write_text(report, encoding="utf-8")
        return path
