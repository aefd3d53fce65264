"""A full disk during an import, through the real CLI: said plainly, and nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from app.cli import main
from app.paths import AppPaths, resolve
from app.services.contacts import count_contacts
from app.storage.backups import list_backups
from app.storage.db import open_database


def _cards(path: Path, n: int) -> Path:
    path.write_text(
        "".join(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nN:{i};Person;;;\r\n"
            f"EMAIL:person{i}@example.org\r\nNOTE:{'a long note ' * 40}\r\nEND:VCARD\r\n"
            for i in range(n)
        ),
        encoding="utf-8",
    )
    return path


def _count(paths: AppPaths) -> int:
    db = open_database(paths.database, paths.backups)
    with db.session() as s:
        n = count_contacts(s)
    db.close()
    return n


@pytest.fixture
def database_limit() -> Iterator[list[int]]:
    """While set ([pages]), every connection Second Act opens may grow the database to that
    many pages and no further (SQLite's max_page_count): a real file that fills up."""
    limit: list[int] = []

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        if limit:
            dbapi_conn.execute(f"PRAGMA max_page_count = {limit[0]}")

    event.listen(Engine, "connect", on_connect)
    yield limit
    event.remove(Engine, "connect", on_connect)


def _import_says_the_disk_is_full(
    paths: AppPaths, cards: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(paths.data_dir), "import", str(cards)]) == 1
    err = capsys.readouterr().err
    assert "The disk is full; nothing was changed" in err, err
    assert "unexpected error" not in err


def test_an_import_that_fills_the_database_says_so_and_changes_nothing(
    paths: AppPaths,
    tmp_path: Path,
    database_limit: list[int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["--data-dir", str(paths.data_dir), "import", str(_cards(tmp_path / "a.vcf", 3))]) == 0
    )
    pages = paths.database.stat().st_size // 4096
    database_limit.append(pages + 20)
    _import_says_the_disk_is_full(paths, _cards(tmp_path / "b.vcf", 2000), capsys)
    database_limit.clear()
    assert _count(paths) == 3


def test_an_import_on_a_full_disk_says_so_and_changes_nothing(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = resolve(small_disk / "data").ensure()
    assert (
        main(["--data-dir", str(paths.data_dir), "import", str(_cards(tmp_path / "a.vcf", 3))]) == 0
    )
    _import_says_the_disk_is_full(paths, _cards(tmp_path / "b.vcf", 3000), capsys)
    assert _count(paths) == 3
    for backup in list_backups(paths.backups):
        assert backup.size > 0  # a copy the full disk cut short is not left as a backup
