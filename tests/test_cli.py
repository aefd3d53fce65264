from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import main
from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.paths import AppPaths
from app.services.contacts import create_contact
from app.storage.db import open_database


def seed(paths: AppPaths) -> None:
    db = open_database(paths.database)
    with db.session() as s:
        create_contact(
            s,
            ContactRecord(
                given_name="Grace",
                family_name="Hopper",
                organization="US Navy",
                title="Rear Admiral",
                emails=[Labeled("grace@navy.example", "work")],
                phones=[Labeled("+1 555 0100")],
                urls=[Labeled("https://example.org/grace")],
                tags=["pioneer"],
                note="COBOL",
                birthday=Birthday(12, 9),
                photo=b"\xff\xd8\xff",
                photo_mime="image/jpeg",
                addresses=[
                    PostalAddress(
                        "work",
                        street="1 Navy Way",
                        city="Arlington",
                        region="VA",
                        postal_code="22202",
                        country="USA",
                    )
                ],
            ),
        )
        create_contact(s, ContactRecord(full_name="Alan Turing", birthday=Birthday(6, 23, 1912)))
    db.close()


def test_list_json_has_the_documented_shape(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(paths)
    assert main(["--data-dir", str(paths.data_dir), "list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["full_name"] for c in out] == ["Alan Turing", "Grace Hopper"]
    grace = out[1]
    assert grace == {
        "id": 1,
        "last_contact": None,
        "interaction_count": 0,
        "full_name": "Grace Hopper",
        "given_name": "Grace",
        "family_name": "Hopper",
        "emails": ["grace@navy.example"],
        "phones": ["+1 555 0100"],
        "urls": ["https://example.org/grace"],
        "tags": ["pioneer"],
        "organization": "US Navy",
        "title": "Rear Admiral",
        "note": "COBOL",
        "birthday": "--12-09",
        "has_photo": True,
        "addresses": [
            {
                "street": "1 Navy Way",
                "city": "Arlington",
                "region": "VA",
                "postal_code": "22202",
                "country": "USA",
            }
        ],
    }
    assert out[0]["birthday"] == "1912-06-23"
    assert out[0]["has_photo"] is False


def test_list_search_and_data_dir_after_the_command(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(paths)
    assert main(["list", "--search", "navy", "--json", "--data-dir", str(paths.data_dir)]) == 0
    assert [c["full_name"] for c in json.loads(capsys.readouterr().out)] == ["Grace Hopper"]


def test_environment_variable_chooses_the_data_folder(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(paths)
    monkeypatch.setenv("SECOND_ACT_DATA_DIR", str(paths.data_dir))
    assert main(["list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_empty_list_is_an_empty_json_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path / "new"), "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    "argv", [["list", "--bogus"], ["--bogus"], ["list", "--search"], ["export"], ["import"]]
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "second-act" in err


def test_refused_database_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "second-act.sqlite3").write_text("hello")
    assert main(["--data-dir", str(tmp_path / "d"), "list"]) == 1
    assert "not a Second Act database" in capsys.readouterr().err


def test_installed_command_prints_version_and_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"second-act {__version__}"
    helptext = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--data-dir" in helptext and "import" in helptext


def test_import_json_report_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import VCARDS

    d = str(tmp_path / "d")
    ok = VCARDS / "evolution-data-server" / "9.vcf"  # warnings only
    assert main(["--data-dir", d, "import", str(ok), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["merged"], report["skipped"]) == (1, 0, 0)
    assert {
        "file": "9.vcf",
        "line": 9,
        "message": "unreadable line “E” was dropped",
        "severity": "warning",
    } in report["problems"]
    bad = VCARDS / "sabre-io-vobject" / "issue64.vcf"  # a card with only a photo
    assert main(["--data-dir", d, "import", str(bad), str(ok), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["unchanged"], report["skipped"]) == (0, 1, 1)
    assert report["problems"][0]["file"] == "issue64.vcf"
    assert report["problems"][0]["line"] == 1


def test_export_file_and_folder(
    paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(paths)
    d = str(paths.data_dir)
    assert (
        main(["--data-dir", d, "export", str(tmp_path / "all.vcf"), "--vcard-version", "4.0"]) == 0
    )
    text = (tmp_path / "all.vcf").read_text(encoding="utf-8")
    assert text.count("VERSION:4.0") == 2 and "BDAY:--1209" in text
    assert main(["--data-dir", d, "export", str(tmp_path / "cards")]) == 0
    assert sorted(p.name for p in (tmp_path / "cards").iterdir()) == [
        "Alan Turing.vcf",
        "Grace Hopper.vcf",
    ]
    assert main(["--data-dir", d, "export", str(tmp_path / "x.vcf"), "--vcard-version", "2.1"]) == 2


def test_a_large_list_written_by_worker_processes_is_the_same_text(
    paths: AppPaths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """From PARALLEL_LIST_FROM contacts `list --json` is written by worker processes, a chunk
    each: the output must be byte for byte what one process writes, in the same order, with
    the last interaction each worker reads itself."""
    import datetime as dt

    from app import cli
    from app.services.contacts import delete_contacts
    from app.services.interactions import log_interaction

    seed(paths)
    db = open_database(paths.database)
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"Person {i:02d}")) for i in range(11)]
        log_interaction(s, ids[4], dt.date(2026, 3, 1), "coffee", "talked")
        delete_contacts(s, [ids[5]])
    db.close()
    args = ["--data-dir", str(paths.data_dir), "list", "--json"]
    assert main(args) == 0
    alone = capsys.readouterr().out
    monkeypatch.setattr(cli, "PARALLEL_LIST_FROM", 1)
    monkeypatch.setattr(cli, "LIST_CHUNK", 3)
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert main(args) == 0
    together = capsys.readouterr().out
    assert together == alone
    listed = json.loads(together)
    assert len(listed) == 12 and listed[0]["full_name"] == "Alan Turing"
    assert [c["last_contact"] for c in listed if c["id"] == ids[4]] == ["2026-03-01"]
    assert [c["interaction_count"] for c in listed if c["id"] in (ids[4], ids[3])] == [0, 1]
    assert main([*args, "--search", "nobody"]) == 0
    assert capsys.readouterr().out == "[]\n"


def test_import_of_a_file_without_any_card_is_an_error(tmp_path: Path) -> None:
    """20 KB of random bytes named .vcf: not an import of nothing that exits 0 (issue 22)."""
    import random

    noise = tmp_path / "noise.vcf"
    noise.write_bytes(random.Random(22).randbytes(20_000))
    run = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "import", str(noise)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "error: noise.vcf: no vCards found in this file" in run.stderr
    assert "0 new" in run.stdout


def test_export_to_a_folder_never_replaces_a_file_unasked(paths: AppPaths, tmp_path: Path) -> None:
    """Issue 22: one file per contact replaced what was in the folder; --overwrite allows it.
    Two contacts of the same name still get two files."""
    seed(paths)
    db = open_database(paths.database)
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Alan Turing", note="the other one"))
    db.close()
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "Grace Hopper.vcf").write_text("my own notes", encoding="utf-8")

    def export(*more: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir), "export"]
        return subprocess.run(
            [*command, str(folder), *more], capture_output=True, text=True, timeout=120
        )

    refused = export()
    assert refused.returncode == 1
    assert "1 file in" in refused.stderr and "Grace Hopper.vcf" in refused.stderr
    assert "--overwrite" in refused.stderr
    assert [p.name for p in folder.iterdir()] == ["Grace Hopper.vcf"]  # nothing written
    assert (folder / "Grace Hopper.vcf").read_text(encoding="utf-8") == "my own notes"

    done = export("--overwrite")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "Alan Turing (2).vcf",
        "Alan Turing.vcf",
        "Grace Hopper.vcf",
    ]
    assert "FN:Grace Hopper" in (folder / "Grace Hopper.vcf").read_text(encoding="utf-8")


def _with_reader_gone(
    paths: AppPaths, *args: str, buffered: bool = True
) -> subprocess.CompletedProcess[str]:
    """The real command, its standard output a pipe whose reader has already closed it
    (as `second-act list | head -1` once head has its line). *buffered*: output is written
    8 KB at a time, as from a shell, not as each line comes (PYTHONUNBUFFERED)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir), *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write)


@pytest.fixture
def many_names(paths: AppPaths) -> AppPaths:
    """A book whose list and duplicates fill more than standard output's buffer (8 KB)."""
    db = open_database(paths.database)
    with db.session() as s:
        for i in range(300):
            name = f"Person {i // 2:03d} With A Rather Long Given Name"
            create_contact(s, ContactRecord(given_name=name, family_name="Example"))
    db.close()
    return paths


@pytest.mark.parametrize(
    "command",
    [["list"], ["duplicates"], ["duplicates", "--json"], ["list", "--json"]],
    ids=" ".join,
)
def test_a_reader_that_stops_early_ends_the_command_quietly(
    many_names: AppPaths, command: list[str]
) -> None:
    """`second-act duplicates | head -1` wrote a crash report for the BrokenPipeError."""
    run = _with_reader_gone(many_names, *command)
    assert run.returncode == 141, run.stderr  # as `yes | head -1` is reported
    assert "second-act:" not in run.stderr and "Traceback" not in run.stderr
    assert list(many_names.logs.iterdir()) == []  # no crash report


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_short_output_whose_reader_stops_early_ends_quietly(
    paths: AppPaths, buffered: bool
) -> None:
    """Two lines: buffered, they are written only as the command ends (Python's own flush
    at exit said "Exception ignored … BrokenPipeError"); unbuffered, by the first print."""
    seed(paths)
    run = _with_reader_gone(paths, "list", buffered=buffered)
    assert run.returncode == 141, run.stderr
    assert run.stderr == ("2 contacts\n" if buffered else "")
    assert list(paths.logs.iterdir()) == []


def test_a_broken_pipe_that_is_not_the_output_still_gets_a_report(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a reader of the output that has gone ends a command quietly: a connection that
    broke (standard output still read) is an unexpected error, reported."""
    from app import cli

    def broken(*_args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    seed(paths)
    read, write = os.pipe()
    with os.fdopen(read, "rb") as reader, os.fdopen(write, "w") as out:
        monkeypatch.setattr(cli, "cmd_list", broken)
        monkeypatch.setattr(sys, "stdout", out)
        assert main(["--data-dir", str(paths.data_dir), "list"]) == 1
        monkeypatch.undo()
        assert not reader.closed
    assert "unexpected error (BrokenPipeError" in capsys.readouterr().err
    assert [p.name[:6] for p in paths.logs.iterdir()] == ["crash-"]
