"""Single instance, window icon and crash reports."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.crash import write_report
from app.model.records import ContactRecord
from app.paths import AppPaths, resolve
from app.services.contacts import create_contact, create_contacts, get_contact, update_contact
from app.storage.db import Database
from app.ui.window.application import CrashHandler, app_icon, log, setup_logging
from app.ui.window.single_instance import InstanceServer, send_to_running, server_name
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


def test_the_instance_socket_is_in_a_folder_only_this_user_can_enter(
    qtbot: QtBot, paths: AppPaths
) -> None:
    server = InstanceServer(paths, lambda _files: None)
    assert server.listening
    socket_file = Path(server.server.fullServerName())
    assert socket_file.exists()
    folder = socket_file.parent.lstat()
    assert folder.st_uid == os.getuid()
    assert folder.st_mode & 0o777 == 0o700, oct(folder.st_mode)
    server.server.close()


@pytest.fixture
def short_folder() -> Iterator[Path]:
    """A folder whose sockets' paths fit sockaddr_un, however deep pytest's tmp_path is (an
    xdist worker's is a folder deeper: popen-gw0/)."""
    folder = Path(tempfile.mkdtemp(prefix="sa-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_runtime_folder_is_used_only_when_it_is_private(
    tmp_path: Path, short_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = resolve(short_folder / "data").ensure()
    runtime = short_folder / "run"
    runtime.mkdir(mode=0o755)
    os.chmod(runtime, 0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert Path(server_name(paths)).parent == paths.data_dir.resolve()  # others may enter it
    os.chmod(runtime, 0o700)
    assert Path(server_name(paths)).parent == runtime
    # A data folder with a name too long for a socket: a private folder of ours in tempdir.
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    deep = resolve(tmp_path / ("x" * 120)).ensure()
    folder = Path(server_name(deep)).parent
    assert folder.parent == Path(tempfile.gettempdir())
    assert folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o777 == 0o700


# Listens like a running Second Act: says "ok" and prints what it was sent.
PLANTED = """
import os, socket, sys
path, uid = sys.argv[1], int(sys.argv[2])
if uid >= 0:
    os.setgid(uid); os.setuid(uid)
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(); s.settimeout(30)
print("ready", flush=True)
try:
    conn, _ = s.accept()
except TimeoutError:
    sys.exit(0)
conn.settimeout(30)
print("received", conn.recv(65536), flush=True)
conn.sendall(b"ok\\n")
"""


def plant(path: Path, uid: int = -1) -> subprocess.Popen[str]:
    """Someone else's listener at *path* (run as *uid* when given)."""
    planted = subprocess.Popen(
        [sys.executable, "-c", PLANTED, str(path), str(uid)], stdout=subprocess.PIPE, text=True
    )
    assert planted.stdout is not None and planted.stdout.readline() == "ready\n"
    return planted


def received_by(planted: subprocess.Popen[str]) -> str:
    planted.kill()
    out, _ = planted.communicate()
    return out


def test_a_socket_planted_at_the_old_name_in_tmp_gets_nothing(paths: AppPaths) -> None:
    """Before, the name was tempdir/second-act-HASH: another user listening there first got
    the path of the file double-clicked, and this launch quit saying "already running"."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    digest = hashlib.sha256(f"{user}:{paths.data_dir.resolve()}".encode()).hexdigest()[:16]
    old = Path(tempfile.gettempdir()) / f"second-act-{digest}"
    old.unlink(missing_ok=True)
    planted = plant(old)
    try:
        assert not send_to_running(paths, ["secret.vcf"], timeout_ms=2000)
    finally:
        out = received_by(planted)
        old.unlink(missing_ok=True)
    assert "secret" not in out


@pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to run as another user"
)
def test_a_listener_of_another_user_at_our_name_gets_nothing(paths: AppPaths) -> None:
    """Should another user's socket end up at our name, the peer's credentials give it away."""
    nobody = 65534
    theirs = Path(tempfile.mkdtemp())  # outside pytest's folders, which only we may enter
    shutil.chown(theirs, nobody, nobody)
    planted = plant(theirs / "s", nobody)
    # Where a launch looks for the running one (a name without a folder is in tempdir).
    ours = Path(tempfile.gettempdir(), server_name(paths))
    os.rename(theirs / "s", ours)  # the bound socket moves with its file
    try:
        assert not send_to_running(paths, ["secret.vcf"], timeout_ms=2000)
    finally:
        out = received_by(planted)
        shutil.rmtree(theirs)
        ours.unlink(missing_ok=True)
    assert "secret" not in out


def test_no_running_instance_means_start_normally(paths: AppPaths) -> None:
    assert not send_to_running(paths, [], timeout_ms=200)


def test_the_window_icon_has_every_size(qapp: object) -> None:
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes


def test_an_unexpected_error_is_logged_and_shown_never_silent(
    qapp: object, paths: AppPaths
) -> None:
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


SECRET = "Ann Secret-Name"


def edit_refused(db: Database) -> None:
    """An edit the database refuses (a trigger aborts it, as a constraint would)."""
    with db.session() as s:
        contact_id = create_contact(s, ContactRecord(full_name="Ann"))
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE UPDATE ON contacts "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    with db.session() as s:
        record = get_contact(s, contact_id)
        record.full_name = SECRET
        update_contact(s, record)


def import_on_a_full_disk(db: Database) -> None:
    """An import when the disk is full: SQLite may not grow the file by a single page."""

    @event.listens_for(db.engine, "connect")
    def full(dbapi_conn: object, _record: object) -> None:
        cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    db.engine.dispose()
    with db.session() as s:
        create_contacts(s, [ContactRecord(full_name=f"{SECRET} {i}") for i in range(500)])


@pytest.mark.parametrize("failure", [edit_refused, import_on_a_full_disk])
def test_a_failed_statement_leaves_no_contact_data_in_reports_or_logs(
    qapp: object, paths: AppPaths, db: Database, failure: Callable[[Database], None]
) -> None:
    setup_logging(paths)
    shown = []
    handler = CrashHandler(paths)
    handler.show = shown.append
    try:
        failure(db)
    except Exception:
        handler(*sys.exc_info())  # type: ignore[arg-type]
    finally:
        for h in log.handlers[:]:
            log.removeHandler(h)
            h.close()
    (report,) = paths.logs.glob("crash-*.txt")
    text = report.read_text()
    assert "sqlalchemy.exc" in text  # the report is there, and says which statement failed
    logged = (paths.logs / "second-act.log").read_text()
    assert "report in" in logged
    for written in (text, logged, shown[0].detailedText()):
        assert "Secret" not in written
    assert report.stat().st_mode & 0o777 == 0o600
    assert (paths.logs / "second-act.log").stat().st_mode & 0o777 == 0o600


def test_a_crash_report_makes_a_private_logs_folder(tmp_path: Path) -> None:
    report = write_report(tmp_path / "data" / "logs", "report")
    assert report.read_text() == "report"
    assert report.stat().st_mode & 0o777 == 0o600
    assert report.parent.stat().st_mode & 0o777 == 0o700
    assert write_report(report.parent, "again") != report  # a new name each time


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
