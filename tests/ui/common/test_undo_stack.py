"""The undo stack's own promises, without the window (issue 29 item 5: the survivors of
mutating app/ui/common/commands.py): the sentence each failure is told in, the Undo and Redo
actions' labels, a step that fails once and is tried again, and bulk steps handed to the
window's background runner."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from app.model.records import ContactRecord
from app.services.contacts import (
    Cancelled,
    count_contacts,
    create_contact,
    delete_contacts,
    get_contact,
)
from app.storage.db import Database
from app.ui.common.commands import (
    BULK_IN_BACKGROUND,
    DbStep,
    DeleteContacts,
    MarkDifferent,
    MergeContacts,
    SaveContact,
    Step,
    UndoStack,
    describe_failure,
)

LOCKED = (
    "another program is writing to your contacts (perhaps second-act on the command line, "
    "or a sync). Nothing was changed; try again in a moment."
)


@pytest.mark.parametrize(
    ("error", "told"),
    [
        (
            OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")),
            f"Could not undo “Tag 3 contacts”: {LOCKED}",
        ),
        # Without the driver's error, its own text says whether the database was locked.
        (
            OperationalError("database is locked", None, None),
            f"Could not undo “Tag 3 contacts”: {LOCKED}",
        ),
        (
            OperationalError("UPDATE", {}, sqlite3.OperationalError("disk I/O error")),
            "Could not undo “Tag 3 contacts”: an unexpected error (OperationalError). "
            "Nothing was changed.",
        ),
        (
            LookupError("contact 7 is gone"),
            "Could not undo “Tag 3 contacts”: it was deleted meanwhile. Nothing was changed.",
        ),
        (
            ValueError("The tier must be A, B or C, not X."),
            "Could not undo “Tag 3 contacts”: The tier must be A, B or C, not X. "
            "Nothing was changed.",
        ),
        (
            RuntimeError("boom"),
            "Could not undo “Tag 3 contacts”: an unexpected error (RuntimeError). "
            "Nothing was changed.",
        ),
    ],
)
def test_each_failure_is_told_in_one_plain_sentence(error: Exception, told: str) -> None:
    assert describe_failure("undo", "Tag 3 contacts", error) == told


class Flaky(Step):
    """A step whose do and undo fail the first *fail* times each, then succeed."""

    def __init__(self, changed: Callable[[list[int]], None], fail: int = 0) -> None:
        super().__init__("Flaky step", changed)
        self.fail = {"do": fail, "undo": fail}
        self.runs: list[str] = []

    def _attempt(self, what: str) -> list[int]:
        self.runs.append(what)
        if self.fail[what]:
            self.fail[what] -= 1
            raise RuntimeError("the disk went away")
        return [len(self.runs)]

    def _do(self) -> list[int]:
        return self._attempt("do")

    def _undo(self) -> list[int]:
        return self._attempt("undo")


def test_the_undo_and_redo_actions_say_what_they_would_do(qtbot: QtBot) -> None:
    stack, parent = UndoStack(), QObject()
    undo, redo = stack.createUndoAction(parent), stack.createRedoAction(parent, "Do again")
    assert (undo.text(), undo.isEnabled(), redo.text(), redo.isEnabled()) == (
        "Undo",
        False,
        "Do again",
        False,
    )
    stack.push(Flaky(lambda ids: None))
    assert (undo.text(), undo.isEnabled(), redo.isEnabled()) == ("Undo Flaky step", True, False)
    undo.trigger()
    assert (undo.text(), undo.isEnabled()) == ("Undo", False)
    assert (redo.text(), redo.isEnabled()) == ("Do again Flaky step", True)
    redo.trigger()
    assert stack.index() == 1 and redo.text() == "Do again"
    # Made once the stack holds a step: it starts enabled and labelled.
    late = stack.createUndoAction(parent, "Take back")
    assert (late.text(), late.isEnabled()) == ("Take back Flaky step", True)
    undo.trigger()
    plain = stack.createRedoAction(parent)
    assert (plain.text(), plain.isEnabled()) == ("Redo Flaky step", True)
    redo.trigger()
    assert (plain.text(), plain.isEnabled()) == ("Redo", False)
    # The window's menus own them: they go with it.
    assert all(a.parent() is parent for a in (undo, redo, late, plain))


def test_a_step_that_fails_once_is_told_stays_and_runs_once_when_tried_again(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    stack = UndoStack()
    told: list[str] = []
    changed: list[list[int]] = []
    stack.failed.connect(told.append)
    step = Flaky(changed.append, fail=1)

    stack.push(step)  # a new step that fails is not kept
    assert (stack.count(), told) == (
        0,
        ["Could not do “Flaky step”: an unexpected error (RuntimeError). Nothing was changed."],
    )
    assert changed == [] and step.runs == ["do"]

    step = Flaky(changed.append, fail=1)
    step.fail["do"] = 0
    stack.push(step)
    assert (stack.count(), stack.index(), step.runs, changed) == (1, 1, ["do"], [[1]])
    stack.undo()  # fails: the stack stays where it was
    assert (stack.index(), step.runs, changed) == (1, ["do", "undo"], [[1]])
    assert told[-1] == (
        "Could not undo “Flaky step”: an unexpected error (RuntimeError). Nothing was changed."
    )
    assert step.error is not None
    (record,) = [r for r in caplog.records if r.name == "app.ui.common.commands"][-1:]
    assert record.getMessage() == "could not undo 'Flaky step'"
    assert record.exc_info is not None and record.exc_info[1] is step.error
    stack.undo()  # tried again: runs once, and the stack moves
    assert (stack.index(), step.runs, changed) == (0, ["do", "undo", "undo"], [[1], [3]])
    assert step.error is None
    stack.redo()
    assert (stack.index(), step.runs, changed[-1]) == (1, ["do", "undo", "undo", "do"], [4])
    assert len(told) == 2


def test_a_step_that_fails_on_a_plain_qt_stack_is_dropped(qtbot: QtBot) -> None:
    stack = QUndoStack()
    stack.push(Flaky(lambda ids: None, fail=1))
    assert stack.count() == 0
    stack.push(Flaky(lambda ids: None))
    assert stack.count() == 1


def test_each_step_tells_the_window_which_contacts_it_changed(qtbot: QtBot, db: Database) -> None:
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Lee"))
        bo = create_contact(s, ContactRecord(full_name="Ann Lee"))
    told: list[list[int]] = []
    stack = UndoStack()
    add = SaveContact(db, None, ContactRecord(full_name="Cy Park"), told.append)
    stack.push(add)
    assert add.contact_id is not None
    with db.session() as s:
        before = get_contact(s, ann)
    after = replace(before, title="Nurse")
    undone_with: list[int] = []
    steps = [
        SaveContact(db, before, after, told.append),
        MarkDifferent(db, ann, bo, ("Ann Lee", "Ann Lee"), told.append),
        DbStep(db, "Five", lambda s: 5, lambda s, r: undone_with.append(r), told.append, [bo]),
        MergeContacts(db, ann, bo, ("Ann Lee", "Ann Lee"), told.append),
        DeleteContacts(db, [add.contact_id], ["Cy Park"], told.append),
    ]
    for step in steps:
        stack.push(step)
    for _ in steps:
        stack.undo()
    expected = [[add.contact_id], [ann], [], [bo], [ann], [add.contact_id]]
    assert told == expected + expected[:0:-1]
    assert undone_with == [5]  # what the do part returned


def test_a_refused_step_is_raised_to_the_caller_not_told(qtbot: QtBot) -> None:
    class Refused(Step):
        def _do(self) -> list[int]:
            raise ValueError("Give the contact a name.")

    stack = UndoStack()
    told: list[str] = []
    stack.failed.connect(told.append)
    with pytest.raises(ValueError, match="Give the contact a name"):
        stack.push(Refused("Add", lambda ids: None))
    assert (stack.count(), told) == (0, [])


def test_the_steps_say_what_they_do(db: Database) -> None:
    def nothing(ids: list[int]) -> None:
        pass

    after = ContactRecord(full_name="Ann Lee")
    assert SaveContact(db, None, after, nothing).text() == "Add Ann Lee"
    assert SaveContact(db, after, after, nothing).text() == "Edit Ann Lee"
    assert DeleteContacts(db, [1], ["Ann Lee"], nothing).text() == "Delete Ann Lee"
    assert DeleteContacts(db, [1, 2], ["Ann", "Bo"], nothing).text() == "Delete 2 contacts"
    assert MergeContacts(db, 1, 2, ("Ann", "Bo"), nothing).text() == "Merge Bo into Ann"
    assert MarkDifferent(db, 1, 2, ("Ann", "Bo"), nothing).text() == "Keep Ann and Bo apart"


class Runner:
    """The window's background runner, run by hand: each call waits in *calls* until the
    test finishes it (or stops it, as Cancel does)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []  # (title, work, done, stopped), as Runner
        self.progress: list[tuple[int, int]] = []

    def __call__(self, *call: Any) -> None:
        self.calls.append(call)

    def finish(self) -> None:
        _title, work, done, _stopped = self.calls[-1]
        done(work(lambda n, total: self.progress.append((n, total)), lambda: False))

    def cancel(self) -> None:
        """Cancel pressed as the work starts: it raises, the window says stopped."""
        _title, work, _done, stopped = self.calls[-1]
        with pytest.raises(Cancelled):
            work(self.progress.append, lambda: True)
        stopped()


def test_a_bulk_delete_runs_in_the_background_and_the_stack_moves_when_it_is_done(
    qtbot: QtBot, db: Database
) -> None:
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(20)]
    few = ids[: BULK_IN_BACKGROUND - 1]  # one short of going to the background
    many = ids[BULK_IN_BACKGROUND - 1 : 2 * BULK_IN_BACKGROUND - 1]  # just enough
    stack, runner = UndoStack(), Runner()
    stack.run_in_background = runner
    changed: list[list[int]] = []
    bulk = f"Delete {BULK_IN_BACKGROUND} contacts"

    def live() -> int:
        with db.session() as s:
            return count_contacts(s)

    stack.push(DeleteContacts(db, many, ["x"] * len(many), changed.append))
    assert [c[0] for c in runner.calls] == [bulk]
    assert (stack.count(), live(), changed) == (0, 20, [])
    # Busy: a small step is done here meanwhile; Undo waits for the bulk one.
    stack.push(DeleteContacts(db, few, ["x"] * len(few), changed.append))
    assert (len(runner.calls), stack.count(), live(), changed) == (1, 1, 11, [few])
    stack.undo()
    assert (len(runner.calls), stack.index(), live()) == (1, 1, 11)
    runner.finish()
    assert (stack.count(), stack.index(), live(), changed) == (2, 2, 1, [few, many])
    assert runner.progress == [(len(many), len(many))]  # the window shows it

    stack.undo()  # the bulk one: handed to the runner, the stack moves when it is done
    assert runner.calls[-1][0] == f"Undoing: {bulk}"
    assert (stack.index(), live()) == (2, 1)
    stack.undo()  # busy: waits
    assert (len(runner.calls), stack.index()) == (2, 2)
    runner.finish()  # undone once, in the background only
    assert (stack.index(), live(), changed[2:]) == (1, 11, [many])
    stack.undo()  # the small one: here
    assert (len(runner.calls), stack.index(), live(), changed[-1]) == (2, 0, 20, few)
    stack.redo()
    stack.redo()
    assert runner.calls[-1][0] == f"Redoing: {bulk}"
    assert (stack.index(), live()) == (1, 11)
    runner.cancel()  # nothing changed, the stack stays and is free again
    assert (stack.index(), live()) == (1, 11)
    stack.redo()
    assert len(runner.calls) == 4
    runner.finish()
    assert (stack.index(), live(), changed[4:]) == (2, 1, [few, many])


def test_a_delete_done_already_is_only_kept_then_undone_and_redone(
    qtbot: QtBot, db: Database
) -> None:
    """A bulk delete made off the window's thread is pushed done: the first Redo (push's)
    only keeps it; Undo and every later Redo do the work."""
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(3)]
        delete_contacts(s, ids[:2])
    stack, changed = UndoStack(), list[list[int]]()
    stack.push(DeleteContacts(db, ids[:2], ["x", "y"], changed.append, done=True))

    def live() -> int:
        with db.session() as s:
            return count_contacts(s)

    assert (live(), changed) == (1, [ids[:2]])
    stack.undo()
    assert live() == 3
    stack.redo()
    assert live() == 1
    stack.undo()
    stack.redo()
    assert (live(), len(changed)) == (1, 5)


def test_a_plain_qt_command_on_the_stack_is_done_undone_and_redone(qtbot: QtBot) -> None:
    class Count(QUndoCommand):
        def __init__(self) -> None:
            super().__init__("Count")
            self.runs: list[str] = []

        def redo(self) -> None:
            self.runs.append("redo")

        def undo(self) -> None:
            self.runs.append("undo")

    stack, cmd = UndoStack(), Count()
    stack.push(cmd)
    stack.undo()
    stack.redo()
    assert (cmd.runs, stack.index()) == (["redo", "undo", "redo"], 1)


def test_a_step_pushed_while_an_undo_runs_waits_and_is_not_the_one_undone(
    qtbot: QtBot, db: Database
) -> None:
    """The Undo of a bulk delete runs off the window's thread, then moves the stack by one:
    a step pushed meanwhile (a small delete, a save) was put on top and was the one the
    stack then undid, and the bulk delete's Redo was skipped. It waits instead."""
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(20)]
    many, few = ids[:BULK_IN_BACKGROUND], ids[BULK_IN_BACKGROUND : BULK_IN_BACKGROUND + 2]
    stack, runner = UndoStack(), Runner()
    stack.run_in_background = runner
    changed: list[list[int]] = []

    def live() -> int:
        with db.session() as s:
            return count_contacts(s)

    stack.push(DeleteContacts(db, many, ["x"] * len(many), changed.append))
    runner.finish()
    assert (stack.index(), live()) == (1, 20 - len(many))
    stack.undo()  # handed to the runner
    stack.push(DeleteContacts(db, few, ["x", "y"], changed.append))  # waits
    assert (stack.count(), stack.index(), live()) == (1, 1, 20 - len(many))
    runner.finish()  # the bulk delete undone, then the small one done and kept
    assert live() == 20 - len(few)
    assert [stack.command(i).text() for i in range(stack.count())] == ["Delete 2 contacts"]
    assert changed[-2:] == [many, few]
    stack.undo()
    assert (stack.index(), live()) == (0, 20)


def test_a_step_pushed_while_an_undo_runs_is_done_if_the_undo_is_cancelled(
    qtbot: QtBot, db: Database
) -> None:
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(20)]
    many, few = ids[:BULK_IN_BACKGROUND], ids[BULK_IN_BACKGROUND : BULK_IN_BACKGROUND + 2]
    stack, runner = UndoStack(), Runner()
    stack.run_in_background = runner
    stack.push(DeleteContacts(db, many, ["x"] * len(many), lambda _ids: None))
    runner.finish()
    stack.undo()
    stack.push(DeleteContacts(db, few, ["x", "y"], lambda _ids: None))
    runner.cancel()
    with db.session() as s:
        assert count_contacts(s) == 20 - len(many) - len(few)
    assert (stack.count(), stack.index()) == (2, 2)


def test_each_undo_and_redo_is_said_once_done_and_undo_is_greyed_while_it_runs(
    qtbot: QtBot, db: Database
) -> None:
    """ "Undone: …" or "Redone: …" replaces the message that offered the step, once the step
    has moved (a bulk one when its work is done); Undo and Redo are greyed meanwhile."""
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(20)]
    owner = QObject()
    stack, runner, said = UndoStack(owner), Runner(), list[str]()
    assert stack.parent() is owner  # goes with the window
    stack.run_in_background = runner
    stack.moved.connect(said.append)
    undo, redo = stack.createUndoAction(owner), stack.createRedoAction(owner)
    stack.push(Flaky(lambda ids: None))
    stack.undo()
    stack.redo()
    assert said == ["Undone: Flaky step.", "Redone: Flaky step."]
    bulk = f"Delete {len(ids)} contacts"
    stack.push(DeleteContacts(db, ids, ["x"] * len(ids), lambda ids: None))
    runner.finish()
    assert (stack.index(), undo.text(), undo.isEnabled()) == (2, f"Undo {bulk}", True)
    stack.undo()
    assert (said[2:], undo.isEnabled(), redo.isEnabled()) == ([], False, False)
    runner.finish()
    assert (said[2:], undo.isEnabled(), redo.isEnabled()) == ([f"Undone: {bulk}."], True, True)
    stack.redo()
    assert (said[3:], undo.isEnabled(), redo.isEnabled()) == ([], False, False)
    runner.finish()
    assert (said[3:], undo.isEnabled(), redo.isEnabled()) == ([f"Redone: {bulk}."], True, False)


def test_a_bulk_delete_done_already_is_kept_at_once_and_its_undo_goes_to_the_background(
    qtbot: QtBot, db: Database
) -> None:
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(20)]
        delete_contacts(s, ids)
    stack, runner, changed = UndoStack(), Runner(), list[list[int]]()
    stack.run_in_background = runner
    stack.push(DeleteContacts(db, ids, ["x"] * len(ids), changed.append, done=True))
    assert (runner.calls, stack.count(), changed) == ([], 1, [ids])  # no work: it is done
    stack.undo()
    assert [c[0] for c in runner.calls] == [f"Undoing: Delete {len(ids)} contacts"]
    runner.finish()
    with db.session() as s:
        assert (count_contacts(s), stack.index()) == (len(ids), 0)


class Refused(Step):
    """A step the database refuses when it is done (a save of a contact deleted meanwhile
    would be a LookupError; a value refused, a ValueError)."""

    def __init__(self) -> None:
        super().__init__("Rename Ann", lambda ids: None)

    def _do(self) -> list[int]:
        raise ValueError("A name is needed.")

    def _undo(self) -> list[int]:
        return []


def test_a_step_refused_after_waiting_for_an_undo_is_told_in_words(
    qtbot: QtBot, db: Database
) -> None:
    """Pushed while a bulk Undo ran, it is done once the stack has moved; its caller has
    moved on, so the refusal is told like a failure: what, and that nothing changed."""
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(20)]
    stack, runner, told = UndoStack(), Runner(), list[str]()
    stack.run_in_background = runner
    stack.failed.connect(told.append)
    stack.push(DeleteContacts(db, ids, ["x"] * len(ids), lambda _ids: None))
    runner.finish()
    stack.undo()
    stack.push(Refused())  # waits for the Undo
    assert told == []
    runner.finish()
    assert told == ["Could not do “Rename Ann”: A name is needed. Nothing was changed."]
    assert (stack.count(), stack.index()) == (1, 0)
