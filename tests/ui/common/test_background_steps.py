"""Bulk changes leave the window's thread (issue 24): done, undone and redone on a pool
thread, the undo stack moving only once the work is done."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services import bulk
from app.services.contacts import create_contact, get_contact
from app.storage.db import Database
from app.ui.common.commands import BULK_IN_BACKGROUND, DbStep
from app.ui.window.main_window import MainWindow

Make = Callable[[], MainWindow]


def test_a_bulk_tier_is_set_undone_and_redone_off_the_window(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    with db.session() as s:
        ids = [
            create_contact(s, ContactRecord(full_name=f"Person {i}"))
            for i in range(BULK_IN_BACKGROUND + 3)
        ]
    w = make_window()

    def tiers() -> set[str]:
        with db.session() as s:
            return {get_contact(s, i).tier for i in ids}

    step = DbStep(
        db,
        "Set tier B",
        lambda s: bulk.set_field(s, ids, "tier", "B"),
        lambda s, before: bulk.restore_field(s, "tier", before),
        w.changed,
        background=True,
    )
    w.undo_stack.push(step)
    assert w.undo_stack.count() == 0  # not yet: the work runs on a pool thread
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1, timeout=10000)
    assert tiers() == {"B"}
    w.undo_action.trigger()
    qtbot.waitUntil(lambda: w.undo_stack.index() == 0, timeout=10000)
    assert tiers() == {""}
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: w.undo_stack.index() == 1, timeout=10000)
    assert tiers() == {"B"}


def test_a_failed_bulk_change_leaves_the_stack_and_lets_the_next_one_run(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    with db.session() as s:
        ids = [create_contact(s, ContactRecord(full_name=f"P {i}")) for i in range(12)]
    w = make_window()

    def refuse(_s: object) -> None:
        raise RuntimeError("the disk went away")

    w.task_failed = lambda _report: None  # type: ignore[method-assign]
    w.undo_stack.push(DbStep(db, "Fails", refuse, lambda s, r: None, w.changed, background=True))
    qtbot.waitUntil(lambda: not w.tasks.running, timeout=10000)
    assert w.undo_stack.count() == 0
    w.undo_stack.push(
        DbStep(
            db,
            "Tag",
            lambda s: bulk.add_tag(s, ids, "x"),
            lambda s, added: bulk.remove_tag(s, added, "x"),
            w.changed,
            background=True,
        )
    )
    qtbot.waitUntil(lambda: w.undo_stack.count() == 1, timeout=10000)
