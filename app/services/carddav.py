"""Talking to a CardDAV server (RFC 6352) over WebDAV: discovery (RFC 6764), listing cards,
sync-collection (RFC 6578), fetching cards and writing them with ETag preconditions.

No database here: app/services/sync.py decides what to fetch and write. Every failure the
user can meet becomes a CardDavError whose text says what happened in plain words.

The password goes only to the origin the user entered (scheme, host and port), over TLS (plain
http only to this computer): an href or a redirect naming another origin is refused, never
followed. Every answer is read as a stream, capped in size and in time, and a Stop pressed on
another thread cuts a request waiting on the network at once.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

from app.services import trust

if TYPE_CHECKING:  # httpx takes 0.1 s to import: only a sync needs it, never the start-up
    import httpx

DAV = "DAV:"
CARD = "urn:ietf:params:xml:ns:carddav"
NS = {"d": DAV, "c": CARD}
TIMEOUT = 30.0  # seconds without a byte before a request fails
ANSWER_WITHIN = 300.0  # seconds for a whole answer, however slowly it drips
MAX_ANSWER = 100 * 2**20  # bytes in one answer (a multiget of 100 cards with photos: ~10 MB)
MAX_REDIRECTS = 5
USER_AGENT = "Second Act (CardDAV sync)"


class CardDavError(Exception):
    """What went wrong, in words for the user (*status*: the HTTP status, if one came)."""

    def __init__(
        self, message: str, status: int = 0, certificate: trust.Certificate | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        # Set when the server's certificate is not trusted here: the user may trust it.
        self.certificate = certificate


class InvalidSyncToken(CardDavError):
    """The server no longer knows the token: list everything instead."""


class PreconditionFailed(CardDavError):
    """The card changed (or appeared) on the server since it was read: sync again."""


class Stopped(CardDavError):
    """The user stopped the sync; what was done is kept, the rest waits for the next one."""

    def __init__(self, message: str = "Stopped before the end; the next sync carries on.") -> None:
        super().__init__(message)


class Stop:
    """A sync's stop, pressed from any thread (the window closing): true once set, and a
    request waiting on the network is cut at once rather than after the server's next byte."""

    def __init__(self) -> None:
        self._set = threading.Event()
        self._lock = threading.Lock()
        self._cuts: list[Callable[[], None]] = []

    def __call__(self) -> bool:
        return self._set.is_set()

    def set(self) -> None:
        self._set.set()
        with self._lock:
            cuts = list(self._cuts)
        for cut in cuts:
            cut()

    def watch(self, cut: Callable[[], None]) -> None:
        with self._lock:
            self._cuts.append(cut)
        if self():
            cut()

    def unwatch(self, cut: Callable[[], None]) -> None:
        with self._lock:
            if cut in self._cuts:
                self._cuts.remove(cut)


@dataclass(frozen=True)
class BookInfo:
    url: str
    name: str
    supports_sync: bool  # sync-collection offered


@dataclass(frozen=True)
class Changes:
    """What changed on the server since a token: hrefs with their new ETags, and removed."""

    changed: dict[str, str]
    removed: list[str]
    token: str
    truncated: bool = False  # RFC 6578 §3.6: more to come, asked for with the new token


@dataclass(frozen=True)
class Answer:
    """A whole answer, read within the limits."""

    url: str
    status: int
    reason: str
    headers: dict[str, str]  # names in lower case
    content: bytes


class Connection:
    """Requests to one account's server: *origin_url* is the address the user entered, the
    only origin the password is sent to. *cancelled* is asked between requests and between
    pieces of an answer; a Stop also cuts a request blocked on the network."""

    def __init__(
        self, http: httpx.Client, origin_url: str, cancelled: Callable[[], bool] | None = None
    ) -> None:
        self.http = http
        self.origin_url = origin_url
        self.cancelled = cancelled or (lambda: False)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._cuts = 0  # how many times cut() was called
        if isinstance(self.cancelled, Stop):
            self.cancelled.watch(self.cut)

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if isinstance(self.cancelled, Stop):
            self.cancelled.unwatch(self.cut)
        self.http.close()

    def cut(self) -> None:
        """Shut this connection's sockets from any thread: a read waiting on them ends now.
        (socket.socket's own shutdown: an SSLSocket's would also unwrap it under the reader.)"""
        with self._lock:
            sockets, self._sockets = self._sockets, []
            self._cuts += 1
        for sock in sockets:
            with contextlib.suppress(OSError):  # closed already
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: remembers each socket it opens, so cut() can reach it."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                with self._lock:
                    self._sockets = [s for s in self._sockets if s.fileno() != -1] + [sock]

    def check(self, url: str, named_by: str = "") -> None:
        check_origin(self.origin_url, url, named_by)

    def request(
        self,
        method: str,
        url: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        ok: Iterable[int] = (200, 201, 204, 207),
    ) -> Answer:
        h = dict(headers or {})
        if body is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/xml; charset=utf-8"
        content = body.encode("utf-8") if body else None
        ok = tuple(ok)
        request: httpx.Request | None = self.http.build_request(
            method, url, content=content, headers=h, extensions={"trace": self._trace}
        )
        named_by = ""
        for _ in range(MAX_REDIRECTS + 1):
            assert request is not None
            if self.cancelled():
                raise Stopped()
            self.check(str(request.url), named_by)
            answer = self._send(request)
            if isinstance(answer, Answer):
                if answer.status not in ok:
                    raise _status_error(answer)
                return answer
            named_by, request = urlsplit(str(request.url)).netloc, answer
        raise CardDavError(f"{urlsplit(url).netloc} kept sending Second Act elsewhere.")

    def _send(self, request: httpx.Request) -> Answer | httpx.Request:
        """One request: its answer, or the request a redirect asks for (not checked yet)."""
        import httpx

        url = str(request.url)
        expired = threading.Event()

        def expire() -> None:  # also ends a wait for the first byte, or a drip of headers
            expired.set()
            self.cut()

        timer = threading.Timer(ANSWER_WITHIN, expire)
        timer.daemon = True
        cuts = self._cuts
        timer.start()
        try:
            r = self.http.send(request, stream=True)
            try:
                if r.next_request is not None:
                    return r.next_request
                got = bytearray()
                if r.status_code < 300:  # an error's text is not read: its status says it
                    for piece in r.iter_bytes():
                        got += piece
                        if len(got) > MAX_ANSWER:
                            raise CardDavError(
                                f"{request.url.netloc.decode()} sent an answer larger than "
                                f"{MAX_ANSWER // 2**20} MB; Second Act stopped reading it."
                            )
                        if self.cancelled() or expired.is_set():
                            raise self._halted(url)
                if self._cuts != cuts:  # the end of an answer of no stated length, or the cut's?
                    raise self._halted(url)
                return Answer(
                    str(r.url),
                    r.status_code,
                    r.reason_phrase,
                    {k.lower(): v for k, v in r.headers.items()},
                    bytes(got),
                )
            finally:
                r.close()
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            if self.cancelled() or expired.is_set():
                raise self._halted(url) from exc
            raise _plain(exc, url) from exc
        finally:
            timer.cancel()

    def _halted(self, url: str) -> CardDavError:
        """Why a request was cut short from outside: the user stopped it, or time ran out."""
        if self.cancelled():
            return Stopped()
        return CardDavError(
            f"{urlsplit(url).netloc} took more than {ANSWER_WITHIN / 60:g} minutes to answer, "
            "so Second Act gave up. Try again later."
        )


def client(
    url: str,
    username: str,
    password: str,
    verify: ssl.SSLContext | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Connection:
    """A connection to the server at *url*, the address the user entered (checked first)."""
    import httpx

    url = check_address(url)
    http = httpx.Client(
        auth=httpx.BasicAuth(username, password) if username else None,
        timeout=TIMEOUT,
        verify=verify or trust.trusted(),
        follow_redirects=False,  # followed by Connection.request, on the same origin only
        headers={"User-Agent": USER_AGENT},
    )
    return Connection(http, url, cancelled)


def normalize_url(url: str) -> str:
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url


def check_address(url: str) -> str:
    """The address the user entered, normalised; refused unless the password would travel
    encrypted (https), or stay on this computer."""
    url = normalize_url(url)
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or "")):
        return url
    if parts.scheme == "http":
        raise CardDavError(
            f"{parts.netloc} was given with http://, which would send your password "
            "unencrypted. Use its https:// address instead "
            f"(https://{url.split('://', 1)[1]})."
        )
    raise CardDavError(f"{url} is not a web address: enter the server's https:// address.")


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"https": 443, "http": 80}.get(scheme)
    except ValueError:  # a port that is no number: an origin of its own, matching none
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def check_origin(entered: str, url: str, named_by: str = "") -> None:
    """Refuse *url* unless it is on the origin of the address the user *entered* (*named_by*:
    the server that named it)."""
    if _origin(url) == _origin(entered):
        return
    where = f"{named_by} sent Second Act on to {url}," if named_by else f"{url} is on"
    raise CardDavError(
        f"{where} another address than the one you entered ({entered}). Second Act sends "
        "your password only to the address you entered, so it stopped there. If that address "
        "is your provider's CardDAV server, enter it instead"
        + (" (with https://)." if urlsplit(url).scheme != "https" else ".")
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """*exc* and what it was raised from (httpx wraps the ssl module's errors)."""
    found: list[BaseException] = []
    at: BaseException | None = exc
    while at is not None and at not in found:
        found.append(at)
        at = at.__cause__ or at.__context__
    return found


def _plain(exc: Exception, url: str) -> CardDavError:
    import httpx

    parts = urlsplit(url)
    host = parts.netloc or url
    text = " ".join(str(e) for e in _causes(exc))
    if "CERTIFICATE_VERIFY_FAILED" in text or any(
        isinstance(e, ssl.SSLCertVerificationError) for e in _causes(exc)
    ):
        shown = trust.fetch_certificate(parts.hostname or "", parts.port or 443)
        return CardDavError(
            f"This computer does not trust the certificate of {host}, so Second Act did not "
            "send your password. Check the address; a server of your own or your company's "
            "can be trusted after comparing its fingerprint.",
            certificate=shown,
        )
    if (
        "WRONG_VERSION_NUMBER" in text.upper()
        or "wrong version number" in text
        or any(isinstance(e, ssl.SSLError) for e in _causes(exc))
    ):
        return CardDavError(
            f"{host} did not answer with encryption (TLS) at this address: it may want "
            "http:// on your own computer only, or another port. Your password was not sent."
        )
    if isinstance(exc, httpx.TimeoutException):
        return CardDavError(f"{host} did not answer in time. Check your connection and try again.")
    if isinstance(exc, httpx.ConnectError):
        return CardDavError(
            f"Could not reach {host}. Check the address and your internet connection."
        )
    return CardDavError(f"Talking to {host} failed: {text}")


def _status_error(r: Answer) -> CardDavError:
    host = urlsplit(r.url).netloc
    code = r.status
    if code == 401:
        return CardDavError(
            f"{host} refused the user name or password. Some services (iCloud, Fastmail) need "
            "an app-specific password rather than your usual one.",
            code,
        )
    if code == 403:
        return CardDavError(f"{host} does not allow this account to do that (403 Forbidden).", code)
    if code == 412:
        return PreconditionFailed("The card changed on the server meanwhile.", code)
    return CardDavError(f"{host} answered {code} {r.reason} for {urlsplit(r.url).path}.", code)


def _multistatus(r: Answer) -> ET.Element:
    try:
        return ET.fromstring(r.content)
    except ET.ParseError as exc:
        raise CardDavError(
            f"{urlsplit(r.url).netloc} sent an answer that is not WebDAV ({exc})."
        ) from exc


def _propfind(http: Connection, url: str, props: str, depth: str) -> ET.Element:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="{CARD}">'
        f"<d:prop>{props}</d:prop></d:propfind>"
    )
    return _multistatus(http.request("PROPFIND", url, body, {"Depth": depth}))


def _href_in(root: ET.Element, path: str) -> str | None:
    el = root.find(f".//d:{path}/d:href", NS)
    return el.text.strip() if el is not None and el.text else None


def _has_status(element: ET.Element, code: int) -> bool:
    """Whether a response or propstat's status line ("HTTP/1.1 404 Not Found") is *code*."""
    return f" {code} " in element.findtext("d:status", "", NS) + " "


def _ok_props(response: ET.Element) -> ET.Element | None:
    for ps in response.findall("d:propstat", NS):
        if _has_status(ps, 200):
            return ps.find("d:prop", NS)
    return None


def discover(http: Connection, url: str) -> list[BookInfo]:
    """The address books at *url* (a server, a principal or a book), by RFC 6764 and 6352;
    every address the server names is checked to be on the one the user entered."""
    url = check_address(url)
    principal = None
    home = None
    for candidate in (url, urljoin(url, "/.well-known/carddav")):
        try:
            root = _propfind(
                http, candidate, "<d:current-user-principal/><c:addressbook-home-set/>", "0"
            )
        except PreconditionFailed:
            continue
        except CardDavError as exc:
            if exc.status in (400, 404, 405, 501):  # not a WebDAV server there
                continue
            raise
        home = _href_in(root, "prop/c:addressbook-home-set")
        principal = _href_in(root, "prop/d:current-user-principal")
        if home or principal:
            url = candidate
            break
    if home is None and principal is not None:
        principal_url = _named(http, url, principal)
        root = _propfind(http, principal_url, "<c:addressbook-home-set/>", "0")
        url = principal_url
        home = _href_in(root, "prop/c:addressbook-home-set")
    if home is None:
        raise CardDavError(
            f"No CardDAV address books were found at {urlsplit(url).netloc}. Check the "
            "address: your provider's help pages give the CardDAV server address."
        )
    home_url = _named(http, url, home)
    root = _propfind(
        http,
        home_url,
        "<d:resourcetype/><d:displayname/><d:supported-report-set/>",
        "1",
    )
    books = []
    for response in root.findall("d:response", NS):
        prop = _ok_props(response)
        href = response.findtext("d:href", "", NS).strip()
        if prop is None or prop.find("d:resourcetype/c:addressbook", NS) is None:
            continue
        name = (prop.findtext("d:displayname", "", NS) or "").strip()
        reports = prop.find("d:supported-report-set", NS)
        sync = reports is not None and reports.find(".//d:sync-collection", NS) is not None
        book_url = _named(http, home_url, href)
        books.append(BookInfo(book_url, name or unquote(href.rstrip("/").rsplit("/", 1)[-1]), sync))
    return books


def _join(base: str, href: str) -> str:
    """The address *href* names relative to *base*; an href that is no address at all (such
    as ``http://[::1``, which urllib refuses with ValueError) is a CardDavError in words."""
    try:
        url = urljoin(base, href)
        urlsplit(url).port  # noqa: B018 - reading it checks the host and port
    except ValueError:
        raise CardDavError(
            f"{urlsplit(base).netloc} named an address that is not one ({href!r}), so Second "
            "Act stopped syncing this address book."
        ) from None
    return url


def _named(http: Connection, base: str, href: str) -> str:
    """The address an href names (relative to *base*), refused off the user's origin."""
    url = _join(base, href)
    http.check(url, urlsplit(base).netloc)
    return url


def _card_path(book_url: str, href: str) -> str:
    """The path of a card the server named, or that is kept from last time: refused unless it
    is in the address book's own collection (an href with ../ or another host would have a
    write or a delete land elsewhere)."""
    url = _join(book_url, href)
    path = urlsplit(url).path
    plain = unquote(path)  # as the server reads it: %2e%2e is .., %40 is @
    own = unquote(urlsplit(book_url).path).rstrip("/") + "/"
    if (
        _origin(url) != _origin(book_url)
        or not (plain + "/").startswith(own)
        or ".." in plain.split("/")
    ):
        raise CardDavError(
            f"{urlsplit(book_url).netloc} named a card outside the address book ({href}), so "
            "Second Act stopped syncing this address book rather than read or write there."
        )
    return path


def _responses(book_url: str, root: ET.Element) -> Iterable[tuple[str, bool, ET.Element]]:
    """Each response's href (as a path), whether it is the collection itself, the response."""
    own = urlsplit(book_url).path.rstrip("/")
    for response in root.findall("d:response", NS):
        href = _card_path(book_url, response.findtext("d:href", "", NS).strip())
        yield href, href.rstrip("/") == own, response


def _card_hrefs(book_url: str, root: ET.Element) -> Iterable[tuple[str, ET.Element]]:
    """Each response's href (as a path) beside the response, the collection itself left out."""
    return ((href, r) for href, book, r in _responses(book_url, root) if not book)


def list_etags(http: Connection, book_url: str) -> dict[str, str]:
    """Every card's href and ETag (the fallback where sync-collection is not offered)."""
    root = _propfind(http, book_url, "<d:getetag/><d:resourcetype/>", "1")
    out = {}
    for href, response in _card_hrefs(book_url, root):
        prop = _ok_props(response)
        if prop is None or prop.find("d:resourcetype/d:collection", NS) is not None:
            continue
        out[href] = (prop.findtext("d:getetag", "", NS) or "").strip()
    return out


def sync_collection(http: Connection, book_url: str, token: str) -> Changes:
    """RFC 6578: what changed since *token* ("" for everything). Raises InvalidSyncToken."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
        f"<d:sync-token>{_xml_text(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )
    try:
        r = http.request("REPORT", book_url, body, {"Depth": "1"})
    except CardDavError as exc:
        if token and exc.status in (400, 403, 409):
            raise InvalidSyncToken(str(exc)) from exc
        raise
    root = _multistatus(r)
    changed: dict[str, str] = {}
    removed: list[str] = []
    for href, response in _card_hrefs(book_url, root):
        if _has_status(response, 404):
            removed.append(href)
            continue
        prop = _ok_props(response)
        if prop is not None:
            changed[href] = (prop.findtext("d:getetag", "", NS) or "").strip()
    truncated = any(book and _has_status(r, 507) for _, book, r in _responses(book_url, root))
    token = (root.findtext("d:sync-token", "", NS) or "").strip()
    return Changes(changed, removed, token, truncated)


def fetch(http: Connection, book_url: str, hrefs: list[str]) -> dict[str, tuple[str, str]]:
    """addressbook-multiget: {href: (etag, vCard text)} for the hrefs the server still has."""
    if not hrefs:
        return {}
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><c:addressbook-multiget xmlns:d="DAV:" '
        f'xmlns:c="{CARD}"><d:prop><d:getetag/><c:address-data/></d:prop>'
        + "".join(f"<d:href>{_xml_text(h)}</d:href>" for h in hrefs)
        + "</c:addressbook-multiget>"
    )
    root = _multistatus(http.request("REPORT", book_url, body, {"Depth": "1"}))
    out = {}
    for href, response in _card_hrefs(book_url, root):
        prop = _ok_props(response)
        if prop is None:
            continue
        data = prop.findtext("c:address-data", None, NS)
        if data is not None:
            out[href] = ((prop.findtext("d:getetag", "", NS) or "").strip(), data)
    return out


def put(http: Connection, book_url: str, href: str, text: str, etag: str | None) -> str:
    """Write a card: *etag* None creates it (If-None-Match: *), else replaces that version
    only (If-Match). Returns the new ETag ("" when the server does not say). Raises
    PreconditionFailed when the server's copy is not the one expected."""
    headers = {"Content-Type": "text/vcard; charset=utf-8"}
    if etag is None:
        headers["If-None-Match"] = "*"
    elif etag:
        headers["If-Match"] = etag
    url = urljoin(book_url, _card_path(book_url, href))
    r = http.request("PUT", url, text, headers, ok=(200, 201, 204))
    return r.headers.get("etag", "")


def delete(http: Connection, book_url: str, href: str, etag: str) -> None:
    """Delete that version of a card; one already gone is fine."""
    headers = {"If-Match": etag} if etag else {}
    url = urljoin(book_url, _card_path(book_url, href))
    http.request("DELETE", url, None, headers, ok=(200, 204, 404))


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
