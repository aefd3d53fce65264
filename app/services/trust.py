"""One trust policy for every connection Second Act makes (the mail server, CardDAV).

Certificates are checked against the operating system's own trust store (truststore): a
company's or a home server's certificate authority installed there is trusted, as it is by
the user's browser. A server whose certificate this computer does not trust (self-signed,
a private CA) can be trusted by the user after seeing its SHA-256 fingerprint: that exact
certificate, for that host and port, remembered in the settings, never silently. A pinned
connection trusts only that certificate, so nothing is sent when the server shows another.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.services import settings

_PREFIX = "trust."
TIMEOUT = 20.0


def trusted() -> ssl.SSLContext:
    """The OS's trust store, with the hostname checked: every connection's default."""
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def fingerprint(der: bytes) -> str:
    """SHA-256 as administrators read it out: AB:CD:…, 32 pairs."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


@dataclass(frozen=True)
class Certificate:
    """A server's certificate as shown to the user before trusting it."""

    host: str
    port: int
    der: bytes

    @property
    def sha256(self) -> str:
        return fingerprint(self.der)

    @property
    def key(self) -> str:
        return f"{_PREFIX}{self.host.casefold()}:{self.port}"

    def context(self) -> ssl.SSLContext:
        """Trusts this certificate and nothing else (the name is not checked: the user chose
        this very certificate, and a self-signed one rarely names the host it is on)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # the leaf alone is the anchor
        ctx.load_verify_locations(cadata=self.der)
        return ctx


def context_for(session: Session, host: str, port: int) -> ssl.SSLContext:
    """The certificate the user trusted for this host and port, else the OS's trust store."""
    pinned = pinned_certificate(session, host, port)
    return pinned.context() if pinned is not None else trusted()


def pinned_certificate(session: Session, host: str, port: int) -> Certificate | None:
    text = settings.get(session, Certificate(host, port, b"").key)
    if not text:
        return None
    try:
        der = ssl.PEM_cert_to_DER_cert(json.loads(text)["pem"])
    except (ValueError, KeyError, TypeError):
        return None
    return Certificate(host, port, der)


def trust(session: Session, cert: Certificate) -> str | None:
    """The user trusts *cert* for its host and port; returns what was stored, for Undo."""
    value = {"sha256": cert.sha256, "pem": ssl.DER_cert_to_PEM_cert(cert.der)}
    return settings.put(session, cert.key, json.dumps(value))


def unverified_context() -> ssl.SSLContext:
    """Only to read a certificate the user is then asked about; never to send anything."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def fetch_certificate(host: str, port: int) -> Certificate | None:
    """The certificate a TLS server (HTTPS, SMTP on 465) shows, read without trusting it."""
    try:
        with (
            socket.create_connection((host, port), timeout=TIMEOUT) as raw,
            unverified_context().wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError:
        return None
    return Certificate(host, port, der) if der else None
