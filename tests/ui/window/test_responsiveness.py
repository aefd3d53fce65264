"""What keeps the window live during long work (issue 11): throttled progress, the list read
by the worker, and that list never shown for a search the user has changed since."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QThreadPool
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.model.records import ContactRecord
from app.services.contacts import create_contact, list_contact_ids
from app.storage.db import Database
from app.ui.common.tasks import Task
from app.ui.contacts.model import ContactTableModel
from app.ui.window.main_window import MainWindow
from tests.conftest import VCARDS

Make = Callable[[], MainWindow]


def test_a_task_reports_progress_a_few_times_a_second_and_always_the_end(qtbot: QtBot) -> None:
    def work(progress: Callable[[int, int], None], _cancelled: Any) -> str:
        for i in range(1, 20001):
            progress(i, 20000)  # as fast as an import's first phase: thousands a second
        return "done"

    task = Task(work)
    seen: list[tuple[int, int]] = []
    task.signals.progress.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(task.signals.finished, timeout=10000):
        QThreadPool.globalInstance().start(task)
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == (20000, 20000), timeout=5000)
    # Every report is an event the window runs: not one per card, yet the end is never lost.
    assert 1 <= len(seen) < 100, len(seen)
    assert seen[-1] == (20000, 20000)


def test_ids_read_for_an_older_search_are_not_shown(db: Database) -> None:
    with db.session() as s:
        for name in ("Ann Lee", "Bob Ray", "Ann Ray"):
            create_contact(s, ContactRecord(full_name=name))
    model = ContactTableModel(db)
    model.refresh()
    before = model.listing()
    with db.session() as s:
        everyone = list_contact_ids(s)
    model.set_query("ann")  # the user typed while the worker was reading
    model.show_ids(before, everyone)
    shown = [model.id_at(r) for r in range(model.rowCount())]
    with db.session() as s:
        assert shown == list_contact_ids(s, "ann") and len(shown) == 2
    model.show_ids(model.listing(), everyone[:1])  # read for what is shown: taken as it is
    assert model.rowCount() == 1


def test_after_an_import_the_list_and_duplicates_come_from_the_worker(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Joe Citizen"))  # a namesake: not merged
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.ask = lambda _dialog: QDialog.DialogCode.Accepted
    read_here: list[int] = []
    model = w.contacts.model
    original = model.refresh
    model.refresh = lambda: (read_here.append(1), original())[1]  # type: ignore[method-assign]
    done: list[Any] = []
    finish = w.files._import_done
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def import_done(result: Any) -> None:
        event.listen(db.engine, "before_cursor_execute", note)
        finish(result)
        w.contacts.table.viewport().repaint()  # its rows too came from the worker
        # The list first, the contact a timer's tick later: together they held the window
        # 50 to 60 ms at 50,000.
        index = w.contacts.table.currentIndex()
        shown.append((model.id_at(index.row()), w.contacts.editor.current_id()))
        done.append(result)

    shown: list[tuple[int | None, int | None]] = []
    w.files._import_done = import_done  # type: ignore[method-assign]
    w.files.start_import([str(VCARDS / "khard" / "joe.vcf")])
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    try:
        qtbot.waitUntil(lambda: w.contacts.editor.current_id() == shown[0][0], timeout=5000)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert shown[0][0] is not None and shown[0][1] != shown[0][0]
    assert read_here == []  # the window did not read and sort every id itself
    # Nor count everyone, nor read the contact it shows, nor the rows it paints first: at
    # 50,000 each took the window tens of milliseconds.
    assert statements == []
    joe = w.contacts.current_id()
    assert joe is not None and w.contacts.editor.current_id() == joe
    assert w.contacts.editor.edits["full_name"].text() == "Joe Citizen"
    assert w.contacts.count_label.text() == "2 contacts"
    with db.session() as s:
        assert [model.id_at(r) for r in range(model.rowCount())] == list_contact_ids(s)
    assert model.rowCount() == 2
    assert w.contacts.duplicates_button.text() == "1 possible duplicate…"


def test_the_list_of_everyone_is_its_own_count(make_window: Make, db: Database) -> None:
    """Counting 50,000 contacts again after reading them all took the window's start 10 to
    30 ms: with no search and no filter the list is the count."""
    with db.session() as s:
        for name in ("Ann Lee", "Bob Ray", "Ann Ray"):
            create_contact(s, ContactRecord(full_name=name))
    w = make_window()
    tab = w.contacts
    w.tabs.setCurrentWidget(tab)
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        tab.reload()
        assert tab.count_label.text() == "3 contacts"
        counts = [q for q in statements if q.lower().startswith("select count(")]
        assert counts == [], counts
        tab.search.setText("ann")
        tab.on_search_timeout()
        assert tab.count_label.text() == "2 of 3"
        with db.session() as s:
            create_contact(s, ContactRecord(full_name="Cy Ann"))
        tab.reload()  # a search shown: everyone must be counted
        assert tab.count_label.text() == "3 of 4"
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_the_import_is_matched_and_written_by_a_helper_process(
    qtbot: QtBot, make_window: Make, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching and writing 50,000 cards in the window's process shared its interpreter
    lock with the window (stalls of 40 to 60 ms): they happen in a helper process, and the
    window's process reads no file and writes no card."""
    import app.services.importing as importing

    def not_here(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the window's process imported")

    for name in ("read_file", "parse_bytes", "preview_import", "import_files"):
        monkeypatch.setattr(importing, name, not_here)
    w = make_window()
    w.tabs.setCurrentWidget(w.contacts)
    w.ask = lambda _dialog: QDialog.DialogCode.Accepted
    w.files.start_import([str(VCARDS / "khard" / "joe.vcf")])
    qtbot.waitUntil(lambda: w.contacts.count_label.text() == "1 contact", timeout=20000)
    with db.session() as s:
        assert len(list_contact_ids(s, "joe")) == 1


def test_a_contact_picked_right_after_an_import_is_the_one_shown(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    """The imported contact fills the pane a moment after the list: a row the user picks
    in that moment wins."""
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Aardvark"))
    w = make_window()
    tab = w.contacts
    w.tabs.setCurrentWidget(tab)
    w.ask = lambda _dialog: QDialog.DialogCode.Accepted
    finish = w.files._import_done
    done: list[int] = []

    def import_done(result: Any) -> None:
        finish(result)
        # At once, before the pane fills, as a click does. Not selectRow: it takes the
        # keyboard modifiers Qt last saw, and a Ctrl+S sent by an earlier test turned it
        # into "add this row to the selection" (two selected: the pane sums them up).
        tab.table.selectionModel().setCurrentIndex(
            tab.model.index(tab.model.row_of(ann), 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        done.append(1)

    w.files._import_done = import_done  # type: ignore[method-assign]
    late = tab._show_if_selected
    offered: list[int] = []

    def show_if_selected(contact_id: int, pane: Any) -> None:
        late(contact_id, pane)
        offered.append(contact_id)

    tab._show_if_selected = show_if_selected  # type: ignore[method-assign]
    w.files.start_import([str(VCARDS / "khard" / "joe.vcf")])
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    # The import's own pane fill comes a timer's tick later: once it has come, Ann stays.
    qtbot.waitUntil(lambda: bool(offered), timeout=10000)
    assert offered != [ann]  # it offered the imported contact, and did not take the pane
    assert tab.current_id() == ann
