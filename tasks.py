#!/usr/bin/env python3
"""Set up Second Act in a local virtual environment and run it or its checks.

    python3 tasks.py app [ARGS...]    set up, then start Second Act (ARGS go to second-act)
    python3 tasks.py test [ARGS...]   set up, then run ruff, mypy and the whole test suite
                                      (ARGS go to pytest)

Needs only Python 3.11 or newer; everything else is installed into .venv beside this file.
"""

from __future__ import annotations

import hashlib
import os
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


def test(args: list[str]) -> int:
    setup()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        run(PY, "-m", "ruff", "check", ".")
        run(PY, "-m", "ruff", "format", "--check", ".")
        run(PY, "-m", "mypy")
        run(PY, "-m", "pytest", *args, env=env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("app", "test"):
        print(__doc__)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    return app(args) if command == "app" else test(args)


if __name__ == "__main__":
    sys.exit(main())
