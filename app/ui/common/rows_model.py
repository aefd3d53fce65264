"""A table model over a list of plain rows, shown as text (tooltips escaped)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.ui.common.text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A list of plain rows shown as text columns (subclasses say which)."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self._cells: dict[int, tuple[str, ...]] = {}  # formatted once per row, not per paint

    def cells(self, row: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._cells.clear()
        self.endResetModel()

    def update_rows(self, rows: list[Any]) -> None:
        """The same rows with new values: repainted in place, the selection kept."""
        assert len(rows) == len(self.rows)
        self.rows = rows
        self._cells.clear()
        if rows:
            last = self.index(len(rows) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.decoration(self.rows[index.row()], index.column(), role)
        cells = self._cells.get(index.row())
        if cells is None:
            cells = self._cells[index.row()] = self.cells(self.rows[index.row()])
        value = cells[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return value
        return plain_tooltip(value) or None

    def decoration(self, row: Any, column: int, role: int) -> Any:
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return None


DIFFERS = QColor("#fff4ce")


class CompareModel(RowsModel):
    """Two versions of a person side by side, rows (label, left, right) with the label as the
    row's header; rows where they differ are shaded. Duplicates and sync conflicts."""

    def __init__(self, headers: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = headers

    def cells(self, row: tuple[str, str, str]) -> tuple[str, ...]:
        return row[1], row[2]

    def decoration(self, row: tuple[str, str, str], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and row[1].casefold() != row[2].casefold():
            return DIFFERS
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return self.rows[section][0] if 0 <= section < len(self.rows) else None
        return super().headerData(section, orientation, role)
