"""A small WebDAV server on loopback that answers badly on purpose, for the CardDAV client's
defences: hrefs and redirects to another address, endless, dripping and stalled answers, card
hrefs outside the book. Each request is recorded (method, path, whether it carried a
password); *answer* writes the reply."""

from __future__ import annotations

import http.server
import socketserver
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

BOOK = "/ann/contacts/"
LONGEST = 60.0  # seconds any answer here lasts at most, so a client that never gives up ends
POLL = 0.01  # seconds between a serving thread's looks for the order to stop


@dataclass
class Seen:
    method: str
    path: str
    password: bool  # an Authorization header came


@dataclass
class Hostile:
    url: str
    seen: list[Seen] = field(default_factory=list)
    answering: threading.Event = field(default_factory=threading.Event)  # a long answer began
    hung_up: threading.Event = field(default_factory=threading.Event)  # the client cut off
    finished: threading.Event = field(default_factory=threading.Event)  # answered to the end


Answer = Callable[["Handler", Hostile], None]


class Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        state = self.server.state
        state.seen.append(Seen(self.command, self.path, "Authorization" in self.headers))
        try:
            self.server.answer(self, state)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            state.hung_up.set()

    do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = _any

    def send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        for k, v in {"Content-Length": str(len(data)), **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def drip(self, piece: bytes, every: float, headers_only: bool = False) -> None:
        """An answer that never ends by itself: *piece* after *piece*, *every* seconds apart
        (in the headers, never finishing them, with *headers_only*), for LONGEST seconds."""
        if headers_only:
            self.wfile.write(b"HTTP/1.1 207 Multi-Status\r\n")
        else:
            self.send_response(207)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">')
        self.wfile.flush()
        self.server.state.answering.set()
        end = time.monotonic() + LONGEST
        while time.monotonic() < end:
            self.wfile.write(piece)
            self.wfile.flush()
            time.sleep(every)
        self.server.state.finished.set()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    state: Hostile
    answer: Answer


@contextmanager
def hostile(answer: Answer, tls: Any = None) -> Iterator[Hostile]:
    """*tls*: a trustme.CA whose certificate for 127.0.0.1 the server presents."""
    server = _Server(("127.0.0.1", 0), Handler)
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.issue_cert("127.0.0.1").configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    server.state = Hostile(f"{scheme}://127.0.0.1:{server.server_address[1]}")
    server.answer = answer
    with serving(server):
        yield server.state


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    """*server* answering in a thread until the block ends. It looks for the order to stop
    every POLL seconds (the standard library's 0.5 s made each server's end wait half a
    second for nothing)."""
    thread = threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def multistatus(*responses: str, token: str = "") -> str:
    sync_token = f"<d:sync-token>{token}</d:sync-token>" if token else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:" '
        'xmlns:c="urn:ietf:params:xml:ns:carddav">'
        + "".join(responses)
        + sync_token
        + "</d:multistatus>"
    )


def response(href: str, props: str, status: str = "200 OK") -> str:
    return (
        f"<d:response><d:href>{href}</d:href><d:propstat><d:prop>{props}</d:prop>"
        f"<d:status>HTTP/1.1 {status}</d:status></d:propstat></d:response>"
    )


def a_server(home: str = "/ann/", principal: str = "/ann/", book: str = BOOK) -> Answer:
    """A CardDAV server's discovery answers, with the hrefs given (one may point elsewhere)."""

    def answer(h: Handler, _state: Hostile) -> None:
        if h.command != "PROPFIND":
            h.send(405, "")
        elif h.path == "/" and "current-user-principal" in h.body:
            props = (
                f"<d:current-user-principal><d:href>{principal}</d:href></d:current-user-principal>"
            )
            h.send(207, multistatus(response(h.path, props)))
        elif "addressbook-home-set" in h.body:
            props = f"<c:addressbook-home-set><d:href>{home}</d:href></c:addressbook-home-set>"
            h.send(207, multistatus(response(h.path, props)))
        else:
            kind = "<d:resourcetype><d:collection/><c:addressbook/></d:resourcetype>"
            h.send(
                207, multistatus(response(book, kind + "<d:displayname>Contacts</d:displayname>"))
            )

    return answer


def recorder(h: Handler, _state: Hostile) -> None:
    """Another server: only records what reaches it."""
    h.send(404, "")
