"""The PyInstaller bundle, built once per test run for every packaging test that needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With xdist (-n, and --dist loadgroup from pyproject.toml), every test that needs the
    bundle runs in one worker, which builds it once; the .deb tests, which install it on
    the machine, never run beside each other."""
    for item in items:
        if "bundle" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("bundle"))


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built second-act program (its folder is the bundle), as packaging/build-linux.sh
    makes it. About a minute; SECOND_ACT_SKIP_BUNDLE=1 skips every test that needs it, and
    SECOND_ACT_BUNDLE=path/to/second-act tests a build made earlier instead."""
    if os.environ.get("SECOND_ACT_SKIP_BUNDLE"):
        pytest.skip("SECOND_ACT_SKIP_BUNDLE is set")
    if os.environ.get("SECOND_ACT_BUNDLE"):
        return Path(os.environ["SECOND_ACT_BUNDLE"]).resolve()
    work = tmp_path_factory.mktemp("pyinstaller")
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
    exe = work / "dist" / "second-act" / "second-act"
    assert exe.exists()
    return exe
