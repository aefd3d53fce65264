"""An import run by a helper process, so that the window's process neither holds the cards
nor shares its interpreter lock with the matching and writing of 50,000 of them (issue 11).

The helper reads the files, says what it would do (a Preview), waits to be told to go on,
imports in one transaction and hands back the report. A large file's pieces are kept
pickled meanwhile, as the reader processes sent them (ParsedFile.kept: 47 MB at 50,000
cards, against some 150 MB as objects), and the preview and the import each unpickle them a
piece at a time: the file is read once, and its cards are never all held.

A CSV whose columns it cannot all place is first handed back (NeedsMapping); the window
asks the user where each column goes and the helper reads that file again with their
answer (remap). Cancel rolls that transaction back; a helper that dies leaves nothing
written either.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from app.progress import Progress, throttled
from app.services.importing import Cancelled, ImportReport, Preview
from app.vcard.csv_formats import CsvLayout

WAIT = 0.05  # seconds between two looks at the helper (and at Cancel)
GONE = (
    "The helper process that imports ended unexpectedly (the computer may have run low on memory)."
)


class ImportFailed(Exception):
    """The helper failed; the message says how (a traceback when it could say it)."""


# Files whose columns the user must place first: (path, layout) each.
NeedsMapping = list[tuple[str, CsvLayout]]


class ImportJob:
    """One import of *paths* into the database at *db_path*, run by a helper process."""

    def __init__(self, db_path: Path, backups: Path, paths: list[str]) -> None:
        # Spawn, not fork: the window runs Qt and threads, which a fork would copy half-way.
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._stop = context.Event()
        self._process = context.Process(
            target=_helper,
            args=(theirs, self._stop, str(db_path), str(backups), paths),
            name="second-act import",
            # Not a daemon: it starts processes of its own to read large files. Should the
            # window's process die, the helper's next word to it fails and it rolls back.
        )
        self._process.start()
        theirs.close()

    def preview(self, progress: Progress, cancelled: Callable[[], bool]) -> Preview | NeedsMapping:
        """Wait for the files to be read: what the import would do, or the CSV files whose
        columns must be placed first (answer with remap). Raises Cancelled (the helper
        ended) if Cancel was pressed meanwhile."""
        preview: Preview | NeedsMapping = self._wait("preview", progress, cancelled)
        if cancelled():  # pressed while the last file was read: no preview to show
            self.abandon()
            raise Cancelled
        return preview

    def remap(
        self,
        mappings: dict[str, dict[str, str]],
        progress: Progress,
        cancelled: Callable[[], bool],
    ) -> Preview | NeedsMapping:
        """Read the files preview named again, placing their columns by *mappings* (path →
        column header → field); then as preview."""
        self._send(("map", mappings))
        return self.preview(progress, cancelled)

    def run(self, progress: Progress, cancelled: Callable[[], bool]) -> ImportReport:
        """Import (after preview); raises Cancelled once the helper has rolled back."""
        self._send("go")
        report: ImportReport = self._wait("done", progress, cancelled)
        return report

    def abandon(self) -> None:
        """Nothing is to be imported: the helper ends without writing."""
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send("stop")
        self._end()

    def _send(self, message: object) -> None:
        """Tell the helper; a helper that has died meanwhile (while the user read the
        preview, say) is the same plain failure as one that dies while it works."""
        try:
            self._conn.send(message)
        except OSError:  # BrokenPipeError: nobody reads the other end any more
            self._end()
            raise ImportFailed(GONE) from None

    def _wait(self, want: str, progress: Progress, cancelled: Callable[[], bool]) -> Any:
        while True:
            if cancelled():
                self._stop.set()
            try:
                ready = self._conn.poll(WAIT)
                message = self._conn.recv() if ready else None
            except (EOFError, OSError):
                self._end()
                raise ImportFailed(GONE) from None
            if message is None:
                if not self._process.is_alive() and not self._conn.poll():
                    self._end()
                    raise ImportFailed(GONE)
                continue
            kind, value = message
            if kind == "progress":
                progress(*value)
            elif kind == want or (want == "preview" and kind == "mapping"):
                if want == "done":
                    self._end()
                return value
            elif kind == "cancelled":
                self._end()
                raise Cancelled
            else:  # "failed"
                self._end()
                raise ImportFailed(value)

    def _end(self) -> None:
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()


def _helper(conn: Connection, stop: Event, db_path: str, backups: str, paths: list[str]) -> None:
    """In the helper process: read, preview, and import when told to."""
    try:
        _import(conn, stop, Path(db_path), Path(backups), paths)
    except Cancelled:
        conn.send(("cancelled", None))
    except Exception:
        conn.send(("failed", traceback.format_exc()))
    finally:
        conn.close()


def _import(conn: Connection, stop: Event, db_path: Path, backups: Path, paths: list[str]) -> None:
    from app.services.importing import (
        KeptMatcher,
        back_up_before_import,
        import_files,
        preview_import,
        read_file,
    )
    from app.storage.db import open_in_worker

    def progress(done: int, total: int) -> None:
        conn.send(("progress", (done, total)))

    report = throttled(WAIT, progress)
    db = open_in_worker(db_path, backups)
    try:
        parsed = []
        for i, path in enumerate(paths, start=1):
            if stop.is_set():
                raise Cancelled
            parsed.append(read_file(path, keep=True))
            report(i, len(paths))
        asked: set[str] = set()  # each file's columns are asked for once
        while needs := [(i, f) for i, f in enumerate(parsed) if f.layout and f.path not in asked]:
            conn.send(("mapping", [(f.path, f.layout) for _, f in needs]))
            answer = conn.recv()
            if not (isinstance(answer, tuple) and answer[0] == "map"):
                return  # "stop": nothing is imported
            for i, f in needs:
                asked.add(f.path)
                if f.path in answer[1]:
                    parsed[i] = read_file(f.path, answer[1][f.path], keep=True)
        kept: list[KeptMatcher] = []
        with db.session() as s:
            conn.send(("preview", preview_import(s, parsed, kept)))
        if conn.recv() != "go":
            return
        back_up_before_import(db)
        with db.session() as s:
            done = import_files(s, parsed, report, stop.is_set, kept=kept[0])
        conn.send(("done", done))
    finally:
        db.engine.dispose()
