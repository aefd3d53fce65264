"""Today reads its list off the window's thread (issue 24): a third of a second at 50,000
people to keep in touch with stalled the window after every change."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.model.tables import FollowUp
from app.services import today as today_service
from app.services.contacts import create_contact
from app.services.followups import add_follow_up
from app.services.today import DueItem
from app.storage.db import Database
from app.ui.today import tab as today_tab
from app.ui.today.tab import TodayTab
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]
LONG = 30_000  # ms: only stops a hang


class Reads:
    """Stands between Today and the real `due_items`: notes the thread each read runs on,
    and holds a read back until let go (off the window's thread only: never hangs it)."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.days: list[dt.date] = []
        self.hold = threading.Event()
        self.hold.set()

    def __call__(self, session: object, day: dt.date) -> list[DueItem]:
        self.threads.append(threading.current_thread())
        self.days.append(day)
        if threading.current_thread() is not threading.main_thread():
            self.hold.wait(LONG / 1000)
        return today_service.due_items(session, day)  # type: ignore[arg-type]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    spy = Reads()
    monkeypatch.setattr(today_tab, "due_items", spy)
    return spy


def follow_ups(db: Database, due: dt.date, *texts: str) -> list[int]:
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Lee"))
        return [add_follow_up(s, ann, due, text) for text in texts]


def whats(tab: TodayTab) -> list[str]:
    return [tab.model.index(r, 2).data() for r in range(tab.model.rowCount())]


def make_tab(qtbot: QtBot, db: Database) -> TodayTab:
    tab = TodayTab(db)
    qtbot.addWidget(tab)
    return tab


def test_today_is_read_off_the_window_thread(qtbot: QtBot, db: Database, reads: Reads) -> None:
    follow_ups(db, dt.date.today(), "send the article")
    tab = make_tab(qtbot, db)
    qtbot.waitUntil(lambda: whats(tab) == ["send the article"], timeout=LONG)
    tab.refresh()
    qtbot.waitUntil(lambda: len(reads.threads) == 2, timeout=LONG)
    assert all(t is not threading.main_thread() for t in reads.threads), reads.threads
    tab.wait()


def test_the_window_shows_neither_rows_nor_nothing_due_until_the_first_read(
    qtbot: QtBot, db: Database, reads: Reads
) -> None:
    follow_ups(db, dt.date.today(), "send the article")
    reads.hold.clear()
    tab = make_tab(qtbot, db)
    # Nothing is due? Not said before the read knows: no flash of the empty message.
    assert not tab.empty.isVisibleTo(tab) and not tab.table.isVisibleTo(tab)
    assert not tab.done_button.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=LONG):
        reads.hold.set()
    assert tab.table.isVisibleTo(tab) and not tab.empty.isVisibleTo(tab)
    assert whats(tab) == ["send the article"]


def test_a_late_older_read_never_overwrites_a_newer_one(
    qtbot: QtBot, db: Database, reads: Reads, today: dt.date
) -> None:
    tomorrow = today + dt.timedelta(days=1)
    follow_ups(db, tomorrow, "send the article")
    tab = make_tab(qtbot, db)
    qtbot.waitUntil(lambda: tab.empty.isVisibleTo(tab), timeout=LONG)  # nothing due today
    counts: list[int] = []
    tab.count_changed.connect(counts.append)
    reads.hold.clear()
    tab.refresh(today)  # held back until the newer one has been asked for
    qtbot.waitUntil(lambda: reads.days[-1] == today, timeout=LONG)
    tab.refresh(tomorrow)
    reads.hold.set()
    # One pool thread: the older answer reaches the window first, and is dropped.
    qtbot.waitUntil(lambda: whats(tab) == ["send the article"], timeout=LONG)
    QApplication.processEvents()
    assert reads.days[-2:] == [today, tomorrow]
    assert whats(tab) == ["send the article"]
    assert counts == [1]  # the older answer (nothing due) never showed
    assert tab.heading.text() == f"Today, {tomorrow:%A} {tomorrow.day} {tomorrow:%B}"
    assert tab.table.isVisibleTo(tab) and not tab.empty.isVisibleTo(tab)


def test_the_selection_is_kept_and_acted_on_while_a_read_is_pending(
    qtbot: QtBot, db: Database, reads: Reads, today: dt.date
) -> None:
    ids = follow_ups(db, today, "first", "second", "third")
    tab = make_tab(qtbot, db)
    qtbot.waitUntil(lambda: whats(tab) == ["first", "second", "third"], timeout=LONG)
    tab.table.selectRow(1)
    done: list[DueItem] = []
    tab.done_requested.connect(done.append)
    with db.session() as s:  # an earlier item arrives, and "first" goes meanwhile
        s.delete(s.get(FollowUp, ids[0]))
        add_follow_up(s, None, today - dt.timedelta(days=3), "overdue")
    reads.hold.clear()
    tab.refresh()
    # Until the read lands the table shows, and Done acts on, the rows it has.
    tab.table.selectRow(2)
    tab.done_button.click()
    assert [d.what for d in done] == ["third"]
    assert whats(tab) == ["first", "second", "third"]
    with qtbot.waitSignal(tab.loaded, timeout=LONG):
        reads.hold.set()
    assert whats(tab) == ["overdue", "second", "third"]
    current = tab.current()
    assert current is not None and current.what == "third"  # chosen while the read ran


def test_the_tab_title_counts_the_rows_once_the_read_lands(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    follow_ups(db, today, "one", "two")
    w = make_window()
    assert w.tabs.tabText(0) == "&Today (2)" and w.today.model.rowCount() == 2
    with db.session() as s:
        add_follow_up(s, None, today, "three")
    with qtbot.waitSignal(w.today.loaded, timeout=LONG):
        w.changed([])
    assert w.today.model.rowCount() == 3
    assert w.tabs.tabText(0) == "&Today (3)"
