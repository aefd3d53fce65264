"""The duplicates review by groups (issue 24): one name, many people, decided together."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services.contacts import count_contacts, create_contact
from app.services.duplicates import count_duplicate_groups
from app.storage.db import Database
from app.ui.contacts.duplicates_dialog import PAGE, DuplicatesDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers, show_active

Make = Callable[[], MainWindow]


def namesakes(db: Database, name: str, n: int) -> list[int]:
    with db.session() as s:
        return [
            create_contact(s, ContactRecord(full_name=name, emails=[Labeled(f"{i}@{n}.org")]))
            for i in range(n)
        ]


def test_a_group_is_reviewed_together_and_each_decision_undoes(
    make_window: Make, db: Database, answers: Answers
) -> None:
    ana = namesakes(db, "Ana Smith", 6)
    ben = namesakes(db, "Ben Ode", 3)
    seen: list[tuple[int, int, int]] = []

    def review(dialog: QDialog) -> int:
        assert isinstance(dialog, DuplicatesDialog)
        assert dialog.count() == 2  # two names, not 15 + 3 pairs
        assert dialog.groups.index(0, 0).data() == "Ana Smith"
        assert dialog.groups.index(0, 1).data() == "6"
        # The two oldest are compared to begin with.
        assert dialog.members.rowCount() == 6 and dialog._chosen == ana[:2]
        assert ("Emails", "0@6.org", "1@6.org") in dialog.compare.rows
        dialog.choose(ana[:3])  # three of them are one person
        assert dialog.merge_button.text() == "&Merge into one"
        dialog.merge_button.click()
        seen.append((dialog.count(), dialog.members.rowCount(), dialog.current_row()))
        dialog.all_different_button.click()  # the four left: all different people
        seen.append((dialog.count(), dialog.members.rowCount(), dialog.current_row()))
        assert dialog.groups.index(0, 0).data() == "Ben Ode"
        dialog.choose(ben[1:])
        dialog.different_button.click()  # two of the Bens: kept apart; the first still asks
        seen.append((dialog.count(), dialog.members.rowCount(), dialog.current_row()))
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    answers.on_dialog = review
    w.contact_actions.duplicates_action.trigger()
    assert seen == [(2, 4, 0), (1, 3, 0), (1, 3, 0)]
    with db.session() as s:
        assert count_contacts(s) == 9 - 2
        assert count_duplicate_groups(s) == 1  # Ben 1 with Bens 2 and 3 are still to decide
    w.undo_action.trigger()  # the Bens
    w.undo_action.trigger()  # "all different"
    with db.session() as s:
        assert count_duplicate_groups(s) == 2
    w.undo_action.trigger()  # the merge of three
    with db.session() as s:
        assert count_contacts(s) == 9


def test_the_groups_are_read_a_page_at_a_time(qtbot: QtBot, db: Database) -> None:
    with db.session() as s:
        for i in range(PAGE + 7):
            for _ in range(2):
                create_contact(s, ContactRecord(full_name=f"Person {i:03d}"))
    dialog = DuplicatesDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.count() == PAGE + 7
    assert dialog.groups.rowCount() == PAGE  # the rest when scrolled to
    assert dialog.groups.canFetchMore()
    dialog.groups.fetchMore()
    assert dialog.groups.rowCount() == PAGE + 7 and not dialog.groups.canFetchMore()
    names = [dialog.groups.index(r, 0).data() for r in range(PAGE + 7)]
    assert names == sorted(names)


def test_a_big_group_is_merged_into_one_off_the_window(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    from app.ui.common.commands import BULK_IN_BACKGROUND

    people = namesakes(db, "Ana Smith", BULK_IN_BACKGROUND + 2)
    namesakes(db, "Ben Ode", 2)
    after: list[tuple[int, str]] = []

    def review(dialog: QDialog) -> int:
        assert isinstance(dialog, DuplicatesDialog)
        dialog.choose(people)
        dialog.merge_button.click()  # on a pool thread: the group is read when it is done
        qtbot.waitUntil(lambda: dialog.groups.index(0, 0).data() == "Ben Ode", timeout=10000)
        after.append((dialog.count(), dialog.groups.index(0, 0).data()))
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    answers.on_dialog = review
    w.contact_actions.duplicates_action.trigger()
    assert after == [(1, "Ben Ode")]
    with db.session() as s:
        assert count_contacts(s) == 3  # one Ana, two Bens
    w.undo_action.trigger()  # on a pool thread as well
    qtbot.waitUntil(lambda: w.undo_stack.index() == 0, timeout=10000)
    with db.session() as s:
        assert count_contacts(s) == len(people) + 2


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show
def test_the_review_fills_its_window(qtbot: QtBot, db: Database) -> None:
    """Seen in a screenshot: the list of names kept the short lists' cap of eleven lines, which
    held the whole review down and left the top half of the dialog empty."""
    for i in range(30):
        namesakes(db, f"Name{i} Smith", 2)
    dialog = DuplicatesDialog(db)
    qtbot.addWidget(dialog)
    dialog.resize(1024, 640)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.group_view.height() > dialog.height() * 2 // 3
    assert dialog.intro.y() < 50  # the explanation stays at the top


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show
def test_different_people_by_keyboard_moves_on_to_the_next_pair(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    """Alt+D ("Different people") kept the same two selected, as if nothing was decided: the
    dialog showed the group's two oldest again. It moves on to the next undecided pair, as
    a merge does."""
    ana = namesakes(db, "Ana Smith", 3)
    shown: list[list[int]] = []

    def review(dialog: QDialog) -> int:
        assert isinstance(dialog, DuplicatesDialog)
        show_active(qtbot, dialog)
        shown.append(list(dialog._chosen))

        def press(key: Qt.Key, button: QPushButton, alt: bool = True) -> None:
            with qtbot.waitSignal(button.clicked):  # a button's shortcut clicks it on a timer
                qtbot.keyClick(
                    dialog.focusWidget(),
                    key,
                    Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.ControlModifier,
                )

        for _ in range(2):
            press(Qt.Key.Key_D, dialog.different_button)  # Alt+D
            shown.append(list(dialog._chosen))
        press(Qt.Key.Key_M, dialog.merge_button, alt=False)  # Ctrl+M
        shown.append([dialog.count()])
        dialog.close()
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    answers.on_dialog = review
    w.contact_actions.duplicates_action.trigger()
    a, b, c = ana
    assert shown == [[a, b], [a, c], [b, c], [0]]
    with db.session() as s:
        assert count_contacts(s) == 2  # the last pair was one person
        assert count_duplicate_groups(s) == 0


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show
def test_merge_answers_both_alt_m_and_ctrl_m(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    """The Merge button's "&Merge" and its Ctrl+M: a button holds one shortcut, so one of the
    two did nothing (Alt+M first, and Ctrl+M once the button's text was set again)."""
    namesakes(db, "Ana Smith", 2)
    namesakes(db, "Bo Lee", 2)

    def review(dialog: QDialog) -> int:
        assert isinstance(dialog, DuplicatesDialog)
        show_active(qtbot, dialog)
        for modifier in (Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier):
            with qtbot.waitSignal(dialog.merge_button.clicked):
                qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_M, modifier)
        dialog.close()
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    answers.on_dialog = review
    w.contact_actions.duplicates_action.trigger()
    with db.session() as s:
        assert count_contacts(s) == 2 and count_duplicate_groups(s) == 0
