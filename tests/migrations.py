"""Databases as an earlier release left them, for the upgrade tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from app.storage.db import _alembic_config, open_database


def database_at(path: Path, revision: str) -> sqlite3.Connection:
    """Create a database at *path* with the schema of *revision*; a raw connection to fill it
    as that release would have."""
    db = open_database(path)
    cfg = _alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    db.close()
    return sqlite3.connect(path)
