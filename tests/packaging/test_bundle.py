"""Build the frozen bundle and run it as a user would: slow, and part of the test command."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from app import __version__
from app.paths import resolve
from app.ui.window.single_instance import send_to_running
from tests.conftest import VCARDS

pytestmark = pytest.mark.slow


def run(exe: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=120)


def test_built_command_imports_and_lists(bundle: Path, tmp_path: Path) -> None:
    assert run(bundle, "--version").stdout.strip() == f"second-act {__version__}"
    data = str(tmp_path / "data")
    result = run(
        bundle,
        "--data-dir",
        data,
        "import",
        str(VCARDS / "ez-vcard" / "John_Doe_MS_OUTLOOK.vcf"),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["imported"] == 1
    listed = json.loads(run(bundle, "--data-dir", data, "list", "--json").stdout)
    assert listed[0]["full_name"] == "Mr. John Richter James Doe Sr."
    assert listed[0]["has_photo"] is True
    # The bundle carries vobject and the time zones for the calendar file.
    import datetime as dt

    from app.services import interviews as iv
    from app.storage.db import open_database

    db = open_database(resolve(Path(data)).database)
    with db.session() as s:
        iv.create_interview(
            s,
            iv.InterviewRecord(
                listed[0]["id"],
                status="scheduled",
                starts_at=dt.datetime(2026, 12, 3, 14, 30),
                tz="Europe/Berlin",
            ),
        )
    db.close()
    ics = tmp_path / "interviews.ics"
    result = run(bundle, "--data-dir", data, "interviews", "--ics", str(ics))
    assert result.returncode == 0, result.stderr
    assert "DTSTART;TZID=Europe/Berlin:20261203T143000" in ics.read_text(encoding="utf-8")


def test_built_command_reads_a_large_file_in_worker_processes(bundle: Path, tmp_path: Path) -> None:
    """Over 4 MB a file is read by worker processes, which a frozen build starts as itself:
    without multiprocessing.freeze_support() they would each run the command again."""
    from app.services.importing import PARALLEL_FROM
    from tests.bigfile import write_large_vcf

    big = write_large_vcf(tmp_path / "big.vcf")
    assert big.stat().st_size > PARALLEL_FROM
    data = str(tmp_path / "data")
    result = run(bundle, "--data-dir", data, "import", str(big), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["imported"] == 2500
    listed = json.loads(run(bundle, "--data-dir", data, "list", "--json").stdout)
    assert len(listed) == 2500 and all(c["has_photo"] for c in listed)


def test_built_command_syncs_over_verified_tls(bundle: Path, tmp_path: Path) -> None:
    """httpx, truststore and the TLS stack made it into the bundle: the frozen command finds
    and syncs a real CardDAV server over HTTPS whose CA the system trusts."""
    import trustme

    from tests.carddav_server import PASSWORD, USER, radicale

    ca = trustme.CA()
    pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    with radicale(tmp_path / "radicale", tls=ca) as srv:
        srv.make_book()
        srv.put("ann.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ann\r\nFN:Ann Lee\r\nEND:VCARD\r\n")
        env = dict(
            os.environ,
            SSL_CERT_FILE=str(pem),
            SECOND_ACT_CARDDAV_PASSWORD=PASSWORD,
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # no password store
        )
        data = str(tmp_path / "data")
        cmd = [str(bundle), "--data-dir", data, "sync", "--json"]
        out = subprocess.run(
            [*cmd, "--add-account", srv.url, "--user", USER],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)[0]["added_here"] == 1
        system_only = {k: v for k, v in env.items() if k != "SSL_CERT_FILE"}
        untrusted = subprocess.run(
            cmd, capture_output=True, text=True, env=system_only, timeout=120
        )
        (problem,) = json.loads(untrusted.stdout)[0]["problems"]
        assert "so Second Act did not send your password" in problem
        assert untrusted.returncode == 1


def test_built_window_comes_up_and_takes_files_from_a_second_launch(
    bundle: Path, tmp_path: Path, qapp: object
) -> None:
    paths = resolve(tmp_path / "gui")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    output = (tmp_path / "output.txt").open("w")
    proc = subprocess.Popen(
        [str(bundle), "--data-dir", str(paths.data_dir)],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        log = paths.logs / "second-act.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and "instance server listening: True" in log.read_text():
                break
            time.sleep(0.2)
        assert proc.poll() is None, (tmp_path / "output.txt").read_text()
        assert "instance server listening: True" in log.read_text()
        # What a double-click on a .vcf does while Second Act is open: the import's helper
        # process starts (the frozen program run again), reads it, and waits at the preview.
        assert send_to_running(paths, [str(VCARDS / "khard" / "joe.vcf")], timeout_ms=5000)
        helpers: list[int] = []
        deadline = time.monotonic() + (30 if Path("/proc").is_dir() else 0)
        while time.monotonic() < deadline and not helpers:
            helpers = children(proc.pid)
            time.sleep(0.2)
        assert helpers or not Path("/proc").is_dir(), "no import helper started"
        time.sleep(1)
        assert proc.poll() is None
        assert [h for h in helpers if Path(f"/proc/{h}").exists()] == helpers  # still waiting
        assert not list(paths.logs.glob("crash-*.txt"))
        assert paths.database.exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        output.close()
    # The window gone, the helper waiting for its answer ends too.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{h}").exists() for h in helpers):
        time.sleep(0.2)
    assert not [h for h in helpers if Path(f"/proc/{h}/status").exists() and not zombie(h)]


def children(parent: int) -> list[int]:
    """Processes whose parent is *parent* (Linux's /proc)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{parent}\n" in status:
                found.append(int(pid))
    return found


def zombie(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
