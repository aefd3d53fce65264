"""Progress that tells the truth while a campaign sends to a real SMTP server on loopback: the
campaign list counts each message as it goes, the throttle's wait counts down, and the
question before sending says "about 1 minute" (issue 26 item 6)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services import outreach
from app.services.contacts import create_contact
from app.storage.db import Database
from app.ui.window.main_window import MainWindow
from tests.mailserver import MailServer, use_account
from tests.ui.conftest import Answers


def test_counts_per_message_and_a_wait_that_counts_down(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    db: Database,
    answers: Answers,
    starttls_server: MailServer,
    test_keyring: Path,
) -> None:
    use_account(db, starttls_server, "Me", gap=30)
    with db.session() as s:
        people = [
            create_contact(s, ContactRecord(full_name=n, emails=[Labeled(f"{n[:3]}@example.com")]))
            for n in ("Ann Lee", "Bob Stone")
        ]
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, people)
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    w.outreach_actions.refresh(cid)
    page = w.outreach.send
    w.outreach.pages.setCurrentWidget(page)
    answers.reply = answers.reply.Yes

    def sent_column() -> str:
        model = w.outreach.model
        return str(model.data(model.index(0, 1)))

    assert sent_column() == "0 of 2"
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    assert "about 1 minute)?" in answers.asked[-1]
    assert answers.asked[-1].startswith("Send 2 messages from")
    qtbot.waitUntil(lambda: len(starttls_server.messages()) == 1, timeout=15000)
    # The list counts the message sent while the second one waits.
    qtbot.waitUntil(lambda: sent_column() == "1 of 2", timeout=5000)
    assert w.outreach.current_id() == cid  # the selection stayed

    def waiting() -> int | None:
        found = re.match(r"Waiting (\d+) seconds? before the next", page.state.text())
        return int(found.group(1)) if found else None

    qtbot.waitUntil(lambda: waiting() is not None, timeout=5000)
    first = waiting()
    assert first is not None and first <= 30
    qtbot.waitUntil(lambda: (waiting() or first) < first, timeout=5000)  # it counts down
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.outreach_actions.sending(), timeout=10000)
    assert len(starttls_server.messages()) == 1
    assert sent_column() == "1 of 2"
