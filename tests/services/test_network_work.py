"""Give and take, groups and events, the LAMP list, industries and bulk changes (services)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.model.records import ContactRecord
from app.model.tables import MetAt
from app.services import bulk, employers, groups, industries, reciprocity
from app.services.contacts import (
    Narrow,
    create_contact,
    delete_contacts,
    get_contact,
    list_contact_ids,
)
from app.services.interactions import log_interaction
from app.services.merging import merge_contacts, unmerge_contacts
from app.services.today import THANKS, due_items
from app.storage.db import Database, open_database
from tests.migrations import database_at

TODAY = dt.date(2026, 11, 25)


def person(db: Database, name: str, org: str = "", title: str = "", **kw: str) -> int:
    with db.session() as s:
        return create_contact(s, ContactRecord(full_name=name, organization=org, title=title, **kw))


def test_the_balance_and_the_people_you_have_only_taken_from(db: Database) -> None:
    ann, bob, cy = person(db, "Ann"), person(db, "Bob"), person(db, "Cy")
    with db.session() as s:
        reciprocity.record_exchange(s, ann, "asked", "introduction", TODAY)
        reciprocity.record_exchange(s, ann, "asked", "advice", TODAY)
        reciprocity.record_exchange(s, bob, "asked", "job_tip", TODAY)
        reciprocity.record_exchange(s, bob, "gave", "article_or_lead", TODAY)
        with pytest.raises(ValueError):
            reciprocity.record_exchange(s, cy, "gave", "introduction", TODAY)  # an ask's kind
    with db.session() as s:
        assert reciprocity.balance(s, ann) == reciprocity.Balance(2, 0)
        assert reciprocity.balance(s, ann).only_taken
        assert not reciprocity.balance(s, bob).only_taken
        assert reciprocity.balance(s, cy) == reciprocity.Balance(0, 0)
        assert list_contact_ids(s, narrow=Narrow(only_taken=True)) == [ann]
        assert list_contact_ids(s, "an", narrow=Narrow(only_taken=True)) == [ann]
        assert list_contact_ids(s, "bob", narrow=Narrow(only_taken=True)) == []
        assert [e.kind for e in reciprocity.exchanges_of(s, ann)] == ["advice", "introduction"]


def test_an_ask_owes_a_thank_you_on_today_until_one_is_logged(db: Database) -> None:
    ann = person(db, "Ann Lee")
    with db.session() as s:
        ask = reciprocity.record_exchange(s, ann, "asked", "introduction", TODAY)
    with db.session() as s:
        assert [i for i in due_items(s, TODAY) if i.kind == THANKS] == []  # due tomorrow
        (item,) = [i for i in due_items(s, TODAY + dt.timedelta(days=1)) if i.kind == THANKS]
        assert (item.item_id, item.who) == (ask, "Ann Lee")
        assert item.what.startswith("Say thank you for an introduction")
        reciprocity.snooze_thanks(s, ask, TODAY + dt.timedelta(days=5))
    with db.session() as s:
        assert not [i for i in due_items(s, TODAY + dt.timedelta(days=4)) if i.kind == THANKS]
        assert [i for i in due_items(s, TODAY + dt.timedelta(days=5)) if i.kind == THANKS]
        reciprocity.record_exchange(s, ann, "gave", "thank_you", TODAY + dt.timedelta(days=2))
    with db.session() as s:
        assert not [i for i in due_items(s, TODAY + dt.timedelta(days=9)) if i.kind == THANKS]
        # A new ask after the thank-you owes a new one.
        reciprocity.record_exchange(s, ann, "asked", "advice", TODAY + dt.timedelta(days=3))
        assert [i for i in due_items(s, TODAY + dt.timedelta(days=9)) if i.kind == THANKS]
        delete_contacts(s, [ann])
        assert due_items(s, TODAY + dt.timedelta(days=9)) == []


def test_groups_and_events_list_whom_you_met_there(db: Database) -> None:
    ann, bob = person(db, "Ann"), person(db, "Bob")
    with db.session() as s:
        assoc = groups.GroupRecord(kind="association", name="Society for Technical Writers")
        groups.save_group(s, assoc)
        chapter = groups.GroupRecord(kind="chapter", name="Boston chapter", parent_id=assoc.id)
        groups.save_group(s, chapter)
        meetup = groups.GroupRecord(
            kind="event", name="Spring meetup", held_on=dt.date(2026, 4, 2), place="Boston"
        )
        groups.save_group(s, meetup)
        assert meetup.id is not None and chapter.id is not None and assoc.id is not None
        assert groups.link(s, meetup.id, [ann, bob, ann]) == [ann, bob]
        assert groups.link(s, chapter.id, [ann]) == [ann]
        with pytest.raises(ValueError):
            groups.save_group(s, groups.GroupRecord(kind="party", name="x"))
    with db.session() as s:
        rows = {g.name: g for g in groups.list_groups(s)}
        assert rows["Boston chapter"].parent == "Society for Technical Writers"
        assert rows["Spring meetup"].people == 2
        assert next(iter(rows)) == "Spring meetup"  # events first, newest first
        assert [p.name for p in groups.people_met_at(s, meetup.id)] == ["Ann", "Bob"]
        assert [g.name for g in groups.groups_of(s, ann)] == ["Spring meetup", "Boston chapter"]
        deleted = groups.delete_group(s, assoc.id)
        assert s.get(groups.NetworkGroup, chapter.id).parent_id is None  # type: ignore[union-attr]
        groups.restore_group(s, deleted)
    with db.session() as s:
        assert groups.get_group(s, chapter.id).parent_id == assoc.id
        before = groups.save_group(
            s, groups.GroupRecord(kind="event", name="Spring meetup 2026", id=meetup.id)
        )
        assert before is not None and before.place == "Boston"
        assert groups.unlink(s, meetup.id, [bob]) == [bob]
        assert [p.name for p in groups.people_met_at(s, meetup.id)] == ["Ann"]


def test_the_lamp_list_sorts_by_motivation_posting_advocacy(db: Database) -> None:
    person(db, "Ann", "ACME Inc.")
    person(db, "Bob", "Acme")
    with db.session() as s:
        acme = employers.add_employer(s, "Acme, Inc", motivation=4, posting=2)
        globex = employers.add_employer(s, "Globex", motivation=4, posting=2)
        initech = employers.add_employer(s, "Initech", motivation=4, posting=3)
        hooli = employers.add_employer(s, "Hooli", motivation=5, posting=1)
        unrated = employers.add_employer(s, "Umbrella")
    with db.session() as s:
        rows = employers.lamp_list(s)
        assert [r.name for r in rows] == ["Hooli", "Initech", "Acme, Inc", "Globex", "Umbrella"]
        acme_row = rows[2]
        assert (acme_row.known, acme_row.advocacy) == (2, True)  # filled in from contacts
        assert [p.name for p in employers.people_there(s, acme)] == ["Ann", "Bob"]
        # The user overrides: someone at Globex will speak for them; Acme's people won't.
        assert employers.update_employer(s, globex, "advocacy", "yes") == ""
        employers.update_employer(s, acme, "advocacy", "no")
    with db.session() as s:
        assert [r.name for r in employers.lamp_list(s)][2:4] == ["Globex", "Acme, Inc"]
        with pytest.raises(ValueError):
            employers.update_employer(s, initech, "motivation", 6)
    with db.session() as s:
        assert employers.update_employer(s, hooli, "posting", 3) == 1
        snap = employers.delete_employer(s, unrated)
        employers.restore_employer(s, snap)
        assert "Umbrella" in [r.name for r in employers.lamp_list(s)]
        assert employers.organizations_not_listed(s) == []  # Acme is listed, as "Acme, Inc"


def test_industries_are_suggested_and_the_map_counts_dormant_ties(db: Database) -> None:
    ann = person(db, "Ann", "Mass General Hospital", "Nurse manager")
    bob = person(db, "Bob", "Initech", "Software developer")
    cy = person(db, "Cy", "Databricks", "Sales")  # "data" is not a word in "Databricks"
    with db.session() as s:
        sug = {x.name: x.suggested for x in industries.suggestions(s)}
        assert sug == {"Ann": "Healthcare", "Bob": "Software", "Cy": ""}
        industries.set_keywords(s, [("databricks", "Data and analytics")])
    with db.session() as s:
        assert {x.name: x.suggested for x in industries.suggestions(s)}["Cy"] == (
            "Data and analytics"
        )
        bulk.set_field(s, [ann], "industry", "Healthcare")
        bulk.set_field(s, [bob, cy], "industry", "Software")
        log_interaction(s, ann, TODAY - dt.timedelta(days=30), "call", "")
        log_interaction(s, bob, TODAY - dt.timedelta(days=800), "call", "")
    with db.session() as s:
        bars = {b.label: b for b in industries.by_industry(s, TODAY)}
        assert (bars["Software"].active, bars["Software"].dormant, bars["Software"].unlogged) == (
            0,
            1,
            1,
        )
        assert bars["Healthcare"].active == 1
        assert list(bars) == ["Software", "Healthcare"]
        orgs = industries.by_organization(s, TODAY)
        assert {b.label for b in orgs} == {"Mass General Hospital", "Initech", "Databricks"}
        assert list_contact_ids(s, narrow=Narrow(industry="Software")) == [bob, cy]
        key = next(b.key for b in orgs if b.label == "Initech")
        assert list_contact_ids(s, narrow=Narrow(org_key=key)) == [bob]
        assert list_contact_ids(s, "software") == [bob, cy]  # the search index knows
        industries.set_target_industry(s, "Healthcare")
        assert industries.target_industry(s) == "Healthcare"


def test_bulk_changes_return_what_undo_needs(db: Database) -> None:
    ann, bob = person(db, "Ann", tier="A"), person(db, "Bob")
    with db.session() as s:
        before = bulk.set_field(s, [ann, bob], "tier", "C")
        assert before == {ann: "A", bob: ""}
        assert bulk.add_tag(s, [ann, bob], "mentor") == [ann, bob]
        assert bulk.add_tag(s, [ann, bob], "MENTOR") == []
        with pytest.raises(ValueError):
            bulk.set_field(s, [ann], "tier", "Z")
    with db.session() as s:
        assert get_contact(s, ann).tier == "C" and get_contact(s, bob).tags == ["mentor"]
        assert list_contact_ids(s, "mentor") == [ann, bob]
        bulk.restore_field(s, "tier", before)
        assert bulk.remove_tag(s, [bob], "Mentor") == [bob]
    with db.session() as s:
        assert get_contact(s, ann).tier == "A" and get_contact(s, bob).tier == ""
        assert list_contact_ids(s, "mentor") == [ann]
        assert bulk.tags_in_use(s) == ["mentor"]


def test_a_merge_carries_give_and_take_and_groups_and_undo_splits_them(db: Database) -> None:
    a, b = person(db, "Ann Lee"), person(db, "Ann Lee")
    with db.session() as s:
        reciprocity.record_exchange(s, b, "asked", "advice", TODAY)
        g1 = groups.GroupRecord(kind="event", name="Meetup")
        g2 = groups.GroupRecord(kind="event", name="Conference")
        groups.save_group(s, g1)
        groups.save_group(s, g2)
        assert g1.id and g2.id
        groups.link(s, g1.id, [a, b])
        groups.link(s, g2.id, [b])
        undo = merge_contacts(s, a, b)
    with db.session() as s:
        assert reciprocity.balance(s, a).asked == 1
        assert sorted(g.name for g in groups.groups_of(s, a)) == ["Conference", "Meetup"]
        unmerge_contacts(s, undo)
    with db.session() as s:
        assert reciprocity.balance(s, a).asked == 0 and reciprocity.balance(s, b).asked == 1
        links = {tuple(r) for r in s.execute(select(MetAt.group_id, MetAt.contact_id))}
        assert links == {(g1.id, a), (g1.id, b), (g2.id, b)}


def test_migration_from_the_previous_release_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    con = database_at(path, "0003")
    # What release 0003 could hold: contacts at an organisation, history, follow-ups, settings.
    con.executescript(
        """
        INSERT INTO organizations (id, name, name_key, match_key, industry)
            VALUES (1, 'Acme Inc.', 'acme inc.', 'acme', '');
        INSERT INTO contacts (id, uid, full_name, prefix, given_name, additional_names,
            family_name, suffix, nickname, sort_name, person_key, organization_id, department,
            title, industry, note, how_met, tier, created_at, updated_at)
          VALUES (1, 'u1', 'Ann Lee', '', '', '', '', '', '', 'Lee Ann', 'ann lee', 1, '',
            'Nurse', 'Healthcare', '', '', 'A', '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
          (2, 'u2', 'Bob Ray', '', '', '', '', '', '', 'Ray Bob', 'bob ray', NULL, '',
            '', '', '', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00');
        INSERT INTO interactions (contact_id, occurred_on, kind, summary, created_at)
          VALUES (1, '2026-01-02', 'call', 'hello', '2026-01-02 00:00:00');
        INSERT INTO follow_ups (contact_id, due_on, text, created_at)
          VALUES (2, '2026-02-01', 'send the article', '2026-01-02 00:00:00');
        INSERT INTO settings (key, value) VALUES ('tier_days.A', '30');
        """
    )
    con.commit()
    con.close()

    db = open_database(path, tmp_path / "backups")
    with db.session() as s:
        assert len(list_contact_ids(s)) == 2
        assert list_contact_ids(s, narrow=Narrow(industry="Healthcare")) == [1]
        assert reciprocity.balance(s, 1) == reciprocity.Balance(0, 0)
        reciprocity.record_exchange(s, 2, "asked", "advice", TODAY)
        employers.add_employer(s, "ACME", motivation=5)
        assert employers.lamp_list(s)[0].known == 1
        g = groups.GroupRecord(kind="event", name="Meetup")
        groups.save_group(s, g)
        assert g.id is not None
        groups.link(s, g.id, [1, 2])
        by = {b.label: b.total for b in industries.by_industry(s, TODAY)}
        assert by == {"Healthcare": 1, "": 1}
    db.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM interactions").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM follow_ups").fetchone() == (1,)
    assert con.execute("SELECT value FROM settings").fetchall() == [("30",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_one_industry_is_offered_for_a_selection_only_when_it_is_the_only_one_suggested(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = person(db, "Ann", "Mass General Hospital", "Nurse manager")
    bea = person(db, "Bea", "City Hospital", "Nurse")
    bob = person(db, "Bob", "Initech", "Software developer")
    cy = person(db, "Cy", "Databricks", "Sales")  # nothing suggested
    with db.session() as s:
        assert industries.common_suggestion(s, [ann, bea, cy]) == "Healthcare"
        assert industries.common_suggestion(s, [ann, bob]) == ""
        assert industries.common_suggestion(s, [cy]) == ""
        # Past the limit nothing is offered (matching each person held the window).
        monkeypatch.setattr(industries, "COMMON_SUGGESTION_UP_TO", 2)
        assert industries.common_suggestion(s, [ann, bea]) == "Healthcare"
        assert industries.common_suggestion(s, [ann, bea, cy]) == ""
