"""Progress reports, passed on a few times a second rather than once per card."""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[int, int], None]


def throttled(seconds: float, report: Progress) -> Progress:
    """*report*, passed on at most every *seconds* (and always at the end)."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last >= seconds:
            last = now
            report(done, total)

    return progress
