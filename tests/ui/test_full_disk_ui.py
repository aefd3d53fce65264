"""An import from the window that fills a real (small) disk: said plainly, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.paths import AppPaths, resolve
from app.services.contacts import count_contacts
from app.storage.db import Database
from app.ui.main_window import MainWindow
from tests.storage.test_full_disk import _cards
from tests.ui.conftest import Answers


@pytest.fixture
def paths(small_disk: Path) -> AppPaths:
    """The data folder on a 3 MB file system (the window's db fixture opens it there)."""
    return resolve(small_disk / "data").ensure()


def test_an_import_that_fills_the_disk_says_so_and_changes_nothing(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    answers: Answers,
    db: Database,
    tmp_path: Path,
) -> None:
    w = make_window()
    failures: list[str] = []
    shown = w._task_failed
    w._task_failed = lambda details: (failures.append(details), shown(details))[1]  # type: ignore[method-assign]
    w.start_import([str(_cards(tmp_path / "many.vcf", 3000))])
    qtbot.waitUntil(lambda: bool(failures), timeout=60000)
    assert "database or disk is full" in failures[0]
    assert any("The disk is full; nothing was changed" in said for said in answers.asked), (
        answers.asked
    )
    with db.session() as s:
        assert count_contacts(s) == 0
