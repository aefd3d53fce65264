"""Shared fixtures: every test gets its own data folder and a fake home, never the real one."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring

from app.paths import AppPaths, resolve
from app.storage.db import Database, open_database
from tests.fuzz.profile import tried
from tests.imap_server import imap_server  # noqa: F401 (fixture)
from tests.keyring_backend import FileKeyring
from tests.mailserver import smtp_server, starttls_server, test_ca  # noqa: F401 (fixtures)
from tests.mounts import read_only_folder, small_disk  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent
VCARDS = Path(__file__).resolve().parent / "data" / "vcards"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME and the XDG folders at a temporary folder, so a test that forgets
    --data-dir writes there and not into the developer's real profile."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("SECOND_ACT_DATA_DIR", raising=False)
    return home


@pytest.fixture(autouse=True)
def test_keyring(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Passwords go to a file outside every data folder, never to the developer's real
    password store; a subprocess started with this environment uses the same file."""
    path = tmp_path_factory.mktemp("keyring") / "keyring.json"
    monkeypatch.setenv("SECOND_ACT_TEST_KEYRING", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_backend.FileKeyring")
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(before)


@pytest.fixture
def today() -> dt.date:
    """The date the app will see while the test runs. Read when the test starts, not when the
    module is imported (a run that crosses midnight would compare against yesterday); a test
    starting in the last minute of a day waits for the next one, so no test spans midnight."""
    now = dt.datetime.now()
    left = (dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time()) - now).total_seconds()
    if left < 60:
        time.sleep(left + 0.1)
    return dt.date.today()


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return resolve(tmp_path / "data").ensure()


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> int:
    """A write that meets another program's write lock fails after a tenth of a second, not
    five: for tests that hold the lock on purpose and check the failure, not how long it
    waited. Ask for it before `db` (the timeout is read when a connection opens); returns it."""
    import app.storage.db

    monkeypatch.setattr(app.storage.db, "BUSY_TIMEOUT_MS", 100)
    return 100


def busy_timeout(db: Database) -> int:
    with db.session() as s:
        return int(s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar_one())


@pytest.fixture
def db(paths: AppPaths) -> Iterator[Database]:
    database = open_database(paths.database, paths.backups)
    yield database
    database.close()


# The fuzz examples tried and the fuzz tests that failed, for tasks.py fuzz: here, not in
# tests/fuzz/, because with xdist (-n) only this conftest is loaded in the process that
# reports; each worker hands its counts over as it ends.
fuzz_failed: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and "/fuzz/" in report.nodeid.replace("\\", "/"):
        fuzz_failed.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker_output = getattr(session.config, "workeroutput", None)  # set in an xdist worker
    if worker_output is not None:
        worker_output["fuzz_tried"] = dict(tried)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist: a worker ended; its fuzz counts join this process's."""
    tried.update(getattr(node, "workeroutput", {}).get("fuzz_tried", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if tried:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(tried.items()))
        terminalreporter.write_line(f"fuzz examples tried: {counts}")
    report = os.environ.get("SECOND_ACT_FUZZ_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as f:
            json.dump({"tried": dict(tried), "failed": fuzz_failed}, f)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under tests/mutation.py (MUTATION_ORDER: test files, comma-separated): those files'
    tests first, in that order. mutmut hands each mutant's tests over in no particular order
    and stops at the first failure: the tests that catch most go first, and a caught
    mutant costs a few of them rather than half the list."""
    order = os.environ.get("MUTATION_ORDER")
    if not order:
        return
    files = order.split(",")

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return files.index(path) if path in files else len(files)

    items.sort(key=rank)
