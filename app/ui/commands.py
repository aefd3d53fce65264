"""Undoable actions: each one calls a service in a fresh session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy.orm import Session

from app.model.records import ContactRecord
from app.services.contacts import (
    create_contact,
    delete_contacts,
    restore_contacts,
    update_contact,
)
from app.services.duplicates import mark_different, unmark_different
from app.services.merging import MergeUndo, merge_contacts, unmerge_contacts
from app.storage.db import Database

Changed = Callable[[list[int]], None]


class SaveContact(QUndoCommand):
    """Add a new contact or save edits; Undo puts back what was there before."""

    def __init__(
        self, db: Database, before: ContactRecord | None, after: ContactRecord, changed: Changed
    ) -> None:
        name = after.display_name
        super().__init__(f"Add {name}" if before is None else f"Edit {name}")
        self._db, self._before, self._after, self._changed = db, before, after, changed
        self.contact_id: int | None = after.id

    def redo(self) -> None:
        with self._db.session() as s:
            if self.contact_id is None:
                self.contact_id = create_contact(s, self._after)
                self._after.id = self.contact_id
            else:
                if self._before is None:
                    restore_contacts(s, [self.contact_id])
                update_contact(s, self._after)
        self._changed([self.contact_id])

    def undo(self) -> None:
        assert self.contact_id is not None
        with self._db.session() as s:
            if self._before is None:
                delete_contacts(s, [self.contact_id])
            else:
                update_contact(s, self._before)
        self._changed([self.contact_id])


class DeleteContacts(QUndoCommand):
    def __init__(self, db: Database, ids: list[int], names: list[str], changed: Changed) -> None:
        label = names[0] if len(names) == 1 else f"{len(names)} contacts"
        super().__init__(f"Delete {label}")
        self._db, self._ids, self._changed = db, ids, changed

    def redo(self) -> None:
        with self._db.session() as s:
            delete_contacts(s, self._ids)
        self._changed(self._ids)

    def undo(self) -> None:
        with self._db.session() as s:
            restore_contacts(s, self._ids)
        self._changed(self._ids)


class MergeContacts(QUndoCommand):
    """Fold one contact into another; Undo splits them back exactly."""

    def __init__(
        self, db: Database, keep: int, other: int, names: tuple[str, str], changed: Changed
    ) -> None:
        super().__init__(f"Merge {names[1]} into {names[0]}")
        self._db, self._keep, self._other, self._changed = db, keep, other, changed
        self._undo: MergeUndo | None = None

    def redo(self) -> None:
        with self._db.session() as s:
            self._undo = merge_contacts(s, self._keep, self._other)
        self._changed([self._keep])

    def undo(self) -> None:
        assert self._undo is not None
        with self._db.session() as s:
            unmerge_contacts(s, self._undo)
        self._changed([self._keep])


class MarkDifferent(QUndoCommand):
    """The user says two same-named contacts are different people; Undo asks again."""

    def __init__(
        self, db: Database, a: int, b: int, names: tuple[str, str], changed: Changed
    ) -> None:
        super().__init__(f"Keep {names[0]} and {names[1]} apart")
        self._db, self._a, self._b, self._changed = db, a, b, changed

    def redo(self) -> None:
        with self._db.session() as s:
            mark_different(s, self._a, self._b)
        self._changed([])

    def undo(self) -> None:
        with self._db.session() as s:
            unmark_different(s, self._a, self._b)
        self._changed([])


class DbStep(QUndoCommand):
    """One undoable change made by a pair of service calls, each in its own session.

    *do* returns what *undo* needs (for example the row as it was before).
    """

    def __init__(
        self,
        db: Database,
        text: str,
        do: Callable[[Session], Any],
        undo: Callable[[Session, Any], None],
        changed: Changed,
        ids: list[int] | None = None,
    ) -> None:
        super().__init__(text)
        self._db, self._do, self._undo, self._changed = db, do, undo, changed
        self._ids = ids or []
        self.result: Any = None
        self.error: ValueError | None = None

    def redo(self) -> None:
        try:
            with self._db.session() as s:
                self.result = self._do(s)
        except ValueError as exc:
            # Refused by the service (nothing was written): the step leaves the stack, and
            # the caller shows self.error.
            self.error = exc
            self.setObsolete(True)
            raise
        self._changed(self._ids)

    def undo(self) -> None:
        with self._db.session() as s:
            self._undo(s, self.result)
        self._changed(self._ids)
