"""Trusting a server's certificate from the window (services/trust.py): the mail account's
Test connection and the address book sync's Find address books both ask here, showing the
certificate's SHA-256 fingerprint; nothing is trusted without the user saying so."""

from __future__ import annotations

import ssl
from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.services import trust
from app.storage.db import Database
from app.ui.common.text import Button, message_box


def trust_box(parent: QWidget | None, cert: trust.Certificate) -> QMessageBox:
    pairs = cert.sha256.split(":")
    shown = ":".join(pairs[:16]) + "\n" + ":".join(pairs[16:])
    box = message_box(
        parent,
        "Trust this certificate?",
        f"This computer does not trust the certificate of {cert.host} (port {cert.port}). "
        "That is expected for a server of your own or your company's with its own "
        "certificate; it is also what someone listening in between would show.\n\n"
        f"Its SHA-256 fingerprint:\n{shown}\n\n"
        "Compare it with the fingerprint your server's administrator gives you. If they are "
        f"the same, Second Act trusts this certificate, and only this one, for {cert.host} "
        "from now on.",
        Button.Yes | Button.Cancel,
        Button.Cancel,
        icon=QMessageBox.Icon.Warning,
    )
    box.setObjectName("trust_prompt")
    box.button(Button.Yes).setText("&Trust This Certificate")
    return box


class TrustPrompt:
    """The certificates the user trusted, for a connection about to be made, and the
    question asked when a server shows one this computer does not trust."""

    def __init__(self, db: Database, ask: Callable[[QDialog], int], parent: QWidget | None) -> None:
        self._db, self._ask, self._parent = db, ask, parent

    def context(self, host: str, port: int) -> ssl.SSLContext:
        with self._db.session() as s:
            return trust.context_for(s, host, port)

    def ask(self, cert: trust.Certificate) -> bool:
        """True when the user trusted *cert* (remembered for its host and port)."""
        if self._ask(trust_box(self._parent, cert)) != Button.Yes:
            return False
        with self._db.session() as s:
            trust.trust(s, cert)
        return True
