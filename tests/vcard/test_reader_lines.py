"""The reader's own promises at the level of content lines: transfer encodings, lenient
base64, quoted and caret-escaped parameters, where a quoted-printable value ends, folding and
lines split a piece at a time, and the problems told where a card's structure breaks.

Asked for by the survivors of mutation testing (tests/MUTATION.md, app/vcard/reader.py)."""

from __future__ import annotations

import base64
from itertools import islice

import pytest

from app.services.importing import parse_bytes
from app.vcard.problems import Problem
from app.vcard.reader import (
    _LINE_BREAK,
    Property,
    _physical_lines,
    base64_problem,
    decode_base64,
    decode_text,
    iter_cards,
    read_cards,
)


def the_property(line: bytes) -> Property:
    """The one property *line* makes inside a 3.0 card."""
    cards, outside = read_cards(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + line + b"\r\nEND:VCARD\r\n", "t.vcf"
    )
    assert outside == []
    (card,) = cards
    assert card.problems == []
    (prop,) = [p for p in card.properties if p.name != "VERSION"]
    return prop


@pytest.mark.parametrize(
    ("line", "value"),
    [
        (b"NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9 au lait", "café au lait".encode()),
        (b"NOTE;ENCODING=quoted-printable:caf=C3=A9", "café".encode()),
        (b"PHOTO;ENCODING=BASE64:aGVsbG8=", b"hello"),
        (b"PHOTO;ENCODING=base64:aGVsbG8=", b"hello"),
        (b"PHOTO;ENCODING=b:aGVsbG8=", b"hello"),
        (b"NOTE:caf=C3=A9", b"caf=C3=A9"),  # no encoding declared: the bytes as written
    ],
)
def test_a_value_is_decoded_by_the_transfer_encoding_it_declares(line: bytes, value: bytes) -> None:
    assert the_property(line).value_bytes() == value


def test_a_declared_charset_is_used_before_any_guess() -> None:
    # KOI8-R "а" (Cyrillic) is "Á" to the Windows-1252 guess.
    assert decode_text(b"\xc1", ["koi8-r"]) == "а"
    assert decode_text(b"\xc1") == "Á"


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        (b"QUJD", b"ABC"),  # no padding needed
        (b"QUJDRA", b"ABCD"),  # padding left out
        (b"QUJDRA==", b"ABCD"),
        (b"QUJD\r\n RA ==", b"ABCD"),  # white space anywhere
        (b"QUJDX", b"ABC"),  # a stray final character
        (b"QUJDR==", b"ABC"),  # one before the padding
        (b"AAAX", b"\x00\x00\x17"),  # ends in a letter padding is not
    ],
)
def test_base64_is_read_leniently(raw: bytes, data: bytes) -> None:
    assert decode_base64(raw) == data


@pytest.mark.parametrize("raw", [b"ab-c", b"ab_c", b"a-_c", b"-_-_", b"_w-w"])
def test_base64_in_the_url_safe_alphabet_is_read_as_such(raw: bytes) -> None:
    assert decode_base64(raw) == base64.urlsafe_b64decode(raw)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"QUJD", ""),
        (b"QUJD RA==", ""),
        (b"QUJDX", "it is cut short"),
        (b"QUJD\r\nR", "it is cut short"),
        (b"QUJDR===", "it is cut short"),
        (b"QUJD*", "it holds “*”, which base64 never does"),
    ],
)
def test_damaged_base64_is_told_apart(raw: bytes, why: str) -> None:
    assert base64_problem(raw) == why


@pytest.mark.parametrize(
    ("line", "params"),
    [
        # Two quoted values: each ends at its own closing quote.
        (b'TEL;TYPE="work";X-A="b":1', [("TYPE", "work"), ("X-A", "b")]),
        (b'TEL;X-EMPTY="";TYPE="home":1', [("X-EMPTY", ""), ("TYPE", "home")]),
        # Apple escapes a quote inside a quoted value: \" does not end it.
        (
            b'TEL;X-LABEL="say \\"hi\\"";TYPE=cell:1',
            [("X-LABEL", 'say \\"hi\\"'), ("TYPE", "cell")],
        ),
        (b'TEL;X-LABEL="a \\"b\\" c":1', [("X-LABEL", 'a \\"b\\" c')]),
        (
            b'TEL;X-LABEL="a \\"b\\" c";TYPE="cell":1',
            [("X-LABEL", 'a \\"b\\" c'), ("TYPE", "cell")],
        ),
        # RFC 6868 caret escapes, quoted or not, decoded once.
        (b"TEL;X-A=a^nb^Nc:1", [("X-A", "a\nb\nc")]),
        (b'TEL;X-A="a^Nb":1', [("X-A", "a\nb")]),
        (b"TEL;X-A=say ^'hi^':1", [("X-A", 'say "hi"')]),
        (b'TEL;X-A="^^n";X-B=^^n:1', [("X-A", "^n"), ("X-B", "^n")]),
        # vCard 2.1 bare parameters.
        (b"TEL;WORK;QUOTED-PRINTABLE:1", [("TYPE", "work"), ("ENCODING", "QUOTED-PRINTABLE")]),
    ],
)
def test_parameters_are_read_as_written(line: bytes, params: list[tuple[str, str]]) -> None:
    prop = the_property(line)
    assert (prop.params, prop.raw) == (params, b"1")


@pytest.mark.parametrize("end", [b"END:VCARD", b"END: VCARD", b"END :VCARD", b"end:vcard"])
def test_a_soft_break_at_the_end_of_a_value_does_not_take_in_the_card_end(end: bytes) -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\nNOTE;QUOTED-PRINTABLE:abc=\r\n"
        + end
        + b"\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Bo Ek\r\nEND:VCARD\r\n"
    )
    parsed = parse_bytes(data, "t.vcf")
    assert parsed.problems == []
    assert [(c.record.full_name, c.record.note) for c in parsed.cards] == [
        ("Ann Lee", "abc"),
        ("Bo Ek", ""),
    ]


def test_a_soft_break_before_a_line_that_starts_with_end_continues_the_value() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\n"
        b"NICKNAME;QUOTED-PRINTABLE:The =\r\nEnd\r\nEND:VCARD\r\n"
    )
    parsed = parse_bytes(data, "t.vcf")
    assert parsed.problems == []
    (card,) = parsed.cards
    assert card.record.nickname == "The End"


@pytest.mark.parametrize(
    "line",
    [
        b'X-A;P=a\\"b":v"w:z',  # the last quote opens a value that never closes
        b'X-A;P=a\\"b":v"w\\x:z',  # ... and a backslash before the last character
    ],
)
def test_a_parameter_whose_quote_never_closes_is_an_unreadable_line(line: bytes) -> None:
    cards, _ = read_cards(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:a@x.org\r\n" + line + b"\r\nEND:VCARD\r\n", "t.vcf"
    )
    (card,) = cards
    assert [p.name for p in card.properties] == ["VERSION", "EMAIL"]
    assert [p.message for p in card.problems] == [f"unreadable line “{line.decode()}” was dropped"]


def test_a_grouped_property_with_a_colon_in_a_quoted_parameter_keeps_its_group() -> None:
    prop = the_property(b'item1.TEL;X-A="a:b";TYPE=cell:123')
    assert (prop.group, prop.name, prop.params, prop.raw) == (
        "item1",
        "TEL",
        [("X-A", "a:b"), ("TYPE", "cell")],
        b"123",
    )


@pytest.mark.parametrize(
    ("line", "params", "raw"),
    [
        # An unquoted value with a colon: text with a caret before the last colon is the
        # parameter's; a caret after it is the value's.
        (b"NOTE;X-A=a:b^nc:v", [("X-A", "a:b\nc")], b"v"),
        (b"NOTE;TYPE=home;X-A=a:b^nc:v", [("TYPE", "home"), ("X-A", "a:b\nc")], b"v"),
        (b"NOTE;X-A=a:b^nc:v:", [("X-A", "a:b\nc:v")], b""),
        (b"NOTE;X-A=a:b:c^n", [("X-A", "a")], b"b:c^n"),
        (b"NOTE;X-A=a:\xff^n:v", [("X-A", "a:\ufffd\n")], b"v"),
        # Dots in a group name: the group is all before the last one.
        (b'a.b.NOTE;X-A="a:b":v', [("X-A", "a:b")], b"v"),
    ],
)
def test_a_colon_in_an_unquoted_parameter_value_is_reclaimed(
    line: bytes, params: list[tuple[str, str]], raw: bytes
) -> None:
    prop = the_property(line)
    assert (prop.name, prop.params, prop.raw) == ("NOTE", params, raw)
    assert prop.group == ("a.b" if line.startswith(b"a.b.") else "")


@pytest.mark.parametrize(
    "line",
    [
        b"NOTE:say QUOTED-PRINTABLE=",
        b"NOTE:say QUOTED-PRINTABLE: it=",
        b"QUOTED-PRINTABLE, no colon=",  # not a content line at all
    ],
)
def test_a_line_that_only_names_quoted_printable_is_not_unfolded_as_such(line: bytes) -> None:
    cards, _ = read_cards(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nEMAIL:a@x.org\r\n"
        + line
        + b"\r\nEMAIL:b@x.org\r\nEND:VCARD\r\n",
        "t.vcf",
    )
    (card,) = cards
    emails = [p.raw for p in card.properties if p.name == "EMAIL"]
    assert emails == [b"a@x.org", b"b@x.org"]
    assert [p.raw for p in card.properties if p.name == "NOTE"] == (
        [line[5:]] if line.startswith(b"NOTE:") else []
    )


@pytest.mark.parametrize(
    "data",
    [
        b"a\nb\n",
        b"a\n\nb\n",  # a blank line just after a piece's end
        b"a\n\r\nb",  # a CRLF just after it
        b"a\r\n\rb\r",
        b"ab\r\n c\n\n\nd",
        b"",
        b"\n",
    ],
)
@pytest.mark.parametrize("piece", [1, 2, 3])
def test_lines_read_a_piece_at_a_time_are_the_lines_of_the_whole(data: bytes, piece: int) -> None:
    """A big file is split into lines a megabyte at a time; small pieces here show that the
    pieces' ends add, drop and renumber no line (test_dialects.py tries more with hypothesis)."""
    whole = _LINE_BREAK.split(data)
    # One line more than the whole has, at most: a piece read again and again would not end.
    assert list(islice(_physical_lines(data, piece), len(whole) + 1)) == whole


def test_a_line_after_a_soft_break_loses_the_indent_a_folding_writer_added() -> None:
    # Soft breaks (=) and RFC folding at once: the space or tab is the fold's, not the value's.
    prop = the_property(b"NOTE;ENCODING=QUOTED-PRINTABLE:caf=\r\n =C3=A9 au =\r\n\tlait")
    assert prop.text() == "café au lait"


@pytest.mark.parametrize("indent", [b" ", b"\t"])
def test_a_line_folded_with_a_space_or_a_tab_is_unfolded(indent: bytes) -> None:
    prop = the_property(b"NOTE:a long\r\n" + indent + b" note\r\n" + indent + b"ends")
    assert prop.raw == b"a long noteends"


def test_text_outside_any_card_is_told_once_for_each_run_of_lines() -> None:
    data = (
        b"junk\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"
        b"more\r\nstill more\r\n\r\nlast\r\n"
    )
    cards, outside = read_cards(data, "t.vcf")
    assert len(cards) == 1
    assert outside == [
        Problem("t.vcf", 1, "line 1: text outside any card, ignored"),
        Problem("t.vcf", 6, "lines 6–9: text outside any card, ignored"),
    ]


def test_a_piece_of_a_file_numbers_its_cards_and_problems_from_its_first_line() -> None:
    outside: list[Problem] = []
    data = b"stray\r\nBEGIN:VCARD\r\nVERSION:3.0\r\n\x01bad\r\nEND:VCARD\r\n"
    (card,) = iter_cards(data, "t.vcf", outside, first_line=41)
    assert outside == [Problem("t.vcf", 41, "line 41: text outside any card, ignored")]
    assert card.line == 42
    assert card.problems == [Problem("t.vcf", 44, "unreadable line “\x01bad” was dropped")]


def test_each_break_in_a_cards_structure_is_told_with_its_line() -> None:
    unreadable = b"\x01 not a property: \xff, and longer than the forty bytes shown"
    data = b"\r\n".join(
        [
            b"END:VCARD",  # 1: ends nothing
            b"BEGIN:VCARD",
            b"VERSION:2.1",
            b"FN:Ann Lee",
            b"AGENT:",
            b"BEGIN:VCARD",  # 6: the agent's own card
            b"FN:Her Assistant",
            b"END:VCARD",
            b"# a phone's comment",  # 9
            unreadable,  # 10
            b"END:VCARD",
            b"FN:Bo Ek",  # 12: a card without BEGIN
            b"BEGIN:VCARD",  # 13: ... nor END
            b"VERSION:3.0",
            b"FN:Cy Fox",  # and the file ends
        ]
    )
    cards, outside = read_cards(data, "t.vcf")
    assert outside == [Problem("t.vcf", 1, "END:VCARD without a card to end, ignored")]
    told = [[(p.file, p.line, p.message) for p in card.problems] for card in cards]
    shown = unreadable[:40].decode("utf-8", "replace")
    assert told == [
        [
            ("t.vcf", 6, "an embedded AGENT card was skipped"),
            ("t.vcf", 9, "comment line ignored"),
            ("t.vcf", 10, f"unreadable line “{shown}” was dropped"),
        ],
        [
            ("t.vcf", 12, "BEGIN:VCARD is missing before this line; read the card anyway"),
            (
                "t.vcf",
                12,
                "the card has no END:VCARD before the next card at line 13; read what it had",
            ),
        ],
        [
            (
                "t.vcf",
                13,
                "the card has no END:VCARD (the file may be cut short); read what it had",
            )
        ],
    ]
    assert [[p.raw for p in card.properties if p.name == "FN"] for card in cards] == [
        [b"Ann Lee"],
        [b"Bo Ek"],
        [b"Cy Fox"],
    ]
    assert [card.line for card in cards] == [2, 12, 13]


@pytest.mark.parametrize("begin", [b"BEGIN:VCARD", b"begin:vcard"])
def test_an_agent_card_inside_an_agent_card_is_skipped_whole(begin: bytes) -> None:
    data = b"\r\n".join(
        [
            b"BEGIN:VCARD",
            b"VERSION:2.1",
            b"FN:Ann Lee",
            b"AGENT:",
            b"BEGIN:VCARD",
            b"FN:Her Assistant",
            b"AGENT:",
            begin,  # 8: the assistant's own agent
            b"FN:His Deputy",
            b"END:VCARD",
            b"TEL:555 0101",  # still the assistant's
            b"END:VCARD",
            b"EMAIL:ann@example.org",  # Ann's again
            b"END:VCARD",
        ]
    )
    cards, outside = read_cards(data, "t.vcf")
    assert outside == []
    (card,) = cards
    assert [(p.name, p.raw) for p in card.properties] == [
        ("VERSION", b"2.1"),
        ("FN", b"Ann Lee"),
        ("AGENT", b""),
        ("EMAIL", b"ann@example.org"),
    ]
    assert [(p.line, p.message) for p in card.problems] == [
        (5, "an embedded AGENT card was skipped")
    ]


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        (b"BEGIN: VCARD", b"END: VCARD"),
        (b"BEGIN :VCARD", b"END :VCARD"),
        (b"begin:vcard ", b"end:vCard"),
    ],
)
def test_a_card_begins_and_ends_at_lines_written_with_spaces_or_in_lower_case(
    begin: bytes, end: bytes
) -> None:
    data = (
        begin
        + b"\r\nVERSION:3.0\r\nFN:Ann Lee\r\n"
        + end
        + b"\r\nBEGIN:VCARD\r\nFN:Bo\r\nEND:VCARD"
    )
    cards, outside = read_cards(data, "t.vcf")
    assert outside == []
    assert [(c.line, c.problems, len(c.properties)) for c in cards] == [(1, [], 2), (5, [], 1)]


@pytest.mark.parametrize(
    ("lines", "told"),
    [
        ([b"VERSION:2.1", b"EMAIL:a@x.org"], "comment line ignored"),
        ([b"EMAIL:a@x.org", b"VERSION:2.1"], "comment line ignored"),  # VERSION not first
        ([b"VERSION:2.1", b"VERSION:3.0", b"EMAIL:a@x.org"], "comment line ignored"),  # the first
        ([b"EMAIL:a@x.org"], "comment line ignored"),  # no VERSION: read as 2.1
        ([b"VERSION:3.0", b"EMAIL:a@x.org"], "unreadable line “#12 Main St” was dropped"),
    ],
)
def test_a_hash_line_is_a_comment_only_in_a_2_1_card(lines: list[bytes], told: str) -> None:
    data = b"BEGIN:VCARD\r\n" + b"\r\n".join(lines) + b"\r\n#12 Main St\r\nEND:VCARD\r\n"
    (card,) = read_cards(data, "t.vcf")[0]
    assert [(p.line, p.message) for p in card.problems] == [(len(lines) + 2, told)]


@pytest.mark.parametrize(
    ("version", "note"), [(b"2.1", b"a\nb c"), (b"3.0", b"a\\nb c"), (b"4.0", b"a\\nb c")]
)
def test_a_note_wrapped_without_indent_keeps_its_break_as_its_version_writes_one(
    version: bytes, note: bytes
) -> None:
    data = b"BEGIN:VCARD\r\nVERSION:" + version + b"\r\nNOTE:a\r\nb c\r\nEND:VCARD\r\n"
    (card,) = read_cards(data, "t.vcf")[0]
    assert card.problems == []
    assert [p.raw for p in card.properties if p.name == "NOTE"] == [note]


def test_a_begin_line_straight_after_another_ends_an_empty_card() -> None:
    cards, outside = read_cards(b"BEGIN:VCARD\r\nBEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\n", "t.vcf")
    assert outside == []
    assert [(c.line, len(c.properties)) for c in cards] == [(1, 0), (2, 1)]
    assert [p.message for p in cards[0].problems] == [
        "the card has no END:VCARD before the next card at line 2; read what it had"
    ]


@pytest.mark.parametrize(
    ("lines", "told"),
    [
        ([b"FN:Ann"], "comment line ignored"),
        (
            [b"FN:Ann", b"VERSION:3.0", b"EMAIL:a@x.org"],
            "unreadable line “#12 Main St” was dropped",
        ),
    ],
)
def test_a_card_without_its_begin_line_is_read_by_its_version_too(
    lines: list[bytes], told: str
) -> None:
    data = b"\r\n".join(lines) + b"\r\n#12 Main St\r\nEND:VCARD\r\n"
    cards, outside = read_cards(data, "t.vcf")
    assert outside == []
    assert [(p.line, p.message) for p in cards[0].problems] == [
        (1, "BEGIN:VCARD is missing before this line; read the card anyway"),
        (len(lines) + 1, told),
    ]


def test_an_unreadable_line_before_any_property_is_dropped_with_a_warning() -> None:
    (card,) = read_cards(b"BEGIN:VCARD\r\nno colon here\r\nFN:Ann\r\nEND:VCARD\r\n", "t.vcf")[0]
    assert [(p.name, p.raw) for p in card.properties] == [("FN", b"Ann")]
    assert [(p.line, p.message) for p in card.problems] == [
        (2, "unreadable line “no colon here” was dropped")
    ]


@pytest.mark.parametrize("name", [b"NOTE", b"FN", b"ADR", b"LABEL", b"TITLE", b"ORG"])
def test_text_wrapped_without_indent_is_joined_to_the_properties_that_hold_text(
    name: bytes,
) -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + name + b":a\r\nb c\r\nEND:VCARD\r\n"
    (card,) = read_cards(data, "t.vcf")[0]
    assert card.problems == []
    assert [(p.name, p.raw) for p in card.properties[1:]] == [(name.decode(), b"a\\nb c")]


def test_a_line_wrapped_without_indent_after_an_email_is_not_joined_to_it() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:a@x.org\r\nb c\r\nEND:VCARD\r\n"
    (card,) = read_cards(data, "t.vcf")[0]
    assert [p.raw for p in card.properties[1:]] == [b"a@x.org"]
    assert [p.message for p in card.problems] == ["unreadable line “b c” was dropped"]
