"""Review possible duplicates: two people with one name, side by side; the user decides."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.model.records import ContactRecord
from app.services.contacts import ContactNotFound, get_contact
from app.services.duplicates import DuplicatePair, find_possible_duplicates
from app.storage.db import Database
from app.ui.rows_model import CompareModel, RowsModel
from app.ui.text import plain_label
from app.ui.widgets import button_row


def _fields(r: ContactRecord) -> list[tuple[str, str]]:
    """What the comparison shows of a person, one line per field."""
    return [
        ("Name", r.display_name),
        ("Organisation", " / ".join(x for x in (r.organization, r.department) if x)),
        ("Title", r.title),
        ("Emails", "\n".join(e.value for e in r.emails)),
        ("Phones", "\n".join(p.value for p in r.phones)),
        ("Web", "\n".join(u.value for u in r.urls)),
        ("Addresses", "\n".join(a.one_line() for a in r.addresses)),
        ("Birthday", r.birthday.iso() if r.birthday else ""),
        ("Tags", ", ".join(r.tags)),
        ("How we met", r.how_met),
        ("Note", r.note),
        ("Added", f"{r.created_at:%Y-%m-%d}" if r.created_at else ""),
    ]


class PairsModel(RowsModel):
    """The possible duplicates still to decide: (pair, name, organisations) by name."""

    headers = ("Name", "Organisations")

    def cells(self, row: tuple[DuplicatePair, str, str]) -> tuple[str, ...]:
        return row[1], row[2]

    @property
    def pairs(self) -> list[tuple[DuplicatePair, str, str]]:
        return self.rows


class RecordsModel(CompareModel):
    """Two records field by field, as the duplicates dialog compares them."""

    def set_records(self, a: ContactRecord | None, b: ContactRecord | None) -> None:
        if a is None or b is None:
            self.set_rows([])
            return
        self.set_rows(
            [
                (label, va, vb)
                for (label, va), (_l, vb) in zip(_fields(a), _fields(b), strict=True)
                if va or vb
            ]
        )


class DuplicatesDialog(QDialog):
    """The list of pairs on the left, the chosen pair compared on the right.

    Merging and "different people" are carried out by the main window (undoably) through
    the signals; the dialog then refreshes its list.
    """

    merge_requested = Signal(int, int, str, str)  # keep id, other id, keep name, other name
    different_requested = Signal(int, int, str, str)

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        pair: DuplicatePair | None = None,
    ) -> None:
        """*pair*: compare these two only (Merge Two Contacts, Ctrl+M), closing once decided."""
        super().__init__(parent)
        self._db = db
        self._pair = pair
        self.setWindowTitle("Possible duplicates" if pair is None else "Merge two contacts")
        self.setObjectName("duplicates_dialog")
        self.resize(980, 600)
        self._records: tuple[ContactRecord, ContactRecord] | None = None
        self.intro = plain_label(
            "These contacts have the same name. Second Act never merges people on a name "
            "alone: look at both and decide. Merging keeps everything (where the two differ, "
            "the right one's details go into the note); Edit ▸ Undo splits them again."
            if pair is None
            else "Look at both before merging: the left one is kept (Swap sides to keep the "
            "other). Merging keeps everything (where the two differ, the right one's details "
            "go into the note); Edit ▸ Undo splits them again."
        )
        self.intro.setWordWrap(True)
        self.pairs = PairsModel(self)
        self.pair_view = QTableView()
        self.pair_view.setObjectName("pairs")
        self.pair_view.setModel(self.pairs)
        self.pair_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pair_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pair_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pair_view.verticalHeader().hide()
        self.pair_view.verticalHeader().setDefaultSectionSize(
            self.pair_view.fontMetrics().height() + 10
        )
        self.pair_view.setWordWrap(False)
        self.pair_view.setTabKeyNavigation(False)
        self.pair_view.horizontalHeader().setStretchLastSection(True)
        self.pair_view.setColumnWidth(0, 180)
        self.pair_view.selectionModel().currentRowChanged.connect(self.on_pair_changed)
        self.compare = RecordsModel(("Kept (left)", "Other (right)"), self)
        self.compare_view = QTableView()
        self.compare_view.setObjectName("compare")
        self.compare_view.setModel(self.compare)
        self.compare_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare_view.setTabKeyNavigation(False)
        self.compare_view.setWordWrap(True)
        header = self.compare_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.compare_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.empty = plain_label("No possible duplicates left to review.")
        self.empty.setObjectName("no_duplicates")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.merge_button = QPushButton("&Merge")
        self.merge_button.setObjectName("merge")
        self.merge_button.setShortcut(QKeySequence("Ctrl+M"))
        self.merge_button.setToolTip("Merge the right one into the left one (Ctrl+M)")
        self.swap_button = QPushButton("S&wap sides")
        self.swap_button.setObjectName("swap")
        self.different_button = QPushButton("&Different people")
        self.different_button.setObjectName("different")
        self.different_button.setToolTip("Keep both, and do not ask about this pair again")
        self.skip_button = QPushButton("&Skip")
        self.skip_button.setObjectName("skip")
        self.merge_button.clicked.connect(self.on_merge)
        self.swap_button.clicked.connect(self.on_swap)
        self.different_button.clicked.connect(self.on_different)
        self.skip_button.clicked.connect(self.on_skip)
        actions = button_row(
            self.merge_button, self.swap_button, self.different_button, self.skip_button
        )

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.compare_view, 1)
        right_layout.addWidget(self.empty, 1)
        right_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.pair_view)
        splitter.addWidget(right)
        splitter.setSizes([330, 650])
        splitter.setChildrenCollapsible(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.setTabOrder(self.pair_view, self.merge_button)
        if pair is not None:
            self.skip_button.hide()  # one pair: nothing to skip to
            self.pair_view.hide()
        self.refresh()

    def refresh(self, keep_row: int = 0) -> None:
        """Re-read the pairs still undecided; select the one at *keep_row* (or the last)."""
        with self._db.session() as s:
            found = find_possible_duplicates(s) if self._pair is None else [self._pair]
            rows = []
            for pair in found:
                try:
                    a, b = get_contact(s, pair.first), get_contact(s, pair.second)
                except ContactNotFound:
                    continue
                orgs = " / ".join(dict.fromkeys(x for x in (a.organization, b.organization) if x))
                rows.append((pair, a.display_name, orgs))
        self.pairs.set_rows(rows)
        has = bool(rows)
        for w in (self.merge_button, self.swap_button, self.different_button, self.skip_button):
            w.setEnabled(has)
        self.compare_view.setVisible(has)
        self.empty.setVisible(not has)
        if has:
            self.pair_view.selectRow(min(keep_row, len(rows) - 1))
            self.pair_view.setFocus()
        else:
            self.compare.set_records(None, None)
            self._records = None

    def count(self) -> int:
        return self.pairs.rowCount()

    def current_row(self) -> int:
        index = self.pair_view.selectionModel().currentIndex()
        return index.row() if index.isValid() else -1

    def on_pair_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        pair = self.pairs.pairs[current.row()][0]
        with self._db.session() as s:
            try:
                self._records = (get_contact(s, pair.first), get_contact(s, pair.second))
            except ContactNotFound:
                self._records = None
        self.compare.set_records(*(self._records or (None, None)))

    def on_swap(self) -> None:
        if self._records is not None:
            self._records = (self._records[1], self._records[0])
            self.compare.set_records(*self._records)

    def _ids_and_names(self) -> tuple[int, int, str, str] | None:
        if self._records is None:
            return None
        a, b = self._records
        assert a.id is not None and b.id is not None
        return a.id, b.id, a.display_name, b.display_name

    def on_merge(self) -> None:
        self._decide(self.merge_requested)

    def on_different(self) -> None:
        self._decide(self.different_requested)

    def _decide(self, signal: Signal) -> None:
        chosen = self._ids_and_names()
        if chosen is None:
            return
        row = self.current_row()
        signal.emit(*chosen)
        if self._pair is not None:
            self.accept()  # the one pair is decided
        else:
            self.refresh(row)

    def on_skip(self) -> None:
        row = self.current_row()
        if self.count():
            self.pair_view.selectRow((row + 1) % self.count())
