"""The network map: who the user knows, by industry and by employer, with the industry they
are moving into highlighted and dormant ties shown. A bar opens those people in Contacts."""

from __future__ import annotations

import datetime as dt
import logging
from typing import NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.contacts import Narrow
from app.services.industries import (
    Bar,
    by_industry,
    by_organization,
    industries_in_use,
    target_industry,
)
from app.storage.db import Database
from app.ui.common.chart import BarChart, segment_colors
from app.ui.common.tasks import LatestRead
from app.ui.common.text import plain_label, plural

log = logging.getLogger(__name__)


def _swatch(color: QColor) -> QLabel:
    pix = QPixmap(14, 14)
    pix.fill(color)
    label = plain_label()
    label.setPixmap(pix)
    return label


class Legend(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        active, dormant, unlogged = segment_colors(False)
        target, _d, _u = segment_colors(True)
        for color, text in (
            (active, "In touch in the last two years"),
            (dormant, "Dormant: no contact for two years or more"),
            (unlogged, "Nothing logged yet"),
            (target, "The industry you are moving into"),
        ):
            row.addWidget(_swatch(color))
            row.addWidget(plain_label(text))
            row.addSpacing(12)
        row.addStretch(1)


class MapCounts(NamedTuple):
    industries: list[Bar]
    employers: list[Bar]
    target: str
    known: list[str]


class NetworkTab(QWidget):
    """Signals a Narrow for the contact list when a bar is chosen."""

    show_people = Signal(object)  # Narrow
    target_changed = Signal(str)
    suggest_requested = Signal()
    loaded = Signal()  # new counts are on the charts

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._reads = LatestRead(self)
        self.busy = plain_label()
        self.busy.setObjectName("map_busy")
        self.target = QComboBox()
        self.target.setObjectName("target_industry")
        self.target.setEditable(True)
        self.target.setMinimumContentsLength(22)
        self.target.setToolTip("Drawn in orange on the map")
        typed = self.target.lineEdit()
        assert typed is not None  # the box is editable
        typed.setPlaceholderText("e.g. Healthcare")
        typed.editingFinished.connect(self._target_edited)
        self.target.activated.connect(lambda _i: self._target_edited())
        self.suggest_button = QPushButton("&Suggest industries…")
        self.suggest_button.setObjectName("suggest_industries")
        self.suggest_button.setToolTip(
            "Industry is not in an address book: confirm suggestions from organisation and title"
        )
        self.suggest_button.clicked.connect(self.suggest_requested)
        self.summary = plain_label()
        self.summary.setObjectName("map_summary")
        self.summary.setWordWrap(True)

        self.industries = BarChart(
            "industry_chart", "No contacts yet: import your address book to see your network."
        )
        self.employers = BarChart(
            "employer_chart", "Nobody has an organisation yet (ORG in their card)."
        )
        self.industries.activated.connect(self._industry_chosen)
        self.employers.activated.connect(self._employer_chosen)

        body = QWidget()
        grid = QGridLayout(body)
        heading_i = plain_label("By industry (click a bar, or press Enter on it, to list them)")
        heading_e = plain_label("The 15 employers where you know the most people")
        for h in (heading_i, heading_e):
            f = h.font()
            f.setBold(True)
            h.setFont(f)
        grid.addWidget(heading_i, 0, 0)
        grid.addWidget(self.industries, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(heading_e, 0, 1)
        grid.addWidget(self.employers, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        top = QHBoxLayout()
        target_label = plain_label("The i&ndustry you are moving into:")
        target_label.setBuddy(self.target)
        top.addWidget(target_label)
        top.addWidget(self.target)
        top.addStretch(1)
        top.addWidget(self.busy)
        top.addWidget(self.suggest_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(Legend())
        layout.addWidget(scroll, 1)
        self.setTabOrder(self.target, self.suggest_button)
        self.setTabOrder(self.suggest_button, self.industries)
        self.setTabOrder(self.industries, self.employers)

    def refresh(self, today: dt.date | None = None) -> None:
        """Count again, off the GUI thread (half a second at 50,000 contacts); the charts
        keep what they show until the new counts arrive (then `loaded` is emitted)."""
        day = today or dt.date.today()
        db = self._db

        def read() -> MapCounts:
            with db.session() as s:
                return MapCounts(
                    by_industry(s, day),
                    by_organization(s, day),
                    target_industry(s),
                    industries_in_use(s),
                )

        self.busy.setText("Counting…")
        # Only the newest count is shown: an older one landing late is dropped.
        self._reads.start(read, self._counted, self._failed)

    def wait(self) -> None:
        """Let a count in progress finish (before the database closes)."""
        self._reads.wait()

    def _failed(self, report: str) -> None:
        self.busy.setText("The map could not be counted; it shows the last counts.")
        log.error("network map: %s", report)

    def _counted(self, counts: MapCounts) -> None:
        self.busy.setText("")
        industries, employers, target, known = counts
        self.industries.set_bars(industries, target)
        self.employers.set_bars(employers)
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItems(known)
        self.target.setCurrentText(target)
        self.target.blockSignals(False)
        self.summary.setText(self._summary(industries, target))
        self.loaded.emit()

    @staticmethod
    def _summary(bars: list[Bar], target: str) -> str:
        total = sum(b.total for b in bars)
        if not total:
            return ""
        unset = next((b.total for b in bars if not b.label), 0)
        dormant = sum(b.dormant for b in bars)
        parts = [plural(total, "person", "people")]
        if target:
            there = next((b.total for b in bars if b.label.casefold() == target.casefold()), 0)
            parts.append(f"{there:,} in {target}")
        parts.append(f"{plural(dormant, 'dormant tie')} worth reviving")
        text = ", ".join(parts) + "."
        if unset:
            text += (
                f" {unset:,} {'has' if unset == 1 else 'have'} no industry yet: Suggest "
                "industries fills them in with your confirmation."
            )
        return text

    def _target_edited(self) -> None:
        self.target_changed.emit(self.target.currentText().strip())

    def _industry_chosen(self, bar: Bar) -> None:
        label = f"industry {bar.label}" if bar.label else "no industry set"
        self.show_people.emit(Narrow(industry=bar.label, label=f"{label} ({bar.total})"))

    def _employer_chosen(self, bar: Bar) -> None:
        self.show_people.emit(Narrow(org_key=bar.key, label=f"at {bar.label} ({bar.total})"))
