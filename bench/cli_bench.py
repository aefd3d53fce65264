"""The command line at the size of a long career, against khard (the terminal address book
built on vobject) over the same contacts, measured in the same run.

    python bench/cli_bench.py [CARDS] [--data DIR]     (default 50,000; khard gets 10,000)

- `second-act list --json` of every contact (from a fresh process to the last byte), against
  the same command over an empty database (what starting Python and opening costs).
  Target (issue 11): under 2 s at 50,000.
- `second-act list --search TERM` against `khard list TERM` over the same 10,000 contacts,
  khard reading them from a vdir (one .vcf per contact, as it keeps them). Target: at least
  20 times faster than khard.

khard is installed by `python tasks.py bench` (or `pip install khard` into .venv).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import arguments, build_database, header, row

from app.services.contacts import list_contact_ids
from app.services.exporting import export_contacts
from app.storage.db import open_database

SEARCHES = ["okafor", "grace", "contoso", "maya lind", "research", "zz-nobody"]
BIN = Path(sys.executable).parent
# Both tools with their bytecode written, as installed programs have it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        # khard answers 1 when nothing matches: only a crash (or a signal) is a failure here
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{cmd[0]} failed: {done.stderr.decode()[-500:]}")
        best = min(best, time.perf_counter() - start)
    return best


def second_act(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "app", "--data-dir", str(data), *args]


def khard_setup(tmp: Path, data: Path) -> list[str]:
    """A vdir of the same contacts and a khard configuration reading it."""
    vdir = tmp / "vdir"
    db = open_database(data / "second-act.sqlite3")
    with db.session() as s:
        export_contacts(s, list_contact_ids(s), vdir, "3.0", folder=True)
    db.close()
    config = tmp / "khard.conf"
    config.write_text(
        f"[addressbooks]\n[[bench]]\npath = {vdir}\n\n[general]\ndebug = no\n"
        "default_action = list\neditor = true\nmerge_editor = true\n"
    )
    khard = shutil.which("khard", path=str(BIN)) or shutil.which("khard")
    if khard is None:
        sys.exit("khard is not installed: python tasks.py bench installs it")
    return [khard, "-c", str(config)]


def main() -> None:
    (n,), given = arguments([50_000])
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        big = given or build_database(tmp / "big", n, 0).parent
        small = build_database(tmp / "small", 10_000, 0).parent
        empty = tmp / "empty"
        subprocess.run(second_act(empty, "list"), check=True, capture_output=True, env=ENV)
        lines = [
            row(
                f"list --json, {n:,} contacts",
                timed(second_act(big, "list", "--json"), 2),
                timed(second_act(empty, "list", "--json")),
                "s",
                "< 2 s (baseline: empty)",
            )
        ]
        khard = khard_setup(tmp, small)
        ours, theirs = [], []
        for term in SEARCHES:
            ours.append(timed(second_act(small, "list", "--search", term)))
            theirs.append(timed([*khard, "list", *term.split()], 1))  # 10 s a call
        lines.append(
            row(
                "list --search, 10,000 contacts (median)",
                statistics.median(ours),
                statistics.median(theirs),
                "s",
                "ratio <= 0.05 (20x khard)",
            )
        )
    print(header("ours", "baseline"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
