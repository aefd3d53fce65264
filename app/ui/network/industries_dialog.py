"""Confirm the industries Second Act suggests from organisation and title, and edit the
keyword table the suggestions come from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.industries import DEFAULT_KEYWORDS, Suggestion
from app.ui.common.text import plain_label, plain_tooltip
from app.ui.common.widgets import button_row, commit_open_editors


def _item(text: str, editable: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    if editable:
        flags |= Qt.ItemFlag.ItemIsEditable
    item.setFlags(flags)
    item.setToolTip(plain_tooltip(text))
    return item


class IndustriesDialog(QDialog):
    """Suggestions to tick (and correct) before they are applied; the keyword table."""

    def __init__(
        self,
        suggestions: list[Suggestion],
        keywords: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("industries_dialog")
        self.setWindowTitle("Industries")
        self.resize(820, 560)
        self.suggestions = suggestions
        self.table = QTableWidget(len(suggestions), 4)
        self.table.setObjectName("industry_suggestions")
        self.table.setHorizontalHeaderLabels(["Name", "Organisation", "Title", "Industry"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        for row, s in enumerate(suggestions):
            name = _item(s.name)
            name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked if s.suggested else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, _item(s.organization))
            self.table.setItem(row, 2, _item(s.title))
            self.table.setItem(row, 3, _item(s.suggested or s.industry, editable=True))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((180, 200, 200)):
            self.table.setColumnWidth(col, width)
        self.table.itemChanged.connect(self._typed)
        explain = plain_label(
            "Industry is not part of an address book, so Second Act suggests one from each "
            "person's organisation and title. Tick the ones that are right, correct any in the "
            "Industry column (double-click), then Apply. Nothing changes until you do, and "
            "Undo takes it back."
            if suggestions
            else "Everyone has an industry. To change one, select people in the list and use "
            "Contact ▸ Set Industry."
        )
        explain.setWordWrap(True)
        check_all = QPushButton("Tick all")
        check_all.clicked.connect(lambda: self._check_all(Qt.CheckState.Checked))
        check_none = QPushButton("Tick none")
        check_none.clicked.connect(lambda: self._check_all(Qt.CheckState.Unchecked))
        suggest_page = QWidget()
        sl = QVBoxLayout(suggest_page)
        sl.addWidget(explain)
        sl.addWidget(self.table, 1)
        sl.addLayout(button_row(check_all, check_none))

        self.keywords = QTableWidget(0, 2)
        self.keywords.setObjectName("industry_keywords")
        self.keywords.setHorizontalHeaderLabels(["Word in organisation or title", "Industry"])
        self.keywords.verticalHeader().hide()
        self.keywords.horizontalHeader().setStretchLastSection(True)
        self.keywords.setColumnWidth(0, 260)
        self._fill_keywords(keywords)
        add = QPushButton("Add row")
        add.clicked.connect(self._add_keyword)
        remove = QPushButton("Remove row")
        remove.clicked.connect(lambda: self.keywords.removeRow(self.keywords.currentRow()))
        defaults = QPushButton("Back to the defaults")
        defaults.clicked.connect(lambda: self._fill_keywords(DEFAULT_KEYWORDS))
        keyword_page = QWidget()
        kl = QVBoxLayout(keyword_page)
        note = plain_label(
            "The first row whose word appears (as a whole word) in the organisation, or else "
            "in the title, gives the suggestion. Changes here apply the next time you open "
            "this window."
        )
        note.setWordWrap(True)
        kl.addWidget(note)
        kl.addWidget(self.keywords, 1)
        kl.addLayout(button_row(add, remove, defaults))

        self.pages = QTabWidget()
        self.pages.addTab(suggest_page, f"&Suggestions ({len(suggestions):,})")
        self.pages.addTab(keyword_page, "&Keywords")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        """An industry still being typed in a cell counts (it used to be lost, so what was
        ticked and typed was applied only on a second run)."""
        commit_open_editors(self)
        super().accept()

    def _typed(self, item: QTableWidgetItem) -> None:
        if item.column() == 3 and item.text().strip():
            name = self.table.item(item.row(), 0)
            if name is not None:
                name.setCheckState(Qt.CheckState.Checked)

    def _check_all(self, state: Qt.CheckState) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None:
                item.setCheckState(state)

    def _fill_keywords(self, keywords: list[tuple[str, str]]) -> None:
        self.keywords.setRowCount(0)
        for k, v in keywords:
            self._add_keyword(k, v)

    def _add_keyword(self, keyword: str = "", industry: str = "") -> None:
        row = self.keywords.rowCount()
        self.keywords.insertRow(row)
        self.keywords.setItem(row, 0, QTableWidgetItem(keyword))
        self.keywords.setItem(row, 1, QTableWidgetItem(industry))
        if not keyword:
            self.keywords.setCurrentCell(row, 0)

    def set_industry(self, row: int, industry: str) -> None:
        """What the user does by double-clicking the Industry cell and typing."""
        item = self.table.item(row, 3)
        assert item is not None
        item.setText(industry)

    def chosen(self) -> dict[int, str]:
        """Ticked rows with an industry: contact id → industry."""
        out: dict[int, str] = {}
        for row, s in enumerate(self.suggestions):
            name, industry = self.table.item(row, 0), self.table.item(row, 3)
            if name is None or industry is None:
                continue
            value = industry.text().strip()
            if name.checkState() == Qt.CheckState.Checked and value:
                out[s.contact_id] = value
        return out

    def keyword_table(self) -> list[tuple[str, str]]:
        out = []
        for row in range(self.keywords.rowCount()):
            k, v = self.keywords.item(row, 0), self.keywords.item(row, 1)
            if k is not None and v is not None and k.text().strip() and v.text().strip():
                out.append((k.text().strip(), v.text().strip()))
        return out
