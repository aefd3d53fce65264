"""Files written whole or not at all: exports, calendar files, prep sheets."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside *path* to write to; it replaces *path* when the block ends
    normally, and is removed if it does not: a failure never leaves half a file behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".second-act-", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write *text* (UTF-8, line endings as given) to *path* through `replacing`."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
