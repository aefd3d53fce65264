"""Sync in the window, against a real Radicale server: the account set-up, the status line,
the background sync and the conflict view (issue 12)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.model.tables import SyncCard
from app.services import sync
from app.services.carddav import BookInfo
from app.services.contacts import get_contact, list_contact_ids
from app.storage.db import Database
from app.ui.main_window import MainWindow
from app.ui.sync.dialogs import AccountsDialog, ConflictsDialog, SyncAccountDialog
from tests.carddav_server import PASSWORD, USER, Radicale, radicale
from tests.hostile_dav import BOOK, Handler, Hostile, hostile
from tests.services.test_sync import a_conflict, card, connect, fill_server, run, synced_ann
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Radicale]:
    with radicale(tmp_path / "radicale") as srv:
        srv.make_book()
        yield srv


def fill_in(dialog: SyncAccountDialog, qtbot: QtBot, url: str, password: str) -> None:
    dialog.url.setText(url)
    dialog.username.setText(USER)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.find_button.isEnabled(), timeout=20000)


def test_setting_up_an_account_syncs_in_the_background_and_shows_the_status(
    qtbot: QtBot, make_window: Make, answers: Answers, server: Radicale, db: Database
) -> None:
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org"))
    w = make_window()
    assert w.sync.label.text() == ""  # no account: no status
    seen: list[str] = []

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, SyncAccountDialog)
        fill_in(dialog, qtbot, server.url, "wrong")
        seen.append(dialog.result.text())
        assert not dialog.save_button.isEnabled()
        fill_in(dialog, qtbot, server.url, PASSWORD)
        seen.append(dialog.result.text())
        assert [b.name for b in dialog.chosen()] == ["Contacts"]
        assert dialog.save_button.isEnabled()
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = answer
    reports: list[object] = []
    w.sync.finished.connect(reports.append)
    w.sync.sync_action.trigger()  # no account yet: Sync Now offers the set-up
    assert "refused the user name or password" in seen[0]
    assert seen[1] == "Connected. Found 1 address book(s)."
    qtbot.waitUntil(lambda: bool(reports), timeout=30000)
    assert w.sync.label.text().startswith("Synced today")
    assert w.contacts.model.rowCount() == 1  # the list shows what came in
    with db.session() as s:
        (account,) = sync.accounts(s)
    # The password went to the keyring, under the account.
    assert sync.passwords().get(sync.AccountKey(account.url, USER)) == PASSWORD


def test_a_conflict_is_shown_side_by_side_and_the_user_chooses(
    qtbot: QtBot, make_window: Make, answers: Answers, server: Radicale, db: Database
) -> None:
    cid = a_conflict(db, server)
    w = make_window()
    w.sync.password_for = lambda _k: PASSWORD
    shown: list[list[tuple[str, str, str]]] = []

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, ConflictsDialog)
        model = dialog.compare
        rows = [
            (
                model.headerData(r, Qt.Orientation.Vertical),
                *(model.index(r, c).data() for c in range(2)),
            )
            for r in range(model.rowCount())
        ]
        shown.append(rows)  # type: ignore[arg-type]
        assert dialog.people.item(0).text() == "Ann Lee"
        assert not dialog.none_left.isVisibleTo(dialog)
        qtbot.mouseClick(dialog.keep_server, Qt.MouseButton.LeftButton)
        assert dialog.people.count() == 0
        # The last one resolved: a line saying so, not an empty table.
        assert (
            dialog.none_left.isVisibleTo(dialog) and "No conflicts left" in dialog.none_left.text()
        )
        assert not dialog.table.isVisibleTo(dialog) and not dialog.keep_server.isEnabled()
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = answer
    reports: list[object] = []
    w.sync.finished.connect(reports.append)
    w.sync.sync_now()
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert ("Title", "Director", "Keeper") in shown[0]
    with db.session() as s:
        assert get_contact(s, cid).title == "Keeper"
        assert sync.conflicts(s) == []
    assert "conflict" not in w.sync.label.text()


def test_many_deletions_ask_first(
    qtbot: QtBot, make_window: Make, answers: Answers, server: Radicale, db: Database
) -> None:

    fill_server(server, 10)
    connect(db, server)
    run(db)
    for href in list(server.cards())[:7]:
        server.delete(href)
    w = make_window()
    w.sync.password_for = lambda _k: PASSWORD
    reports: list[object] = []
    w.sync.finished.connect(reports.append)
    w.sync.timer.timeout.emit()  # the schedule: no question, the status line says it waits
    qtbot.waitUntil(lambda: bool(reports), timeout=30000)
    assert answers.asked == []
    assert w.sync.label.text() == "7 deletion(s) wait for you: Sync Now (F5)"
    assert w.contacts.model.rowCount() == 10
    answers.reply = answers.reply.No
    w.sync.sync_now()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=30000)
    assert any("would delete 7 contacts" in a for a in answers.asked)
    assert w.contacts.model.rowCount() == 10  # the user said no: nobody deleted
    answers.reply = answers.reply.Yes
    w.sync.sync_now()
    qtbot.waitUntil(lambda: len(reports) >= 4, timeout=30000)  # asked, then synced again
    assert w.contacts.model.rowCount() == 3


def test_the_welcome_page_offers_sync_and_cancel_changes_nothing(
    qtbot: QtBot, make_window: Make, answers: Answers, db: Database
) -> None:
    w = make_window()
    answers.dialog_answer = QDialog.DialogCode.Rejected
    qtbot.mouseClick(w.contacts.sync_button, Qt.MouseButton.LeftButton)
    assert [type(d) for d in answers.dialogs] == [SyncAccountDialog]
    with db.session() as s:
        assert sync.accounts(s) == []
    assert w.sync.label.text() == "" and not w.sync.timer.isActive()


def test_a_background_sync_keeps_what_the_user_is_typing(
    qtbot: QtBot, make_window: Make, server: Radicale, db: Database
) -> None:
    cid = synced_ann(db, server)
    server.put("bob.vcf", card("bob", "Bob Ray", "bob@x.org"))
    w = make_window()
    w.sync.password_for = lambda _k: PASSWORD
    w.tabs.setCurrentWidget(w.contacts)
    w.contacts.show_contact(cid)
    title = w.contacts.editor.edits["title"]
    title.setFocus()
    qtbot.keyClicks(title, "Chief Curator")  # typing, not yet saved
    reports: list[object] = []
    w.sync.finished.connect(reports.append)
    w.sync.sync_now()
    qtbot.waitUntil(lambda: bool(reports), timeout=30000)
    assert w.contacts.model.rowCount() == 2  # Bob arrived in the list
    assert title.text() == "Chief Curator"  # and the typing is still there
    assert w.contacts.editor.is_dirty()
    # Saved now: the user's title, and the server's note that arrived while they typed.
    server.put("ann.vcf", card("ann", "Ann Lee", "ann@x.org", "NOTE:met at the fair"))
    w.sync.sync_now()
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=30000)
    qtbot.mouseClick(w.contacts.editor.save_button, Qt.MouseButton.LeftButton)
    with db.session() as s:
        ann = get_contact(s, cid)
    assert (ann.title, ann.note) == ("Chief Curator", "met at the fair")


def test_removing_an_account_keeps_the_contacts_and_stops_syncing(
    qtbot: QtBot, make_window: Make, answers: Answers, server: Radicale, db: Database
) -> None:
    synced_ann(db, server)
    w = make_window()
    assert w.sync.label.text().startswith("Synced today")
    assert w.sync.timer.isActive()
    listed: list[str] = []

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, AccountsDialog)
        listed.append(dialog.accounts.item(0).text())
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        assert dialog.accounts.count() == 0
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = answer
    w.sync.setup_action.trigger()
    assert listed[0].startswith(f"{USER} at {server.url}")
    assert "Contacts: synced today" in listed[0]
    assert any("Stop syncing with this account?" in a for a in answers.asked)
    with db.session() as s:
        assert sync.accounts(s) == []
        assert s.scalar(select(func.count()).select_from(SyncCard)) == 0
        assert len(list_contact_ids(s)) == 1  # Ann stays here
    assert len(server.cards()) == 1  # and there
    assert w.sync.label.text() == "" and not w.sync.timer.isActive()


def test_the_account_dialog_refuses_an_http_address_in_plain_words(
    qtbot: QtBot, make_window: Make, answers: Answers, db: Database
) -> None:
    w = make_window()
    seen: list[str] = []

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, SyncAccountDialog)
        fill_in(dialog, qtbot, "http://contacts.example.invalid", PASSWORD)
        seen.append(dialog.result.text())
        assert not dialog.save_button.isEnabled()
        return int(QDialog.DialogCode.Rejected)

    answers.on_dialog = answer
    w.sync.setup_action.trigger()
    assert seen == [
        "contacts.example.invalid was given with http://, which would send your password "
        "unencrypted. Use its https:// address instead (https://contacts.example.invalid)."
    ]
    with db.session() as s:
        assert sync.accounts(s) == []


def test_closing_the_window_stops_a_sync_the_server_drips_at_once(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    def drip(h: Handler, _state: Hostile) -> None:  # a byte now and then, never the end
        h.drip(b" ", every=0.2)

    with hostile(drip) as srv:
        with db.session() as s:
            sync.add_account(s, srv.url, USER, [BookInfo(srv.url + BOOK, "Contacts", True)])
        w = make_window()
        w.sync.password_for = lambda _k: PASSWORD
        w.sync.sync_now()
        qtbot.waitUntil(srv.answering.is_set, timeout=20000)
        w.close()
        # Closed without waiting for the server's answer (which lasts LONGEST seconds)...
        assert not srv.finished.is_set()
        assert w.sync.pool.activeThreadCount() == 0  # ...and with the sync's thread done
        qtbot.waitUntil(srv.hung_up.is_set, timeout=20000)  # the request was cut, not left
