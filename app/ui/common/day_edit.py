"""A day field that reads what the user types as they would write it, with a calendar beside.

QDateEdit edits section by section: typing "15 Mar 2027" over a selected date gave 3 March,
and "15/03/2027" or "2027-03-15" was ignored. DayEdit reads the whole text (parse_day), shows
the day back as "15 Mar 2027" when the field is left, and says so in red when it cannot read
what was typed (keeping the text, never another day); Up and Down (and the wheel, when the
field has the focus: the WheelGuard holds, as for any spin box) step days.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCalendarWidget,
    QDialog,
    QHBoxLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.days import parse_day
from app.ui.common.tables import day_text
from app.ui.common.text import plain_tooltip
from app.ui.common.widgets import ERROR_BG, ErrorLabel

HINT = (
    "Type the day as you write it: 15 Mar 2027, March 15 2027, 15/03/2027 or 15.03.2027 "
    "(day first), 2027-03-15, 15 Mar (this year), today or tomorrow. "
    "Up and Down change the day; Alt+Down opens the calendar."
)


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class DayText(QAbstractSpinBox):
    """The text part: free typing (no sections), Up/Down/PageUp/PageDown and the wheel step days.

    A bare QAbstractSpinBox has no value of its own: it neither corrects nor reverts what is
    typed, which is what lets the owner read the text whole."""

    stepped = Signal(int)
    calendar_asked = Signal()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.isReadOnly():
            return QAbstractSpinBox.StepEnabledFlag.StepNone
        return (
            QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
            | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        )

    def stepBy(self, steps: int) -> None:
        self.stepped.emit(steps)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt_down = event.key() == Qt.Key.Key_Down and bool(
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:  # as QDateEdit's and QComboBox's popups
            self.calendar_asked.emit()
            return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        wide = self.fontMetrics().horizontalAdvance("30 September 2027") + 16
        return QSize(max(hint.width(), wide), hint.height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class DayEdit(QWidget):
    """A day: typed leniently or chosen on a calendar; date(), setDate() and dateChanged as
    QDateEdit's. While the text names no day, understood() is False, the field turns
    red with a line under it saying so, and date() is still the last day it named: a dialog
    stays open on OK (Form does) rather than use it."""

    dateChanged = Signal(QDate)

    def __init__(self, day: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._day = day
        self._understood = True
        self._red = False  # the field says it cannot read what was typed
        self._earliest: dt.date | None = None  # set_earliest
        self._early_why = ""
        self.text = DayText(self)
        self.text.setObjectName("day_text")
        self.text.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.text.setAccelerated(True)
        self.text.setToolTip(plain_tooltip(HINT))
        self.calendar_button = QToolButton(self)
        self.calendar_button.setObjectName("day_calendar_button")
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setToolTip("Choose the day on a calendar (Alt+Down)")
        self.calendar_button.setAccessibleName("Calendar")
        # One Tab stop per day, as before: the keyboard opens the calendar with Alt+Down.
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = ErrorLabel(self)
        self.message.setObjectName("day_message")
        self._calendar: QCalendarWidget | None = None  # made when first opened
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.text)
        row.addWidget(self.calendar_button)
        message_below(self, row, self.message, self.text)
        self.text.lineEdit().textEdited.connect(self._typed)
        self.text.editingFinished.connect(self._finished)
        self.text.stepped.connect(self._step)
        self.text.calendar_asked.connect(self.open_calendar)
        self.calendar_button.clicked.connect(self.open_calendar)
        self._show_day()

    # -- QDateEdit's interface ---------------------------------------------------------
    def date(self) -> QDate:
        return to_qdate(self._day)

    def setDate(self, day: QDate) -> None:
        self.set_day(from_qdate(day))

    # -- ours -------------------------------------------------------------------------
    def day(self) -> dt.date:
        """The last day the field named (check understood() before using it)."""
        return self._day

    def set_day(self, day: dt.date) -> None:
        self._set(day)
        self._show_day()

    def understood(self) -> bool:
        """The text names a day, not before the earliest allowed (a disabled field always
        counts as understood)."""
        return self._understood or not self.isEnabled()

    def set_earliest(self, day: dt.date | None, why: str = "") -> None:
        """Refuse a day before *day* as the field refuses text it cannot read: in red, with
        *why* and the earliest day in words, and understood() False so that OK keeps the
        dialog open. None: any day."""
        self._earliest = day
        self._early_why = why
        if self._calendar is not None:
            self._calendar.setMinimumDate(to_qdate(day) if day else QDate(100, 1, 1))
        if self._read() is not None:
            self._show_day()

    @property
    def calendar(self) -> QCalendarWidget:
        """The calendar that pops up under the field (Alt+Down, or the button beside it)."""
        if self._calendar is None:
            self._calendar = QCalendarWidget(self)
            self._calendar.setWindowFlags(Qt.WindowType.Popup)
            self._calendar.setObjectName("day_calendar")
            self._calendar.setGridVisible(True)
            self._calendar.clicked.connect(self._picked)
            self._calendar.activated.connect(self._picked)
        return self._calendar

    def show_problem(self) -> None:
        """Say now, in red, that the text names no day (if it does not)."""
        self._finished()

    def open_calendar(self) -> None:
        if not self.isEnabled():
            return
        if self._earliest is not None:
            self.calendar.setMinimumDate(to_qdate(self._earliest))
        self.calendar.setSelectedDate(to_qdate(self._day))
        below = self.text.mapToGlobal(QPoint(0, self.text.height()))
        self.calendar.move(below)
        self.calendar.show()
        self.calendar.setFocus()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        switched_off = event.type() == QEvent.Type.EnabledChange and not self.isEnabled()
        if switched_off and not self._understood:
            self._show_day()  # the day is left out ("no date"): what was typed goes

    # -- inside -----------------------------------------------------------------------
    def _set(self, day: dt.date) -> None:
        changed = day != self._day
        self._day = day
        if changed:
            self.dateChanged.emit(to_qdate(day))

    def _read(self) -> dt.date | None:
        """The day the text names, if it names one."""
        return parse_day(self.text.text(), dt.date.today())

    def _allowed(self, day: dt.date) -> bool:
        return self._earliest is None or day >= self._earliest

    def _show_day(self) -> None:
        self.text.lineEdit().setText(day_text(self._day))
        self._mark(self._allowed(self._day))

    def _typed(self, text: str) -> None:
        day = parse_day(text, dt.date.today())
        if day is not None:
            self._set(day)
        ok = day is not None and self._allowed(day)
        # Red only once the field is left; back to normal as soon as the text reads.
        self._mark(ok, show=ok or self._red)

    def _finished(self) -> None:
        if self._read() is not None:
            self._show_day()
        else:
            self._mark(False)

    def _step(self, steps: int) -> None:
        if self._read() is not None:
            self.set_day(self._day + dt.timedelta(days=steps))
            self.text.selectAll()

    def _picked(self, day: QDate) -> None:
        self.calendar.hide()
        self.set_day(from_qdate(day))
        self.text.setFocus(Qt.FocusReason.PopupFocusReason)

    def _mark(self, understood: bool, show: bool = True) -> None:
        self._understood = understood
        if show:
            typed = self.text.text().strip()
            early = self._earliest
            problem = (
                ""
                if understood
                else f"{self._early_why} Pick {day_text(early)} or a later day.".strip()
                if early is not None and self._read() is not None
                else (
                    f"“{typed}” is not a day this field can read. "
                    "Try 15 Mar 2027 or 15/03/2027 (day first)."
                    if typed
                    else "Type a day, such as 15 Mar 2027 or today."
                )
            )
            self._red = not understood
            self.text.setToolTip(plain_tooltip(problem + ("\n\n" if problem else "") + HINT))
            mark_field(self.text, self.message, problem)


def message_below(owner: QWidget, row: QHBoxLayout, message: ErrorLabel, focus: QWidget) -> None:
    """*owner* laid out as a field: *row* (what is typed in) over *message* (the problem
    mark_field shows, red), flush with the form's other fields; its focus goes to *focus*."""
    row.setContentsMargins(0, 0, 0, 0)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addLayout(row)
    layout.addWidget(message)
    owner.setFocusProxy(focus)


def mark_field(field: QWidget, message: ErrorLabel, problem: str) -> None:
    """*problem* in red under *field* and red behind its text (a palette: a style sheet
    would lay a spin box's text out wrong); both cleared when *problem* is "". A dialog
    grows to show the whole message: a wrapped label's second line was cut."""
    owner = field.parentWidget() or field
    palette = owner.palette()
    if problem:
        palette.setColor(QPalette.ColorRole.Base, ERROR_BG)
    field.setPalette(palette)
    message.show_messages([problem] if problem else [])
    win = field.window()
    layout = win.layout()
    if not isinstance(win, QDialog) or not win.isVisible() or layout is None:
        return
    layout.activate()
    need = (
        layout.totalHeightForWidth(win.width())
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    if need > win.height():
        win.resize(win.width(), need)
