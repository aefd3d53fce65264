"""A real SMTP server on loopback for the Outreach tests: aiosmtpd with STARTTLS (port-587
style) or implicit TLS (port-465 style), AUTH required over TLS, and certificates from a
throwaway CA made by trustme. The client trusts that CA through SSL_CERT_FILE, which
ssl.create_default_context() reads: the app's own verification is what is tested."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "me@example.org"
PASSWORD = "pw-Zq8!tLk-never-on-disk"


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class MailServer:
    host: str
    port: int
    security: str
    ca_file: Path
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Awaited in DATA once the message is kept, before the server answers: a test holds the
    # server there (a slow server, or one that has the message when the sender is killed).
    hold: Callable[[], Awaitable[None]] | None = None
    cert_der: bytes = b""  # the certificate the server shows (DER)
    # Failure injection, by recipient address: refused at RCPT TO with 550 (nothing kept);
    # kept, then the connection dropped instead of DATA's answer (the sender cannot know);
    # kept, then no answer at all until the sender's timeout.
    refuse: set[str] = field(default_factory=set)
    drop_after_data: set[str] = field(default_factory=set)
    silent_after_data: set[str] = field(default_factory=set)
    # Answered with 250, then the connection closed (an idle timeout on the server's side);
    # with refuse_logins, the sender's next login is refused.
    hang_up_after: set[str] = field(default_factory=set)
    refuse_logins: bool = False

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, _session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), msg, raw)  # type: ignore[arg-type]
            )
        if self.server.hold is not None:
            await self.server.hold()
        to = set(envelope.rcpt_tos)
        if to & self.server.drop_after_data:
            smtp.transport.abort()
        elif to & self.server.silent_after_data:
            await asyncio.sleep(3600)  # cancelled when the sender gives up and hangs up
        elif to & self.server.hang_up_after:
            asyncio.get_running_loop().call_soon(smtp.transport.close)  # after the 250
        return "250 OK"


def _authenticator(box: MailServer) -> Callable[..., AuthResult]:
    def check(_server: Any, _session: Any, _envelope: Any, _mech: str, data: Any) -> AuthResult:
        ok = (
            not box.refuse_logins
            and isinstance(data, LoginPassword)
            and data.login.decode() == USER
            and data.password.decode() == PASSWORD
        )
        # handled=False: the server answers 535 itself (True would mean we had replied).
        return AuthResult(success=ok, handled=False)

    return check


class _Controller(Controller):
    """Serves a socket bound to port 0 before the server starts: the kernel picks the port
    and it is never released between choosing and binding."""

    def __init__(self, handler: Any, **kw: Any) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, port=self._listener.getsockname()[1], **kw)

    def _create_server(self) -> Any:
        return self.loop.create_server(
            self._factory_invoker, sock=self._listener, ssl=self.ssl_context
        )


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


def start_server(
    ca: trustme.CA, ca_file: Path, security: str, smtputf8: bool = False
) -> tuple[Controller, MailServer]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    box = MailServer("127.0.0.1", 0, security, ca_file)
    box.cert_der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    common: dict[str, Any] = {
        "hostname": "127.0.0.1",
        "authenticator": _authenticator(box),
        "auth_required": True,
        "server_hostname": "localhost",
        "enable_SMTPUTF8": smtputf8,  # aiosmtpd's default: not offered
    }
    if security == "ssl":
        # The whole connection is TLS from the first byte; aiosmtpd's auth_require_tls only
        # knows STARTTLS, so it is off here (AUTH still never travels in the clear).
        controller = _Controller(
            _Handler(box), ssl_context=server_ctx, auth_require_tls=False, **common
        )
    else:
        controller = _Controller(
            _Handler(box),
            tls_context=server_ctx,
            require_starttls=True,
            auth_require_tls=True,
            **common,
        )
    controller.start()
    box.port = controller.port
    return controller, box


@pytest.fixture(params=["starttls", "ssl"])
def smtp_server(
    request: pytest.FixtureRequest,
    test_ca: tuple[trustme.CA, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MailServer]:
    """A running server (both kinds of TLS); this process trusts its CA."""
    ca, ca_file = test_ca
    controller, box = start_server(ca, ca_file, request.param)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def starttls_server(
    test_ca: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MailServer]:
    ca, ca_file = test_ca
    controller, box = start_server(ca, ca_file, "starttls")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    try:
        yield box
    finally:
        controller.stop()


def use_account(db: Any, server: MailServer, from_name: str = "", gap: int = 0) -> None:
    """The user's mail account on *server*, its password in the (test) keyring, and a
    throttle of *gap* seconds between messages: what the Mail account dialog saves."""
    from app.services import mail, sending

    account = mail.MailAccount(server.host, server.port, server.security, USER, USER, from_name)
    with db.session() as s:
        mail.save_account(s, account)
        sending.save_pace(s, sending.Pace(gap, gap, 100))
    assert mail.PasswordStore().set(account, PASSWORD)
