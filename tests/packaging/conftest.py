"""The PyInstaller bundle, built once per test run for every packaging test that needs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from tests.conftest import ROOT


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built second-act program (its folder is the bundle), as packaging/build-linux.sh
    makes it. About a minute; SECOND_ACT_SKIP_BUNDLE=1 skips every test that needs it, and
    SECOND_ACT_BUNDLE=path/to/second-act tests a build made earlier instead."""
    if os.environ.get("SECOND_ACT_SKIP_BUNDLE"):
        pytest.skip("SECOND_ACT_SKIP_BUNDLE is set")
    if os.environ.get("SECOND_ACT_BUNDLE"):
        return Path(os.environ["SECOND_ACT_BUNDLE"]).resolve()
    # One build per test run: with xdist (-n) each worker has its own basetemp, in the run's
    # folder, where the first worker to get here builds it while the others wait their turn.
    # (--dist loadfile keeps each packaging file in one worker; loadgroup would keep them all
    # in one, but with pytest 9.2 it no longer groups: pytest-xdist issue 1386.)
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent
    work = run / "pyinstaller"
    exe = work / "dist" / "second-act" / "second-act"
    with FileLock(run / "pyinstaller.lock"):
        if not (work / "built").exists():
            shutil.rmtree(work, ignore_errors=True)  # what a failed build left
            build(work)
            (work / "built").touch()
    assert exe.exists()
    return exe


def build(work: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "packaging" / "second-act.spec"),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
        timeout=900,
    )
