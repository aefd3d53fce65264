"""The user's own mail account: its settings, its password in the OS keyring, messages as a
mail client writes them, and SMTP over TLS only, with failures explained in plain words.

The password never reaches the database or a settings file: it lives in the OS's password
store through `keyring` (Keychain, Windows Credential Locker, Secret Service). Where the
computer has no such store, it is kept in memory until Second Act quits.
"""

from __future__ import annotations

import datetime as dt
import email.errors
import re
import smtplib
import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy.orm import Session

from app.services import settings, trust
from app.services.files import replacing
from app.services.passwords import PasswordStore as PasswordStore  # the account's password

SSL = "ssl"  # implicit TLS, port 465
STARTTLS = "starttls"  # port 587, upgraded before anything else is said
SECURITY = {SSL: "SSL/TLS (port 465)", STARTTLS: "STARTTLS (port 587)"}
TIMEOUT = 30.0


@dataclass(frozen=True)
class Preset:
    name: str
    host: str
    port: int
    security: str
    note: str


PRESETS: list[Preset] = [
    Preset(
        "Gmail",
        "smtp.gmail.com",
        465,
        SSL,
        "Gmail needs an app password: turn on 2-Step Verification, then create one at "
        "myaccount.google.com/apppasswords. Your usual password will be refused. Gmail sends "
        "about 500 messages a day at most.",
    ),
    Preset(
        "Google Workspace",
        "smtp.gmail.com",
        465,
        SSL,
        "Use an app password (2-Step Verification on), or ask your administrator whether SMTP "
        "is allowed.",
    ),
    Preset(
        "Outlook.com / Microsoft 365",
        "smtp-mail.outlook.com",
        587,
        STARTTLS,
        "Microsoft now requires modern sign-in (OAuth) for most accounts, which Second Act "
        "does not do yet: if the test fails, save the messages as drafts (.eml) or open them "
        "in your mail app instead. Where your organisation still allows it, use an app "
        "password.",
    ),
    Preset(
        "iCloud Mail",
        "smtp.mail.me.com",
        587,
        STARTTLS,
        "iCloud needs an app-specific password (appleid.apple.com ▸ Sign-In and Security).",
    ),
    Preset(
        "Yahoo Mail",
        "smtp.mail.yahoo.com",
        465,
        SSL,
        "Yahoo needs an app password (Account security ▸ Generate app password).",
    ),
    Preset(
        "Fastmail",
        "smtp.fastmail.com",
        465,
        SSL,
        "Fastmail needs an app password (Settings ▸ Privacy & Security ▸ App passwords).",
    ),
    Preset("Other", "", 587, STARTTLS, "Your provider's help pages give the SMTP server."),
]


class MailError(Exception):
    """Something went wrong with the mail server; the message is for the person at the
    keyboard. *certain_not_sent*: the failure came before a message was handed over."""

    def __init__(
        self,
        message: str,
        certain_not_sent: bool = True,
        certificate: trust.Certificate | None = None,
    ) -> None:
        super().__init__(message)
        self.certain_not_sent = certain_not_sent
        # Set when the server's certificate is not trusted here: the user may trust it.
        self.certificate = certificate


class RecipientRefused(MailError):
    """The server refused this one message (its address, its size): the others may go."""


@dataclass(frozen=True)
class MailAccount:
    host: str
    port: int
    security: str
    username: str
    from_address: str
    from_name: str = ""

    @property
    def keyring_user(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def domain(self) -> str:
        """The From domain as a Message-ID writes it (ASCII: bücher.de is xn--bcher-kva.de)."""
        try:
            return ascii_domain(self.from_address).rpartition("@")[2] or "second-act.invalid"
        except ValueError:
            return "second-act.invalid"

    def check(self) -> None:
        if not self.host.strip():
            raise ValueError("Enter your provider's SMTP server, for example smtp.gmail.com.")
        if not 1 <= self.port <= 65535:
            raise ValueError("The port is a number such as 465 or 587.")
        if self.security not in SECURITY:
            raise ValueError("Choose SSL/TLS or STARTTLS: Second Act sends only encrypted.")
        if not _EMAIL.fullmatch(self.from_address.strip()):
            raise ValueError("Enter your email address, such as name@example.com.")
        if not self.username.strip():
            raise ValueError("Enter the user name (usually your email address).")


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_KEYS = ("host", "port", "security", "username", "from_address", "from_name")


def load_account(session: Session) -> MailAccount | None:
    values = {k: settings.get(session, f"mail.{k}") for k in _KEYS}
    if not values["host"] or not values["from_address"]:
        return None
    return MailAccount(
        values["host"] or "",
        int(values["port"] or 587),
        values["security"] or STARTTLS,
        values["username"] or "",
        values["from_address"] or "",
        values["from_name"] or "",
    )


def save_account(session: Session, account: MailAccount) -> MailAccount | None:
    """Store the account (never its password); returns the earlier one."""
    account.check()
    before = load_account(session)
    for k in _KEYS:
        settings.put(session, f"mail.{k}", str(getattr(account, k)).strip())
    return before


# -- the password ------------------------------------------------------------------------------
NO_KEYRING = (
    "This computer has no password store that Second Act can use, so the password is kept "
    "only until you quit Second Act, never written to disk."
)


# -- messages ----------------------------------------------------------------------------------
def build_message(
    account: MailAccount | None,
    to_name: str,
    to_email: str,
    subject: str,
    body: str,
    message_id: str = "",
    date: dt.datetime | None = None,
) -> EmailMessage:
    """One message to one person: From, To, Subject, Date, Message-ID, a UTF-8 plain body.
    Raises ValueError, in words for the user, when *to_email* is not one address."""
    problem = address_problem(to_email)
    if problem:
        raise ValueError(problem)
    to_email = ascii_domain(to_email)
    msg = EmailMessage()
    if account is not None:
        msg["From"] = Address(account.from_name, addr_spec=ascii_domain(account.from_address))
    # A name is one line: a card's FN with a line break in it must not break the header.
    msg["To"] = Address(" ".join(to_name.split()), addr_spec=to_email)
    msg["Subject"] = subject
    msg["Date"] = format_datetime((date or dt.datetime.now(dt.UTC)).astimezone())
    msg["Message-ID"] = message_id or make_msgid(
        domain=account.domain if account else "second-act.invalid"
    )
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def address_problem(to_email: str) -> str:
    """Why a message cannot go to *to_email* ("" when it can): it must be exactly one
    address, such as ann@example.com, not a list, a name with an address, or half of one."""
    try:
        parsed = Address(addr_spec=to_email)
        ok = parsed.addr_spec == to_email and bool(parsed.username) and bool(parsed.domain)
    except (ValueError, LookupError, email.errors.MessageError):  # the parser's, on "ann@"
        ok = False
    if ok:
        return ""
    local = to_email.rpartition("@")[0]
    if "@" in to_email and local and not local.isascii() and local.strip() == local:
        return (
            f"“{to_email}” has letters before the @ that Second Act cannot send to (most "
            "mail servers cannot either): ask the person for another address."
        )
    return (
        f"“{' '.join(to_email.split())}” is not one email address (such as name@example.com): "
        "correct it in the contact, then send again."
    )


def ascii_domain(address: str) -> str:
    """*address* with its domain as every server reads it (ann@bücher.de is
    ann@xn--bcher-kva.de); the part before the @ stays as it is. Raises ValueError, in words
    for the user, when the domain cannot be written so."""
    local, _at, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError as exc:
        raise ValueError(
            f"The domain of “{address}” (after the @) cannot be written for a mail server: "
            "correct it in the contact, then send again."
        ) from exc


def new_message_id(account: MailAccount | None) -> str:
    return make_msgid(domain=account.domain if account else "second-act.invalid")


def write_drafts(folder: Path, messages: list[tuple[str, EmailMessage]]) -> list[Path]:
    """Each (file stem, message) as a .eml draft that mail apps open ready to send
    (X-Unsent: 1 tells Outlook and Apple Mail it is a draft)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (stem, msg) in enumerate(messages, 1):
        if "X-Unsent" not in msg:
            msg["X-Unsent"] = "1"
        safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", stem).strip() or "message"
        path = folder / f"{i:03d} {safe[:60]}.eml"
        with replacing(path) as tmp:
            tmp.write_bytes(msg.as_bytes())
        written.append(path)
    return written


def mailto_url(to_email: str, subject: str, body: str) -> str:
    """The message for the user's mail app (mailto:, RFC 6068)."""
    query = urllib.parse.urlencode(
        {"subject": subject, "body": body.replace("\n", "\r\n")}, quote_via=urllib.parse.quote
    )
    return f"mailto:{urllib.parse.quote(to_email, safe='@')}?{query}"


# -- SMTP ---------------------------------------------------------------------------------------
def _hint(account: MailAccount) -> str:
    host = account.host.casefold()
    if "gmail" in host or "google" in host:
        return " Gmail needs an app password (2-Step Verification on), not your usual password."
    if "outlook" in host or "office365" in host or "hotmail" in host or "live.com" in host:
        return (
            " Outlook.com and Microsoft 365 mostly refuse passwords for sending now (they "
            "want OAuth): save the messages as drafts or open them in your mail app instead."
        )
    if "me.com" in host or "icloud" in host:
        return " iCloud needs an app-specific password."
    if "yahoo" in host or "fastmail" in host:
        return " This provider needs an app password."
    return ""


def explain(exc: BaseException, account: MailAccount) -> str:
    """What went wrong, for the person at the keyboard."""
    where = f"{account.host} (port {account.port})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "The mail server did not accept the user name or password." + _hint(account)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"This computer does not trust the certificate of {account.host} "
            f"({exc.verify_message or exc.reason}), so your password was not sent: someone "
            "could be listening in between. Check the server name; a server of your own or "
            "your company's can be trusted after comparing its fingerprint."
        )
    if isinstance(exc, ssl.SSLError):
        other = 587 if account.security == SSL else 465
        return (
            f"{where} did not answer with the encryption chosen. Port 465 uses SSL/TLS and "
            f"port 587 uses STARTTLS: try port {other} with the other setting."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "AUTH" in str(exc):
        return (
            f"{where} does not offer to sign in on this connection. Check the port (465 with "
            "SSL/TLS, or 587 with STARTTLS)."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) or (
        isinstance(exc, smtplib.SMTPException) and "STARTTLS" in str(exc)
    ):
        return (
            f"{where} does not offer STARTTLS, and Second Act sends only over an encrypted "
            "connection. Try port 465 with SSL/TLS."
        )
    if isinstance(exc, socket.gaierror):
        return (
            f"No mail server called {account.host} was found. Check the name and that you are "
            "online."
        )
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} refused the connection. Check the port: 465 for SSL/TLS, 587 for STARTTLS."
    if isinstance(exc, TimeoutError | socket.timeout):
        return (
            f"{where} did not answer in {TIMEOUT:.0f} seconds. Check the server and port, and "
            "that you are online."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"The server refused to send from {account.from_address}: {_said(exc)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        said = "; ".join(_decode(m) for _code, m in exc.recipients.values())
        return f"The server refused this address: {said}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server said: {_said(exc)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection unexpectedly."
    if isinstance(exc, OSError):
        return f"Could not reach {where}: {exc.strerror or exc}."
    return f"Sending failed: {exc}"


def _decode(m: bytes | str) -> str:
    return m.decode("utf-8", "replace") if isinstance(m, bytes) else str(m)


def _said(exc: smtplib.SMTPResponseException) -> str:
    return f"{_decode(exc.smtp_error)} ({exc.smtp_code})"


class SmtpTransport:
    """One connection to the user's server: TLS verified against the OS's trust store (or
    the one certificate the user trusted for it: *context*, see services/trust.py), logged
    in, then one message at a time, each to exactly one recipient."""

    def __init__(
        self,
        account: MailAccount,
        password: str,
        timeout: float = TIMEOUT,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.account = account
        self._password = password
        self._timeout = timeout
        self._context = context
        self._smtp: smtplib.SMTP | None = None

    def connect(self) -> None:
        a = self.account
        context = self._context or trust.trusted()
        smtp: smtplib.SMTP | None = None
        try:
            if a.security == SSL:
                smtp = smtplib.SMTP_SSL(a.host, a.port, timeout=self._timeout, context=context)
            else:
                smtp = smtplib.SMTP(a.host, a.port, timeout=self._timeout)
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError("STARTTLS not offered")
                smtp.starttls(context=context)
                smtp.ehlo()
            smtp.login(a.username, self._password)
        except (smtplib.SMTPException, OSError) as exc:
            if smtp is not None:
                _close(smtp)
            shown = None
            if isinstance(exc, ssl.SSLCertVerificationError):
                shown = server_certificate(a, self._timeout)
            raise MailError(explain(exc, a), certificate=shown) from exc
        self._smtp = smtp

    def _alive(self) -> bool:
        if self._smtp is None:
            return False
        try:
            return int(self._smtp.noop()[0]) == 250
        except (smtplib.SMTPException, OSError):
            return False

    def send(self, msg: EmailMessage) -> None:
        """Hand one message to the server. Raises RecipientRefused when the server refuses
        it, MailError otherwise (certain_not_sent False once the message was on its way)."""
        if not self._alive():  # an idle connection the server closed: open a new one
            if self._smtp is not None:
                _close(self._smtp)
            self.connect()
        assert self._smtp is not None
        to = msg["To"].addresses
        if len(to) != 1 or msg["Cc"] or msg["Bcc"]:
            raise ValueError("one recipient per message, never Cc or Bcc")
        try:
            envelope_from = ascii_domain(self.account.from_address)
            self._smtp.send_message(msg, envelope_from, [to[0].addr_spec])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise RecipientRefused(explain(exc, self.account)) from exc
        except smtplib.SMTPDataError as exc:
            raise RecipientRefused(explain(exc, self.account)) from exc
        except smtplib.SMTPNotSupportedError as exc:  # raised before anything is sent
            raise RecipientRefused(
                f"This message has an address with letters that {self.account.host} cannot "
                "take (it does not offer SMTPUTF8), so it was not sent."
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(explain(exc, self.account), certain_not_sent=False) from exc

    def close(self) -> None:
        if self._smtp is not None:
            _close(self._smtp)
            self._smtp = None


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def server_certificate(account: MailAccount, timeout: float = TIMEOUT) -> trust.Certificate | None:
    """The certificate the server shows, read without trusting it (and without logging in),
    for the user to look at: after TLS from the first byte, or after STARTTLS."""
    if account.security == SSL:
        return trust.fetch_certificate(account.host, account.port)
    try:
        smtp = smtplib.SMTP(account.host, account.port, timeout=timeout)
        try:
            smtp.ehlo()
            smtp.starttls(context=trust.unverified_context())
            sock = smtp.sock
            der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        finally:
            _close(smtp)
    except (smtplib.SMTPException, OSError):
        return None
    return trust.Certificate(account.host, account.port, der) if der else None


def check_connection(
    account: MailAccount, password: str, context: ssl.SSLContext | None = None
) -> None:
    """Connect, encrypt, log in, and leave. Raises MailError in plain words."""
    account.check()
    t = SmtpTransport(account, password, context=context)
    t.connect()
    t.close()
