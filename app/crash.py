"""Crash reports: an unexpected error is written to the logs folder, never lost or shown raw."""

from __future__ import annotations

import datetime as dt
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
    """Write *report* as logs/crash-STAMP.txt (a new name each time) and return its path."""
    logs.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    path = logs / f"crash-{stamp}.txt"
    n = 1
    while path.exists():
        n += 1
        path = logs / f"crash-{stamp}-{n}.txt"
    path.write_text(report, encoding="utf-8")
    return path
