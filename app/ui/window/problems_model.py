"""Import problems as a table model: file, line, what happened."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.ui.common.text import plain_tooltip
from app.vcard.problems import Problem, Severity

Index = QModelIndex | QPersistentModelIndex
HEADERS = ["File", "Line", "", "What happened"]


class ProblemsModel(QAbstractTableModel):
    def __init__(self, problems: list[Problem], parent: Any = None) -> None:
        super().__init__(parent)
        # Errors (skipped cards) first, then warnings, each in file order.
        self._rows = sorted(
            problems, key=lambda p: (p.severity is not Severity.ERROR, p.file, p.line)
        )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self.data(index, Qt.ItemDataRole.DisplayRole) or "") or None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return p.file
            if col == 1:
                return str(p.line) if p.line else ""
            if col == 2:
                return "skipped" if p.severity is Severity.ERROR else "note"
            if col == 3:
                return p.message
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor("#b3261e") if p.severity is Severity.ERROR else QColor("#7a5900")
        return None

    def as_text(self) -> str:
        return "\n".join(f"{p.severity.value}\t{p}" for p in self._rows)
