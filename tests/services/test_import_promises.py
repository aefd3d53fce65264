"""Import's smaller promises, each found missing by mutation testing (tests/MUTATION.md): who
a shared key joins, what Undo import and its confirmation say, the backup before an import,
an unreadable file's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import update

from app.model.tables import Contact, ImportRun
from app.services.contacts import count_contacts, delete_contacts, get_contact, list_contact_ids
from app.services.importing import (
    ParsedFile,
    back_up_before_import,
    import_files,
    last_import,
    parse_bytes,
    read_file,
    release,
    undo_import,
)
from app.storage.backups import list_backups
from app.storage.db import Database
from app.vcard.problems import Problem, Severity
from tests.services.test_trust import card, run_import, vcf


def names(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(get_contact(s, cid).full_name for cid in list_contact_ids(s))


def test_a_uid_seen_before_is_the_same_person_under_a_new_name(db: Database) -> None:
    run_import(db, vcf(card(uid="urn:uuid:7", fn="Ann Lee", email="ann@x.org")))
    report = run_import(db, vcf(card(uid="urn:uuid:7", fn="Ann Smith", title="Nurse")), "b.vcf")
    assert (report.imported, report.merged) == (0, 1)
    assert names(db) == ["Ann Lee"]


def test_a_linkedin_profile_is_one_person_whatever_the_name(db: Database) -> None:
    profile = "URL:https://www.linkedin.com/in/ann-lee-42\r\n"
    first = card(fn="Ann Lee").replace("END:VCARD", profile + "END:VCARD")
    renamed = card(fn="Ann Smith", title="Nurse").replace("END:VCARD", profile + "END:VCARD")
    other = card(fn="Bo Chen").replace(
        "END:VCARD", "URL:https://www.linkedin.com/in/bo-chen\r\nEND:VCARD"
    )
    run_import(db, vcf(first))
    report = run_import(db, vcf(renamed, other), "b.vcf")
    assert (report.imported, report.merged) == (1, 1)
    assert names(db) == ["Ann Lee", "Bo Chen"]


def test_a_nameless_card_joins_the_contact_with_its_phone(db: Database) -> None:
    run_import(db, vcf(card(tel="+44 20 7946 0018", note="reception")))
    report = run_import(db, vcf(card(tel="+442079460018", title="Front desk")), "b.vcf")
    assert (report.imported, report.merged) == (0, 1)
    # A card without a name is imported as it is, without a warning for it.
    assert [p for p in report.problems if p.severity is not Severity.WARNING] == []
    assert not any("name" in p.message for p in report.problems)


def test_cards_of_one_person_in_one_file_join_with_or_without_a_uid(db: Database) -> None:
    data = vcf(
        card(fn="Pat Lee", email="pat@lee.example"),
        card(fn="Sam Roe", email="sam@roe.example"),
        card(uid="u-1", fn="Pat Lee", email="pat@lee.example", title="Teacher"),
        card(fn="Pat Lee", email="PAT@lee.example", note="school run").replace(
            "END:VCARD", "X-SECONDACT-INTRODUCED-BY:urn:uuid:ida\r\nEND:VCARD"
        ),
        card(uid="urn:uuid:ida", fn="Ida Ames"),
    )
    run_import(db, vcf(card(fn="Someone Else")), "before.vcf")  # ids start above 1
    placed: list[int | None] = []
    with db.session() as s:
        report = import_files(s, [parse_bytes(data, "a.vcf")], placed=placed)
        pat, sam, ida = report.contact_ids
        assert placed == [pat, sam, pat, pat, ida]
        assert (report.imported, report.merged) == (3, 2)
        record = get_contact(s, pat)
        assert (record.uid, record.title, record.introduced_by_id) == ("u-1", "Teacher", ida)
        assert "school run" in record.note
        assert get_contact(s, sam).title == ""


def test_a_shared_switchboard_tells_people_apart_by_given_and_family_name(db: Database) -> None:
    def named(given: str, family: str) -> str:
        c = card(tel="+44 20 7946 0018")
        return c.replace("END:VCARD", f"N:{family};{given};;;\r\nEND:VCARD")

    report = run_import(db, vcf(named("Ann", "Lee"), named("Bob", "Lee"), named("Ann", "Smith")))
    assert (report.imported, report.merged) == (3, 0)


def test_no_import_yet_is_nothing_to_undo(db: Database) -> None:
    with db.session() as s:
        assert last_import(s) is None
        with pytest.raises(LookupError, match="import 99 cannot be undone"):
            undo_import(s, 99)


def test_the_confirmation_names_the_files_counts_and_later_edits_of_this_import(
    db: Database,
) -> None:
    first = run_import(db, vcf(card(fn="Ann Lee", email="ann@x.org")), "Old phone.vcf")
    bo, cy = vcf(card(fn="Bo Chen", email="bo@x.org")), vcf(card(fn="Cy Dee", email="cy@x.org"))
    with db.session() as s:
        report = import_files(s, [parse_bytes(bo, "My contacts.vcf"), parse_bytes(cy, "b.vcf")])
    with db.session() as s:
        run = s.get(ImportRun, report.import_id)
        assert run is not None and run.finished_at is not None
        # Ann, of the import before, edited now: not this import's edit.
        s.execute(
            update(Contact)
            .where(Contact.id.in_(first.contact_ids))
            .values(updated_at=run.finished_at + dt.timedelta(hours=1))
        )
        # Bo edited a second and a half after the import: an edit, not the import's stamp.
        s.execute(
            update(Contact)
            .where(Contact.id == report.contact_ids[0])
            .values(updated_at=run.finished_at + dt.timedelta(seconds=1.5))
        )
        last = last_import(s)
        assert last is not None
        assert (last.id, last.started_at) == (run.id, run.started_at)
        assert last.files == ["My contacts.vcf", "b.vcf"]
        assert (last.created, last.merged, last.edited_since) == (2, 0, 1)
    only_merges = run_import(db, vcf(card(fn="Cy Dee", email="cy@x.org", title="Chef")))
    with db.session() as s:
        last = last_import(s)
        assert last is not None and last.id == only_merges.import_id
        assert (last.created, last.merged) == (0, 1)


def test_undo_reverts_every_merged_contact_but_one_deleted_since_and_only_once(
    db: Database,
) -> None:
    people = [("Ann Lee", "ann@x.org"), ("Bo Chen", "bo@x.org"), ("Cy Dee", "cy@x.org")]
    run_import(db, vcf(*(card(fn=n, email=e) for n, e in people)))
    # The existing contacts get a phone number and an address that is not one: merged
    # contacts whose earlier state itself has a warning the import kept as written.
    kept = run_import(db, vcf(card(fn="Bo Chen", email="bo@x.org", tel="no phone")), "c.vcf")
    assert kept.problems == [Problem("c.vcf", 1, "“no phone” has no digits. Kept as written.")]
    report = run_import(
        db, vcf(*(card(fn=n, email=e, title="Changed") for n, e in people), card(fn="New")), "b"
    )
    assert (report.imported, report.merged) == (1, 3)
    with db.session() as s:
        delete_contacts(s, [report.contact_ids[0]])  # Ann, deleted since
        assert report.import_id is not None
        done = undo_import(s, report.import_id)
        assert (done.removed, done.reverted) == (1, 2)
        titles = {
            get_contact(s, cid).full_name: get_contact(s, cid).title for cid in list_contact_ids(s)
        }
        assert titles == {"Bo Chen": "", "Cy Dee": ""}
        with pytest.raises(LookupError, match="already undone"):
            undo_import(s, report.import_id)


def test_undo_forgets_only_its_own_cards(db: Database) -> None:
    """Name-only cards are known again by their fingerprint: undoing a later import must not
    forget an earlier import's cards, or importing that file again would duplicate them."""
    earlier = vcf(card(fn="Bob", note="the plumber"))
    run_import(db, earlier)
    later = run_import(db, vcf(card(fn="Carl", note="the baker")), "b.vcf")
    with db.session() as s:
        assert later.import_id is not None
        undo_import(s, later.import_id)
    again = run_import(db, earlier)
    assert (again.imported, again.unchanged) == (0, 1)
    assert names(db) == ["Bob"]


def test_undo_removes_more_than_a_thousand_new_contacts(db: Database) -> None:
    report = run_import(db, vcf(*(card(fn=f"P{i}", email=f"p{i}@x.org") for i in range(1100))))
    with db.session() as s:
        assert report.import_id is not None
        assert len(set(report.contact_ids)) == 1100
        assert undo_import(s, report.import_id).removed == 1100
        assert count_contacts(s) == 0


def test_a_backup_is_made_before_an_import_changes_a_database_with_contacts(
    db: Database,
) -> None:
    back_up_before_import(db)  # nothing to protect yet
    assert list_backups(db.backups) == []
    run_import(db, vcf(card(fn="Ann Lee")))
    back_up_before_import(db)
    assert sorted(b.reason for b in list_backups(db.backups)) == ["before-import", "daily"]


def test_an_unreadable_file_is_one_error_in_words(tmp_path: Path) -> None:
    missing = tmp_path / "gone.vcf"
    parsed = read_file(missing)
    assert parsed.path == str(missing) and parsed.cards == []
    assert parsed.problems == [
        Problem("gone.vcf", 0, "cannot be read: No such file or directory", Severity.ERROR)
    ]


def test_a_csv_read_from_disk_uses_the_columns_the_user_placed(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"Name,E-mail,Favourite fruit\r\nAnn Lee,ann@x.org,pear\r\n")
    parsed = read_file(path, {"Favourite fruit": "note"})
    assert parsed.path == str(path)
    assert [(c.record.full_name, c.record.note) for c in parsed.cards] == [("Ann Lee", "pear")]


def test_release_empties_every_file_and_the_list() -> None:
    data = vcf(*(card(fn=f"P{i}") for i in range(450)))
    files = [parse_bytes(data, "a.vcf"), parse_bytes(data, "b.vcf")]
    kept = list(files)
    release(files)
    assert files == [] and [f.cards for f in kept] == [[], []]
    assert isinstance(kept[0], ParsedFile)


def test_progress_is_reported_every_50_cards_and_as_the_new_people_are_written_in_cards(
    db: Database,
) -> None:
    data = vcf(*(card(fn=f"P{i}", email=f"p{i}@x.org") for i in range(120)))
    seen: list[tuple[int, int]] = []
    with db.session() as s:
        import_files(
            s, [parse_bytes(data, "a.vcf")], lambda done, total: seen.append((done, total))
        )
    # Writing them is part of taking the cards: "N of M cards", M the file's (not 240 of 240).
    assert seen == [(50, 120), (100, 120), (120, 120), (120, 120)]


def test_a_csv_row_is_imported_and_a_skipped_card_reported(db: Database) -> None:
    csv = parse_bytes(b"Name,E-mail\r\nAnn Lee,ann@x.org\r\n", "people.csv")
    empty = "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n"
    cards = parse_bytes(vcf(card(fn="Bo Chen"), empty), "b.vcf")
    with db.session() as s:
        report = import_files(s, [csv, cards])
    assert (report.imported, report.merged, report.skipped) == (2, 0, 1)
    assert report.problems == [
        Problem("people.csv", 0, "1 row read as CSV"),
        Problem(
            "b.vcf",
            5,
            "the card has no name, organisation, email, phone or address; skipped",
            Severity.ERROR,
        ),
    ]


def test_a_deleted_contacts_uid_does_not_take_the_card_back(db: Database) -> None:
    data = vcf(card(uid="urn:uuid:9", fn="Ann Lee"))
    first = run_import(db, data)
    with db.session() as s:
        delete_contacts(s, first.contact_ids)
    again = run_import(db, data)
    assert (again.imported, again.merged) == (1, 0)
    assert names(db) == ["Ann Lee"]


def test_an_eight_digit_phone_is_a_key(db: Database) -> None:
    report = run_import(
        db, vcf(card(fn="Ann Lee", tel="2079 4600"), card(fn="Ann Lee", tel="20794600", title="X"))
    )
    assert (report.imported, report.merged) == (1, 1)
    again = run_import(db, vcf(card(fn="Ann Lee", tel="2079-4600", org="Acme")), "b.vcf")
    assert (again.imported, again.merged) == (0, 1)


def test_a_conflict_kept_in_the_note_names_the_file_it_came_from(db: Database) -> None:
    pair = vcf(
        card(fn="Ann Lee", email="a@x.org", title="Nurse"),
        card(fn="Ann Lee", email="a@x.org", title="Head Nurse"),
    )
    run_import(db, pair, "pair.vcf")
    run_import(db, vcf(card(fn="Ann Lee", email="a@x.org", title="Matron")), "phone.vcf")
    with db.session() as s:
        (cid,) = list_contact_ids(s)
        note = get_contact(s, cid).note
    assert "Title: Head Nurse" in note and "pair.vcf" in note
    assert "Title: Matron" in note and "phone.vcf" in note


def test_the_same_name_only_card_twice_in_one_file_is_one_contact(db: Database) -> None:
    report = run_import(
        db, vcf(card(fn="Bob", note="the plumber"), card(fn="Bob", note="the plumber"))
    )
    assert (report.imported, report.merged, report.unchanged) == (1, 0, 1)
    assert names(db) == ["Bob"]


def test_a_key_a_card_brings_to_a_known_person_finds_them_later_in_the_file(
    db: Database,
) -> None:
    data = vcf(
        card(fn="Pat Lee", email="pat@lee.example"),
        card(fn="Pat Lee", email="pat@lee.example", tel="+44 20 7946 0018"),
        card(fn="Pat Lee", tel="+442079460018", title="Teacher"),
    )
    report = run_import(db, data)
    assert (report.imported, report.merged) == (1, 2)
    run_import(db, vcf(card(fn="Pat Lee", email="pat@lee.example")), "b.vcf")
    again = run_import(db, data, "c.vcf")
    assert (again.imported, again.merged, again.unchanged) == (0, 0, 3)
