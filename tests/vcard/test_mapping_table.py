"""The vCard mapping is one table of readers (issue 23): every line the record's fields are
written to (FIELD_PROPERTIES, which sync uses to replace only changed lines) has a reader, so
what is written is read back into the same field and not kept twice as an extra line."""

from __future__ import annotations

from app.model.records import ContactRecord
from app.vcard.mapping import FIELD_PROPERTIES, READERS, X_PREFIX, map_card
from app.vcard.reader import read_cards


def test_every_property_a_field_is_written_to_has_a_reader() -> None:
    written = {name for names in FIELD_PROPERTIES.values() for name in names}
    unread = {n for n in written if n not in READERS and not n.startswith(X_PREFIX)}
    assert not unread


def test_second_act_lines_are_read_into_their_fields_and_unknown_ones_kept() -> None:
    data = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\n"
        f"{X_PREFIX}INDUSTRY:Healthcare\r\n{X_PREFIX}TIER:b\r\n{X_PREFIX}HOW-MET:meetup\r\n"
        f"{X_PREFIX}INTRODUCED-BY:uid-1\r\n{X_PREFIX}TIER:Z\r\n{X_PREFIX}LATER:x\r\n"
        "X-SOCIALPROFILE:https://example.org/ann\r\nEMAIL:mailto:ann@example.org\r\n"
        "END:VCARD\r\n"
    ).encode()
    cards, _ = read_cards(data, "ann.vcf")
    mapped = map_card(cards[0])
    r: ContactRecord = mapped.record
    assert (r.industry, r.tier, r.how_met) == ("Healthcare", "B", "meetup")
    assert mapped.introduced_by_uid == "uid-1"
    assert [(u.value, u.label) for u in r.urls] == [("https://example.org/ann", "profile")]
    assert [e.value for e in r.emails] == ["ann@example.org"]
    assert r.extra_lines == [f"{X_PREFIX}TIER:Z", f"{X_PREFIX}LATER:x"]
