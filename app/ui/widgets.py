"""Small editing widgets used by the contact editor."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.model.records import Birthday, Labeled, PostalAddress
from app.ui.text import Button, message_box, plain_label, plain_tooltip

ERROR_BG = QColor("#fde2e1")


def commit_open_editors(root: QWidget) -> None:
    """Commit what is being typed in any table cell under *root*, and close the cell editor.

    A cell keeps its typing to itself until it loses the focus; a shortcut (Ctrl+S, Ctrl+Q,
    Ctrl+2) moves no focus, so without this the number just typed was neither saved nor
    asked about. Everything that saves, leaves a contact, a tab or the window calls this first.
    """
    views = root.findChildren(QAbstractItemView)
    if isinstance(root, QAbstractItemView):
        views.append(root)
    for view in views:
        if view.state() != QAbstractItemView.State.EditingState:
            continue
        index = view.currentIndex()
        editor = view.indexWidget(index)
        if editor is None:
            continue
        delegate = view.itemDelegateForIndex(index)
        delegate.commitData.emit(editor)
        delegate.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)


def confirm_unsaved(
    ask: Callable[[QMessageBox], int],
    parent: QWidget,
    what: str,
    save: Callable[[], bool],
    discard: Callable[[], None],
) -> bool:
    """Save / Discard / Cancel for unsaved typing in *what*; False: stay where we are.

    *save* saves and says whether it did (a refused save keeps the user where they are, with
    the problems shown)."""
    answer = ask(
        message_box(
            parent,
            "Unsaved changes",
            f"Save the changes to {what}?",
            Button.Save | Button.Discard | Button.Cancel,
            Button.Save,
        )
    )
    if answer == Button.Save:
        return save()
    if answer == Button.Discard:
        discard()
        return True
    return False


WHEEL_GUARD = "wheel_guard"


class WheelGuard(QObject):
    """Spin boxes, combo boxes and date edits take the mouse wheel only when focused.

    Scrolling a form with the wheel turned "Year unknown" into "5" as the year passed under
    the pointer. Installed on the application (install_wheel_guard), so it holds in every tab
    and dialog: such a widget never takes the focus from the wheel, and while it has no focus
    the wheel goes to what holds it (the form scrolls).
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.Wheel, QEvent.Type.Polish) or not isinstance(
            watched, QAbstractSpinBox | QComboBox
        ):
            return False
        if kind == QEvent.Type.Polish:
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if watched.hasFocus():
            return False
        event.ignore()  # handled here, not accepted: Qt offers it to the parent (the form)
        return True


def install_wheel_guard() -> None:
    """Install the WheelGuard on the application, once."""
    app = QApplication.instance()
    if app is None or app.findChild(WheelGuard, WHEEL_GUARD) is not None:
        return
    guard = WheelGuard(app)
    guard.setObjectName(WHEEL_GUARD)
    app.installEventFilter(guard)


def button_row(*widgets: QWidget) -> QHBoxLayout:
    """Buttons side by side from the left, the rest of the row left empty."""
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    row.addStretch(1)
    return row


class ErrorLabel(QLabel):
    """Red text under a field, saying what is wrong; hidden while nothing is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # messages quote what the user typed
        self.setWordWrap(True)
        self.setStyleSheet("color: #b3261e;")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_messages(self, messages: list[str]) -> None:
        self.setText("\n".join(messages))
        self.setVisible(bool(messages))


class TabLeavesDelegate(QStyledItemDelegate):
    """Tab and Shift+Tab in a cell being edited keep what was typed and leave the table.

    Qt's delegate moves Tab on to the next cell and opens it, so a keyboard user typing an
    email went round the table's cells and never reached Save or the note. Arrows and F2
    still move and edit inside the table."""

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
            and isinstance(editor, QWidget)
        ):
            view = self.parent()
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            if isinstance(view, QAbstractItemView):
                # The view has the focus again; the same key there moves it on (the view's
                # Tab navigation is off), to the next widget or the one before.
                view.setFocus(Qt.FocusReason.TabFocusReason)
                key = QKeyEvent(QEvent.Type.KeyPress, event.key(), event.modifiers())
                QApplication.sendEvent(view, key)
            return True
        return super().eventFilter(editor, event)


# Labels as address books write them, in words (keys: lower case, without "x-").
LABEL_WORDS = {
    "homepage": "home page",
    "home page": "home page",
    "grand_central": "Google Voice",
    "assistantphone": "assistant phone",
    "assistant phone": "assistant phone",
    "iphone": "iPhone",
    "cell": "mobile",
    "msg": "message",
    "mobilephone": "mobile",
    "workfax": "work fax",
    "homefax": "home fax",
    "otherfax": "other fax",
    "main_number": "main",
    "company_main": "company main",
    "work_mobile": "work mobile",
    "work_pager": "work pager",
    "ttd_tdd": "TTY/TDD",
    "tty_tdd": "TTY/TDD",
    "profile": "profile",
    "blog": "blog",
    "ftp": "FTP",
    "isdn": "ISDN",
    "bbs": "BBS",
    "callback": "callback",
    "companymain": "company main",
    "assistant": "assistant",
    "radio": "radio",
    "telex": "telex",
    "ttytdd": "TTY/TDD",
    "anniversary": "anniversary",
}


def human_label(raw: str) -> str:
    """A type label in words: "HomePage" reads "Home page", "REFERRED_BY" "Referred by",
    "x-work" "Work"; a label the user typed stays as typed ("LinkedIn", "CustomType")."""
    text = raw.strip()
    if text.lower().startswith("x-"):
        text = text[2:]
    words = LABEL_WORDS.get(text.lower())
    if words is None:
        words = text
        if "_" in text or text.isupper():  # Google's REFERRED_BY, PROFILE; WORK
            words = text.replace("_", " ").lower()
    # "work" reads "Work", as a label does; "iPhone" and "LinkedIn" stay as written.
    return words[:1].upper() + words[1:] if words.islower() else words


RAW_LABEL = Qt.ItemDataRole.UserRole + 1  # the label as stored, beside the words shown


class LabeledListEditor(QWidget):
    """Edits a list of (label, value) pairs: emails, phones or web addresses.

    Labels are shown in words (human_label); one left as shown is saved as it was stored."""

    changed = Signal()

    def __init__(
        self,
        kind: str,
        labels: list[str],
        placeholder: str,
        one: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self._labels = labels
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName(f"{kind}_table")
        self.table.setHorizontalHeaderLabels(["Label", kind.capitalize()])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 90)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setItemDelegate(TabLeavesDelegate(self.table))
        self.table.setAccessibleName(kind)
        self.table.setToolTip(plain_tooltip(placeholder))
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.add_button = QPushButton(f"Add {one}")
        self.add_button.setObjectName(f"add_{kind}")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self.on_add)
        self.remove_button.clicked.connect(self.on_remove)
        self.errors = ErrorLabel(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.errors)
        self._fit()

    def _fit(self) -> None:
        rows = max(1, self.table.rowCount())
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(
            header + rows * self.table.verticalHeader().defaultSectionSize() + 4
        )
        self.remove_button.setEnabled(self.table.rowCount() > 0)

    def set_items(self, items: list[Labeled]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for item in items:
            self._append(item.label, item.value)
        self.table.blockSignals(False)
        self.errors.show_messages([])
        self._fit()

    def items(self) -> list[Labeled]:
        out = []
        for row in range(self.table.rowCount()):
            label = self.table.item(row, 0)
            value = self.table.item(row, 1)
            v = value.text().strip() if value else ""
            if v:
                out.append(Labeled(v, self._label_at(label)))
        return out

    @staticmethod
    def _label_at(item: QTableWidgetItem | None) -> str:
        if item is None:
            return ""
        shown = item.text().strip()
        raw = item.data(RAW_LABEL)
        return raw if isinstance(raw, str) and shown == human_label(raw) else shown

    def _append(self, label: str, value: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        label_item = QTableWidgetItem(human_label(label))
        label_item.setData(RAW_LABEL, label)
        self.table.setItem(row, 0, label_item)
        self.table.setItem(row, 1, QTableWidgetItem(value))
        return row

    def on_add(self) -> None:
        row = self._append(self._labels[0] if self._labels else "", "")
        self._fit()
        # Typing starts editing the new cell (AllEditTriggers includes any key press).
        self.table.setFocus()
        self.table.setCurrentCell(row, 1)
        self.changed.emit()

    def on_remove(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            self._fit()
            self.changed.emit()

    def mark_errors(self, rows: dict[int, str]) -> None:
        """Highlight the rows with problems (indexes into items()) and say why."""
        value_rows = [
            r
            for r in range(self.table.rowCount())
            if (it := self.table.item(r, 1)) is not None and it.text().strip()
        ]
        self.table.blockSignals(True)
        for r in range(self.table.rowCount()):
            for c in range(2):
                it = self.table.item(r, c)
                if it is not None:
                    it.setBackground(QBrush())  # no colour; None here upsets PySide6
        for i in rows:
            if i < len(value_rows):
                for c in range(2):
                    it = self.table.item(value_rows[i], c)
                    if it is not None:
                        it.setBackground(ERROR_BG)
        self.table.blockSignals(False)
        self.errors.show_messages(list(rows.values()))


class AddressEditor(QFrame):
    changed = Signal()
    remove_requested = Signal(object)

    FIELDS: ClassVar[list[tuple[str, str]]] = [
        ("label", "Label"),
        ("street", "Street"),
        ("extended", "Extended"),
        ("po_box", "PO box"),
        ("city", "City"),
        ("region", "Region"),
        ("postal_code", "Postal code"),
        ("country", "Country"),
    ]

    def __init__(self, address: PostalAddress, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        self._label = address.label  # as stored; shown in words (human_label)
        for name, label in self.FIELDS:
            value = getattr(address, name)
            edit = QLineEdit(human_label(value) if name == "label" else value)
            edit.setObjectName(f"address_{name}")
            edit.textChanged.connect(lambda _t: self.changed.emit())
            self.edits[name] = edit
            form.addRow(label, edit)
        remove = QPushButton("Remove address")
        remove.clicked.connect(lambda: self.remove_requested.emit(self))
        form.addRow("", remove)

    def address(self) -> PostalAddress:
        values = {k: e.text().strip() for k, e in self.edits.items()}
        if values["label"] == human_label(self._label):
            values["label"] = self._label
        return PostalAddress(**values)


class AddressListEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._editors: list[AddressEditor] = []
        self.add_button = QPushButton("Add address")
        self.add_button.clicked.connect(self.on_add)
        self._layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def set_addresses(self, addresses: list[PostalAddress]) -> None:
        for e in self._editors:
            e.setParent(None)
            e.deleteLater()
        self._editors = []
        for a in addresses:
            self._insert(a)

    def _insert(self, a: PostalAddress) -> AddressEditor:
        e = AddressEditor(a, self)
        e.changed.connect(self.changed)
        e.remove_requested.connect(self.on_remove)
        self._layout.insertWidget(len(self._editors), e)
        self._editors.append(e)
        return e

    def addresses(self) -> list[PostalAddress]:
        return [a for a in (e.address() for e in self._editors) if not a.is_empty()]

    def on_add(self) -> None:
        e = self._insert(PostalAddress(label="home"))
        e.edits["street"].setFocus()
        self.changed.emit()

    def on_remove(self, editor: Any) -> None:
        if editor in self._editors:
            self._editors.remove(editor)
            editor.setParent(None)
            editor.deleteLater()
            self.changed.emit()


class BirthdayEdit(QWidget):
    """Day, month and an optional year: many address books know a birthday but not the year."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.day = QSpinBox()
        self.day.setRange(0, 31)
        self.day.setSpecialValueText("Day")
        self.day.setAccessibleName("Birthday day")
        self.month = QComboBox()
        self.month.addItem("Month", 0)
        for m in range(1, 13):
            self.month.addItem(calendar.month_name[m], m)
        self.month.setAccessibleName("Birthday month")
        self.year = QSpinBox()
        self.year.setRange(0, 2100)
        self.year.setSpecialValueText("Year unknown")
        self.year.setAccessibleName("Birthday year")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.day, self.month, self.year):
            layout.addWidget(w)
        layout.addStretch(1)
        self.day.valueChanged.connect(lambda _v: self.changed.emit())
        self.month.currentIndexChanged.connect(lambda _v: self.changed.emit())
        self.year.valueChanged.connect(lambda _v: self.changed.emit())

    def set_birthday(self, b: Birthday | None) -> None:
        self.day.setValue(b.day if b else 0)
        self.month.setCurrentIndex(b.month if b else 0)
        self.year.setValue(b.year if b and b.year else 0)

    def birthday(self) -> Birthday | None:
        """None when left empty; ValueError when it is not a real date."""
        day, month, year = self.day.value(), int(self.month.currentData() or 0), self.year.value()
        if not day and not month and not year:
            return None
        if not day or not month:
            raise ValueError(
                "Give both the day and the month of the birthday (the year may stay unknown)."
            )
        try:
            return Birthday(month, day, year or None)
        except ValueError:
            name = calendar.month_name[month]
            raise ValueError(
                f"{name} has no day {day}" + (f" in {year}." if year else ".")
            ) from None


def initials_pixmap(name: str, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#c9d6e8"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(0, 0, size, size)
    letters = "".join(w[0] for w in name.split()[:2] if w[:1].isalnum()).upper() or "?"
    font = QFont()
    font.setPixelSize(size // 3)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#2f4a6d"))
    p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, letters)
    p.end()
    return pm


class PhotoWidget(QWidget):
    changed = Signal()
    SIZE = 96

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: bytes | None = None
        self._mime = ""
        self._name = ""
        self.picture = plain_label()
        self.picture.setFixedSize(QSize(self.SIZE, self.SIZE))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName("Photo")
        self.choose = QPushButton("Choose photo…")
        self.remove = QPushButton("Remove photo")
        self.choose.clicked.connect(self.on_choose)
        self.remove.clicked.connect(self.on_remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.choose)
        layout.addWidget(self.remove)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)

    def set_photo(self, data: bytes | None, mime: str, name: str) -> None:
        self._data, self._mime, self._name = data, mime, name
        self._render()

    def photo(self) -> tuple[bytes | None, str]:
        return self._data, self._mime

    def set_name(self, name: str) -> None:
        self._name = name
        if not self._data:
            self._render()

    def _render(self) -> None:
        pm = QPixmap()
        if self._data and pm.loadFromData(self._data):
            pm = pm.scaled(
                self.SIZE,
                self.SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        else:
            pm = initials_pixmap(self._name, self.SIZE)
        self.picture.setPixmap(pm)
        self.remove.setEnabled(bool(self._data))

    def load_file(self, path: str) -> bool:
        image = QImage(path)
        if image.isNull():
            return False
        if max(image.width(), image.height()) > 512:
            image = image.scaled(
                512,
                512,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "JPEG", 90)
        self._data, self._mime = bytes(QByteArray(buf.data()).data()), "image/jpeg"
        self._render()
        self.changed.emit()
        return True

    def on_choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a photo", "", "Images (*.png *.jpg *.jpeg *.gif *.bmp *.webp)"
        )
        if path and not self.load_file(path):
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Photo", f"{path} could not be read as a picture.")

    def on_remove(self) -> None:
        self._data, self._mime = None, ""
        self._render()
        self.changed.emit()
