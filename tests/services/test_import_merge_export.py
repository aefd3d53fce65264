from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from app.model.merge import merge_records
from app.model.records import Birthday, ContactRecord, Labeled
from app.services.contacts import (
    count_contacts,
    create_contact,
    fetch_rows,
    get_contact,
    list_contact_ids,
)
from app.services.exporting import export_contacts, safe_file_name
from app.services.importing import (
    Cancelled,
    import_files,
    parse_bytes,
    preview_import,
    read_file,
)
from app.services.interactions import log_interaction
from app.services.merging import merge_contacts, unmerge_contacts
from app.storage.db import Database
from tests.snapshot import snapshot

CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{email}\r\nTEL:{tel}\r\nORG:{org}\r\n"
    "END:VCARD\r\n"
)


def vcf(*cards: dict[str, str]) -> bytes:
    return "".join(CARD.format(**{"tel": "", "org": "", **c}) for c in cards).encode()


def test_merge_fills_gaps_unites_lists_and_keeps_conflicts_in_the_note() -> None:
    mine = ContactRecord(
        full_name="Ana Silva",
        title="Nurse",
        emails=[Labeled("a@x.org")],
        tags=["alumni"],
        birthday=Birthday(5, 1),
    )
    theirs = ContactRecord(
        full_name="Ana Silva",
        title="Head Nurse",
        organization="St Mary's",
        emails=[Labeled("A@X.org", "work"), Labeled("ana@home.example")],
        tags=["Alumni", "mentor"],
        birthday=Birthday(5, 1, 1980),
        note="Likes hiking",
    )
    m = merge_records(mine, theirs, "phone.vcf")
    assert m.title == "Nurse" and m.organization == "St Mary's"
    assert m.emails == [Labeled("a@x.org", "work"), Labeled("ana@home.example")]
    assert m.tags == ["alumni", "mentor"]
    assert m.birthday == Birthday(5, 1, 1980)
    assert "Likes hiking" in m.note and "Title: Head Nurse" in m.note and "phone.vcf" in m.note
    assert merge_records(m, theirs, "phone.vcf") == m  # merging again changes nothing


@pytest.mark.parametrize(
    ("existing", "incoming"),
    [
        (dict(name="A", email="same@x.org"), dict(name="B", email="SAME@x.org")),
        (
            dict(name="Ann Lee", email="1@x.org", tel="+44 20 7946 0018"),
            dict(name="Ann Lee", email="2@x.org", tel="+44(20)79460018;X"),
        ),
    ],
)
def test_duplicates_are_recognised(
    db: Database, existing: dict[str, str], incoming: dict[str, str]
) -> None:
    with db.session() as s:
        import_files(s, [parse_bytes(vcf(existing), "a.vcf")])
    incoming = {**incoming, "tel": incoming.get("tel", "").split(";")[0]}
    parsed = parse_bytes(vcf(incoming), "b.vcf")
    with db.session() as s:
        p = preview_import(s, [parsed])
        assert (p.new, p.merge) == (0, 1)
    with db.session() as s:
        report = import_files(s, [parsed])
        assert report.merged == 1
        assert count_contacts(s) == 1


def test_uk_numbers_written_two_ways_match(monkeypatch: pytest.MonkeyPatch, db: Database) -> None:
    from app.model import normalize

    normalize.default_region.cache_clear()
    monkeypatch.setattr(normalize, "default_region", lambda: "GB")
    with db.session() as s:
        import_files(
            s, [parse_bytes(vcf(dict(name="X", email="x@x.org", tel="+44 20 7946 0018")), "a.vcf")]
        )
        report = import_files(
            s, [parse_bytes(vcf(dict(name="X", email="y@y.org", tel="020 7946 0018")), "b.vcf")]
        )
    assert report.merged == 1


def test_cancel_leaves_the_database_as_it_was(db: Database, tmp_path: Path) -> None:
    cards = [dict(name=f"P{i}", email=f"p{i}@x.org") for i in range(100)]
    parsed = parse_bytes(vcf(*cards), "many.vcf")
    calls = {"n": 0}

    def cancel_after_half() -> bool:
        calls["n"] += 1
        return calls["n"] > 50

    with pytest.raises(Cancelled), db.session() as s:
        import_files(s, [parsed], cancelled=cancel_after_half)
    with db.session() as s:
        assert count_contacts(s) == 0
        assert list_contact_ids(s, "p1") == []
    with db.session() as s:  # and the import can simply be run again
        assert import_files(s, [parsed]).imported == 100


@pytest.mark.parametrize("phase", ["new people", "known people"])
def test_cancel_after_writes_leaves_every_table_as_it_was(
    db: Database, monkeypatch: pytest.MonkeyPatch, phase: str
) -> None:
    """Batches of 3, cancelled once rows are in the database (not while still in memory):
    contacts, import runs and their journal, fingerprints and introductions roll back."""
    from app.services import importing
    from app.services.contacts import update_contact

    monkeypatch.setattr(importing._ImportRun, "BATCH", 3)
    earlier = [dict(name=f"K{i}", email=f"k{i}@x.org") for i in range(8)]
    with db.session() as s:  # an earlier import: runs, fingerprints and contacts to merge into
        import_files(s, [parse_bytes(vcf(*earlier), "earlier.vcf")])
    with db.session() as s:
        introducer = get_contact(s, list_contact_ids(s, "k0")[0])
        update_contact(s, replace(introducer, uid="intro-uid"))
    before = snapshot(db)
    known = [dict(name=f"K{i}", email=f"k{i}@x.org", org="Acme") for i in range(8)]
    new = [dict(name=f"P{i}", email=f"p{i}@x.org") for i in range(10)]
    text = (
        vcf(*known, *new)
        .decode()
        .replace("FN:P1\r\n", "FN:P1\r\nX-ABRELATEDNAMES;TYPE=introduced-by:urn:uuid:intro-uid\r\n")
    )
    parsed = parse_bytes(text.encode(), "both.vcf")
    with db.session() as s:
        contacts_before = count_contacts(s)
        written: list[bool] = []

        def cancelled() -> bool:
            if phase == "new people":  # a batch of new people is written: stop
                written.append(count_contacts(s) > contacts_before)
            else:  # a batch of merges is written (Acme)
                written.append(bool(list_contact_ids(s, "acme")))
            return written[-1]

        with pytest.raises(Cancelled):
            import_files(s, [parsed], cancelled=cancelled)
        assert written.count(True) == 1 and written[0] is False  # stopped between writes
        s.rollback()
    assert snapshot(db) == before
    with db.session() as s:  # and the import can simply be run again
        report = import_files(s, [parsed])
        assert (report.imported, report.merged) == (10, 8)


def test_unreadable_file_is_one_error_not_a_crash(db: Database, tmp_path: Path) -> None:
    parsed = read_file(tmp_path / "missing.vcf")
    assert parsed.problems[0].severity.value == "error"
    with db.session() as s:
        assert import_files(s, [parsed]).skipped == 1


def test_manual_merge_and_undo_split_them_back(db: Database) -> None:
    with db.session() as s:
        a = create_contact(
            s,
            ContactRecord(full_name="Sam Okafor", title="Engineer", emails=[Labeled("sam@a.org")]),
        )
        b = create_contact(
            s,
            ContactRecord(
                full_name="Samuel Okafor", emails=[Labeled("sam@b.org")], note="met at PyCon"
            ),
        )
        c = create_contact(s, ContactRecord(full_name="Friend", introduced_by_id=b))
        log_interaction(s, b, dt.date(2026, 3, 1), "coffee")
    with db.session() as s:
        undo = merge_contacts(s, a, b)
    with db.session() as s:
        merged = get_contact(s, a)
        assert [e.value for e in merged.emails] == ["sam@a.org", "sam@b.org"]
        assert "met at PyCon" in merged.note and "Samuel Okafor" in merged.note
        assert get_contact(s, c).introduced_by_id == a
        assert fetch_rows(s, [a])[a].last_contact == dt.date(2026, 3, 1)
        assert count_contacts(s) == 2
    with db.session() as s:
        unmerge_contacts(s, undo)
    with db.session() as s:
        assert [e.value for e in get_contact(s, a).emails] == ["sam@a.org"]
        assert get_contact(s, b).note == "met at PyCon"
        assert get_contact(s, c).introduced_by_id == b
        assert fetch_rows(s, [b])[b].last_contact == dt.date(2026, 3, 1)
        assert count_contacts(s) == 3


def test_export_one_file_and_folder_then_import_back(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        intro = create_contact(s, ContactRecord(full_name="Intro Ducer"))
        create_contact(
            s,
            ContactRecord(
                full_name="CON",
                emails=[Labeled("c@x.org")],
                introduced_by_id=intro,
                photo=b"\xff\xd8\xff\xe0",
                photo_mime="image/jpeg",
            ),
        )
        create_contact(s, ContactRecord(full_name="a/b: c?", tier="A", industry="Health"))
        ids = list_contact_ids(s)
    with db.session() as s:
        one = export_contacts(s, ids, tmp_path / "all.vcf", "4.0")
        many = export_contacts(s, ids, tmp_path / "folder", "3.0", folder=True)
    assert one.count == 3
    assert sorted(p.name for p in many.files) == ["Intro Ducer.vcf", "_CON.vcf", "a_b_ c_.vcf"]
    text = (tmp_path / "all.vcf").read_text(encoding="utf-8")
    assert text.count("BEGIN:VCARD") == 3 and "PHOTO:data:image/jpeg;base64," in text
    # Into a fresh database: everything, including who introduced whom, comes back.
    from app.storage.db import open_database

    other = open_database(tmp_path / "other.sqlite3")
    with other.session() as s:
        report = import_files(s, [read_file(tmp_path / "all.vcf")])
        assert report.imported == 3 and report.problems == []
        recs = {get_contact(s, i).full_name: get_contact(s, i) for i in list_contact_ids(s)}
    other.close()
    assert recs["CON"].introduced_by_id == recs["Intro Ducer"].id
    assert recs["CON"].photo == b"\xff\xd8\xff\xe0"
    assert (recs["a/b: c?"].tier, recs["a/b: c?"].industry) == ("A", "Health")
    # And back into the same database: nothing new.
    with db.session() as s:
        again = import_files(s, [read_file(p) for p in many.files])
        assert (again.imported, again.merged) == (0, 0)


def test_safe_file_names_never_collide() -> None:
    taken: set[str] = set()
    names = [safe_file_name(n, taken) for n in ["Ann", "ann", "", "..", "NUL", "x" * 300]]
    assert names[:5] == ["Ann.vcf", "ann (2).vcf", "contact.vcf", "contact (2).vcf", "_NUL.vcf"]
    assert len(names[5]) <= 84


def test_undo_import_leaves_a_merged_contact_the_user_deleted_since_as_deleted(
    db: Database,
) -> None:
    """Undo Import puts merged contacts back as they were, except one the user has deleted
    meanwhile: it stays in the trash as deleted, and Undo of that delete brings back what the
    user deleted, not the version from before the import."""
    from app.services.contacts import delete_contacts, restore_contacts
    from app.services.importing import undo_import

    with db.session() as s:
        import_files(s, [parse_bytes(vcf(dict(name="Ann", email="ann@x.org")), "a.vcf")])
        import_files(s, [parse_bytes(vcf(dict(name="Bo", email="bo@x.org")), "b.vcf")])
    again = vcf(
        dict(name="Ann", email="ann@x.org", org="Acme"),
        dict(name="Bo", email="bo@x.org", org="Initech"),
    )
    with db.session() as s:
        report = import_files(s, [parse_bytes(again, "again.vcf")])
        ann, bo = list_contact_ids(s, "ann")[0], list_contact_ids(s, "bo")[0]
        delete_contacts(s, [ann])  # the user deletes Ann after the import
    with db.session() as s:
        assert report.import_id is not None
        undone = undo_import(s, report.import_id)
        assert undone.reverted == 1  # Bo alone
        assert get_contact(s, bo).organization == ""
        restore_contacts(s, [ann])
        assert get_contact(s, ann).organization == "Acme"  # as the user deleted her
