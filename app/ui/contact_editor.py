"""The detail pane: every field of one contact, with validation that explains itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.model.records import TIERS, ContactRecord, FieldProblem, validate
from app.services.contacts import Choice
from app.ui.contact_picker import ContactPicker
from app.ui.text import plain_label
from app.ui.widgets import (
    AddressListEditor,
    BirthdayEdit,
    ErrorLabel,
    LabeledListEditor,
    PhotoWidget,
    commit_open_editors,
)
from app.vcard.details import card_details

TEXT_FIELDS = [
    # (record attribute, label, placeholder)
    ("full_name", "Display name", "As it appears in your list"),
    ("prefix", "Prefix", "Dr., Ms."),
    ("given_name", "First name", ""),
    ("additional_names", "Middle name", ""),
    ("family_name", "Last name", ""),
    ("suffix", "Suffix", "Jr., PhD"),
    ("nickname", "Nickname", ""),
]
WORK_FIELDS = [
    ("organization", "Organisation", "Where they work"),
    ("department", "Department", ""),
    ("title", "Job title", ""),
    ("industry", "Industry", "e.g. Healthcare, Software, Education"),
]


class ContactEditor(QWidget):
    """Shows one contact (or a new one) and hands back an edited record on Save."""

    save_requested = Signal(object)  # ContactRecord
    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record = ContactRecord()
        self._dirty = False
        self._loading = False

        self.heading = plain_label()
        self.heading.setObjectName("editor_heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.banner = ErrorLabel()
        self.banner.setObjectName("editor_banner")

        self.photo = PhotoWidget()
        self.edits: dict[str, QLineEdit] = {}
        name_box = QGroupBox("Name")
        name_row = QHBoxLayout(name_box)
        name_row.addWidget(self.photo)
        name_form = QFormLayout()
        name_row.addLayout(name_form, 1)
        self.name_error = ErrorLabel()
        for attr, label, hint in TEXT_FIELDS:
            name_form.addRow(label, self._line(attr, hint))
        name_form.addRow(self.name_error)

        work_box = QGroupBox("Work")
        work_form = QFormLayout(work_box)
        for attr, label, hint in WORK_FIELDS:
            work_form.addRow(label, self._line(attr, hint))

        reach_box = QGroupBox("Email, phone and web")
        reach = QVBoxLayout(reach_box)
        self.emails = LabeledListEditor(
            "emails", ["work", "home", "other"], "name@example.com", "email"
        )
        self.phones = LabeledListEditor(
            "phones", ["mobile", "work", "home"], "+1 555 0100", "phone"
        )
        self.urls = LabeledListEditor(
            "web addresses", ["LinkedIn", "website", "other"], "https://…", "web address"
        )
        for title, editor in (
            ("Emails", self.emails),
            ("Phones", self.phones),
            ("Web and profiles", self.urls),
        ):
            reach.addWidget(plain_label(title))
            reach.addWidget(editor)

        address_box = QGroupBox("Addresses")
        self.addresses = AddressListEditor()
        QVBoxLayout(address_box).addWidget(self.addresses)

        personal_box = QGroupBox("Personal")
        personal = QFormLayout(personal_box)
        self.birthday = BirthdayEdit()
        self.birthday_error = ErrorLabel()
        self.tags = QLineEdit()
        self.tags.setObjectName("tags")
        self.tags.setPlaceholderText("Separate tags with commas")
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(80)
        personal.addRow("Birthday", self.birthday)
        personal.addRow(self.birthday_error)
        personal.addRow("Tags", self.tags)
        personal.addRow("Note", self.note)

        relation_box = QGroupBox("Relationship")
        relation = QFormLayout(relation_box)
        self.how_met = QLineEdit()
        self.how_met.setObjectName("how_met")
        self.how_met.setPlaceholderText("e.g. ACM chapter meeting, March 2024")
        self.introduced_by = ContactPicker()
        self.introduced_by.setObjectName("introduced_by")
        self.introduced_by.setPlaceholderText("Type a few letters of their name")
        # The owner sets how to describe a contact id (the list knows names; the editor not).
        self.describe: Callable[[int], Choice | None] = lambda _cid: None
        self.introduced_error = ErrorLabel()
        self.tier = QComboBox()
        self.tier.setObjectName("tier")
        self.tier.addItem("No regular contact", "")
        for key, (label, _days) in TIERS.items():
            self.tier.addItem(label, key)
        relation.addRow("How we met", self.how_met)
        relation.addRow("Introduced by", self.introduced_by)
        relation.addRow(self.introduced_error)
        relation.addRow("Keep in touch", self.tier)

        # What the card holds beyond these fields (spouse, manager, anniversary, IM handles,
        # related people, other dates...): shown, read-only, so nothing kept is out of sight.
        self.more_box = QGroupBox("More from the address book")
        self.more_box.setObjectName("more_box")
        self.more = QFormLayout(self.more_box)
        self.more_box.hide()

        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save (Ctrl+S)")
        # Ctrl+S saves while the focus is anywhere in this contact's fields.
        self.save_action = QAction("Save Contact", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.on_save)
        self.addAction(self.save_action)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setObjectName("revert")
        self.save_button.clicked.connect(self.on_save)
        self.revert_button.clicked.connect(self.on_revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        body = QWidget()
        body_layout = self.body_layout = QVBoxLayout(body)
        # How they fit in the user's network comes before the address book's details.
        for w in (
            self.heading,
            self.banner,
            name_box,
            work_box,
            relation_box,
            reach_box,
            address_box,
            personal_box,
            self.more_box,
        ):
            body_layout.addWidget(w)
        body_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        outer.addLayout(buttons)

        for editor in (
            self.emails,
            self.phones,
            self.urls,
            self.addresses,
            self.birthday,
            self.photo,
        ):
            editor.changed.connect(self._touched)
        self.tags.textChanged.connect(self._touched)
        self.note.textChanged.connect(self._touched)
        self.how_met.textChanged.connect(self._touched)
        self.introduced_by.textChanged.connect(self._touched)
        self.tier.currentIndexChanged.connect(self._touched)
        self._set_dirty(False)

    def _line(self, attr: str, hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(attr)
        edit.setPlaceholderText(hint)
        edit.textChanged.connect(self._touched)
        self.edits[attr] = edit
        return edit

    # -- state --------------------------------------------------------------
    def _select_introducer(self, contact_id: int | None) -> None:
        self.introduced_by.set_contact(self.describe(contact_id) if contact_id else None)

    def load(self, record: ContactRecord, keep_scroll: bool = False) -> None:
        """Show *record*; *keep_scroll*: it is the contact shown, read again (after Log, Give,
        Save), so the pane stays where the user was rather than jumping to the top."""
        bar = self.scroll.verticalScrollBar()
        at = bar.value() if keep_scroll else 0
        self._loading = True
        self._record = record
        for attr, edit in self.edits.items():
            edit.setText(getattr(record, attr))
            edit.setCursorPosition(0)  # a long name shows its start, not its end
        self.emails.set_items(record.emails)
        self.phones.set_items(record.phones)
        self.urls.set_items(record.urls)
        self.addresses.set_addresses(record.addresses)
        self.birthday.set_birthday(record.birthday)
        self.tags.setText(", ".join(record.tags))
        self.note.setPlainText(record.note)
        self.how_met.setText(record.how_met)
        self._select_introducer(record.introduced_by_id)
        self.tier.setCurrentIndex(max(self.tier.findData(record.tier), 0))
        self.photo.set_photo(record.photo, record.photo_mime, record.display_name)
        self._show_more(record.extra_lines)
        self._loading = False
        self._clear_errors()
        self._update_heading()
        self._set_dirty(False)
        bar.setValue(at)
        if at:  # again once the layout has taken in what changed (a new line of history)
            QTimer.singleShot(0, lambda: bar.setValue(at))

    def _show_more(self, extra_lines: list[str]) -> None:
        while self.more.rowCount():
            self.more.removeRow(0)
        details = card_details(extra_lines)
        for what, value in details:
            shown = plain_label(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.more.addRow(plain_label(what), shown)
        self.more_box.setVisible(bool(details))

    def record(self) -> ContactRecord:
        """The record as edited; birthday and introducer problems are reported by validate()."""
        values = {attr: edit.text().strip() for attr, edit in self.edits.items()}
        try:
            birthday = self.birthday.birthday()
        except ValueError:
            birthday = self._record.birthday
        photo, mime = self.photo.photo()
        tags = [t.strip() for t in self.tags.text().split(",") if t.strip()]
        return replace(
            self._record,
            **values,
            emails=self.emails.items(),
            phones=self.phones.items(),
            urls=self.urls.items(),
            addresses=self.addresses.addresses(),
            birthday=birthday,
            photo=photo,
            photo_mime=mime,
            tags=tags,
            note=self.note.toPlainText().strip(),
            how_met=self.how_met.text().strip(),
            introduced_by_id=self._introducer_id(),
            tier=str(self.tier.currentData() or ""),
        )

    def _introducer_id(self) -> int | None:
        """The chosen introducer; -1 when the typed name is nobody in the list."""
        return self.introduced_by.contact_id()

    def commit_typing(self) -> None:
        """Take in what is being typed in a cell of the email, phone or web tables."""
        commit_open_editors(self)

    def is_dirty(self) -> bool:
        return self._dirty

    def current_id(self) -> int | None:
        return self._record.id

    # -- validation ---------------------------------------------------------
    def problems(self) -> list[FieldProblem]:
        rec = self.record()
        problems = [
            p for p in validate(rec) if p.field != "introduced_by_id" or rec.introduced_by_id != -1
        ]
        try:
            self.birthday.birthday()
        except ValueError as exc:
            problems.append(FieldProblem("birthday", str(exc)))
        if rec.introduced_by_id == -1:
            problems.append(
                FieldProblem(
                    "introduced_by_id",
                    f"“{self.introduced_by.text()}” is not one of your contacts: "
                    "pick a name from the list, or leave it empty.",
                )
            )
        return problems

    def show_problems(self, problems: list[FieldProblem]) -> None:
        self._clear_errors()
        by_field: dict[str, list[FieldProblem]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(p)
        for f, editor in (("emails", self.emails), ("phones", self.phones), ("urls", self.urls)):
            if f in by_field:
                editor.mark_errors({p.index or 0: p.message for p in by_field[f]})
        self.name_error.show_messages([p.message for p in by_field.get("full_name", [])])
        self.birthday_error.show_messages([p.message for p in by_field.get("birthday", [])])
        self.introduced_error.show_messages(
            [p.message for p in by_field.get("introduced_by_id", [])]
        )
        first = {
            "full_name": self.edits["full_name"],
            "emails": self.emails,
            "phones": self.phones,
            "urls": self.urls,
            "birthday": self.birthday,
            "introduced_by_id": self.introduced_by,
        }
        for p in problems:
            if p.field in first:
                self.scroll.ensureWidgetVisible(first[p.field], 0, 60)
                break
        if problems:
            n = len(problems)
            self.banner.show_messages(
                [f"Not saved: {n} thing{'s' if n > 1 else ''} to fix, shown in red below."]
            )

    def _clear_errors(self) -> None:
        for w in (self.banner, self.name_error, self.birthday_error, self.introduced_error):
            w.show_messages([])
        for editor in (self.emails, self.phones, self.urls):
            editor.mark_errors({})

    # -- slots --------------------------------------------------------------
    def on_save(self) -> None:
        self.commit_typing()
        if not self._dirty:
            return  # nothing to save (Ctrl+S pressed twice)
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return
        self._clear_errors()
        self.save_requested.emit(self.record())

    def loaded(self) -> ContactRecord:
        """The contact as it was when the editor showed it."""
        return self._record

    def on_revert(self) -> None:
        self.load(self._record)

    def _touched(self, *_args: object) -> None:
        if self._loading:
            return
        self._update_heading()
        self._set_dirty(True)

    def _update_heading(self) -> None:
        rec = self.record()
        name = rec.display_name
        if self._record.id is None:
            name = f"New contact: {name}" if name else "New contact"
        self.heading.setText(name or "(no name)")
        self.photo.set_name(rec.display_name)

    def _set_dirty(self, dirty: bool) -> None:
        changed = dirty != self._dirty
        self._dirty = dirty
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if changed:
            self.dirty_changed.emit(dirty)
