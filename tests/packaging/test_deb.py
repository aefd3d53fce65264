"""The Debian package, made from the same bundle test_bundle.py builds: checked by lintian,
installed with apt-get, started under Xvfb through `gio open` on a .vcf, then purged.

The install test changes the machine (it needs root): it installs the package and whatever
its Depends pull in, and purges the package again; the libraries stay, as after any apt-get
install. Where second-act is already installed it is skipped rather than replace that copy."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import APP_ID, __version__
from tests.conftest import ROOT, VCARDS

pytestmark = pytest.mark.slow

INSTALLED = Path("/usr/lib/second-act/second-act")
PREVIEW_TITLE = "Import address book"
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600"]
WATCHED = ("/usr", "/etc", "/opt")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (tasks.py test installs it where it can)")
    return path


@pytest.fixture(scope="module")
def deb(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is missing: the .deb is built on Debian and Ubuntu only")
    out = tmp_path_factory.mktemp("deb")
    built = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging/build_deb.py"),
            str(bundle.parent),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr
    (package,) = out.glob("*.deb")
    return package


def field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_deb_has_the_app_its_menu_entry_and_the_libraries_qt_needs(deb: Path, bundle: Path) -> None:
    assert deb.name == f"second-act_{__version__}_amd64.deb"
    assert field(deb, "Package") == "second-act" and field(deb, "Version") == __version__
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    paths = {line.split()[5].removeprefix(".") for line in listing.splitlines()}
    for path in (
        "/usr/bin/second-act",
        "/usr/lib/second-act/second-act",
        f"/usr/share/applications/{APP_ID}.desktop",
        f"/usr/share/metainfo/{APP_ID}.metainfo.xml",
        f"/usr/share/icons/hicolor/256x256/apps/{APP_ID}.png",
        f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
        "/usr/share/doc/second-act/copyright",
    ):
        assert path in paths
    assert "/usr/bin/second-act -> ../lib/second-act/second-act" in listing
    # Every library the X11 platform plugin links to is either in the package or named
    # (by its package) in Depends: checked here against dpkg's own database.
    depends = {d.split()[0] for d in field(deb, "Depends").split(", ")}
    carried = {p.rsplit("/", 1)[-1] for p in paths}
    plugin = bundle.parent / "_internal/PySide6/Qt/plugins/platforms/libqxcb.so"
    qpa = bundle.parent / "_internal/PySide6/Qt/lib/libQt6XcbQpa.so.6"
    needed = {
        line.split()[1]
        for lib in (plugin, qpa)
        for line in subprocess.run(
            ["objdump", "-p", str(lib)], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if line.strip().startswith("NEEDED")
    }
    from_system = needed - carried
    assert "libxcb.so.1" in from_system  # PyInstaller never bundles it
    for soname in from_system:
        owner = subprocess.run(
            ["dpkg-query", "-S", f"*/{soname}"], capture_output=True, text=True
        ).stdout
        owners = {line.split(":")[0] for line in owner.splitlines() if line.endswith(soname)}
        assert owners & depends, f"{soname} ({owners}) not in Depends: {depends}"
    maintainer = subprocess.run(
        ["dpkg-deb", "--ctrl-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    assert b"update-desktop-database" in maintainer


def test_lintian_finds_no_errors(deb: Path) -> None:
    result = subprocess.run(
        [tool("lintian"), "--fail-on", "error", "--no-tag-display-limit", str(deb)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert result.returncode == 0 and not errors, result.stdout + result.stderr


def files_under(*roots: str) -> set[str]:
    found: set[str] = set()
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            found.update(os.path.join(dirpath, n) for n in dirnames + filenames)
    return found


def installed_packages() -> set[str]:
    listed = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split()[0] for line in listed.splitlines() if line.endswith(" installed")}


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private X display, its number chosen by Xvfb itself."""
    read, write = os.pipe()
    server = subprocess.Popen(
        [
            tool("Xvfb"),
            "-displayfd",
            str(write),
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "1280x1024x24",
        ],
        pass_fds=[write],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 60)
        assert ready, "Xvfb did not start"
        number = os.read(read, 64).decode().strip()
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        os.close(read)
        server.terminate()
        server.wait(timeout=30)


def window_with_title(display: str, title: str) -> tuple[str, int] | None:
    """(window id, process id) of a window on *display* whose title starts with *title*."""
    tree = subprocess.run(
        ["xwininfo", "-display", display, "-root", "-tree"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(rf'^\s*(0x[0-9a-f]+) "{re.escape(title)}', tree, re.MULTILINE)
    if found is None:
        return None
    prop = subprocess.run(
        ["xprop", "-display", display, "-id", found.group(1), "_NET_WM_PID"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return found.group(1), int(prop.rsplit("=", 1)[1])


@pytest.fixture
def may_install() -> None:
    """Skip unless this test may install and purge the package here."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        pytest.skip("installing the .deb needs root and apt-get")
    for name in ("gio", "xwininfo", "xprop"):
        tool(name)
    if "second-act" in installed_packages():
        pytest.skip("second-act is installed on this machine: the test would replace it")


def test_installed_app_opens_a_double_clicked_vcard_and_purge_leaves_nothing(
    deb: Path, may_install: None, xvfb: str, tmp_path: Path
) -> None:
    before = files_under(*WATCHED)

    install = subprocess.run(
        [*APT, "install", str(deb)], capture_output=True, text=True, env=APT_ENV, timeout=900
    )
    app: int | None = None
    try:
        assert install.returncode == 0, install.stdout + install.stderr
        owned = subprocess.run(
            ["dpkg-query", "-L", "second-act"], capture_output=True, text=True, check=True
        ).stdout.split("\n")
        assert os.path.realpath("/usr/bin/second-act") == str(INSTALLED)

        # A desktop session of a user who has chosen nothing for vCards.
        home = tmp_path / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SECOND_ACT", "XDG_"))}
        env |= {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "DISPLAY": xvfb,
            "QT_QPA_PLATFORM": "xcb",
        }
        mime = subprocess.run(
            ["gio", "mime", "text/vcard"], capture_output=True, text=True, env=env, check=True
        ).stdout
        assert f"Default application for “text/vcard”: {APP_ID}.desktop" in mime, mime
        card = tmp_path / "Joe Friday.vcf"
        shutil.copyfile(VCARDS / "khard" / "joe.vcf", card)
        # (The app inherits gio's output: a file, not a pipe that would stay open with it.)
        output = tmp_path / "output.txt"
        with output.open("w") as out:
            opened = subprocess.run(
                ["gio", "open", str(card)], stdout=out, stderr=out, env=env, timeout=60
            )
        assert opened.returncode == 0, output.read_text()

        # The installed program starts and shows the import preview for that file.
        deadline = time.monotonic() + 120
        found = None
        while found is None and time.monotonic() < deadline:
            found = window_with_title(xvfb, PREVIEW_TITLE)
            if found is None:
                time.sleep(0.5)
        assert found is not None, f"no import preview within two minutes: {output.read_text()}"
        app = found[1]
        assert os.readlink(f"/proc/{app}/exe") == str(INSTALLED)
        data = home / ".local/share/second-act"
        assert (data / "second-act.sqlite3").exists()
        assert not list((data / "logs").glob("crash-*.txt"))
    finally:
        if app is not None:
            stop(app)
        purge = subprocess.run(
            [*APT, "purge", "second-act"], capture_output=True, text=True, env=APT_ENV
        )
    assert purge.returncode == 0, purge.stdout + purge.stderr
    assert "second-act" not in installed_packages()
    assert not [p for p in owned if p and os.path.lexists(p) and not os.path.isdir(p)]
    # Nothing new under /usr, /etc and /opt that is ours: named after Second Act, or beside
    # a file the package had (caches there included), and owned by no package. (Files of the
    # libraries apt installed for Depends stay, as after any apt-get install; what other
    # work on a shared machine installs meanwhile is not the package's.)
    ours = {os.path.dirname(p) for p in owned if p and not os.path.isdir(p)}
    new = [
        p
        for p in sorted(files_under(*WATCHED) - before)
        if "second-act" in p or APP_ID in p or os.path.dirname(p) in ours
    ]
    left = [p for p in new if not owned_by_a_package(p)]
    assert not left, f"left behind after purge: {left}"


def owned_by_a_package(path: str) -> bool:
    return subprocess.run(["dpkg-query", "-S", path], capture_output=True).returncode == 0


def stop(pid: int) -> None:
    """End the app this test started (found by its window), then wait for it to be gone."""
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text(errors="replace"):
                return  # ended; its parent (not this test: gio started it) has yet to reap it
        except OSError:
            return
        time.sleep(0.2)
