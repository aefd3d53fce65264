"""Choosing what to export, as vCard (which version, one file or a folder) or CSV."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


class ExportDialog(QDialog):
    def __init__(
        self, total: int, selected: int, shown: int, searching: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export contacts")
        self.scope_all = QRadioButton(f"All contacts ({total})")
        self.scope_selected = QRadioButton(f"Selected contacts ({selected})")
        self.scope_search = QRadioButton(f"Contacts matching the search ({shown})")
        self.scope_selected.setEnabled(selected > 0)
        self.scope_search.setEnabled(searching)
        group = QButtonGroup(self)
        for b in (self.scope_all, self.scope_selected, self.scope_search):
            group.addButton(b)
        (self.scope_selected if selected > 1 else self.scope_all).setChecked(True)
        self.version = QComboBox()
        self.version.addItem("vCard 3.0 (works with almost every address book)", "3.0")
        self.version.addItem("vCard 4.0 (newer)", "4.0")
        self.version.addItem("CSV (Google Contacts' columns; opens in Excel)", "csv")
        self.layout_choice = QComboBox()
        self.layout_choice.addItem("One file with every contact", "file")
        self.layout_choice.addItem("A folder with one file per contact", "folder")
        self.version.currentIndexChanged.connect(self._on_format)
        form = QFormLayout()
        form.addRow("Format", self.version)
        form.addRow("Save as", self.layout_choice)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Choose where…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for b in (self.scope_all, self.scope_selected, self.scope_search):
            layout.addWidget(b)
        layout.addLayout(form)
        layout.addWidget(buttons)
        # Enter exports. Made the default before the button was in this dialog, it was not
        # (setDefault looks for the dialog), and Cancel, first in the box, answered Enter.
        self.ok.setDefault(True)

    def _on_format(self) -> None:
        """A CSV is one file: the folder choice is for vCard only."""
        csv = self.version.currentData() == "csv"
        if csv:
            self.layout_choice.setCurrentIndex(0)
        self.layout_choice.setEnabled(not csv)

    def scope(self) -> str:
        if self.scope_selected.isChecked():
            return "selected"
        if self.scope_search.isChecked():
            return "search"
        return "all"
