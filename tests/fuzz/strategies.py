"""Hypothesis strategies for what the import meets: vCard files as bytes (properties,
parameters, charsets, transfer encodings, folding, nested cards, large repeats), LinkedIn
Connections.csv files, and CardDAV multistatus answers.

They build files the way real writers get them wrong, not only as the RFCs say: any charset
name, quoted-printable with soft breaks, damaged base64, folds inside a UTF-8 character,
three kinds of line end, vCard 2.1 bare parameters and embedded AGENT cards.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import io
from urllib.parse import urljoin
from xml.sax.saxutils import escape as xml_escape

from hypothesis import strategies as st

KNOWN = [
    "FN", "N", "NICKNAME", "PHOTO", "BDAY", "ADR", "LABEL", "TEL", "EMAIL", "TITLE", "ROLE",
    "ORG", "CATEGORIES", "NOTE", "UID", "URL", "REV", "PRODID", "X-ABLabel", "X-SOCIALPROFILE",
    "X-ANDROID-CUSTOM", "X-SECONDACT-TIER", "X-SECONDACT-INDUSTRY", "X-SECONDACT-HOW-MET",
    "X-SECONDACT-INTRODUCED-BY", "AGENT", "KEY", "LOGO", "IMPP", "GEO", "TZ", "X-MS-CARDPICTURE",
]  # fmt: skip
CHARSETS = [
    "UTF-8", "utf-8", "ISO-8859-1", "windows-1252", "SHIFT_JIS", "utf-16", "UTF-7", "big5",
    "undefined", "punycode", "idna", "unicode_escape", "raw_unicode_escape", "base64", "rot13",
    "zlib", "hex", "x-unknown", "", '"utf-8"', "mbcs", "utf-8-sig", "utf_32",
]  # fmt: skip
SEPARATORS = [b"\r\n", b"\n", b"\r", b"\r\r\n"]
# Files grow to about this size (each example must stay within the deadline on a busy
# machine): large enough for anything quadratic in a card or a file to show.
MAX_FILE = 2_000_000

# Text with the characters vCard treats specially drawn often, and any other code point.
_specials = st.sampled_from(list(';,\\:"^=.\t\n \u00e9\u20ac\U0001f600\u2028\x00'))
text = st.text(st.one_of(_specials, st.characters(blacklist_categories=("Cs",))), max_size=40)
name_chars = st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789-_/."))


@st.composite
def property_name(draw: st.DrawFn) -> str:
    name = draw(st.one_of(st.sampled_from(KNOWN), st.text(name_chars, min_size=1, max_size=12)))
    if draw(st.booleans()):
        name = draw(st.sampled_from([name.lower(), name.upper(), name.title()]))
    group = draw(st.one_of(st.just(""), st.sampled_from(["item1", "item2", "a.b", "ITEM1"])))
    return f"{group}.{name}" if group else name


charset = st.one_of(st.sampled_from(CHARSETS), st.text(max_size=12))
param_value = st.one_of(
    st.sampled_from(["WORK", "home", "cell", "pref", "VOICE,FAX", "JPEG", "text", "1604"]),
    text,
)


@st.composite
def parameters(draw: st.DrawFn) -> tuple[str, str, str]:
    """The parameter text after the name, the CHARSET (or ""), and the ENCODING (or "")."""
    out = ""
    chosen_charset = ""
    encoding = draw(
        st.sampled_from(["", "", "", "QUOTED-PRINTABLE", "BASE64", "b", "8BIT", "7bit"])
    )
    if encoding:
        spelled = draw(st.sampled_from([f";ENCODING={encoding}", f";{encoding}"]))
        out += spelled
    if draw(st.booleans()):
        chosen_charset = draw(charset)
        out += f";CHARSET={chosen_charset}"
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(["TYPE", "type", "PREF", "VALUE", "X-APPLE-OMIT-YEAR", ""]))
        value = draw(param_value)
        quoted = draw(st.booleans())
        value = f'"{value}"' if quoted else value
        out += f";{key}={value}" if key else f";{value}"
    return out, chosen_charset, encoding


def encode_text(value: str, charset_name: str) -> bytes:
    """*value* in the declared charset when Python can write it so, else UTF-8."""
    try:
        codec = codecs.lookup(charset_name.strip().strip('"')).name
        if "escape" not in codec and codec not in ("undefined",):
            return value.encode(codec)
    except Exception:  # any name at all: UTF-8 then, as a careless writer does
        return value.encode("utf-8")
    return value.encode("utf-8")


@st.composite
def content_line(draw: st.DrawFn) -> bytes:
    """One property, unfolded: name, parameters and a value in its transfer encoding."""
    name = draw(property_name())
    params, chosen_charset, encoding = draw(parameters())
    kind = draw(st.sampled_from(["text", "text", "bytes", "repeat"]))
    if kind == "bytes":
        value = draw(st.binary(max_size=60))
    else:
        value = encode_text(draw(text), chosen_charset)
        if kind == "repeat":  # sizes: a long value, from a short piece repeated
            value *= draw(st.integers(1, 3000)) if len(value) < 60 else 2
    upper = encoding.upper()
    if upper == "QUOTED-PRINTABLE":
        value = binascii.b2a_qp(value, istext=False)  # soft breaks: "=\r\n" every 76
        value = value.replace(b"=\n", b"=\r\n")
    elif upper in ("BASE64", "B"):
        value = base64.b64encode(value)
        if draw(st.booleans()):  # damaged on the way
            cut = draw(st.integers(0, len(value)))
            value = value[:cut] + draw(st.binary(max_size=4)) + value[cut:]
    if upper != "QUOTED-PRINTABLE":  # a line break ends the line: written as \n, or lost
        value = value.replace(b"\r", b"").replace(b"\n", b"\\n")
    return name.encode("utf-8") + params.encode("utf-8") + b":" + value


@st.composite
def folded(draw: st.DrawFn, line: bytes, eol: bytes) -> bytes:
    """*line* folded at arbitrary byte positions (inside a UTF-8 character too)."""
    if b"\n" in line or not draw(st.booleans()):
        return line.replace(b"\r\n", eol) if eol != b"\r\n" else line
    width = draw(st.integers(1, 90))
    pieces = [line[i : i + width] for i in range(0, len(line), width)] or [b""]
    return (eol + draw(st.sampled_from([b" ", b"\t"]))).join(pieces)


@st.composite
def vcard(draw: st.DrawFn, depth: int = 0, complete: bool = False) -> bytes:
    """One card: BEGIN, VERSION, any properties (maybe an embedded AGENT card), END
    (now and then left out, unless *complete*: then the card and any card in it end)."""
    eol = draw(st.sampled_from(SEPARATORS))
    version = draw(st.sampled_from([b"2.1", b"3.0", b"4.0", b""]))
    lines = [b"BEGIN:VCARD"]
    if version:
        lines.append(b"VERSION:" + version)
    if draw(st.booleans()):
        lines.append(b"FN:" + encode_text(draw(text), "utf-8").replace(b"\n", b"\\n"))
    for line in draw(st.lists(content_line(), max_size=8)):
        lines.append(draw(folded(line, eol)))
    if depth == 0 and draw(st.integers(0, 9)) == 0:
        agent = draw(vcard(depth=1, complete=complete))
        if draw(st.booleans()):  # vCard 2.1: the embedded card's lines follow AGENT:
            lines.extend([b"AGENT:", agent.rstrip(b"\r\n")])
        else:  # 3.0: one escaped value
            lines.append(b"AGENT:" + agent.replace(b"\r", b"").replace(b"\n", b"\\n"))
    if complete or draw(st.integers(0, 19)):  # now and then a card is cut short
        lines.append(draw(st.sampled_from([b"END:VCARD", b"end:vcard", b"END:VCARD  "])))
    return eol.join(lines) + eol


@st.composite
def vcard_file(draw: st.DrawFn, complete: bool = False) -> bytes:
    """Cards one after the other, sometimes with a byte-order mark or in UTF-16 (every card
    and every card in one ending, when *complete*)."""
    cards = draw(st.lists(vcard(complete=complete), min_size=1, max_size=4))
    data = b"".join(cards)
    if draw(st.integers(0, 5)) == 0:  # many copies: a large file, up to a few megabytes
        data *= min(draw(st.integers(2, 300)), MAX_FILE // max(len(data), 1) + 1)
    bom = draw(st.sampled_from(["", "", "", "utf-8", "utf-16"]))
    if bom == "utf-8":
        data = codecs.BOM_UTF8 + data
    elif bom == "utf-16":
        data = codecs.BOM_UTF16_LE + data.decode("utf-8", "replace").encode("utf-16-le")
    return data


# A line of garbage inside a card: anything that is not a line of its own that begins or
# ends a card (a card that never ends takes in the next one: that is what END:VCARD means).
garbage_line = st.binary(max_size=80).filter(
    lambda b: b"\n" not in b and b"\r" not in b and b"vcard" not in b.lower()
)


@st.composite
def garbage_card(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.one_of(garbage_line, content_line()), max_size=10))
    body = [line for line in lines if b"vcard" not in line.lower()]
    return b"\r\n".join([b"BEGIN:VCARD", *body, b"END:VCARD"]) + b"\r\n"


# LinkedIn's Connections.csv: a few note lines, then the header, then one row per person.
LINKEDIN_COLUMNS = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position"]
cell = st.text(st.one_of(_specials, st.characters(blacklist_categories=("Cs",))), max_size=20)


@st.composite
def linkedin_file(draw: st.DrawFn) -> tuple[bytes, list[list[str]], list[str]]:
    """The file's bytes, its rows and its header (shuffled, with LinkedIn's note lines)."""
    header = draw(st.permutations([*LINKEDIN_COLUMNS, "Connected On"]))
    rows = draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=8))
    out = io.StringIO()
    if draw(st.booleans()):
        out.write('Notes:\n"When exporting your connection data, you may notice..."\n\n')
    # csv quotes a cell with "\n" in it but not one with only "\r", which reads as two lines.
    carriage_return = any("\r" in c for row in rows for c in row)
    writer = csv.writer(
        out,
        lineterminator=draw(st.sampled_from(["\r\n", "\n"])),
        quoting=csv.QUOTE_ALL if carriage_return or draw(st.booleans()) else csv.QUOTE_MINIMAL,
    )
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        data = codecs.BOM_UTF8 + data
    return data, rows, header


# CardDAV: a multistatus answer as a server might send it, well-formed or not.
def joinable(href: str) -> bool:
    """Whether urljoin takes *href* at all. It raises ValueError for some ("http://[::1"),
    which app/services/carddav.py does not yet catch: test_fuzz_import keeps that case as an
    expected failure, and the fuzzing looks for other faults."""
    try:
        urljoin("https://dav.test/book/", href.strip())
    except ValueError:
        return False
    return True


_href = st.one_of(
    st.sampled_from(["/book/a.vcf", "/book/", "b.vcf", "//x", "", "/book/%ZZ", "../../etc"]),
    st.text(max_size=30),
).filter(joinable)
_status = st.sampled_from(
    ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 507 Insufficient Storage", "", "x"]
)


@st.composite
def multistatus(draw: st.DrawFn) -> bytes:
    responses = []
    for _ in range(draw(st.integers(0, 4))):
        href = xml_escape(draw(_href))
        etag = xml_escape(draw(st.text(max_size=10)))
        data = xml_escape(draw(st.one_of(st.just(""), text)))
        propstat = (
            f"<d:propstat><d:prop><d:getetag>{etag}</d:getetag>"
            f"<c:address-data>{data}</c:address-data>"
            "<d:resourcetype><c:addressbook/></d:resourcetype>"
            f"<d:displayname>{etag}</d:displayname></d:prop>"
            f"<d:status>{draw(_status)}</d:status></d:propstat>"
        )
        own = f"<d:status>{draw(_status)}</d:status>" if draw(st.booleans()) else propstat
        responses.append(f"<d:response><d:href>{href}</d:href>{own}</d:response>")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav">'
        f"{''.join(responses)}<d:sync-token>{xml_escape(draw(st.text(max_size=8)))}</d:sync-token>"
        "</d:multistatus>"
    )
    raw = body.encode("utf-8")
    if draw(st.integers(0, 4)) == 0:  # cut short or spoilt
        raw = raw[: draw(st.integers(0, len(raw)))] + draw(st.binary(max_size=8))
    return raw
