"""The desktop entry, AppStream data and icons, checked by the freedesktop tools themselves."""

from __future__ import annotations

import configparser
import shutil
import subprocess

import pytest
from PySide6.QtGui import QImage

from tests.conftest import ROOT

LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "io.github.secondact.SecondAct.desktop"
METAINFO = LINUX / "io.github.secondact.SecondAct.metainfo.xml"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (tasks.py test installs it where it can)")
    return path


def test_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        [tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_metainfo_is_valid() -> None:
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_opens_vcards_with_the_files_passed_on() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP)
    d = entry["Desktop Entry"]
    assert d["Exec"] == "second-act %F"
    assert set(d["MimeType"].strip(";").split(";")) == {
        "text/vcard",
        "text/x-vcard",
        "text/directory",
    }
    assert d["Icon"] == DESKTOP.name.removesuffix(".desktop")


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_icons_exist_at_every_size(size: int) -> None:
    image = QImage(str(ROOT / "resources" / "icons" / f"second-act-{size}.png"))
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
