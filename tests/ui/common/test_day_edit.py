"""The day fields read what the user types as they write days, and never another day."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.services.groups import GroupRecord
from app.storage.db import Database
from app.ui.common.forms import Form, PickDateDialog, to_qdate
from app.ui.common.widgets import install_wheel_guard
from app.ui.contacts.activity_dialogs import FollowUpDialog
from app.ui.groups.tab import GroupsTab
from tests.ui.conftest import show_active
from tests.ui.contacts.test_pane import wheel

# The offscreen platform, on showing a dialog or a popup.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

START = dt.date(2026, 6, 1)


def dialog(qtbot: QtBot) -> PickDateDialog:
    d = PickDateDialog("Snooze", START)
    qtbot.addWidget(d)
    show_active(qtbot, d)
    d.day.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return d


def type_day(qtbot: QtBot, text: str) -> QWidget:
    """Select what the field holds, type *text*, then Tab away, as a user does."""
    field = QApplication.focusWidget()
    assert field is not None
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    return field


def ok_button(d: Form) -> QPushButton:
    button = d.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


THIS_YEAR = dt.date.today().year


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15 Mar 2027", dt.date(2027, 3, 15)),
        ("15 March 2027", dt.date(2027, 3, 15)),
        ("March 15, 2027", dt.date(2027, 3, 15)),
        ("15/03/2027", dt.date(2027, 3, 15)),
        ("15.03.2027", dt.date(2027, 3, 15)),
        ("2027-03-15", dt.date(2027, 3, 15)),
        ("15 Mar", dt.date(THIS_YEAR, 3, 15)),
        ("today", dt.date.today()),
        ("tomorrow", dt.date.today() + dt.timedelta(days=1)),
    ],
)
def test_a_day_typed_as_people_write_it_is_that_day(qtbot: QtBot, text: str, day: dt.date) -> None:
    d = dialog(qtbot)
    field = type_day(qtbot, text)
    assert d.day.date() == to_qdate(day)
    assert d.value() == day
    # Shown back the one way, once the field is left.
    assert field.text() == f"{day.day} {day:%b %Y}"
    ok_button(d).click()
    assert d.result() == QDialog.DialogCode.Accepted


def test_text_that_names_no_day_is_said_so_and_ok_keeps_the_dialog_open(qtbot: QtBot) -> None:
    d = dialog(qtbot)
    changed: list[QDate] = []
    d.day.dateChanged.connect(changed.append)
    field = type_day(qtbot, "15 Foo 2027")
    # Kept as typed, not turned into another day; said in words; OK disabled.
    assert field.text() == "15 Foo 2027"
    assert d.day.date() == to_qdate(START) and not changed
    assert not d.day.understood()
    assert d.day.message.isVisible()
    assert "15 Foo 2027" in d.day.message.text() and "day first" in d.day.message.text()
    ok_button(d).click()
    assert d.isVisible() and d.result() == 0  # open, on the field that needs putting right
    qtbot.waitUntil(field.hasFocus)
    # Put right, the message goes and OK closes the dialog.
    type_day(qtbot, "16/03/2027")
    assert d.day.date() == QDate(2027, 3, 16) and changed[-1] == QDate(2027, 3, 16)
    assert not d.day.message.isVisible()
    ok_button(d).click()
    assert d.result() == QDialog.DialogCode.Accepted and d.value() == dt.date(2027, 3, 16)


def test_the_whole_message_is_shown_inside_the_dialog(qtbot: QtBot) -> None:
    d = dialog(qtbot)
    type_day(qtbot, "31 Febr 2027")
    message = d.day.message
    assert message.isVisible()
    # Its wrapped lines all fit: the dialog grew to hold them (the second line was cut).
    assert message.height() >= message.heightForWidth(message.width())
    bottom = message.mapTo(d, message.rect().bottomLeft()).y()
    assert bottom <= d.buttons.geometry().top()


def test_enter_on_half_typed_text_says_so_and_keeps_the_dialog_open(qtbot: QtBot) -> None:
    d = dialog(qtbot)
    field = QApplication.focusWidget()
    assert field is not None
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, "15 M")
    assert not d.day.message.isVisible()  # no red while the user is still typing
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert d.isVisible() and d.result() == 0 and d.day.message.isVisible()
    qtbot.keyClick(field, Qt.Key.Key_End)  # Enter selected the text, as spin boxes do
    qtbot.keyClicks(field, "ar 2027")
    assert not d.day.message.isVisible()  # gone as soon as the text reads
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert d.result() == QDialog.DialogCode.Accepted and d.value() == dt.date(2027, 3, 15)


def test_a_dialog_that_waits_for_text_keeps_ok_disabled(qtbot: QtBot) -> None:
    d = FollowUpDialog("Ana", START)
    qtbot.addWidget(d)
    show_active(qtbot, d)
    assert not ok_button(d).isEnabled()  # nothing to do typed yet: the day changes nothing


def test_up_and_down_step_days_and_the_calendar_picks_one(qtbot: QtBot) -> None:
    d = dialog(qtbot)
    field = QApplication.focusWidget()
    assert field is not None
    qtbot.keyClick(field, Qt.Key.Key_Up)
    qtbot.keyClick(field, Qt.Key.Key_Up)
    qtbot.keyClick(field, Qt.Key.Key_Down)
    assert d.value() == START + dt.timedelta(days=1)
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = d.day.calendar
    qtbot.waitUntil(calendar.isVisible)
    assert calendar.selectedDate() == to_qdate(START + dt.timedelta(days=1))
    qtbot.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Right)
    qtbot.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert d.value() == START + dt.timedelta(days=2)
    # The button beside the field opens it too, for the mouse.
    qtbot.mouseClick(d.day.calendar_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(calendar.isVisible)
    calendar.hide()


def test_the_wheel_steps_the_day_only_when_the_field_has_the_focus(qtbot: QtBot) -> None:
    install_wheel_guard()
    d = dialog(qtbot)
    ok_button(d).setFocus()
    qtbot.waitUntil(lambda: not d.day.text.hasFocus())
    wheel(d.day.text)
    wheel(d.day.text, 120)
    assert d.value() == START
    d.day.setFocus()
    qtbot.waitUntil(d.day.text.hasFocus)
    wheel(d.day.text, 120)
    assert d.value() == START + dt.timedelta(days=1)


def test_the_groups_date_is_not_saved_while_it_names_no_day(qtbot: QtBot, db: Database) -> None:
    tab = GroupsTab(db)
    qtbot.addWidget(tab)
    show_active(qtbot, tab)
    tab.start_new()
    tab.name.setText("Write the Docs")
    tab.has_date.setChecked(True)
    saved: list[GroupRecord] = []
    tab.save_requested.connect(saved.append)
    tab.held_on.setFocus()
    qtbot.waitUntil(tab.held_on.text.hasFocus)
    type_day(qtbot, "31/02/2027")
    assert tab.held_on.message.isVisible() and tab.unsaved()
    tab.save_button.click()
    assert not saved
    tab.held_on.setFocus()
    qtbot.waitUntil(tab.held_on.text.hasFocus)
    type_day(qtbot, "28/02/2027")
    tab.save_button.click()
    assert [r.held_on for r in saved] == [dt.date(2027, 2, 28)]
    # No date: the field is off, and what it held is no reason to refuse.
    tab.held_on.setFocus()
    type_day(qtbot, "soon")
    tab.has_date.setChecked(False)
    assert not tab.held_on.message.isVisible()
    tab.save_button.click()
    assert saved[-1].held_on is None
