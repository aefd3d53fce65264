"""Files made to hurt: charsets that cannot decode, and values big enough that anything but a
linear reading or writing of them takes minutes.

The size tests carry a timeout marker instead of measuring time: the quadratic code they
replace takes minutes on these inputs, the linear code well under a second."""

from __future__ import annotations

import codecs
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.model.normalize import org_key
from app.model.records import ContactRecord, Labeled
from app.services.importing import parse_bytes
from app.vcard.mapping import BINARY_LIMIT, NOTE_LIMIT, TEXT_LIMIT, MappedCard
from app.vcard.reader import _LINE_BREAK, _count_line_breaks, split_between_cards
from app.vcard.writer import fold, to_vcard

NEXT = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Next Person\r\nEMAIL:next@example.org\r\nEND:VCARD\r\n"


def card(*lines: bytes) -> bytes:
    body = b"".join(line + b"\r\n" for line in lines)
    return b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\n" + body + b"END:VCARD\r\n"


def both(data: bytes) -> tuple[MappedCard, MappedCard]:
    """The two cards of *data*: the one under test, and the one after it, intact."""
    parsed = parse_bytes(data, "t.vcf")
    assert parsed.problems == []
    first, second = parsed.cards
    assert second.record.full_name == "Next Person"
    assert second.record.emails == [Labeled("next@example.org", "")]
    assert second.problems == []
    return first, second


@pytest.mark.parametrize(
    "charset",
    [b"undefined", b"punycode", b"idna", b"unicode_escape", b"raw-unicode-escape"],
)
def test_a_charset_that_cannot_decode_costs_at_most_its_property(charset: bytes) -> None:
    data = card(
        b"item1.EMAIL:ann@example.org",
        b"item1.X-ABLabel;CHARSET=" + charset + b":Lab \\\xff\xfe\xc3",
        b"TITLE;CHARSET=" + charset + b":Chemist \xe9\\,x",
    )
    first, _ = both(data + NEXT)
    r = first.record
    assert r.full_name == "Ann Lee"
    assert [e.value for e in r.emails] == ["ann@example.org"]
    assert r.title.startswith("Chemist")
    lines = sorted(p.line for p in first.problems)
    assert lines == [5, 6]
    for p in first.problems:
        assert p.file == "t.vcf"
        assert charset.decode() in p.message


@pytest.mark.parametrize(
    "charset", [b"no-such-charset", b"base64", b"rot13", b"a\x00b", b'"utf-8"', b"UTF-8"]
)
def test_unknown_or_non_text_charsets_read_the_value_as_undeclared(charset: bytes) -> None:
    first, _ = both(card(b"TITLE;CHARSET=" + charset + b":Caf\xc3\xa9") + NEXT)
    assert first.record.title == "Café"
    assert first.problems == []


@pytest.mark.timeout(20)
def test_an_organisation_of_commas_is_keyed_in_linear_time() -> None:
    assert org_key("," * 60_000) == "," * 60_000  # nothing but punctuation: kept as it is
    assert org_key("Acme" + ", Inc." * 20_000) == "acme"
    assert org_key("Acme " + "x." * 30_000) == org_key("acme " + "X." * 30_000)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Inc.", "acme"),
        ("ACME, Inc., Ltd", "acme"),
        ("Acme Inc..", "acme"),
        ("Müller & Söhne GmbH", "muller and sohne"),
        ("S.A. Foods S.A.S.", "s.a. foods"),
        ("Inc", "inc"),
        (", Inc", ", inc"),
        ("Acme Incorporated", "acme"),
        ("Acme Incx", "acme incx"),
        ("Maersk A/S", "maersk"),
    ],
)
def test_organisation_keys_drop_legal_forms_as_before(name: str, key: str) -> None:
    assert org_key(name) == key


@pytest.mark.timeout(20)
def test_a_hundred_thousand_categories_in_one_card_are_read_in_linear_time() -> None:
    tags = b",".join(b"tag%d" % i for i in range(100_000))
    first, _ = both(card(b"CATEGORIES:" + tags + b",TAG7,Tag7") + NEXT)
    assert len(first.record.tags) == 100_000
    assert first.record.tags[:3] == ["tag0", "tag1", "tag2"]


def test_a_tag_repeated_in_other_case_or_another_line_is_kept_once_as_first_spelled() -> None:
    first, _ = both(card(b"CATEGORIES:Job,friends,JOB", b"CATEGORIES:Friends,new") + NEXT)
    assert first.record.tags == ["Job", "friends", "new"]


@pytest.mark.timeout(20)
def test_folding_a_huge_line_takes_linear_time() -> None:
    line = "NOTE:" + "ab€" * 6_000_000  # 30 MB: the old folding copied the rest at every fold
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    # A line holds 75 octets, less up to two when a three-octet character would cross.
    assert {len(x.encode()) for x in folded.split("\r\n")[:-1]} <= {73, 74, 75}


def test_folding_cuts_at_75_octets_never_inside_a_character() -> None:
    assert fold("N:" + "x" * 73) == "N:" + "x" * 73
    assert fold("N:" + "x" * 74) == "N:" + "x" * 73 + "\r\n x"
    # 2 + 36 two-octet characters are 74 octets: the 37th would end at octet 76.
    folded = fold("N:" + "é" * 80)
    first, second, third = folded.split("\r\n")
    assert first == "N:" + "é" * 36
    assert second == " " + "é" * 37
    assert third == " " + "é" * 7


@pytest.mark.timeout(20)
def test_an_8_mb_note_already_in_the_database_exports_in_linear_time() -> None:
    note = "x" * 8_000_000
    text = to_vcard(ContactRecord(full_name="Ann", note=note))
    assert text.replace("\r\n ", "").count(note) == 1


def test_a_note_over_the_limit_is_cut_with_a_warning_and_the_card_kept() -> None:
    note = b"\xc3\xa9" + b"y" * (NOTE_LIMIT + 10)
    first, _ = both(card(b"NOTE:" + note, b"EMAIL:ann@example.org") + NEXT)
    assert first.record.note == "é" + "y" * (NOTE_LIMIT - 1)
    assert first.record.emails == [Labeled("ann@example.org", "")]
    (problem,) = first.problems
    assert (problem.file, problem.line) == ("t.vcf", 4)
    assert "NOTE" in problem.message and "beginning was kept" in problem.message


def test_a_note_with_multibyte_text_under_the_limit_in_characters_is_kept_whole() -> None:
    note = "€" * (NOTE_LIMIT // 2)  # 1.5 MB of UTF-8, but half the characters allowed
    first, _ = both(card(b"NOTE:" + note.encode()) + NEXT)
    assert first.record.note == note
    assert first.problems == []


@pytest.mark.parametrize(
    ("line", "limit"),
    [
        (b"PHOTO;ENCODING=b;TYPE=JPEG:" + b"/9j/" * (BINARY_LIMIT // 4 + 1), BINARY_LIMIT),
        (b"PHOTO:data:image/png;base64," + b"iVBO" * (BINARY_LIMIT // 4 + 1), BINARY_LIMIT),
        (b"X-HUGE:" + b"z" * (TEXT_LIMIT + 1), TEXT_LIMIT),
        (b"TITLE:" + b"z" * (TEXT_LIMIT + 1), TEXT_LIMIT),
    ],
    ids=["photo-3.0", "photo-4.0", "x-property", "title"],
)
def test_a_value_over_the_limit_is_dropped_with_a_warning_and_the_card_kept(
    line: bytes, limit: int
) -> None:
    first, _ = both(card(line, b"EMAIL:ann@example.org") + NEXT)
    r = first.record
    assert r.photo is None and r.title == "" and r.extra_lines == []
    assert r.emails == [Labeled("ann@example.org", "")]
    (problem,) = first.problems
    assert (problem.file, problem.line) == ("t.vcf", 4)
    assert "dropped" in problem.message and f"{limit / 1e6:g} MB" in problem.message


def test_a_photo_under_the_limit_is_kept() -> None:
    photo = b"\x89PNG" + bytes(range(256)) * 20_000  # 5 MB
    text = to_vcard(ContactRecord(full_name="Ann Lee", photo=photo, photo_mime="image/png"))
    first, _ = both(text.encode() + NEXT)
    assert first.record.photo == photo
    assert first.problems == []


# Found by the fuzz tests (tests/fuzz), kept as plain cases.


def test_a_parameter_value_in_utf8_is_read_as_utf8_and_kept_through_export() -> None:
    first, _ = both(card(b'X-THING;TYPE=B\xc3\xbcro;X-NOTE="Stra\xc3\x9fe":v') + NEXT)
    line = first.record.extra_lines[0]
    assert line == "X-THING;TYPE=Büro;X-NOTE=Straße:v"
    again, _ = both(to_vcard(first.record).encode() + NEXT)
    assert again.record.extra_lines == [line]


def test_damaged_base64_with_other_bytes_is_written_back_unchanged() -> None:
    first, _ = both(card(b"KEY;ENCODING=b:AB\xc3\xa9CD") + NEXT)
    (line,) = first.record.extra_lines
    again, _ = both(to_vcard(first.record).encode() + NEXT)
    assert again.record.extra_lines == [line]


@pytest.mark.parametrize("declared", [b"", b"OCTET-STREAM", b'"a:b;c"', b"text/plain"])
def test_a_photo_of_unknown_type_keeps_its_type_through_export(declared: bytes) -> None:
    typ = b";TYPE=" + declared if declared else b""
    first, _ = both(card(b"PHOTO;ENCODING=b" + typ + b":AAECAw==") + NEXT)
    for version in ("3.0", "4.0"):
        again, _ = both(to_vcard(first.record, version).encode() + NEXT)
        assert again.record.photo == b"\x00\x01\x02\x03"
        assert again.record.photo_mime == first.record.photo_mime


def test_a_carriage_return_alone_in_a_value_does_not_break_the_exported_line() -> None:
    first, _ = both(card(b"TITLE;ENCODING=QUOTED-PRINTABLE:a=0Db", b"EMAIL:ann@example.org") + NEXT)
    assert first.record.title == "a\nb"
    text = to_vcard(replace(first.record, note="x\ry"))
    again, _ = both(text.encode() + NEXT)
    assert (again.record.title, again.record.note) == ("a\nb", "x\ny")
    assert again.record.emails == first.record.emails


def test_a_quoted_printable_value_ending_in_a_soft_break_does_not_take_in_end_vcard() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\nNOTE;QUOTED-PRINTABLE:abc=\r\nEND:VCARD\r\n"
    )
    first, _ = both(data + NEXT)
    assert first.record.note == "abc"
    assert first.problems == []


@pytest.mark.timeout(20)
def test_a_note_wrapped_without_indent_over_many_lines_is_read_in_linear_time() -> None:
    wrapped = b"x.\r\n" * 400_000  # the old reading copied the value at every line: minutes
    first, _ = both(card(b"NOTE:start", wrapped + b"EMAIL:ann@example.org") + NEXT)
    note = first.record.note
    assert len(note) > 700_000 and ("start" + "\nx." * 400_000).startswith(note)
    assert first.record.emails == [Labeled("ann@example.org", "")]
    assert [p.line for p in first.problems] == [4]  # cut to its first million characters


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_uid_with_a_backslash_or_line_break_survives_export(version: str) -> None:
    r = ContactRecord(full_name="Ann", uid="urn:x\\y,z;1\nw")
    again, _ = both(to_vcard(r, version).encode() + NEXT)
    assert again.record.uid == r.uid


@pytest.mark.timeout(20)
def test_a_card_of_many_notes_and_comment_lines_is_read_in_linear_time() -> None:
    notes = [b"NOTE:n%d" % i for i in range(100_000)]
    comments = [b"#c"] * 100_000  # each asked for the card's version, read from every line
    data = b"BEGIN:VCARD\r\nFN:Ann Lee\r\n" + b"\r\n".join(notes + comments) + b"\r\nEND:VCARD\r\n"
    first, _ = both(data + NEXT)
    assert first.record.note == "\n\n".join(f"n{i}" for i in range(100_000))
    assert {p.message for p in first.problems} == {"comment line ignored"}


def test_notes_longer_than_the_limit_together_are_cut_with_a_warning() -> None:
    half = b"y" * (NOTE_LIMIT // 2 + 1)
    first, _ = both(card(b"NOTE:" + half, b"NOTE:" + half) + NEXT)
    assert len(first.record.note) == NOTE_LIMIT
    (problem,) = first.problems
    assert (problem.line, "together" in problem.message) == (1, True)


@pytest.mark.timeout(20)
def test_a_value_of_many_caret_escapes_is_read_in_linear_time() -> None:
    first, _ = both(card(b"NOTE;X-A=1:" + b"^n" * 400_000) + NEXT)
    assert first.record.note == "^n" * 400_000


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (b"X-THING;LABEL=a:b^nc:value;more", 'X-THING;LABEL="a:b^nc":value;more'),
        (b"X-T;L=a:^^:v:w;x^n:y", 'X-T;L="a:^^:v":w;x^n:y'),
        (b"X-T;L=a:b;c^n:d", "X-T;L=a:b;c^n:d"),
    ],
)
def test_an_unquoted_parameter_value_with_a_colon_after_a_caret_is_reclaimed_as_before(
    line: bytes, kept: str
) -> None:
    first, _ = both(card(line) + NEXT)
    assert first.record.extra_lines == [kept]


@pytest.mark.timeout(20)
def test_a_large_file_with_a_long_run_of_carriage_returns_is_cut_in_linear_time() -> None:
    one = card(b"NOTE:a" + b"\r" * 300_000 + b"\nEMAIL:ann@example.org")
    pieces = split_between_cards(one * 3, len(one) // 2)
    assert [line for _, line in pieces] == [1, 7, 13]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"x"]), max_size=30).map(b"".join))
def test_line_breaks_are_counted_as_the_reader_splits_lines(data: bytes) -> None:
    assert _count_line_breaks(data) == len(_LINE_BREAK.split(data)) - 1


def test_the_card_after_an_unended_card_with_an_embedded_agent_is_not_taken_for_another() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\nAGENT:\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Her Assistant\r\nEND:VCARD\r\n"
    )
    first, _ = both(data + NEXT)
    assert first.record.full_name == "Ann Lee"
    assert [p.line for p in first.problems] == [5, 1]  # the agent skipped; no END:VCARD


def test_damaged_base64_keeps_what_is_no_white_space_to_base64() -> None:
    first, _ = both(card(b"KEY;ENCODING=b:\x1c+MDAwMA==") + NEXT)
    (line,) = first.record.extra_lines
    assert line == "KEY;ENCODING=b:\x1c+MDAwMA=="
    again, _ = both(to_vcard(first.record).encode() + NEXT)
    assert again.record.extra_lines == [line]


def test_nul_characters_are_dropped_so_the_export_reads_back() -> None:
    nuls = b"=00" * 200
    first, _ = both(card(b"NOTE;ENCODING=QUOTED-PRINTABLE:a" + nuls + b"b") + NEXT)
    assert first.record.note == "ab"
    for r in (first.record, replace(first.record, note="c" + "\x00" * 300 + "d")):
        again, _ = both(to_vcard(r).encode() + NEXT)
        assert again.record.note == r.note.replace("\x00", "")


UTF_32_NOTE = b"NOTE;CHARSET=utf-32:" + ("Hello, world. " * 20).encode("utf-32")


def test_a_value_in_utf_32_at_the_start_of_a_file_costs_only_its_property() -> None:
    """Its NULs once made the whole file read as UTF-16 without a byte-order mark: no card."""
    first, _ = both(card(UTF_32_NOTE) + NEXT)
    assert first.record.full_name == "Ann Lee"
    assert first.record.note == "Hello, world. " * 19 + "Hello, world."


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf_16_file_without_a_byte_order_mark_is_read(codec: str) -> None:
    data = (card(b"NOTE:Zo\xc3\xab") + NEXT).decode("utf-8").encode(codec)
    first, _ = both(data)
    assert first.record.full_name == "Ann Lee"
    assert first.record.note == "Zo\u00eb"


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf_16_file_with_a_broken_character_loses_only_that_character(
    codec: str, bom: bool
) -> None:
    # A lone surrogate: no UTF-16 decoder reads it strictly.
    text = (card(b"NOTE:a?b") + NEXT).decode("utf-8").replace("?", "\ud800")
    data = text.encode(codec, "surrogatepass")
    if bom:
        data = (codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE) + data
    first, _ = both(data)
    assert first.record.note == "a\ufffdb"


def test_nul_bytes_before_the_first_card_do_not_make_the_file_utf_16() -> None:
    parsed = parse_bytes(b"\x00" * 16 + b"\r\n" + card(b"EMAIL:ann@example.org") + NEXT, "t.vcf")
    assert [c.record.full_name for c in parsed.cards] == ["Ann Lee", "Next Person"]
    assert [p.line for p in parsed.problems] == [1]
