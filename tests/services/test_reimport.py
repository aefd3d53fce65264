"""Re-importing cards already imported (issue 22, item 6): the number of SQL statements does
not grow with the number of cards (it was a dozen per card: two full reads of each contact)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from app.services.contacts import count_contacts
from app.services.importing import ImportReport, import_files, parse_bytes
from app.storage.db import Database


def cards(n: int) -> bytes:
    """*n* cards with the lists a real address book has, three of them introduced by the
    first one (by UID)."""
    out = []
    for i in range(n):
        intro = "X-SECONDACT-INTRODUCED-BY:urn:uuid:person-0\r\n" if 0 < i < 4 else ""
        out.append(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"UID:urn:uuid:person-{i}\r\nFN:Person {i}\r\nN:{i};Person;;;\r\n"
            f"EMAIL;TYPE=work:p{i}@example.org\r\nTEL;TYPE=cell:+44 20 7946 {i:04d}\r\n"
            f"ORG:Firm {i % 7}\r\nTITLE:Engineer\r\nCATEGORIES:alumni,friend {i % 3}\r\n"
            f"ADR;TYPE=home:;;{i} High Street;Leeds;;LS1 1AA;UK\r\nNOTE:met at event {i}\r\n"
            f"{intro}END:VCARD\r\n"
        )
    return "".join(out).encode()


def statements(db: Database, work: Callable[[], Any]) -> int:
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def reimport(db: Database, data: bytes) -> ImportReport:
    with db.session() as s:
        return import_files(s, [parse_bytes(data, "book.vcf", processes=1)])


def test_reimporting_unchanged_cards_costs_the_same_statements_for_20_or_200(
    tmp_path: Any,
) -> None:
    from app.storage.db import open_database

    counts = {}
    for n in (20, 200):
        db = open_database(tmp_path / f"{n}.sqlite3", tmp_path / f"backups-{n}")
        data = cards(n)
        first = reimport(db, data)
        assert first.imported == n
        reports: list[ImportReport] = []
        counts[n] = statements(
            db, lambda db=db, data=data, reports=reports: reports.append(reimport(db, data))
        )
        again = reports[0]
        assert (again.imported, again.merged, again.unchanged) == (0, 0, n)
        assert again.import_id is None  # nothing changed: nothing for Undo import
        with db.session() as s:
            assert count_contacts(s) == n
        db.close()
    assert counts[200] <= counts[20] + 10, counts


def test_introductions_are_linked_and_undo_import_takes_them_back(tmp_path: Any) -> None:
    from app.services.contacts import get_contact, list_contact_ids
    from app.services.importing import last_import, undo_import
    from app.storage.db import open_database

    db = open_database(tmp_path / "db.sqlite3", tmp_path / "backups")
    plain = cards(6).replace(b"X-SECONDACT-INTRODUCED-BY:urn:uuid:person-0\r\n", b"")
    reimport(db, plain)
    with db.session() as s:
        ids = {get_contact(s, c).full_name: c for c in list_contact_ids(s, "")}
        assert all(get_contact(s, c).introduced_by_id is None for c in ids.values())
    again = reimport(db, cards(6))  # the same people, now with who introduced three of them
    assert again.import_id is not None
    with db.session() as s:
        by = {n: get_contact(s, c).introduced_by_id for n, c in ids.items()}
        assert last_import(s).merged == 3  # type: ignore[union-attr]
    assert by == {f"Person {i}": ids["Person 0"] if 0 < i < 4 else None for i in range(6)}
    with db.session() as s:
        undo_import(s, again.import_id)
    with db.session() as s:
        assert all(get_contact(s, c).introduced_by_id is None for c in ids.values())
    db.close()
