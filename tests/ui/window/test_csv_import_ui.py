"""CSV in the window: the column-mapping step of an import (remembered for the next file with
the same header), a known layout going straight to the preview, and CSV export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services.contacts import create_contact
from app.storage.db import Database
from app.ui.window.export_dialog import ExportDialog
from app.ui.window.import_dialogs import ColumnMappingDialog, ImportSummaryDialog
from app.ui.window.main_window import MainWindow
from tests.conftest import DATA
from tests.vcard.test_csv_formats import EXCEL_PEOPLE, all_records, imported

Make = Callable[[], MainWindow]
EXCEL = DATA / "csv" / "kontakte-excel.csv"


class Dialogs:
    """Answers the window's dialogs; places the unknown column as *place* says."""

    def __init__(self, place: dict[str, str] | None = None, accept: bool = True) -> None:
        self.seen: list[Any] = []
        self.place = place or {}
        self.accept = accept
        self.prefilled: list[dict[str, str]] = []

    def __call__(self, dialog: Any) -> int:
        self.seen.append(dialog)
        if isinstance(dialog, ColumnMappingDialog):
            self.prefilled.append(dialog.mapping())
            assert dialog.accept_button.isEnabled() == all(c.currentData() for c in dialog.combos)
            for column, field in self.place.items():
                dialog.choose(column, field)
            if not self.accept:
                return QDialog.DialogCode.Rejected
        return QDialog.DialogCode.Accepted


def reports(d: Dialogs) -> list[ImportSummaryDialog]:
    return [x for x in d.seen if isinstance(x, ImportSummaryDialog)]


def test_unknown_columns_are_placed_in_the_window_and_remembered(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs({"Lieblingsfarbe": "other"})
    w.files.start_import([str(EXCEL)])
    qtbot.waitUntil(lambda: len(reports(dialogs)) == 2, timeout=20000)
    mapping = next(d for d in dialogs.seen if isinstance(d, ColumnMappingDialog))
    # The first rows are shown beside the columns; the known columns come guessed.
    assert mapping.table.item(5, 0).text() == "Lieblingsfarbe"
    assert mapping.table.item(5, 2).text() == "Grün"
    assert mapping.table.item(0, 2).text() == "Dr. Eva Schäfer"
    assert dialogs.prefilled == [
        {
            "Name": "full_name",
            "E-Mail": "email",
            "Handy": "phone:mobile",
            "Firma": "organization",
            "Geburtstag": "birthday",
        }
    ]
    preview, _report = reports(dialogs)
    assert "2 new contacts" in preview.heading.text()
    assert preview.model.as_text() == (
        "warning\tkontakte-excel.csv: 2 rows read as CSV; kept as other fields: “Lieblingsfarbe”"
    )
    assert all_records(db) == EXCEL_PEOPLE
    # The next file with the same header: the dialog comes with the last choice made.
    w.ask = again = Dialogs(accept=False)
    w.files.start_import([str(EXCEL)])
    qtbot.waitUntil(lambda: bool(again.prefilled), timeout=20000)
    assert again.prefilled[0]["Lieblingsfarbe"] == "other"
    qtbot.waitUntil(lambda: "Nothing was imported" in w.statusBar().currentMessage())


def test_cancel_in_the_mapping_step_imports_nothing(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs(accept=False)
    w.files.start_import([str(EXCEL)])
    qtbot.waitUntil(lambda: "Nothing was imported" in w.statusBar().currentMessage(), timeout=20000)
    assert [type(d) for d in dialogs.seen] == [ColumnMappingDialog]
    assert all_records(db) == []


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on show
def test_the_mapping_step_fits_a_small_screen_and_enter_continues(
    qtbot: QtBot, make_window: Make
) -> None:
    """Seen at 1024×768: the dialog was 1301 pixels wide (its explanation did not wrap),
    Continue was off the screen, and Enter cancelled the import."""
    w = make_window()
    w.ask = dialogs = Dialogs({"Lieblingsfarbe": "other"}, accept=False)
    w.files.start_import([str(EXCEL)])
    qtbot.waitUntil(lambda: bool(dialogs.seen), timeout=20000)
    (layout,) = [d.layout_ for d in dialogs.seen if isinstance(d, ColumnMappingDialog)]
    dialog = ColumnMappingDialog("a file with a long name " * 8, layout, {}, w)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.minimumSizeHint().width() < 1000
    assert dialog.width() <= dialog.screen().availableGeometry().width()
    for column, field in {"Lieblingsfarbe": "other"}.items():
        dialog.choose(column, field)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)


def test_a_known_layout_goes_straight_to_the_preview(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs()
    w.files.start_import([str(DATA / "csv" / "outlook-fr.csv")])
    qtbot.waitUntil(lambda: len(reports(dialogs)) == 2, timeout=20000)
    assert not any(isinstance(d, ColumnMappingDialog) for d in dialogs.seen)
    [helene] = all_records(db)
    assert (helene.given_name, helene.family_name, helene.emails) == (
        "Hélène",
        "Lefèvre",
        [Labeled("helene@example.fr")],
    )


def test_export_dialog_offers_csv_and_the_window_writes_it(
    qtbot: QtBot, make_window: Make, db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ada", note="=1+2", organization="Engines"))
        create_contact(s, ContactRecord(full_name="Bob", organization="Bakery"))
    dialog = ExportDialog(2, 0, 2, False)
    qtbot.addWidget(dialog)
    dialog.version.setCurrentIndex(dialog.version.findData("csv"))
    assert not dialog.layout_choice.isEnabled()
    w = make_window()
    w.contacts.model.set_query("engines")
    w.files.start_export("search", tmp_path / "out.csv", "csv", folder=False)
    qtbot.waitUntil(lambda: (tmp_path / "out.csv").exists(), timeout=10000)
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeffName,First Name,")
    assert "Ada," in text and "'=1+2" in text and "Bob" not in text


@pytest.mark.parametrize(
    "name",
    [
        "outlook.csv",
        "outlook-de.csv",
        "outlook-es.csv",
        "outlook-com.csv",
        "google.csv",
        "google-old.csv",
    ],
)
def test_the_window_reads_each_product_file_as_the_command_line_does(
    qtbot: QtBot, make_window: Make, db: Database, tmp_path: Path, name: str
) -> None:
    """Every field of every row: the command line's reading is checked field by field in
    tests/vcard/test_csv_formats.py; the window's import must give the very same contacts."""
    w = make_window()
    w.ask = dialogs = Dialogs()
    w.files.start_import([str(DATA / "csv" / name)])
    qtbot.waitUntil(lambda: len(reports(dialogs)) == 2, timeout=20000)
    assert not any(isinstance(d, ColumnMappingDialog) for d in dialogs.seen)
    elsewhere = AppPaths(tmp_path / "cli")
    assert all_records(db) == imported(elsewhere, str(DATA / "csv" / name))
