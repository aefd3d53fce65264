"""Mail history from the user's account over IMAP, read-only: each folder is opened with
EXAMINE and only the header fields of services/mail_history.py are fetched, with BODY.PEEK,
so no message is marked read, changed or moved. The Inbox and the Sent folder (found by its
special-use flag) are read for the last years, in chunks; after each chunk the interactions
and where the folder was read to (its UIDVALIDITY and last UID) are committed together, so a
run that is killed or cancelled resumes where it stopped and adds nothing twice.

TLS as mail sending has it (services/mail.py): the system's default context, verified.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.services import mail, settings
from app.services.mail_history import (
    FIELDS,
    IMAP_STATE,
    History,
    MailHistoryError,
    Progress,
    Report,
    my_addresses,
    parse_header,
)
from app.services.passwords import PasswordStore
from app.storage.db import Database

SSL = mail.SSL  # port 993
STARTTLS = mail.STARTTLS  # port 143
YEARS = 5
CHUNK = 200
_SETTING = "mail_history.account."
_KEYS = ("host", "port", "security", "username")
FETCH = "BODY.PEEK[HEADER.FIELDS (" + " ".join(f.upper() for f in FIELDS) + ")]"


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    security: str
    username: str

    @property
    def keyring_user(self) -> str:
        return f"imap:{self.username}@{self.host}"


def imap_account(session: Session) -> ImapAccount | None:
    """The account to read: as set for mail history, or guessed from Outreach's mail
    account (smtp.example.com: imap.example.com, port 993)."""
    values = {k: settings.get(session, _SETTING + k) for k in _KEYS}
    if values["host"]:
        return ImapAccount(
            values["host"] or "",
            int(values["port"] or 993),
            values["security"] or SSL,
            values["username"] or "",
        )
    sending = mail.load_account(session)
    if sending is None:
        return None
    host = sending.host
    host = "imap." + host.removeprefix("smtp.") if host.startswith("smtp.") else host
    return ImapAccount(host, 993, SSL, sending.username)


def save_imap_account(session: Session, account: ImapAccount) -> None:
    if not account.host.strip() or not 1 <= account.port <= 65535:
        raise ValueError("Enter your provider's IMAP server and port (usually 993).")
    if account.security not in (SSL, STARTTLS):
        raise ValueError("Choose SSL/TLS or STARTTLS: Second Act reads mail only encrypted.")
    for k in _KEYS:
        settings.put(session, _SETTING + k, str(getattr(account, k)).strip())


def explain(exc: BaseException, account: ImapAccount) -> str:
    from imapclient.exceptions import IMAPClientError, LoginError

    where = f"{account.host} (port {account.port})"
    if isinstance(exc, LoginError):
        return (
            "The mail server did not accept the user name or password. Many providers "
            "(Gmail, iCloud, Yahoo) need an app password for IMAP."
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"The certificate of {account.host} could not be verified "
            f"({exc.verify_message or exc.reason}), so nothing was read: someone could be "
            "listening in between. Check the server name; on a company network, ask IT."
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"{where} did not answer with the encryption chosen: port 993 uses SSL/TLS, "
            "port 143 STARTTLS."
        )
    if isinstance(exc, socket.gaierror):
        return f"No mail server called {account.host} was found. Check the name."
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} refused the connection. Check the port: 993 for SSL/TLS."
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer in time. Check the server and that you are online."
    if isinstance(exc, IMAPClientError):
        return f"The mail server said: {exc}"
    if isinstance(exc, OSError):
        return f"Could not reach {where}: {exc.strerror or exc}."
    return f"Reading the mail failed: {exc}"


def _connect(account: ImapAccount, password: str, timeout: float) -> Any:
    import imapclient  # the IMAP protocol done well; only this feature needs it
    from imapclient.exceptions import IMAPClientError

    context = ssl.create_default_context()
    client = None
    try:
        client = imapclient.IMAPClient(
            account.host,
            account.port,
            ssl=account.security == SSL,
            ssl_context=context,
            timeout=timeout,
        )
        if account.security == STARTTLS:
            client.starttls(context)
        client.login(account.username, password)
    except (IMAPClientError, OSError) as exc:
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown()
        raise MailHistoryError(explain(exc, account)) from exc
    return client


def _folders(client: Any) -> list[str]:
    """The Inbox and the Sent folder (by its \\Sent special-use flag, else its usual name)."""
    sent = None
    for flags, _delim, name in client.list_folders():
        if b"\\Sent" in flags or "\\Sent" in [str(f) for f in flags]:
            sent = name
            break
    if sent is None:
        from imapclient.imapclient import SENT

        sent = client.find_special_folder(SENT)
    return ["INBOX"] + ([sent] if sent and sent.upper() != "INBOX" else [])


def _header_of(data: dict[bytes, Any]) -> bytes:
    for k, v in data.items():
        if k.startswith(b"BODY[") and isinstance(v, bytes):
            return v
    return b""


def read_account(
    db: Database,
    account: ImapAccount,
    password: str,
    me: Iterable[str] = (),
    since: dt.date | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    timeout: float = mail.TIMEOUT,
) -> Report:
    """Read the account's Inbox and Sent folder into the history, a chunk at a time, each
    committed with where its folder was read to; returns what was read."""
    from imapclient.exceptions import IMAPClientError

    since = since or dt.date.today() - dt.timedelta(days=round(365.25 * YEARS))
    with db.session() as s:
        history = History(s, my_addresses(s, me))
    client = _connect(account, password, timeout)
    try:
        plan: list[tuple[str, int, list[int]]] = []
        for folder in _folders(client):
            info = client.select_folder(folder, readonly=True)  # EXAMINE: read-only
            validity = int(info[b"UIDVALIDITY"])
            key = f"{IMAP_STATE}{account.keyring_user}/{folder}"
            with db.session() as s:
                stored = (settings.get(s, key) or "").partition(":")
            last = int(stored[2]) if stored[0] == str(validity) and stored[2].isdigit() else 0
            uids = sorted(u for u in client.search(["SINCE", since]) if u > last)
            plan.append((folder, validity, uids))
        total = sum(len(u) for _f, _v, u in plan)
        done = 0
        if progress is not None:
            progress(0, total)
        for folder, validity, uids in plan:
            client.select_folder(folder, readonly=True)
            key = f"{IMAP_STATE}{account.keyring_user}/{folder}"
            for i in range(0, len(uids), CHUNK):
                if cancelled is not None and cancelled():
                    history.report.cancelled = True
                    return history.report
                chunk = uids[i : i + CHUNK]
                fetched = client.fetch(chunk, [FETCH])
                with db.session() as s:
                    for uid in chunk:
                        if uid in fetched:
                            history.add(s, parse_header(_header_of(fetched[uid])))
                    history.flush(s)
                    settings.put(s, key, f"{validity}:{chunk[-1]}")
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except (IMAPClientError, OSError) as exc:
        raise MailHistoryError(explain(exc, account)) from exc
    finally:
        with contextlib.suppress(IMAPClientError, OSError):
            client.logout()
    return history.report


def password_of(account: ImapAccount, session: Session) -> str | None:
    """The account's password from the keyring: its own, or (the same account as Outreach
    sends from) the mail account's."""
    store = PasswordStore()
    found = store.get(account)
    if found is None:
        sending = mail.load_account(session)
        if sending is not None and sending.username == account.username:
            found = store.get(sending)
    return found


def read_account_cli(
    db: Database, me: Iterable[str], since: dt.date | None, progress: Progress
) -> Report:
    with db.session() as s:
        account = imap_account(s)
        password = password_of(account, s) if account else None
    if account is None:
        raise MailHistoryError(
            "No mail account is set up: open Outreach ▸ Mail account in the window."
        )
    if password is None:
        raise MailHistoryError(
            "The mail password is not in this computer's password store: enter it in the "
            "window (Outreach ▸ Mail account)."
        )
    return read_account(db, account, password, me, since, progress)
