"""Start-up builds what the first screen shows (issue 24): Today and Contacts; the other tabs,
their actions and their modules come the first time a tab is shown or reached."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services.contacts import create_contact
from app.services.interviews import interviews_of
from app.storage.db import Database
from app.ui.common.host import Tab
from app.ui.interviews.tab import InterviewsTab
from app.ui.network.tab import NetworkTab
from app.ui.outreach.tab import OutreachTab
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]

LATER = ("network", "employers", "groups", "interviews", "outreach")

# In a fresh interpreter (this one has imported every tab already): the window opened and
# shown on a book with a contact (so at Today), then what it built and imported.
OPEN_WINDOW = """
import sys
from pathlib import Path
from app.paths import AppPaths
from app.model.records import ContactRecord
from app.services.contacts import create_contact
from app.storage.db import open_database
from app.ui.window.application import make_app
from app.ui.window.main_window import MainWindow

app = make_app()
paths = AppPaths(Path(sys.argv[1])).ensure()
db = open_database(paths.database, paths.backups)
with db.session() as s:
    create_contact(s, ContactRecord(full_name="Ann Lee"))
w = MainWindow(db, paths)
w.show()
app.processEvents()
pages = [type(w.tabs.widget(i)).__name__ for i in range(w.tabs.count())]
print(w.tabs.currentIndex(), " ".join(pages))
print(" ".join(sorted(m for m in sys.modules if m.startswith(("app.ui.", "app.services.")))))
w.close()
db.close()
"""


def test_start_up_builds_and_imports_only_today_and_contacts(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", OPEN_WINDOW, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    shown, modules = done.stdout.splitlines()[-2:]
    current, *pages = shown.split()
    assert int(current) == Tab.TODAY.value
    assert pages == ["TodayTab", "ContactsTab", *["QWidget"] * 5]
    imported = modules.split()
    for tab in LATER:
        assert not [m for m in imported if m.startswith(f"app.ui.{tab}.")], tab
    # Nor what only those tabs, or File ▸ Mail History…, use.
    for service in ("outreach", "sending", "mail_history", "imap_history", "calendar"):
        assert f"app.services.{service}" not in imported, service
    assert "app.services.contacts" in imported  # (what is printed is what was imported)


def test_a_tab_is_built_when_first_shown_by_its_key(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ann Lee"))
    w = make_window()
    assert w.tabs.currentIndex() == Tab.TODAY.value
    empty = w.tabs.widget(Tab.NETWORK.value)
    assert not isinstance(empty, NetworkTab)
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # View ▸ Network Map
    shown = w.tabs.currentWidget()
    assert isinstance(shown, NetworkTab) and shown is w.network
    assert shown.isVisible() and w.tabs.currentIndex() == Tab.NETWORK.value
    assert w.tabs.tabText(Tab.NETWORK.value) == "Network &map"
    # Read when shown, as before: the map counts its one person.
    qtbot.waitUntil(lambda: shown.summary.text().startswith("1 person,"))
    # The others wait for their turn.
    assert not isinstance(w.tabs.widget(Tab.OUTREACH.value), OutreachTab)
    assert not isinstance(w.tabs.widget(Tab.INTERVIEWS.value), InterviewsTab)
    qtbot.keyClick(w, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentWidget() is w.outreach and isinstance(w.outreach, OutreachTab)
    assert w.tabs.count() == len(Tab)


def test_reaching_a_tab_builds_it_where_it_belongs(make_window: Make) -> None:
    w = make_window()
    assert w.tabs.currentWidget() is w.contacts  # a first run
    outreach = w.outreach  # reached (a test, another tab), not shown
    assert w.tabs.currentWidget() is w.contacts  # the tab shown stays
    assert w.tabs.widget(Tab.OUTREACH.value) is outreach and w.outreach is outreach
    assert w.tabs.tabText(Tab.OUTREACH.value) == "O&utreach"
    w.tabs.setCurrentWidget(w.outreach)
    assert w.tabs.currentIndex() == Tab.OUTREACH.value


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_menu_item_builds_the_tab_it_acts_in(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Lee"))
    w = make_window()
    w.open_contact(ann)
    assert not isinstance(w.tabs.widget(Tab.INTERVIEWS.value), InterviewsTab)
    w.plan_interview_action.trigger()  # Contact ▸ Plan Informational Interview…
    assert isinstance(w.tabs.currentWidget(), InterviewsTab)
    assert w.interviews.page.title.text() == "Informational interview with Ann Lee"
    with db.session() as s:
        assert len(interviews_of(s, ann)) == 1
    assert QApplication.activeWindow() is w
