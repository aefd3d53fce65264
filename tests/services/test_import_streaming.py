"""An import a piece at a time (issue 24, item 5): a file read as it is imported, and new
people written a batch at a time as the import goes, give exactly what reading every card
first and writing every new person at the end gave: the same contacts, report, journal,
fingerprints, introductions and placed cards, and Cancel still writes nothing."""

from __future__ import annotations

import itertools
import multiprocessing
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.model.records import ContactRecord, Labeled, PostalAddress
from app.services import importing
from app.services.importing import (
    Cancelled,
    ImportReport,
    ParsedFile,
    import_files,
    open_file,
    parse_bytes,
    undo_import,
)
from app.storage.db import Database, open_database
from app.vcard.mapping import MappedCard
from tests.services.test_trust import card, vcf


def with_lines(base: str, *lines: str) -> str:
    return base.replace("END:VCARD", "\r\n".join([*lines, "END:VCARD"]))


def filler(i: int) -> str:
    return card(fn=f"Filler {i}", email=f"filler{i}@x.org")


def book() -> bytes:
    """People whose later cards join them after they have been written, with BATCH = 2."""
    return vcf(
        # Ann: no UID of her own (create_contacts gives one), an organisation and tags.
        with_lines(card(fn="Ann Lee", email="ann@x.org", org="Acme"), "CATEGORIES:Friends,work"),
        # Someone known only by a phone, and someone with no strong key (a fingerprint).
        card(fn="Cy Dunn", tel="+44 20 7946 0018"),
        card(fn="Dee Fox", org="Fox & Co", note="met at the fair"),
        # An introducer nobody in the book has: a later card's, known, is not taken instead.
        with_lines(filler(0), "X-SECONDACT-INTRODUCED-BY:u-nobody"),
        *(filler(i) for i in range(1, 5)),
        # Ann again, now with a UID, another spelling of her organisation, tags, an
        # introducer (given once she was written) and a title: she is merged, not new.
        with_lines(
            card(uid="urn:uuid:ann", fn="Ann Lee", email="ANN@x.org", org="ACME", title="Eng"),
            "CATEGORIES:Work,Family",
            "X-SECONDACT-INTRODUCED-BY:urn:uuid:ida",
        ),
        card(fn="Cy Dunn", tel="+442079460018", title="Front desk"),  # joins by phone
        card(fn="Ed Fox", tel="+442079460018"),  # another name on that phone: a new person
        card(fn="Dee Fox", org="Fox & Co", note="met at the fair"),  # the very same card
        *(filler(i) for i in range(5, 9)),
        with_lines(filler(0), "X-SECONDACT-INTRODUCED-BY:urn:uuid:ida"),
        card(uid="urn:uuid:ann", fn="Ann Lee", email="ann@x.org"),  # nothing new: unchanged
        with_lines(card(fn="Cy Dunn", tel="+44 20 7946 0018"), "X-SECONDACT-INTRODUCED-BY:u-x"),
        card(uid="urn:uuid:ida", fn="Ida Ames", email="ida@x.org"),
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n",  # skipped
    )


def odd_records() -> ParsedFile:
    """Records the database does not give back as they were (a value with spaces round it,
    an empty email, an empty address, a photo type without a photo), joined later."""
    first = ContactRecord(
        full_name=" Gil Hart ",
        emails=[Labeled(" gil@x.org ", "work"), Labeled("", "home")],
        phones=[Labeled("+44 20 7946 0999 ")],
        photo_mime="image/jpeg",
    )
    later = ContactRecord(full_name="Gil Hart", emails=[Labeled("gil@x.org", "home")], title="CTO")
    cards = [MappedCard(first, "odd.vcf", 1)]
    cards += [MappedCard(ContactRecord(full_name=f"Odd {i}"), "odd.vcf", 2 + i) for i in range(3)]
    cards.append(MappedCard(later, "odd.vcf", 9))
    return ParsedFile("odd.vcf", cards=cards)


CREATE = importing.create_contacts  # the real one, whatever a test put in its place
GENERATED = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
WHEN = {"created_at", "updated_at", "started_at", "finished_at", "undone_at"}


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, but for timestamps, the UIDs create_contacts makes up, the ids of
    organisations and tags (named instead) and of the rows of a contact's lists."""
    db = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not n.startswith("contact_search_")
        ]
        org = dict(db.execute("SELECT id, name FROM organizations"))
        tag = dict(db.execute("SELECT id, name FROM tags"))
        out = {}
        for name in names:
            cursor = db.execute(
                f'SELECT rowid, * FROM "{name}"'
                if name == "contact_search"
                else f'SELECT * FROM "{name}"'
            )
            columns = [c[0] for c in cursor.description]
            own_id = "contact_id" in columns and "position" in columns
            rows = []
            for row in cursor:
                values = []
                for column, value in zip(columns, row, strict=True):
                    if column in WHEN:
                        continue
                    if isinstance(value, str):
                        value = GENERATED.sub("generated", value)
                    if column == "id" and (own_id or name in ("organizations", "tags")):
                        continue  # a row of a contact's list: rewritten when it changes
                    if column == "organization_id" or (
                        name == "contact_tags" and column == "tag_id"
                    ):
                        value = (org if column == "organization_id" else tag).get(value)
                    values.append(value)
                rows.append(tuple(values))
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        db.close()


def batches_of(batch: int, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """New people written *batch* at a time; returns, for each write as it comes, how many
    it held and how many cards the import had taken before it."""
    monkeypatch.setattr(importing._ImportRun, "BATCH", batch)
    writes: list[tuple[int, int]] = []
    taken = 0
    walk = importing._walk

    def counted_walk(*args: Any) -> Any:
        nonlocal taken
        for item in walk(*args):
            taken += 1
            yield item

    def counted(session: Any, records: list[ContactRecord]) -> list[int]:
        writes.append((len(records), taken))
        return CREATE(session, records)

    monkeypatch.setattr(importing, "create_contacts", counted)
    monkeypatch.setattr(importing, "_walk", counted_walk)
    return writes


def imported(
    tmp_path: Path, name: str, files: list[ParsedFile], batch: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[ImportReport, list[int | None], list[tuple[int, int]], dict[str, list[Any]]]:
    """Import *files* into a new database writing new people *batch* at a time: the report,
    where each card went, the writes (see batches_of), and every table."""
    writes = batches_of(batch, monkeypatch)
    db = open_database(tmp_path / f"{name}.sqlite3")
    placed: list[int | None] = []
    with db.session() as s:
        report = import_files(s, files, placed=placed)
    db.close()
    return report, placed, writes, tables(tmp_path / f"{name}.sqlite3")


def test_cards_joining_people_written_in_an_earlier_batch_give_what_one_write_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def files() -> list[ParsedFile]:
        return [parse_bytes(book(), "book.vcf"), odd_records()]

    whole = imported(tmp_path, "whole", files(), 10_000, monkeypatch)
    batched = imported(tmp_path, "batched", files(), 2, monkeypatch)
    report, placed, writes, rows = batched
    cards = 26  # every card and row of both files, the skipped one too
    assert whole[2] == [(whole[0].imported, cards)]  # everyone written at the end, at once
    # Here two at a time, the first after the second card: Ann's later cards join her after.
    assert len(writes) > 4 and {n for n, _ in writes} == {2} and writes[0][1] == 2
    assert (report.imported, report.merged, report.unchanged, report.skipped) == (18, 3, 4, 1)
    assert report == whole[0]
    assert placed == whole[1]
    assert rows == whole[3]
    # What the batches changed nothing of, checked on its own: the contacts a later card
    # joined are "created" by this import, never "merged" with a before-image.
    kinds = {v for row in rows["import_changes"] for v in row if v in ("created", "merged")}
    assert kinds == {"created"}
    ann = next(r for r in rows["contacts"] if r[2] == "Ann Lee")
    assert ann[1] == "urn:uuid:ann"  # the UID her later card gave, not the one made up
    # And Undo import takes it all back alike.
    for name in ("whole", "batched"):
        db = open_database(tmp_path / f"{name}.sqlite3")
        with db.session() as s:
            assert report.import_id is not None
            undo_import(s, report.import_id)
        db.close()
    assert tables(tmp_path / "whole.sqlite3") == tables(tmp_path / "batched.sqlite3")


def test_cancel_after_batches_were_written_leaves_every_table_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite3"
    db = open_database(path)
    with db.session() as s:
        import_files(s, [parse_bytes(vcf(card(fn="Zed Old", email="ann@x.org")), "old.vcf")])
    before = tables(path)
    writes = batches_of(2, monkeypatch)
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 15  # after most of the cards: several batches are written

    with pytest.raises(Cancelled), db.session() as s:
        import_files(s, [parse_bytes(book(), "book.vcf")], cancelled=cancelled)
    assert len(writes) >= 3
    db.close()
    assert tables(path) == before


def many_pieces() -> bytes:
    """Cards cut into many pieces, with problems between them and in them."""
    parts = []
    for i in range(60):
        parts.append(card(fn=f"Person {i}", email=f"p{i}@x.org", note="x" * 300))
        if i % 7 == 3:
            parts.append("stray text between cards\r\n")
        if i % 11 == 5:
            parts.append("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\nBDAY:not a date\r\n")
    return vcf(*parts)


def test_a_file_read_as_it_is_imported_gives_what_reading_it_whole_gives(
    tmp_path: Path,
) -> None:
    data = many_pieces()
    path = tmp_path / "many.vcf"
    path.write_bytes(data)
    whole = parse_bytes(data, str(path), processes=1)
    streamed = open_file(path, processes=2, piece=1024)
    batches = [list(b) for b in streamed.batches()]
    assert len(batches) > 10  # the reader processes really had many pieces
    assert multiprocessing.active_children() == []  # and ended with the file

    def seen(cards: list[MappedCard], problems: list[Any]) -> tuple[list[Any], list[Any]]:
        return [(c.record, c.file, c.line, c.problems) for c in cards], problems

    got = seen([c for b in batches for c in b], streamed.problems)
    assert got == seen(whole.cards, whole.problems)
    assert any(p.line > 0 and "outside" in p.message for p in whole.problems)
    # Imported as it is read, the report is the one of the file read whole.
    reports = []
    for name, parsed in (("whole", whole), ("streamed", open_file(path, processes=2, piece=1024))):
        db = open_database(tmp_path / f"{name}.sqlite3")
        with db.session() as s:
            reports.append(import_files(s, [parsed]))
        db.close()
    assert reports[1] == reports[0]
    # The file's own problems first, then its cards', as they always came.
    assert reports[1].problems == whole.problems + [p for c in whole.cards for p in c.problems]


def test_open_file_reads_a_missing_file_as_the_same_error(tmp_path: Path, db: Database) -> None:
    missing = tmp_path / "gone.vcf"
    with db.session() as s:
        streamed = import_files(s, [open_file(missing), parse_bytes(vcf(card(fn="A B")), "b.vcf")])
    with db.session() as s:
        whole = import_files(
            s, [importing.read_file(missing), parse_bytes(vcf(card(fn="A B")), "b.vcf")]
        )
    assert (streamed.skipped, streamed.problems) == (whole.skipped, whole.problems)
    assert streamed.problems[0].message.startswith("cannot be read")


def test_progress_of_a_file_read_as_it_is_imported_moves_on_and_ends_at_its_total(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing._ImportRun, "BATCH", 40)
    path = tmp_path / "many.vcf"
    path.write_bytes(many_pieces())
    seen: list[tuple[int, int]] = []
    with db.session() as s:
        import_files(s, [open_file(path, processes=2, piece=1024)], lambda *p: seen.append(p))
    assert len(seen) > 3
    assert all(a[0] <= b[0] and a[0] * b[1] <= b[0] * a[1] for a, b in itertools.pairwise(seen))
    assert all(done <= total for done, total in seen)
    assert seen[-1][0] == seen[-1][1]


def test_a_cancelled_import_ends_the_reader_processes(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "many.vcf"
    path.write_bytes(many_pieces())
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 5

    with pytest.raises(Cancelled), db.session() as s:
        import_files(s, [open_file(path, processes=2, piece=1024)], cancelled=cancelled)
    assert multiprocessing.active_children() == []


def joins() -> bytes:
    """With BATCH = 3: cards joining the last person of a written batch, a person still
    waiting after a batch was written, and a written person given two introducers."""
    return vcf(
        card(fn="Al Ash", email="al@x.org"),
        card(fn="Bo Birch", email="bo@x.org"),
        card(fn="Cal Cedar", email="cal@x.org"),  # the first batch is written here
        card(fn="Di Dale", email="di@x.org"),  # waiting
        card(fn="Cal Cedar", email="cal@x.org", title="Chief"),  # joins the last one written
        card(fn="Di Dale", email="di@x.org", title="Driver"),  # joins the one waiting
        card(fn="Eve Elm", email="eve@x.org"),
        # Bo, written with no introducer: his first UID, nobody's, is the one; not Ida's after.
        with_lines(card(fn="Bo Birch", email="bo@x.org"), "X-SECONDACT-INTRODUCED-BY:u-nobody"),
        with_lines(card(fn="Bo Birch", email="bo@x.org"), "X-SECONDACT-INTRODUCED-BY:urn:uuid:ida"),
        card(uid="urn:uuid:ida", fn="Ida Ames", email="ida@x.org"),
    )


def test_cards_joining_the_last_person_written_or_one_still_waiting_join_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = imported(tmp_path, "whole", [parse_bytes(joins(), "j.vcf")], 10_000, monkeypatch)
    batched = imported(tmp_path, "batched", [parse_bytes(joins(), "j.vcf")], 3, monkeypatch)
    report, placed, writes, rows = batched
    assert [n for n, _ in writes] == [3, 3] and writes[0][1] == 3
    assert (report.imported, report.merged, report.unchanged) == (6, 2, 2)
    assert (report, placed, rows) == whole[:2] + whole[3:]
    people = {r[2]: r for r in rows["contacts"]}
    assert set(people) == {"Al Ash", "Bo Birch", "Cal Cedar", "Di Dale", "Eve Elm", "Ida Ames"}
    db = open_database(tmp_path / "batched.sqlite3")
    with db.session() as s:
        by_name = {r.full_name: r for r in importing.load_records(s, sorted(placed_ids(placed)))}
    db.close()
    assert by_name["Cal Cedar"].title == "Chief"
    assert by_name["Di Dale"].title == "Driver"
    assert by_name["Eve Elm"].title == ""
    assert by_name["Bo Birch"].introduced_by_id is None


def placed_ids(placed: list[int | None]) -> set[int]:
    return {p for p in placed if p is not None}


def one_odd_each() -> ParsedFile:
    """People each odd in one way only (see _stored_as_built), written in a batch of their
    own, then joined by a later card each."""
    odd = [
        ContactRecord(full_name=" Hal Ives", emails=[Labeled("hal@x.org")]),
        ContactRecord(full_name="Ina Joy", emails=[Labeled("ina@x.org"), Labeled(" ij@x.org")]),
        ContactRecord(full_name="Jon Kay", emails=[Labeled("jon@x.org"), Labeled("")]),
        ContactRecord(
            full_name="Kim Lowe", emails=[Labeled("kim@x.org")], addresses=[PostalAddress()]
        ),
        ContactRecord(full_name="Lou Moss", emails=[Labeled("lou@x.org")], photo_mime="image/png"),
        ContactRecord(full_name="Max Nye", emails=[Labeled("max@x.org")], photo=b""),
    ]
    later = [
        ContactRecord(full_name=r.full_name.strip(), emails=[r.emails[0]], title="Later")
        for r in odd
    ]
    cards = [MappedCard(r, "one.vcf", i + 1) for i, r in enumerate([*odd, *later])]
    return ParsedFile("one.vcf", cards=cards)


def test_people_odd_in_one_way_joined_after_they_were_written_give_what_one_write_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = imported(tmp_path, "whole", [one_odd_each()], 10_000, monkeypatch)
    batched = imported(tmp_path, "batched", [one_odd_each()], 2, monkeypatch)
    assert len(batched[2]) == 3
    assert batched[0].imported == 6
    assert (batched[0], batched[1], batched[3]) == (whole[0], whole[1], whole[3])


def test_a_person_written_then_joined_from_another_file_keeps_the_uid_of_their_first_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def files() -> list[ParsedFile]:
        return [
            parse_bytes(vcf(card(uid="u-first", fn="Ann Lee", email="ann@x.org")), "a.vcf"),
            parse_bytes(
                vcf(card(uid="u-second", fn="Ann Lee", email="ann@x.org", title="Eng")), "b.vcf"
            ),
        ]

    whole = imported(tmp_path, "whole", files(), 10_000, monkeypatch)
    batched = imported(tmp_path, "batched", files(), 1, monkeypatch)
    assert (batched[0].imported, batched[0].merged) == (1, 1)
    assert (batched[0], batched[1], batched[3]) == (whole[0], whole[1], whole[3])
    (ann,) = batched[3]["contacts"]
    assert "u-first" in ann


def stored_spellings() -> list[ParsedFile]:
    """A new person whose organisation the database already holds in another spelling, and
    people odd in two ways, written and then joined by later cards. (Their tag is spelled
    alike: of two spellings of a new tag in one write, which one names it varies from run to
    run.)"""
    old = ContactRecord(
        full_name="Old One", organization="ACME Inc.", tags=["Work"], emails=[Labeled("o@x.org")]
    )
    new = [
        ContactRecord(
            full_name="Ann Lee",
            organization="acme",
            tags=["Work", "Friends"],
            emails=[Labeled("ann@x.org")],
        ),
        ContactRecord(
            full_name="Bo Birch",
            emails=[Labeled("bo@x.org"), Labeled(" b2@x.org ")],
            addresses=[PostalAddress()],
            photo_mime="image/png",
        ),
        ContactRecord(full_name="Cy Dunn", emails=[Labeled(" c@x.org ")], photo=b""),
    ]
    later = [
        ContactRecord(
            full_name="Ann Lee",
            organization="Acme",
            tags=["Work"],
            emails=[Labeled("ann@x.org")],
            title="Eng",
        ),
        ContactRecord(
            full_name="Bo Birch",
            emails=[Labeled("bo@x.org")],
            title="T",
            photo=b"\x89PNG",
            photo_mime="image/png",
        ),
        ContactRecord(
            full_name="Cy Dunn",
            emails=[Labeled("c@x.org")],
            title="T",
            addresses=[PostalAddress(city="X")],
        ),
    ]
    return [
        ParsedFile("a.vcf", cards=[MappedCard(old, "a.vcf", 1)]),
        ParsedFile("b.vcf", cards=[MappedCard(r, "b.vcf", i) for i, r in enumerate(new + later)]),
    ]


def test_people_written_under_a_stored_spelling_then_joined_give_what_one_write_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = imported(tmp_path, "whole", stored_spellings(), 10_000, monkeypatch)
    batched = imported(tmp_path, "batched", stored_spellings(), 1, monkeypatch)
    assert len(batched[2]) == 4  # each new person written alone
    assert (batched[0], batched[1], batched[3]) == (whole[0], whole[1], whole[3])
