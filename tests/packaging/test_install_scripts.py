"""install-linux.sh and uninstall-linux.sh against a stand-in bundle in a temporary home."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ROOT

APP_ID = "io.github.secondact.SecondAct"


def run(script: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        HOME=str(home),
        PREFIX=str(home / ".local"),
        XDG_DATA_HOME=str(home / "share"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    return subprocess.run(
        ["bash", str(ROOT / "packaging" / script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_install_then_uninstall_for_the_current_user(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "second-act").write_text("#!/bin/sh\necho bundled\n")
    (bundle / "second-act").chmod(0o755)
    home = tmp_path / "home"
    data = home / "share" / "second-act"
    data.mkdir(parents=True)
    (data / "second-act.sqlite3").write_text("the user's contacts")

    result = run("install-linux.sh", home, str(bundle))
    assert result.returncode == 0, result.stderr
    command = home / ".local" / "bin" / "second-act"
    assert subprocess.run([str(command)], capture_output=True, text=True).stdout == "bundled\n"
    desktop = (home / "share" / "applications" / f"{APP_ID}.desktop").read_text()
    assert f"Exec={command} %F" in desktop
    assert (home / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").exists()
    assert (home / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").exists()
    mimeapps = (home / "config" / "mimeapps.list").read_text()
    assert f"text/vcard={APP_ID}.desktop" in mimeapps

    result = run("uninstall-linux.sh", home)
    assert result.returncode == 0, result.stderr
    assert not command.exists() and not (home / ".local" / "lib" / "second-act").exists()
    assert not (home / "share" / "applications" / f"{APP_ID}.desktop").exists()
    assert APP_ID not in (home / "config" / "mimeapps.list").read_text()
    assert (data / "second-act.sqlite3").read_text() == "the user's contacts"


def test_install_without_a_build_says_what_to_do(tmp_path: Path) -> None:
    result = run("install-linux.sh", tmp_path, str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "build-linux.sh" in result.stderr
