"""Generated files fed to the real readers: no crash, no hang, one bad card costs only itself,
and what was read exports and reads back the same.

A few seconds of examples in the normal test run; ``python3 tasks.py fuzz --minutes N`` runs
these same tests with a large budget. Inputs they found to fail are kept as explicit cases:
``@example`` below, and plain tests in tests/vcard/test_hostile_input.py and
test_linkedin.py."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from typing import Any

import httpx
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from app.model.records import ContactRecord
from app.services import carddav
from app.services.importing import parse_bytes
from app.vcard.csv_formats import read_csv
from app.vcard.mapping import MappedCard, map_card
from app.vcard.problems import Problem
from app.vcard.reader import iter_cards, split_between_cards, strip_bom
from app.vcard.writer import to_vcard
from tests.fuzz.profile import fuzz, tried
from tests.fuzz.strategies import (
    charset,
    garbage_card,
    linkedin_file,
    multistatus,
    vcard,
    vcard_file,
)
from tests.vcard.test_roundtrip import records

# A failing example of a megabyte is still worth printing (to the long run's log).
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def read(data: bytes, name: str = "fuzz.vcf") -> list[MappedCard]:
    parsed = parse_bytes(data, name, processes=1)
    assert all(isinstance(p, Problem) for p in parsed.problems)
    for card in parsed.cards:
        assert all(isinstance(p, Problem) and p.file == name for p in card.problems)
    return parsed.cards


def gist(p: Problem) -> str:
    return re.sub(r"“[^”]*”", "“…”", p.message)


def same(r: ContactRecord) -> ContactRecord:
    """The record as export keeps it: FN is written from the name shown (the family name,
    the organisation, an email…) when the card had none."""
    return replace(r, id=None, full_name=r.display_name)


@fuzz
@given(vcard_file())
def test_any_vcard_file_is_read_without_crash_or_hang(data: bytes) -> None:
    tried["vcard files"] += 1
    for card in read(data):
        for version in ("3.0", "4.0"):
            to_vcard(card.record, version, card.introduced_by_uid)
        assert card.fingerprint


@fuzz
@given(vcard_file(), st.sampled_from(["3.0", "4.0"]))
# Found by a 10-minute run: a TYPE of a NUL became a label that export did not write back.
@example(b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:\r\nADR;TYPE=\x00:0\r\nEND:VCARD\r\n", "3.0")
def test_what_was_read_exports_and_reads_back_the_same(data: bytes, version: str) -> None:
    tried["round trips"] += 1
    for card in read(data):
        if card.skipped:
            continue
        text = to_vcard(card.record, version, card.introduced_by_uid)
        (again,) = read(text.encode("utf-8"), "again.vcf")
        # Export adds no problem (a damaged photo kept as it came is still damaged, though
        # the character it quotes may read differently).
        assert {gist(p) for p in again.problems} <= {gist(p) for p in card.problems}
        assert same(again.record) == same(card.record)
        assert again.introduced_by_uid == card.introduced_by_uid
        assert to_vcard(again.record, version, again.introduced_by_uid) == text


@fuzz
@given(vcard_file(complete=True), st.integers(1, 4000))
@example(  # found by a 10-minute run: a piece after the first was decoded again, on its own,
    # and the NULs of a UTF-32 value near its start made it read as UTF-16
    b"BEGIN:VCARD\nVERSION:2.1\nFN:" + b"Ann Lee " * 50 + b"\nEND:VCARD\n"
    b"BEGIN:VCARD\nVERSION:2.1\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:\nFN:\nFN;CHARSET=utf_32:"
    + b"\xff\xfe\x00\x00" * 100
    + b"\nEND:VCARD\nEND:VCARD\n",
    1,
)
def test_a_file_read_in_pieces_gives_what_reading_it_whole_gives(data: bytes, size: int) -> None:
    """What the reader processes of a large file do (app/vcard/pieces.py). The file is cut
    after an END:VCARD that a BEGIN:VCARD follows, which is between two cards only when the
    cards end: in a file of unended cards holding unended embedded AGENT cards, the cut can
    fall inside one, and the pieces are read otherwise than the whole."""
    tried["files in pieces"] += 1
    data = strip_bom(data)
    whole: list[Problem] = []
    expected = [map_card(c) for c in iter_cards(data, "f.vcf", whole)]
    in_pieces: list[Problem] = []
    cards = [
        map_card(c)
        for piece, line in split_between_cards(data, size)
        for c in iter_cards(piece, "f.vcf", in_pieces, line)
    ]
    # The same cards. Their problems are on the same lines, but one may be worded otherwise:
    # a card that never ends, holding an embedded AGENT card, is cut after the embedded
    # card's END:VCARD, and then ends with its piece rather than at the next card.
    assert [c.record for c in cards] == [c.record for c in expected]
    assert [[p.line for p in c.problems] for c in cards] == [
        [p.line for p in c.problems] for c in expected
    ]
    assert in_pieces == whole


good_card = st.one_of(
    vcard(complete=True), records.map(lambda r: to_vcard(r, "3.0").encode("utf-8"))
)


@fuzz
@given(good_card, garbage_card(), good_card)
@example(  # found by the long run: the garbage card vanishes, the others stay
    b"BEGIN:VCARD\r\nEND:VCARD  \r\n",
    b"BEGIN:VCARD\r\n\t\x00\r\nEND:VCARD\r\n",
    b"BEGIN:VCARD\r\nVERSION:2.1\r\nEND:VCARD\r\n",
)
def test_a_garbage_card_costs_only_itself(before: bytes, garbage: bytes, after: bytes) -> None:
    tried["garbage cards"] += 1
    alone = [read(before), read(after)]
    assume(all(len(cards) == 1 for cards in alone))
    cards = read(before + garbage + after)
    # The garbage may make no card at all (a BEGIN:VCARD folded into "BEGIN:VCARD\x00" is
    # none), or several; the cards around it are read as they are alone.
    assert len(cards) >= 2
    assert same(cards[0].record) == same(alone[0][0].record)
    assert same(cards[-1].record) == same(alone[1][0].record)
    assert cards[-1].skipped == alone[1][0].skipped


@fuzz
@given(
    st.one_of(charset, st.text()).filter(lambda s: "\r" not in s and "\n" not in s),
    st.binary(max_size=20),
)
@example("undefined", b"Lab")  # the codec exists but never decodes: the file was lost
@example("a\x00b", b"Lab")  # a NUL in the name: codecs.lookup raises ValueError
def test_any_charset_name_costs_at_most_its_property(name: str, value: bytes) -> None:
    tried["charset names"] += 1
    value = value.replace(b"\r", b"").replace(b"\n", b"")
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nitem1.EMAIL:ann@example.org\r\n"
        b"item1.X-ABLabel;CHARSET=" + name.encode("utf-8") + b":" + value
        + b"\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Bob\r\nEND:VCARD\r\n"
    )  # fmt: skip
    first, second = read(data)
    assert first.record.full_name == "Ann"
    assert [e.value for e in first.record.emails] == ["ann@example.org"]
    assert second.record.full_name == "Bob" and second.problems == []


@fuzz
@given(linkedin_file())
def test_any_linkedin_file_is_read_row_by_row(
    generated: tuple[bytes, list[list[str]], list[str]],
) -> None:
    tried["linkedin files"] += 1
    data, rows, _ = generated
    result = read_csv(data, "Connections.csv")
    assert all(isinstance(p, Problem) for p in result.problems)
    named = [row for row in rows if any(c.strip() for c in row)]
    # One card a row, whatever its cells hold. (How names are split and tidied is
    # app/vcard/csv_formats.py's to say: "M 0" may be a prefix and a name.)
    assert len(result.cards) == len(named)
    assert all(isinstance(c, MappedCard) for c in result.cards)


def _answering(body: bytes) -> Any:
    """A connection whose server answers *body* to every request (on no network at all)."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(207, content=body)

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="https://dav.test")
    # carddav's functions take the httpx client, or (once the CardDAV hardening is merged)
    # a Connection around it that keeps requests to the address the user entered.
    connection = getattr(carddav, "Connection", None)
    return connection(http, "https://dav.test/") if connection else http


@fuzz
@given(multistatus())
def test_any_multistatus_answer_is_read_or_refused_in_words(body: bytes) -> None:
    tried["carddav answers"] += 1
    book = "https://dav.test/book/"
    with _answering(body) as http:
        for call in (
            lambda: carddav.list_etags(http, book),
            lambda: carddav.sync_collection(http, book, "token"),
            lambda: carddav.fetch(http, book, ["/book/a.vcf"]),
            lambda: carddav.discover(http, book),
        ):
            with contextlib.suppress(carddav.CardDavError):
                call()


def test_an_href_that_is_no_url_is_read_or_refused_in_words() -> None:
    """Found by the fuzzing: urljoin's ValueError for an href such as http://[::1 escaped."""
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:">'
        b"<d:response><d:href>http://[::1</d:href><d:propstat><d:prop><d:getetag>e</d:getetag>"
        b"</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        b"</d:multistatus>"
    )
    with _answering(body) as http, contextlib.suppress(carddav.CardDavError):
        carddav.list_etags(http, "https://dav.test/book/")
