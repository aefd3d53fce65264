"""Every file of the real-client corpus (tests/data/vcards) imports, as its raw text says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import contact_json
from app.services.contacts import list_contact_ids, load_records
from app.services.importing import ImportReport, import_files, read_file
from app.storage.db import Database, open_database
from app.vcard.problems import Severity
from tests.conftest import VCARDS

ALL_FILES = sorted(VCARDS.rglob("*.vcf"))

# Per file, what a person reading the file sees for each card (a subset of fields).
EXPECTED: dict[str, list[dict[str, Any]]] = {
    "ez-vcard/John_Doe_GMAIL.vcf": [
        dict(
            full_name="Mr. John Richter, James Doe Sr.",
            given_name="John",
            family_name="Doe",
            emails=["john.doe@ibm.com"],
            phones=["905-555-1234", "905-666-1234"],
            organization="IBM",
            title="Money Counter",
            birthday="1980-03-22",
            note_starts='THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "',
        )
    ],
    "ez-vcard/John_Doe_MS_OUTLOOK.vcf": [
        dict(
            full_name="Mr. John Richter James Doe Sr.",
            emails=["john.doe@ibm.cm"],
            organization="IBM",
            title="Money Counter",
            birthday="1980-03-22",
            phones=["(905) 555-1234", "(905) 666-1234"],
            has_photo=True,
            note_starts="THIS SOFTWARE IS PROVIDED BY GEORGE EL-HADDAD ''AS IS'' AND ANY EXPRESS "
            "OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO",
        )
    ],
    "ez-vcard/outlook-2003.vcf": [
        dict(
            full_name="John Doe III",
            organization="Company, The",
            title="The Job Title",
            emails=["jdoe@hotmail.com"],
            birthday="1980-03-21",
            note_starts="This is the note field!!\nSecond line\n\nThird line is empty",
        )
    ],
    "ez-vcard/outlook-2007.vcf": [
        dict(
            full_name="Mr. Michael Angstadt Jr.",
            organization="TheCompany",
            title="TheJobTitle",
            emails=["mike.angstadt@gmail.com"],
            birthday="1922-03-10",
            has_photo=True,
            phones=["(111) 555-1111", "(111) 555-2222", "(111) 555-4444", "(111) 555-3333"],
        )
    ],
    "ez-vcard/John_Doe_IPHONE.vcf": [
        dict(
            full_name="Mr. John Richter James Doe Sr.",
            organization="IBM",
            title="Money Counter",
            emails=["john.doe@ibm.com"],
            birthday="2012-06-06",
            has_photo=True,
            phones=[
                "905-555-1234",
                "905-666-1234",
                "905-777-1234",
                "905-888-1234",
                "905-999-1234",
                "905-111-1234",
                "905-222-1234",
            ],
        )
    ],
    "ez-vcard/John_Doe_MAC_ADDRESS_BOOK.vcf": [
        dict(
            full_name="Mr. John Richter,James Doe Sr.",
            organization="IBM",
            title="Money Counter",
            emails=["john.doe@ibm.com"],
            birthday="2012-06-06",
            has_photo=True,
        )
    ],
    "ez-vcard/John_Doe_LOTUS_NOTES.vcf": [
        dict(
            full_name="Mr. Doe John I Johny",
            organization="IBM",
            title="Generic Accountant",
            emails=["john.doe@ibm.com", "billy_bob@gmail.com"],
            birthday="1980-05-21",
            phones=["+1 (212) 204-34456", "00-1-212-555-7777"],
            has_photo=True,
        )
    ],
    "ez-vcard/John_Doe_BLACK_BERRY.vcf": [
        dict(
            full_name="John Doe",
            organization="Acme Solutions",
            phones=["+96123456789"],
            has_photo=True,
        )
    ],
    "ez-vcard/John_Doe_ANDROID.vcf": [
        dict(
            full_name="john.doe@company.com", emails=["john.doe@company.com"], tags=["My Contacts"]
        ),
        dict(full_name="jane.doe@company.com", emails=["jane.doe@company.com"]),
        dict(full_name="Ñ Ñ Ñ Ñ Ñ", phones=["123456789"]),
        dict(full_name="Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ", phones=["123456", "234567", "3456789", "45678901"]),
        # Its PHOTO is cut short (the sample's own damage): reported and kept as text for
        # export, not shown as a broken picture (test_dialects checks the report).
        dict(emails=["bob@company.com", "ÑÑÑÑÑÑÑÑÑÑÑÑÑÑ"], has_photo=False),
        dict(emails=["henry@company.com"]),
    ],
    "ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf": [
        dict(
            full_name="John Doe",
            organization="TheOrganization",
            title="TheTitle",
            birthday="1970-09-21",
            tags=["category1", "category2", "category3"],
            emails=[
                "doe.john@hotmail.com",
                "additional-email@company.com",
                "additional-email1@company.com",
                "additional-email2@company.com",
                "additional-email3@company.com",
            ],
            addresses=[
                {
                    "street": "Suite 100",
                    "city": "New York",
                    "region": "NY",
                    "postal_code": "98765",
                    "country": "USA",
                },
                {
                    "street": "Apt 10",
                    "city": "Austin",
                    "region": "TX",
                    "postal_code": "12345",
                    "country": "USA",
                },
            ],
        )
    ],
    "ez-vcard/issue114.vcf": [
        dict(
            full_name="Dummy, Dummy",
            organization="Dummy GmbH",
            emails=["dummy.dummy@dummy.com"],
            phones=["+49 1234 56789", "+49 9876 54321"],
            addresses=[
                {
                    "street": "Dummy-Dummy-Strasse 1",
                    "city": "Bad Homburg",
                    "region": "",
                    "postal_code": "61352",
                    "country": "Germany",
                }
            ],
        )
    ],
    "ez-vcard/rfc6350-example.vcf": [
        dict(full_name="Simon Perreault", birthday="--02-03", organization="Viagenie")
    ],
    "ez-vcard/gmail-list.vcf": [
        dict(full_name="Arnold Smith", emails=["asmithk@gmail.com"]),
        dict(full_name="Chris Beatle", emails=["chrisy55d@yahoo.com"]),
        dict(full_name="Doug White", emails=["dwhite@gmail.com"]),
    ],
    "kcontacts/vcard3.vcf": [
        dict(
            full_name="ian geiser",
            organization="Source eXtreme",
            title="VP of Engineering",
            emails=["geiseri@yahoo.com"],
        )
    ],
    "kcontacts/vcard4.vcf": [
        dict(
            full_name="Ximian, Inc.",
            organization="Ximian, Inc.",
            emails=["hello@ximian.com"],
            note_starts="Welcome to the Ximian Addressbook.",
        )
    ],
    "kcontacts/vcard5.vcf": [
        dict(
            full_name="Mustermann, Heiko",
            organization="KDE",
            birthday="1955-07-19",
            emails=["heiko.mustermann@freenet.org", "heiko8@tst.inf.tu-dresden.de"],
            phones=["0351 223344", "0351 443322", "0173 223344"],
            has_photo=True,
            note_starts="I'm a friendly note text,\nplease copy me to your address book...",
        )
    ],
    # Only a quoted-printable LABEL: it becomes the address, and names the contact.
    "kcontacts/vcard7.vcf": [
        dict(
            full_name="401 Park Drive  3 West",
            addresses=[
                {
                    "street": "401 Park Drive  3 West\nBoston, MA 02215\nUSA\n"
                    "Herecomesyetanotherline",
                    "city": "",
                    "region": "",
                    "postal_code": "",
                    "country": "",
                }
            ],
        )
    ],
    "kcontacts/vcard9.vcf": [
        dict(
            full_name="βγδεαβγδ1" * 11,
            note_starts="Длинный комментарий на русском языке, чтобы в результате получилась",
        )
    ],
    "kcontacts/vcard10.vcf": [
        dict(full_name="Bike Shop", organization="Bike Shop"),
        dict(
            full_name="Field after Address broken",
            urls=["http://some-webseite.com"],
            addresses=[
                {
                    "street": "AAAAAAA-AäAAAAA 11",
                    "city": "Urt",
                    "region": "",
                    "postal_code": "00000",
                    "country": "",
                }
            ],
        ),
        dict(full_name="Field after Address not broken"),
        dict(full_name="Dr. med. Surname Name", title="Facharzt für Allgemeinmedizin"),
        dict(full_name="Second Doctor", title="Dentist"),
    ],
    "evolution-data-server/12.vcf": [
        dict(
            full_name="Michael Brüning",
            family_name="Brüning",
            given_name="Michael",
            emails=["ext-Michael.Bruning@nokia.com"],
            birthday="1978-12-29",
            phones=["+491622433834", "017623384942", "+4973117546691"],
            addresses=[
                {
                    "street": "Münsterplatz 21",
                    "city": "Ulm",
                    "region": "Baden-Württemberg",
                    "postal_code": "89073",
                    "country": "",
                }
            ],
        )
    ],
    "evolution-data-server/5.vcf": [
        dict(
            full_name="十城目管理大型知座",
            organization="十城目管理大型知座",
            emails=["weird@weird.com"],
        )
    ],
    "evolution-data-server/7.vcf": [
        dict(full_name="Frank Dawson", emails=["Frank_Dawson@Lotus.com", "fdawson@earthlink.net"])
    ],
    "evolution-data-server/8.vcf": [dict(full_name="Frank Dawson")],
    "evolution-data-server/9.vcf": [
        dict(full_name="Frank Dawson", phones=["+1-919-676-9515", "+1-919-676-9564"])
    ],
    "evolution-data-server/photo-1.vcf": [dict(full_name="photo", has_photo=True)],
    "khard/korean-c.vcf": [dict(full_name="최유림")],
    "khard/korean-j.vcf": [dict(full_name="전도훈")],
    "khard/photov4.vcf": [dict(full_name="with photo v4", has_photo=True)],
    "khard/photov3.vcf": [dict(full_name="with photo v3", has_photo=True)],
    "khard/tel-value-uri.vcf": [dict(full_name="bug 195", phones=["67545678"])],
    "khard/text-bday.vcf": [dict(full_name="text birthday", birthday=None)],
    "khard/unparsable.vcf": [dict(full_name="second contact with minimal Vcard")],
    "khard/category.vcf": [dict(full_name="contact with category")],
    "sabre-io-vobject/issue153.vcf": [dict(full_name="Test Benutzer", has_photo=True)],
}

# Files that are broken on purpose, and the line each problem must name.
BROKEN = {
    "evolution-data-server/7.vcf": [(1, "BEGIN:VCARD is missing")],
    "evolution-data-server/8.vcf": [(1, "no END:VCARD")],
    "evolution-data-server/9.vcf": [(9, "unreadable line “E”"), (1, "no END:VCARD")],
    "khard/unparsable.vcf": [(1, "no END:VCARD")],
    "kcontacts/vcard4.vcf": [(3, "unreadable line “FN”")],
    "sabre-io-vobject/issue64.vcf": [(1, "no name")],
}
SKIPPED = {"sabre-io-vobject/issue64.vcf": 1}


def key(path: Path) -> str:
    return path.relative_to(VCARDS).as_posix()


def import_one(tmp_path: Path, path: Path) -> tuple[Database, ImportReport, list[dict[str, Any]]]:
    db = open_database(tmp_path / "db.sqlite3")
    with db.session() as s:
        report = import_files(s, [read_file(path)])
    with db.session() as s:
        rows = [contact_json(r) for r in load_records(s, list_contact_ids(s))]
    return db, report, rows


def test_corpus_is_present() -> None:
    assert len(ALL_FILES) >= 70, f"the vCard corpus was not found in {VCARDS}"


@pytest.mark.parametrize("path", ALL_FILES, ids=key)
def test_every_file_imports_without_loss(tmp_path: Path, path: Path) -> None:
    db, report, rows = import_one(tmp_path, path)
    db.close()
    k = key(path)
    assert report.skipped == SKIPPED.get(k, 0), [str(p) for p in report.problems]
    for row in rows:
        assert row["full_name"].strip()
        text = " ".join(str(v) for v in row.values())
        assert "\ufffd" not in text and "Ã" not in text, f"mojibake in {row}"
    for line, words in BROKEN.get(k, []):
        assert any(p.line == line and words in p.message for p in report.problems), [
            str(p) for p in report.problems
        ]
    if k not in BROKEN:
        assert not report.errors
    expected = EXPECTED.get(k)
    if expected is None:
        return
    assert report.imported + report.merged + report.unchanged == len(expected)
    assert len(rows) == len(expected)
    for want in expected:
        matches = [
            r
            for r in rows
            if all(
                (r["note"].startswith(v) if f == "note_starts" else r[f] == v)
                for f, v in want.items()
            )
        ]
        assert matches, f"no contact like {want} in {rows}"


def test_a_broken_card_costs_only_itself(tmp_path: Path) -> None:
    good = (VCARDS / "ez-vcard" / "gmail-list.vcf").read_bytes()
    broken = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b:!!!!\r\n\x00\x01garbage\r\nEND:VCARD\r\n"
    )
    (tmp_path / "mixed.vcf").write_bytes(
        good + b"\r\n" + broken + good.replace(b"Smith", b"Smyth").replace(b"@", b"@x.")
    )
    db = open_database(tmp_path / "db.sqlite3")
    with db.session() as s:
        report = import_files(s, [read_file(tmp_path / "mixed.vcf")])
        names = [contact_json(r)["full_name"] for r in load_records(s, list_contact_ids(s))]
    db.close()
    assert {"Arnold Smith", "Arnold Smyth", "Doug White", "Chris Beatle"} <= set(names)
    assert report.skipped == 1
    assert [(p.line, p.severity) for p in report.problems] == [
        (22, Severity.WARNING),  # the garbage line
        (21, Severity.WARNING),  # the photo that decodes to nothing
        (19, Severity.ERROR),  # the card, which has nothing left
    ]
    assert all(p.file == "mixed.vcf" for p in report.problems)


def test_files_joined_without_a_final_line_break_keep_every_card(tmp_path: Path) -> None:
    good = (VCARDS / "ez-vcard" / "gmail-list.vcf").read_bytes()
    assert not good.endswith(b"\n")
    (tmp_path / "joined.vcf").write_bytes(good + good.replace(b"@", b"@elsewhere."))
    db = open_database(tmp_path / "db.sqlite3")
    with db.session() as s:
        report = import_files(s, [read_file(tmp_path / "joined.vcf")])
    db.close()
    assert (report.imported, report.problems) == (6, [])


def test_importing_the_whole_corpus_twice_adds_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "db.sqlite3")
    files = [read_file(p) for p in ALL_FILES]
    with db.session() as s:
        first = import_files(s, files)
    with db.session() as s:
        count = len(list_contact_ids(s))
        second = import_files(s, files)
        assert len(list_contact_ids(s)) == count
    db.close()
    assert first.imported == count
    assert (second.imported, second.merged) == (0, 0)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
@pytest.mark.parametrize("path", ALL_FILES, ids=key)
def test_import_then_export_loses_nothing(path: Path, version: str) -> None:
    from dataclasses import replace

    from app.services.importing import parse_bytes
    from app.vcard.writer import to_vcard

    for card in read_file(path).cards:
        if card.skipped:
            continue
        first = card.record
        again = parse_bytes(to_vcard(first, version).encode("utf-8"), "again.vcf")
        # Nothing new to report: only what the original card had (a damaged photo written
        # back as it came is reported again, the same way).
        assert again.problems == [] and len(again.cards) == 1
        assert {p.message for p in again.cards[0].problems} <= {p.message for p in card.problems}
        second = again.cards[0].record
        # FN is always written, so a card without one comes back with its display name.
        assert replace(second, full_name=first.full_name) == first
        assert second.display_name == first.display_name
