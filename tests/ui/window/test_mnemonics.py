"""Every Alt+letter does one thing: the menu bar's titles and the tabs' titles never share a
mnemonic (Qt then cycles between them instead of opening the menu), and no menu offers the
same letter twice."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from pprint import pformat

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenu, QWidget

from app.model.records import ContactRecord, Labeled
from app.services import interviews as iv
from app.services import outreach
from app.services.contacts import create_contact
from app.storage.db import Database
from app.ui.window.main_window import MainWindow

Make = Callable[[], MainWindow]


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' ("&&" is a literal ampersand)."""
    found = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def twice(texts: list[str]) -> dict[str, list[str]]:
    letters = Counter(m for m in map(mnemonic, texts) if m)
    return {k: [t for t in texts if mnemonic(t) == k] for k, n in letters.items() if n > 1}


def window_level(w: MainWindow) -> list[str]:
    titles = [a.text() for a in w.menuBar().actions()]
    return titles + [w.tabs.tabText(i) for i in range(w.tabs.count())]


def test_the_menu_bar_and_the_tabs_share_no_letter(make_window: Make) -> None:
    clashes = twice(window_level(make_window()))
    assert not clashes, pformat(clashes)


def test_no_menu_offers_a_letter_twice(make_window: Make) -> None:
    w = make_window()
    menus = [a.menu() for a in w.menuBar().actions()]
    clashes = {
        m.title(): twice([a.text() for a in m.actions() if not a.isSeparator()])
        for m in menus
        if isinstance(m, QMenu)
    }
    found = {k: v for k, v in clashes.items() if v}
    assert not found, pformat(found)


def test_nothing_on_a_tab_takes_a_letter_of_the_menu_bar_or_the_tabs(
    make_window: Make, db: Database, today: dt.date
) -> None:
    """A label's or button's Alt+letter anywhere on a tab (any of its pages, shown or not)
    that the menu bar or the tab bar uses: Alt+F would then cycle between the two instead of
    opening the File menu."""
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Lee", emails=[Labeled("a@x.org")]))
        iv.create_interview(
            s, iv.InterviewRecord(ann, "scheduled", dt.datetime.combine(today, dt.time(16)))
        )
        outreach.create_campaign(s, outreach.starter("announce"))
    w = make_window()
    taken = {mnemonic(t) for t in window_level(w)}
    found = {}
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)  # built and filled
        page: QWidget = w.tabs.widget(i)
        texts = [x.text() for x in page.findChildren(QLabel) + page.findChildren(QAbstractButton)]
        texts += [x.title() for x in page.findChildren(QGroupBox)]
        clashes = sorted(t for t in texts if mnemonic(t) in taken)
        if clashes:
            found[w.tabs.tabText(i)] = clashes
    assert not found, pformat(found)
