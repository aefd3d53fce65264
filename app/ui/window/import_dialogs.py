"""What an import will do (before) and what it did (after), with every problem listed; where
the columns of a CSV go, when Second Act cannot tell."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.importing import ImportReport, Preview
from app.ui.common.text import escape, plain_label, plural, rich_label
from app.ui.window.problems_model import ProblemsModel
from app.vcard.csv_formats import CHOICES, CsvLayout
from app.vcard.problems import Problem


class ImportSummaryDialog(QDialog):
    can_import = False  # set by preview_dialog

    def __init__(
        self,
        title: str,
        heading: str,
        problems: list[Problem],
        accept_text: str,
        parent: QWidget | None = None,
        cancel: bool = True,
    ) -> None:
        super().__init__(parent)
        self.choice = ""  # what the user asked for next: "duplicates", "undo" or nothing
        self.setWindowTitle(title)
        self.setObjectName("import_summary")
        self.resize(720, 420 if problems else 200)
        self.heading = rich_label(heading)
        self.heading.setObjectName("summary_heading")
        self.heading.setWordWrap(True)
        self.model = ProblemsModel(problems, self)
        self.table = QTableView()
        self.table.setObjectName("problems")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setVisible(bool(problems))
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton(
            accept_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.accept_button.setObjectName("accept")
        self.accept_button.setDefault(True)
        if cancel:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        if problems:
            copy = QPushButton("Copy list")
            copy.clicked.connect(self.on_copy)
            self.buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        if problems:
            layout.addWidget(plain_label("Problems found, by file and line:"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)

    def add_choice(self, text: str, choice: str) -> QPushButton:
        """A button that closes the dialog and says what to do next."""
        button = QPushButton(text)
        button.setObjectName(choice)

        def choose() -> None:
            self.choice = choice
            self.accept()

        button.clicked.connect(choose)
        self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def on_copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.model.as_text())


def preview_dialog(preview: Preview, files: list[str], parent: QWidget) -> ImportSummaryDialog:
    parts = []
    if preview.new:
        parts.append(f"<b>{plural(preview.new, 'new contact')}</b> will be added")
    if preview.merge:
        who = (
            "matches someone you already have and will be merged into them"
            if preview.merge == 1
            else "match people you already have and will be merged into them"
        )
        parts.append(f"<b>{plural(preview.merge, 'card')}</b> {who}, field by field")
    skipped_cards = preview.skip - len(preview.unreadable)
    if skipped_cards:
        parts.append(f"<b>{plural(skipped_cards, 'card')}</b> cannot be read and will be skipped")
    what = "; ".join(parts) if parts else "There is nothing to import"
    heading = f"<p>Importing {plural(len(files), 'file')}: {what}.</p>"
    for p in preview.unreadable:  # a whole file: said in words, not counted as a card
        name, why = escape(p.file), escape(p.message)
        heading += f"<p>Nothing can be imported from <b>{name}</b>: {why}.</p>"
    heading += "<p>Nothing is changed until you press Import.</p>"
    can_import = bool(preview.new or preview.merge)
    dialog = ImportSummaryDialog(
        "Import address book",
        heading,
        preview.problems,
        "Import" if can_import else "Close",
        parent,
    )
    dialog.accept_button.setEnabled(True)
    dialog.can_import = can_import
    return dialog


def report_dialog(report: ImportReport, parent: QWidget) -> ImportSummaryDialog:
    heading = (
        f"<p>Import finished: <b>{plural(report.imported, 'new contact')}</b>, "
        f"{plural(report.merged, 'contact')} updated with new details, "
        f"{report.unchanged} already up to date, "
        f"{plural(report.skipped, 'card')} skipped.</p>"
    )
    if report.skipped:
        heading += "<p>Skipped cards are listed below with their file and line.</p>"
    names = report.possible_duplicate_names
    if names:
        # Counted as the Contacts tab and the review count them: by name (a group), with
        # the pairs beside (five namesakes are one name and ten pairs).
        heading += (
            f"<p>{plural(names, 'name')} {'is' if names == 1 else 'are'} shared by contacts "
            f"with nothing else to show they are one person "
            f"({plural(report.possible_duplicates, 'pair')} to compare). They were kept "
            "apart: review them to merge the ones that are the same person.</p>"
        )
    dialog = ImportSummaryDialog(
        "Import finished", heading, report.problems, "OK", parent, cancel=False
    )
    if names:
        dialog.add_choice(f"Review {plural(names, 'Possible Duplicate')}…", "duplicates")
    if report.import_id is not None:
        dialog.add_choice("Undo This Import…", "undo")
    return dialog


class ColumnMappingDialog(QDialog):
    """Where each column of a CSV goes: the file's first rows beside a field per column."""

    def __init__(
        self,
        name: str,
        layout: CsvLayout,
        remembered: dict[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import address book: columns")
        self.setObjectName("column_mapping")
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        # Fits the screen it opens on (a file's long headers and sample rows scroll inside).
        self.resize(min(820, room.width() - 40) if room else 820, 460)
        self.layout_ = layout
        self.table = QTableWidget(len(layout.header), 2 + len(layout.rows))
        self.table.setObjectName("columns")
        self.table.setHorizontalHeaderLabels(
            ["Column", "Import as"] + [f"Row {i}" for i in range(1, len(layout.rows) + 1)]
        )
        self.table.verticalHeader().hide()
        self.combos: list[QComboBox] = []
        for row, (column, guessed) in enumerate(zip(layout.header, layout.fields, strict=True)):
            item = QTableWidgetItem(column)  # a table item's text is never rich text
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, 0, item)
            combo = QComboBox()
            combo.addItem("Choose…", "")
            for value, label in CHOICES:
                combo.addItem(label, value)
            chosen = remembered.get(column) or guessed
            if chosen and combo.findData(chosen) < 0:
                # A field of the file's own layout (Outlook's "Business Street", Google's
                # "E-mail 1 - Value"), which the list above does not name.
                combo.addItem(f"As {layout.format} means it", chosen)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.currentIndexChanged.connect(self._update)
            self.combos.append(combo)
            self.table.setCellWidget(row, 1, combo)
            for i, sample in enumerate(layout.rows):
                cell = QTableWidgetItem(sample[row] if row < len(sample) else "")
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, 2 + i, cell)
        self.table.resizeColumnsToContents()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.accept_button = self.buttons.addButton(
            "Continue", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.accept_button.setObjectName("accept")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.missing = plain_label("")
        self.missing.setWordWrap(True)
        box = QVBoxLayout(self)
        intro = plain_label(
            f"Second Act does not know every column of {name}. Choose where each goes "
            "(“Keep as another field” keeps it with the contact; “(leave out)” drops it). "
            "The choice is remembered for files with the same columns."
        )
        intro.setWordWrap(True)  # unwrapped, it made the dialog wider than a 1024 screen
        box.addWidget(intro)
        box.addWidget(self.table, 1)
        box.addWidget(self.missing)
        box.addWidget(self.buttons)
        # Enter continues. Made the default before the button was in this dialog, it was not
        # (setDefault looks for the dialog), and Enter cancelled the import.
        self.accept_button.setDefault(True)
        self._update()

    def _update(self) -> None:
        missing = [
            h for h, c in zip(self.layout_.header, self.combos, strict=True) if not c.currentData()
        ]
        self.accept_button.setEnabled(not missing)
        self.missing.setText(
            "Still to choose: " + ", ".join(missing) if missing else "Every column has a place."
        )

    def choose(self, column: str, field: str) -> None:
        """Set *column*'s field (what a user does with its list)."""
        combo = self.combos[self.layout_.header.index(column)]
        combo.setCurrentIndex(combo.findData(field))

    def mapping(self) -> dict[str, str]:
        return {
            h: str(c.currentData())
            for h, c in zip(self.layout_.header, self.combos, strict=True)
            if c.currentData()
        }
