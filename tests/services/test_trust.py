"""No merging on a guess, possible duplicates, Undo import, and one rule for names."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select

from app.model.records import ContactRecord, Labeled
from app.model.tables import Organization, Tag
from app.services.contacts import (
    count_contacts,
    create_contact,
    get_contact,
    list_contact_ids,
    load_records,
    update_contact,
)
from app.services.duplicates import find_possible_duplicates, mark_different, unmark_different
from app.services.importing import (
    import_files,
    last_import,
    parse_bytes,
    preview_import,
    undo_import,
)
from app.storage.db import Database, head_revision, open_database
from tests.migrations import database_at


def card(**f: str) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0"]
    for key in ("uid", "fn", "org", "title", "email", "tel", "note"):
        if f.get(key):
            lines.append(f"{key.upper()}:{f[key]}")
    return "\r\n".join([*lines, "END:VCARD", ""])


def vcf(*cards: str) -> bytes:
    return "".join(cards).encode()


def run_import(db: Database, data: bytes, name: str = "a.vcf"):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return import_files(s, [parse_bytes(data, name)])


def test_two_people_with_one_name_in_one_file_stay_two_and_are_suggested(db: Database) -> None:
    data = vcf(
        card(uid="u-1", fn="John Smith", org="IBM", title="Engineer", email="john.s@ibm.example"),
        card(uid="u-2", fn="John Smith", org="IBM", title="Sales", email="jsmith@ibm.example"),
    )
    with db.session() as s:
        p = preview_import(s, [parse_bytes(data, "a.vcf")])
    assert (p.new, p.merge) == (2, 0)
    report = run_import(db, data)
    assert (report.imported, report.merged) == (2, 0)
    assert (report.possible_duplicates, report.possible_duplicate_names) == (1, 1)
    with db.session() as s:
        records = load_records(s, list_contact_ids(s))
        assert sorted(r.title for r in records) == ["Engineer", "Sales"]
        assert all("Sales" not in r.note and "Engineer" not in r.note for r in records)
        (pair,) = find_possible_duplicates(s)
        assert {pair.first, pair.second} == {r.id for r in records}


def test_thousands_of_distinct_people_with_common_names_are_never_merged(db: Database) -> None:
    firsts = ["John", "Maria", "Wei", "Fatima", "James"]
    lasts = ["Smith", "Garcia", "Chen", "Khan"]
    orgs = ["IBM", "Acme", "NHS"]
    cards = [
        card(
            uid=f"uid-{i}",
            fn=f"{firsts[i % 5]} {lasts[i % 4]}",
            org=orgs[i % 3],
            email=f"person{i}@example.org",
            tel=f"+1 415 555 {i:04d}",
        )
        for i in range(2000)
    ]
    report = run_import(db, vcf(*cards))
    assert report.imported == 2000 and report.merged == 0
    with db.session() as s:
        assert count_contacts(s) == 2000


def test_different_uids_in_one_file_are_two_people_even_with_a_shared_email(
    db: Database,
) -> None:
    data = vcf(
        card(uid="a", fn="Pat Lee", email="family@lee.example"),
        card(uid="b", fn="Sam Lee", email="family@lee.example"),
    )
    assert run_import(db, data).imported == 2
    # Another address book with its own UIDs: the shared email is the same person.
    other = vcf(
        card(uid="phone-77", fn="Pat Lee", email="FAMILY@lee.example", tel="+1 206 555 0100")
    )
    report = run_import(db, other, "phone.vcf")
    assert (report.imported, report.merged) == (0, 1)


def test_a_shared_phone_joins_one_name_but_never_two_names(db: Database) -> None:
    run_import(db, vcf(card(fn="Ann Lee", email="ann@work.example", tel="+44 20 7946 0018")))
    same = run_import(db, vcf(card(fn="Ann Lee", email="ann@home.example", tel="+442079460018")))
    assert (same.imported, same.merged) == (0, 1)
    switchboard = run_import(db, vcf(card(fn="Raj Patel", tel="+44 20 7946 0018")), "b.vcf")
    assert (switchboard.imported, switchboard.merged) == (1, 0)


def test_importing_a_file_of_name_only_cards_again_adds_nothing(db: Database) -> None:
    data = vcf(card(fn="Bob", note="met at the fair"), card(fn="Bob", note="the plumber"))
    first = run_import(db, data)
    assert first.imported == 2 and first.possible_duplicates == 1
    again = run_import(db, data)
    assert (again.imported, again.merged, again.unchanged) == (0, 0, 2)
    assert again.import_id is None  # nothing to undo
    with db.session() as s:
        assert count_contacts(s) == 2


def test_different_people_are_remembered_and_not_suggested_again(db: Database, paths) -> None:  # type: ignore[no-untyped-def]
    run_import(db, vcf(card(fn="Bo Chen", email="3@x.org"), card(fn="bo  chen", email="4@x.org")))
    with db.session() as s:
        (pair,) = find_possible_duplicates(s)
        mark_different(s, pair.second, pair.first)
    db.close()
    reopened = open_database(paths.database, paths.backups)
    with reopened.session() as s:
        assert find_possible_duplicates(s) == []
        unmark_different(s, pair.first, pair.second)
        assert find_possible_duplicates(s) == [pair]
    reopened.close()


def test_undo_import_removes_what_it_added_and_reverts_merges_after_a_restart(
    db: Database,
    paths,  # type: ignore[no-untyped-def]
) -> None:
    with db.session() as s:
        ann = create_contact(
            s, ContactRecord(full_name="Ann Lee", title="Nurse", emails=[Labeled("ann@x.org")])
        )
        ann_before = get_contact(s, ann)
    run_import(db, vcf(card(fn="Earlier", email="earlier@x.org")), "earlier.vcf")
    data = vcf(
        card(fn="Ann Lee", email="ann@x.org", tel="+1 415 555 0199", title="Head Nurse"),
        card(fn="New One", email="new1@x.org"),
        card(fn="New Two", email="new2@x.org"),
    )
    report = run_import(db, data, "big.vcf")
    assert (report.imported, report.merged) == (2, 1)
    db.close()

    db = open_database(paths.database, paths.backups)  # a restart
    with db.session() as s:
        last = last_import(s)
        assert last is not None and last.files == ["big.vcf"]
        assert (last.created, last.merged, last.edited_since) == (2, 1, 0)
        done = undo_import(s, last.id)
    assert (done.removed, done.reverted) == (2, 1)
    with db.session() as s:
        assert count_contacts(s) == 2  # Ann and Earlier
        after = get_contact(s, ann)
        assert after.phones == [] and after.note == ann_before.note
        assert after.emails == ann_before.emails and after.title == "Nurse"
        assert list_contact_ids(s, "New") == []
        # The earlier import is now the one Undo import would take back.
        earlier = last_import(s)
        assert earlier is not None and earlier.files == ["earlier.vcf"]
    # Undone means forgotten: the same file imports again as new.
    again = run_import(db, data, "big.vcf")
    assert (again.imported, again.merged) == (2, 1)
    db.close()


def test_last_import_counts_contacts_edited_since(db: Database) -> None:
    import datetime as dt

    report = run_import(db, vcf(card(fn="Zed", email="z@x.org")))
    with db.session() as s:
        (cid,) = report.contact_ids
        r = get_contact(s, cid)
        r.title = "Edited later"
        update_contact(s, r)
        from app.model.tables import Contact

        c = s.get(Contact, cid)
        assert c is not None
        c.updated_at = c.updated_at + dt.timedelta(minutes=5)
    with db.session() as s:
        last = last_import(s)
        assert last is not None and last.edited_since == 1


def test_names_are_folded_one_way_on_every_path(db: Database) -> None:
    run_import(db, vcf(card(fn="A", email="a@x.org", org="Müller GmbH")))
    with db.session() as s:
        cid = create_contact(
            s, ContactRecord(full_name="B", organization="MÜLLER  GMBH", tags=["Café"])
        )
        r = get_contact(s, cid)
        r.tags = ["CAFÉ", "café"]
        r.organization = "müller gmbh"
        update_contact(s, r)
    run_import(
        db,
        vcf(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:C\r\nEMAIL:c@x.org\r\nCATEGORIES:CAFÉ\r\n"
            "ORG:MÜLLER GMBH\r\nEND:VCARD\r\n"
        ),
    )
    with db.session() as s:
        assert s.scalars(select(Organization.name)).all() == ["Müller GmbH"]
        assert s.scalars(select(Tag.name)).all() == ["Café"]


def test_migration_from_the_previous_release_folds_names_and_loses_no_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = database_at(path, "0001")
    # What release 0001 could hold: the same organisation and tag in two spellings.
    con.executescript(
        """
        INSERT INTO organizations (id, name, industry) VALUES (1, 'Müller GmbH', ''),
            (2, 'MÜLLER GMBH', 'Engineering'), (3, 'Acme', '');
        INSERT INTO tags (id, name) VALUES (1, 'Café'), (2, 'CAFÉ'), (3, 'mentor');
        """
    )
    for cid, org in ((1, 1), (2, 2), (3, 3), (4, None), (5, None)):
        con.execute(
            "INSERT INTO contacts (id, uid, full_name, prefix, given_name, additional_names,"
            " family_name, suffix, nickname, sort_name, organization_id, department, title,"
            " industry, note, how_met, tier, created_at, updated_at)"
            " VALUES (?, ?, ?, '', '', '', '', '', '', ?, ?, '', '', '', '', '', '',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            (cid, f"u{cid}", f"Person {min(cid, 4)}", f"person {cid}", org),
        )
    con.executescript(
        "INSERT INTO contact_tags VALUES (1, 1), (2, 2), (2, 1), (3, 3);"
        "INSERT INTO interactions (contact_id, occurred_on, kind, summary, created_at)"
        " VALUES (1, '2026-01-02', 'call', 'hello', '2026-01-02 00:00:00');"
    )
    con.commit()
    con.close()

    db = open_database(path, tmp_path / "backups")
    assert list((tmp_path / "backups").glob(f"*before-{head_revision()}.sqlite3"))
    with db.session() as s:
        assert len(list_contact_ids(s)) == 5
        records = {r.full_name: r for r in load_records(s, list_contact_ids(s))}
        assert records["Person 1"].organization == "Müller GmbH"
        assert records["Person 2"].organization == "Müller GmbH"
        assert records["Person 3"].organization == "Acme"
        assert records["Person 1"].tags == ["Café"]
        assert records["Person 2"].tags == ["Café"]
        assert records["Person 3"].tags == ["mentor"]
        orgs = s.execute(select(Organization.name, Organization.industry)).all()
        assert sorted(orgs) == [("Acme", ""), ("Müller GmbH", "Engineering")]
        # The tables of 0003 are there and empty: nothing is due in an upgraded database.
        import datetime as dt

        from app.services.today import due_items

        assert due_items(s, dt.date(2026, 11, 25)) == []
        from app.services.contacts import people_at

        # 0003 filled the organisations' match keys: the old rows are found.
        assert [r.name for r in people_at(s, "MULLER gmbh")] == ["Person 1", "Person 2"]
        # person_key was filled for the old rows: the two "Person 4" are offered as a pair.
        assert [(p.first, p.second) for p in find_possible_duplicates(s)] == [(4, 5)]
    db.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM interactions").fetchone() == (1,)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
