"""A real Radicale CardDAV server on loopback for the sync tests (htpasswd authentication,
its own storage folder), a process of its own, stopped with the test.

Each server is forked from a process that has imported Radicale once (`_Zygote`): starting
`python -m radicale` anew cost about 0.2 s of CPU a test, most of the sync tests' time and
of a mutation run's (tests/mutation.py runs them for each mutant)."""

from __future__ import annotations

import atexit
import ctypes
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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

    def __init__(self, stream: IO[bytes] | Path, pattern: str = r"(?!)") -> None:
        """*stream*: the server's stderr, or a FIFO it writes it to (opened by the reader:
        opening a FIFO waits for the writer)."""
        self.lines: deque[str] = deque(maxlen=200)  # at info level it logs each request
        self.port: int | None = None
        self._pattern = re.compile(pattern)
        self._found = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, source: IO[bytes] | Path) -> None:
        with source.open("rb") if isinstance(source, Path) else source as stream:
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

    def ended(self, timeout: float) -> bool:
        """Whether the writer closed its end (the server's process ended) within *timeout*."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


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


# The zygote: imports Radicale, then forks a server for each line "config<TAB>fifo" it reads
# and answers its pid. It dies with the test's process, and each server with it.
_ZYGOTE = r"""
import ctypes, os, signal, sys
import radicale.__main__
libc = ctypes.CDLL(None, use_errno=True)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the servers that end are reaped at once
for line in sys.stdin:
    config, fifo = line.rstrip("\n").split("\t")
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: ends with the zygote
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(os.open(fifo, os.O_WRONLY), 2)
        sys.argv = ["radicale", "--config", config]
        try:
            radicale.__main__.run()
        finally:
            os._exit(0)
    print(pid, flush=True)
"""


class _Zygote:
    """One per test process (a forked test process starts its own)."""

    _current: _Zygote | None = None

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=dies_with_the_test,
        )

    def close(self) -> None:
        """Ends the zygote (its input closed: it returns, and its servers get SIGTERM), if
        this process started it; a copy inherited through a fork (mutmut forks a test process
        per mutant) is only let go: not this process's to end or wait for."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.stdout.close()
        if self.owner == os.getpid():
            self.proc.wait(10)
        else:
            self.proc.returncode = 0  # so that it is not "still running" when collected

    @classmethod
    def fork(cls, config: Path, fifo: Path) -> int:
        z = cls._current
        if z is None or z.owner != os.getpid() or z.proc.poll() is not None:
            if z is not None:
                z.close()
            z = cls._current = cls()
            atexit.register(z.close)
        with z.lock:
            assert z.proc.stdin is not None and z.proc.stdout is not None
            z.proc.stdin.write(f"{config}\t{fifo}\n")
            z.proc.stdin.flush()
            return int(z.proc.stdout.readline())


@dataclass
class _Server:
    """A forked server: its pid, and its log, whose end says the process ended."""

    pid: int
    log: ServerLog

    def _signal(self, sig: signal.Signals) -> None:
        with suppress(ProcessLookupError):
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def wait(self, timeout: float) -> None:
        if not self.log.ended(timeout):
            raise subprocess.TimeoutExpired("radicale", timeout)


def _start(root: Path, ssl_conf: str, port: int) -> tuple[_Server, ServerLog]:
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
    fifo = root / "stderr.fifo"
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    log = ServerLog(fifo, r"Listening on '127\.0\.0\.1:(\d+)'")
    return _Server(_Zygote.fork(config, fifo), log), log


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
