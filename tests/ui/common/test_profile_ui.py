"""The user's own profile through the real window: set once (asked on first use, or Edit ▸
My Profile…), it signs the campaign's messages that a real SMTP server on loopback receives,
shows in each interview's homework, and leaves as a vCard and a QR code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import vobject
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.services import outreach, profile
from app.services.contacts import create_contact
from app.storage.db import Database
from app.ui.common.profile import CardDialog, ProfileDialog
from app.ui.outreach.dialogs import NewCampaignDialog
from app.ui.window.main_window import MainWindow
from tests.mailserver import MailServer, use_account
from tests.ui.conftest import Answers

Make = Callable[[], MainWindow]


def add(db: Database, name: str, email_: str) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, emails=[Labeled(email_)]))


def fill(d: ProfileDialog) -> None:
    d.given.setText("Renée")
    d.family.setText("Müller")
    d.emails.setText("renee@example.org, r.mueller@uni.example")
    d.phone.setText("+49 30 1234567")
    d.linkedin.setText("https://www.linkedin.com/in/renee-mueller")
    d.target.setText("UX research")
    d.headline.setText("Lab chemist moving into UX research")
    d.story.setPlainText("Ten years of running experiments taught me to ask good questions.")


def send_campaign(qtbot: QtBot, w: MainWindow, answers: Answers, cid: int) -> None:
    w.outreach_actions.refresh(cid)
    w.outreach.pages.setCurrentWidget(w.outreach.send)
    answers.on_dialog = None
    answers.reply = answers.reply.Yes
    qtbot.mouseClick(w.outreach.send.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.outreach_actions.sending(), timeout=20000)


def test_the_name_typed_with_the_mail_account_signs_the_messages(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    starttls_server: MailServer,
    test_keyring: Path,
) -> None:
    """Issue 26: "Your name" saved with the mail account went into From: while
    {{ my_first_name }} stayed blank and the messages went out unsigned."""
    people = [add(db, "Ann Lee", "ann@example.com"), add(db, "Bob Stone", "bob@example.net")]
    use_account(db, starttls_server, "Renée Müller")
    with db.session() as s:
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, people)
    w = make_window()
    w.tabs.setCurrentWidget(w.outreach)
    send_campaign(qtbot, w, answers, cid)
    assert not any("blank" in a for a in answers.asked), answers.asked
    got = starttls_server.messages()
    assert len(got) == 2
    for r in got:
        body = r.message.get_content()
        assert body.rstrip().endswith("Renée"), body
        assert r.message["From"].addresses[0].display_name == "Renée Müller"


def test_profile_asked_once_then_signs_homework_and_card(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    smtp_server: MailServer,
    test_keyring: Path,
    tmp_path: Path,
) -> None:
    people = [add(db, "Ann Lee", "ann@example.com")]
    use_account(db, smtp_server)
    w = make_window()
    seen: list[QDialog] = []

    def first_use(d: QDialog) -> int:
        seen.append(d)
        if isinstance(d, ProfileDialog):
            fill(d)
            return int(QDialog.DialogCode.Accepted)
        assert isinstance(d, NewCampaignDialog)
        d.purpose.setCurrentIndex(d.purpose.findData("informational"))
        d.name.setText("Spring asks")
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = first_use
    w.tabs.setCurrentWidget(w.outreach)
    qtbot.mouseClick(w.outreach.new_button, Qt.MouseButton.LeftButton)
    assert [type(d) for d in seen] == [ProfileDialog, NewCampaignDialog]  # asked first
    # Asked once: the second campaign goes straight to its dialog.
    qtbot.mouseClick(w.outreach.new_button, Qt.MouseButton.LeftButton)
    assert [type(d) for d in seen][2:] == [NewCampaignDialog]
    cid = w.outreach.current_id()
    assert cid is not None
    with db.session() as s:
        outreach.add_recipients(s, cid, people)
        me = profile.load_profile(s)
    assert (me.given_name, me.family_name, me.target_field) == ("Renée", "Müller", "UX research")
    assert me.emails == ("renee@example.org", "r.mueller@uni.example")
    send_campaign(qtbot, w, answers, cid)
    [got] = smtp_server.messages()
    body = got.message.get_content()
    assert body.rstrip().endswith("Renée") and "UX research" in body
    assert got.message["Subject"] == "Your advice on UX research?"

    # Edit ▸ My Profile… changes it; the interview's homework shows the story.
    [action] = [a for a in w.findChildren(QAction) if a.objectName() == "my_profile"]

    def edit(d: QDialog) -> int:
        assert isinstance(d, ProfileDialog)
        assert d.given.text() == "Renée"  # what was saved is shown
        d.sign_as.setText("Renée M.")
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = edit
    action.trigger()
    with db.session() as s:
        assert profile.template_values(profile.load_profile(s))["my_name"] == "Renée M."
    answers.on_dialog = None
    iid = w.interview_actions.new_interview(people[0])
    assert iid is not None
    page = w.interviews.page
    assert page.story.text() == (
        "Ten years of running experiments taught me to ask good questions."
    )

    # File ▸ Export My Card… writes a vCard that another reader reads back.
    target = w.profile_actions.export_card(tmp_path / "me.vcf")
    assert target is not None
    card = vobject.readOne(target.read_text(encoding="utf-8"))
    assert card.fn.value == "Renée Müller"
    assert (card.n.value.given, card.n.value.family) == ("Renée", "Müller")
    assert sorted(e.value for e in card.email_list) == [
        "r.mueller@uni.example",
        "renee@example.org",
    ]
    assert card.tel.value == "+49 30 1234567"
    assert "renee-mueller" in card.url.value
    # ...and as a QR code, shown big, its squares the code's.
    dialog = w.profile_actions.show_card()
    assert isinstance(dialog, CardDialog)
    with db.session() as s:
        matrix = profile.qr_matrix(profile.load_profile(s))
    assert dialog.image.width() == len(matrix) * 12
    assert dialog.image.pixelColor(4 * 12 + 1, 4 * 12 + 1).black() == 255  # the finder's corner
    assert dialog.image.pixelColor(1, 1).black() == 0  # the quiet zone
    assert "Lab chemist" in dialog.caption.text()
