"""What the contact pane shows when several people are selected: who, what they share, and
what can be done to all of them at once."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGridLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.model.records import ContactRecord
from app.ui.text import plain_label

NAMES_SHOWN = 12  # names listed before "and N more"
ORGS_SHOWN = 6


def shared_tags(records: list[ContactRecord]) -> list[str]:
    """The tags every one of *records* has, in the first one's order."""
    if not records:
        return []
    common = {t.casefold() for t in records[0].tags}
    for r in records[1:]:
        common &= {t.casefold() for t in r.tags}
    return [t for t in records[0].tags if t.casefold() in common]


def organisations(records: list[ContactRecord]) -> str:
    """ "Acme (3), Globex (2), and 4 more": where they work, most first."""
    counts = Counter(r.organization for r in records if r.organization)
    most = counts.most_common()
    shown = [f"{org} ({n})" if n > 1 else org for org, n in most[:ORGS_SHOWN]]
    if len(most) > ORGS_SHOWN:
        shown.append(f"and {len(most) - ORGS_SHOWN} more")
    return ", ".join(shown)


class SelectionSummary(QWidget):
    """Several people selected: a summary and the actions for all of them, not one contact
    open for editing (the window used to show whichever row was clicked last)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = plain_label()
        self.heading.setObjectName("selection_heading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.names = plain_label()
        self.names.setObjectName("selection_names")
        self.tags = plain_label()
        self.tags.setObjectName("selection_tags")
        self.orgs = plain_label()
        self.orgs.setObjectName("selection_orgs")
        for label in (self.names, self.tags, self.orgs):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QGridLayout()
        self.buttons.setColumnStretch(2, 1)
        self._button_count = 0
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.heading)
        layout.addWidget(self.names)
        layout.addSpacing(8)
        layout.addWidget(self.tags)
        layout.addWidget(self.orgs)
        layout.addSpacing(12)
        layout.addWidget(plain_label("For all of them:"))
        layout.addLayout(self.buttons)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def add_action(self, action: QAction, text: str) -> QPushButton:
        """A button for one of the window's actions, enabled as the action is."""
        button = QPushButton(text)
        button.setObjectName(f"selection_{action.objectName()}")
        button.clicked.connect(action.trigger)
        button.setEnabled(action.isEnabled())
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        row, col = divmod(self._button_count, 2)
        self.buttons.addWidget(button, row, col)
        self._button_count += 1
        return button

    def show_people(self, count: int, records: list[ContactRecord]) -> None:
        """*count* people selected; *records*: the first of them, as many as were read."""
        self.heading.setText(f"{count} people selected")
        names = [r.display_name or "(no name)" for r in records[:NAMES_SHOWN]]
        more = count - len(names)
        self.names.setText(", ".join(names) + (f", and {more} more" if more > 0 else ""))
        partly = "" if len(records) == count else f" (of the first {len(records)})"
        tags = shared_tags(records)
        self.tags.setText(
            f"Tags they all have{partly}: {', '.join(tags)}"
            if tags
            else f"No tag they all have{partly}."
        )
        orgs = organisations(records)
        self.orgs.setText(
            f"Organisations{partly}: {orgs}" if orgs else f"No organisation given{partly}."
        )
