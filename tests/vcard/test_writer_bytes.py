"""The exact bytes the writer puts out (issue 29 item 4): `,` `;` `\\` and line breaks in
every structured and list property, escaped as RFC 6350 section 3.4 (and RFC 2426 section
4 for 3.0) asks, checked line by line and against the RFCs' own examples, not only by
reading them back with a reader that forgives."""

from __future__ import annotations

import pytest

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.services.importing import parse_bytes
from app.vcard.writer import PRODID, fold, to_vcard

HARD = ContactRecord(
    uid="urn:uuid:a,b;c",
    full_name="Doe, Jane; Q.",
    family_name="Doe\\Smith",
    given_name="Jane, Q.",
    additional_names="Ann;Marie",
    prefix="Dr.",
    suffix="PhD, MD",
    nickname="JJ, Janie",
    organization="ABC, Inc.",
    department="North American Division; Marketing, East",
    title="Head; of\nthings",
    emails=[Labeled("jane@example.com", "work")],
    phones=[Labeled("+1 555, ext. 5", "Lab, 2")],
    addresses=[
        PostalAddress(
            label="home",
            street="123 Main St.\nApt 4",
            city="Any Town, West",
            region="CA",
            postal_code="91921",
            country="U.S.A.",
        )
    ],
    note="Line one, with comma;\r\nline two \\ backslash",
    # Tags hold no commas (the editor splits at them, and the reader splits "a\\, b" as
    # Thunderbird means it): ';' and '\\' only.
    tags=["alumni 2019", "mentor;a", "x\\y"],
    industry="Health; care",
    how_met="Fair, 2024",
)

# Every line but VERSION, TYPE's case and UID: the same in 3.0 and 4.0.
LINES = [
    "FN:Doe\\, Jane\\; Q.",
    # Structured: components split by ';', and a ',' inside one escaped (a ',' unescaped
    # would make a list of values within the component).
    "N:Doe\\\\Smith;Jane\\, Q.;Ann\\;Marie;Dr.;PhD\\, MD",
    "NICKNAME:JJ\\, Janie",  # a list property: one nickname, not two
    "ORG:ABC\\, Inc.;North American Division;Marketing\\, East",
    "TITLE:Head\\; of\\nthings",
    "EMAIL;TYPE={work}:jane@example.com",
    "item1.TEL:+1 555\\, ext. 5",
    "item1.X-ABLabel:Lab\\, 2",
    "ADR;TYPE={home}:;;123 Main St.\\nApt 4;Any Town\\, West;CA;91921;U.S.A.",
    "NOTE:Line one\\, with comma\\;\\nline two \\\\ backslash",
    "CATEGORIES:alumni 2019,mentor\\;a,x\\\\y",  # a list: three tags
    "X-SECONDACT-INDUSTRY:Health\\; care",
    "X-SECONDACT-HOW-MET:Fair\\, 2024",
]


@pytest.mark.parametrize(
    ("version", "uid", "types"),
    [
        ("3.0", "UID:urn:uuid:a\\,b\\;c", {"work": "WORK", "home": "HOME"}),
        # 4.0: a UID is a URI, written as it is; TYPE values in lower case.
        ("4.0", "UID:urn:uuid:a,b;c", {"work": "work", "home": "home"}),
    ],
)
def test_every_special_character_is_escaped_byte_for_byte(
    version: str, uid: str, types: dict[str, str]
) -> None:
    data = to_vcard(HARD, version).encode("utf-8")
    expected = [
        "BEGIN:VCARD",
        f"VERSION:{version}",
        f"PRODID:{PRODID}",
        uid,
        *(line.format(**types) for line in LINES),
        "END:VCARD",
    ]
    assert data == "".join(line + "\r\n" for line in expected).encode("utf-8")
    # And our own reader takes every value back as it was.
    (card,) = parse_bytes(data, "hard.vcf", processes=1).cards
    got = card.record
    for field in (
        "full_name",
        "family_name",
        "given_name",
        "additional_names",
        "suffix",
        "nickname",
        "organization",
        "department",
        "title",
        "tags",
        "industry",
        "how_met",
    ):
        assert getattr(got, field) == getattr(HARD, field), field
    assert got.note == HARD.note.replace("\r\n", "\n")
    assert got.addresses[0].parts() == HARD.addresses[0].parts()
    assert [(p.value, p.label) for p in got.phones] == [("+1 555, ext. 5", "Lab, 2")]


@pytest.mark.parametrize(
    ("record", "line"),
    [
        # RFC 6350 6.2.2
        (
            ContactRecord(
                full_name="Mr. John Q. Public, Esq.",
                family_name="Public",
                given_name="John",
                additional_names="Quinlan",
                prefix="Mr.",
                suffix="Esq.",
            ),
            "N:Public;John;Quinlan;Mr.;Esq.",
        ),
        # RFC 6350 6.6.4
        (
            ContactRecord(
                full_name="x",
                organization="ABC, Inc.",
                department="North American Division; Marketing",
            ),
            "ORG:ABC\\, Inc.;North American Division;Marketing",
        ),
        # RFC 6350 6.3.1 (the value after its parameters)
        (
            ContactRecord(
                full_name="x",
                addresses=[
                    PostalAddress(
                        label="home",
                        street="123 Main Street",
                        city="Any Town",
                        region="CA",
                        postal_code="91921-1234",
                        country="U.S.A.",
                    )
                ],
            ),
            "ADR;TYPE=home:;;123 Main Street;Any Town;CA;91921-1234;U.S.A.",
        ),
        # RFC 6350 6.7.1
        (
            ContactRecord(
                full_name="x", tags=["INTERNET", "IETF", "INDUSTRY", "INFORMATION TECHNOLOGY"]
            ),
            "CATEGORIES:INTERNET,IETF,INDUSTRY,INFORMATION TECHNOLOGY",
        ),
        # RFC 2426 3.6.2 (unfolded)
        (
            ContactRecord(
                full_name="x", note="This fax number is operational 0800 to 1715 EST, Mon-Fri."
            ),
            "NOTE:This fax number is operational 0800 to 1715 EST\\, Mon-Fri.",
        ),
    ],
    ids=["N", "ORG", "ADR", "CATEGORIES", "NOTE"],
)
def test_the_rfc_examples_are_written_as_the_rfcs_print_them(
    record: ContactRecord, line: str
) -> None:
    assert line + "\r\n" in to_vcard(record, "4.0")


def test_a_long_escaped_value_is_folded_at_75_octets_and_unfolds_to_the_same_bytes() -> None:
    note = "Zoë, Ångström; " * 12
    line = "NOTE:" + "Zoë\\, Ångström\\; " * 12
    folded = fold(line).encode("utf-8")
    pieces = folded.split(b"\r\n")
    assert all(len(p) <= 75 for p in pieces) and len(pieces) > 2
    assert all(p.startswith(b" ") for p in pieces[1:])
    assert b"".join([pieces[0], *(p[1:] for p in pieces[1:])]) == line.encode("utf-8")
    assert fold(line) + "\r\n" in to_vcard(ContactRecord(full_name="x", note=note), "4.0")


REST = ContactRecord(
    full_name="Ann Lee",
    emails=[Labeled("a@x.org", "home work"), Labeled("b@x.org", "Lab")],
    urls=[Labeled("https://x.org/a,b", "Blog")],
    birthday=Birthday(2, 29),
    photo=b"\x89PNG-bytes",
    photo_mime="image/png",
    tier="A",
    extra_lines=["item1.IMPP:xmpp:ann@x.org", "item1.X-ABLabel:Chat"],
)


@pytest.mark.parametrize(
    ("version", "lines"),
    [
        (
            "3.0",
            [
                "EMAIL;TYPE=HOME,WORK:a@x.org",
                # Custom labels go in Apple's groups, numbered past the card's own item1.
                "item2.EMAIL:b@x.org",
                "item2.X-ABLabel:Lab",
                "item3.URL:https://x.org/a\\,b",
                "item3.X-ABLabel:Blog",
                "BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-29",
                "PHOTO;ENCODING=b;TYPE=PNG:iVBORy1ieXRlcw==",
                "X-SECONDACT-TIER:A",
                "X-SECONDACT-INTRODUCED-BY:urn:uuid:b\\,c",
                "item1.IMPP:xmpp:ann@x.org",
                "item1.X-ABLabel:Chat",
            ],
        ),
        (
            "4.0",
            [
                "EMAIL;TYPE=home,work:a@x.org",
                "item2.EMAIL:b@x.org",
                "item2.X-ABLabel:Lab",
                "item3.URL:https://x.org/a\\,b",
                "item3.X-ABLabel:Blog",
                "BDAY:--0229",
                "PHOTO:data:image/png;base64,iVBORy1ieXRlcw==",
                "X-SECONDACT-TIER:A",
                "X-SECONDACT-INTRODUCED-BY:urn:uuid:b\\,c",
                "item1.IMPP:xmpp:ann@x.org",
                "item1.X-ABLabel:Chat",
            ],
        ),
    ],
)
def test_labels_birthdays_photos_and_kept_lines_byte_for_byte(
    version: str, lines: list[str]
) -> None:
    text = to_vcard(REST, version, introduced_by_uid="urn:uuid:b,c")
    body = text.split("\r\n")[5:-2]  # after BEGIN, VERSION, PRODID, FN, N; before END
    assert body == lines
    with_year = to_vcard(ContactRecord(full_name="x", birthday=Birthday(5, 1, 1980)), version)
    assert "\r\nBDAY:1980-05-01\r\n" in with_year
    unknown = to_vcard(ContactRecord(full_name="x", photo=b"\x00"), version)
    assert ("PHOTO:data:application/octet-stream;base64,AA==" in unknown) == (version == "4.0")
    # A type that is not an image is written whole in 3.0 (read back as what it was).
    assert ("PHOTO;ENCODING=b;TYPE=application/octet-stream:AA==" in unknown) == (version == "3.0")


def test_an_unknown_version_is_refused_and_3_0_is_the_default() -> None:
    assert to_vcard(REST) == to_vcard(REST, "3.0")
    with pytest.raises(ValueError, match=r"2\.1"):
        to_vcard(REST, "2.1")


@pytest.mark.parametrize("size", [74, 75, 76])
def test_a_line_is_folded_only_past_75_octets_and_never_inside_a_character(size: int) -> None:
    ascii_line = "N" * size
    assert (fold(ascii_line) == ascii_line) == (size <= 75)
    # A two-octet character straddling octet 75: the first line ends before it.
    line = "N" * 74 + "é" + "N" * size
    first, *rest = fold(line).encode("utf-8").split(b"\r\n ")
    assert first == b"N" * 74 and rest[0].startswith("é".encode())
    assert all(len(p) <= 74 for p in rest)
    assert b"".join([first, *rest]) == line.encode("utf-8")


def test_an_unlabelled_value_a_department_alone_and_a_kept_group_in_capitals() -> None:
    record = ContactRecord(
        full_name="x",
        department="Lab",
        emails=[Labeled("a@x.org"), Labeled("b@x.org", "Lab")],
        extra_lines=["ITEM1.URL:https://x.org/a.b"],  # its group, in capitals, is taken
    )
    body = to_vcard(record, "4.0").split("\r\n")[5:-2]
    assert body == [
        "ORG:;Lab",
        "EMAIL:a@x.org",
        "item2.EMAIL:b@x.org",
        "item2.X-ABLabel:Lab",
        "ITEM1.URL:https://x.org/a.b",
    ]
