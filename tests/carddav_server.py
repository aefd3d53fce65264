"""A real Radicale CardDAV server on loopback for the sync tests (htpasswd authentication,
its own storage folder), started as a subprocess and stopped with the test."""

from __future__ import annotations

import ctypes
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

USER = "ann"
PASSWORD = "correct horse battery"


@dataclass
class Radicale:
    url: str
    root: Path
    verify: ssl.SSLContext | bool = True  # the test's own requests trust its own CA

    def book_url(self, name: str = "contacts") -> str:
        return f"{self.url}/{USER}/{name}/"

    def http(self) -> httpx.Client:
        return httpx.Client(auth=(USER, PASSWORD), timeout=30, verify=self.verify)

    def make_book(self, name: str = "contacts", display: str = "Contacts") -> str:
        """MKCOL an address book, as a phone or the server's web page would."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype>'
            "<d:collection/><c:addressbook/></d:resourcetype>"
            f"<d:displayname>{display}</d:displayname></d:prop></d:set></d:mkcol>"
        )
        with self.http() as h:
            r = h.request(
                "MKCOL",
                self.book_url(name),
                content=body,
                headers={"Content-Type": "application/xml; charset=utf-8"},  # Xandikos asks
            )
            assert r.status_code == 201, (r.status_code, r.text)
        return self.book_url(name)

    def cards(self, name: str = "contacts") -> dict[str, str]:
        """Every card the server holds in book *name*: {href: text}, read over HTTP."""
        from app.services import carddav

        verify = self.verify if isinstance(self.verify, ssl.SSLContext) else None
        with carddav.client(self.url, USER, PASSWORD, verify) as h:
            etags = carddav.list_etags(h, self.book_url(name))
            return {k: v[1] for k, v in carddav.fetch(h, self.book_url(name), list(etags)).items()}

    def put(self, href_name: str, text: str, name: str = "contacts") -> None:
        with self.http() as h:
            r = h.put(
                self.book_url(name) + href_name,
                content=text.encode("utf-8"),
                headers={"Content-Type": "text/vcard"},
            )
            assert r.status_code in (201, 204), (r.status_code, r.text)

    def delete(self, href: str) -> None:
        with self.http() as h:
            r = h.delete(self.url + href)
            assert r.status_code in (200, 204), r.status_code


class ServerLog:
    """Reads a server's stderr on a thread, so the pipe never fills, and waits for the line
    that reports the address it bound."""

    def __init__(self, stream: IO[bytes], pattern: str = r"(?!)") -> None:
        self.lines: deque[str] = deque(maxlen=200)  # at info level it logs each request
        self.port: int | None = None
        self._pattern = re.compile(pattern)
        self._found = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        with stream:
            for raw in stream:
                line = raw.decode(errors="replace")
                self.lines.append(line)
                m = self._pattern.search(line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                    self._found.set()
        self._found.set()  # the process ended

    def wait_port(self, timeout: float) -> int | None:
        self._found.wait(timeout)
        return self.port

    def text(self) -> str:
        self._thread.join(5)
        return "".join(self.lines)


def dies_with_the_test() -> None:
    """A server's preexec_fn: it is stopped when the test's process ends, even killed (a
    mutant's test run stopped at its time limit never reaches the fixture's teardown)."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(root: Path, ssl_conf: str, port: int) -> tuple[subprocess.Popen[bytes], ServerLog]:
    users = root / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    config = root / "config"
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}
{ssl_conf}[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = plain
[storage]
filesystem_folder = {root / "collections"}
[logging]
level = info
[web]
type = none
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=dies_with_the_test,
    )
    assert proc.stderr is not None
    return proc, ServerLog(proc.stderr, r"Listening on '127\.0\.0\.1:(\d+)'")


@contextmanager
def radicale(root: Path, tls: Any = None, port: int = 0) -> Iterator[Radicale]:
    """*tls*: a trustme.CA whose certificate for 127.0.0.1 the server presents (HTTPS);
    *port*: 0 for a free one.

    Radicale refuses port 0, so a free port is chosen first; the server is used only once
    its own log says it listens there (a request could be answered by another process that
    took the port meanwhile), and started again on another port if it could not bind."""
    root.mkdir(parents=True, exist_ok=True)
    ssl_conf = ""
    if tls is not None:
        pem = root / "server.pem"
        tls.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
        ssl_conf = f"ssl = True\ncertificate = {pem}\nkey = {pem}\n"
    for _attempt in range(5):
        proc, log = _start(root, ssl_conf, port or _free_port())
        bound = log.wait_port(30)
        if bound is not None:
            break
        proc.kill()
        proc.wait(10)
        if port or "cannot create server socket" not in log.text():
            raise RuntimeError(f"Radicale did not start: {log.text()}")
    else:
        raise RuntimeError("Radicale found no free port")
    try:
        url = f"{'https' if tls else 'http'}://127.0.0.1:{bound}"
        verify: ssl.SSLContext | bool = True
        if tls is not None:
            verify = ssl.create_default_context()
            tls.configure_trust(verify)
        yield Radicale(url, root, verify)
    finally:
        proc.terminate()
        proc.wait(10)
        log.text()  # the reader has seen the end of the pipe
