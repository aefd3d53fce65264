"""Export then import returns the same contact; vobject (an independent parser) reads our output."""

from __future__ import annotations

import string
from dataclasses import replace

import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.services.importing import parse_bytes
from app.vcard.writer import fold, to_vcard

# Printable text without surrounding whitespace; includes the characters vCard must escape.
# The characters vCard treats specially are drawn often, not left to chance.
_chars = st.one_of(
    st.sampled_from(list(';,\\:"^=.\t')),
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\r"),
)
text = st.text(_chars, max_size=30).map(str.strip)
multiline = st.lists(text, max_size=3).map(lambda xs: "\n".join(x for x in xs if x).strip())
word = (
    st.text(string.ascii_letters + "äöüßéñ漢字 ", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
label = st.sampled_from(
    ["", "work", "home", "mobile", "work fax", "other", "Assistant", "Lab, 2nd floor", "Ü-Bahn"]
)
email = st.builds(
    lambda a, b: f"{a}@{b}.example",
    st.from_regex(r"[a-z0-9._+-]{1,10}", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
phone = st.from_regex(r"\+?[0-9][0-9 ()-]{4,14}[0-9]", fullmatch=True)
url = st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9/_-]{0,12}", fullmatch=True)


def labelled(values: st.SearchStrategy[str]) -> st.SearchStrategy[list[Labeled]]:
    return st.lists(
        st.builds(Labeled, values, label), max_size=3, unique_by=lambda x: x.value.casefold()
    )


address = st.builds(PostalAddress, label, text, text, multiline, text, text, text, text).filter(
    lambda a: not a.is_empty()
)
birthday = st.builds(
    Birthday, st.integers(1, 12), st.integers(1, 28), st.none() | st.integers(1900, 2020)
)
photo = st.none() | st.binary(min_size=1, max_size=300).map(lambda b: b"\x89PNG\r\n\x1a\n" + b)

records = st.builds(
    ContactRecord,
    uid=st.from_regex(r"urn:uuid:[0-9a-f]{8}", fullmatch=True),
    full_name=word,
    prefix=text,
    given_name=text,
    additional_names=text,
    family_name=text,
    suffix=text,
    nickname=text,
    organization=text,
    department=text,
    title=text,
    industry=text,
    emails=labelled(email),
    phones=labelled(phone),
    urls=labelled(url),
    addresses=st.lists(address, max_size=2),
    birthday=st.none() | birthday,
    note=multiline,
    tags=st.lists(word.filter(lambda t: "," not in t), max_size=3, unique_by=str.casefold),
    how_met=text,
    tier=st.sampled_from(["", "A", "B", "C", "D"]),
).map(
    lambda r: replace(
        r, department="; ".join(p.strip() for p in r.department.split(";") if p.strip())
    )
)


def normalised(r: ContactRecord) -> ContactRecord:
    return replace(r, photo_mime="image/png" if r.photo else "", id=None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, photo, st.sampled_from(["3.0", "4.0"]))
def test_export_then_import_gives_the_same_contact(
    r: ContactRecord, pic: bytes | None, version: str
) -> None:
    r = replace(r, photo=pic, photo_mime="image/png" if pic else "")
    data = to_vcard(r, version).encode("utf-8")
    parsed = parse_bytes(data, "roundtrip.vcf")
    assert [str(p) for p in parsed.problems] == []
    (card,) = parsed.cards
    assert card.problems == []
    assert normalised(card.record) == normalised(r)


@settings(max_examples=60, deadline=None)
@given(records)
def test_vobject_reads_what_we_write(r: ContactRecord) -> None:
    card = vobject.readOne(to_vcard(r, "3.0"))
    assert card.fn.value == r.display_name
    assert sorted(e.value for e in getattr(card, "email_list", [])) == sorted(
        e.value for e in r.emails
    )
    if r.note:
        assert card.note.value == r.note


@given(st.text(_chars, min_size=60, max_size=200))
def test_folding_never_splits_a_character_and_keeps_lines_short(value: str) -> None:
    folded = fold("NOTE:" + value)
    for line in folded.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == "NOTE:" + value
