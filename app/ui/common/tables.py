"""Read-only tables the tabs share: rows of a RowsModel, a list of people, a day as text."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.services.contacts import ContactRow
from app.ui.common.rows_model import RowsModel

OVERDUE = QColor("#b3261e")
CONTENTS_PRECISION = 30  # rows looked at to size a column to its contents


def day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


class PeopleModel(RowsModel):
    headers = ("Name", "Organisation")

    def cells(self, row: ContactRow) -> tuple[str, ...]:
        return row.name, row.organization


def people_table(model: RowsModel, name: str) -> QTableView:
    """A list of contacts; Enter or a double-click opens one (the view's activated)."""
    view = rows_table(model, name)
    view.setToolTip("Double-click or press Enter to open")
    return view


def rows_table(model: RowsModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # Sized from the first rows only: a history of 500 is not measured line by line.
    header.setResizeContentsPrecision(CONTENTS_PRECISION)
    header.setStretchLastSection(True)
    view.setMinimumHeight(view.fontMetrics().height() * 5)
    view.setMaximumHeight(view.fontMetrics().height() * 11)
    return view
