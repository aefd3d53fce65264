"""The contact list as a real Qt model: it holds ids and fetches rows lazily, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from sqlalchemy.orm import Session

from app.services import search
from app.services.contacts import ContactRow, Narrow, SortKey, fetch_rows, list_contact_ids
from app.storage.db import Database
from app.ui.common.text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1
EMAIL_ROLE = Qt.ItemDataRole.UserRole + 2
_ID, _EMAIL = int(ID_ROLE), int(EMAIL_ROLE)
_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
_ANSWERED = frozenset((_DISPLAY, _TOOLTIP, _ID, _EMAIL))

COLUMNS: list[tuple[str, SortKey]] = [
    ("Name", SortKey.NAME),
    ("Organisation", SortKey.ORGANIZATION),
    ("Title", SortKey.TITLE),
    ("Industry", SortKey.INDUSTRY),
    ("Last contact", SortKey.LAST_CONTACT),
]
# Rows read at a time: two screens of a full-HD window. 200 made every keystroke of a search
# read 200 rows for the 30 it shows (2.5 ms of 17 at 50,000 contacts).
PAGE = 80
# Rows kept between keystrokes (a search shows mostly people shown a moment ago); beyond
# this many they are read again, so scrolling through 50,000 does not keep all of them.
KEPT = 5000


@dataclass(frozen=True)
class Listing:
    """The search, order and filter of the contact list."""

    query: str
    sort: SortKey
    descending: bool
    narrow: Narrow | None


def first_rows(session: Session, ids: list[int], show: int | None) -> dict[int, ContactRow]:
    """The rows of *ids* the list shows first: around contact *show*, or at the top (on a
    worker: the first reads of a list's rows took the window 15 ms after an import)."""
    try:
        at = ids.index(show) if show is not None else 0  # none shown: the top
    except ValueError:
        at = 0
    return fetch_rows(session, ids[max(0, at - PAGE) : at + PAGE])


def read_ids(session: Session, listing: Listing) -> list[int]:
    """The ids the list shows for *listing*, in order (on any thread, with its own session)."""
    return list_contact_ids(
        session, listing.query, listing.sort, listing.descending, narrow=listing.narrow
    )


class ContactTableModel(QAbstractTableModel):
    def __init__(self, db: Database, parent: Any = None) -> None:
        super().__init__(parent)
        self._db = db
        self._ids: list[int] = []
        # By contact id, kept while the contacts do not change (a search reads none again).
        self._rows: dict[int, ContactRow] = {}
        self._cells: dict[int, tuple[str, ...]] = {}  # the columns as shown, beside _rows
        self._loaded = False  # no ids read yet
        # Everyone in the current order and filter, without the search: the search filters it.
        self._everyone: tuple[tuple[SortKey, bool, Narrow | None], search.Matcher] | None = None
        self._query = ""
        self.narrow: Narrow | None = None  # a filter beside the search (network map, ...)
        self._sort = SortKey.NAME
        self._descending = False

    # -- what the view asks -------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks a dozen roles per cell at every paint; all but these are answered
        # before anything else is looked at (plain ints: comparing Qt's enums costs more).
        if role not in _ANSWERED:
            return None
        r = index.row()
        if not 0 <= r < len(self._ids):
            return None
        if role == _ID:
            return self._ids[r]
        row = self._row(r)
        if row is None:
            return None
        if role == _EMAIL:
            return row.email
        cells = self._cells.get(row.id)
        if cells is None:  # formatted once per row, not once per paint
            cells = self._cells[row.id] = (
                row.name,
                row.organization,
                row.title,
                row.industry,
                row.last_contact.isoformat() if row.last_contact else "",
            )
        col = index.column()
        value = cells[col] if 0 <= col < len(cells) else None
        if role == _TOOLTIP:
            return plain_tooltip(value or "") or None
        return value

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key, descending = COLUMNS[column][1], order == Qt.SortOrder.DescendingOrder
        if self._loaded and (key, descending) == (self._sort, self._descending):
            return  # Qt sorts again when the column is set: at 50,000 each read was 0.1 s
        self._sort, self._descending = key, descending
        if self._loaded:  # before the first load, that load will use the new order
            # A reset, not a layout change: the window re-selects the current contact by id.
            self.refresh()

    # -- what the window asks -----------------------------------------------
    def set_query(self, query: str) -> None:
        """Show the contacts matching *query*: the full-text index says which, and the list
        as it is without a query (kept between keystrokes) gives their order. Sorting the
        matches in SQL took 20 to 100 ms a keystroke at 50,000 contacts."""
        self._query = query
        self.beginResetModel()
        with self._db.session() as s:
            self._ids = self._matching(s)
        self._after_read()
        self.endResetModel()

    def set_narrow(self, narrow: Narrow | None) -> None:
        self.narrow = narrow
        self.refresh()

    def refresh(self) -> None:
        """Read the list again (the contacts may have changed)."""
        self._forget()
        self.beginResetModel()
        self._reload_ids()
        self.endResetModel()

    def listing(self) -> Listing:
        """What the list shows now: a worker can read the ids for it (read_ids)."""
        return Listing(self._query, self._sort, self._descending, self.narrow)

    def show_ids(
        self, listing: Listing, ids: list[int], rows: dict[int, ContactRow] | None = None
    ) -> None:
        """Show ids a worker read for *listing* (and some of their *rows*); re-read them if
        the list changed since."""
        if listing != self.listing():
            self.refresh()
            return
        self._forget()
        self._rows.update(rows or {})
        if not listing.query.strip():  # everyone in this order: the next keystroke needs them
            order = (listing.sort, listing.descending, listing.narrow)
            self._everyone = (order, search.Matcher(ids))
        self.beginResetModel()
        self._ids = ids
        self._after_read()
        self.endResetModel()

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, contact_id: int) -> int:
        try:
            return self._ids.index(contact_id)
        except ValueError:
            return -1

    @property
    def query(self) -> str:
        return self._query

    # -- internals ----------------------------------------------------------
    def _reload_ids(self) -> None:
        with self._db.session() as s:
            self._ids = self._matching(s)
        self._after_read()

    def _after_read(self) -> None:
        self._loaded = True

    def _forget(self) -> None:
        """Drop what was read of the contacts: they may have changed."""
        self._everyone = None
        self._rows.clear()
        self._cells.clear()

    def _matching(self, session: Session) -> list[int]:
        """The ids for the current listing, from the cached list of everyone in this order."""
        order = (self._sort, self._descending, self.narrow)
        if self._everyone is None or self._everyone[0] != order:
            everyone = read_ids(session, Listing("", *order))
            self._everyone = (order, search.Matcher(everyone))
        return self._everyone[1].matching(session, self._query)

    def _row(self, row: int) -> ContactRow | None:
        cid = self._ids[row]
        if cid not in self._rows:
            if len(self._rows) > KEPT:
                self._rows.clear()
                self._cells.clear()
            start = max(0, row - PAGE // 4)
            page = [i for i in self._ids[start : start + PAGE] if i not in self._rows]
            with self._db.session() as s:
                self._rows.update(fetch_rows(s, page))
        return self._rows.get(cid)
