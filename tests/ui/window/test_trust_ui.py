"""Possible duplicates, Undo import, backups and restore, and contact text as plain text."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.paths import AppPaths
from app.services.contacts import count_contacts, create_contact, list_contact_ids
from app.services.importing import import_files, parse_bytes
from app.storage.backups import list_backups
from app.storage.db import Database, open_database
from app.ui.contacts.duplicates_dialog import DuplicatesDialog
from app.ui.window.application import offer_restore
from app.ui.window.backup_dialog import RestoreDialog
from app.ui.window.import_dialogs import ImportSummaryDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]

TWO_JOHNS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-1\r\nFN:John Smith\r\nORG:IBM\r\nTITLE:Engineer\r\n"
    "EMAIL:john.s@ibm.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u-2\r\nFN:John Smith\r\nORG:IBM\r\nTITLE:Sales\r\n"
    "EMAIL:jsmith@ibm.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@a.example\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:ann lee\r\nEMAIL:ann@b.example\r\nEND:VCARD\r\n"
)


def _import_through_window(qtbot: QtBot, w: MainWindow, answers: Answers, path: Path) -> None:
    w.files.start_import([str(path)])
    qtbot.waitUntil(
        lambda: any(
            isinstance(d, ImportSummaryDialog) and d.windowTitle() == "Import finished"
            for d in answers.dialogs
        ),
        timeout=10000,
    )


def test_same_names_are_kept_apart_and_reviewed_from_the_import_report(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, tmp_path: Path
) -> None:
    path = tmp_path / "people.vcf"
    path.write_text(TWO_JOHNS)
    reviewed: list[DuplicatesDialog] = []

    def user(dialog: QDialog) -> int:
        if isinstance(dialog, ImportSummaryDialog) and dialog.windowTitle() == "Import finished":
            assert "2 names are shared" in dialog.heading.text()
            assert "(2 pairs to compare)" in dialog.heading.text()
            button = dialog.findChild(QPushButton, "duplicates")
            assert button is not None and button.isVisible() is False  # not shown, but there
            assert button.text() == "Review 2 Possible Duplicates…"
            button.click()
            return int(dialog.result())
        if isinstance(dialog, DuplicatesDialog):
            reviewed.append(dialog)
            assert dialog.count() == 2
            # First name (Ann Lee): the same person. Second (John Smith): two people.
            names = [dialog.groups.index(r, 0).data() for r in range(2)]
            assert sorted(n.casefold() for n in names) == ["ann lee", "john smith"]
            dialog.group_view.selectRow(names.index("Ann Lee"))
            assert dialog.compare.rowCount() > 0
            dialog.merge_button.click()
            assert dialog.count() == 1
            dialog.different_button.click()
            assert dialog.count() == 0 and dialog.empty.isVisibleTo(dialog)
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    answers.on_dialog = user
    _import_through_window(qtbot, w, answers, path)
    qtbot.waitUntil(lambda: bool(reviewed), timeout=5000)
    with db.session() as s:
        assert count_contacts(s) == 3  # the two Ann Lees merged; the Johns kept apart
    assert not w.contacts.duplicates_button.isVisibleTo(w)
    w.undo_action.trigger()  # "different people" undone: the pair is offered again
    assert w.contacts.duplicates_button.isVisibleTo(w)
    assert "1 possible duplicate" in w.contacts.duplicates_button.text()
    w.undo_action.trigger()  # the merge undone too
    with db.session() as s:
        assert count_contacts(s) == 4


def test_the_import_report_counts_possible_duplicates_as_the_contacts_tab_does(
    qtbot: QtBot, make_window: Make, answers: Answers, tmp_path: Path
) -> None:
    """Five namesakes are one name to review (the Contacts tab's "1 possible duplicate"),
    and ten pairs: the report's button said "Review 10 Possible Duplicates…"."""
    path = tmp_path / "namesakes.vcf"
    path.write_text(
        "".join(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Smith\r\nEMAIL:ana{i}@x.example\r\nEND:VCARD\r\n"
            for i in range(5)
        )
    )
    seen: list[tuple[str, str]] = []

    def user(dialog: QDialog) -> int:
        if isinstance(dialog, ImportSummaryDialog) and dialog.windowTitle() == "Import finished":
            button = dialog.findChild(QPushButton, "duplicates")
            assert button is not None
            seen.append((dialog.heading.text(), button.text()))
        return int(QDialog.DialogCode.Accepted)  # the preview's Import, the report's OK

    w = make_window()
    answers.on_dialog = user
    _import_through_window(qtbot, w, answers, path)
    ((heading, button),) = seen
    assert button == "Review 1 Possible Duplicate…"
    assert "1 name is shared by contacts" in heading and "(10 pairs to compare)" in heading
    qtbot.waitUntil(lambda: w.contacts.duplicates_button.isVisibleTo(w))
    assert w.contacts.duplicates_button.text() == "1 possible duplicate…"


def test_undo_import_from_the_report_and_from_the_edit_menu_after_a_restart(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    paths: AppPaths,
    tmp_path: Path,
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Kept", emails=[Labeled("kept@x.org")]))
    path = tmp_path / "people.vcf"
    path.write_text(TWO_JOHNS)

    def undo_from_report(dialog: QDialog) -> int:
        if isinstance(dialog, ImportSummaryDialog) and dialog.windowTitle() == "Import finished":
            button = dialog.findChild(QWidget, "undo")
            assert button is not None
            button.click()
            return int(dialog.result())
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    answers.on_dialog = undo_from_report
    _import_through_window(qtbot, w, answers, path)
    qtbot.waitUntil(lambda: "Import undone" in w.statusBar().currentMessage(), timeout=10000)
    assert any("Undo the import of people.vcf" in text for text in answers.asked)
    with db.session() as s:
        assert count_contacts(s) == 1
    reasons = {b.reason for b in list_backups(paths.backups)}
    assert {"before-import", "before-undo-import", "daily"} <= reasons

    # Import again, "restart", and undo from the Edit menu.
    with db.session() as s:
        import_files(s, [parse_bytes(path.read_bytes(), "people.vcf")])
    w.close()
    w2 = make_window()
    answers.asked.clear()
    w2.files.undo_import_action.trigger()
    qtbot.waitUntil(lambda: "Import undone" in w2.statusBar().currentMessage(), timeout=10000)
    assert "4 contacts it added will be removed" in answers.asked[0]
    with db.session() as s:
        assert count_contacts(s) == 1
    assert w2.contacts.model.rowCount() == 1
    answers.asked.clear()
    w2.files.undo_import_action.trigger()
    assert answers.asked == ["There is no import to undo."]


def test_restore_from_backup_in_the_window(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, paths: AppPaths
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Before"))
    db.backup("manual")
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="After"))
    w = make_window()
    assert w.contacts.model.rowCount() == 2

    def choose_newest(dialog: QDialog) -> int:
        assert isinstance(dialog, RestoreDialog)
        assert dialog.model.rowCount() == 1 and dialog.chosen() is not None
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = choose_newest
    w.files.restore_action.trigger()
    assert "(1 contact)" in answers.asked[-1]
    assert w.contacts.model.rowCount() == 1
    with db.session() as s:  # the same Database object now reads the restored file
        assert count_contacts(s) == 1
    assert [b.reason for b in list_backups(paths.backups)].count("before-restore") == 1


def test_a_damaged_database_at_start_offers_the_backups(qtbot: QtBot, paths: AppPaths) -> None:
    db = open_database(paths.database, paths.backups)
    with db.session() as s:
        for i in range(300):
            create_contact(s, ContactRecord(full_name=f"P{i}", note="x" * 3000))
    db.backup("daily")
    db.close()
    size = paths.database.stat().st_size
    with paths.database.open("r+b") as f:
        f.seek(size // 2)
        f.write(random.Random(3).randbytes(80 * 1024))

    seen: list[QDialog] = []

    def user(dialog: QDialog) -> int:
        seen.append(dialog)
        if isinstance(dialog, QMessageBox):
            assert "is damaged" in dialog.text()
            button = dialog.findChild(QWidget, "restore")
            assert button is not None and button.isEnabled()
            button.click()
            return 0
        assert isinstance(dialog, RestoreDialog) and dialog.chosen() is not None
        return int(QDialog.DialogCode.Accepted)

    from app.storage.db import DatabaseDamaged

    try:
        open_database(paths.database, paths.backups)
    except DatabaseDamaged as exc:
        restored = offer_restore(paths, str(exc), ask=user)
    else:
        raise AssertionError("the damage went unnoticed")
    assert restored is not None
    with restored.session() as s:
        assert count_contacts(s) == 300
    restored.close()
    assert [type(d) for d in seen] == [QMessageBox, RestoreDialog]
    assert any(b.reason == "damaged" for b in list_backups(paths.backups))


HTML = "<b>Bold</b> <font color=red size=7>Eve</font>"


def _labels_showing_html(root: QWidget) -> list[QLabel]:
    return [
        label
        for label in root.findChildren(QLabel)
        if "<font" in label.text() and label.textFormat() != Qt.TextFormat.PlainText
    ]


def test_html_in_every_field_is_shown_as_plain_text(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    record = ContactRecord(
        full_name=HTML,
        given_name=HTML,
        family_name=HTML,
        nickname=HTML,
        organization=HTML,
        department=HTML,
        title=HTML,
        industry=HTML,
        emails=[Labeled("eve@x.org", HTML)],
        phones=[Labeled("+1 555 0100", HTML)],
        urls=[Labeled("https://x.org/<b>", HTML)],
        addresses=[PostalAddress(HTML, street=HTML, city=HTML)],
        birthday=Birthday(1, 2),
        note=HTML,
        tags=[HTML],
        how_met=HTML,
    )
    with db.session() as s:
        first = create_contact(s, record, check=False)
        create_contact(
            s,
            ContactRecord(
                full_name=HTML, given_name=HTML, family_name=HTML, emails=[Labeled("e@x.org")]
            ),
            check=False,
        )
    w = make_window()
    w.contacts.table.selectRow(w.contacts.model.row_of(first))
    qtbot.waitUntil(lambda: w.contacts.editor.heading.text() == HTML)
    assert w.contacts.editor.heading.textFormat() == Qt.TextFormat.PlainText
    assert _labels_showing_html(w) == []
    # Tooltips of the list are escaped: Qt shows them as the very characters.
    for col in range(w.contacts.model.columnCount()):
        tip = w.contacts.model.index(0, col).data(Qt.ItemDataRole.ToolTipRole)
        assert tip is None or "<font" not in tip
    # The questions that quote a name.
    assert w.contacts.selected_ids() == [first]
    answers.reply = QMessageBox.StandardButton.Cancel
    w.contact_actions.delete_action.trigger()
    box = answers.boxes[-1]
    assert HTML in box.text() and box.textFormat() == Qt.TextFormat.PlainText
    # The side-by-side review shows both as text.
    dialog = DuplicatesDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.count() == 1
    assert _labels_showing_html(dialog) == []
    for row in range(dialog.compare.rowCount()):
        tip = dialog.compare.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert tip is None or "<font" not in tip


def test_html_in_a_file_name_and_a_card_line_stays_text_in_the_import_report(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    from app.services.importing import read_file
    from app.ui.window.import_dialogs import report_dialog

    path = tmp_path / "<b>x<b>.vcf"
    path.write_text(f"BEGIN:VCARD\r\nVERSION:3.0\r\n{HTML}\r\nFN:{HTML}\r\nEND:VCARD\r\n")
    with db.session() as s:
        report = import_files(s, [read_file(path)])
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = report_dialog(report, parent)
    assert _labels_showing_html(dialog) == []
    assert "<b>x" not in dialog.heading.text()
    for row in range(dialog.model.rowCount()):
        for col in range(dialog.model.columnCount()):
            tip = dialog.model.index(row, col).data(Qt.ItemDataRole.ToolTipRole)
            assert tip is None or "<font" not in tip
    with db.session() as s:
        assert list_contact_ids(s)


def test_deleting_many_contacts_makes_a_backup_first(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, paths: AppPaths
) -> None:
    from app.ui.contacts.actions import BULK_DELETE

    with db.session() as s:
        for i in range(BULK_DELETE + 2):
            create_contact(s, ContactRecord(full_name=f"Person {i}"))
    w = make_window()
    w.contacts.table.selectAll()
    w.contact_actions.delete_action.trigger()
    qtbot.waitUntil(lambda: "Deleted these" in w.statusBar().currentMessage(), timeout=10000)
    # Said when it is done, and shown then: the list was refreshed only after a second,
    # needless delete in the background, and a Ctrl+Z pressed meanwhile was dropped.
    assert w.contacts.model.rowCount() == 0 and w.undo_action.isEnabled()
    assert w.undo_stack.index() == 1 and not w.tasks.running
    (copy,) = [b for b in list_backups(paths.backups) if b.reason == "before-delete"]
    with db.session() as s:
        assert count_contacts(s) == 0
    kept = open_database(copy.path)
    with kept.session() as s:
        assert count_contacts(s) == BULK_DELETE + 2
    kept.close()

    def count() -> int:
        with db.session() as s:
            return count_contacts(s)

    w.undo_action.trigger()  # off the window's thread too: the list comes back when done
    # Meanwhile Undo and Redo are greyed, not silently ignored.
    assert not w.undo_action.isEnabled() and not w.redo_action.isEnabled()
    qtbot.waitUntil(lambda: w.contacts.model.rowCount() == BULK_DELETE + 2, timeout=10000)
    assert w.redo_action.isEnabled() and not w.undo_action.isEnabled()  # nothing before it
    assert count() == BULK_DELETE + 2 and w.undo_stack.index() == 0
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: w.contacts.model.rowCount() == 0, timeout=10000)
    assert count() == 0 and w.undo_stack.index() == 1


def test_the_review_models_pass_qt_model_checks(qtbot: QtBot, qtmodeltester, db: Database) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        for i in range(3):
            create_contact(s, ContactRecord(full_name="Sam Reed", emails=[Labeled(f"s{i}@x.org")]))
    dialog = DuplicatesDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.count() == 1 and dialog.members.rowCount() == 3  # one name, three people
    qtmodeltester.check(dialog.groups)
    qtmodeltester.check(dialog.members)
    qtmodeltester.check(dialog.compare)


def test_a_bulk_delete_runs_off_the_window_and_cancel_deletes_nothing(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from app.ui.contacts.actions import BULK_DELETE

    with db.session() as s:
        for i in range(BULK_DELETE + 5):
            create_contact(s, ContactRecord(full_name=f"Person {i}"))
    w = make_window()
    go = threading.Event()
    real_backup = db.backup

    def backup(reason: str) -> Path:
        made = real_backup(reason)
        go.wait(10)  # holds the work until the test has pressed Cancel
        return made

    monkeypatch.setattr(db, "backup", backup)
    w.contacts.table.selectAll()
    w.contact_actions.delete_action.trigger()
    assert w.tasks.running  # on a pool thread: the window is back at once
    w.tasks.running[0].cancel()
    go.set()
    qtbot.waitUntil(lambda: "Nothing was deleted" in w.statusBar().currentMessage(), timeout=10000)
    with db.session() as s:
        assert count_contacts(s) == BULK_DELETE + 5
    assert w.undo_stack.count() == 0  # nothing to undo
