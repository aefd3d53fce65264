from __future__ import annotations

import os
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


def test_folders_that_exist_keep_the_mode_their_owner_gave_them(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    data.mkdir()
    data.chmod(0o755)
    p = paths_mod.resolve(data).ensure()
    assert stat.S_IMODE(data.stat().st_mode) == 0o755
    for folder in (p.backups, p.logs):  # made now: private
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_read_only_folder_is_left_as_it_is_and_refused_plainly(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to a 0555 folder: see the read-only mount test")
    data = tmp_path / "locked"
    data.mkdir()
    data.chmod(0o555)
    try:
        with pytest.raises(paths_mod.FolderRefused, match="cannot write to"):
            paths_mod.resolve(data).ensure()
        assert stat.S_IMODE(data.stat().st_mode) == 0o555
    finally:
        data.chmod(0o700)


def test_the_cli_on_a_read_only_folder_says_so_without_a_traceback(
    read_only_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    for args in (["list"], ["backup"]):
        assert main(["--data-dir", str(read_only_folder), *args]) == 1
        err = capsys.readouterr().err
        assert "cannot write to" in err and "read-only" in err.lower(), err
        assert "unexpected error" not in err and "Traceback" not in err
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["backups", "logs"]
