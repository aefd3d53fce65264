"""Groups and events: associations and chapters, online groups, newsletters, events attended,
volunteer and board roles; each one's page lists the people met there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.contacts import Choice, ContactRow
from app.services.groups import KINDS, GroupRecord, GroupRow, get_group, list_groups, people_met_at
from app.storage.db import Database
from app.ui.common.contact_picker import NOT_A_CONTACT, ContactPicker
from app.ui.common.forms import date_edit
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import PeopleModel, day_text, people_table, rows_table
from app.ui.common.text import plain_label
from app.ui.common.widgets import button_row, confirm_unsaved


class GroupsModel(RowsModel):
    headers = ("Name", "Kind", "When", "Where", "People")

    def cells(self, row: GroupRow) -> tuple[str, ...]:
        name = f"{row.name} ({row.parent})" if row.parent else row.name
        when = day_text(row.held_on) if row.held_on else ""
        return name, row.kind_label, when, row.place, str(row.people or "")


class GroupsTab(QWidget):
    """The window saves (save_requested), deletes and links people, as undoable steps."""

    save_requested = Signal(object)  # GroupRecord
    delete_requested = Signal(int)
    add_person_requested = Signal(int, int)  # group id, contact id
    remove_person_requested = Signal(int, int)
    open_contact = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        # The window gives the contact search.
        self.search_people: Callable[[str], list[Choice]] = lambda _text: []
        self.ask = lambda box: box.exec()  # the window routes dialogs through its own
        self._shown = GroupRecord()  # the details as shown, to tell what was typed since
        self.model = GroupsModel(self)
        self.list = rows_table(self.model, "groups_list")
        self.list.setMaximumHeight(16777215)
        header = self.list.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._load_current())
        self.new_button = QPushButton("Ne&w…")
        self.new_button.setObjectName("new_group")
        self.new_button.setToolTip("A new association, chapter, group, newsletter or event")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("delete_group")
        self.new_button.clicked.connect(self.start_new)
        self.delete_button.clicked.connect(self._delete)
        self.empty = plain_label(
            "Add the professional associations and local chapters you belong to, the online "
            "groups and newsletters you follow, the events you attend, and where you volunteer "
            "or sit on a board. Then note whom you met at each: it is how you will remember "
            "them, and how they will remember you."
        )
        self.empty.setObjectName("groups_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.kind = QComboBox()
        self.kind.setObjectName("group_kind")
        for key, label in KINDS.items():
            self.kind.addItem(label, key)
        self.name = QLineEdit()
        self.name.setObjectName("group_name")
        self.name.setPlaceholderText("e.g. Society for Technical Communication")
        self.parent_group = QComboBox()
        self.parent_group.setObjectName("group_parent")
        self.has_date = QCheckBox("On")
        self.has_date.setObjectName("group_has_date")
        self.held_on = date_edit(dt.date.today(), "group_date")
        self.has_date.toggled.connect(self.held_on.setEnabled)
        self.place = QLineEdit()
        self.place.setObjectName("group_place")
        self.url = QLineEdit()
        self.url.setObjectName("group_url")
        self.my_role = QLineEdit()
        self.my_role.setObjectName("group_role")
        self.my_role.setPlaceholderText("e.g. member; volunteer, programme committee; treasurer")
        self.note = QPlainTextEdit()
        self.note.setObjectName("group_note")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(self.fontMetrics().height() * 4)
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("save_group")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        self.name.returnPressed.connect(self._save)
        date_row = QHBoxLayout()
        # At the top: the day field grows a line under it when it cannot read the date.
        date_row.addWidget(self.has_date, 0, Qt.AlignmentFlag.AlignTop)
        date_row.addWidget(self.held_on)
        date_row.addStretch(1)
        form = QFormLayout()
        form.addRow("&Kind", self.kind)
        form.addRow("N&ame", self.name)
        form.addRow("&Part of", self.parent_group)
        date_label = plain_label("&Date")
        date_label.setBuddy(self.has_date)
        form.addRow(date_label, date_row)
        form.addRow("Whe&re", self.place)
        form.addRow("We&b", self.url)
        form.addRow("My ro&le", self.my_role)
        form.addRow("&Note", self.note)
        self.details = QGroupBox("Details")
        dl = QVBoxLayout(self.details)
        dl.addLayout(form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        dl.addLayout(save_row)

        self.people = PeopleModel(self)
        self.people_view = people_table(self.people, "met_there")
        self.people_view.setMaximumHeight(16777215)
        self.people_view.activated.connect(
            lambda i: self.open_contact.emit(self.people.rows[i.row()].id)
        )
        self.picker = ContactPicker()
        self.picker.setObjectName("group_person")
        self.picker.setPlaceholderText("Type a name to add someone you met here")
        self.picker.search = lambda text: self.search_people(text)
        self.picker.picked.connect(self._add_person)
        self.picker.returnPressed.connect(self._add_person)
        self.remove_person_button = QPushButton("Remove")
        self.remove_person_button.setObjectName("remove_person")
        self.remove_person_button.clicked.connect(self._remove_person)
        self.people_box = QGroupBox("People you met here")
        pl = QVBoxLayout(self.people_box)
        pl.addWidget(self.people_view, 1)
        prow = QHBoxLayout()
        prow.addWidget(self.picker, 1)
        prow.addWidget(self.remove_person_button)
        pl.addLayout(prow)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(button_row(self.new_button, self.delete_button))
        ll.addWidget(self.list, 1)
        ll.addWidget(self.empty, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.details)
        rl.addWidget(self.people_box, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self._editing: int | None = None
        self.refresh()

    # -- loading ------------------------------------------------------------
    def refresh(self, keep: int | None = None) -> None:
        keep = keep if keep is not None else self._editing
        with self._db.session() as s:
            rows = list_groups(s)
        self.model.set_rows(rows)
        self.list.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.delete_button.setEnabled(bool(rows))
        self.parent_group.clear()
        self.parent_group.addItem("—", None)
        for g in rows:
            if g.kind in ("association", "online_group", "volunteer"):
                self.parent_group.addItem(g.name, g.id)
        ids = [g.id for g in rows]
        if keep in ids:
            self.list.selectRow(ids.index(keep))
            self._load_current()
        elif rows:
            self.list.selectRow(0)
            self._load_current()
        else:
            self.start_new()

    def current_id(self) -> int | None:
        index = self.list.selectionModel().currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        gid: int = self.model.rows[index.row()].id
        return gid

    def _load_current(self) -> None:
        gid = self.current_id()
        if gid is None:
            return
        with self._db.session() as s:
            record = get_group(s, gid)
            people = people_met_at(s, gid)
        self._show(record, people)

    def start_new(self) -> None:
        self.list.selectionModel().clearSelection()
        self._show(GroupRecord(), [])
        self.name.setFocus()

    def _show(self, r: GroupRecord, people: list[ContactRow]) -> None:
        self._editing = r.id
        self.details.setTitle("New group or event" if r.id is None else r.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(r.kind)))
        self.name.setText(r.name)
        self.parent_group.setCurrentIndex(max(0, self.parent_group.findData(r.parent_id)))
        self.has_date.setChecked(r.held_on is not None)
        self.held_on.setEnabled(r.held_on is not None)
        self.held_on.set_day(r.held_on or dt.date.today())
        self.place.setText(r.place)
        self.url.setText(r.url)
        self.my_role.setText(r.my_role)
        self.note.setPlainText(r.note)
        self.people.set_rows(people)
        self.people_box.setEnabled(r.id is not None)
        self.people_box.setTitle(
            f"People you met here ({len(people)})"
            if r.id is not None
            else "People you met here (save first)"
        )
        self.remove_person_button.setEnabled(bool(people))
        self.picker.clear()
        self._shown = self.record()

    def unsaved(self) -> bool:
        """Something was typed in the details and not saved."""
        return self.record() != self._shown or not self.held_on.understood()

    def confirm_leave(self) -> bool:
        """Ask what to do with unsaved details; False means stay where we are."""
        if not self.unsaved():
            return True

        def save() -> bool:
            self._save()
            return not self.unsaved()

        name = self.name.text().strip()
        return confirm_unsaved(
            self.ask, self, f"“{name}”" if name else "this group", save, lambda: None
        )

    def record(self) -> GroupRecord:
        parent = self.parent_group.currentData()
        return GroupRecord(
            kind=str(self.kind.currentData()),
            name=self.name.text().strip(),
            parent_id=parent if isinstance(parent, int) and parent != self._editing else None,
            held_on=self.held_on.day() if self.has_date.isChecked() else None,
            place=self.place.text().strip(),
            url=self.url.text().strip(),
            my_role=self.my_role.text().strip(),
            note=self.note.toPlainText().strip(),
            id=self._editing,
        )

    # -- actions ------------------------------------------------------------
    def _save(self) -> None:
        r = self.record()
        if not self.held_on.understood():  # its red frame says so; never save another day
            self.held_on.setFocus()
            return
        if not r.name:
            self.name.setFocus()
            self.name.setPlaceholderText("A name first, please")
            return
        self.save_requested.emit(r)

    def _delete(self) -> None:
        gid = self.current_id()
        if gid is not None:
            self.delete_requested.emit(gid)

    def _add_person(self) -> None:
        cid = self.picker.contact_id()
        if self._editing is None or cid is None or cid == NOT_A_CONTACT:
            return
        self.add_person_requested.emit(self._editing, cid)
        self.picker.clear()

    def _remove_person(self) -> None:
        rows = self.people_view.selectionModel().selectedRows()
        if self._editing is not None and rows:
            self.remove_person_requested.emit(self._editing, self.people.rows[rows[0].row()].id)
