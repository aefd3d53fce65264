"""What the Groups & events tab does: each change is one undoable step over the services."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from app.services import groups
from app.ui.common.commands import DbStep
from app.ui.common.host import Host
from app.ui.groups.tab import GroupsTab


class GroupActions:
    def __init__(self, host: Host, tab: GroupsTab) -> None:
        self.w = host
        self.tab = tab
        tab.search_people = host.find_people
        tab.ask = lambda box: host.ask(box)
        tab.save_requested.connect(self.save_group)
        tab.delete_requested.connect(self.delete_group)
        tab.add_person_requested.connect(self.add_to_group)
        tab.open_contact.connect(host.open_contact)

    def save_group(self, record: groups.GroupRecord) -> None:
        w = self.w
        new = record.id is None
        try:
            groups.check(record)
        except ValueError as exc:
            w.say(str(exc), 8000)
            return

        def do(s: Session) -> groups.GroupRecord | None:
            r = replace(record)
            before = groups.save_group(s, r)
            record.id = r.id
            return before

        def undo(s: Session, before: groups.GroupRecord | None) -> None:
            if before is None:
                assert record.id is not None
                groups.delete_group(s, record.id)
            else:
                groups.save_group(s, before)

        w.undo_stack.push(
            DbStep(w.db, f"{'Add' if new else 'Edit'} “{record.name}”", do, undo, w.changed)
        )
        self.tab.refresh(record.id)

    def delete_group(self, group_id: int) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                "Delete group or event",
                lambda s: groups.delete_group(s, group_id),
                groups.restore_group,
                w.changed,
            )
        )
        w.say("Deleted. Press Ctrl+Z to undo.", 5000)

    def add_to_group(self, group_id: int, contact_id: int) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Met {w.contact_name(contact_id)} there",
                lambda s: groups.link(s, group_id, [contact_id]),
                lambda s, added: groups.unlink(s, group_id, added),
                w.changed,
            )
        )
