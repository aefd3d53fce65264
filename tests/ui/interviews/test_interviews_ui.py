"""Interview prep through the real widgets over a real database file: the whole path from
planning an interview on a contact to the report back, and the files it writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest
from PySide6.QtCore import QDate, QDateTime, QPoint, Qt, QTime, QUrl
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QDialog,
    QLabel,
    QLineEdit,
)
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services import interviews as iv
from app.services.contacts import create_contact, get_contact, list_contact_ids
from app.services.followups import follow_ups_of
from app.services.interactions import interactions_of
from app.storage.db import Database, open_database
from app.ui.interviews.conversation import ConversationDialog
from app.ui.interviews.dialogs import (
    BankDialog,
    GlossaryDialog,
    PromiseDialog,
    QuestionDialog,
    ReferralDialog,
    TermDialog,
)
from app.ui.interviews.pages import InterviewPage
from app.ui.window.main_window import MainWindow
from tests.ui.common.test_day_edit import type_day
from tests.ui.conftest import Answers, today_read

Make = Callable[[], MainWindow]


def add(db: Database, name: str, **kw: object) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, **kw))  # type: ignore[arg-type]


def shown(model: object, column: int = 0) -> list[str]:
    m = model
    return [m.index(r, column).data() for r in range(m.rowCount())]  # type: ignore[attr-defined]


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def add_from_bank(qtbot: QtBot, w: MainWindow, text: str) -> None:
    page = w.interviews.page
    found = page.bank.findItems(text, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    assert found, text
    page.bank.setCurrentItem(found[0])
    click(qtbot, page.add_question)


def interview_of(db: Database, contact_id: int) -> iv.InterviewDetail:
    with db.session() as s:
        (row,) = iv.interviews_of(s, contact_id)
        return iv.get_interview(s, row.id)


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_the_whole_path_through_the_window(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    paths: AppPaths,
    tmp_path: Path,
    today: dt.date,
) -> None:
    bo = add(db, "Bo Chen")
    ann = add(db, "Ann Lee", given_name="Ann", emails=[Labeled("ann@example.org")])
    with db.session() as s:
        record = get_contact(s, ann)
        record.introduced_by_id = bo
        from app.services.contacts import update_contact

        update_contact(s, record)
    w = make_window()
    assert w.plan_interview_action in w.contacts.table.actions()  # the list's context menu
    w.tabs.setCurrentWidget(w.interviews)
    assert w.interviews.right.currentWidget() is w.interviews.empty

    # Start one from the contact's pane.
    w.open_contact(ann)
    click(qtbot, w.contacts.activity.interview_button)
    assert w.tabs.currentWidget() is w.interviews
    page = w.interviews.page
    assert page.title.text() == "Informational interview with Ann Lee"
    assert "Bo Chen" in page.introduced.text()
    assert page.found_via.currentData() == "introduction"
    assert page.length.value() == 20

    # Details: scheduled for today at 9:00, 25 minutes, a call link.
    page.status.setCurrentIndex(page.status.findData("scheduled"))
    page.has_date.setChecked(True)
    page.starts.setDateTime(QDateTime(QDate(today.year, today.month, today.day), QTime(9, 0)))
    page.zone.setCurrentText("Europe/Berlin")
    page.length.setValue(25)
    qtbot.keyClicks(page.place, "https://meet.example/ann")
    qtbot.waitUntil(lambda: interview_of(db, ann).record.status == "scheduled", timeout=3000)
    qtbot.waitUntil(lambda: interview_of(db, ann).record.place.endswith("/ann"), timeout=3000)
    saved = interview_of(db, ann).record
    assert saved.starts_at == dt.datetime.combine(today, dt.time(9, 0))
    assert (saved.tz, saved.length_minutes) == ("Europe/Berlin", 25)
    # Today shows the interview, and Open goes to it.
    w.today.refresh()
    today_read(qtbot, w)
    assert any("Informational interview at 09:00" in t for t in shown(w.today.model, 2))

    # Homework.
    page.pages.setCurrentIndex(1)
    page.homework["background"].setFocus()
    qtbot.keyClick(page.homework["background"], Qt.Key.Key_Space)  # the keyboard ticks it
    page.homework["story"].setChecked(True)
    qtbot.keyClicks(page.homework_notes, "She moved from nursing in 2016.")
    page.flush()
    saved = interview_of(db, ann).record
    assert saved.homework_done == {"background", "story"}
    assert saved.homework_notes == "She moved from nursing in 2016."

    # Questions: the plan warns without a Resources question and when too long.
    page.pages.setCurrentIndex(2)
    for text in (
        "How did you get into this field?",
        "What does a typical day or week look like for you?",
        "What trends are you seeing in the field right now?",
        "What would you do in my place?",
        "Which skills do you use every day?",
    ):
        add_from_bank(qtbot, w, text)
    assert page.warnings.isVisibleTo(w) and "No Resources question" in page.warnings.text()
    add_from_bank(qtbot, w, "Who else should I talk to?")
    assert not page.warnings.isVisibleTo(w)
    add_from_bank(qtbot, w, "Is there anything I can do for you?")
    assert not page.warnings.isVisibleTo(w)  # 7 fit in 25 minutes
    add_from_bank(qtbot, w, "How do people usually find openings in this field?")
    assert "8 questions will not fit in 25 minutes" in page.warnings.text()
    page.plan.setCurrentRow(7)
    click(qtbot, page.remove)
    page.plan.setCurrentRow(6)
    click(qtbot, page.remove)
    page.plan.setCurrentRow(5)  # "Who else…" up one place
    click(qtbot, page.up)
    assert not page.warnings.isVisibleTo(w)
    plan = [q.text for q in interview_of(db, ann).questions]
    assert len(plan) == 6 and plan[4] == "Who else should I talk to?"
    w.undo_stack.undo()  # the move
    assert [q.text for q in interview_of(db, ann).questions][5] == "Who else should I talk to?"
    assert page.plan.item(5).text().startswith("6. Who else should I talk to?")

    # The conversation, with the clock.
    clock = [0.0]
    opened: list[ConversationDialog] = []
    original = w.interview_actions.start_conversation

    def start(interview_id: int) -> ConversationDialog:
        dialog = original(interview_id)
        dialog._now = lambda: clock[0]
        dialog.start()
        opened.append(dialog)
        return dialog

    page.start_requested.disconnect()
    page.start_requested.connect(start)
    click(qtbot, page.start_button)
    (talk,) = opened
    assert [n.toPlainText() for n in talk.notes] == [""] * 6
    assert talk.clock.text() == "25:00 left" and talk.state() == "calm"
    clock[0] = 20 * 60 + 1  # under five minutes left: amber, never a sound
    talk.tick()
    assert talk.state() == "warning" and "#fff3cd" in talk.clock.styleSheet()
    assert talk.clock.text() == "4:59 left"
    clock[0] = 26 * 60
    talk.tick()
    assert talk.state() == "over" and "#fde7e9" in talk.clock.styleSheet()
    assert talk.clock.text() == "Time is up (1:00 over)"
    talk.toggle()  # paused: the time stands still
    clock[0] = 40 * 60
    talk.tick()
    assert talk.clock.text() == "Time is up (1:00 over)"
    qtbot.keyClicks(talk.notes[0], "A data project on her ward got her noticed")
    qtbot.keyClicks(talk.notes[4], "Talk to Cy Park at Contoso")
    qtbot.keyClicks(talk.free_note, "Generous with her time.")
    click(qtbot, talk.finish_button)
    detail = interview_of(db, ann)
    assert detail.record.status == "done" and detail.held_on == today
    assert detail.questions[0].note == "A data project on her ward got her noticed"
    assert detail.record.notes == "Generous with her time."
    with db.session() as s:
        assert [i.summary for i in interactions_of(s, ann)] == ["Informational interview"]
    assert page.pages.currentIndex() == 3  # the debrief
    assert page.notes.toPlainText() == "Generous with her time."

    # The debrief: main points, a term, a referral, promises both ways.
    page.debrief.setFocus()
    qtbot.keyClicks(page.debrief, "Volunteer on a data project first")
    page.flush()

    def fill(dialog: QDialog) -> int:
        if isinstance(dialog, TermDialog):
            dialog.term.setText("FHIR")
            dialog.meaning.setText("a standard for exchanging health records")
        elif isinstance(dialog, ReferralDialog):
            dialog.name.setText("Cy Park")
            dialog.email.setText("cy@contoso.example")
            dialog.organization.setText("Contoso")
        elif isinstance(dialog, PromiseDialog):
            dialog.text.setText(
                "send the article"
                if "you promise" in dialog.heading.text()
                else "introduce me to her manager"
            )
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = fill
    click(qtbot, page.add_term)
    click(qtbot, page.add_referral)
    click(qtbot, page.my_promise)
    click(qtbot, page.their_promise)
    assert shown(page.terms) == ["FHIR"]
    assert shown(page.referrals) == ["Cy Park"]
    assert shown(page.promises, 1) == [
        "I promised: send the article",
        "Ann promised: introduce me to her manager",
    ]
    with db.session() as s:
        (cy,) = [c for c in list_contact_ids(s, "Cy Park")]
        assert get_contact(s, cy).introduced_by_id == ann
        assert [f.text for f in follow_ups_of(s, ann)] == [
            "I promised: send the article",
            "Ann promised: introduce me to her manager",
        ]
    # The referral is one click from its contact.
    page.referrals_view.activated.emit(page.referrals.index(0, 0))
    assert w.tabs.currentWidget() is w.contacts and w.contacts.current_id() == cy
    w.interview_actions.open_interview(detail.record.id or 0)
    page.pages.setCurrentIndex(3)

    # The thank-you: owed on Today, drafted quoting the notes, opened in the mail app.
    w.today.refresh()
    today_read(qtbot, w)
    assert any(t.startswith("Send the thank-you") for t in shown(w.today.model, 2))
    page.specific.setCurrentIndex(page.specific.findText("Volunteer on a data project first"))
    click(qtbot, page.draft_button)
    assert "“Volunteer on a data project first”" in page.thank_you.toPlainText()
    assert "Cy Park" in page.thank_you.toPlainText()
    assert interview_of(db, ann).record.thank_you_text == page.thank_you.toPlainText()
    urls: list[QUrl] = []
    w.interview_actions.open_url = urls.append
    click(qtbot, page.mail_button)
    (url,) = urls
    assert url.scheme() == "mailto" and url.path() == "ann@example.org"
    assert "Volunteer on a data project first" in url.query(
        QUrl.ComponentFormattingOption.FullyDecoded
    )
    click(qtbot, page.sent_button)
    detail = interview_of(db, ann)
    assert detail.record.status == "thanked" and detail.thank_you_sent_on == today
    assert not page.sent_button.isEnabled()
    assert "Report back: due" in page.thanks_state.text()
    w.today.refresh()
    today_read(qtbot, w)
    assert not any(t.startswith("Send the thank-you") for t in shown(w.today.model, 2))

    # Two weeks later the report back is due on Today; Done closes the interview.
    later = today + dt.timedelta(days=14)
    w.today.refresh(later)
    today_read(qtbot, w)
    texts = shown(w.today.model, 2)
    row = texts.index("Report back to Ann Lee on what you did with their advice")
    w.today.table.selectRow(row)
    click(qtbot, w.today.done_button)
    assert interview_of(db, ann).record.status == "reported_back"
    w.undo_stack.undo()
    assert interview_of(db, ann).record.status == "thanked"
    w.undo_stack.redo()

    # The prep sheet and the calendar file.
    saved_to: list[Path] = []

    def save_path(_title: str, name: str, _pattern: str) -> Path:
        saved_to.append(tmp_path / name)
        return tmp_path / name

    w.interview_actions.save_path = save_path
    click(qtbot, page.pdf_button)
    pdf = saved_to[-1].read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    assert "Ann Lee" in saved_to[-1].name and pdf_title(pdf) == "Prep sheet: Ann Lee"
    click(qtbot, page.ics_button)
    cal = icalendar.Calendar.from_ical(saved_to[-1].read_text(encoding="utf-8"))
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["DTEND"].dt - event["DTSTART"].dt == dt.timedelta(minutes=25)

    # The glossary, across interviews, searchable.
    def browse(dialog: QDialog) -> int:
        assert isinstance(dialog, GlossaryDialog)
        assert shown(dialog.model) == ["FHIR"] and shown(dialog.model, 2) == ["Ann Lee"]
        dialog.search.setText("records")
        assert shown(dialog.model) == ["FHIR"]
        dialog.search.setText("nothing like it")
        assert shown(dialog.model) == [] and "No term matches" in dialog.count.text()
        return int(QDialog.DialogCode.Rejected)

    answers.on_dialog = browse
    click(qtbot, w.interviews.glossary_button)

    # Everything survives a restart.
    interview_id = detail.record.id
    w.close()
    db.close()
    again = open_database(paths.database, paths.backups)
    try:
        w2 = MainWindow(again, paths)
        w2.ask = answers
        qtbot.addWidget(w2)
        w2.interview_actions.open_interview(interview_id or 0)
        p2 = w2.interviews.page
        assert p2.title.text() == "Informational interview with Ann Lee"
        assert p2.debrief.toPlainText() == "Volunteer on a data project first"
        assert shown(p2.terms) == ["FHIR"] and shown(p2.referrals) == ["Cy Park"]
        assert p2.homework["background"].isChecked()
        assert "Sent on" in p2.thanks_state.text()
        w2.close()
    finally:
        again.close()


def pdf_title(pdf: bytes) -> str:
    """The document title from the PDF's Info dictionary (a UTF-16 string with a BOM, as Qt
    writes it, or hex)."""
    start = pdf.index(b"/Title")
    value = pdf[start + len(b"/Title") :].lstrip()
    if value.startswith(b"<"):
        raw = bytes.fromhex(value[1 : value.index(b">")].decode())
        return raw.decode("utf-16")
    raw = value[1 : value.index(b")")]
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_new_interview_from_the_tab_and_the_bank_editor(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann = add(db, "Ann Lee")
    w = make_window()
    w.tabs.setCurrentWidget(w.interviews)

    def pick(dialog: QDialog) -> int:
        from app.ui.common.profile import ProfileDialog
        from app.ui.interviews.dialogs import PickContactDialog

        if isinstance(dialog, ProfileDialog):  # asked once, on first use: not now
            return int(QDialog.DialogCode.Rejected)
        assert isinstance(dialog, PickContactDialog)
        dialog.picker.on_edited("Ann")
        dialog.picker.setText("Ann Lee")  # as the completer does when a match is chosen
        dialog.picker.on_activated("Ann Lee")
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = pick
    click(qtbot, w.interviews.new_button)
    assert shown(w.interviews.model) == ["Ann Lee"]
    assert interview_of(db, ann).record.status == "to_request"

    # The bank: add a question, and it is offered for planning; Undo takes it back.
    def bank(dialog: QDialog) -> int:
        if isinstance(dialog, QuestionDialog):
            dialog.theme.setCurrentText("My questions")
            dialog.text.setText("How did you find your first client?")
            return int(QDialog.DialogCode.Accepted)
        assert isinstance(dialog, BankDialog)
        click(qtbot, dialog.findChild(type(w.interviews.new_button), "bank_add"))
        found = dialog.tree.findItems(
            "How did you find your first client?",
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        assert found
        return int(QDialog.DialogCode.Rejected)

    answers.on_dialog = bank
    click(qtbot, w.interviews.bank_button)
    page = w.interviews.page
    flags = Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    assert page.bank.findItems("How did you find your first client?", flags)
    w.undo_stack.undo()
    assert not page.bank.findItems("How did you find your first client?", flags)

    # A refused edit says why and changes nothing: 60 minutes is not an informational interview.
    page.length.setMaximum(60)
    page.length.setValue(60)
    page.flush()
    assert "15 to 45 minutes" in w.statusBar().currentMessage()
    assert interview_of(db, ann).record.length_minutes == 20

    # Delete, with Undo.
    click(qtbot, w.interviews.delete_button)
    assert shown(w.interviews.model) == []
    assert w.interviews.right.currentWidget() is w.interviews.empty
    w.undo_stack.undo()
    assert shown(w.interviews.model) == ["Ann Lee"]


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_today_opens_holds_and_snoozes_interviews(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, today: dt.date
) -> None:
    ann = add(db, "Ann Lee")
    with db.session() as s:
        interview = iv.create_interview(
            s,
            iv.InterviewRecord(
                ann, status="scheduled", starts_at=dt.datetime.combine(today, dt.time(16, 0))
            ),
        )
    w = make_window()
    w.tabs.setCurrentWidget(w.today)
    assert shown(w.today.model, 2) == ["Informational interview at 16:00 (20 min)"]
    w.today.table.selectRow(0)
    assert w.today.open_button.text() == "O&pen interview"
    assert not w.today.snooze_button.isEnabled()  # an interview moves on its own page
    click(qtbot, w.today.open_button)
    assert w.tabs.currentWidget() is w.interviews
    assert w.interviews.current_id() == interview
    # Done: it was held; the thank-you is owed now, and snoozing it moves it.
    w.tabs.setCurrentWidget(w.today)
    w.today.table.selectRow(0)
    click(qtbot, w.today.done_button)
    assert interview_of(db, ann).record.status == "done"
    assert w.tabs.currentWidget() is w.interviews and w.interviews.page.pages.currentIndex() == 3
    w.today.refresh()
    today_read(qtbot, w)
    assert shown(w.today.model, 2)[0].startswith("Send the thank-you for the interview")
    w.tabs.setCurrentWidget(w.today)
    w.today.table.selectRow(0)
    assert w.today.snooze_button.isEnabled()
    w.today.snooze_actions["Until tomorrow"].trigger()
    today_read(qtbot, w)
    assert shown(w.today.model, 2) == []
    w.today.refresh(today + dt.timedelta(days=1))
    today_read(qtbot, w)
    assert len(shown(w.today.model, 2)) == 1
    w.undo_stack.undo()  # the snooze
    w.undo_stack.undo()  # held
    assert interview_of(db, ann).record.status == "scheduled"
    with db.session() as s:
        assert interactions_of(s, ann) == []


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_closing_the_conversation_keeps_the_notes_and_only_then_adds_an_undo_step(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann = add(db, "Ann Lee")
    with db.session() as s:
        interview = iv.create_interview(s, iv.InterviewRecord(ann))
    w = make_window()
    w.interview_actions.open_interview(interview)
    steps = w.undo_stack.count()
    talk = w.interview_actions.start_conversation(interview)
    talk.reject()  # Esc or the window's close button
    assert w.undo_stack.count() == steps
    talk = w.interview_actions.start_conversation(interview)
    qtbot.keyClicks(talk.free_note, "Call dropped after ten minutes")
    talk.reject()
    detail = interview_of(db, ann)
    assert detail.record.notes == "Call dropped after ten minutes"
    assert detail.record.status == "to_request" and detail.held_on is None  # not held
    assert w.interviews.page.notes.toPlainText() == "Call dropped after ten minutes"
    w.undo_stack.undo()
    assert interview_of(db, ann).record.notes == ""


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_a_long_name_wraps_instead_of_widening_the_page(
    qtbot: QtBot, make_window: Make, db: Database
) -> None:
    long_name = "Maximiliana Konstantina Alexandrova-Featherstonehaugh of Inverness"
    who = add(db, long_name)
    with db.session() as s:
        interview = iv.create_interview(s, iv.InterviewRecord(who))
    w = make_window()
    w.interview_actions.open_interview(interview)
    page = w.interviews.page
    assert long_name in page.title.text()
    wide = page.title.fontMetrics().horizontalAdvance(page.title.text())
    assert page.minimumSizeHint().width() < wide


def new_interview_page(qtbot: QtBot, make_window: Make, answers: Answers) -> MainWindow:
    """Interview prep, New interview, Ann Lee picked: the window, on her new interview."""
    from app.ui.common.profile import ProfileDialog
    from app.ui.interviews.dialogs import PickContactDialog

    def pick(dialog: QDialog) -> int:
        if isinstance(dialog, ProfileDialog):
            return int(QDialog.DialogCode.Rejected)
        assert isinstance(dialog, PickContactDialog)
        dialog.picker.on_edited("Ann")
        dialog.picker.setText("Ann Lee")
        dialog.picker.on_activated("Ann Lee")
        return int(QDialog.DialogCode.Accepted)

    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    w.tabs.setCurrentWidget(w.interviews)
    answers.on_dialog = pick
    click(qtbot, w.interviews.new_button)
    return w


def focus_when(qtbot: QtBot, page: InterviewPage) -> None:
    page.starts.setFocus()
    qtbot.waitUntil(lambda: page.starts.isAncestorOf(QApplication.focusWidget()))


def dated_interview(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> tuple[int, InterviewPage]:
    """Ann Lee's new interview, "Date and time agreed" ticked, the focus in its When."""
    ann = add(db, "Ann Lee")
    page = new_interview_page(qtbot, make_window, answers).interviews.page
    click(qtbot, page.has_date)
    assert page.has_date.isChecked()
    focus_when(qtbot, page)
    return ann, page


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_the_day_and_time_are_typed_as_written(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann, page = dated_interview(qtbot, make_window, db, answers)
    type_day(qtbot, "15/03/2027")  # the day, then Tab to the time beside it
    type_day(qtbot, "14:30")
    page.flush()
    assert interview_of(db, ann).record.starts_at == dt.datetime(2027, 3, 15, 14, 30)
    # Unticked, both parts are off and the interview has no date.
    click(qtbot, page.has_date)
    parts = page.starts.findChildren(QLineEdit)  # the day's and the time's text
    assert len(parts) >= 2 and not any(f.isEnabled() for f in parts)
    page.flush()
    assert interview_of(db, ann).record.starts_at is None


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_typing_over_a_field_tabbed_into_replaces_it_though_a_save_came_between(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    """The day typed, Tab to the time (its text selected, as Tab does), the page saves a
    moment later: typing then replaces the time. The save reloaded the page, which dropped
    the selection, and "14:30" went after "10:00" (found by a new user's trial)."""
    ann, page = dated_interview(qtbot, make_window, db, answers)
    type_day(qtbot, "15/03/2027")
    field = QApplication.focusWidget()
    assert field is page.starts.time and field.selectedText() == field.text()
    qtbot.waitUntil(lambda: not page.pending())  # saved
    assert interview_of(db, ann).record.starts_at is not None
    assert field.selectedText() == field.text()
    qtbot.keyClicks(field, "14:30")
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    page.flush()
    assert interview_of(db, ann).record.starts_at == dt.datetime(2027, 3, 15, 14, 30)


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_alt_down_opens_a_calendar_and_keeps_the_date(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann, page = dated_interview(qtbot, make_window, db, answers)
    page.flush()
    before = interview_of(db, ann).record.starts_at
    assert before is not None
    field = QApplication.focusWidget()
    assert field is not None
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QCalendarWidget))
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QCalendarWidget)
    assert popup.selectedDate() == QDate(before.year, before.month, before.day)
    popup.hide()
    page.flush()
    assert interview_of(db, ann).record.starts_at == before


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support")
def test_a_day_that_names_no_day_is_refused_in_words_and_not_saved(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers
) -> None:
    ann, page = dated_interview(qtbot, make_window, db, answers)
    type_day(qtbot, "next thursdayish")
    page.flush()
    said = [lb.text() for lb in page.findChildren(QLabel) if lb.isVisible()]
    assert any("“next thursdayish” is not a day" in t for t in said), said
    assert interview_of(db, ann).record.starts_at is None  # not some other day
    focus_when(qtbot, page)
    type_day(qtbot, "15 Mar 2027")
    # A time that names none is refused too.
    type_day(qtbot, "25:99")
    page.flush()
    said = [lb.text() for lb in page.findChildren(QLabel) if lb.isVisible()]
    assert any("“25:99” is not a time" in t for t in said), said
    assert interview_of(db, ann).record.starts_at is None
    focus_when(qtbot, page)
    type_day(qtbot, "15 Mar 2027")
    type_day(qtbot, "2:30 pm")
    page.flush()
    assert interview_of(db, ann).record.starts_at == dt.datetime(2027, 3, 15, 14, 30)
    # The message gone, the day and the time stand level again (the day sank half the
    # message's height below the time, seen in a screenshot).
    day, time = page.starts.day.text, page.starts.time
    assert day.mapTo(page, QPoint()).y() == time.mapTo(page, QPoint()).y()


@pytest.mark.qt_log_ignore("This plugin does not support")  # the completer's popup, offscreen
def test_a_name_several_people_share_asks_for_one_of_them_by_name(
    qtbot: QtBot, db: Database
) -> None:
    """Typing "Ana Smith" when four are offered ("Ana Smith — Acme", ...) names no one: the
    dialog says they are several, not to add a contact who exists."""
    from app.services.contacts import find_choices
    from app.ui.interviews.dialogs import PickContactDialog

    for org in ("Acme", "Globex", "Initech", "Umbrella"):
        add(db, "Ana Smith", organization=org)
    add(db, "Bob Stone")

    def search(text: str) -> list:  # type: ignore[type-arg]
        with db.session() as s:
            return find_choices(s, text)

    dialog = PickContactDialog(search)
    qtbot.addWidget(dialog)
    dialog.picker.setFocus()
    qtbot.keyClicks(dialog.picker, "Ana Smith")
    dialog.accept()
    assert dialog.result() == 0
    assert dialog.error.text() == "4 people are called Ana Smith: pick one from the list."
    dialog.picker.clear()
    qtbot.keyClicks(dialog.picker, "Nobody Here")
    dialog.accept()
    assert dialog.error.text() == (
        "Pick someone from your contacts (add them first if they are new)."
    )
