"""`list --json` is put together from plain queries (app/services/list_json.py, issue 24): its
text must be byte for byte what `json.dumps(contact_json(record))` gives for every contact,
the slow way, on a book that uses every field and every kind of shown name."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import update

from app import cli
from app.cli import contact_json, main
from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.model.tables import Contact
from app.paths import AppPaths
from app.services.contacts import (
    create_contact,
    create_contacts,
    delete_contacts,
    last_contacts,
    list_contact_ids,
    load_records,
)
from app.services.interactions import interaction_counts, log_interaction
from app.storage.db import open_database

TRICKY = 'quote " backslash \\ tab \t newline \n bell \x07 del \x7f nbsp \xa0 é 日本 🎉 \u2028'


def varied_book(paths: AppPaths) -> None:
    db = open_database(paths.database)
    with db.session() as s:
        many = create_contact(
            s,
            ContactRecord(
                given_name="Ada",
                additional_names="King",
                family_name="Lovelace",
                prefix="Countess",
                organization="Analytical Engines",
                title="Programmer",
                note=TRICKY,
                emails=[Labeled("ada@example.org", "work"), Labeled("ada@home.example")],
                phones=[Labeled("+44 20 0000 0001"), Labeled("+44 20 0000 0002", "cell")],
                urls=[Labeled("https://example.org/ada"), Labeled("https://example.org/notes")],
                tags=["zeta", "Alpha", "mathematics", "é-tag"],
                addresses=[
                    PostalAddress(street="12 St James's Square", city="London", country="UK"),
                    PostalAddress(label="home", city=TRICKY, postal_code="SW1"),
                ],
                birthday=Birthday(12, 10, 1815),
                photo=b"\xff\xd8\xff\xe0" + b"x" * 100,
                photo_mime="image/jpeg",
            ),
        )
        for day in (dt.date(2025, 1, 2), dt.date(2026, 3, 4), dt.date(2024, 5, 6)):
            log_interaction(s, many, day, "coffee", "talked")
        records = [
            ContactRecord(full_name="  Spaced Out  ", given_name="Spaced"),
            ContactRecord(full_name=TRICKY),
            ContactRecord(nickname="Nick"),
            ContactRecord(organization="Only An Organisation Ltd"),
            ContactRecord(emails=[Labeled("nameless@example.org")], tags=["x"]),
            ContactRecord(phones=[Labeled("+1 555 0199")]),
            ContactRecord(urls=[Labeled("https://nameless.example")]),
            ContactRecord(addresses=[PostalAddress(street="1 Nameless Road", city="Nowhere")]),
            ContactRecord(extra_lines=["IMPP:xmpp:someone@chat.example"]),
            ContactRecord(note="nothing to name them by"),
            ContactRecord(full_name="No Year", birthday=Birthday(2, 29)),
            ContactRecord(full_name="Bad Birthday", birthday=Birthday(1, 30, 1990)),
            ContactRecord(full_name="Gone Soon"),
        ]
        ids = create_contacts(s, records)  # unchecked, as an import adds them
        log_interaction(s, ids[4], dt.date(2026, 1, 1), "email", "wrote")
        # A day that is no date, as an older version or another program may have left.
        s.execute(update(Contact).where(Contact.id == ids[11]).values(bday_month=2, bday_day=30))
        delete_contacts(s, [ids[-1]])
    db.close()


def expected(paths: AppPaths, search: str = "") -> str:
    """The listing the slow way: every record in full, its dict, json.dumps."""
    db = open_database(paths.database)
    with db.session() as s:
        last, counts = last_contacts(s), interaction_counts(s)
        texts = [
            json.dumps(
                contact_json(r, last.get(r.id or 0), counts.get(r.id or 0, 0)), ensure_ascii=False
            )
            for r in load_records(s, list_contact_ids(s, search))
        ]
    db.close()
    return "[\n" + ",\n".join(texts) + "\n]\n" if texts else "[]\n"


@pytest.mark.parametrize("parallel", [False, True])
def test_list_json_is_the_records_json_byte_for_byte(
    paths: AppPaths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    parallel: bool,
) -> None:
    varied_book(paths)
    if parallel:
        monkeypatch.setattr(cli, "PARALLEL_LIST_FROM", 1)
        monkeypatch.setattr(cli, "LIST_CHUNK", 4)
        monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    assert main(["--data-dir", str(paths.data_dir), "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert out == expected(paths)
    listed = json.loads(out)
    assert len(listed) == 13  # the deleted one left out
    ada = next(c for c in listed if c["given_name"] == "Ada")
    assert ada["emails"] == ["ada@example.org", "ada@home.example"]
    assert ada["tags"] == ["Alpha", "mathematics", "zeta", "é-tag"]
    assert (ada["last_contact"], ada["interaction_count"], ada["has_photo"]) == (
        "2026-03-04",
        3,
        True,
    )
    assert ada["addresses"][1]["city"] == TRICKY
    names = {c["full_name"] for c in listed}
    assert {"Spaced Out", "nameless@example.org", "+1 555 0199", "someone@chat.example"} <= names
    assert [c["birthday"] for c in listed if c["full_name"] == "Bad Birthday"] == [None]
    assert [c["birthday"] for c in listed if c["full_name"] == "No Year"] == ["--02-29"]


def test_list_json_of_a_search_is_the_records_json(
    paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    varied_book(paths)
    for search in ("ada", "nameless", "nobody-at-all"):
        assert main(["--data-dir", str(paths.data_dir), "list", "--json", "--search", search]) == 0
        assert capsys.readouterr().out == expected(paths, search)
