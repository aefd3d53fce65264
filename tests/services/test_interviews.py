"""Informational interviews (services): the whole path over a real SQLite file, the calendar
file read back by two independent readers, and the upgrade from the previous release."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import icalendar
import pytest
import vobject
from sqlalchemy import select

from app.model.records import ContactRecord, Labeled
from app.model.tables import FollowUp
from app.paths import AppPaths
from app.services import interviews as iv
from app.services import question_bank, reciprocity
from app.services.calendar import interviews_ics, write_ics
from app.services.contacts import create_contact, get_contact
from app.services.followups import set_done
from app.services.interactions import interactions_of
from app.services.merging import merge_contacts, unmerge_contacts
from app.services.today import INTERVIEW, THANK_YOU_NOTE, due_items
from app.storage.db import Database, open_database
from tests.migrations import database_at, insert_ann_lee

DAY = dt.date(2026, 12, 3)


def person(db: Database, name: str, **kw: object) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, **kw))  # type: ignore[arg-type]


def in_berlin(db: Database, contact_id: int, **kw: object) -> int:
    """A scheduled interview on 3 December 2026 at 14:30, Berlin time."""
    with db.session() as s:
        return iv.create_interview(
            s,
            iv.InterviewRecord(
                contact_id,
                status="scheduled",
                starts_at=dt.datetime(2026, 12, 3, 14, 30),
                tz="Europe/Berlin",
                **kw,  # type: ignore[arg-type]
            ),
        )


def planned(db: Database, *themes: str) -> list[iv.PlannedQuestion]:
    with db.session() as s:
        bank = question_bank.bank(s)
    return [next(iv.PlannedQuestion(q.theme, q.text) for q in bank if q.theme == t) for t in themes]


def test_the_shipped_bank_covers_tiara_and_the_career_changer_themes(db: Database) -> None:
    with db.session() as s:
        bank = question_bank.bank(s)
        assert len(bank) >= 40
        themes = [q.theme for q in bank]
        assert themes[: themes.index("Assignments")] == sorted(
            themes[: themes.index("Assignments")], key=question_bank.THEMES.index
        )
        for theme in question_bank.THEMES:
            assert theme in themes
        assert "Who else should I talk to?" in [q.text for q in bank]
        # Edits stay: a deleted question is not put back, an added one is kept.
        gone = bank[0]
        kept = question_bank.delete_question(s, gone.id)
        new = question_bank.add_question(s, "", "How did you find your mentor?")
    with db.session() as s:
        again = question_bank.bank(s)
        assert gone.id not in [q.id for q in again]
        assert ("My questions", "How did you find your mentor?") in [
            (q.theme, q.text) for q in again
        ]
        question_bank.restore_question(s, kept)
        question_bank.update_question(s, new, "Advice", "How did you find a mentor?")
    with db.session() as s:
        texts = {q.text: q.theme for q in question_bank.bank(s)}
        assert gone.text in texts and texts["How did you find a mentor?"] == "Advice"


def test_plan_warnings_follow_the_method() -> None:
    r = iv.PlannedQuestion("Resources", "Who else should I talk to?")
    t = iv.PlannedQuestion("Trends", "What trends?")
    assert iv.plan_warnings(20, []) == []
    assert iv.plan_warnings(20, [r, t, t, t, t]) == []
    (warning,) = iv.plan_warnings(20, [t] * 5)
    assert "Who else should I talk to" in warning
    too_many = iv.plan_warnings(20, [r] + [t] * 7)
    assert any("will not fit in 20 minutes" in w for w in too_many)
    assert iv.plan_warnings(30, [r] + [t] * 7) == []  # 30 minutes hold 9
    assert any("at least 5" in w for w in iv.plan_warnings(20, [r, t]))
    assert any("More than 10" in w for w in iv.plan_warnings(45, [r] + [t] * 10))


def test_records_are_checked_before_anything_is_written(db: Database) -> None:
    ann = person(db, "Ann Lee")
    bad = [
        iv.InterviewRecord(ann, length_minutes=60),
        iv.InterviewRecord(ann, status="scheduled"),  # no date
        iv.InterviewRecord(ann, tz="Mars/Olympus"),
        iv.InterviewRecord(ann, status="maybe"),
    ]
    for record in bad:
        with db.session() as s:
            with pytest.raises(ValueError):
                iv.create_interview(s, record)
            # Asked in the same session, before its rollback: nothing was added or flushed.
            assert not s.new and iv.list_interviews(s) == []
    with db.session() as s:
        assert iv.list_interviews(s) == []


def test_the_whole_path_from_request_to_report_back(db: Database) -> None:
    bo = person(db, "Bo Chen")
    ann = person(db, "Ann Lee", given_name="Ann", organization="Northwind Health")
    plan = planned(db, "Trends", "Resources", "The path in")
    with db.session() as s:
        get = get_contact(s, ann)
        get.introduced_by_id = bo
        from app.services.contacts import update_contact

        update_contact(s, get)
        interview = iv.create_interview(
            s,
            iv.InterviewRecord(
                ann,
                status="scheduled",
                starts_at=dt.datetime.combine(DAY, dt.time(14, 30)),
                tz="Europe/Berlin",
                place="https://meet.example/ann",
                homework_done=frozenset({"background", "story"}),
            ),
        )
    with db.session() as s:
        detail = iv.get_interview(s, interview)
        assert detail.introduced_by == "Bo Chen"
        assert detail.record.found_via == "introduction"  # from "introduced by"
        assert detail.record.homework_done == {"background", "story"}
        items = [i for i in due_items(s, DAY) if i.kind == INTERVIEW]
        assert [(i.item_id, i.who) for i in items] == [(interview, "Ann Lee")]
        assert due_items(s, DAY - dt.timedelta(days=1)) == []
        iv.set_plan(s, interview, plan)
    with db.session() as s:
        iv.save_conversation(s, interview, "Warm, generous.", ["", "Talk to Cy Park", "PhD first"])
        iv.mark_held(s, interview, DAY)
        iv.update_interview(
            s,
            replace(iv.get_interview(s, interview).record, debrief="- Start with the data team."),
        )
    with db.session() as s:
        detail = iv.get_interview(s, interview)
        assert detail.record.status == "done" and detail.held_on == DAY
        assert [q.note for q in detail.questions] == ["", "Talk to Cy Park", "PhD first"]
        assert [i.summary for i in interactions_of(s, ann)] == ["Informational interview"]
        cy = iv.add_referral(s, interview, ContactRecord(full_name="Cy Park"))
        iv.add_referral(s, interview, existing_id=bo)  # Bo introduced Ann: not the other way
        iv.add_promise(s, interview, True, "send the conference link", DAY + dt.timedelta(2))
        iv.add_promise(s, interview, False, "introduce me to Cy", DAY + dt.timedelta(7))
        iv.add_term(s, "RWE", "real-world evidence", interview)
        iv.add_term(s, "HEOR", "health economics and outcomes research", interview)
    with db.session() as s:
        assert get_contact(s, cy).introduced_by_id == ann
        assert "Referred by Ann Lee" in get_contact(s, cy).how_met
        assert get_contact(s, bo).introduced_by_id is None
        detail = iv.get_interview(s, interview)
        assert [n for _c, n in detail.referrals] == ["Bo Chen", "Cy Park"]
        assert [p.text for p in detail.promises] == [
            "I promised: send the conference link",
            "Ann promised: introduce me to Cy",
        ]
        assert [t.term for t in iv.glossary(s)] == ["HEOR", "RWE"]
        assert [t.term for t in iv.glossary(s, "evidence")] == ["RWE"]
        assert iv.glossary(s, "rwe")[0].learned_from == "Ann Lee"
        # The thank-you is on Today from the day of the conversation.
        (owed,) = [i for i in due_items(s, DAY) if i.kind == THANK_YOU_NOTE]
        assert owed.item_id == interview
        iv.set_my_name(s, "Maya Patel")
        note = iv.draft_thank_you(s, interview)
        assert note.startswith("Dear Ann,")
        assert "“Start with the data team”" in note  # something specific, from the notes
        assert "Bo Chen and Cy Park" in note and note.rstrip().endswith("Maya Patel")
        other = iv.draft_thank_you(s, interview, specific="PhD first")
        assert "“PhD first”" in other
        undo = iv.mark_thank_you_sent(s, interview, DAY + dt.timedelta(days=1))
    with db.session() as s:
        assert [i for i in due_items(s, DAY + dt.timedelta(1)) if i.kind == THANK_YOU_NOTE] == []
        detail = iv.get_interview(s, interview)
        assert detail.record.status == "thanked"
        assert detail.report_back is not None
        assert detail.report_back.due_on == DAY + dt.timedelta(days=14)
        assert reciprocity.balance(s, ann).gave == 1
        assert [i.kind for i in interactions_of(s, ann)] == ["email", "meeting"]
        with pytest.raises(ValueError):
            iv.mark_thank_you_sent(s, interview, DAY)  # not twice
        report_back = detail.report_back.follow_up_id
        due_then = [i.item_id for i in due_items(s, DAY + dt.timedelta(days=14))]
        assert report_back in due_then
        set_done(s, report_back)
    with db.session() as s:
        assert iv.get_interview(s, interview).record.status == "reported_back"
        set_done(s, report_back, False)
        assert iv.get_interview(s, interview).record.status == "thanked"
        iv.unmark_thank_you_sent(s, interview, undo)
    with db.session() as s:
        detail = iv.get_interview(s, interview)
        assert (detail.record.status, detail.report_back) == ("done", None)
        assert reciprocity.balance(s, ann).gave == 0
        assert [i.kind for i in interactions_of(s, ann)] == ["meeting"]


def test_a_broken_template_is_refused_with_a_message(db: Database) -> None:
    ann = person(db, "Ann Lee")
    with db.session() as s:
        interview = iv.create_interview(s, iv.InterviewRecord(ann))
        with pytest.raises(ValueError, match="mistake"):
            iv.draft_thank_you(s, interview, template="Dear {{ first_name ")
        with pytest.raises(Exception):  # noqa: B017 - jinja2's own error, refused before saving
            iv.set_thank_you_template(s, "{% if %}")
        assert iv.thank_you_template(s) == iv.DEFAULT_THANK_YOU  # in this session: not saved
        # The sandbox: a template cannot reach Python's internals.
        with pytest.raises(ValueError):
            iv.draft_thank_you(
                s, interview, template="{{ ''.__class__.__mro__[1].__subclasses__() }}"
            )
        iv.set_thank_you_template(s, "Hi {{ first_name | default('there') }}, thanks!")
        assert iv.draft_thank_you(s, interview) == "Hi Ann, thanks!\n"


def test_delete_and_restore_keep_everything(db: Database) -> None:
    ann = person(db, "Ann Lee")
    plan = planned(db, "Trends", "Resources")
    with db.session() as s:
        interview = iv.create_interview(s, iv.InterviewRecord(ann))
        iv.set_plan(s, interview, plan)
        iv.mark_held(s, interview, DAY)
        iv.add_referral(s, interview, ContactRecord(full_name="Cy Park"))
        iv.add_promise(s, interview, True, "send the link", DAY)
        iv.add_term(s, "RWE", "", interview)
        snapshot = iv.delete_interview(s, interview)
    with db.session() as s:
        assert iv.list_interviews(s) == []
        assert iv.glossary(s)[0].interview_id is None
        iv.restore_interview(s, snapshot)
    with db.session() as s:
        detail = iv.get_interview(s, interview)
        assert len(detail.questions) == 2 and len(detail.referrals) == 1
        assert len(detail.promises) == 1 and iv.glossary(s)[0].interview_id == interview


def test_a_merge_carries_the_interviews_and_undo_splits_them(db: Database) -> None:
    a = person(db, "Ann Lee", emails=[Labeled("ann@example.org")])
    b = person(db, "Ann Lee (work)")
    with db.session() as s:
        interview = iv.create_interview(s, iv.InterviewRecord(b))
        undo = merge_contacts(s, a, b)
    with db.session() as s:
        assert [r.id for r in iv.interviews_of(s, a)] == [interview]
        unmerge_contacts(s, undo)
    with db.session() as s:
        assert [r.id for r in iv.interviews_of(s, b)] == [interview]


def test_the_calendar_file_is_read_back_by_vobject_and_by_icalendar(
    db: Database, tmp_path: Path
) -> None:
    ann = person(db, "Ann Lee")
    cy = person(db, "Cy Park")
    in_berlin(db, ann, length_minutes=25, place="Café Kranzler, Berlin")
    with db.session() as s:
        iv.create_interview(
            s,
            iv.InterviewRecord(
                cy,
                status="scheduled",
                starts_at=dt.datetime(2026, 7, 1, 9, 0),  # summer time
                tz="America/New_York",
            ),
        )
        iv.create_interview(s, iv.InterviewRecord(ann))  # no date: not in the file
        rows = iv.list_interviews(s)
    out = tmp_path / "interviews.ics"
    assert write_ics(rows, out) == 2
    text = out.read_text(encoding="utf-8")
    berlin, new_york = dt.timedelta(hours=1), dt.timedelta(hours=-4)

    parsed = vobject.readOne(text)
    events = {e.summary.value: e for e in parsed.vevent_list}
    ann_ev = events["Informational interview: Ann Lee"]
    assert ann_ev.dtstart.value.utcoffset() == berlin
    assert ann_ev.dtstart.value.replace(tzinfo=None) == dt.datetime(2026, 12, 3, 14, 30)
    assert ann_ev.dtend.value - ann_ev.dtstart.value == dt.timedelta(minutes=25)
    assert ann_ev.location.value == "Café Kranzler, Berlin"
    assert events["Informational interview: Cy Park"].dtstart.value.utcoffset() == new_york

    cal = icalendar.Calendar.from_ical(text)
    by_summary = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    start = by_summary["Informational interview: Ann Lee"]["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt.astimezone(dt.UTC) == dt.datetime(2026, 12, 3, 13, 30, tzinfo=dt.UTC)
    end = by_summary["Informational interview: Ann Lee"]["DTEND"].dt
    assert end.astimezone(dt.UTC) == dt.datetime(2026, 12, 3, 13, 55, tzinfo=dt.UTC)
    cy_start = by_summary["Informational interview: Cy Park"]["DTSTART"].dt
    assert cy_start.astimezone(dt.UTC) == dt.datetime(2026, 7, 1, 13, 0, tzinfo=dt.UTC)
    assert {t["TZID"] for t in cal.walk("VTIMEZONE")} == {"Europe/Berlin", "America/New_York"}
    assert interviews_ics([]).startswith("BEGIN:VCALENDAR")


def test_upgrade_from_0005_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = database_at(path, "0005")
    insert_ann_lee(con)
    con.executescript(
        """
        INSERT INTO follow_ups (contact_id, due_on, text, created_at)
          VALUES (1, '2026-02-01', 'send the article', '2026-01-02 00:00:00'),
                 (NULL, '2026-02-03', 'update the CV', '2026-01-02 00:00:00');
        """
    )
    con.commit()
    con.close()
    db = open_database(path, tmp_path / "backups")
    with db.session() as s:
        rows = s.execute(select(FollowUp.text, FollowUp.purpose, FollowUp.interview_id)).all()
        assert sorted(rows) == [("send the article", "", None), ("update the CV", "", None)]
        interview = iv.create_interview(s, iv.InterviewRecord(1))
        fid = iv.add_promise(s, interview, True, "send the link", dt.date(2026, 2, 5))
        assert s.get(FollowUp, fid).interview_id == interview  # type: ignore[union-attr]
        assert len(question_bank.bank(s)) >= 40
    db.close()


def test_the_command_line_lists_interviews_and_writes_the_calendar(
    paths: AppPaths, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from app.cli import main

    db = open_database(paths.database, paths.backups)
    ann = person(db, "Ann Lee")
    cy = person(db, "Cy Park")
    in_berlin(db, ann)
    with db.session() as s:
        iv.create_interview(s, iv.InterviewRecord(cy, status="requested"))
    db.close()
    cli = ["--data-dir", str(paths.data_dir), "interviews"]
    assert main([*cli, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["who"], r["status"], r["starts_at"], r["time_zone"]) for r in rows] == [
        ("Cy Park", "requested", None, None),
        ("Ann Lee", "scheduled", "2026-12-03T14:30:00", "Europe/Berlin"),
    ]
    assert main(cli) == 0
    out = capsys.readouterr().out
    assert "Scheduled      2026-12-03 14:30 Europe/Berlin" in out and "Ann Lee" in out
    target = tmp_path / "out.ics"
    assert main([*cli, "--ics", str(target)]) == 0
    assert "1 scheduled interview written" in capsys.readouterr().err
    (event,) = icalendar.Calendar.from_ical(target.read_text(encoding="utf-8")).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Informational interview: Ann Lee"
    assert main([*cli, "--ics", str(tmp_path / "missing" / "x.ics")]) == 1
    assert "could not write" in capsys.readouterr().err
