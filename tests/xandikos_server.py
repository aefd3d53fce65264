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

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.carddav_server import USER, Radicale, _free_port


class Xandikos(Radicale):
    """The same helpers as for Radicale; the books live under the principal's contacts/."""

    def book_url(self, name: str = "contacts") -> str:
        return f"{self.url}/{USER}/contacts/{name}/"


@contextmanager
def xandikos(root: Path) -> Iterator[Xandikos]:
    root.mkdir(parents=True, exist_ok=True)
    # Xandikos does not report the port it got for port 0: a free one is chosen, and
    # another if something took it meanwhile.
    for _attempt in range(5):
        port = _free_port()
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "xandikos", "serve", "--directory", str(root / "data")),
                *("--autocreate", "--current-user-principal", f"/{USER}/"),
                *("--listen-address", "127.0.0.1", "--port", str(port)),
                *("--state-dir", str(root / "state"), "--no-detect-systemd"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        if proc.poll() is None and time.monotonic() < deadline:
            break
        proc.kill()
        proc.wait(10)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr is not None:
            proc.stderr.close()
        if "address already in use" not in err.lower():
            raise RuntimeError(f"Xandikos did not start: {err}")
    else:
        raise RuntimeError("Xandikos found no free port")
    try:
        yield Xandikos(url, root)
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()
