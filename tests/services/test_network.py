"""Interactions, follow-ups, keep-in-touch and what is due, through services and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.cli import main
from app.model.records import ContactRecord
from app.model.tables import Contact
from app.paths import AppPaths
from app.services.contacts import create_contact
from app.services.followups import add_follow_up, follow_ups_of, reschedule, set_done
from app.services.interactions import (
    delete_interaction,
    interactions_of,
    last_kind,
    log_interaction,
    restore_interaction,
    update_interaction,
)
from app.services.merging import merge_contacts, unmerge_contacts
from app.services.settings import set_tier_days, tier_days
from app.services.today import FOLLOW_UP, KEEP_IN_TOUCH, due_items, snooze_keep_in_touch
from app.storage.db import Database, open_database

TODAY = dt.date(2026, 11, 25)


def person(db: Database, name: str, tier: str = "", added: dt.date | None = None) -> int:
    with db.session() as s:
        cid = create_contact(s, ContactRecord(full_name=name, tier=tier))
        if added:
            c = s.get(Contact, cid)
            assert c is not None
            c.created_at = dt.datetime.combine(added, dt.time(9))
    return cid


def test_history_is_newest_first_editable_and_remembers_the_last_kind(db: Database) -> None:
    ann = person(db, "Ann")
    with db.session() as s:
        assert last_kind(s) == "email"
        first = log_interaction(s, ann, dt.date(2026, 1, 5), "call", "  intro call ")
        log_interaction(s, ann, dt.date(2026, 3, 1), "coffee", "chapter meeting")
        assert last_kind(s) == "coffee"
        assert [i.summary for i in interactions_of(s, ann)] == ["chapter meeting", "intro call"]
        before = update_interaction(s, first, dt.date(2026, 1, 6), "meeting", "intro meeting")
        assert before.kind == "call"
        row = delete_interaction(s, first)
        assert [i.id for i in interactions_of(s, ann)] != [first]
        restore_interaction(s, row)
        assert interactions_of(s, ann)[-1].summary == "intro meeting"
        with pytest.raises(ValueError, match="unknown kind"):
            log_interaction(s, ann, TODAY, "telepathy")


def test_follow_ups_and_keep_in_touch_come_due(db: Database) -> None:
    ann = person(db, "Ann", tier="A", added=dt.date(2025, 1, 1))
    bob = person(db, "Bob", tier="B", added=dt.date(2025, 1, 1))
    cy = person(db, "Cy", tier="C", added=TODAY)
    with db.session() as s:
        log_interaction(s, ann, TODAY - dt.timedelta(days=30), "coffee")  # A: 21 days: due
        log_interaction(s, bob, TODAY - dt.timedelta(days=10), "call")  # B: 61 days: not yet
        late = add_follow_up(s, ann, TODAY - dt.timedelta(days=2), "send the article")
        add_follow_up(s, None, TODAY, "renew association membership")
        add_follow_up(s, bob, TODAY + dt.timedelta(days=3), "not yet")
    with db.session() as s:
        items = due_items(s, TODAY)
    got = [(i.kind, i.who, i.what, i.overdue_days(TODAY)) for i in items]
    assert got == [
        (KEEP_IN_TOUCH, "Ann", "Keep in touch (every 3 weeks)", 9),
        (FOLLOW_UP, "Ann", "send the article", 2),
        (FOLLOW_UP, "", "renew association membership", 0),
        (KEEP_IN_TOUCH, "Cy", "Keep in touch (every 6 months)", 0),  # added today, never met
    ]
    with db.session() as s:
        set_done(s, late)
        snooze_keep_in_touch(s, ann, TODAY + dt.timedelta(days=7))
        log_interaction(s, cy, TODAY, "email")
        assert [f.text for f in follow_ups_of(s, ann)] == []
    with db.session() as s:
        assert [i.what for i in due_items(s, TODAY)] == ["renew association membership"]
        # Tiers are the user's to set: Bob every week is due again.
        set_tier_days(s, {"B": 7})
        assert tier_days(s)["B"] == 7
        assert [(i.who, i.what) for i in due_items(s, TODAY) if i.kind == KEEP_IN_TOUCH] == [
            ("Bob", "Keep in touch (every 7 days)")
        ]


def test_a_merge_carries_follow_ups_and_history_and_undo_takes_them_back(db: Database) -> None:
    a = person(db, "Ann Lee")
    b = person(db, "Ann Lee (work)")
    with db.session() as s:
        log_interaction(s, b, TODAY, "call")
        f = add_follow_up(s, b, TODAY, "ask about the chapter meeting")
        undo = merge_contacts(s, a, b)
        assert [x.id for x in follow_ups_of(s, a)] == [f]
        assert len(interactions_of(s, a)) == 1
        unmerge_contacts(s, undo)
        assert [x.id for x in follow_ups_of(s, b)] == [f] and follow_ups_of(s, a) == []


def test_snoozed_follow_ups_move(db: Database) -> None:
    with db.session() as s:
        f = add_follow_up(s, None, TODAY, "call the recruiter back")
        reschedule(s, f, TODAY + dt.timedelta(days=1))
        assert due_items(s, TODAY) == []
        assert [i.item_id for i in due_items(s, TODAY + dt.timedelta(days=1))] == [f]
        with pytest.raises(ValueError):
            add_follow_up(s, None, TODAY, "   ")


def _cli(paths: AppPaths, *args: str) -> int:
    return main(["--data-dir", str(paths.data_dir), *args])


def test_log_and_due_on_the_command_line(
    paths: AppPaths, capsys: pytest.CaptureFixture[str], today: dt.date
) -> None:
    # `due` reads the real clock: every date here is counted from it.
    met = (today - dt.timedelta(days=30)).isoformat()  # over 3 weeks ago: keep in touch is due
    db = open_database(paths.database, paths.backups)
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann", tier="A"))
        add_follow_up(s, ann, today - dt.timedelta(days=1), "send the article")
    db.close()
    assert (
        _cli(
            paths,
            "log",
            str(ann),
            "--kind",
            "coffee",
            "--summary",
            "met at the fair",
            "--date",
            met,
        )
        == 0
    )
    assert f"Logged coffee with Ann on {met}" in capsys.readouterr().out
    assert _cli(paths, "list", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id"], row["last_contact"]) == (ann, met)
    assert _cli(paths, "due", "--json") == 0
    due = json.loads(capsys.readouterr().out)
    assert [(d["kind"], d["who"], d["what"]) for d in due] == [
        ("keep_in_touch", "Ann", "Keep in touch (every 3 weeks)"),
        ("follow_up", "Ann", "send the article"),
    ]
    assert due[1]["overdue_days"] == 1
    assert _cli(paths, "due") == 0
    out = capsys.readouterr().out
    assert "1 day overdue  Ann  send the article" in out
    assert _cli(paths, "log", "999", "--kind", "call") == 1
    assert "there is no contact 999" in capsys.readouterr().err
    assert _cli(paths, "log", str(ann), "--date", "yesterday") == 2
    assert _cli(paths, "log", str(ann), "--kind", "telepathy") == 2


def test_who_do_i_know_at_ignores_case_accents_and_legal_suffixes(db: Database) -> None:
    from app.services.contacts import people_at

    with db.session() as s:
        for name, org in [
            ("Ann", "ACME Inc."),
            ("Bob", "Acme Ltd"),
            ("Cy", "Acme Robotics LLC"),
            ("Di", "Société Générale S.A."),
            ("Ed", "Globex GmbH"),
            ("Flo", "Acme Corporation"),
        ]:
            create_contact(s, ContactRecord(full_name=name, organization=org))
        deleted = create_contact(s, ContactRecord(full_name="Gone", organization="Acme"))
        from app.services.contacts import delete_contacts

        delete_contacts(s, [deleted])
    with db.session() as s:
        # Exactly "Acme" first (any suffix), then names that start with it.
        assert [r.name for r in people_at(s, "acme")] == ["Ann", "Bob", "Flo", "Cy"]
        assert [r.name for r in people_at(s, "ACME, Inc.")] == ["Ann", "Bob", "Flo", "Cy"]
        assert [r.name for r in people_at(s, "societe generale")] == ["Di"]
        assert [r.name for r in people_at(s, "Globex LLC")] == ["Ed"]
        assert people_at(s, "Initech") == [] and people_at(s, "  ") == []
        assert people_at(s, "100%_") == []  # LIKE wildcards are text here
