"""Talking to a CardDAV server (RFC 6352) over WebDAV: discovery (RFC 6764), listing cards,
sync-collection (RFC 6578), fetching cards and writing them with ETag preconditions.

No database here: app/services/sync.py decides what to fetch and write. Every failure the
user can meet becomes a CardDavError whose text says what happened in plain words.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

if TYPE_CHECKING:  # httpx takes 0.1 s to import: only a sync needs it, never the start-up
    import httpx

DAV = "DAV:"
CARD = "urn:ietf:params:xml:ns:carddav"
NS = {"d": DAV, "c": CARD}
TIMEOUT = 30.0
USER_AGENT = "Second Act (CardDAV sync)"


class CardDavError(Exception):
    """What went wrong, in words for the user (*status*: the HTTP status, if one came)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class InvalidSyncToken(CardDavError):
    """The server no longer knows the token: list everything instead."""


class PreconditionFailed(CardDavError):
    """The card changed (or appeared) on the server since it was read: sync again."""


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


def trusted() -> ssl.SSLContext:
    """Certificates checked against the operating system's own trust store (truststore):
    a company's or a home server's certificate authority installed there is trusted, as it
    is by the user's browser; certifi's fixed list would refuse it."""
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def client(username: str, password: str, verify: ssl.SSLContext | None = None) -> httpx.Client:
    import httpx

    return httpx.Client(
        auth=httpx.BasicAuth(username, password) if username else None,
        timeout=TIMEOUT,
        verify=verify or trusted(),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )


def normalize_url(url: str) -> str:
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url


def _plain(exc: Exception, url: str) -> CardDavError:
    import httpx

    host = urlsplit(url).netloc or url
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc, ssl.SSLError):
        return CardDavError(
            f"The certificate of {host} could not be verified, so Second Act did not send your "
            "password. Check the address; if it is right, the server's certificate is not "
            "trusted by this computer."
        )
    if isinstance(exc, httpx.TimeoutException):
        return CardDavError(f"{host} did not answer in time. Check your connection and try again.")
    if isinstance(exc, httpx.ConnectError):
        return CardDavError(
            f"Could not reach {host}. Check the address and your internet connection."
        )
    return CardDavError(f"Talking to {host} failed: {text}")


def _status_error(r: httpx.Response) -> CardDavError:
    host = urlsplit(str(r.url)).netloc
    code = r.status_code
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
    return CardDavError(f"{host} answered {code} {r.reason_phrase} for {r.url.path}.", code)


def _request(
    http: httpx.Client,
    method: str,
    url: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    ok: Iterable[int] = (200, 201, 204, 207),
) -> httpx.Response:
    h = dict(headers or {})
    if body is not None and "Content-Type" not in h:
        h["Content-Type"] = "application/xml; charset=utf-8"
    import httpx

    try:
        r = http.request(method, url, content=body.encode("utf-8") if body else None, headers=h)
    except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
        raise _plain(exc, url) from exc
    if r.status_code not in ok:
        raise _status_error(r)
    return r


def _multistatus(r: httpx.Response) -> ET.Element:
    try:
        return ET.fromstring(r.content)
    except ET.ParseError as exc:
        raise CardDavError(
            f"{urlsplit(str(r.url)).netloc} sent an answer that is not WebDAV ({exc})."
        ) from exc


def _propfind(http: httpx.Client, url: str, props: str, depth: str) -> ET.Element:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="{CARD}">'
        f"<d:prop>{props}</d:prop></d:propfind>"
    )
    return _multistatus(_request(http, "PROPFIND", url, body, {"Depth": depth}))


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


def discover(http: httpx.Client, url: str) -> list[BookInfo]:
    """The address books at *url* (a server, a principal or a book), by RFC 6764 and 6352."""
    url = normalize_url(url)
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
        root = _propfind(http, urljoin(url, principal), "<c:addressbook-home-set/>", "0")
        home = _href_in(root, "prop/c:addressbook-home-set")
    if home is None:
        raise CardDavError(
            f"No CardDAV address books were found at {urlsplit(url).netloc}. Check the "
            "address: your provider's help pages give the CardDAV server address."
        )
    home_url = urljoin(url, home)
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
        book_url = urljoin(home_url, href)
        books.append(BookInfo(book_url, name or unquote(href.rstrip("/").rsplit("/", 1)[-1]), sync))
    return books


def _responses(book_url: str, root: ET.Element) -> Iterable[tuple[str, bool, ET.Element]]:
    """Each response's href (as a path), whether it is the collection itself, the response."""
    own = urlsplit(book_url).path.rstrip("/")
    for response in root.findall("d:response", NS):
        href = urlsplit(urljoin(book_url, response.findtext("d:href", "", NS).strip())).path
        yield href, href.rstrip("/") == own, response


def _card_hrefs(book_url: str, root: ET.Element) -> Iterable[tuple[str, ET.Element]]:
    """Each response's href (as a path) beside the response, the collection itself left out."""
    return ((href, r) for href, book, r in _responses(book_url, root) if not book)


def list_etags(http: httpx.Client, book_url: str) -> dict[str, str]:
    """Every card's href and ETag (the fallback where sync-collection is not offered)."""
    root = _propfind(http, book_url, "<d:getetag/><d:resourcetype/>", "1")
    out = {}
    for href, response in _card_hrefs(book_url, root):
        prop = _ok_props(response)
        if prop is None or prop.find("d:resourcetype/d:collection", NS) is not None:
            continue
        out[href] = (prop.findtext("d:getetag", "", NS) or "").strip()
    return out


def sync_collection(http: httpx.Client, book_url: str, token: str) -> Changes:
    """RFC 6578: what changed since *token* ("" for everything). Raises InvalidSyncToken."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
        f"<d:sync-token>{_xml_text(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )
    try:
        r = _request(http, "REPORT", book_url, body, {"Depth": "1"})
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


def fetch(http: httpx.Client, book_url: str, hrefs: list[str]) -> dict[str, tuple[str, str]]:
    """addressbook-multiget: {href: (etag, vCard text)} for the hrefs the server still has."""
    if not hrefs:
        return {}
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><c:addressbook-multiget xmlns:d="DAV:" '
        f'xmlns:c="{CARD}"><d:prop><d:getetag/><c:address-data/></d:prop>'
        + "".join(f"<d:href>{_xml_text(h)}</d:href>" for h in hrefs)
        + "</c:addressbook-multiget>"
    )
    root = _multistatus(_request(http, "REPORT", book_url, body, {"Depth": "1"}))
    out = {}
    for href, response in _card_hrefs(book_url, root):
        prop = _ok_props(response)
        if prop is None:
            continue
        data = prop.findtext("c:address-data", None, NS)
        if data is not None:
            out[href] = ((prop.findtext("d:getetag", "", NS) or "").strip(), data)
    return out


def put(http: httpx.Client, book_url: str, href: str, text: str, etag: str | None) -> str:
    """Write a card: *etag* None creates it (If-None-Match: *), else replaces that version
    only (If-Match). Returns the new ETag ("" when the server does not say). Raises
    PreconditionFailed when the server's copy is not the one expected."""
    headers = {"Content-Type": "text/vcard; charset=utf-8"}
    if etag is None:
        headers["If-None-Match"] = "*"
    elif etag:
        headers["If-Match"] = etag
    r = _request(http, "PUT", urljoin(book_url, href), text, headers, ok=(200, 201, 204))
    return str(r.headers.get("ETag", ""))


def delete(http: httpx.Client, book_url: str, href: str, etag: str) -> None:
    """Delete that version of a card; one already gone is fine."""
    headers = {"If-Match": etag} if etag else {}
    _request(http, "DELETE", urljoin(book_url, href), None, headers, ok=(200, 204, 404))


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
