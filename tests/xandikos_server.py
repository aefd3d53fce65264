"""A real Xandikos CardDAV server on loopback for the sync tests, beside Radicale
(tests/carddav_server.py): started as a subprocess, stopped with the test.

Xandikos keeps each address book in a git repository and answers sync-collection by
diffing the snapshot a token names with the current one, where Radicale keeps a log of
changes: a client that saves a token read before its own writes loses what happens to
those cards afterwards on Xandikos only. It stores the bytes a client PUT as they came.

It runs without authentication (it only offers Basic over its own TLS): the sync still
sends its user name and password, which Xandikos ignores.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.carddav_server import USER, Radicale, ServerLog, dies_with_the_test


class Xandikos(Radicale):
    """The same helpers as for Radicale; the books live under the principal's contacts/."""

    def book_url(self, name: str = "contacts") -> str:
        return f"{self.url}/{USER}/contacts/{name}/"


# Xandikos does not report the port it got for port 0, but it serves a socket handed over by
# systemd: this launcher stands in for systemd's module and hands it one this process bound
# to port 0, so the port is never released between choosing and binding.
_LAUNCH = """
import runpy, socket, sys, types
fd = int(sys.argv.pop(1))
daemon = types.ModuleType("systemd.daemon")
daemon.booted = lambda: True
daemon.listen_fds = lambda: [fd]
daemon.is_socket = lambda _fd, family, type, listening: family == socket.AF_INET
systemd = types.ModuleType("systemd")
systemd.daemon = daemon
sys.modules.update({"systemd": systemd, "systemd.daemon": daemon})
sys.argv[0] = "xandikos"
runpy.run_module("xandikos", run_name="__main__")
"""


@contextmanager
def xandikos(root: Path) -> Iterator[Xandikos]:
    root.mkdir(parents=True, exist_ok=True)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    proc = subprocess.Popen(
        [
            *(sys.executable, "-c", _LAUNCH, str(listener.fileno())),
            *("serve", "--directory", str(root / "data")),
            *("--autocreate", "--current-user-principal", f"/{USER}/"),
            *("--state-dir", str(root / "state")),
        ],
        pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=dies_with_the_test,
    )
    listener.close()  # the server holds its own copy; connections queue until it accepts
    assert proc.stderr is not None
    log = ServerLog(proc.stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        try:  # answered once the server runs; refused once it has exited
            httpx.get(url + "/", timeout=30)
        except httpx.HTTPError:
            proc.kill()
            raise RuntimeError(f"Xandikos did not start: {log.text()}") from None
        yield Xandikos(url, root)
    finally:
        proc.terminate()
        proc.wait(10)
        log.text()  # the reader has seen the end of the pipe
