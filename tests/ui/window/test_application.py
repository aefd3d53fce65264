"""Single instance, window icon and crash reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.paths import AppPaths
from app.ui.window.application import CrashHandler, app_icon
from app.ui.window.single_instance import InstanceServer, send_to_running
from tests.conftest import ROOT


def test_a_second_launch_hands_its_files_to_the_running_one(qtbot: QtBot, paths: AppPaths) -> None:
    received: list[list[str]] = []
    server = InstanceServer(paths, received.append)
    assert server.listening
    # A real second launch, as a double-click on a .vcf starts one.
    second = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir), "contacts.vcf"],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    qtbot.waitUntil(lambda: len(received) == 1 and second.poll() is not None, timeout=20000)
    _, err = second.communicate()
    assert second.returncode == 0
    assert "already running" in err
    assert received[0] == [str(ROOT / "contacts.vcf")]
    server.server.close()
    assert not send_to_running(paths, [], timeout_ms=200)


def test_no_running_instance_means_start_normally(paths: AppPaths) -> None:
    assert not send_to_running(paths, [], timeout_ms=200)


def test_the_window_icon_has_every_size(qapp: object) -> None:
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes


def test_an_unexpected_error_is_logged_and_shown_never_silent(paths: AppPaths) -> None:
    shown = []
    handler = CrashHandler(paths)
    handler.show = shown.append
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        handler(*sys.exc_info())  # type: ignore[arg-type]
    (report,) = paths.logs.glob("crash-*.txt")
    text = report.read_text()
    assert "RuntimeError: boom" in text and "Second Act" in text
    assert shown and "RuntimeError: boom" in shown[0].detailedText()
    assert str(report) in shown[0].text()


def in_a_fresh_window_process(tmp_path: Path, before: str, after: str) -> str:
    """Run Python in a new process: *before*, then the window opened on a new data folder,
    then *after* (with `app`, `db`, `paths` and `w`); what it printed last."""
    code = (
        "import gc, sys; from pathlib import Path; "
        "from app.ui.window.application import make_app; "
        "from app.storage.db import open_database; "
        "from app.ui.window.main_window import MainWindow; "
        "from app.paths import AppPaths; app = make_app(); "
        f"paths = AppPaths(Path({str(tmp_path / 'data')!r})); paths.ensure(); "
        f"db = open_database(paths.database); {before}; w = MainWindow(db, paths); w.show(); "
        f"app.processEvents(); {after}"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_window_starts_without_importing_what_only_some_features_need(
    tmp_path: Path,
) -> None:
    """Start-up at 50,000 contacts is measured (issue 11): the HTTP client for sync (0.1 s
    to import), Jinja2 for templates, vObject for calendar files, keyring for passwords and
    phonenumbers for matching phone numbers load when first used, not when the window
    opens."""
    late = "('httpx', 'truststore', 'jinja2', 'vobject', 'keyring', 'phonenumbers')"
    shown = in_a_fresh_window_process(
        tmp_path, "pass", f"print(sorted(m for m in {late} if m in sys.modules))"
    )
    assert shown == "[]"


def test_what_start_up_built_is_kept_out_of_full_collections_once(tmp_path: Path) -> None:
    """A full collection of everything start-up built took 51 to 60 ms of the window's time
    when an import of 50,000 handed over; it is frozen once the window is up. A second
    window (tests make many) freezes nothing more: its garbage stays collectable."""
    shown = in_a_fresh_window_process(
        tmp_path,
        "before = gc.get_freeze_count()",
        "first = gc.get_freeze_count(); w2 = MainWindow(db, paths); app.processEvents(); "
        "print(before, first, gc.get_freeze_count())",
    )
    before, first, second = map(int, shown.split())
    assert before == 0 and first > 10_000, (before, first)
    assert second == first


def test_a_damaged_file_met_in_the_window_is_said_plainly_with_the_way_to_a_backup(
    qapp: object, paths: AppPaths
) -> None:
    from sqlalchemy import text

    from app.storage.db import open_database
    from tests.storage.test_hidden_damage import _fill, _overwrite_pages

    _fill(paths)
    db = open_database(paths.database, paths.backups)
    _overwrite_pages(paths.database)  # while the window is open
    shown = []
    handler = CrashHandler(paths, None, db)
    handler.show = shown.append
    with pytest.raises(Exception, match="malformed") as raised, db.session() as s:
        s.execute(text("SELECT count(*), max(note) FROM contacts")).all()
    handler(raised.type, raised.value, raised.tb)
    assert "is damaged" in shown[0].text() and "Restore from Backup" in shown[0].text()
    assert "did not expect" not in shown[0].text()
    db.close()
    assert not (paths.data_dir / f".{paths.database.name}.closed").exists()


def test_the_window_on_a_read_only_folder_says_so_in_a_message_box(
    qapp: object, read_only_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.paths import resolve
    from app.ui.window.application import run_gui

    shown: list[str] = []

    def answer(box: QMessageBox) -> int:  # the person reads it and closes it
        shown.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert run_gui(resolve(read_only_folder), []) == 1
    assert len(shown) == 1
    assert "cannot write to" in shown[0] and "--data-dir" in shown[0], shown[0]
