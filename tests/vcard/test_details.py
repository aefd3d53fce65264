"""The kept card lines the contact pane shows, read from each dialect's real files."""

from __future__ import annotations

import pytest

from app.vcard.details import card_details
from app.vcard.mapping import map_card
from app.vcard.reader import read_cards
from tests.conftest import VCARDS


def details_of(name: str) -> list[tuple[str, str]]:
    path = next(VCARDS.rglob(name))
    cards, _problems = read_cards(path.read_bytes(), path.name)
    return card_details(map_card(cards[0]).record.extra_lines)


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            "John_Doe_EVOLUTION.vcf",
            [("Spouse", "Maria"), ("Manager", "Big Blue"), ("Assistant", "Little Red")],
        ),
        ("John_Doe_EVOLUTION.vcf", [("AIM", "johnny5@aol.com"), ("Anniversary", "1980-03-22")]),
        ("vcard5.vcf", [("Profession", "Clown"), ("Office", "223 2nd stage")]),
        ("gmail-single2.vcf", [("Skype", "IM5"), ("Jabber", "IM9"), ("Date", "1776-07-04")]),
        ("rfc6350-example.vcf", [("Anniversary", "2009-08-08"), ("Gender", "M")]),
        ("outlook-2007.vcf", [("Manager", "TheManagerName"), ("Role", "TheProfession")]),
    ],
)
def test_each_dialect_reads_in_words(file: str, expected: list[tuple[str, str]]) -> None:
    shown = details_of(file)
    for pair in expected:
        assert pair in shown


def test_bookkeeping_and_pictures_are_left_out() -> None:
    lines = [
        "PRODID:-//Apple Inc.//iPhone OS 17//EN",
        "X-ABUID:1234",
        "item1.X-ABRELATEDNAMES:Jane",
        "item1.X-ABLabel:_$!<Mother>!$_",
        "KEY;ENCODING=b:AAAA",
        "X-SPOUSE:Sam\\, Jr.",
    ]
    assert card_details(lines) == [("Mother", "Jane"), ("Spouse", "Sam, Jr.")]
