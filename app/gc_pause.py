"""Pause Python's cyclic garbage collector around bulk work (reading and importing files).

An import builds millions of small objects that stay alive until it ends. Each time their
number grows by a quarter, Python's full collection walks every one of them while holding the
GIL: at 10,000 cards the longest took 136 ms, at 50,000 over half a second, and the window,
whose thread needs the GIL to paint, froze for that long. The objects are not cyclic garbage,
so nothing is lost by collecting later: the collector is switched back on when the outermost
bulk job ends (threads may nest these), and whatever cycles were left are collected later.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                _age_all()
                gc.enable()


def _age_all() -> None:
    """Move every tracked object into the oldest generation without walking them.

    Switched back on with the job's millions of objects counted as new, the collector's first
    young collection would walk them all at once (700 ms at 50,000 cards). freeze() then
    unfreeze() moves them, as lists, into the oldest generation, which is only walked again
    when it has grown by a quarter; by then the job's objects are mostly freed.
    """
    gc.freeze()
    gc.unfreeze()
