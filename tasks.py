#!/usr/bin/env python3
"""Set up Second Act in a local virtual environment and run it or its checks.

    python3 tasks.py app [ARGS...]    set up, then start Second Act (ARGS go to second-act)
    python3 tasks.py test [ARGS...]   set up, then run ruff, mypy and the whole test suite
                                      in two processes (ARGS go to pytest; -n 0: one)
    python3 tasks.py setup            only set up .venv (used by packaging/build-linux.sh)
    python3 tasks.py package          set up, build the PyInstaller folder dist/second-act/ and,
                                      on Debian or Ubuntu, dist/second-act_<version>_<arch>.deb
    python3 tasks.py bench [ARGS...]  set up (with khard, the benchmarks' baseline), then run
                                      every benchmark (bench/run_all.py; 10 to 15 minutes)
    python3 tasks.py fuzz [--minutes N]  set up, then fuzz the import (tests/fuzz) with a large
                                      example budget for N minutes (default 5)
    python3 tasks.py mutate [MODULE...]  set up, then the mutation score of each module that
                                      carries a promise, with its own tests (tests/mutation.py;
                                      --functions F,G and --recheck-timeouts are explained there)

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


# What the test suite needs from Debian: command -> package for the tools the tests run
# (desktop-file and AppStream checks, building and linting the .deb, starting the installed
# app under Xvfb and opening a .vcf with gio, a real IMAP server), and the libraries Qt's
# X11 platform plugin links to (PyInstaller bundles them, or the .deb names them in Depends:
# either way the build machine must have them) and its Wayland plugin's (never bundled:
# Recommends).
DEBIAN_TOOLS = {
    "desktop-file-validate": "desktop-file-utils",
    "appstreamcli": "appstream",
    "dpkg-deb": "dpkg",
    "objdump": "binutils",
    "lintian": "lintian",
    "Xvfb": "xvfb",
    "gio": "libglib2.0-bin",
    "update-mime-database": "shared-mime-info",
    "xdg-open": "xdg-utils",
    "xwininfo": "x11-utils",
    # The mail history tests read a real IMAP server, started by the tests on loopback.
    "dovecot": "dovecot-imapd",
}
QT_LIBRARIES = (
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libwayland-cursor0",
    "libwayland-egl1",
)


def _have(tool: str) -> bool:
    """On the PATH, or in the system folders a user's PATH may leave out (dovecot)."""
    return bool(shutil.which(tool)) or any(Path(d, tool).exists() for d in ("/usr/sbin", "/sbin"))


def debian_packages() -> None:
    """Install what DEBIAN_TOOLS and QT_LIBRARIES name where root may use apt-get; else
    the tests that need them say what is missing and are skipped."""
    if not sys.platform.startswith("linux"):
        return
    missing = sorted({pkg for tool, pkg in DEBIAN_TOOLS.items() if not _have(tool)})
    if shutil.which("dpkg-query"):
        listed = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n", *QT_LIBRARIES],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        have = {line.split()[0] for line in listed.splitlines() if line.endswith(" installed")}
        missing += [lib for lib in QT_LIBRARIES if lib not in have]
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"Installing {' '.join(missing)} for the tests …", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)  # type: ignore[call-overload]
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
            check=False,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            **quiet,
        )
    still = [tool for tool in DEBIAN_TOOLS if not _have(tool)]
    if still:
        print(f"note: without {' '.join(still)} some tests are skipped", flush=True)


def test(args: list[str]) -> int:
    setup()
    debian_packages()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        run(PY, "-m", "ruff", "check", ".")
        run(PY, "-m", "ruff", "format", "--check", ".")
        run(PY, "-m", "mypy")
        run(BIN / ("lint-imports.exe" if os.name == "nt" else "lint-imports"))  # the layers
        run(BIN / "actionlint", ROOT / ".github" / "workflows" / "release.yml")
        run(PY, "-m", "pytest", *workers(args), *args, env=env)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


def workers(args: list[str]) -> list[str]:
    """Two test processes (pytest-xdist), for the two cores CI and most machines have, unless
    ARGS choose (-n N, -n 0 for one process, or -p no:xdist)."""
    chosen = any(a.startswith(("-n", "--numprocesses")) or a.endswith("no:xdist") for a in args)
    return [] if chosen else ["-n", "2"]


def bench(args: list[str]) -> int:
    setup()
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "khard>=0.19")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.call([str(PY), str(ROOT / "bench" / "run_all.py"), *args], env=env)


def fuzz(args: list[str]) -> int:
    setup()
    return subprocess.call([str(PY), "-m", "tests.fuzz.run", *args], cwd=ROOT)


def mutate(args: list[str]) -> int:
    setup()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.call([str(PY), str(ROOT / "tests" / "mutation.py"), *args], env=env)


def package() -> int:
    """The PyInstaller folder, then the system's package of it (the .deb on Debian/Ubuntu;
    the Windows installer and the macOS .dmg are made by .github/workflows/release.yml)."""
    setup()
    try:
        run(PY, "-m", "PyInstaller", "--noconfirm", "--clean", "packaging/second-act.spec")
        if sys.platform.startswith("linux") and shutil.which("dpkg-deb"):
            run(PY, "packaging/build_deb.py", "dist/second-act", "--out", "dist")
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in (
        "app",
        "test",
        "setup",
        "bench",
        "package",
        "mutate",
        "fuzz",
    ):
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
    if command == "package":
        return package()
    if command == "mutate":
        return mutate(args)
    return app(args) if command == "app" else test(args)


if __name__ == "__main__":
    sys.exit(main())
