"""A real Radicale CardDAV server on loopback for the sync tests (htpasswd authentication,
its own storage folder), started as a subprocess and stopped with the test."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def radicale(root: Path, tls: Any = None, port: int = 0) -> Iterator[Radicale]:
    """*tls*: a trustme.CA whose certificate for 127.0.0.1 the server presents (HTTPS);
    *port*: 0 for a free one."""
    root.mkdir(parents=True, exist_ok=True)
    ssl_conf = ""
    if tls is not None:
        pem = root / "server.pem"
        tls.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
        ssl_conf = f"ssl = True\ncertificate = {pem}\nkey = {pem}\n"
    users = root / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    port = port or _free_port()
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
level = warning
[web]
type = none
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/", timeout=1, verify=False)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"Radicale did not start: {err}") from None
                time.sleep(0.05)
        verify: ssl.SSLContext | bool = True
        if tls is not None:
            verify = ssl.create_default_context()
            tls.configure_trust(verify)
        yield Radicale(url, root, verify)
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()
