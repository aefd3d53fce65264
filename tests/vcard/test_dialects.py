"""Dialects seen in real exports, each as a small inline card."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.model.records import Birthday, Labeled
from app.services.importing import parse_bytes
from app.vcard.mapping import MappedCard


def one(data: bytes) -> MappedCard:
    parsed = parse_bytes(data, "t.vcf")
    assert parsed.problems == []
    (card,) = parsed.cards
    return card


BASIC = "BEGIN:VCARD\nVERSION:3.0\nFN:Zoë Ångström\nEMAIL:z@x.org\nEND:VCARD\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.replace("\n", "\r\r\n").encode("utf-8"),
        lambda t: t.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "bom8", "utf16le", "utf16be", "crlf", "crcrlf", "cr"],
)
def test_byte_order_marks_and_line_endings(encode: object) -> None:
    card = one(encode(BASIC))  # type: ignore[operator]
    assert card.record.full_name == "Zoë Ångström"
    assert card.record.emails == [Labeled("z@x.org", "")]


def test_quoted_printable_any_case_with_soft_breaks_and_windows_1252() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;encoding=quoted-printable:M=FCller;J=\r\n"
        b"=FCrgen\r\nNOTE;QUOTED-PRINTABLE:Caf=E9 =\r\nat 5=0D=0Anext line\r\nEND:VCARD\r\n"
    )
    r = one(data).record
    assert (r.family_name, r.given_name) == ("Müller", "Jürgen")
    assert r.note == "Café at 5\r\nnext line".replace("\r\n", "\n")


def test_declared_charsets_are_honoured() -> None:
    name = "山田太郎"
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:"
        + name.encode("shift_jis")
        + b"\r\nTITLE;CHARSET=ISO-8859-1:Direct\xe9ur\r\nEND:VCARD\r\n"
    )
    r = one(data).record
    assert (r.full_name, r.title) == (name, "Directéur")


def test_undeclared_8bit_windows_text_is_not_mojibake() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:O\x92Brien \x96 Sales\r\nEND:VCARD\r\n"
    assert one(data).record.full_name == "O’Brien – Sales"


def test_fold_splitting_a_utf8_character_is_unfolded_at_byte_level() -> None:
    name = "Ελληνικά".encode()
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + name[:5] + b"\r\n " + name[5:] + b"\r\nEND:VCARD\r\n"
    )
    assert one(data).record.full_name == "Ελληνικά"


def test_text_is_not_cut_at_unescaped_commas() -> None:
    data = (
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Doe, Jane\nORG:Acme, Inc.;R&D, West\n"
        b"TITLE:VP, Sales, EMEA\nNOTE:one, two, three\nEND:VCARD\n"
    )
    r = one(data).record
    assert (r.given_name, r.family_name, r.organization, r.department, r.title, r.note) == (
        "Jane",
        "Doe",
        "Acme, Inc.",
        "R&D, West",
        "VP, Sales, EMEA",
        "one, two, three",
    )


def test_vcard21_bare_types_keep_their_meaning() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:X\r\nTEL;WORK;VOICE:1\r\nTEL;CELL:2\r\n"
        b"TEL;HOME;FAX:3\r\nEMAIL;INTERNET;PREF:x@y.z\r\nEND:VCARD\r\n"
    )
    r = one(data).record
    assert r.phones == [Labeled("1", "work"), Labeled("2", "mobile"), Labeled("3", "home fax")]
    assert r.emails == [Labeled("x@y.z", "")]


def test_apple_item_groups_keep_their_labels_and_social_profiles_become_urls() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nitem1.TEL:555\r\n"
        b"item1.X-ABLabel:_$!<Assistant>!$_\r\nitem2.EMAIL;type=INTERNET:a@b.c\r\n"
        b"item2.X-ABLabel:Lab\r\nitem3.X-ABRELATEDNAMES:Jenny\r\nitem3.X-ABLabel:_$!<Spouse>!$_"
        b"\r\nX-SOCIALPROFILE;type=linkedin:http://www.linkedin.com/in/a\r\nEND:VCARD\r\n"
    )
    r = one(data).record
    assert r.phones == [Labeled("555", "Assistant")]
    assert r.emails == [Labeled("a@b.c", "Lab")]
    assert r.urls == [Labeled("http://www.linkedin.com/in/a", "linkedin")]
    # The unmapped pair stays together, spelled as Apple spells it.
    assert r.extra_lines == ["item3.X-ABRELATEDNAMES:Jenny", "item3.X-ABLabel:_$!<Spouse>!$_"]


@pytest.mark.parametrize(
    ("line", "birthday"),
    [
        ("BDAY:1980-03-22", Birthday(3, 22, 1980)),
        ("BDAY:19800322", Birthday(3, 22, 1980)),
        ("BDAY:--0322", Birthday(3, 22)),
        ("BDAY:--03-22", Birthday(3, 22)),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-22", Birthday(3, 22)),
        ("BDAY:16040322", Birthday(3, 22)),
        ("BDAY:1955-07-19T00:00:00Z", Birthday(7, 19, 1955)),
        ("BDAY;VALUE=text:circa 1800", None),
    ],
)
def test_birthdays_with_and_without_year(line: str, birthday: Birthday | None) -> None:
    r = one(f"BEGIN:VCARD\nVERSION:3.0\nFN:X\n{line}\nEND:VCARD\n".encode()).record
    assert r.birthday == birthday
    if birthday is None:
        assert r.extra_lines == [line]


def test_photos_base64_and_data_uri_with_the_real_type() -> None:
    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
        "AAAABJRU5ErkJggg=="
    )
    v3 = (
        f"BEGIN:VCARD\nVERSION:3.0\nFN:X\nPHOTO;ENCODING=b;TYPE=JPEG:{png[:40]}\n"
        f" {png[40:]}\nEND:VCARD\n"
    )
    v4 = f"BEGIN:VCARD\nVERSION:4.0\nFN:X\nPHOTO:data:image/png;base64,{png}\nEND:VCARD\n"
    for text in (v3, v4):
        r = one(text.encode()).record
        assert r.photo is not None and r.photo.startswith(b"\x89PNG")
        assert r.photo_mime == "image/png"  # despite TYPE=JPEG


def test_google_style_unindented_continuation_stays_in_the_note() -> None:
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN:X\nNOTE:first line\nsecond line of the note\nEND:VCARD\n"
    assert one(data).record.note == "first line\nsecond line of the note"


def test_a_photo_link_is_kept_but_never_fetched() -> None:
    data = b"BEGIN:VCARD\nVERSION:3.0\nFN:X\nPHOTO;VALUE=uri:https://example.org/p.jpg\nEND:VCARD\n"
    r = one(data).record
    assert r.photo is None and r.extra_lines == ["PHOTO;VALUE=uri:https://example.org/p.jpg"]


# -- vCard 2.1 comments, 2.1 backslashes, nickname and IM-only cards, damaged photos --------


def test_comment_lines_in_2_1_are_ignored_with_a_warning() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Call;Conference\r\nFN:Conference Call\r\n"
        b"# This line must be ignored.\r\nTEL;WORK:+1 555 0100\r\nEND:VCARD\r\n"
    )
    parsed = parse_bytes(data, "t.vcf")
    (card,) = parsed.cards
    assert card.record.full_name == "Conference Call"
    assert card.record.phones == [Labeled("+1 555 0100", "work")]
    assert [(p.line, p.message) for p in card.problems] == [(5, "comment line ignored")]


def test_a_backslash_in_2_1_is_text_except_before_a_semicolon_in_structured_values() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:A;B\\C\\;D:E\\\\\r\n"
        b"N:Smith\\;Jones;Ann\\n;;;\r\nORG:R\\&D\\;Labs;Unit\\2\r\n"
        b"TITLE:C:\\temp\\new\r\nNOTE:a\\,b\r\nEND:VCARD\r\n"
    )
    r = one(data).record
    assert r.full_name == "A;B\\C\\;D:E\\\\"
    assert (r.family_name, r.given_name) == ("Smith;Jones", "Ann\\n")
    assert (r.organization, r.department) == ("R\\&D;Labs", "Unit\\2")
    assert r.title == "C:\\temp\\new"
    assert r.note == "a\\,b"


def test_2_1_text_kept_as_an_unmodelled_line_is_written_back_with_3_0_escapes() -> None:
    from app.vcard.writer import to_vcard

    data = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:X\r\nX-PATH:C:\\temp\\new\r\nEND:VCARD\r\n"
    r = one(data).record
    assert r.extra_lines == ["X-PATH:C:\\\\temp\\\\new"]
    again = one(to_vcard(r, "3.0").encode()).record
    assert again.extra_lines == r.extra_lines


def test_3_0_backslash_escapes_are_still_unescaped() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\\, B\\; C\\\\D\r\nEND:VCARD\r\n"
    assert one(data).record.full_name == "A, B; C\\D"


@pytest.mark.parametrize(
    "im",
    [
        "X-GOOGLE-TALK:nick@gmail.example",
        "X-AIM:nickaim",
        "X-SKYPE:nick.skype",
        "IMPP:xmpp:nick@jabber.example",
        "X-JABBER;TYPE=HOME:nick@jabber.example",
    ],
)
def test_a_card_with_only_a_nickname_and_a_messaging_handle_is_kept(im: str) -> None:
    data = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Nick;1;;;;;;;;;;;;;\r\n"
        f"{im}\r\nEND:VCARD\r\n"
    ).encode()
    card = one(data)
    assert not card.skipped
    assert card.record.nickname == "Nick" and card.record.display_name == "Nick"
    assert card.record.extra_lines == [im]  # the handle is kept for export


def test_a_card_with_only_a_messaging_handle_is_named_by_it() -> None:
    from app.model.records import validate

    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nIMPP;TYPE=work:skype:ann.lee\r\nEND:VCARD\r\n"
    card = one(data)
    assert not card.skipped
    assert card.record.display_name == "ann.lee"
    assert validate(card.record) == []


def test_other_android_custom_lines_are_kept_as_they_are() -> None:
    line = "X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;2001-02-03;0;Wedding;;;;;;;;;;;;"
    data = f"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann\r\n{line}\r\nEND:VCARD\r\n".encode()
    assert one(data).record.extra_lines == [line]


@pytest.mark.parametrize(
    ("photo", "why"),
    [
        ("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ*not*base64*at*all", "“*”"),
        ("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABA", "cut short"),
        ("PHOTO:data:image/jpeg;base64,/9j/4A%%QSkZJ", "“%”"),
    ],
)
def test_a_photo_with_damaged_base64_is_reported_and_written_back_unchanged(
    photo: str, why: str
) -> None:
    from app.vcard.writer import to_vcard

    data = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\n{photo}\r\nEND:VCARD\r\n".encode()
    card = one(data)
    assert card.record.photo is None
    ((line, message),) = [(p.line, p.message) for p in card.problems]
    assert line == 4 and "base64" in message and why in message
    assert card.record.extra_lines == [photo]
    exported = to_vcard(card.record, "3.0")
    assert photo in exported.replace("\r\n ", "")  # unfolded, the same text came back out


def test_the_truncated_android_sample_photo_is_reported_with_its_line() -> None:
    from tests.conftest import VCARDS

    parsed = parse_bytes((VCARDS / "ez-vcard" / "John_Doe_ANDROID.vcf").read_bytes(), "a.vcf")
    reports = [p for c in parsed.cards for p in c.problems if "base64" in p.message]
    assert [p.line for p in reports] == [52]


@given(
    data=st.binary(max_size=200).map(lambda b: bytes(b"ab\r\n "[x % 5] for x in b)),
    piece=st.integers(min_value=1, max_value=8),
)
def test_lines_split_a_piece_at_a_time_are_the_lines_split_at_once(data: bytes, piece: int) -> None:
    """The reader splits a big file a megabyte at a time (so the window keeps the GIL);
    whatever the line breaks (CRLF, LF, lone CR, runs of them), the lines are the same."""
    from app.vcard.reader import _LINE_BREAK, _physical_lines

    assert list(_physical_lines(data, piece)) == _LINE_BREAK.split(data)


def test_cards_are_read_one_at_a_time() -> None:
    """The import maps each card as it is read, so a big file's cards are never all held
    twice: the first card comes before the rest of the file has been looked at."""
    from app.vcard.problems import Problem
    from app.vcard.reader import iter_cards, read_cards

    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Ray\r\nEND:VCARD\r\n"
        b"stray text at the end\r\n"
    )
    outside: list[Problem] = []
    cards = iter_cards(data, "two.vcf", outside)
    first = next(cards)
    assert first.properties[-1].text() == "Ann Lee"
    assert outside == []  # the stray line at the end has not been read yet
    assert [c.properties[-1].text() for c in cards] == ["Bob Ray"]
    assert [p.line for p in outside] == [9]
    listed, problems = read_cards(data, "two.vcf")
    assert len(listed) == 2 and problems == outside


@given(data=st.binary(max_size=200).map(lambda b: bytes(b"ab\r\n "[x % 5] for x in b)))
def test_line_breaks_are_counted_as_the_reader_splits_lines(data: bytes) -> None:
    from app.vcard.reader import _LINE_BREAK, _count_line_breaks

    assert _count_line_breaks(data) == len(_LINE_BREAK.split(data)) - 1


@pytest.mark.parametrize(
    ("fn", "parts", "shown"),
    [
        ("Richter, James", ("", "James", "", "Richter", ""), "James Richter"),
        ("Ruiz, Dr. Ana María", ("Dr.", "Ana", "María", "Ruiz", ""), "Dr. Ana María Ruiz"),
        (
            "van der Berg, Anna, PhD",
            ("", "Anna", "", "van der Berg", "PhD"),
            "Anna van der Berg PhD",
        ),
        ("Lee Chen, PhD", ("", "", "", "", ""), "Lee Chen, PhD"),
        ("Acme, Inc.", ("", "", "", "", ""), "Acme, Inc."),
    ],
)
def test_a_name_written_family_name_first_is_read_so(
    fn: str, parts: tuple[str, ...], shown: str
) -> None:
    r = one(
        f"BEGIN:VCARD\nVERSION:3.0\nFN:{fn.replace(',', chr(92) + ',')}\nEND:VCARD\n".encode()
    ).record
    assert (r.prefix, r.given_name, r.additional_names, r.family_name, r.suffix) == parts
    assert r.display_name == shown


def test_a_name_with_its_own_parts_is_left_as_written() -> None:
    r = one(
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Richter\\, James\nN:Richter;James;;;\nEND:VCARD\n"
    ).record
    assert r.full_name == "Richter, James"
