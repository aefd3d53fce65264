"""Undoable actions: each one calls a service in a fresh session.

A step that fails (the service refuses, the database is locked by another program, the
contact is gone meanwhile, anything else) changes nothing: its session rolls back, and the
stack is left as it was: a new step is not pushed, an Undo or Redo that failed stays where it
was, to be tried again. UndoStack tells the user in a plain sentence (its `failed` signal).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.model.records import ContactRecord
from app.services.contacts import (
    create_contact,
    delete_contacts,
    get_contact,
    restore_contacts,
    update_contact,
)
from app.services.duplicates import mark_different, unmark_different
from app.services.merging import MergeUndo, merge_contacts, unmerge_contacts
from app.storage.db import Database

log = logging.getLogger(__name__)

Changed = Callable[[list[int]], None]
BULK_IN_BACKGROUND = 10  # contacts from which a bulk change, its undo and redo leave the window
# Work for a pool thread: (progress, is_cancelled) -> the ids changed.
BackgroundWork = Callable[[Callable[[int, int], None], Callable[[], bool]], list[int]]
# Runs *work* off the window's thread under *title*; then *done* with its result, or
# *stopped* if it was cancelled or failed (nothing changed), on the window's thread.
Runner = Callable[[str, BackgroundWork, Callable[[list[int]], None], Callable[[], None]], None]


class Step(QUndoCommand):
    """An undoable step: *_do* and *_undo* each run in one transaction and return the ids of
    the contacts they changed; a failure is kept in *error* and changes nothing."""

    def __init__(self, text: str, changed: Changed) -> None:
        super().__init__(text)
        self._changed = changed
        self.error: Exception | None = None
        self._pushed = False  # done once: from then on it lives on the stack
        self._skip = False  # the stack puts a failed Undo or Redo back: nothing to run

    def _do(self) -> list[int]:
        raise NotImplementedError

    def _undo(self) -> list[int]:
        raise NotImplementedError

    def background(self, *, undo: bool) -> BackgroundWork | None:
        """The step's work (its undo, with *undo*) for a pool thread, when it is big enough
        to leave the window's thread; None to run it here."""
        return None

    def redo(self) -> None:
        self._run(self._do)
        self._pushed = True

    def undo(self) -> None:
        self._run(self._undo)

    def _run(self, work: Callable[[], list[int]]) -> None:
        if self._skip:
            self._skip = False
            return
        self.error = None
        try:
            ids = work()
        except Exception as exc:  # every failure: the transaction rolled back
            self.error = exc
            if not self._pushed:
                self.setObsolete(True)  # QUndoStack.push then drops it, the stack untouched
            return
        self._changed(ids)


def describe_failure(verb: str, text: str, error: Exception) -> str:
    """What the user reads when a step could not be done: plain words, no traceback."""
    what = f"Could not {verb} “{text}”"
    if isinstance(error, OperationalError) and "locked" in str(error.orig or error):
        return (
            f"{what}: another program is writing to your contacts (perhaps second-act on the "
            "command line, or a sync). Nothing was changed; try again in a moment."
        )
    if isinstance(error, LookupError):
        return f"{what}: it was deleted meanwhile. Nothing was changed."
    if isinstance(error, ValueError):
        return f"{what}: {str(error).rstrip('.')}. Nothing was changed."
    return f"{what}: an unexpected error ({type(error).__name__}). Nothing was changed."


class UndoStack(QUndoStack):
    """The window's undo stack, where a failed step never stays (see the module's doc).

    A step with background work (a bulk delete) is undone and redone off the window's
    thread through *run_in_background*, when the window gives one; the stack moves once the
    work is done, and not at all if it is cancelled.
    """

    failed = Signal(str)  # a plain sentence for the user
    moved = Signal(str)  # "Undone: …" or "Redone: …", once an Undo or Redo has been done
    busy_changed = Signal(bool)  # work of the stack's is running off the window's thread
    run_in_background: Runner | None = None
    _busy = False
    _moving = False  # an Undo or Redo is running off the window's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: list[QUndoCommand] = []  # pushed while an Undo or Redo ran

    def push(self, cmd: QUndoCommand) -> None:
        """Do *cmd* and keep it for Undo; if it fails, the stack stays as it was.

        A refusal (ValueError, for instance InvalidContact) is raised to the caller, who says
        it where it belongs (beside the field); any other failure is told through `failed`.
        """
        if self._moving:
            # An Undo or Redo runs off the window's thread and then moves the stack by one:
            # a step pushed meanwhile would be the one it moved over (undoing the user's
            # new step). It waits, and is done as soon as the stack has moved.
            self._waiting.append(cmd)
            return
        if not isinstance(cmd, Step):
            super().push(cmd)
            return
        work = cmd.background(undo=False)
        if work is not None and self.run_in_background is not None and not self._busy:
            self._set_busy(True)

            def pushed(ids: list[int]) -> None:
                self._set_busy(False)
                cmd._skip = True  # done already: push only keeps it
                super(UndoStack, self).push(cmd)
                cmd._pushed = True
                cmd._changed(ids)

            self.run_in_background(cmd.text(), work, pushed, self._stopped)
            return
        # Done here first: QUndoStack.push would drop the steps Redo can do again even for
        # a command it then discards as obsolete.
        cmd.redo()
        if cmd.error is None:
            cmd._skip = True  # done already: push only keeps it
            super().push(cmd)
        elif isinstance(cmd.error, ValueError):
            raise cmd.error
        else:
            self._tell("do", cmd.text(), cmd.error)

    def undo(self) -> None:
        self._step(-1)

    def redo(self) -> None:
        self._step(0)

    def _step(self, offset: int) -> None:
        index = self.index()
        cmd = self.command(index + offset) if 0 <= index + offset < self.count() else None
        if cmd is None or self._busy:
            return
        step = cmd if isinstance(cmd, Step) else None
        work = step.background(undo=bool(offset)) if step is not None else None
        if step is not None and work is not None and self.run_in_background is not None:
            self._set_busy(True)
            self._moving = True
            moved: Step = step

            def done(ids: list[int]) -> None:
                self._set_busy(False)
                self._moving = False
                moved._skip = True  # done already: the stack only moves
                if offset:
                    super(UndoStack, self).undo()
                else:
                    super(UndoStack, self).redo()
                moved._changed(ids)
                self._moved(offset, moved.text())
                self._push_waiting()

            def stopped() -> None:
                self._moving = False
                self._stopped()
                self._push_waiting()

            verb = "Undoing" if offset else "Redoing"
            self.run_in_background(f"{verb}: {cmd.text()}", work, done, stopped)
            return
        if offset:
            super().undo()
        else:
            super().redo()
        if isinstance(cmd, Step) and cmd.error is not None:
            error = cmd.error
            cmd._skip = True
            self.setIndex(index)  # back where it was, without running it again
            self._tell("undo" if offset else "redo", cmd.text(), error)
        else:
            self._moved(offset, cmd.text())

    def _moved(self, offset: int, text: str) -> None:
        """Says what was undone or redone, in place of the message that offered it (a
        "Deleted. Press Ctrl+Z to undo." left standing after the Undo would mislead)."""
        self.moved.emit(f"{'Undone' if offset else 'Redone'}: {text}.")

    def _push_waiting(self) -> None:
        """The steps pushed while an Undo or Redo ran, in their order; a refusal is told (its
        caller has moved on)."""
        waiting, self._waiting = self._waiting, []
        for cmd in waiting:
            try:
                self.push(cmd)
            except ValueError as exc:
                self._tell("do", cmd.text(), exc)

    def _stopped(self) -> None:
        self._set_busy(False)  # cancelled or failed: nothing changed, the stack stays

    def _set_busy(self, busy: bool) -> None:
        """Undo and Redo are greyed while a step's work runs: a Ctrl+Z pressed meanwhile was
        dropped without a word."""
        self._busy = busy
        self.busy_changed.emit(busy)

    def _tell(self, verb: str, text: str, error: Exception) -> None:
        log.warning("could not %s %r", verb, text, exc_info=error)
        self.failed.emit(describe_failure(verb, text, error))

    def createUndoAction(self, parent: QObject, prefix: str = "") -> QAction:
        action = _action(parent, prefix or "Undo", self.undo, self.canUndo(), self.undoText())
        self._enable(action, self.canUndo(), self.canUndoChanged)
        self.undoTextChanged.connect(lambda text: _label(action, prefix or "Undo", text))
        return action

    def createRedoAction(self, parent: QObject, prefix: str = "") -> QAction:
        action = _action(parent, prefix or "Redo", self.redo, self.canRedo(), self.redoText())
        self._enable(action, self.canRedo(), self.canRedoChanged)
        self.redoTextChanged.connect(lambda text: _label(action, prefix or "Redo", text))
        return action

    def _enable(self, action: QAction, can: bool, changed: Any) -> None:
        """*action* enabled while the stack can take that step and no work is running; from
        the signals' values (the stack may be going when they come)."""
        state = {"can": can, "busy": self._busy}

        def update(**change: bool) -> None:
            state.update(change)
            action.setEnabled(state["can"] and not state["busy"])

        changed.connect(lambda value: update(can=value))
        self.busy_changed.connect(lambda value: update(busy=value))


def _action(
    parent: QObject, prefix: str, run: Callable[[], None], enabled: bool, text: str
) -> QAction:
    """Like Qt's own Undo and Redo actions, but they call UndoStack's undo and redo; kept
    up to date from the stack's signals (which carry the values: the stack may be going)."""
    action = QAction(parent)
    action.setEnabled(enabled)
    _label(action, prefix, text)
    action.triggered.connect(run)
    return action


def _label(action: QAction, prefix: str, text: str) -> None:
    action.setText(f"{prefix} {text}".strip())


NAME_PARTS = ("full_name", "prefix", "given_name", "additional_names", "family_name", "suffix")


class SaveContact(Step):
    """Add a new contact or save edits; Undo puts back what was there before.

    Redo of an Add brings back the very contact Undo put in the trash: same id, same UID.
    """

    def __init__(
        self, db: Database, before: ContactRecord | None, after: ContactRecord, changed: Changed
    ) -> None:
        name = after.display_name
        super().__init__(f"Add {name}" if before is None else f"Edit {name}", changed)
        self._db, self._before, self._after = db, before, after
        self.contact_id: int | None = after.id

    def _do(self) -> list[int]:
        with self._db.session() as s:
            if self.contact_id is None:
                new_id = create_contact(s, self._after)
                created = get_contact(s, new_id)
                uid = created.uid
                # A name typed as one string was split on the way in: Redo writes it so.
                for part in NAME_PARTS:
                    setattr(self._after, part, getattr(created, part))
            else:
                if self._before is None:
                    restore_contacts(s, [self.contact_id])
                update_contact(s, self._after)
                new_id, uid = self.contact_id, self._after.uid
        # Only once the transaction is committed: a failed Add leaves no id behind.
        self.contact_id = self._after.id = new_id
        self._after.uid = uid
        return [new_id]

    def _undo(self) -> list[int]:
        assert self.contact_id is not None  # done before it can be undone
        with self._db.session() as s:
            if self._before is None:
                delete_contacts(s, [self.contact_id])
            else:
                update_contact(s, self._before)
        return [self.contact_id]


class DeleteContacts(Step):
    def __init__(
        self,
        db: Database,
        ids: list[int],
        names: list[str],
        changed: Changed,
        *,
        done: bool = False,
    ) -> None:
        """*names*: the name shown for one contact (more are told by their number, from
        *ids*). *done*: the contacts were deleted already (a bulk delete, off the window's
        thread); the step is pushed for Undo and only tells the window the first time."""
        label = names[0] if len(ids) == 1 and names else f"{len(ids)} contacts"
        super().__init__(f"Delete {label}", changed)
        self._db, self._ids, self._done = db, ids, done

    def _do(self) -> list[int]:
        if self._done:
            self._done = False
            return self._ids
        with self._db.session() as s:
            delete_contacts(s, self._ids)
        return self._ids

    def background(self, *, undo: bool) -> BackgroundWork | None:
        """The undo (or redo) of a bulk delete as work for a pool thread; None for a few, and
        for the push of a delete done already (it only tells the window, at once)."""
        if len(self._ids) < BULK_IN_BACKGROUND or (self._done and not undo):
            return None
        db, ids = self._db, self._ids
        act = restore_contacts if undo else delete_contacts

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> list[int]:
            with db.session() as s:
                act(s, ids, progress, cancelled)
            return ids

        return work

    def _undo(self) -> list[int]:
        with self._db.session() as s:
            restore_contacts(s, self._ids)
        return self._ids


class MergeContacts(Step):
    """Fold one contact into another; Undo splits them back exactly."""

    def __init__(
        self, db: Database, keep: int, other: int, names: tuple[str, str], changed: Changed
    ) -> None:
        super().__init__(f"Merge {names[1]} into {names[0]}", changed)
        self._db, self._keep, self._other = db, keep, other
        self._undo_merge: MergeUndo | None = None

    def _do(self) -> list[int]:
        with self._db.session() as s:
            undo = merge_contacts(s, self._keep, self._other)
        self._undo_merge = undo
        return [self._keep]

    def _undo(self) -> list[int]:
        assert self._undo_merge is not None  # done before it can be undone
        with self._db.session() as s:
            unmerge_contacts(s, self._undo_merge)
        return [self._keep]


class MarkDifferent(Step):
    """The user says two same-named contacts are different people; Undo asks again."""

    def __init__(
        self, db: Database, a: int, b: int, names: tuple[str, str], changed: Changed
    ) -> None:
        super().__init__(f"Keep {names[0]} and {names[1]} apart", changed)
        self._db, self._a, self._b = db, a, b

    def _do(self) -> list[int]:
        with self._db.session() as s:
            mark_different(s, self._a, self._b)
        return []

    def _undo(self) -> list[int]:
        with self._db.session() as s:
            unmark_different(s, self._a, self._b)
        return []


class DbStep(Step):
    """One undoable change made by a pair of service calls, each in its own session.

    *do* returns what *undo* needs (for example the row as it was before). If *do* is
    refused with a ValueError, UndoStack.push raises it and *error* holds it.
    """

    def __init__(
        self,
        db: Database,
        text: str,
        do: Callable[[Session], Any],
        undo: Callable[[Session, Any], object],
        changed: Changed,
        ids: list[int] | None = None,
        *,
        background: bool = False,
    ) -> None:
        """*background*: a bulk change, done, undone and redone off the window's thread
        (the window then shows its progress)."""
        super().__init__(text, changed)
        self._db, self._do_in, self._undo_in = db, do, undo
        self._ids = ids or []
        self.result: Any = None
        self._background = background

    def background(self, *, undo: bool) -> BackgroundWork | None:
        if not self._background:
            return None

        def work(
            _progress: Callable[[int, int], None], _cancelled: Callable[[], bool]
        ) -> list[int]:
            return self._undo() if undo else self._do()

        return work

    def _do(self) -> list[int]:
        with self._db.session() as s:
            result = self._do_in(s)
        self.result = result
        return self._ids

    def _undo(self) -> list[int]:
        with self._db.session() as s:
            self._undo_in(s, self.result)
        return self._ids
