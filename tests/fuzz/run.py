"""The long fuzz run: tests/fuzz with a large example budget, round after round with fresh
random seeds, until the time is up; then the examples tried and the failures.

    python -m tests.fuzz.run [--minutes N] [--examples K]

(``python3 tasks.py fuzz`` runs this in .venv.) Each round is one pytest run of tests/fuzz
with SECOND_ACT_FUZZ=long; a failing example is printed by pytest as Hypothesis shrank it,
and kept in .hypothesis/ so that the next run tries it first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tasks.py fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long (default 5)")
    parser.add_argument(
        "--examples", type=int, default=300, help="examples per test and round (default 300)"
    )
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.minutes * 60
    tried: Counter[str] = Counter()
    failed: list[str] = []
    rounds = 0
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "round.json"
        while time.monotonic() < deadline and not failed:
            rounds += 1
            env = dict(
                os.environ,
                SECOND_ACT_FUZZ="long",
                SECOND_ACT_FUZZ_EXAMPLES=str(args.examples),
                SECOND_ACT_FUZZ_REPORT=str(report),
                QT_QPA_PLATFORM="offscreen",
            )
            left = max(60, int(deadline - time.monotonic()) + 600)
            cmd = [
                sys.executable, "-m", "pytest", "tests/fuzz", "-q", "-p", "no:cacheprovider",
                f"--timeout={left}", "--hypothesis-seed", str(int.from_bytes(os.urandom(4))),
            ]  # fmt: skip
            print(f"round {rounds}: {' '.join(cmd[1:])}", flush=True)
            code = subprocess.call(cmd, cwd=ROOT, env=env)
            if not report.exists():
                print(f"round {rounds} ended without a report (exit status {code})")
                return code or 1
            counts = json.loads(report.read_text(encoding="utf-8"))
            report.unlink()
            tried.update(counts["tried"])
            failed.extend(counts["failed"])
            if code not in (0, 1):  # 1: tests failed (listed); anything else: pytest broke
                print(f"pytest stopped with exit status {code}")
                return code
    total = sum(tried.values())
    print(f"\nfuzz: {rounds} rounds, {total} examples tried")
    for name, n in sorted(tried.items()):
        print(f"  {name}: {n}")
    if failed:
        print(f"{len(failed)} failing:")
        for nodeid in failed:
            print(f"  {nodeid}")
        return 1
    print("no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
