"""Pause Python's cyclic garbage collector around bulk work (reading and importing files).

An import builds millions of small objects that stay alive until it ends. Each time their
number grows by a quarter, Python's full collection walks every one of them while holding the
GIL: at 10,000 cards the longest took 136 ms, at 50,000 over half a second, and the window,
whose thread needs the GIL to paint, froze for that long. The objects are not cyclic garbage:
the collector is switched back on when the outermost bulk job ends (threads may nest these),
with what is alive then frozen out of its reach (keep_out_of_collections).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LARGE = 100_000  # new objects a job leaves above which they are frozen (about 20 ms to walk)
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
                if gc.get_count()[0] > LARGE:
                    keep_out_of_collections()
                gc.enable()


def keep_out_of_collections() -> None:
    """Move every object alive now out of the collector's reach for good (gc.freeze()).

    A full collection walks every tracked object, and with the window's start-up and an
    import's leftovers that took 50 to 90 ms on a 2-core machine, landing in whatever the
    window did next. Frozen objects are still freed as usual when their last reference goes;
    only a reference cycle among them is never collected. Measured: after starting the
    window, previewing and importing 50,000 cards, 3,083 such objects in all (a few hundred
    kilobytes), against a freeze count of 190,069; unfrozen, the import's leftovers made the
    longest stall 91 to 109 ms, frozen 63 to 76 ms (bench/window_bench.py).

    Called when the outermost bulk job ends having left more than LARGE new objects:
    switched back on with them counted as new, the collector's first young collection would
    walk them all at once (700 ms at 50,000 cards). A small job (one card read by a sync,
    a short file) is left to the collector as usual: freezing after every one of them, as
    a sync every 15 minutes would, would keep each moment's cyclic garbage for good.
    """
    gc.freeze()


_started = False


def keep_start_up_out_of_collections() -> None:
    """keep_out_of_collections() for what a process built to start (its modules, its model,
    the window's Qt wrappers), once: those live as long as the process, and a later full
    collection then walks only what came after. Later windows (tests make many) are left to
    the collector, so that their cyclic garbage is collected as usual."""
    global _started
    if not _started:
        _started = True
        keep_out_of_collections()
