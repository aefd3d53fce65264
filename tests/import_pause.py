"""An import helper process (app.services.import_job's _helper) that writes new people three
at a time and, once it has written the first three, holds until Cancel reaches it: a window
test cancels during the writes, never before them, without racing the helper."""

from __future__ import annotations

from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any


def helper_holding_after_a_batch(
    written: str, conn: Connection, stop: Event, db_path: str, backups: str, paths: list[str]
) -> None:
    """Run in the helper process (spawned: it imports this module afresh). *written* is a
    file created once a batch of new people is in the database, for the test to wait on."""
    from app.services import import_job, importing

    importing._ImportRun.BATCH = 3
    create = importing.create_contacts

    def create_then_hold(session: Any, records: Any) -> list[int]:
        ids = create(session, records)
        if not Path(written).exists():
            Path(written).write_text(f"{len(ids)} contacts written, not yet committed\n")
            stop.wait(60)  # Cancel sets it; a test that never cancels goes on after a minute
        return ids

    importing.create_contacts = create_then_hold  # type: ignore[assignment]
    import_job._helper(conn, stop, db_path, backups, paths)
