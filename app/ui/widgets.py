"""Small editing widgets used by the contact editor."""

from __future__ import annotations

import calendar
from typing import Any, ClassVar

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.model.records import Birthday, Labeled, PostalAddress
from app.ui.text import plain_label, plain_tooltip

ERROR_BG = QColor("#fde2e1")


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


class LabeledListEditor(QWidget):
    """Edits a list of (label, value) pairs: emails, phones or web addresses."""

    changed = Signal()

    def __init__(
        self, kind: str, labels: list[str], placeholder: str, parent: QWidget | None = None
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
        self.table.setAccessibleName(kind)
        self.table.setToolTip(plain_tooltip(placeholder))
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.add_button = QPushButton(f"Add {kind[:-1] if kind.endswith('s') else kind}")
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
                out.append(Labeled(v, label.text().strip() if label else ""))
        return out

    def _append(self, label: str, value: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(label))
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
        for name, label in self.FIELDS:
            edit = QLineEdit(getattr(address, name))
            edit.setObjectName(f"address_{name}")
            edit.textChanged.connect(lambda _t: self.changed.emit())
            self.edits[name] = edit
            form.addRow(label, edit)
        remove = QPushButton("Remove address")
        remove.clicked.connect(lambda: self.remove_requested.emit(self))
        form.addRow("", remove)

    def address(self) -> PostalAddress:
        return PostalAddress(**{k: e.text().strip() for k, e in self.edits.items()})


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
