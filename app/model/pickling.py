"""Compact pickling for the records a worker process sends back (a large import)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


class ByFields:
    """Pickled as its class and field values, rebuilt through __init__.

    Reading a 50,000-card file in two processes sends every card back to the window's
    process; unpickled attribute by attribute they took longer to load there than a third of
    reading them, field by field in one call 40 % less.
    """

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, f.name) for f in fields(self))  # type: ignore[arg-type]
