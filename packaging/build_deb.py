#!/usr/bin/env python3
"""Make the Debian package dist/second-act_<version>_<arch>.deb from the PyInstaller folder.

    python packaging/build_deb.py [BUNDLE] [--out DIR]   (BUNDLE: dist/second-act)

The package holds the folder in /usr/lib/second-act, the command /usr/bin/second-act, the
desktop entry (which makes Second Act a handler of vCard files), the AppStream file, the
hicolor icons and maintainer scripts that refresh the desktop's caches. Its Depends are
worked out from the binaries themselves: every library a binary needs that the folder does
not carry is looked up in dpkg's database of this (the build) machine. Needs dpkg-deb,
objdump (binutils) and ldconfig, as any Debian or Ubuntu machine with dpkg-dev has.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.secondact.SecondAct"
PACKAGE = "second-act"
LIB = Path("usr/lib") / PACKAGE
MAINTAINER = "The Second Act developers <second-act@users.noreply.github.com>"
HOMEPAGE = "https://github.com/second-act/second-act"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PLUGINS = "PySide6/Qt/plugins/"
# Qt plugins a Second Act window cannot do without; every other plugin is optional (Wayland,
# the GTK theme, KMS/EGL full-screen, VNC...) and Qt falls back to X11 (or XWayland) when an
# optional one cannot load. What optional plugins need goes into Recommends, not Depends.
REQUIRED_PLUGINS = (
    "platforms/libqxcb.so",
    "platforms/libqoffscreen.so",
    "platforms/libqminimal.so",
    "xcbglintegrations/",
    "imageformats/",
    "iconengines/",
    "platforminputcontexts/",
    "generic/",
    "networkinformation/",
    "tls/",
)
DESCRIPTION = """\
networking assistant for career changers
 Second Act helps you network your way into a second career. It keeps the
 address book you already have (Outlook, Apple Contacts, Google, LinkedIn) on
 your own computer, shows who works where and in which industry, remembers how
 you met and who introduced whom, prepares informational interviews and sends
 personal, one-person-at-a-time outreach from your own mail account.
 .
 Double-clicking a vCard (.vcf) file opens it in Second Act's import preview."""
# Run by dpkg after install (postinst) and after removal (postrm): the MIME type to
# application cache (mimeinfo.cache, which update-desktop-database writes) is how desktops
# and gio/xdg-open find Second Act for a .vcf; the icon cache is refreshed only where one
# exists. Debian's desktop-file-utils and gtk-update-icon-cache also do this by dpkg
# triggers; the scripts do it for systems where those triggers are missing.
REFRESH = """\
#!/bin/sh
# Refresh the desktop's caches so that Second Act appears in (or leaves) the application
# menu and opens vCard files: the MIME type to application cache, and the icon cache.
set -e
refresh() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q /usr/share/applications || true
    fi
    if [ -f /usr/share/icons/hicolor/icon-theme.cache ] \\
        && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
}
"""
POSTINST = REFRESH + 'if [ "$1" = configure ]; then\n    refresh\nfi\nexit 0\n'
POSTRM = REFRESH + ('case "$1" in\n    remove|purge)\n        refresh\n        ;;\nesac\nexit 0\n')
# What lintian reports about any PyInstaller folder, each with the reason it stays. (Shared
# objects are stripped, so unstripped-binary-or-object, an error too, is fixed, not hidden.)
LINTIAN_OVERRIDES = """\
# Second Act ships as a PyInstaller folder: its own Python, Qt and the libraries they were
# built with, so that one build behaves the same everywhere (as the Windows and macOS builds
# do). These copies are the app's own, loaded only by it, and are not meant to be Debian's.
second-act: embedded-library *
# Python's extension modules take libc's symbols from the interpreter that loads them.
second-act: library-not-linked-against-libc *
# libblkid and libmount (pulled in by GLib) name sensible-pager in a string; Second Act
# never asks them to page anything.
second-act: missing-depends-on-sensible-utils *
# The interpreter's RUNPATH names the build machine's Python folder (and Qt's, $ORIGIN, its
# own folder): the loader finds the bundled libraries beside them either way.
second-act: custom-library-search-path *
"""


def app_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not found:
        sys.exit("build_deb: no __version__ in app/__init__.py")
    return found.group(1)


def ldconfig() -> str:
    """ldconfig is in /sbin, which may not be on a user's PATH."""
    return shutil.which("ldconfig") or "/sbin/ldconfig"


def release_date(version: str) -> str:
    """The release's date from the AppStream file, as a Debian changelog wants it."""
    metainfo = (ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml").read_text("utf-8")
    found = re.search(rf'<release version="{re.escape(version)}" date="([0-9-]+)"', metainfo)
    if not found:
        sys.exit(f"build_deb: the metainfo file has no <release> for {version}")
    import datetime as dt

    day = dt.date.fromisoformat(found.group(1))
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).strftime(
        "%a, %d %b %Y %H:%M:%S +0000"
    )


def out(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def dynamic(path: Path) -> tuple[list[str], set[str]]:
    """The sonames *path* needs, and the GLIBC_ symbol versions it requires."""
    needed, glibc = [], set()
    for line in out("objdump", "-p", str(path)).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "NEEDED":
            needed.append(parts[1])
        elif parts and parts[-1].startswith("GLIBC_") and parts[-1][6:7].isdigit():
            glibc.add(parts[-1].removeprefix("GLIBC_"))
    return needed, glibc


def version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", v))


def is_required(rel: str) -> bool:
    _, plugins, plugin = rel.partition(PLUGINS)
    return not plugins or plugin.startswith(REQUIRED_PLUGINS)


def system_libraries(folder: Path) -> tuple[dict[str, set[str]], str]:
    """Which sonames the folder's binaries need from the system: for each soname, whether
    a required part needs it ("required") or only optional plugins do (their paths); and
    the newest GLIBC version any of them needs."""
    elves = [p for p in sorted(folder.rglob("*")) if is_elf(p)]
    carried = {p.name for p in folder.rglob("*") if p.name.startswith("lib") or ".so" in p.name}
    info = {p: dynamic(p) for p in elves}
    by_name: dict[str, list[Path]] = {}
    for p in elves:
        by_name.setdefault(p.name, []).append(p)

    def closure(roots: Iterable[Path]) -> tuple[set[Path], set[str]]:
        seen: set[Path] = set()
        outside: set[str] = set()
        todo = list(roots)
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            for soname in info[p][0]:
                if soname in by_name:
                    todo.extend(by_name[soname])
                elif soname not in carried:
                    outside.add(soname)
        return seen, outside

    # Roots: the program, Python's extension modules (named without "lib") and the plugins,
    # which Qt loads by path; libraries count for what links to them.
    plugins = [p for p in elves if PLUGINS in p.relative_to(folder).as_posix()]
    optional_roots = [p for p in plugins if not is_required(p.relative_to(folder).as_posix())]
    required_roots = [
        p
        for p in elves
        if p not in optional_roots and (p in plugins or not p.name.startswith("lib"))
    ]
    required, needs = closure(required_roots)
    optional, _ = closure(optional_roots)
    # A library nothing in the folder links to was collected for a reason (ctypes): keep it.
    orphans = [p for p in elves if p not in required and p not in optional]
    more, more_needs = closure(orphans)
    required |= more
    needs |= more_needs
    found: dict[str, set[str]] = {s: {"required"} for s in needs}
    for p in optional - required:
        for soname in info[p][0]:
            if soname not in needs and soname not in by_name and soname not in carried:
                found.setdefault(soname, set()).add(p.relative_to(folder).as_posix())
    glibc = max((v for p in required for v in info[p][1]), key=version_key, default="2.17")
    return found, glibc


def ldconfig_paths() -> dict[str, str]:
    """soname -> path, for this machine's architecture (what the dynamic loader would use)."""
    machine = "x86-64" if os.uname().machine == "x86_64" else os.uname().machine
    paths: dict[str, str] = {}
    for line in out(ldconfig(), "-p").splitlines()[1:]:
        name, _, rest = line.strip().partition(" (")
        flags, _, path = rest.partition(") => ")
        if path and (machine in flags or "," not in flags):
            paths.setdefault(name, path)
    return paths


def owners(paths: dict[str, str]) -> dict[str, str]:
    """soname -> the Debian package that has it installed here."""
    candidates: dict[str, str] = {}
    for soname, path in paths.items():
        real = os.path.realpath(path)
        for p in {path, real, re.sub(r"^/usr/lib/", "/lib/", real), "/usr" + path}:
            candidates[p] = soname
    result = subprocess.run(
        ["dpkg-query", "-S", *candidates], capture_output=True, text=True, check=False
    )
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        package, _, path = line.partition(": ")
        if path in candidates and "," not in package:
            found.setdefault(candidates[path], package.split(":")[0])
    return found


def dependencies(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """Depends and Recommends for the folder, and notes on what could not be named."""
    needs, glibc = system_libraries(folder)
    located = ldconfig_paths()
    package_of = owners({s: located[s] for s in needs if s in located})
    missing = sorted(s for s, why in needs.items() if "required" in why and s not in package_of)
    if missing:
        sys.exit(
            "build_deb: the bundle needs these libraries from the system, but they are not "
            f"installed on this build machine, so their packages cannot be named: {missing}. "
            "Install them (apt-get install, see packaging/README.md) and build again."
        )
    depends: set[str] = set()
    recommends: set[str] = set()
    notes = []
    for soname, why in sorted(needs.items()):
        package = package_of.get(soname)
        if "required" in why:
            assert package is not None
            depends.add(package)
        elif package is not None:
            recommends.add(package)
        else:
            users = sorted(why)
            more = f" and {len(users) - 2} more" if len(users) > 2 else ""
            notes.append(f"{soname} (for {', '.join(users[:2])}{more}) is not installed here")
    libc = package_of.get("libc.so.6", "libc6")
    depends.discard(libc)
    return [f"{libc} (>= {glibc})", *sorted(depends)], sorted(recommends - depends), notes


def install(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(mode)


def gzipped(text: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.encode("utf-8"))


def strip(folder: Path) -> None:
    """Debug symbols out of the shared objects, as dh_strip does. Not the program itself:
    PyInstaller appends the app's archive to it, which strip would cut off."""
    objects = [str(p) for p in folder.rglob("*.so*") if is_elf(p)]
    subprocess.run(
        [
            "strip",
            "--strip-unneeded",
            "--remove-section=.comment",
            "--remove-section=.note",
            *objects,
        ],
        check=True,
    )


def normalise_modes(stage: Path) -> None:
    """Directories 0755; programs 0755; everything else, shared libraries too, 0644."""
    for dirpath, _, filenames in os.walk(stage):
        Path(dirpath).chmod(0o755)
        for name in filenames:
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            executable = p.stat().st_mode & 0o111 and ".so" not in name
            p.chmod(0o755 if executable else 0o644)


def copyright_text() -> str:
    return f"""\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Second Act
Source: {HOMEPAGE}

Files: *
Copyright: 2026 The Second Act developers
License: GPL-3.0-or-later

Files: {LIB}/_internal/*
Copyright: The authors of Python, Qt, PySide6 and the Python packages Second Act uses,
 and of the system libraries PyInstaller collected with them
License: various-free
 This folder is the PyInstaller bundle: the Python interpreter (PSF-2.0), Qt 6
 and PySide6 (LGPL-3), SQLAlchemy, Alembic, Jinja2, httpx (MIT/BSD), vobject
 (Apache-2.0), phonenumbers (Apache-2.0), keyring (MIT) and the libraries they
 link to, each under its own free licence; the *.dist-info folders beside them
 hold the licence texts that the packages ship.

License: GPL-3.0-or-later
 This program is free software: you can redistribute it and/or modify it under
 the terms of the GNU General Public License as published by the Free Software
 Foundation, either version 3 of the License, or (at your option) any later
 version.
 .
 On Debian systems, the complete text of the GNU General Public License version 3
 can be found in "/usr/share/common-licenses/GPL-3".
"""


def stage_tree(bundle: Path, stage: Path, version: str) -> None:
    shutil.copytree(bundle, stage / LIB, symlinks=True)
    (stage / "usr/bin").mkdir(parents=True)
    (stage / "usr/bin" / PACKAGE).symlink_to(Path("..") / "lib" / PACKAGE / PACKAGE)
    linux = ROOT / "packaging" / "linux"
    share = stage / "usr/share"
    install(linux / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop")
    install(linux / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    icons = ROOT / "resources"
    for size in ICON_SIZES:
        install(
            icons / "icons" / f"second-act-{size}.png",
            share / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png",
        )
    install(icons / "second-act.svg", share / f"icons/hicolor/scalable/apps/{APP_ID}.svg")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(copyright_text(), encoding="utf-8")
    gzipped(
        f"{PACKAGE} ({version}) unstable; urgency=medium\n\n"
        f"  * Second Act {version}: see {HOMEPAGE}/releases.\n\n"
        f" -- {MAINTAINER}  {release_date(version)}\n",
        doc / "changelog.gz",
    )
    overrides = share / "lintian" / "overrides" / PACKAGE
    overrides.parent.mkdir(parents=True)
    overrides.write_text(LINTIAN_OVERRIDES, encoding="utf-8")


def installed_size(stage: Path) -> int:
    """In KiB, as dpkg-gencontrol counts it: each file rounded up, one per other entry."""
    total = 0
    for p in stage.rglob("*"):
        if p.is_relative_to(stage / "DEBIAN"):
            continue
        total += -(-p.stat().st_size // 1024) if p.is_file() and not p.is_symlink() else 1
    return total


def control(stage: Path, version: str, arch: str, folder: Path) -> None:
    depends, recommends, notes = dependencies(folder)
    for note in notes:
        print(f"build_deb: optional: {note}", file=sys.stderr)
    debian = stage / "DEBIAN"
    debian.mkdir()
    fields = {
        "Package": PACKAGE,
        "Version": version,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_size(stage)),
        "Depends": ", ".join(depends),
        "Recommends": ", ".join(["xdg-utils", *recommends]),
        "Section": "misc",
        "Priority": "optional",
        "Homepage": HOMEPAGE,
        "Description": DESCRIPTION,
    }
    (debian / "control").write_text(
        "".join(f"{k}: {v}\n" for k, v in fields.items() if v), encoding="utf-8"
    )
    for name, text in (("postinst", POSTINST), ("postrm", POSTRM)):
        (debian / name).write_text(text, encoding="utf-8")
        (debian / name).chmod(0o755)
    sums = []
    for p in sorted(stage.rglob("*")):
        if p.is_file() and not p.is_symlink() and not p.is_relative_to(debian):
            digest = hashlib.md5(p.read_bytes(), usedforsecurity=False).hexdigest()
            sums.append(f"{digest}  {p.relative_to(stage).as_posix()}\n")
    (debian / "md5sums").write_text("".join(sums), encoding="utf-8")
    (debian / "md5sums").chmod(0o644)


def build(bundle: Path, out_dir: Path) -> Path:
    if not (bundle / PACKAGE).is_file():
        sys.exit(f"build_deb: no built Second Act in {bundle}: build the PyInstaller folder first")
    for tool in ("dpkg-deb", "objdump", "strip", ldconfig(), "dpkg-query"):
        if shutil.which(tool) is None:
            sys.exit(f"build_deb: {tool} is needed (apt-get install dpkg-dev binutils)")
    version = app_version()
    arch = out("dpkg", "--print-architecture").strip()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="second-act-deb-") as tmp:
        stage = Path(tmp) / f"{PACKAGE}_{version}_{arch}"
        stage_tree(bundle, stage, version)
        strip(stage / LIB)
        normalise_modes(stage)
        control(stage, version, arch, stage / LIB)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(stage), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / PACKAGE)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    print(build(args.bundle.resolve(), args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
