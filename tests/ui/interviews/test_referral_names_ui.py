"""A referral typed in the debrief ("Tunde Bakare") becomes a contact with a first and a last
name, so a later message greets Tunde, not "there" (issue 26 item 3)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services import interviews as iv
from app.services import outreach
from app.services.contacts import create_contact, get_contact, list_contact_ids
from app.storage.db import Database
from app.ui.interviews.dialogs import ReferralDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers


def test_a_referral_typed_as_one_name_gets_given_and_family_names(
    qtbot: QtBot, make_window: Callable[[], MainWindow], db: Database, answers: Answers
) -> None:
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Lee"))
        interview = iv.create_interview(s, iv.InterviewRecord(ann))
    w = make_window()
    w.interview_actions.open_interview(interview)
    page = w.interviews.page
    typed = iter(["Tunde Bakare", "Okafor, Ngozi", "Dr. Mei Ling Chen"])

    def refer(d: QDialog) -> int:
        assert isinstance(d, ReferralDialog)
        d.name.setText(next(typed))
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = refer
    for _ in range(3):
        qtbot.mouseClick(page.add_referral, Qt.MouseButton.LeftButton)
    with db.session() as s:
        found = {}
        for name in ("Tunde", "Ngozi", "Mei"):
            (cid,) = list_contact_ids(s, name)
            r = get_contact(s, cid)
            found[name] = (r.prefix, r.given_name, r.additional_names, r.family_name)
            assert r.introduced_by_id == ann
        greeting = outreach.contact_values(s, list_contact_ids(s, "Tunde")[0])["first_name"]
    assert found == {
        "Tunde": ("", "Tunde", "", "Bakare"),
        "Ngozi": ("", "Ngozi", "", "Okafor"),
        "Mei": ("Dr.", "Mei", "Ling", "Chen"),
    }
    assert greeting == "Tunde"
    # Shown as said: "Okafor, Ngozi" is listed as Ngozi Okafor.
    assert sorted(r[1] for r in page.referrals.rows) == [
        "Dr. Mei Ling Chen",
        "Ngozi Okafor",
        "Tunde Bakare",
    ]
