from __future__ import annotations

from pathlib import Path

from app.model.records import ContactRecord, Labeled
from app.services.contacts import create_contact, get_contact, list_contact_ids, load_records
from app.services.importing import import_files, read_file
from app.storage.db import Database
from app.vcard.csv_formats import read_csv
from tests.conftest import DATA


def test_connections_csv_skips_the_notes_and_reads_every_row() -> None:
    parsed = read_file(DATA / "Connections.csv")
    assert [str(p) for p in parsed.problems] == ["Connections.csv: 3 rows read as LinkedIn"]
    records = [c.record for c in parsed.cards]
    assert [(r.given_name, r.family_name) for r in records] == [
        ("Priya", "Raman"),
        ("Tomás", "García"),
        ("Jo", ""),
    ]
    priya = records[0]
    assert priya.organization == "Northwind Health, Inc."
    assert priya.title == "Clinical Informatics Lead"
    assert priya.emails == []
    assert priya.urls == [Labeled("https://www.linkedin.com/in/priyaraman", "LinkedIn")]
    assert "12 Mar 2021" in priya.how_met
    assert records[1].emails == [Labeled("tomas@example.org", "")]
    assert records[1].title == "Director, Data"


def test_linkedin_rows_merge_with_vcard_contacts_of_the_same_people(db: Database) -> None:
    with db.session() as s:
        by_email = create_contact(
            s,
            ContactRecord(
                full_name="Tomás García",
                emails=[Labeled("TOMAS@example.org", "work")],
                phones=[Labeled("+1 555 0101")],
            ),
        )
        by_url = create_contact(
            s,
            ContactRecord(
                full_name="Priya R.", urls=[Labeled("http://linkedin.com/in/priyaraman/")]
            ),
        )
    with db.session() as s:
        report = import_files(s, [read_file(DATA / "Connections.csv")])
    assert (report.imported, report.merged) == (1, 2)
    with db.session() as s:
        tomas = get_contact(s, by_email)
        priya = get_contact(s, by_url)
        assert len(list_contact_ids(s)) == 3
    assert tomas.organization == "Contoso" and tomas.phones[0].value == "+1 555 0101"
    assert tomas.emails == [Labeled("TOMAS@example.org", "work")]
    assert priya.organization == "Northwind Health, Inc."
    assert priya.full_name == "Priya R."


def test_a_csv_of_unknown_columns_is_refused_naming_them(tmp_path: Path) -> None:
    (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n")
    parsed = read_file(tmp_path / "other.csv")
    assert parsed.cards == []
    assert "could not place: “a”, “b”, “c”" in parsed.problems[0].message


def test_linkedin_import_twice_adds_nothing(db: Database) -> None:
    for _ in range(2):
        with db.session() as s:
            import_files(s, [read_file(DATA / "Connections.csv")])
    with db.session() as s:
        assert len(load_records(s, list_contact_ids(s))) == 3


def test_a_cell_holding_a_separator_character_stays_in_its_row() -> None:
    """str.splitlines also cuts at \\x1c-\\x1e, \\x85 and \\u2028; a cell may hold them."""
    data = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        'Ann,Lee,,,"Acme\x1e\u2028Labs",,\r\n'
        'Bob,"Ray\nJr",,,,,\r\n'
        "Cy,Ng,,,,,\r\n"
    ).encode()
    result = read_csv(data, "c.csv")
    assert [p for p in result.problems if p.line] == []
    assert [(c.record.given_name, c.record.organization) for c in result.cards] == [
        ("Ann", "Acme\x1e\u2028Labs"),
        ("Bob", ""),
        ("Cy", ""),
    ]
