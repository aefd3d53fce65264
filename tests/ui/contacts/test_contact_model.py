from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from sqlalchemy import event

from app.model.records import ContactRecord, Labeled
from app.services.contacts import create_contact, update_contact
from app.storage.db import Database
from app.ui.contacts.model import EMAIL_ROLE, ID_ROLE, PAGE, ContactTableModel


def seed(db: Database, n: int) -> list[int]:
    with db.session() as s:
        return [
            create_contact(
                s,
                ContactRecord(
                    full_name=f"Person {i:04d}",
                    organization=f"Org {i % 7}",
                    emails=[Labeled(f"p{i}@example.org")],
                ),
            )
            for i in range(n)
        ]


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, db: Database) -> None:
    seed(db, 30)
    model = ContactTableModel(db)
    model.refresh()
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    model.set_query("person 000")
    qtmodeltester.check(model)


def test_rows_are_fetched_lazily_by_page(db: Database) -> None:
    ids = seed(db, PAGE * 3)
    model = ContactTableModel(db)
    model.refresh()
    assert model.rowCount() == PAGE * 3
    assert model._rows == {}  # nothing fetched until a row is shown
    assert model.index(0, 0).data() == "Person 0000"
    assert len(model._rows) == PAGE
    last = model.index(PAGE * 3 - 1, 0)
    assert last.data() == f"Person {PAGE * 3 - 1:04d}"
    assert len(model._rows) < PAGE * 3
    assert model.index(5, 0).data(ID_ROLE) == ids[5]
    assert model.index(5, 0).data(EMAIL_ROLE) == "p5@example.org"


def test_sort_by_organisation_and_search(db: Database) -> None:
    seed(db, 14)
    model = ContactTableModel(db)
    model.refresh()
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.index(0, 1).data() == "Org 0"
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.index(0, 1).data() == "Org 6"
    model.set_query("p13@example")
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Person 0013"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Last contact"


def test_sorting_before_the_first_load_or_in_the_same_order_reads_nothing(db: Database) -> None:
    """Qt sorts when sorting is switched on and again when the column is set: at 50,000
    contacts each read cost the window 0.1 s at start-up."""
    seed(db, 5)
    model = ContactTableModel(db)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.sort(1, Qt.SortOrder.DescendingOrder)  # not loaded yet: only remembered
    assert resets == [] and model.rowCount() == 0
    model.refresh()
    assert model.index(0, 1).data() == "Org 4"  # the order asked for before the load
    model.sort(1, Qt.SortOrder.DescendingOrder)  # the same again: nothing to read
    assert len(resets) == 1
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert len(resets) == 2 and model.index(0, 1).data() == "Org 0"


def test_a_search_shows_exactly_what_the_database_search_gives_in_every_order(
    db: Database,
) -> None:
    """The list filters the people it already holds by the full-text index's answer instead
    of sorting the matches in SQL at every keystroke: the rows and their order must be the
    ones list_contact_ids gives, for any search, sort and filter."""
    from app.services.contacts import Narrow, SortKey, delete_contacts, list_contact_ids

    names = ["Ana Okafor", "Ben O'Brien", "Chloé Lindqvist", "Zoë Ökafor", "", "ana maría"]
    with db.session() as s:
        ids = [
            create_contact(
                s,
                ContactRecord(
                    full_name=n,
                    organization=["Contoso Inc.", "Fabrikam", ""][i % 3],
                    title=["Analyst", "", "Nurse"][i % 3],
                    industry=["Healthcare", "", "Software"][i % 3],
                    emails=[Labeled(f"p{i}@example.org")],
                ),
            )
            for i, n in enumerate(names * 3)
        ]
        delete_contacts(s, ids[:2])  # in the index, not in the list
    model = ContactTableModel(db)
    model.refresh()
    queries = ["", "a", "an", "ana", "ok", "okafor", "o'", "o'b", "zoe", "ö", "contoso", "p1",
               "ana o", "  ", "*", '"', "nobody", "example", "A", "ANA O", "a", "o an",
               "an ana okafor", "é"]  # fmt: skip
    for column, order in ((0, Qt.SortOrder.AscendingOrder), (1, Qt.SortOrder.DescendingOrder)):
        model.sort(column, order)
        for narrow in (None, Narrow(industry="Healthcare", label="Healthcare")):
            model.set_narrow(narrow)
            for q in queries:
                model.set_query(q)
                shown = [model.id_at(r) for r in range(model.rowCount())]
                with db.session() as s:
                    key = [SortKey.NAME, SortKey.ORGANIZATION][column]
                    expected = list_contact_ids(
                        s, q, key, order == Qt.SortOrder.DescendingOrder, narrow=narrow
                    )
                assert shown == expected, (q, column, narrow)


def test_a_change_read_by_refresh_is_searched_at_the_next_keystroke(db: Database) -> None:
    seed(db, 3)
    model = ContactTableModel(db)
    model.refresh()
    model.set_query("person")
    assert model.rowCount() == 3
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Person Added"))
    model.refresh()  # the window refreshes after every change it makes
    model.set_query("person a")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Person Added"]


def test_one_or_no_contact_is_searched_like_many(db: Database) -> None:
    model = ContactTableModel(db)
    model.refresh()
    model.set_query("a")
    assert model.rowCount() == 0
    (only,) = seed(db, 1)
    model.refresh()
    for q, shown in (("p", [only]), ("PERSON 0", [only]), ("org 0 p0", [only]), ("x", [])):
        model.set_query(q)
        assert [model.id_at(r) for r in range(model.rowCount())] == shown, q


@contextlib.contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL run inside the with block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_a_keystroke_reads_only_the_search_and_rows_not_shown_a_moment_ago(
    db: Database,
) -> None:
    """Between two changes the list, the rows already shown and each word's matches are
    kept: a keystroke asks the index for the new word only, and repeating a word (typing
    it again after Backspace) asks nothing."""
    seed(db, 30)
    model = ContactTableModel(db)
    model.refresh()
    assert model.index(0, 0).data() == "Person 0000"
    with statements(db) as seen:
        model.set_query("p")
        assert model.index(0, 0).data() == "Person 0000"  # shown a moment ago: not read
    assert len(seen) == 1 and "MATCH" in seen[0]
    with statements(db) as seen:
        model.set_query("p pe")
        model.set_query("p")
        assert model.rowCount() == 30
    assert len(seen) == 1 and "MATCH" in seen[0]  # "pe"; "p" was kept


def test_after_a_change_rows_and_matches_are_read_again(db: Database) -> None:
    ann = create_and_return(db, "Ann Lee")
    model = ContactTableModel(db)
    model.refresh()
    model.set_query("ann")
    assert model.index(0, 0).data() == "Ann Lee"
    with db.session() as s:
        update_contact(s, ContactRecord(id=ann, full_name="Ann Bell"))
    model.refresh()  # as the window does after every change
    model.set_query("ann")
    assert model.index(0, 0).data() == "Ann Bell"
    model.set_query("lee")
    assert model.rowCount() == 0
    model.set_query("bell")
    assert [model.id_at(0)] == [ann]


def test_ids_read_by_a_worker_serve_the_next_keystroke(db: Database) -> None:
    """After an import the worker hands over everyone in order; the first keystroke must
    not read and sort them all again (0.1 s at 50,000), nor find what the change removed."""
    from app.ui.contacts.model import read_ids

    seed(db, 5)
    model = ContactTableModel(db)
    model.refresh()
    model.set_query("person")
    model.set_query("")
    added = create_and_return(db, "Person Added")
    with db.session() as s:
        ids = read_ids(s, model.listing())
    model.show_ids(model.listing(), ids)
    with statements(db) as seen:
        model.set_query("person a")
    assert len(seen) == 1 and "MATCH" in seen[0]  # both words at once, none kept yet
    assert [model.id_at(r) for r in range(model.rowCount())] == [added]


def create_and_return(db: Database, name: str) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name))


def test_words_typed_beside_a_new_one_are_asked_together_and_kept_words_alone(
    db: Database,
) -> None:
    """A search of several words with one not seen yet asks the index once for all of them
    (the few people matching every word, not everyone a new one-letter word matches); words
    all seen before ask nothing. The rows are those the database search gives either way."""
    from app.services.contacts import list_contact_ids

    seed(db, 30)
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ada Lovelace", organization="Org 3"))
    model = ContactTableModel(db)
    model.refresh()

    def shown(q: str) -> list[int | None]:
        model.set_query(q)
        return [model.id_at(r) for r in range(model.rowCount())]

    with statements(db) as seen:
        found = shown("org 3 a")
    assert len(seen) == 1 and "MATCH" in seen[0]
    with statements(db) as seen:
        alone = [shown("org"), shown("3")]
        both = shown("org 3")  # both words kept: no statement
    assert len(seen) == 2
    with db.session() as s:
        assert found == list_contact_ids(s, "org 3 a") and len(found) == 1
        assert alone == [list_contact_ids(s, "org"), list_contact_ids(s, "3")]
        assert both == list_contact_ids(s, "org 3") and len(both) == 5
