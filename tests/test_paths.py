from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app import paths as paths_mod


def test_option_beats_environment_beats_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECOND_ACT_DATA_DIR", str(tmp_path / "env"))
    assert paths_mod.resolve(tmp_path / "opt").data_dir == tmp_path / "opt"
    assert paths_mod.resolve().data_dir == tmp_path / "env"
    monkeypatch.delenv("SECOND_ACT_DATA_DIR")
    assert paths_mod.resolve().data_dir == paths_mod.default_data_dir()


def test_default_folder_is_under_the_users_home(isolated_home: Path) -> None:
    assert paths_mod.default_data_dir().is_relative_to(isolated_home)


def test_folders_are_private(tmp_path: Path) -> None:
    p = paths_mod.resolve(tmp_path / "d").ensure()
    for folder in (p.data_dir, p.backups, p.logs):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
