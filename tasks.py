#!/usr/bin/env python3
"""Set up Second Act in a local virtual environment and run it or its checks.

    python3 tasks.py app [ARGS...]    set up, then start Second Act (ARGS go to second-act)
    python3 tasks.py test [ARGS...]   set up, then run ruff, mypy and the whole test suite
                                      (ARGS go to pytest)
    python3 tasks.py setup            only set up .venv (used by packaging/build-linux.sh)
    python3 tasks.py bench [ARGS...]  set up (with khard, the benchmarks' baseline), then run
                                      every benchmark (bench/run_all.py; 10 to 15 minutes)
    python3 tasks.py fuzz [--minutes N]  set up, then fuzz the import (tests/fuzz) with a large
                                      example budget for N minutes (default 5)

Needs only Python 3.11 or newer; everything else is installed into .venv beside this file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".second-act-installed"


def run(*cmd: str | Path, **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)  # type: ignore[call-overload]


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs before any check of Python
        sys.exit(f"Second Act needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        run(
            PY,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--editable",
            ".[test]",
        )
        STAMP.write_text(wanted)


def app(args: list[str]) -> int:
    setup()
    return subprocess.call([str(PY), "-m", "app", *args], cwd=ROOT)


def desktop_tools() -> None:
    """The packaging tests validate with desktop-file-validate and appstreamcli: get them."""
    missing = [
        pkg
        for tool, pkg in (
            ("desktop-file-validate", "desktop-file-utils"),
            ("appstreamcli", "appstream"),
        )
        if not shutil.which(tool)
    ]
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)  # type: ignore[call-overload]
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=False,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            **quiet,
        )
    if any(not shutil.which(t) for t in ("desktop-file-validate", "appstreamcli")):
        print(f"note: install {' '.join(missing)} to run the desktop-file checks", flush=True)


def test(args: list[str]) -> int:
    setup()
    desktop_tools()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        run(PY, "-m", "ruff", "check", ".")
        run(PY, "-m", "ruff", "format", "--check", ".")
        run(PY, "-m", "mypy")
        run(PY, "-m", "pytest", *args, env=env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


def bench(args: list[str]) -> int:
    setup()
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "khard>=0.19")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.call([str(PY), str(ROOT / "bench" / "run_all.py"), *args], env=env)


def fuzz(args: list[str]) -> int:
    setup()
    return subprocess.call([str(PY), "-m", "tests.fuzz.run", *args], cwd=ROOT)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("app", "test", "setup", "bench", "fuzz"):
        print(__doc__)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup()
        return 0
    if command == "bench":
        return bench(args)
    if command == "fuzz":
        return fuzz(args)
    return app(args) if command == "app" else test(args)


if __name__ == "__main__":
    sys.exit(main())
