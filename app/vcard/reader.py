"""Split a vCard file into cards and content lines, from bytes, surviving real exporters.

Decoding happens per property, after unfolding at byte level, so a UTF-8 character split by a
fold, a CHARSET parameter on one line or Windows-1252 bytes in another cannot spoil the rest
of the file. Nothing here raises on bad input: problems are collected with their line numbers.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from app.vcard.problems import Problem

_LINE_BREAK = re.compile(rb"\r*\n|\r+")
_FAST_HEAD = re.compile(rb"(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_/-]+)((?:;[^:\"]*)?):")
_NAME = re.compile(r"[A-Za-z0-9_/-]+")
_BARE_NAME = re.compile(rb"[A-Za-z0-9_-]+")
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}
KNOWN_PROPERTIES = {
    "VERSION",
    "FN",
    "N",
    "NICKNAME",
    "PHOTO",
    "BDAY",
    "ADR",
    "LABEL",
    "TEL",
    "EMAIL",
    "MAILER",
    "TZ",
    "GEO",
    "TITLE",
    "ROLE",
    "LOGO",
    "AGENT",
    "ORG",
    "CATEGORIES",
    "NOTE",
    "PRODID",
    "REV",
    "SORT-STRING",
    "SOUND",
    "UID",
    "URL",
    "CLASS",
    "KEY",
    "NAME",
    "PROFILE",
    "SOURCE",
    "KIND",
    "GENDER",
    "ANNIVERSARY",
    "IMPP",
    "LANG",
    "RELATED",
    "MEMBER",
    "XML",
    "CLIENTPIDMAP",
    "FBURL",
    "CALADRURI",
    "CALURI",
}


@dataclass
class Property:
    """One content line: ``group.NAME;PARAM=value:value``, its value still as bytes."""

    group: str
    name: str
    params: list[tuple[str, str]]
    raw: bytes
    line: int
    spelled: str = ""  # the name as the file wrote it (X-ABLabel, not X-ABLABEL)
    # text() and the charset it could not use, worked out once (mapping asks for both).
    _decoded: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    def param(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]

    @property
    def types(self) -> list[str]:
        out: list[str] = []
        for v in self.param("TYPE"):
            out.extend(t.strip().lower() for t in v.split(",") if t.strip())
        return out

    @property
    def encoding(self) -> str:
        values = self.param("ENCODING")
        return values[-1].upper() if values else ""

    def value_bytes(self) -> bytes:
        """The value with its transfer encoding (quoted-printable or base64) undone."""
        enc = self.encoding
        if enc == "QUOTED-PRINTABLE":
            return binascii.a2b_qp(self.raw)
        if enc in ("B", "BASE64"):
            return decode_base64(self.raw)
        return self.raw

    def text(self) -> str:
        """The value as text (not yet unescaped), decoded with its CHARSET or a good guess;
        a line break decoded from quoted-printable (=0D=0A, =0D) is "\n", as written back."""
        return self._decode()[0]

    def refused_charset(self) -> str:
        """The CHARSET this property declares but that cannot decode its value ("" if none):
        text() then reads it as it reads a value that declares nothing."""
        return self._decode()[1]

    def _decode(self) -> tuple[str, str]:
        if self._decoded is None:
            qp = self.encoding == "QUOTED-PRINTABLE"
            data = binascii.a2b_qp(self.raw) if qp else self.raw
            text, refused = decode_declared(data, self.param("CHARSET"))
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            if "\x00" in text:  # no text holds NUL; written back, enough of them read as UTF-16
                text = text.replace("\x00", "")
            self._decoded = text, refused
        return self._decoded


@dataclass
class Card:
    """The content lines of one BEGIN:VCARD … END:VCARD block."""

    file: str
    line: int
    properties: list[Property] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def version(self) -> str:
        return next((card_version(p) for p in self.properties if p.name == "VERSION"), "")

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))


def card_version(p: Property) -> str:
    """What a VERSION property says: 2.1, 3.0 or 4.0, or whatever else the file wrote."""
    return p.raw.decode("ascii", "replace").strip()


def decode_text(data: bytes, charsets: list[str] | None = None) -> str:
    """*data* decoded with the first of *charsets* that can, else with a good guess."""
    return decode_declared(data, charsets)[0]


def decode_declared(data: bytes, charsets: list[str] | None) -> tuple[str, str]:
    """*data* as text, and the first declared charset that is known but could not decode it
    ("" when one could, or none is known). The codec registry knows names such as
    "undefined", "idna" or "punycode" that raise UnicodeError, TypeError and the like rather
    than decode, and a file may name any of them: the value is then read as one that
    declares nothing."""
    refused = ""
    for charset in charsets or ():
        name = charset.strip().strip('"')
        try:
            codec = codecs.lookup(name).name
        except Exception:  # LookupError, or ValueError for a NUL: not a charset
            continue
        if "escape" in codec:  # unicode_escape would read the vCard's own backslash escapes
            refused = refused or name
            continue
        try:
            return data.decode(codec), ""
        except LookupError:  # known, but not a text encoding (base64, rot13, zip): unknown
            continue
        except Exception:  # whatever a codec raises, the value is still read
            refused = refused or name
    return _guess(data), refused


def _guess(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # what Outlook and Windows write when they declare nothing
    except UnicodeDecodeError:
        return data.decode("latin-1")


_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=_\-\s]*")


def base64_problem(raw: bytes) -> str:
    """Why *raw* is not base64 that a writer meant ("" when it is): damaged or cut short.

    decode_base64 would still make bytes of it; a photo made of such bytes is garbage.
    """
    if not _BASE64_TEXT.fullmatch(raw):
        bad = next(chr(b) for b in raw if not _BASE64_TEXT.fullmatch(bytes([b])))
        return f"it holds “{bad}”, which base64 never does"
    data = re.sub(rb"\s", b"", raw).rstrip(b"=")
    if len(data) % 4 == 1:
        return "it is cut short"
    return ""


def decode_base64(raw: bytes) -> bytes:
    """Lenient base64: whitespace, missing padding and a stray final character are tolerated."""
    data = re.sub(rb"[^A-Za-z0-9+/=_-]", b"", raw).rstrip(b"=")
    if b"-" in data or b"_" in data:
        data = data.replace(b"-", b"+").replace(b"_", b"/")
    if len(data) % 4 == 1:
        data = data[:-1]
    data += b"=" * (-len(data) % 4)
    return binascii.a2b_base64(data)


def _parse_params(text: str) -> list[tuple[str, str]] | None:
    """Parameters after the name, ``;A=b;C="d:e";WORK``; None when they cannot be read."""
    params: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != ";":
            return None
        i += 1
        start = i
        while i < n and text[i] not in "=;":
            i += 1
        key = text[start:i].strip().upper()
        if i < n and text[i] == "=":
            i += 1
            values: list[str] = []
            buf: list[str] = []
            while i < n and text[i] != ";":
                if text[i] == '"':
                    end = text.find('"', i + 1)
                    while end != -1 and text[end - 1] == "\\":  # Apple escapes quotes: \"
                        end = text.find('"', end + 1)
                    if end == -1:
                        return None
                    buf.append(_caret_decode(text[i + 1 : end]))
                    i = end + 1
                else:
                    buf.append(text[i])
                    i += 1
            values.append("".join(buf))
            value = values[0]
            if "^" in value and '"' not in text[start:i]:
                value = _caret_decode(value)
            params.append((key, value))
        elif key:
            # vCard 2.1 bare parameter: TEL;WORK;VOICE or NOTE;QUOTED-PRINTABLE.
            params.append(("ENCODING", key) if key in _ENCODINGS else ("TYPE", key.lower()))
    return params


def _caret_decode(value: str) -> str:
    """RFC 6868: ^n newline, ^' double quote, ^^ caret."""
    if "^" not in value:
        return value
    return re.sub(
        r"\^(\^|n|N|')", lambda m: {"^": "^", "n": "\n", "N": "\n", "'": '"'}[m[1]], value
    )


def _split_head(line: bytes) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    """Group, name as spelled, parameters and raw value; None if it is not a content line."""
    m = _FAST_HEAD.match(line)
    if m:
        head_params = _guess(m[3])  # UTF-8 as a rule: TYPE=Büro
        params = _parse_params(head_params) if head_params else []
        if params is None:
            return None
        group = m[1].decode("ascii") if m[1] else ""
        return group, m[2].decode("ascii"), params, line[m.end() :]
    # Slow path: quoted parameter values may contain ':' and ';'.
    text = line.decode("latin-1")
    j = 0
    while j < len(text) and (text[j].isalnum() or text[j] in "-_/."):
        j += 1
    name = text[:j]
    if not name:
        return None
    i, in_quote = j, False
    while i < len(text):
        ch = text[i]
        if ch == '"' and text[i - 1] != "\\":
            in_quote = not in_quote
        elif ch == ":" and not in_quote:
            break
        i += 1
    if i >= len(text):
        return None
    params = _parse_params(_guess(text[j:i].encode("latin-1")))
    if params is None:
        return None
    group = ""
    if "." in name:
        group, name = name.rsplit(".", 1)
    if not _NAME.fullmatch(name):
        return None
    return group, name, params, text[i + 1 :].encode("latin-1")


# Searched for before the last ':' of the text up to the first ';': one pattern that matched
# both backtracked over every caret (a value of 20,000 "^n" took seconds).
_CARET = re.compile(rb"\^[n'^]")


def _reclaim_param_overflow(
    params: list[tuple[str, str]], raw: bytes
) -> tuple[list[tuple[str, str]], bytes]:
    """An unquoted parameter value with ':' in it (RFC 6868 writers that forget the quotes).

    Caret escapes mean nothing in a value, so text before the value's first ';' that still
    holds one, and a ':' after it, is the rest of the last parameter.
    """
    if not params:
        return params, raw
    semicolon = raw.find(b";")
    cut = raw.rfind(b":", 0, len(raw) if semicolon == -1 else semicolon)
    if cut == -1 or not _CARET.search(raw, 0, cut):
        return params, raw
    key, value = params[-1]
    rest = _caret_decode(":" + raw[:cut].decode("utf-8", "replace"))
    return [*params[:-1], (key, value + rest)], raw[cut + 1 :]


def _is_qp(head: bytes) -> bool:
    colon = head.find(b":")
    return colon != -1 and b"QUOTED-PRINTABLE" in head[:colon].upper()


_PIECE = 1 << 20  # 1 MB


def _physical_lines(data: bytes, piece: int = _PIECE) -> Iterator[bytes]:
    """The file's lines, split a megabyte at a time.

    One regex split over a whole 60 MB export holds the GIL for about two seconds, and the
    window, whose thread needs it too, froze that long during an import; a piece at a time
    holds it for a few milliseconds. Pieces end just after a "\n", which no line break spans.
    """
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + piece)
        if end == -1:
            yield from _LINE_BREAK.split(data[start:])
            return
        lines = _LINE_BREAK.split(data[start : end + 1])
        lines.pop()  # the empty string after the piece's last "\n"
        yield from lines
        start = end + 1
    yield b""  # as a split of the whole would: after a final line break, or of nothing


def _ends_card(line: bytes) -> bool:
    """END:VCARD: never the rest of a quoted-printable value that ends in a soft break."""
    return line[:3].upper() == b"END" and line.strip().upper().replace(b" ", b"") == b"END:VCARD"


def _logical_lines(data: bytes, first_line: int = 1) -> Iterator[tuple[int, bytes]]:
    """Unfold RFC folds and quoted-printable soft line breaks; keep the first line number.

    One at a time: a list of every line of a 60 MB file was the import's largest object."""
    current: bytearray | None = None
    start = 0
    qp = False
    for number, line in enumerate(_physical_lines(data), start=first_line):
        if current is not None and qp and current.endswith(b"=") and not _ends_card(line):
            del current[-1]
            current += line[1:] if line[:1] in (b" ", b"\t") else line
            continue
        if current is not None and line[:1] in (b" ", b"\t"):
            current += line[1:]
            continue
        if current is not None:
            yield start, bytes(current)
        if not line.strip():
            current = None
            continue
        current = bytearray(line)
        start = number
        qp = _is_qp(line)
    if current is not None:
        yield start, bytes(current)


_GLUED = re.compile(rb"(?i)END:VCARD[ \t]*(?=BEGIN:VCARD)")


def _glued_cards_apart(lines: Iterable[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    """``END:VCARDBEGIN:VCARD``: files joined without a final line break (cat *.vcf)."""
    for number, line in lines:
        m = _GLUED.match(line)
        if m:
            yield number, b"END:VCARD"
            line = line[m.end() :]
        yield number, line


def strip_bom(data: bytes) -> bytes:
    """The file's bytes as UTF-8 without a byte-order mark (UTF-16 files are re-encoded).

    Decided once for a whole file, from how it begins, before it is read or cut in pieces
    (iter_cards and split_between_cards take what this gives)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(codec, "replace").encode("utf-8")
    # UTF-16 without a byte-order mark: its first characters (BEGIN:VCARD, a CSV header)
    # each a byte of text beside a NUL. Not "many NULs near the start": one card's value in
    # UTF-32 or binary has as many, and the whole file was then read as UTF-16 garbage.
    head = data[:_UTF16_SNIFF]
    if len(head) == _UTF16_SNIFF:
        for codec, text, nuls in (
            ("utf-16-le", head[0::2], head[1::2]),
            ("utf-16-be", head[1::2], head[0::2]),
        ):
            if 0 not in text and nuls.count(0) == len(nuls):
                return data.decode(codec, "replace").encode("utf-8")
    return data


_UTF16_SNIFF = 16  # bytes: eight characters


# A card ends and the next begins: the only places a file is cut for parallel reading (never
# inside a card, so never inside an embedded AGENT card either, nor inside a folded value).
_BETWEEN_CARDS = re.compile(
    rb"(?im)^END:VCARD[ \t]*(?:\r\n|\r|\n)(?:[ \t]*(?:\r\n|\r|\n))*(?=BEGIN:VCARD)"
)


_CR_RUN = re.compile(rb"\r+")


def _count_line_breaks(data: bytes) -> int:
    """How many line breaks _LINE_BREAK finds in *data* (each \n with the CRs before it,
    and each run of CRs on their own), counted at C speed: matching them one by one took
    two seconds for a 60 MB file. A run of CRs stands alone unless a \n ends it; a pattern
    with a look-ahead for that tried every shorter run again (a million CRs: hours)."""
    return data.count(b"\n") + len(_CR_RUN.findall(data)) - data.count(b"\r\n")


def split_between_cards(data: bytes, size: int) -> list[tuple[bytes, int]]:
    """*data* (without a byte-order mark) cut into pieces of about *size* bytes, each ending
    after an END:VCARD line and the next beginning with BEGIN:VCARD, with the line number
    each piece starts at. Read one after the other, the pieces give exactly the file's cards
    and problems."""
    return list(iter_pieces(data, size))


def iter_pieces(data: bytes, size: int) -> Iterator[tuple[bytes, int]]:
    """split_between_cards' pieces one at a time, each cut only when it is asked for: a
    reader that keeps a few pieces in flight never holds a copy of the whole file."""
    start, line = 0, 1
    while len(data) - start > size:
        m = _BETWEEN_CARDS.search(data, start + size)
        if m is None:
            break
        piece = data[start : m.end()]
        yield piece, line
        line += _count_line_breaks(piece)
        start = m.end()
    yield data[start:], line


def read_cards(data: bytes, file: str) -> tuple[list[Card], list[Problem]]:
    """Every card in the file, each with its own problems, and problems outside any card."""
    outside: list[Problem] = []
    cards = list(iter_cards(strip_bom(data), file, outside))
    return cards, outside


def iter_cards(
    data: bytes, file: str, outside: list[Problem], first_line: int = 1
) -> Iterator[Card]:
    """The cards of the file one at a time, each with its own problems; problems outside any
    card are added to *outside* as they are met. The import maps each card as it comes, so
    that a big file's cards are never all held twice.

    *data* is the file as strip_bom gives it, or a piece of that cut by split_between_cards,
    starting at *first_line* (a piece is not decoded again: its first bytes are not the
    file's, and the pieces must read as the whole does)."""
    card: Card | None = None
    stray: list[int] = []
    skip_agent = 0
    agent_read: Property | None = None  # the AGENT whose embedded card was skipped
    # Lines an exporter wrapped without indenting, for the card's last property: joined once
    # it is complete, as adding each to the value copied it every time (quadratic).
    wrapped: list[bytes] = []
    # The card's version as Card.version says it, kept here: working it out for each line
    # went through every property so far (quadratic).
    version, any_version = "", False

    def join_wrapped() -> None:
        if wrapped and card is not None:
            last = card.properties[-1]
            last.raw = b"".join([last.raw, *wrapped])
            wrapped.clear()

    def flush_stray() -> None:
        if stray:
            where = f"line {stray[0]}" if len(stray) == 1 else f"lines {stray[0]}–{stray[-1]}"
            outside.append(Problem(file, stray[0], f"{where}: text outside any card, ignored"))
            stray.clear()

    for number, line in _glued_cards_apart(_logical_lines(data, first_line)):
        if card is not None and line.startswith(b"#") and version in ("2.1", ""):
            # Phones write comment lines into 2.1 files; they are not part of any value.
            card.warn(number, "comment line ignored")
            continue
        upper = line.strip().upper()
        if skip_agent:
            if upper.startswith(b"BEGIN:"):
                skip_agent += 1
            elif upper.startswith(b"END:"):
                skip_agent -= 1
            continue
        if upper.replace(b" ", b"") == b"BEGIN:VCARD":
            if card is not None:
                last = card.properties[-1] if card.properties else None
                if (
                    last is not None
                    and last.name == "AGENT"
                    and not last.raw.strip()
                    and last is not agent_read  # its card has ended: this is the next card
                ):
                    card.warn(number, "an embedded AGENT card was skipped")
                    skip_agent, agent_read = 1, last
                    continue
                card.warn(
                    card.line,
                    f"the card has no END:VCARD before the next card at "
                    f"line {number}; read what it had",
                )
                join_wrapped()
                yield card
            flush_stray()
            card, version, any_version = Card(file, number), "", False
            continue
        if upper.replace(b" ", b"") == b"END:VCARD":
            if card is None:
                flush_stray()
                outside.append(Problem(file, number, "END:VCARD without a card to end, ignored"))
                continue
            join_wrapped()
            yield card
            card = None
            continue
        head = _split_head(line)
        if card is None:
            if head is not None and head[1] in KNOWN_PROPERTIES and head[1] != "END":
                flush_stray()
                card, version, any_version = Card(file, number), "", False
                card.warn(number, "BEGIN:VCARD is missing before this line; read the card anyway")
            else:
                stray.append(number)
                continue
        if head is None:
            previous = card.properties[-1] if card.properties else None
            if (
                previous is not None
                and not _BARE_NAME.fullmatch(line.strip())
                and previous.name in ("NOTE", "FN", "ADR", "LABEL", "TITLE", "ORG")
            ):
                # An exporter that wraps long text without indenting the next line (Google).
                # In 2.1 a backslash is no escape: the break is kept as a real line break.
                wrapped.append((b"\n" if version == "2.1" else b"\\n") + line)
                continue
            shown = line[:40].decode("utf-8", "replace")
            card.warn(number, f"unreadable line “{shown}” was dropped")
            continue
        group, name, params, raw = head
        params, raw = _reclaim_param_overflow(params, raw)
        join_wrapped()
        prop = Property(group, name.upper(), params, raw, number, name)
        if prop.name == "VERSION" and not any_version:
            version, any_version = card_version(prop), True
        card.properties.append(prop)
    if card is not None:
        card.warn(
            card.line, "the card has no END:VCARD (the file may be cut short); read what it had"
        )
        join_wrapped()
        yield card
    flush_stray()
