"""Small dialogs for the network's activity: log an interaction, add a follow-up, pick a day."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QWidget,
)

from app.services.interactions import KINDS
from app.services.reciprocity import ASKED
from app.services.reciprocity import KINDS as EXCHANGE_KINDS
from app.ui.common.forms import Form, date_edit, from_qdate


class LogDialog(Form):
    """Log (or edit) a contact with someone: today and the last kind are filled in."""

    def __init__(
        self,
        who: str,
        day: dt.date,
        kind: str,
        summary: str = "",
        parent: QWidget | None = None,
        editing: bool = False,
    ) -> None:
        super().__init__(
            "Edit interaction" if editing else "Log interaction", f"With {who}", parent
        )
        self.setObjectName("log_dialog")
        self.day = date_edit(day, "log_date")
        self.kind = QComboBox()
        self.kind.setObjectName("log_kind")
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.summary = QLineEdit(summary)
        self.summary.setObjectName("log_summary")
        self.summary.setPlaceholderText(
            "e.g. coffee at the chapter meeting; she'll intro me to Raj"
        )
        self.form.addRow("&Kind", self.kind)
        self.form.addRow("&Date", self.day)
        self.form.addRow("&What happened", self.summary)
        self.summary.setFocus()

    def values(self) -> tuple[dt.date, str, str]:
        return from_qdate(self.day.date()), str(self.kind.currentData()), self.summary.text()


class FollowUpDialog(Form):
    """A follow-up: what to do and by when (a week from today unless said otherwise)."""

    def __init__(
        self, who: str, due: dt.date, text: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Add follow-up", f"About {who}" if who else "Not about anyone in particular", parent
        )
        self.setObjectName("follow_up_dialog")
        self.text = QLineEdit(text)
        self.text.setObjectName("follow_up_text")
        self.text.setPlaceholderText("e.g. send the article; ask about the chapter meeting")
        self.due = date_edit(due, "follow_up_due")
        self.form.addRow("&To do", self.text)
        self.form.addRow("&By", self.due)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))
        self.text.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        self.text.setFocus()

    def values(self) -> tuple[str, dt.date]:
        return self.text.text(), from_qdate(self.due.date())


class ExchangeDialog(Form):
    """What was asked of someone, or given to them, and when."""

    def __init__(
        self, who: str, direction: str, day: dt.date, parent: QWidget | None = None
    ) -> None:
        asked = direction == ASKED
        super().__init__(
            "You asked" if asked else "You gave",
            f"What you asked of {who}" if asked else f"What you gave {who}",
            parent,
        )
        self.setObjectName("exchange_dialog")
        self.direction = direction
        self.kind = QComboBox()
        self.kind.setObjectName("exchange_kind")
        for key, label in EXCHANGE_KINDS[direction]:
            self.kind.addItem(label, key)
        self.day = date_edit(day, "exchange_date")
        self.note = QLineEdit()
        self.note.setObjectName("exchange_note")
        self.note.setPlaceholderText(
            "e.g. intro to Raj at Initech" if asked else "e.g. sent the ACM article on RAG"
        )
        self.form.addRow("&What", self.kind)
        self.form.addRow("&Date", self.day)
        self.form.addRow("&Note", self.note)
        self.kind.setFocus()

    def values(self) -> tuple[str, dt.date, str]:
        return str(self.kind.currentData()), from_qdate(self.day.date()), self.note.text()
