"""Merging people who introduced each other (issue 20, item 13): the survivor is never
introduced by itself nor by the one merged away, and it can be saved afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.model.records import ContactRecord
from app.model.tables import Contact
from app.services.contacts import create_contact, get_contact, update_contact
from app.services.merging import merge_contacts, unmerge_contacts
from app.storage.db import Database

# Who introduced the kept contact (Eve) and the one merged into her (Bob).
KEEP_BY = [None, "other", "third"]
OTHER_BY = [None, "keep", "third"]


def _introductions(db: Database) -> dict[int, int | None]:
    with db.session() as s:
        return dict(
            s.execute(
                select(Contact.id, Contact.introduced_by_id).where(Contact.deleted_at.is_(None))
            ).all()
        )


@pytest.mark.parametrize("keep_by", KEEP_BY)
@pytest.mark.parametrize("other_by", OTHER_BY)
def test_merge_into_an_introducer_leaves_no_one_introduced_by_themselves(
    db: Database, keep_by: str | None, other_by: str | None
) -> None:
    with db.session() as s:
        eve = create_contact(s, ContactRecord(full_name="Eve Adams"))
        bob = create_contact(s, ContactRecord(full_name="Bob Brown"))
        zed = create_contact(s, ContactRecord(full_name="Zed Third"))
        names = {"keep": eve, "other": bob, "third": zed, None: None}
        for cid, by in ((eve, keep_by), (bob, other_by)):
            r = get_contact(s, cid)
            r.introduced_by_id = names[by]
            update_contact(s, r)
        # Other people introduced by the one merged away, and by the survivor.
        ann = create_contact(s, ContactRecord(full_name="Ann Other", introduced_by_id=bob))
        cy = create_contact(s, ContactRecord(full_name="Cy Other", introduced_by_id=eve))
    before = _introductions(db)

    with db.session() as s:
        undo = merge_contacts(s, eve, bob)

    after = _introductions(db)
    assert bob not in after
    assert all(by != cid for cid, by in after.items()), after
    assert all(by is None or by in after for by in after.values()), "introduced by the trash"
    expected = zed if "third" in (keep_by, other_by) else None
    assert after[eve] == expected
    assert after[ann] == eve and after[cy] == eve and after[zed] is None
    with db.session() as s:  # the survivor saves fine (it was refused every time before)
        survivor = get_contact(s, eve)
        survivor.title = "Saved after the merge"
        update_contact(s, survivor)
    with db.session() as s:
        assert get_contact(s, eve).title == "Saved after the merge"

    with db.session() as s:
        unmerge_contacts(s, undo)
    assert _introductions(db) == before


def test_a_contact_cannot_be_merged_with_itself(db: Database) -> None:
    with db.session() as s:
        eve = create_contact(s, ContactRecord(full_name="Eve Adams"))
    with (
        pytest.raises(ValueError, match=r"^a contact cannot be merged with itself$"),
        db.session() as s,
    ):
        merge_contacts(s, eve, eve)
    with db.session() as s:
        assert get_contact(s, eve).full_name == "Eve Adams"
