"""Who do I know at …? An organisation's people, whatever the case or legal suffix."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from app.services.contacts import ContactRow, people_at
from app.storage.db import Database
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import people_table
from app.ui.common.text import plain_label


class AtModel(RowsModel):
    headers = ("Name", "Organisation", "Title")

    def cells(self, row: ContactRow) -> tuple[str, ...]:
        return row.name, row.organization, row.title


class WhoAtDialog(QDialog):
    open_contact = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setWindowTitle("Who do I know at…")
        self.setObjectName("who_at")
        self.resize(640, 440)
        self.query = QLineEdit()
        self.query.setObjectName("organisation")
        self.query.setPlaceholderText("An organisation: Acme finds Acme Inc., ACME Ltd, …")
        self.query.setClearButtonEnabled(True)
        self.model = AtModel(self)
        self.table = people_table(self.model, "people_at")
        self.table.setMaximumHeight(16777215)
        self.count = plain_label()
        self.count.setObjectName("at_count")
        self.table.activated.connect(self.on_open)
        self.query.textChanged.connect(self.on_query)
        self.query.returnPressed.connect(lambda: self.model.rowCount() and self.table.setFocus())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.count)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.on_query("")

    def on_query(self, text: str) -> None:
        with self._db.session() as s:
            rows = people_at(s, text) if text.strip() else []
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        n = len(rows)
        self.count.setText(
            ""
            if not text.strip()
            else f"{n} {'person' if n == 1 else 'people'}"
            if n
            else "Nobody you know works there yet: an introduction may be one question away."
        )

    def on_open(self, index: object) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_contact.emit(self.model.rows[rows[0].row()].id)
            self.accept()
