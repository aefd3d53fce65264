"""Small dialogs the tabs share: a heading over a form with OK and Cancel, a day, a choice."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.day_edit import DayEdit, from_qdate, to_qdate
from app.ui.common.text import plain_label

__all__ = [
    "ChoiceDialog",
    "DayEdit",
    "Form",
    "PickDateDialog",
    "date_edit",
    "from_qdate",
    "to_qdate",
]


def date_edit(day: dt.date, name: str) -> DayEdit:
    """The day field of every form: typed as the user writes days, or picked on a calendar."""
    edit = DayEdit(day)
    edit.setObjectName(name)
    return edit


class Form(QDialog):
    """A small dialog: a heading, a form, OK and Cancel."""

    def __init__(self, title: str, heading: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.heading = plain_label(heading)
        self.heading.setWordWrap(True)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def days(self) -> list[DayEdit]:
        return self.findChildren(DayEdit)

    def accept(self) -> None:
        # OK keeps the dialog open while a day field holds text it cannot read as a day (its
        # red line says so); OK's enabled state is left to the dialog (some wait for a text).
        unread = [day for day in self.days() if not day.understood()]
        if unread:
            unread[0].show_problem()
            unread[0].setFocus()
            return
        super().accept()


class PickDateDialog(Form):
    def __init__(
        self,
        title: str,
        day: dt.date,
        parent: QWidget | None = None,
        earliest: dt.date | None = None,
        why: str = "",
    ) -> None:
        """*earliest*: no day before it is taken (DayEdit.set_earliest, with *why*)."""
        super().__init__(title, "Until which day?", parent)
        self.setObjectName("pick_date")
        self.day = date_edit(day, "picked_date")
        self.day.set_earliest(earliest, why)
        self.form.addRow("&Day", self.day)

    def value(self) -> dt.date:
        return from_qdate(self.day.date())


class ChoiceDialog(Form):
    """Pick one of a few values, or (when *editable*) type a new one."""

    def __init__(
        self,
        title: str,
        heading: str,
        label: str,
        choices: list[tuple[str, object]],
        editable: bool = False,
        current: str = "",
        parent: QWidget | None = None,
        must_choose: bool = False,
    ) -> None:
        """With *must_choose*, a *current* that is none of the choices leaves the field empty
        and OK disabled until the user picks (or types) a value: a bulk change pressed through
        with OK must not apply whichever value happens to come first."""
        super().__init__(title, heading, parent)
        self.setObjectName("choice_dialog")
        self.must_choose = must_choose
        self.choice = QComboBox()
        self.choice.setObjectName("choice")
        self.choice.setEditable(editable)
        for text, data in choices:
            self.choice.addItem(text, data)
        index = self.choice.findText(current) if current else -1
        if index >= 0:
            self.choice.setCurrentIndex(index)
        elif editable and current:
            self.choice.setEditText(current)
        elif must_choose:
            self.choice.setCurrentIndex(-1)
            self.choice.setEditText("")
        self.form.addRow(label, self.choice)
        self.choice.setFocus()
        if must_choose:
            self.choice.currentIndexChanged.connect(self._enable_ok)
            self.choice.editTextChanged.connect(self._enable_ok)
            self._enable_ok()

    def chosen(self) -> bool:
        """Whether the field holds a value: an item, or (when editable) some typed text."""
        if self.choice.isEditable():
            return bool(self.choice.currentText().strip())
        return self.choice.currentIndex() >= 0

    def _enable_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.chosen())

    def accept(self) -> None:
        if self.must_choose and not self.chosen():
            self.choice.setFocus()
            return
        super().accept()

    def value(self) -> object:
        """The chosen item's data; for a typed value that is no item, the text."""
        text = self.choice.currentText()
        index = self.choice.findText(text)
        if index >= 0 and self.choice.itemData(index) is not None:
            return self.choice.itemData(index)
        return text.strip()
