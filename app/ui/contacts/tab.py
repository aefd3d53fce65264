"""The Contacts tab: search, the list, and the detail pane, or a welcome page when empty."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.model.records import ContactRecord
from app.services.activity import Activity, activity_of
from app.services.contacts import (
    Choice,
    ContactNotFound,
    ContactRow,
    Narrow,
    count_contacts,
    describe,
    find_choices,
    get_contact,
    load_records,
)
from app.services.duplicates import count_duplicate_groups
from app.services.sync import three_way
from app.storage.db import Database
from app.ui.common.text import plain_label
from app.ui.common.widgets import confirm_unsaved
from app.ui.contacts.activity import ActivityPanel
from app.ui.contacts.editor import ContactEditor
from app.ui.contacts.model import ContactTableModel, Listing, first_rows, read_ids
from app.ui.contacts.selection_summary import SelectionSummary


@dataclass(frozen=True)
class Pane:
    """What the contact pane shows of one person."""

    record: ContactRecord
    activity: Activity


def read_pane(session: Session, contact_id: int) -> Pane:
    """Raises ContactNotFound."""
    return Pane(get_contact(session, contact_id), activity_of(session, contact_id, dt.date.today()))


@dataclass(frozen=True)
class ReadList:
    """The contact list as a worker read it, for ContactsTab.reload."""

    listing: Listing
    ids: list[int]
    duplicates: int
    total: int  # everyone, whatever the search
    pane: Pane | None  # the contact to show, if there is one
    rows: dict[int, ContactRow]  # the lines around it (or at the top), as the list shows them


def read_list(session: Session, listing: Listing, show: int | None = None) -> ReadList:
    """On a worker: the ids for *listing*, the counts, and contact *show*'s pane.

    After an import of 50,000 cards each of these took the window tens of milliseconds
    (counting everyone, the first reads of a contact), and together more than a frame.
    """
    pane = None
    if show is not None:
        with contextlib.suppress(ContactNotFound):
            pane = read_pane(session, show)
    ids = read_ids(session, listing)
    return ReadList(
        listing,
        ids,
        count_duplicate_groups(session),
        count_contacts(session),
        pane,
        first_rows(session, ids, show),
    )


# What Ctrl does in the search box itself; its other Ctrl keys give way to the window's.
EDIT_KEYS = (
    QKeySequence.StandardKey.Copy,
    QKeySequence.StandardKey.Cut,
    QKeySequence.StandardKey.Paste,
    QKeySequence.StandardKey.Undo,
    QKeySequence.StandardKey.Redo,
    QKeySequence.StandardKey.SelectAll,
)

# The summary of several selected reads this many of them (Ctrl+A selects everyone).
SUMMARY_READ = 500
PANE_LATER = 15  # ms after the list, the contact it selected fills the pane (see reload)


class EmptyState(QWidget):
    """What a first-time user sees: where to start, in plain words."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = plain_label(title)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.text = plain_label(text)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(560)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.title)
        layout.addSpacing(8)
        # Centred with stretches, not an alignment flag: with one, the layout stops asking a
        # word-wrapped label for its height and the text is clipped.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(16)
        layout.addLayout(self.buttons)
        layout.addStretch(3)

    def add_button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        self.buttons.insertWidget(self.buttons.count(), button)
        return button

    def finish(self) -> None:
        self.buttons.addStretch(1)


class ContactsTab(QWidget):
    import_requested = Signal()
    sync_requested = Signal()
    new_requested = Signal()
    save_requested = Signal(object, object)  # before (ContactRecord | None), after
    status = Signal(str)
    duplicates_requested = Signal()
    # Who is selected or shown changed: the window enables the actions that apply.
    view_changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._current: int | None = None
        self._total: int | None = None  # contacts in all, as last counted
        self._read_total = False  # _total was just counted by a worker (reload with a read)
        self._searching = False  # a reset caused by typing in the search box
        self.ask = lambda box: box.exec()  # the main window routes dialogs through its own

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            "Search names, emails, organisations, titles, notes and tags  (Ctrl+F)"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search contacts")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(120)
        self._search_timer.timeout.connect(self.on_search_timeout)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.on_search_enter)
        self.search.installEventFilter(self)
        self.count_label = plain_label()
        self.count_label.setObjectName("count")
        self.duplicates_button = QPushButton()
        self.duplicates_button.setObjectName("duplicates_button")
        self.duplicates_button.setToolTip("Contacts with the same name: merge or keep apart")
        self.duplicates_button.clicked.connect(self.duplicates_requested)
        self.duplicates_button.hide()

        # Beside the search: "only taken", and a filter set from the network map.
        self.only_taken = QCheckBox("Only people I have o&nly taken from")
        self.only_taken.setObjectName("only_taken")
        self.only_taken.setToolTip(
            "People you have asked something of and not yet given anything back to"
        )
        self.only_taken.toggled.connect(lambda _on: self._apply_narrow())
        self.narrow_label = plain_label()
        self.narrow_label.setObjectName("narrow_label")
        self.clear_narrow_button = QPushButton("Show everyone")
        self.clear_narrow_button.setObjectName("clear_narrow")
        self.clear_narrow_button.clicked.connect(lambda: self.set_narrow(None))
        self._map_narrow: Narrow | None = None

        self.model = ContactTableModel(db, self)
        self.table = QTableView()
        self.table.setObjectName("contacts_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((180, 150, 150, 90)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self.on_current_row_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.model.modelReset.connect(self.on_model_reset)

        self.no_match = plain_label()
        self.no_match.setObjectName("no_match")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.setWordWrap(True)
        self.no_match.hide()

        self.editor = ContactEditor()
        self.editor.save_requested.connect(self.on_editor_save)
        self.editor.introduced_by.search = self._find_choices
        self.editor.describe = self._describe
        # The person's activity sits above their details: what a networker looks at first.
        self.activity = ActivityPanel(db)
        self.editor.body_layout.insertWidget(2, self.activity)
        self.editor_placeholder = plain_label("No one selected")
        self.editor_placeholder.setObjectName("no_one_selected")
        self.editor_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.editor_placeholder.setWordWrap(True)
        self.summary = SelectionSummary()  # several selected; the window adds the actions
        self.summary.setObjectName("selection_summary")
        self.detail = QStackedWidget()
        self.detail.addWidget(self.editor_placeholder)
        self.detail.addWidget(self.editor)
        self.detail.addWidget(self.summary)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.duplicates_button)
        top.addWidget(self.count_label)
        left_layout.addLayout(top)
        filters = QHBoxLayout()
        filters.addWidget(self.only_taken)
        filters.addStretch(1)
        filters.addWidget(self.narrow_label)
        filters.addWidget(self.clear_narrow_button)
        left_layout.addLayout(filters)
        self.narrow_label.hide()
        self.clear_narrow_button.hide()
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.no_match)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("contacts_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.empty = EmptyState(
            "Welcome to Second Act",
            "Your network is your biggest asset for a career change. Start by bringing in "
            "the address book you already have: export it from Outlook, Apple Contacts, "
            "Google Contacts or LinkedIn (Connections.csv) and import the file here, or "
            "sync with the address book on your phone (CardDAV: Nextcloud, iCloud, Fastmail). "
            "Or add the first person by hand.",
        )
        self.empty.setObjectName("empty_state")
        self.import_button = self.empty.add_button("Import your address book…", "import_button")
        self.sync_button = self.empty.add_button("Sync with your phone…", "sync_button")
        self.add_button = self.empty.add_button("Add a contact", "add_button")
        self.empty.finish()
        self.import_button.clicked.connect(self.import_requested)
        self.sync_button.clicked.connect(self.sync_requested)
        self.add_button.clicked.connect(self.new_requested)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.setTabOrder(self.search, self.table)
        self.reload()

    # -- loading ------------------------------------------------------------
    def reload(
        self, keep: int | None = None, read: ReadList | None = None, *, background: bool = False
    ) -> None:
        """Re-read the list; keep the given contact (or the current one) selected.

        *read*: the list as a worker already read it (after an import of thousands, reading
        and sorting every id took the window 0.2 s). *background*: the change came from work
        the user did not just do (a sync); unsaved typing in the contact shown then stays.
        """
        keep = keep if keep is not None else self._current
        if read is None:
            self.model.refresh()
        else:
            self._total = read.total
            self._read_total = True
            try:
                self.model.show_ids(read.listing, read.ids, read.rows)
            finally:
                self._read_total = False
        fill = not (background and self._unsaved() and keep is not None and keep == self._current)
        if (
            read is not None
            and fill
            and keep is not None
            and keep != self._current
            and self.model.row_of(keep) >= 0
        ):
            # After an import: the list is shown and painted first, the contact a timer's
            # tick later (a zero timer would run before the paint, as posted events do).
            # Together they held the window 50 to 60 ms.
            self._select(keep, fill=False)
            QTimer.singleShot(PANE_LATER, lambda: self._show_if_selected(keep, read.pane))
        else:
            self._select(keep, None if read is None else read.pane, fill=fill)
        self.update_duplicates(None if read is None else read.duplicates)

    def _show_if_selected(self, contact_id: int, pane: Pane | None) -> None:
        """Fill the pane with *contact_id* unless the user has moved on meanwhile."""
        index = self.table.currentIndex()
        selected = self.model.id_at(index.row()) if index.isValid() else None
        if selected == contact_id and self._current != contact_id:
            self._show_contact(contact_id, pane)

    def set_narrow(self, narrow: Narrow | None) -> None:
        """Show only the people of an industry or employer (None: everyone)."""
        self._map_narrow = narrow
        self.narrow_label.setText(f"Showing: {narrow.label}" if narrow else "")
        self.narrow_label.setVisible(narrow is not None)
        self.clear_narrow_button.setVisible(narrow is not None)
        self._apply_narrow()

    def _apply_narrow(self) -> None:
        narrow = replace(self._map_narrow or Narrow(), only_taken=self.only_taken.isChecked())
        self.model.set_narrow(None if narrow == Narrow() else narrow)

    def update_duplicates(self, n: int | None = None) -> None:
        """Show how many same-name groups wait for the user (*n*, if known); hidden when none."""
        if n is None:
            with self._db.session() as s:
                n = count_duplicate_groups(s)
        self.duplicates_button.setText(
            f"{n} possible duplicate{'s' if n != 1 else ''}…" if n else ""
        )
        self.duplicates_button.setVisible(n > 0)

    def total(self) -> int:
        with self._db.session() as s:
            return count_contacts(s)

    def on_model_reset(self) -> None:
        # A keystroke in the search changes who is shown, not how many there are: counting
        # 50,000 again took 9 ms of every keystroke.
        if not self._read_total and (not self._searching or self._total is None):
            # Without a search or a filter the list is everyone: nothing left to count.
            everyone = not self.model.query.strip() and self.model.narrow is None
            self._total = self.model.rowCount() if everyone else self.total()
        total = self._total
        self.pages.setCurrentWidget(
            self.empty if total == 0 and not self._new_pending() else self.splitter
        )
        shown = self.model.rowCount()
        query = self.model.query.strip()
        narrowed = self.model.narrow is not None
        if query or narrowed:
            self.count_label.setText(f"{shown} of {total}")
        else:
            self.count_label.setText(f"{total} contact{'s' if total != 1 else ''}")
        if query:
            self.no_match.setText(f"No contact matches “{query}”." if not shown else "")
        else:
            self.no_match.setText("Nobody here. Clear the filter to see everyone.")
        self.no_match.setVisible((bool(query) or narrowed) and not shown)
        self.status.emit(f"{total} contact{'s' if total != 1 else ''}")
        self._follow_pane(scroll=not self._searching)
        if self._searching:
            self.table.scrollToTop()  # a new search shows its first results

    def _follow_pane(self, scroll: bool = True) -> None:
        """Make the list's current row the contact the pane shows, or show nobody.

        Sorting, searching, filtering, deleting and undoing reset the list, and a refused
        switch (Cancel, a failed save) leaves a click's highlight behind: the pane and the
        list then disagreed, and Delete offered to delete someone the pane did not show.
        Unsaved typing in a contact the list no longer shows stays in the pane.
        """
        current = self._current
        if current is not None and self.model.row_of(current) >= 0:
            self._select(current, fill=False, scroll=scroll)
        elif current is not None and not self._unsaved():
            self._select(None)
        else:
            self._select(None, fill=False)

    def _unsaved(self) -> bool:
        """The pane shows a contact with changes not yet saved."""
        return self.detail.currentWidget() is self.editor and self.editor.is_dirty()

    def _new_pending(self) -> bool:
        return self.detail.currentWidget() is self.editor and self.editor.current_id() is None

    def _select(
        self,
        contact_id: int | None,
        pane: Pane | None = None,
        fill: bool = True,
        scroll: bool = True,
    ) -> None:
        """Select *contact_id*'s row and show it (*fill* False: leave the pane as it is).

        No such row: nothing is selected (and with *fill*, the pane shows nobody)."""
        row = self.model.row_of(contact_id) if contact_id is not None else -1
        sm = self.table.selectionModel()
        index = self.model.index(row, 0) if row >= 0 else QModelIndex()
        sm.blockSignals(True)  # the pane is filled here, not by on_current_row_changed
        sm.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        sm.blockSignals(False)
        self.table.viewport().update()
        if row >= 0 and scroll:
            self.table.scrollTo(index)
        if fill and (row >= 0 or not self._new_pending()):
            self._show_contact(contact_id if row >= 0 else None, pane)
        elif self.detail.currentWidget() is self.summary:  # one selected, or none, now
            self._show_contact(contact_id if row >= 0 else None)
        self.view_changed.emit()

    def _selection_changed(self) -> None:
        """Several selected: the pane sums them up; back to one: it shows that one again."""
        ids = self.selected_ids()
        if len(ids) > 1:
            with self._db.session() as s:
                records = load_records(s, ids[:SUMMARY_READ])
            self.summary.show_people(len(ids), records)
            self.detail.setCurrentWidget(self.summary)
        elif self.detail.currentWidget() is self.summary:
            self._show_contact(ids[0] if ids else None)
        self.view_changed.emit()

    def _show_contact(self, contact_id: int | None, pane: Pane | None = None) -> None:
        """Show *contact_id* in the pane (*pane*: as a worker read it)."""
        again = contact_id is not None and contact_id == self.current_id()
        self._current = contact_id
        if contact_id is not None and (pane is None or pane.record.id != contact_id):
            try:
                with self._db.session() as s:
                    pane = read_pane(s, contact_id)
            except ContactNotFound:
                contact_id = self._current = None
        if contact_id is None or pane is None:
            self.detail.setCurrentWidget(self.editor_placeholder)
        else:
            self.editor.load(pane.record, keep_scroll=again)
            self.activity.show_contact(contact_id, pane.activity)
            self.detail.setCurrentWidget(self.editor)
        self.view_changed.emit()

    def show_nobody(self) -> None:
        """Empty the pane and the selection (what it showed is going), dropping its edits."""
        self.editor.load(ContactRecord())
        self._select(None, fill=False)
        self._show_contact(None)

    def _find_choices(self, text: str) -> list[Choice]:
        with self._db.session() as s:
            return [c for c in find_choices(s, text) if c.id != self.editor.current_id()]

    def _describe(self, contact_id: int) -> Choice | None:
        with self._db.session() as s:
            return describe(s, contact_id)

    def start_new(self) -> None:
        if not self.confirm_leave():
            return
        self._current = None
        self._select(None, fill=False)
        self.editor.load(ContactRecord())
        self.activity.show_contact(None)
        self.detail.setCurrentWidget(self.editor)
        self.pages.setCurrentWidget(self.splitter)
        self.editor.edits["full_name"].setFocus()
        self.view_changed.emit()

    def _selected_rows(self) -> list[int]:
        """The selected rows, from the selection's ranges: selectedRows() makes an index
        for every cell of every row, 94 ms for 5,000 selected on the window's thread."""
        rows: set[int] = set()
        selection = self.table.selectionModel().selection()
        for k in range(selection.count()):
            chosen = selection.at(k)
            rows.update(range(chosen.top(), chosen.bottom() + 1))
        return sorted(rows)

    def selected_ids(self) -> list[int]:
        ids = [self.model.id_at(r) for r in self._selected_rows()]
        return [i for i in ids if i is not None]

    def selected_names(self) -> list[str]:
        """Each selected row's name, as shown (each read through the list's model: for one
        or a few; 5,000 took half a second)."""
        return [str(self.model.index(r, 0).data() or "") for r in self._selected_rows()]

    # -- leaving unsaved edits ----------------------------------------------
    def confirm_leave(self) -> bool:
        """Ask what to do with unsaved edits; False means stay where we are."""
        if self.detail.currentWidget() is self.editor:
            self.editor.commit_typing()  # a cell being typed in counts as an edit
        if not self._unsaved():
            return True
        return confirm_unsaved(
            self.ask,
            self,
            self.editor.record().display_name or "this contact",
            self._save_shown,
            self.editor.on_revert,
        )

    def _save_shown(self) -> bool:
        self.editor.on_save()
        return not self.editor.is_dirty()  # not saved: the problems are shown in red

    # -- slots --------------------------------------------------------------
    def on_search_timeout(self) -> None:
        self._searching = True
        try:
            self.model.set_query(self.search.text())
        finally:
            self._searching = False
        # on_model_reset kept the contact the pane shows selected, or showed nobody if the
        # search hides them: reading the pane again at every keystroke took 10 ms and threw
        # away what was typed in it and not yet saved.

    def on_current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        cid = self.model.id_at(current.row()) if current.isValid() else None
        if cid == self._current:
            return
        if not self.confirm_leave():
            # Back on the row the pane shows, now and once the click that moved the current
            # row has selected its own (the view selects after it tells us).
            self._follow_pane()
            QTimer.singleShot(0, self._follow_pane)
            return
        if cid is not None and self.table.currentIndex().row() != self.model.row_of(cid):
            self._select(cid)  # saving read the list again: select them anew
        else:
            self._show_contact(cid)

    def on_editor_save(self, record: ContactRecord) -> None:
        before = None
        if record.id is not None:
            with self._db.session() as s:
                try:
                    before = get_contact(s, record.id)
                except ContactNotFound:
                    before = None
            loaded = self.editor.loaded()
            if before is not None and loaded.id == record.id and before != loaded:
                # Changed since the editor showed it (a sync in the background): the user's
                # edits win where they made them; what changed meanwhile elsewhere is kept.
                record, _clashes = three_way(loaded, record, before)
        self.save_requested.emit(before, record)

    def on_search_enter(self) -> None:
        """Enter (or Down) in the search box goes to the results, on the first one."""
        self._search_timer.stop()
        self.on_search_timeout()
        if self.model.rowCount():
            if not self.table.selectionModel().hasSelection():
                self.table.selectRow(0)
            self.table.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            and not any(event.matches(k) for k in EDIT_KEYS)
        ):
            # The window's shortcuts win over the line's own Ctrl keys: under X11 Ctrl+E is
            # "end of line" there, so Ctrl+E (Export) did nothing in the search, where the
            # focus starts. A Ctrl key no shortcut takes still reaches the line.
            return True
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.on_search_enter()
            return True
        return super().eventFilter(watched, event)

    def current_id(self) -> int | None:
        """The contact shown in the detail pane (None for none, or a new one)."""
        return self._current if self.detail.currentWidget() is self.editor else None

    def show_contact(self, contact_id: int) -> None:
        """Bring one contact into view, clearing a search that hides them."""
        if self.model.row_of(contact_id) < 0:
            if self.search.text():
                self.search.clear()
                self._search_timer.stop()
                self.model.set_query("")
            else:  # added since the list was read (another window, the command line)
                self.model.refresh()
        self.pages.setCurrentWidget(self.splitter)
        self._select(contact_id)

    def focus_search(self) -> None:
        self.pages.setCurrentWidget(self.splitter)
        self.search.setFocus()
        self.search.selectAll()
