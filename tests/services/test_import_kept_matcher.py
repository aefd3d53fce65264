"""The import from the window reads who is in the book once, for its preview, and uses that
for the import itself unless the database changed in between (issue 24, item 3): the
result must be the very one of an import that reads it again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.model.records import ContactRecord, Labeled
from app.services import importing
from app.services.contacts import count_contacts, create_contact
from app.services.importing import (
    KeptMatcher,
    Matcher,
    ParsedFile,
    import_files,
    parse_bytes,
    preview_import,
)
from app.storage.db import Database, open_database
from tests.snapshot import snapshot

CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{email}\r\n{more}END:VCARD\r\n"
)


def card(uid: str, name: str, email: str, more: str = "") -> str:
    return CARD.format(uid=uid, name=name, email=email, more=more)


# New people, one already in the book (by email), one twice in the file (same UID), a shared
# phone that must not join two differently named people, a card with a LinkedIn profile.
FILE = (
    card("u1", "Ada Lovelace", "ada@example.org", "TEL:+44 20 7946 0001\r\n")
    + card("u2", "Grace Hopper", "grace@navy.example")
    + card("u3", "Alan Turing", "alan@example.org", "TEL:+44 20 7946 0001\r\n")
    + card("u1", "Ada Lovelace", "ada.l@example.org", "NOTE:again\r\n")
    + card("u4", "Katherine Johnson", "kj@example.org", "URL:https://linkedin.com/in/kj\r\n")
).encode()


def book(db: Database) -> None:
    with db.session() as s:
        create_contact(
            s,
            ContactRecord(
                uid="old-grace",
                full_name="Grace B. Hopper",
                emails=[Labeled("grace@navy.example")],
                phones=[Labeled("+1 202 555 0100")],
            ),
        )
        create_contact(s, ContactRecord(uid="old-kj", full_name="K. Johnson"))


def comparable(rows: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The snapshot without the times the two books were made at (in the journal's copies
    of contacts as they were)."""

    def before(row: Any) -> Any:
        fields = dict(row)
        if fields.get("before"):
            record = json.loads(fields["before"])
            fields["before"] = {k: v for k, v in record.items() if not k.endswith("_at")}
        return sorted(fields.items(), key=str)

    return {**rows, "import_changes": [before(r) for r in rows["import_changes"]]}


def state(m: Matcher) -> tuple[object, object]:
    return dict(m._by_key), {cid: (w.uid, w.sources, w.key) for cid, w in m._who.items()}


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    read = Matcher.from_database.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Matcher], session: object) -> Matcher:
        reads.append(1)
        return read(cls, session)  # type: ignore[no-any-return]

    monkeypatch.setattr(importing.Matcher, "from_database", classmethod(counted))
    return reads


def previewed(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[ParsedFile, KeptMatcher, list[int]]:
    """The book, FILE read and previewed with its matcher kept, and the matcher reads
    counted from then on."""
    book(db)
    parsed = parse_bytes(FILE, "a.vcf")
    reads = counting(monkeypatch)
    kept: list[KeptMatcher] = []
    with db.session() as s:
        preview_import(s, [parsed], kept)
    return parsed, kept[0], reads


def test_the_preview_leaves_the_matcher_it_keeps_as_read(db: Database) -> None:
    book(db)
    kept: list[KeptMatcher] = []
    with db.session() as s:
        preview = preview_import(s, [parse_bytes(FILE, "a.vcf")], kept)
        assert (preview.new, preview.merge) == (3, 2)
        assert state(kept[0].matcher) == state(Matcher.from_database(s))


def test_an_import_after_its_preview_is_the_import_that_reads_the_book_again(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = open_database(tmp_path / "other.sqlite3")
    book(other)
    parsed, kept, reads = previewed(db, monkeypatch)
    with db.session() as s:
        report = import_files(s, [parsed], kept=kept)
    assert len(reads) == 1  # read for the preview only
    with other.session() as s:
        again = import_files(s, [parse_bytes(FILE, "a.vcf")])
    assert len(reads) == 2
    assert (report.imported, report.merged, report.unchanged) == (3, 2, 0)
    assert (again.imported, again.merged, again.unchanged) == (3, 2, 0)
    assert comparable(snapshot(db)) == comparable(snapshot(other))
    other.close()


def test_a_change_between_the_preview_and_the_import_is_seen(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone added in the window while the preview waited for its answer is who a card
    of the file joins, not a second person beside them."""
    parsed, kept, reads = previewed(db, monkeypatch)
    window = open_database(db.path)  # another connection, as the window's process has
    with window.session() as s:
        alan = ContactRecord(full_name="Alan Turing", emails=[Labeled("alan@example.org")])
        create_contact(s, alan)
    window.close()
    with db.session() as s:
        report = import_files(s, [parsed], kept=kept)
        assert count_contacts(s) == 3 + 2  # the two before, Alan, Ada and Katherine's card
    assert len(reads) == 2  # read again
    assert (report.imported, report.merged + report.unchanged) == (2, 3)
