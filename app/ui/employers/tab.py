"""The LAMP list: target employers rated in place, sorted as the 2-Hour Job Search says, and
who the user knows at the top five."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.contacts import Narrow
from app.services.employers import TOP, EmployerRow, lamp_list, people_there
from app.storage.db import Database
from app.ui.common.rows_model import RowsModel
from app.ui.common.text import plain_label, plain_tooltip, plural

Index = QModelIndex | QPersistentModelIndex

NAME, ADVOCACY, MOTIVATION, POSTING, KNOWN, NOTE = range(6)
SHOWN = 20  # people listed under each of the top employers; "show all" lists the rest
HEADERS = ("Employer", "Advocacy", "Motivation (1–5)", "Posting (1–3)", "People you know", "Note")
FIELDS = {
    NAME: "name",
    ADVOCACY: "advocacy",
    MOTIVATION: "motivation",
    POSTING: "posting",
    NOTE: "note",
}
ADVOCACY_CHOICES = [("From my contacts", ""), ("Yes", "yes"), ("No", "no")]
MOTIVATION_CHOICES = [("–", 0)] + [(str(n), n) for n in range(1, 6)]
POSTING_CHOICES = [
    ("–", 0),
    ("1: no posting", 1),
    ("2: some posting", 2),
    ("3: a posting for my role", 3),
]
CHOICES: dict[int, list[tuple[str, Any]]] = {
    ADVOCACY: ADVOCACY_CHOICES,
    MOTIVATION: MOTIVATION_CHOICES,
    POSTING: POSTING_CHOICES,
}


def advocacy_text(row: EmployerRow) -> str:
    yes = "Yes" if row.advocacy else "No"
    return yes if row.advocacy_set else f"{yes} (from contacts)"


class LampModel(RowsModel):
    """Edits are not written here: edit_requested goes to the window, which pushes an undo step
    and refreshes the list (which re-sorts it)."""

    headers = HEADERS
    edit_requested = Signal(int, str, object)  # employer id, field, value
    rows: list[EmployerRow]

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() in FIELDS else base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = {
                NAME: row.name,
                ADVOCACY: advocacy_text(row),
                MOTIVATION: str(row.motivation or "–"),
                POSTING: str(row.posting or "–"),
                KNOWN: str(row.known or ""),
                NOTE: row.note,
            }[col]
            return plain_tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        if role == Qt.ItemDataRole.EditRole:
            field = FIELDS.get(col)
            if field == "advocacy":
                return row.advocacy_set
            return getattr(row, field) if field else None
        if role == Qt.ItemDataRole.FontRole and index.row() < TOP:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (MOTIVATION, POSTING, KNOWN):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() not in FIELDS:
            return False
        row = self.rows[index.row()]
        field = FIELDS[index.column()]
        if isinstance(value, str) and field in ("name", "note"):
            value = value.strip()
            if field == "name" and not value:
                return False
        current = row.advocacy_set if field == "advocacy" else getattr(row, field)
        if value == current:
            return False
        self.edit_requested.emit(row.id, field, value)
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box for Advocacy, Motivation and Posting; plain text for the rest."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        choices = CHOICES.get(index.column())
        if choices is None:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        combo.setObjectName("lamp_choice")
        for text, data in choices:
            combo.addItem(text, data)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


class EmployersTab(QWidget):
    add_requested = Signal(str)
    delete_requested = Signal(int)
    edit_requested = Signal(int, str, object)
    open_contact = Signal(int)
    show_people = Signal(object)  # Narrow: everyone at an employer, in the Contacts tab
    from_contacts_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        intro = plain_label(
            "Your LAMP list (the 2-Hour Job Search): aim for 40 employers you would like to "
            "work for. Rate Motivation (1–5) and Posting (3 = a posting for your role, 2 = some "
            "posting, 1 = none); Advocacy is “yes” when you know someone there. The list sorts "
            "itself by Motivation, then Posting, then Advocacy: work the top five (in bold), "
            "two people at each. Double-click a cell to change it; Ctrl+Z undoes."
        )
        intro.setWordWrap(True)
        self.new_name = QLineEdit()
        self.new_name.setObjectName("new_employer")
        self.new_name.setPlaceholderText("Add an employer, e.g. Mass General Brigham")
        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName("add_employer")
        self.from_contacts_button = QPushButton("Add from my contacts' organi&sations…")
        self.from_contacts_button.setObjectName("employers_from_contacts")
        self.delete_button = QPushButton("&Remove")
        self.delete_button.setObjectName("delete_employer")
        self.add_button.clicked.connect(self._add)
        self.new_name.returnPressed.connect(self._add)
        self.from_contacts_button.clicked.connect(self.from_contacts_requested)
        self.delete_button.clicked.connect(self._delete)

        self.model = LampModel(self)
        self.model.edit_requested.connect(self.edit_requested)
        self.table = QTableView()
        self.table.setObjectName("lamp_table")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ChoiceDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((230, 150, 120, 170, 120)):
            self.table.setColumnWidth(col, width)
        self.empty = plain_label(
            "No target employers yet. Type one above and press Enter, or add the organisations "
            "your contacts work at."
        )
        self.empty.setObjectName("lamp_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.top = QTreeWidget()
        self.top.setObjectName("lamp_top")
        self.top.setHeaderLabels(["Top five: who you know there", "Title"])
        self.top.setColumnWidth(0, 260)
        self.top.itemActivated.connect(self._open)

        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.from_contacts_button)
        add_row.addWidget(self.delete_button)
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.addWidget(intro)
        ul.addLayout(add_row)
        ul.addWidget(self.table, 1)
        ul.addWidget(self.empty, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(self.top)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.setTabOrder(self.new_name, self.add_button)
        self.setTabOrder(self.add_button, self.from_contacts_button)
        self.setTabOrder(self.from_contacts_button, self.delete_button)
        self.setTabOrder(self.delete_button, self.table)
        self.setTabOrder(self.table, self.top)

    def refresh(self, keep: int | None = None) -> None:
        keep = keep if keep is not None else self.current_id()
        with self._db.session() as s:
            rows = lamp_list(s)
            top = [(r, people_there(s, r.id, limit=SHOWN)) for r in rows[:TOP]]
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.delete_button.setEnabled(bool(rows))
        self.top.setVisible(bool(rows))
        ids = [r.id for r in rows]
        if rows:
            self.table.selectRow(ids.index(keep) if keep in ids else 0)
        self.top.clear()
        for row, people in top:
            # The count is the table's "People you know": the same number in both places.
            parent = QTreeWidgetItem(
                [
                    f"{row.name}: {plural(row.known, 'person', 'people')}"
                    if people
                    else f"{row.name}: nobody yet — who could introduce you?",
                    "",
                ]
            )
            parent.setToolTip(0, plain_tooltip(row.name))
            for p in people:
                child = QTreeWidgetItem([p.name, p.title])
                child.setData(0, Qt.ItemDataRole.UserRole, p.id)
                child.setToolTip(0, "Double-click or press Enter to open")
                parent.addChild(child)
            if row.known > len(people):
                more = QTreeWidgetItem(
                    [f"…and {row.known - len(people)} more: show all {row.known} in Contacts", ""]
                )
                more.setData(
                    0,
                    Qt.ItemDataRole.UserRole,
                    Narrow(org_key=row.match_key, label=f"at {row.name} ({row.known})"),
                )
                more.setToolTip(0, "Double-click or press Enter to list them in Contacts")
                parent.addChild(more)
            self.top.addTopLevelItem(parent)
            parent.setExpanded(True)

    def current_id(self) -> int | None:
        index = self.table.selectionModel().currentIndex() if self.table.selectionModel() else None
        if index is None or not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()].id

    def _add(self) -> None:
        name = self.new_name.text().strip()
        if name:
            self.add_requested.emit(name)
            self.new_name.clear()

    def _delete(self) -> None:
        cid = self.current_id()
        if cid is not None:
            self.delete_requested.emit(cid)

    def _open(self, item: QTreeWidgetItem, _column: int) -> None:
        cid = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(cid, int):
            self.open_contact.emit(cid)
        elif isinstance(cid, Narrow):
            self.show_people.emit(cid)
