"""The undo stack (issue 20 item 12, issue 21 item 9): every command in app/ui/common/commands.py
goes undo → redo → undo with the database compared to a snapshot each time, and a command
that fails leaves the database and the stack as they were, with a plain message."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services.contacts import (
    create_contact,
    delete_contacts,
    get_contact,
)
from app.services.interactions import delete_interaction, log_interaction
from app.storage.db import Database
from app.ui.common.commands import (
    DbStep,
    DeleteContacts,
    MarkDifferent,
    MergeContacts,
    SaveContact,
    UndoStack,
)
from app.ui.window.main_window import MainWindow
from tests.conftest import busy_timeout
from tests.snapshot import snapshot
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


@pytest.fixture
def people(db: Database) -> Iterator[dict[str, int]]:
    with db.session() as s:
        ann = create_contact(
            s, ContactRecord(full_name="Ann Lee", emails=[Labeled("ann@a.example")])
        )
        ann2 = create_contact(
            s,
            ContactRecord(
                full_name="Ann Lee",
                title="Nurse",
                emails=[Labeled("ann@b.example")],
                tags=["alumni"],
            ),
        )
        bob = create_contact(
            s,
            ContactRecord(
                full_name="Bob Ray", phones=[Labeled("+44 20 7946 0000")], introduced_by_id=ann2
            ),
        )
        log_interaction(s, ann2, dt.date(2026, 3, 1), "coffee", "talked about nursing")
    yield {"ann": ann, "ann2": ann2, "bob": bob}


def _changed(_ids: list[int]) -> None:
    pass


def _add(db: Database, p: dict[str, int]) -> QUndoCommand:
    record = ContactRecord(full_name="Cy New", emails=[Labeled("cy@c.example")])
    return SaveContact(db, None, record, _changed)


def _edit(db: Database, p: dict[str, int]) -> QUndoCommand:
    with db.session() as s:
        before = get_contact(s, p["bob"])
    after = replace(before, title="Pilot", emails=[Labeled("bob@r.example")], tags=["alumni"])
    return SaveContact(db, before, after, _changed)


def _delete(db: Database, p: dict[str, int]) -> QUndoCommand:
    return DeleteContacts(db, [p["ann"], p["bob"]], ["Ann Lee", "Bob Ray"], _changed)


def _merge(db: Database, p: dict[str, int]) -> QUndoCommand:
    return MergeContacts(db, p["ann"], p["ann2"], ("Ann Lee", "Ann Lee"), _changed)


def _different(db: Database, p: dict[str, int]) -> QUndoCommand:
    return MarkDifferent(db, p["ann"], p["ann2"], ("Ann Lee", "Ann Lee"), _changed)


def _log(db: Database, p: dict[str, int]) -> QUndoCommand:
    bob = p["bob"]
    return DbStep(
        db,
        "Log call with Bob Ray",
        lambda s: log_interaction(s, bob, dt.date(2026, 4, 2), "call", "about flying"),
        lambda s, new_id: delete_interaction(s, new_id),
        _changed,
        [bob],
    )


@pytest.mark.parametrize("make", [_add, _edit, _delete, _merge, _different, _log])
def test_every_command_undo_redo_undo_against_snapshots(
    qtbot: QtBot, db: Database, people: dict[str, int], make: Callable[..., QUndoCommand]
) -> None:
    stack = UndoStack()
    before, seen = snapshot(db), snapshot(db, live=True)
    stack.push(make(db, people))
    done = snapshot(db)
    assert done != before
    stack.undo()
    undone = snapshot(db)
    assert snapshot(db, live=True) == seen
    stack.redo()
    assert snapshot(db) == done  # Add keeps its id and its UID
    stack.undo()
    assert snapshot(db) == undone
    assert snapshot(db, live=True) == seen
    assert (stack.count(), stack.index()) == (1, 0)


def _stack_state(w: MainWindow) -> tuple[int, int, list[str]]:
    stack = w.undo_stack
    return stack.count(), stack.index(), [stack.text(i) for i in range(stack.count())]


def _two_steps(w: MainWindow, db: Database, p: dict[str, int]) -> None:
    """A stack with one step done and one undone (Redo would do it again)."""
    w.undo_stack.push(_different(db, p))
    w.undo_stack.push(_log(db, p))
    w.undo_stack.undo()


def test_a_log_on_a_contact_deleted_meanwhile_leaves_the_stack_as_it_was(
    qtbot: QtBot, make_window: Make, db: Database, people: dict[str, int], answers: Answers
) -> None:
    w = make_window()
    _two_steps(w, db, people)
    stack_before = _stack_state(w)
    with db.session() as s:  # deleted by another window, or on the command line
        delete_contacts(s, [people["ann"]])
    before = snapshot(db)
    answers.dialog_answer = QDialog.DialogCode.Accepted
    w.contact_actions.on_log(people["ann"])
    assert _stack_state(w) == stack_before
    assert snapshot(db) == before
    qtbot.waitUntil(lambda: bool(answers.asked))
    assert len(answers.asked) == 1 and answers.asked[0].startswith("Could not do “Log ")
    assert answers.asked[0].endswith(": it was deleted meanwhile. Nothing was changed.")
    assert w.statusBar().currentMessage() == answers.asked[0]  # not "Logged"
    w.undo_action.trigger()  # Ctrl+Z: the step before it, no error
    assert w.undo_stack.index() == 0
    w.redo_action.trigger()
    assert w.undo_stack.index() == 1


def test_a_refused_save_is_not_left_on_the_stack(
    qtbot: QtBot, make_window: Make, db: Database, people: dict[str, int]
) -> None:
    w = make_window()
    _two_steps(w, db, people)
    stack_before = _stack_state(w)
    before = snapshot(db)
    w.contact_actions.on_save_contact(
        None, ContactRecord(full_name="Dee", emails=[Labeled("not an address")])
    )
    assert _stack_state(w) == stack_before
    assert snapshot(db) == before


@pytest.fixture
def other_program(db: Database) -> Iterator[sqlite3.Connection]:
    """A second connection to the database, which takes its write lock when told."""
    other = sqlite3.connect(db.path, isolation_level=None)
    yield other
    other.close()


def test_a_locked_database_leaves_the_stack_and_the_data_as_they_were(
    short_busy_timeout: int,
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    people: dict[str, int],
    answers: Answers,
    other_program: sqlite3.Connection,
) -> None:
    assert busy_timeout(db) == short_busy_timeout
    w = make_window()
    _two_steps(w, db, people)
    stack_before = _stack_state(w)
    before = snapshot(db)

    other_program.execute("BEGIN IMMEDIATE")
    w.undo_stack.push(_add(db, people))  # a new step: not pushed
    assert _stack_state(w) == stack_before
    w.undo_action.trigger()  # Ctrl+Z: stays where it was, to be tried again
    assert _stack_state(w) == stack_before
    w.redo_action.trigger()
    assert _stack_state(w) == stack_before
    other_program.execute("ROLLBACK")
    qtbot.waitUntil(lambda: len(answers.asked) == 3)

    assert snapshot(db) == before
    assert len(answers.asked) == 3
    assert all("another program is writing" in text for text in answers.asked)
    assert "Could not undo “Keep Ann Lee and Ann Lee apart”" in answers.asked[1]
    w.undo_action.trigger()  # the lock gone, Undo works
    assert w.undo_stack.index() == 0
    with db.session() as s:
        assert get_contact(s, people["bob"]).full_name == "Bob Ray"
    w.redo_action.trigger()
    w.redo_action.trigger()
    assert w.undo_stack.index() == 2
    w.undo_action.trigger()
    w.undo_action.trigger()
    assert w.undo_stack.index() == 0


def test_redo_of_an_add_refused_later_stays_undone(
    qtbot: QtBot, db: Database, people: dict[str, int]
) -> None:
    """Redo is refused when the one who introduced the new contact was deleted meanwhile."""
    stack = UndoStack()
    told: list[str] = []
    stack.failed.connect(told.append)
    record = ContactRecord(full_name="Cy New", introduced_by_id=people["bob"])
    stack.push(SaveContact(db, None, record, _changed))
    stack.undo()
    with db.session() as s:
        delete_contacts(s, [people["bob"]])
    before = snapshot(db)
    stack.redo()
    assert (stack.count(), stack.index()) == (1, 0)
    assert snapshot(db) == before
    assert told == [
        "Could not redo “Add Cy New”: The person who introduced you is no longer in your "
        "contacts. Nothing was changed."
    ]
