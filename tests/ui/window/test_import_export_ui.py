from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services.contacts import count_contacts, create_contact, list_contact_ids
from app.storage.db import Database
from app.ui.window.import_dialogs import ImportSummaryDialog
from app.ui.window.main_window import MainWindow
from tests.conftest import DATA, VCARDS
from tests.processes import process_state, spawned_children
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


class Dialogs:
    """Answers the window's dialogs and keeps them for the test to inspect."""

    def __init__(self, answer: int = QDialog.DialogCode.Accepted) -> None:
        self.seen: list[Any] = []
        self.answer = answer

    def __call__(self, dialog: Any) -> int:
        self.seen.append(dialog)
        return self.answer


def summaries(d: Dialogs) -> list[ImportSummaryDialog]:
    return [x for x in d.seen if isinstance(x, ImportSummaryDialog)]


def test_import_shows_a_preview_then_a_report(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs()
    files = [
        str(VCARDS / "ez-vcard" / "gmail-list.vcf"),
        str(VCARDS / "evolution-data-server" / "9.vcf"),
        str(VCARDS / "sabre-io-vobject" / "issue64.vcf"),
    ]
    w.files.start_import(files)
    qtbot.waitUntil(lambda: len(summaries(dialogs)) == 2, timeout=10000)
    preview, report = summaries(dialogs)
    assert "4 new contacts" in preview.heading.text()
    assert "1 card</b> cannot be read" in preview.heading.text()
    assert preview.model.rowCount() == 3  # the skipped card first, then two notes on 9.vcf
    assert preview.model.index(0, 0).data() == "issue64.vcf"
    assert preview.model.index(0, 2).data() == "skipped"
    assert "Import finished" in report.windowTitle()
    assert "4 new contacts" in report.heading.text()
    assert w.contacts.model.rowCount() == 4
    assert w.contacts.pages.currentWidget() is w.contacts.splitter
    with db.session() as s:
        assert count_contacts(s) == 4


def test_cancel_in_the_preview_writes_nothing(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs(QDialog.DialogCode.Rejected)
    w.files.start_import([str(DATA / "Connections.csv")])
    qtbot.waitUntil(lambda: len(dialogs.seen) == 1, timeout=10000)
    qtbot.waitUntil(lambda: "Nothing was imported" in w.statusBar().currentMessage())
    with db.session() as s:
        assert count_contacts(s) == 0
    if Path("/proc").is_dir():  # the helper that read the file has ended
        qtbot.waitUntil(lambda: not spawned_children(os.getpid()), timeout=10000)


def test_cancel_during_the_import_rolls_everything_back(
    qtbot: QtBot, make_window: Make, db: Database, tmp_path: Path
) -> None:
    big = tmp_path / "big.vcf"
    big.write_text(
        "".join(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\n"
            f"EMAIL:p{i}@example.org\r\nEND:VCARD\r\n"
            for i in range(3000)
        )
    )
    w = make_window()

    def accept_then_cancel(dialog: Any) -> int:
        if isinstance(dialog, ImportSummaryDialog) and dialog.windowTitle() != "Import finished":
            # Cancel as soon as the import task is running, as the progress dialog would.
            def cancel_when_started() -> None:
                for t in w.tasks.running:
                    t.cancel()

            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, cancel_when_started)
        return QDialog.DialogCode.Accepted

    w.ask = accept_then_cancel
    w.files.start_import([str(big)])
    qtbot.waitUntil(lambda: "cancelled" in w.statusBar().currentMessage(), timeout=20000)
    with db.session() as s:
        assert count_contacts(s) == 0
    if Path("/proc").is_dir():
        assert not spawned_children(os.getpid())


def test_cancel_after_writes_leaves_every_table_as_it_was(
    qtbot: QtBot, make_window: Make, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel pressed in the progress dialog once the helper has written a batch of new people
    (batches of 3; the helper holds there until Cancel reaches it, see tests/import_pause.py):
    contacts, merges, import runs, fingerprints, links and interactions are as they were."""
    from functools import partial

    from app.services import import_job
    from app.services.contacts import get_contact, update_contact
    from app.services.importing import import_files, parse_bytes
    from app.services.interactions import log_interaction
    from tests.import_pause import helper_holding_after_a_batch
    from tests.snapshot import snapshot

    def card(name: str, org: str = "", extra: str = "") -> str:
        return (
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{name.lower()}@x.org\r\n"
            f"ORG:{org}\r\n{extra}END:VCARD\r\n"
        )

    earlier = "".join(card(f"K{i}") for i in range(8))
    with db.session() as s:  # an earlier import: its run, fingerprints and contacts to merge into
        import_files(s, [parse_bytes(earlier.encode(), "earlier.vcf")])
    with db.session() as s:
        k0, k1 = list_contact_ids(s, "k0")[0], list_contact_ids(s, "k1")[0]
        update_contact(s, replace(get_contact(s, k1), uid="intro-uid", introduced_by_id=k0))
        log_interaction(s, k0, dt.date(2026, 3, 1), "coffee")
    w = make_window()  # which seeds its question bank: part of the state before
    before = snapshot(db)
    both = tmp_path / "both.vcf"  # eight known people (now at Acme), ten new, one introduced
    both.write_text(
        "".join(card(f"K{i}", "Acme") for i in range(8))
        + "".join(
            card(f"P{i}", extra="X-ABRELATEDNAMES;TYPE=introduced-by:urn:uuid:intro-uid\r\n")
            for i in range(10)
        ),
        newline="",
    )
    written = tmp_path / "written"
    monkeypatch.setattr(import_job, "_helper", partial(helper_holding_after_a_batch, str(written)))
    w.ask = dialogs = Dialogs()
    w.files.start_import([str(both)])
    qtbot.waitUntil(written.exists, timeout=30000)
    (progress,) = [
        d for d in w.findChildren(QProgressDialog) if d.windowTitle() == "Importing contacts"
    ]
    (cancel,) = progress.findChildren(QPushButton)
    # Its Cancel button, clicked: the dialog itself shows only once Qt's own timer fires
    # (4 s) when no progress comes, as none does while the helper holds.
    cancel.click()
    qtbot.waitUntil(lambda: "cancelled" in w.statusBar().currentMessage(), timeout=30000)
    assert [d.windowTitle() for d in summaries(dialogs)] != []
    assert "Import finished" not in [d.windowTitle() for d in summaries(dialogs)]
    assert snapshot(db) == before
    assert w.contacts.total() == 8


def test_cancel_while_reading_shows_no_preview_and_leaves_no_helper(
    qtbot: QtBot, make_window: Make, answers: Answers, db: Database, tmp_path: Path
) -> None:
    from tests.bigfile import write_large_vcf

    big = write_large_vcf(tmp_path / "big.vcf", 6000)
    w = make_window()
    w.files.start_import([str(big)])
    qtbot.waitUntil(lambda: bool(w.tasks.running), timeout=5000)
    if Path("/proc").is_dir():  # cancelled once the file is being read, not before
        qtbot.waitUntil(lambda: len(spawned_children(os.getpid())) == 1, timeout=20000)
        (helper,) = spawned_children(os.getpid())
        qtbot.waitUntil(lambda: bool(spawned_children(helper)), timeout=20000)
    for task in w.tasks.running:
        task.cancel()
    qtbot.waitUntil(lambda: "Nothing was imported" in w.statusBar().currentMessage(), timeout=30000)
    assert answers.dialogs == []  # no preview was shown for what the user cancelled
    with db.session() as s:
        assert count_contacts(s) == 0
    if Path("/proc").is_dir():
        qtbot.waitUntil(lambda: not spawned_children(os.getpid()), timeout=10000)


def test_dropping_a_vcard_file_offers_the_import(qtbot: QtBot, make_window: Make) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs(QDialog.DialogCode.Rejected)
    mime = QMimeData()
    mime.setUrls(
        [
            QUrl.fromLocalFile(str(VCARDS / "khard" / "joe.vcf")),
            QUrl.fromLocalFile(str(DATA / "notes.txt")),
        ]
    )
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    w.dropEvent(event)
    qtbot.waitUntil(lambda: len(dialogs.seen) == 1, timeout=10000)
    assert "1 new contact" in summaries(dialogs)[0].heading.text()


def test_files_given_at_start_are_offered_for_import(qtbot: QtBot, make_window: Make) -> None:
    w = make_window()
    w.ask = dialogs = Dialogs(QDialog.DialogCode.Rejected)
    w.offer_import([str(VCARDS / "khard" / "joe.vcf")])
    qtbot.waitUntil(lambda: len(dialogs.seen) == 1, timeout=10000)


def test_export_search_result_to_a_file(
    qtbot: QtBot, make_window: Make, db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ada", organization="Engines"))
        create_contact(s, ContactRecord(full_name="Bob", organization="Bakery"))
    w = make_window()
    w.contacts.model.set_query("engines")
    w.files.start_export("search", tmp_path / "out.vcf", "4.0", folder=False)
    qtbot.waitUntil(lambda: (tmp_path / "out.vcf").exists(), timeout=10000)
    text = (tmp_path / "out.vcf").read_text(encoding="utf-8")
    assert "FN:Ada" in text and "Bob" not in text and "VERSION:4.0" in text


def test_merge_two_selected_contacts_then_undo(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ann Lee", emails=[Labeled("a@x.org")]))
        create_contact(s, ContactRecord(full_name="Anne Lee", emails=[Labeled("b@x.org")]))
    w = make_window()
    w.contacts.table.selectAll()
    # The two are compared side by side (as possible duplicates are); the user merges.
    answers.on_dialog = lambda dialog: (dialog.merge_button.click(), dialog.result())[1]
    w.contact_actions.merge_action.trigger()
    (dialog,) = answers.dialogs
    assert dialog.windowTitle() == "Merge two contacts"
    with db.session() as s:
        assert len(list_contact_ids(s)) == 1
        assert list_contact_ids(s, "b@x.org") == list_contact_ids(s, "a@x.org")
    assert w.contacts.model.rowCount() == 1
    w.undo_action.trigger()
    with db.session() as s:
        assert len(list_contact_ids(s)) == 2


def test_preview_wording_for_one_and_many(qtbot: QtBot) -> None:
    from app.services.importing import Preview
    from app.ui.window.import_dialogs import preview_dialog

    parent = QWidget()
    qtbot.addWidget(parent)
    one = preview_dialog(Preview(merge=1), ["a.vcf"], parent)
    many = preview_dialog(Preview(merge=2, skip=2), ["a.vcf", "b.vcf"], parent)
    assert "1 card</b> matches someone you already have" in one.heading.text()
    assert "2 cards</b> match people you already have" in many.heading.text()
    assert "Importing 2 files" in many.heading.text()
    assert "2 cards</b> cannot be read" in many.heading.text()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
@pytest.mark.parametrize(
    "killed",
    ["a reader", "the helper reading", "the helper at the preview", "the helper importing"],
)
def test_a_helper_process_dying_is_a_plain_failure_and_nothing_changes(
    qtbot: QtBot, make_window: Make, answers: Answers, db: Database, tmp_path: Path, killed: str
) -> None:
    """An import runs in a helper process, which reads a file over 4 MB with worker
    processes of its own. Any of them killed (out of memory, say), while reading or while
    writing, must end in a message, with nothing imported and the window still working."""
    from tests.bigfile import write_large_vcf

    if killed == "the helper at the preview":  # read whole before it dies: any file will do
        big = VCARDS / "ez-vcard" / "gmail-list.vcf"
    else:
        big = write_large_vcf(tmp_path / "big.vcf", 6000)
    w = make_window()
    failures: list[str] = []
    shown = w.task_failed
    w.task_failed = lambda details: (failures.append(details), shown(details))[1]  # type: ignore[method-assign]
    previewed: list[int] = []

    def preview_then_kill(dialog: QDialog) -> int:
        # The helper waits for the answer; it is killed once it is importing, or (at the
        # preview) while the user reads it: the window's "go" then meets a closed pipe.
        if killed == "the helper at the preview":
            (reading,) = spawned_children(os.getpid())
            os.kill(reading, signal.SIGKILL)
            qtbot.waitUntil(lambda: process_state(reading) == "Z", timeout=20000)
        previewed.append(1)
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = preview_then_kill
    w.files.start_import([str(big)])
    qtbot.waitUntil(lambda: bool(spawned_children(os.getpid())), timeout=20000)
    (helper,) = spawned_children(os.getpid())
    if killed == "a reader":
        qtbot.waitUntil(lambda: bool(spawned_children(helper)), timeout=20000)
        os.kill(spawned_children(helper)[0], signal.SIGKILL)
    elif killed == "the helper reading":
        qtbot.waitUntil(lambda: bool(spawned_children(helper)), timeout=20000)
        os.kill(helper, signal.SIGKILL)
    elif killed == "the helper importing":
        qtbot.waitUntil(lambda: bool(previewed), timeout=30000)
        os.kill(helper, signal.SIGKILL)
    qtbot.waitUntil(lambda: bool(failures), timeout=30000)
    assert ("BrokenProcessPool" if killed == "a reader" else "ended unexpectedly") in failures[0]
    (said,) = answers.asked
    assert said.startswith("The import stopped: a helper process it started ended")
    assert "Nothing was changed." in said
    with db.session() as s:
        assert count_contacts(s) == 0
    assert not spawned_children(os.getpid())  # nothing left running
    # The window goes on: a small file imports as usual.
    answers.on_dialog = None
    w.files.start_import([str(VCARDS / "khard" / "joe.vcf")])
    qtbot.waitUntil(lambda: w.contacts.total() == 1, timeout=20000)


def test_importing_a_file_without_any_card_says_so_in_words(
    qtbot: QtBot, make_window: Make, tmp_path: Path
) -> None:
    import random

    noise = tmp_path / "noise.vcf"
    noise.write_bytes(random.Random(22).randbytes(20_000))
    w = make_window()
    w.ask = dialogs = Dialogs(QDialog.DialogCode.Rejected)
    w.files.start_import([str(noise)])
    qtbot.waitUntil(lambda: len(summaries(dialogs)) == 1, timeout=20000)
    heading = summaries(dialogs)[0].heading.text()
    assert "There is nothing to import" in heading
    assert "Nothing can be imported from <b>noise.vcf</b>: no vCards found in this file" in heading
    assert "cannot be read and will be skipped" not in heading
    assert w.contacts.total() == 0


def test_export_to_a_folder_asks_before_replacing_a_file(
    qtbot: QtBot, make_window: Make, db: Database, tmp_path: Path, answers: Answers
) -> None:
    from PySide6.QtWidgets import QMessageBox

    with db.session() as s:
        create_contact(s, ContactRecord(full_name="Ann Lee"))
        create_contact(s, ContactRecord(full_name="Bob Ray"))
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "Ann Lee.vcf").write_text("my own notes", encoding="utf-8")
    w = make_window()
    answers.reply = QMessageBox.StandardButton.Cancel
    w.files.start_export("all", folder, "3.0", True)
    qtbot.waitUntil(lambda: "Export cancelled" in w.statusBar().currentMessage(), timeout=20000)
    assert len(answers.asked) == 1 and "Ann Lee.vcf" in answers.asked[0]
    assert [p.name for p in folder.iterdir()] == ["Ann Lee.vcf"]
    assert (folder / "Ann Lee.vcf").read_text(encoding="utf-8") == "my own notes"

    answers.reply = QMessageBox.StandardButton.Yes
    w.files.start_export("all", folder, "3.0", True)
    qtbot.waitUntil(lambda: "Exported 2 contacts" in w.statusBar().currentMessage(), timeout=20000)
    assert len(answers.asked) == 2
    assert "FN:Ann Lee" in (folder / "Ann Lee.vcf").read_text(encoding="utf-8")
    assert (folder / "Bob Ray.vcf").exists()
