"""Outlook, Google Contacts and other CSV files, imported through the command line, every
field of every row checked; CSV export read back. The files are in tests/data/csv/ (see
tests/data/README.md for the header sets they follow)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.cli import main
from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.paths import AppPaths
from app.services.contacts import create_contact, list_contact_ids, load_records
from app.storage.db import Database, open_database
from app.vcard.csv_formats import other_line as other
from app.vcard.csv_formats import read_csv
from tests.conftest import DATA

CSV = DATA / "csv"


def imported(paths: AppPaths, *argv: str) -> list[ContactRecord]:
    assert main(["--data-dir", str(paths.data_dir), "import", *argv]) == 0
    return stored(paths)


# kontakte-excel.csv with its unknown column kept as another field.
EXCEL_PEOPLE = [
    ContactRecord(
        full_name="Dr. Eva Schäfer",
        prefix="Dr.",
        given_name="Eva",
        family_name="Schäfer",
        organization="Schäfer & Co",
        emails=[Labeled("eva@example.de")],
        phones=[Labeled("+49 151 2345678", "mobile")],
        birthday=Birthday(4, 3, 1982),  # 03.04.1982
        extra_lines=[other("Lieblingsfarbe", "Grün")],
    ),
    ContactRecord(
        given_name="James",
        family_name="Richter",
        organization="Richter; Söhne",
        emails=[Labeled("james.richter@example.de")],
        extra_lines=[other("Lieblingsfarbe", "Blau")],
    ),
]


def stored(paths: AppPaths) -> list[ContactRecord]:
    db = open_database(paths.database)
    try:
        return all_records(db)
    finally:
        db.close()


def all_records(db: Database) -> list[ContactRecord]:
    """Every contact, without what the database adds (id, UID, times), by name."""
    with db.session() as s:
        records = load_records(s, list_contact_ids(s))
    return sorted(
        (
            dataclasses.replace(r, id=None, uid="", created_at=None, updated_at=None)
            for r in records
        ),
        key=lambda r: r.display_name,
    )


def test_outlook_desktop_export_in_cp1252(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert b"Zo\xeb" in (CSV / "outlook.csv").read_bytes()  # ë in cp1252
    ana, zoe = imported(paths, str(CSV / "outlook.csv"))
    assert capsys.readouterr().err == (
        "warning: outlook.csv: 2 rows read as Outlook; kept as other fields: “Gender”, "
        "“Hobby”, “Initials”, “Referred By”\n"
    )
    assert zoe == ContactRecord(
        prefix="Dr.",
        given_name="Zoë",
        additional_names="Anne",
        family_name="Müller",
        suffix="PhD",
        organization="Contoso Ltd.",
        department="Research",
        title="Head of Research",
        emails=[Labeled("zoe@contoso.com"), Labeled("zoe.m@example.org")],
        phones=[
            Labeled("+1 425 555 0111", "work fax"),
            Labeled("+1 425 555 0100", "work"),
            Labeled("(425) 555-0123", "home"),
            Labeled("+1 425 555 0199", "mobile"),
        ],
        urls=[Labeled("https://contoso.com/zoe")],
        addresses=[
            PostalAddress(
                "work",
                street="1 Main St\nSuite 5",
                city="Seattle",
                region="WA",
                postal_code="98101",
                country="United States",
            ),
            PostalAddress(
                "home",
                street="22 Elm Rd",
                city="Bellevue",
                region="WA",
                postal_code="98004",
                country="United States",
            ),
        ],
        birthday=Birthday(5, 17, 1980),
        note="Met at the HIMSS meetup.\nAsk about the data team.",
        tags=["Health IT", "Mentors"],
        extra_lines=[
            "ANNIVERSARY:2005-06-01",
            "X-MS-ASSISTANT:Ben Ortiz",
            "RELATED;TYPE=child;VALUE=text:Mia",
            other("Gender", "Female"),
            other("Hobby", "Sailing"),
            other("Initials", "Z.A.M."),
            "X-MS-MANAGER:Carla Díaz",
            other("Referred By", "Priya Raman"),
            "RELATED;TYPE=spouse;VALUE=text:Sam Müller",
        ],
    )
    # "0/0/00", "Normal", "False", "Unspecified", "SMTP": Outlook's way of saying nothing.
    assert ana == ContactRecord(
        given_name="Ana",
        family_name="Ruiz",
        emails=[Labeled("ana@example.com")],
        birthday=Birthday(11, 2, 1979),
    )


def test_outlook_com_export_in_utf8_with_bom(paths: AppPaths) -> None:
    assert (CSV / "outlook-com.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    [lee] = imported(paths, str(CSV / "outlook-com.csv"))
    assert lee == ContactRecord(
        given_name="Lee",
        family_name="Chen",
        suffix="Jr.",
        nickname="Lefty",
        organization="Fabrikam",
        title="Product Manager",
        emails=[Labeled("lee@outlook.example")],
        phones=[Labeled("+1 206 555 0142", "mobile")],
        urls=[Labeled("https://lee.example.com", "home")],
        birthday=Birthday(3, 9, 1985),
        note="Runs the PM guild",
        extra_lines=[
            other("IMAddress", "lee.chen@im.example"),
            other("Office Location", "Building 4"),
        ],
    )


def test_german_outlook_export(paths: AppPaths) -> None:
    [juergen] = imported(paths, str(CSV / "outlook-de.csv"))
    assert juergen == ContactRecord(
        prefix="Herr",
        given_name="Jürgen",
        family_name="Groß",
        organization="Bäckerei Groß GmbH",
        title="Geschäftsführer",
        emails=[Labeled("juergen@example.de")],
        phones=[Labeled("+49 30 123456", "work"), Labeled("+49 170 1234567", "mobile")],
        addresses=[
            PostalAddress(
                "work",
                street="Hauptstraße 1",
                city="Berlin",
                postal_code="10115",
                country="Deutschland",
            )
        ],
        birthday=Birthday(5, 17, 1975),
        note="Kennt den Vertriebsleiter.\nRuft zurück.",
        tags=["Berlin", "Kunden"],
        extra_lines=["RELATED;TYPE=spouse;VALUE=text:Petra Groß"],
    )


def test_french_outlook_export_in_utf16(paths: AppPaths) -> None:
    assert (CSV / "outlook-fr.csv").read_bytes().startswith(b"\xff\xfe")
    [helene] = imported(paths, str(CSV / "outlook-fr.csv"))
    assert helene == ContactRecord(
        prefix="Mme",
        given_name="Hélène",
        family_name="Lefèvre",
        organization="Société Générale",
        title="Analyste",
        emails=[Labeled("helene@example.fr")],
        phones=[Labeled("+33 6 12 34 56 78", "mobile")],
        addresses=[PostalAddress("work", city="Paris", postal_code="75009")],
        birthday=Birthday(2, 3, 1988),  # 03/02: the day first, as France writes it
        note="Café le mardi",
        tags=["Finance"],
    )


def test_spanish_outlook_export(paths: AppPaths) -> None:
    [jose] = imported(paths, str(CSV / "outlook-es.csv"))
    assert jose == ContactRecord(
        given_name="José",
        family_name="Núñez",
        organization="Telefónica",
        title="Ingeniero",
        emails=[Labeled("jose@example.es")],
        phones=[Labeled("+34 600 000 000", "mobile")],
        addresses=[PostalAddress("work", city="Madrid")],
        birthday=Birthday(12, 25, 1990),
        note="Habla español",
        tags=["Madrid"],
    )


def test_google_contacts_current_export(paths: AppPaths) -> None:
    ana, priya = imported(paths, str(CSV / "google.csv"))
    assert priya == ContactRecord(
        given_name="Priya",
        family_name="Raman",
        organization="Northwind Health",
        department="IT",
        title="Clinical Informatics Lead",
        emails=[
            Labeled("priya@northwind.example", "work"),
            Labeled("p.raman@northwind.example", "work"),
            Labeled("priya@example.com", "home"),
        ],
        phones=[Labeled("+1 555 0100", "mobile"), Labeled("+1 555 0109", "Work Fax")],
        urls=[Labeled("https://www.linkedin.com/in/priyaraman", "Profile")],
        addresses=[
            PostalAddress(
                "work",
                extended="Floor 3",
                street="500 Pine St",
                city="Seattle",
                region="WA",
                postal_code="98101",
                country="US",
            )
        ],
        birthday=Birthday(3, 12),
        note="Line one\nLine two",
        tags=["Mentors", "starred"],
        extra_lines=[
            "RELATED;TYPE=spouse;VALUE=text:Arjun Raman",
            "ANNIVERSARY:2012-06-30",
            other("Favourite tea", "Masala chai"),
        ],
    )
    assert ana == ContactRecord(
        prefix="Dr.",
        given_name="Ana",
        family_name="Ruiz",
        suffix="MD",
        emails=[Labeled("ana@ruiz.example", "other")],
        birthday=Birthday(11, 2, 1979),
    )


def test_google_contacts_older_export_and_a_name_family_first(paths: AppPaths) -> None:
    james, tomas = imported(paths, str(CSV / "google-old.csv"))
    assert tomas == ContactRecord(
        full_name="Tomás García",
        given_name="Tomás",
        family_name="García",
        organization="Contoso",
        title="Director, Data",
        emails=[Labeled("tomas@example.org", "work")],
        phones=[Labeled("+1 555 0101", "mobile")],
        note="Intro via Priya",
        tags=["Data"],
        extra_lines=[other("Occupation", "Analytics"), other("Organization location", "Lisbon")],
    )
    assert james == ContactRecord(
        given_name="James", family_name="Richter", emails=[Labeled("james@richter.example", "home")]
    )
    assert james.display_name == "James Richter"


def test_an_unknown_csv_is_refused_naming_its_columns_until_mapped(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(CSV / "kontakte-excel.csv")
    assert main(["--data-dir", str(paths.data_dir), "import", file]) == 1
    err = capsys.readouterr().err
    assert "could not place: “Lieblingsfarbe”" in err and "--map" in err
    db = open_database(paths.database)
    with db.session() as s:
        assert list_contact_ids(s) == []
    db.close()
    assert imported(paths, file, "--map", "Lieblingsfarbe=other") == EXCEL_PEOPLE


def test_a_mapped_column_can_be_left_out_and_the_report_says_so(paths: AppPaths) -> None:
    parsed = read_csv(
        (CSV / "kontakte-excel.csv").read_bytes(), "k.csv", {"lieblingsfarbe": "ignore"}
    )
    assert [c.record.display_name for c in parsed.cards] == ["Dr. Eva Schäfer", "James Richter"]
    assert all(c.record.extra_lines == [] for c in parsed.cards)
    assert [p.message for p in parsed.problems] == [
        "2 rows read as CSV; columns not used: “Lieblingsfarbe”"
    ]


def test_a_bad_map_option_is_refused(paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    file = str(CSV / "kontakte-excel.csv")
    assert main(["--data-dir", str(paths.data_dir), "import", file, "--map", "X=colour"]) == 2
    assert "COLUMN=FIELD" in capsys.readouterr().err


def test_csv_export_reimported_gives_the_same_contacts(tmp_path: Path, paths: AppPaths) -> None:
    people = [
        ContactRecord(
            full_name="Priya R.",
            emails=[Labeled("priya@example.com", "work")],
            note='=HYPERLINK("http://evil.example","click")',
            tags=["Mentors", "a;b"],
            phones=[Labeled("+1 555 0100", "mobile"), Labeled("-5", "Assistant")],
            industry="Health",
            how_met="@HIMSS 2024",
            tier="B",
            birthday=Birthday(3, 12),
            addresses=[PostalAddress("home", street="1 Elm\nFlat 2", city="Leeds", country="UK")],
            urls=[Labeled("https://www.linkedin.com/in/priya", "LinkedIn")],
            extra_lines=["X-SKYPE:priya.r", other("Hobby", "Chess, go"), "ANNIVERSARY:2010-05-01"],
        ),
        ContactRecord(
            prefix="Dr.",
            given_name="Ana",
            additional_names="M.",
            family_name="Ruiz",
            suffix="MD",
            nickname="Annie",
            organization="Fabrikam",
            department="Labs",
            title="+Lead",
            extra_lines=["RELATED;TYPE=spouse;VALUE=text:Sam", "X-MS-MANAGER:Bo"],
        ),
    ]
    db = open_database(paths.database)
    with db.session() as s:
        for p in people:
            create_contact(s, p)
    db.close()
    out = tmp_path / "contacts.csv"
    assert main(["--data-dir", str(paths.data_dir), "export", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"'=HYPERLINK" in data and b"'+Lead" in data and b"'@HIMSS" in data
    assert b",=" not in data and b",+" not in data and b",@" not in data
    again = AppPaths(tmp_path / "again")

    def same_order(r: ContactRecord) -> ContactRecord:
        # Relations and events come back before custom fields: the kept lines' order differs.
        return dataclasses.replace(r, extra_lines=sorted(r.extra_lines))

    before = stored(paths)
    assert before[1].note.startswith("=HYPERLINK") and before[0].title == "+Lead"
    assert [same_order(r) for r in imported(again, str(out))] == [same_order(r) for r in before]


def test_a_cell_too_large_for_csv_is_an_error_not_a_crash() -> None:
    data = b'Name,Email,Notes\nAda,ada@example.org,"' + b"x" * 200_000 + b'"\n'
    parsed = read_csv(data, "huge.csv")
    assert parsed.cards == []
    [problem] = parsed.problems
    assert problem.severity.value == "error" and "cannot be read as CSV" in problem.message


def test_google_fields_are_read_by_number_in_any_order() -> None:
    data = (
        b"Phone 2 - Value,Phone 2 - Label,First Name,Phone 1 - Value,Phone 1 - Label\n"
        b"+1 555 0102,Work,Kim,+1 555 0101,Mobile\n"
    )
    [card] = read_csv(data, "g.csv").cards
    assert card.record.phones == [Labeled("+1 555 0101", "mobile"), Labeled("+1 555 0102", "work")]


@pytest.mark.parametrize(
    ("header", "prefix", "title"),
    [
        ("First Name,Last Name,Title,Company", "", "Dr."),
        ("First Name,Last Name,Title,Job Title", "Dr.", "CTO"),
    ],
)
def test_title_is_the_job_unless_a_job_title_column_is_there(
    header: str, prefix: str, title: str
) -> None:
    data = f"{header}\nAna,Ruiz,Dr.,CTO\n".encode()
    [card] = read_csv(data, "t.csv").cards
    assert (card.record.prefix, card.record.title) == (prefix, title)


@pytest.mark.parametrize(
    ("codec", "name", "city"),
    [
        ("cp1252", "Zoë Müller-Groß", "Málaga"),
        ("cp1250", "Łukasz Wałęsa", "Kraków"),
        ("cp1250", "Zdzisław Świątek", "Łódź"),
        ("cp1251", "Иван Петров", "Москва"),
    ],
)
def test_outlook_windows_code_pages_are_told_apart(codec: str, name: str, city: str) -> None:
    given, family = name.split()
    text = (
        f"First Name,Last Name,Business City,E-mail Address\n{given},{family},{city},a@b.example\n"
    )
    [card] = read_csv(text.encode(codec), "o.csv").cards
    r = card.record
    assert (r.given_name, r.family_name, r.addresses[0].city) == (given, family, city)


def test_an_exchange_address_is_kept_but_not_as_an_email() -> None:
    data = (
        b"First Name,Last Name,E-mail Address,E-mail Type,E-mail 2 Address\n"
        b"Kim,Lee,/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=kim,EX,kim@example.org\n"
    )
    [card] = read_csv(data, "o.csv").cards
    assert card.record.emails == [Labeled("kim@example.org")]
    assert card.record.extra_lines == [
        other("E-mail Address", "/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=kim"),
        other("E-mail Type", "EX"),
    ]


def test_a_map_for_a_column_the_file_lacks_is_said() -> None:
    parsed = read_csv(b"Name,Email\nAda,ada@example.org\n", "a.csv", {"Cell": "phone:mobile"})
    assert [c.record.display_name for c in parsed.cards] == ["Ada"]
    assert "the file has no column “Cell”" in [p.message for p in parsed.problems]


@pytest.mark.parametrize(
    ("dates", "first"),
    [
        (("17/05/1980", "03/04/1982"), Birthday(4, 3, 1982)),  # a UK Outlook: day first
        (("05/17/1980", "03/04/1982"), Birthday(3, 4, 1982)),  # a US one: month first
    ],
)
def test_an_english_outlook_file_says_by_its_dates_which_comes_first(
    dates: tuple[str, str], first: Birthday
) -> None:
    data = "First Name,Last Name,Birthday\n" + "".join(f"P{i},Q,{d}\n" for i, d in enumerate(dates))
    cards = read_csv(data.encode(), "o.csv").cards
    assert cards[1].record.birthday == first


def test_a_lone_name_column_is_the_whole_name() -> None:
    data = "Nombre;Correo electrónico;Móvil\nRichter, James;j@r.example;+34 600 000 001\n"
    [card] = read_csv(data.encode("cp1252"), "es.csv").cards
    r = card.record
    assert (r.given_name, r.family_name, r.emails, r.phones) == (
        "James",
        "Richter",
        [Labeled("j@r.example")],
        [Labeled("+34 600 000 001", "mobile")],
    )


def test_an_unknown_column_with_nothing_in_it_needs_no_place() -> None:
    data = b"Name,Email,Fax-Kennung,Flag\nAda,ada@example.org,,False\n"
    parsed = read_csv(data, "a.csv")
    assert parsed.layout is None
    assert [c.record.emails for c in parsed.cards] == [[Labeled("ada@example.org")]]
    assert [c.record.extra_lines for c in parsed.cards] == [[]]
