"""Possible duplicates as groups (issue 24): the groups give exactly the pairs they replace."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys

import pytest

from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services.contacts import create_contact, delete_contacts
from app.services.duplicates import (
    DuplicatePair,
    count_duplicate_groups,
    count_possible,
    duplicate_groups,
    find_possible_duplicates,
    group_of,
    mark_all_different,
    mark_different,
    undecided_pairs,
    unmark_pairs,
)
from app.services.merging import merge_into_one, unmerge_many
from app.storage.db import Database

NAMES = ["Ana Smith", "ana  SMITH", "Ben Ode", "Chloé Roy", "Dev Rao", "Eve Li", "Fay Wu"]


def varied_book(db: Database) -> list[int]:
    """Names in clusters of one to nine (case and spacing varied), nameless people, the
    deleted, and decisions: single pairs, a person kept apart from all the rest of their
    group, and a group all decided."""
    rnd = random.Random(7)
    ids = []
    with db.session() as s:
        for i in range(60):
            name = rnd.choice(NAMES) if i % 7 else ""
            record = ContactRecord(full_name=name, emails=[Labeled(f"p{i}@x.org")])
            ids.append(create_contact(s, record))
        delete_contacts(s, ids[3:6])
        for a, b in itertools.combinations(ids[10:40], 2):
            if rnd.random() < 0.15:
                mark_different(s, a, b)
        groups = duplicate_groups(s)
        # One person decided against all of their group; one group decided altogether.
        first = groups[0].ids
        for other in first[1:]:
            mark_different(s, first[0], other)
        mark_all_different(s, groups[-1].ids)
    return ids


def reference_pairs(db: Database) -> set[tuple[int, int]]:
    """Every pair of live contacts with the same name key, less those marked different:
    made the slow way, straight from the tables."""
    with db.session() as s:
        raw = s.connection().exec_driver_sql
        live = raw(
            "SELECT id, person_key FROM contacts WHERE deleted_at IS NULL AND person_key != ''"
        ).all()
        distinct = set(raw("SELECT low_id, high_id FROM distinct_pairs").all())
    return {
        (a, b)
        for (a, ka), (b, kb) in itertools.combinations(sorted(live), 2)
        if ka == kb and (a, b) not in distinct
    }


def pairs_of_groups(db: Database) -> set[tuple[int, int]]:
    with db.session() as s:
        return {(p.first, p.second) for g in duplicate_groups(s) for p in undecided_pairs(s, g.ids)}


def test_the_groups_give_exactly_the_pairs_they_replace(db: Database) -> None:
    ids = varied_book(db)
    expected = reference_pairs(db)
    assert len(expected) > 20  # the book does have pairs left, and decided ones
    assert pairs_of_groups(db) == expected
    with db.session() as s:
        groups = duplicate_groups(s)
        firsts = ",".join(str(a) for a, _ in expected)
        raw = s.connection().exec_driver_sql
        keys_with_pairs = {
            k for (k,) in raw(f"SELECT person_key FROM contacts WHERE id IN ({firsts})")
        }
        assert [g.key for g in groups] == sorted(keys_with_pairs)
        assert count_duplicate_groups(s) == len(groups)
        # A page at a time gives the same groups.
        paged = duplicate_groups(s, 0, 2) + duplicate_groups(s, 2, 2) + duplicate_groups(s, 4, 9)
        assert paged == groups
        # A member decided against everyone else in the group is not in it.
        for g in groups:
            members = set(g.ids)
            assert all(
                any(a in members and b in members for a, b in expected if x in (a, b))
                for x in g.ids
            )
        assert {(p.first, p.second) for p in find_possible_duplicates(s)} == expected
        among = ids[::4]
        wanted = {(a, b) for a, b in expected if a in among or b in among}
        assert count_possible(s, among)[0] == len(wanted)
        assert {(p.first, p.second) for p in find_possible_duplicates(s, among=among)} == wanted
        assert group_of(s, groups[0].ids[1]) == groups[0]


def test_all_different_and_merge_into_one_act_on_a_group_and_undo(db: Database) -> None:
    with db.session() as s:
        ids = [
            create_contact(s, ContactRecord(full_name="Sam Reed", emails=[Labeled(f"s{i}@x.org")]))
            for i in range(5)
        ]
        create_contact(s, ContactRecord(full_name="Other One"))
        mark_different(s, ids[0], ids[1])
    before = reference_pairs(db)
    with db.session() as s:
        (group,) = duplicate_groups(s)
        assert group.ids == tuple(ids)
        marked = mark_all_different(s, group.ids)
        assert len(marked) == 9  # ten pairs, one decided already
        assert duplicate_groups(s) == [] and count_duplicate_groups(s) == 0
        unmark_pairs(s, marked)
    assert reference_pairs(db) == before  # the earlier decision stays
    with db.session() as s:
        undo = merge_into_one(s, ids[0], ids[2:])
        # Left: ids[0] (the others folded in) and ids[1], already decided apart from it.
        assert duplicate_groups(s) == [] and undecided_pairs(s, ids[:2]) == []
    assert reference_pairs(db) == set()
    with db.session() as s:
        unmerge_many(s, undo)
        assert duplicate_groups(s)[0].ids == tuple(ids)
        assert DuplicatePair(ids[0], ids[2]) in undecided_pairs(s, ids)


def test_duplicates_command_lists_the_groups(
    paths: AppPaths, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.session() as s:
        a = [create_contact(s, ContactRecord(full_name="Ann Lee")) for _ in range(3)]
        create_contact(s, ContactRecord(full_name="Bob Ray"))
    assert main(["--data-dir", str(paths.data_dir), "duplicates", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "Ann Lee", "contact_ids": a}]
    assert main(["--data-dir", str(paths.data_dir), "duplicates"]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"Ann Lee: 3 people ({a[0]}, {a[1]}, {a[2]})"]


def test_version_and_help_leave_the_database_stack_unloaded() -> None:
    for argv in (["--version"], ["--help"], ["list", "--help"]):
        probe = (
            "import sys\nfrom app.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'))"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
        assert out.strip().splitlines()[-1] == "[]", argv
