"""Review possible duplicates: the people who share a name, a group per name, two of them
side by side; the user decides for two, for some, or for the whole group.

The groups are counted and read a page at a time (a book of 50,000 can have 400 names shared
by 50 to 80 people each: 1.3 million pairs, which are never made); after a decision only the
group decided on is read again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
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
from sqlalchemy.orm import Session

from app.model.records import ContactRecord
from app.services.contacts import ContactNotFound, ContactRow, fetch_rows, get_contact, names_of
from app.services.duplicates import (
    DuplicateGroup,
    DuplicatePair,
    count_duplicate_groups,
    duplicate_groups,
    first_undecided_pair,
    groups_named,
)
from app.storage.db import Database
from app.ui.common.rows_model import CompareModel, Index, RowsModel
from app.ui.common.tables import rows_table
from app.ui.common.text import plain_label
from app.ui.common.widgets import button_row


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


PAGE = 50  # groups read at a time, as the list is scrolled


UNBOUNDED = (1 << 24) - 1  # Qt's QWIDGETSIZE_MAX, which PySide6 does not export


class GroupsModel(RowsModel):
    """The names still to review, (group, name) by name, read a page at a time."""

    headers = ("Name", "People")

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.total = 0  # groups to review, counted in SQL
        self._read = 0  # groups asked of the database so far

    def cells(self, row: tuple[DuplicateGroup, str]) -> tuple[str, ...]:
        return row[1], str(len(row[0].ids))

    def load(self) -> None:
        """Count the groups and read the first page."""
        with self._db.session() as s:
            self.total = count_duplicate_groups(s)
            rows = self._page(s, 0)
        self._read = PAGE
        self.set_rows(rows)

    def _page(self, s: Session, offset: int) -> list[tuple[DuplicateGroup, str]]:
        groups = duplicate_groups(s, offset, PAGE)
        names = names_of(s, [g.ids[0] for g in groups])
        return [(g, names.get(g.ids[0], "")) for g in groups]

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._read < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        with self._db.session() as s:
            # Groups decided since the last page left the query's order: read from how
            # many are listed, skipping any already there.
            rows = self._page(s, len(self.rows))
        have = {g.key for g, _n in self.rows}
        rows = [r for r in rows if r[0].key not in have]
        self._read = len(self.rows) + PAGE
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def reread(self, row: int) -> None:
        """After a decision on the group at *row*: read it again, or drop it if decided."""
        key = self.rows[row][0].key
        with self._db.session() as s:
            found = groups_named(s, [key])
            names = names_of(s, [found[0].ids[0]]) if found else {}
        if found:
            self.rows[row] = (found[0], names.get(found[0].ids[0], ""))
            self._cells.pop(row, None)
            self.dataChanged.emit(self.index(row, 0), self.index(row, 1))
        else:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self._cells = {}
            self.endRemoveRows()
            self.total -= 1
            self._read -= 1


class MembersModel(RowsModel):
    """One group's people, oldest first: enough of each to tell namesakes apart."""

    headers = ("Name", "Organisation", "Title", "Email")

    def cells(self, row: ContactRow) -> tuple[str, ...]:
        return row.name, row.organization, row.title, row.email


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
    merge_many_requested = Signal(int, list, str)  # keep id, the others' ids, the name
    all_different_requested = Signal(list, str)  # the ids kept apart from each other, name

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
        self.groups = GroupsModel(db, self)
        self.group_view = rows_table(self.groups, "groups")
        self.group_view.setColumnWidth(0, 180)
        # The list of names fills the dialog's height: rows_table's cap (eleven lines, for a
        # pane's short lists) held the whole splitter down and left the dialog half empty.
        self.group_view.setMaximumHeight(UNBOUNDED)
        self.group_view.selectionModel().currentRowChanged.connect(self.on_group_changed)
        self.members = MembersModel(self)
        self.member_view = rows_table(self.members, "members")
        self.member_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.member_view.setToolTip(
            "Select two to compare them (Ctrl+click or Shift+click for more)"
        )
        self.member_view.selectionModel().selectionChanged.connect(self.on_members_chosen)
        self._chosen: list[int] = []  # the members selected, oldest first
        self._deciding: str | None = None  # the group a decision was asked for, until done
        self.told_when_decided = False  # the window calls `decided` (set by whoever connects it)
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
        # Ctrl+M as a shortcut of the dialog's, not the button's: a button has one shortcut,
        # and its text's "&Merge" (set again as the choice changes) took Ctrl+M's place.
        self.merge_shortcut = QShortcut(QKeySequence("Ctrl+M"), self)
        self.merge_shortcut.activated.connect(self.merge_button.animateClick)
        self.merge_button.setToolTip("Merge the right one into the left one (Ctrl+M)")
        self.swap_button = QPushButton("S&wap sides")
        self.swap_button.setObjectName("swap")
        self.different_button = QPushButton("&Different people")
        self.different_button.setObjectName("different")
        self.different_button.setToolTip(
            "Keep the ones selected apart, and do not ask about them again"
        )
        self.all_different_button = QPushButton("&All different")
        self.all_different_button.setObjectName("all_different")
        self.all_different_button.setToolTip(
            "Everyone in this group is a different person: do not ask about them again"
        )
        self.all_different_button.clicked.connect(self.on_all_different)
        self.skip_button = QPushButton("&Skip")
        self.skip_button.setObjectName("skip")
        self.merge_button.clicked.connect(self.on_merge)
        self.swap_button.clicked.connect(self.on_swap)
        self.different_button.clicked.connect(self.on_different)
        self.skip_button.clicked.connect(self.on_skip)
        actions = button_row(
            self.merge_button,
            self.swap_button,
            self.different_button,
            self.all_different_button,
            self.skip_button,
        )

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.member_view, 1)
        right_layout.addWidget(self.compare_view, 2)
        right_layout.addWidget(self.empty, 1)
        right_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.group_view)
        splitter.addWidget(right)
        splitter.setSizes([330, 650])
        splitter.setChildrenCollapsible(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.setTabOrder(self.group_view, self.member_view)
        self.setTabOrder(self.member_view, self.merge_button)
        if pair is not None:
            for w in (self.skip_button, self.all_different_button):
                w.hide()  # one pair: nothing to skip to, no group
            self.group_view.hide()
            self.member_view.hide()
            self.empty.hide()  # the pair is what there is to review
            self._show_pair(pair.first, pair.second)
        else:
            self.groups.load()
            self._after_change(0)

    def _after_change(self, keep_row: int) -> None:
        """Select the group at *keep_row* (or the last); say so when none is left."""
        has = self.groups.rowCount() > 0
        for w in (
            self.merge_button,
            self.swap_button,
            self.different_button,
            self.all_different_button,
            self.skip_button,
        ):
            w.setEnabled(has)
        self.compare_view.setVisible(has)
        self.member_view.setVisible(has)
        self.empty.setVisible(not has)
        if has:
            row = min(keep_row, self.groups.rowCount() - 1)
            if row == self.current_row():
                self._show_group(row)  # the same row, with a new group in it
            else:
                self.group_view.selectRow(row)
            self.group_view.setFocus()
        else:
            self.members.set_rows([])
            self.compare.set_records(None, None)
            self._records = None

    def count(self) -> int:
        """How many groups (names) are left to review; one pair alone counts one."""
        return 1 if self._pair is not None else self.groups.total

    def current_row(self) -> int:
        index = self.group_view.selectionModel().currentIndex()
        return index.row() if index.isValid() else -1

    def current_group(self) -> tuple[DuplicateGroup, str] | None:
        row = self.current_row()
        return self.groups.rows[row] if 0 <= row < len(self.groups.rows) else None

    def on_group_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_group(current.row())

    def _show_group(self, row: int) -> None:
        group = self.groups.rows[row][0]
        with self._db.session() as s:
            found = fetch_rows(s, list(group.ids))
            pair = first_undecided_pair(s, group.ids)
        self.members.set_rows([found[i] for i in group.ids if i in found])
        # The oldest two not yet decided, side by side: after "Different people" on them,
        # the next pair (the two oldest were the same two again, already decided).
        self.choose([pair.first, pair.second] if pair else [r.id for r in self.members.rows[:2]])

    def choose(self, ids: list[int]) -> None:
        """Select these members of the group shown (the oldest is kept on a merge)."""
        model = self.member_view.selectionModel()
        flags = QItemSelectionModel.SelectionFlag
        model.clearSelection()
        for row, r in enumerate(self.members.rows):
            if r.id in ids:
                model.select(self.members.index(row, 0), flags.Select | flags.Rows)

    def on_members_chosen(self, *_args: object) -> None:
        rows = sorted({i.row() for i in self.member_view.selectionModel().selectedRows()})
        self._chosen = [self.members.rows[r].id for r in rows]
        if len(self._chosen) >= 2:
            self._show_pair(self._chosen[0], self._chosen[1])
        else:
            self._records = None
            self.compare.set_records(None, None)
        self.swap_button.setEnabled(len(self._chosen) == 2)
        self.merge_button.setText("&Merge" if len(self._chosen) <= 2 else "&Merge into one")

    def _show_pair(self, a: int, b: int) -> None:
        with self._db.session() as s:
            try:
                self._records = (get_contact(s, a), get_contact(s, b))
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
        if self._pair is None and len(self._chosen) > 2:
            keep, *others = self._chosen  # the oldest selected is kept
            self._decided(lambda name: self.merge_many_requested.emit(keep, others, name))
        else:
            self._decide(self.merge_requested)

    def on_different(self) -> None:
        if self._pair is None and len(self._chosen) > 2:
            chosen = list(self._chosen)
            self._decided(lambda name: self.all_different_requested.emit(chosen, name))
        else:
            self._decide(self.different_requested)

    def on_all_different(self) -> None:
        current = self.current_group()
        if current is not None:
            ids = list(current[0].ids)
            self._decided(lambda name: self.all_different_requested.emit(ids, name))

    def _decide(self, signal: SignalInstance) -> None:
        chosen = self._ids_and_names()
        if chosen is None:
            return
        if self._pair is not None:
            signal.emit(*chosen)
            self.accept()  # the one pair is decided
        else:
            self._decided(lambda _name: signal.emit(*chosen))

    def _decided(self, emit: Callable[[str], None]) -> None:
        """Ask for a decision on the group shown; that group alone is read again once it is
        carried out (the window calls `decided`), at once or after work on a pool thread."""
        current = self.current_group()
        if current is None:
            return
        self._deciding = current[0].key
        emit(current[1])
        if self._deciding is not None and not self.told_when_decided:
            self.decided()  # nobody tells this dialog: read the group again now

    def decided(self) -> None:
        """The decision asked for is carried out: read its group again."""
        key, self._deciding = self._deciding, None
        rows = [r for r, (g, _name) in enumerate(self.groups.rows) if g.key == key]
        if key is None or not rows:
            return
        self.groups.reread(rows[0])
        self._after_change(rows[0])

    def on_skip(self) -> None:
        row = self.current_row()
        if self.groups.rowCount():
            self.group_view.selectRow((row + 1) % self.groups.rowCount())
