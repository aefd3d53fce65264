"""What the Contacts tab does: saving, deleting and merging contacts, their interactions,
follow-ups and give-and-take, groups met at, and changes to a multi-selection. Each change is
one undoable step (commands.DbStep) over the services; the window is reached through a Host."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy.orm import Session

from app.model.records import TIERS, ContactRecord
from app.services import bulk, groups, industries, reciprocity
from app.services.contacts import InvalidContact, delete_contacts, told_apart
from app.services.duplicates import DuplicatePair, mark_all_different, unmark_pairs
from app.services.followups import (
    add_follow_up,
    delete_follow_up,
    restore_follow_up,
    set_done,
)
from app.services.interactions import (
    KIND_LABELS,
    delete_interaction,
    get_interaction,
    last_kind,
    log_interaction,
    restore_interaction,
    update_interaction,
)
from app.services.merging import merge_into_one, unmerge_many
from app.ui.common.commands import (
    BULK_IN_BACKGROUND,
    DbStep,
    DeleteContacts,
    MarkDifferent,
    MergeContacts,
    SaveContact,
)
from app.ui.common.forms import ChoiceDialog
from app.ui.common.host import Host, Tab
from app.ui.common.text import Button, message_box
from app.ui.common.widgets import make_action
from app.ui.contacts.activity_dialogs import ExchangeDialog, FollowUpDialog, LogDialog
from app.ui.contacts.duplicates_dialog import DuplicatesDialog
from app.ui.contacts.tab import ContactsTab
from app.ui.contacts.who_at_dialog import WhoAtDialog

# Deleting at least this many contacts at once is a bulk delete: a backup is made first, and
# the delete is made off the window's thread.
BULK_DELETE = BULK_IN_BACKGROUND


def _people(n: int) -> str:
    return f"{n} contact{'s' if n != 1 else ''}"


class ContactActions:
    """The Contacts tab's actions (its menu items, its list's context menu, the buttons of a
    multi-selection) and what they do."""

    def __init__(self, host: Host, tab: ContactsTab) -> None:
        self.w = host
        self.parent_widget = parent = host.dialog_parent()
        self.tab = tab
        tab.new_requested.connect(self.on_new_contact)
        tab.save_requested.connect(self.on_save_contact)
        tab.duplicates_requested.connect(self.on_review_duplicates)
        tab.ask = lambda box: host.ask(box)
        activity = tab.activity
        activity.log_requested.connect(lambda: self.on_log())
        activity.edit_requested.connect(self.on_edit_interaction)
        activity.delete_requested.connect(self.on_delete_interaction)
        activity.follow_up_requested.connect(lambda: self.on_add_follow_up())
        activity.follow_up_done.connect(self.on_follow_up_done)
        activity.follow_up_deleted.connect(self.on_delete_follow_up)
        activity.open_contact.connect(host.open_contact)
        activity.exchange_requested.connect(lambda d: self.log_exchange(d))
        activity.exchange_deleted.connect(self.delete_exchange)
        activity.link_group_requested.connect(lambda: self.link_group())

        def act(
            text: str,
            slot: object,
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
            name: str = "",
        ) -> QAction:
            return make_action(parent, text, slot, shortcut, name)

        self.new_action = act(
            "&New Contact", self.on_new_contact, QKeySequence.StandardKey.New, "new_contact"
        )
        self.delete_action = act(
            "&Delete Contact", self.on_delete, QKeySequence.StandardKey.Delete, "delete"
        )
        # Delete acts on the list only, so the key still deletes text in the editor's fields.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.find_action = act("&Find…", self.on_find, QKeySequence.StandardKey.Find, "find")
        self.merge_action = act("&Merge Two Contacts…", self.on_merge, "Ctrl+M", "merge")
        self.duplicates_action = act(
            "Re&view Possible Duplicates…", self.on_review_duplicates, "Ctrl+Shift+D", "duplicates"
        )
        self.log_action = act(
            "&Log Interaction…", lambda: self.on_log(), "Ctrl+L", "log_interaction"
        )
        self.follow_up_action = act(
            "Add &Follow-up…", lambda: self.on_add_follow_up(), "Ctrl+Shift+F", "add_follow_up"
        )
        self.who_at_action = act("&Who Do I Know At…", self.on_who_at, "Ctrl+K", "who_at")
        self.met_at_action = act("&Met At…", lambda: self.link_group(), name="met_at")
        self.bulk_actions = [
            act("Add &Tag to Selected…", self.add_tag, "Ctrl+Shift+T", "bulk_add_tag"),
            act("&Remove Tag from Selected…", self.remove_tag, name="bulk_remove_tag"),
            act("Set Keep-in-Touch Ti&er of Selected…", self.set_tier, name="bulk_tier"),
            act("Set I&ndustry of Selected…", lambda: self.set_industry(), name="bulk_industry"),
        ]

    # -- give and take --------------------------------------------------------
    def log_exchange(self, direction: str, contact_id: int | None = None) -> None:
        w = self.w
        cid = contact_id if contact_id is not None else self.tab.current_id()
        if cid is None:
            return
        name = w.contact_name(cid)
        dialog = ExchangeDialog(name, direction, dt.date.today(), parent=self.parent_widget)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        kind, on, note = dialog.values()
        label = reciprocity.KIND_LABELS[kind].lower()
        w.undo_stack.push(
            DbStep(
                w.db,
                f"{'Asked' if direction == reciprocity.ASKED else 'Gave'}: {label} ({name})",
                lambda s: reciprocity.record_exchange(s, cid, direction, kind, on, note),
                lambda s, new_id: reciprocity.delete_exchange(s, new_id),
                w.changed,
                [cid],
            )
        )

    def delete_exchange(self, exchange_id: int) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                "Delete give-and-take entry",
                lambda s: reciprocity.delete_exchange(s, exchange_id),
                reciprocity.restore_exchange,
                w.changed,
            )
        )
        w.say("Deleted. Press Ctrl+Z to undo.", 5000)

    def thanked(self, contact_id: int) -> None:
        """Today's Done on a thank-you owed: the thank-you is logged as given today."""
        w = self.w
        name = w.contact_name(contact_id)
        today = dt.date.today()
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Thanked {name}",
                lambda s: reciprocity.record_exchange(
                    s, contact_id, reciprocity.GAVE, reciprocity.THANK_YOU, today
                ),
                lambda s, new_id: reciprocity.delete_exchange(s, new_id),
                w.changed,
            )
        )
        w.say(f"Logged your thank-you to {name}.", 5000)

    def snooze_thanks(self, exchange_id: int, until: dt.date, who: str) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Snooze thanking {who}",
                lambda s: reciprocity.snooze_thanks(s, exchange_id, until),
                lambda s, before: reciprocity.snooze_thanks(s, exchange_id, before),
                w.changed,
            )
        )

    # -- groups and events ----------------------------------------------------
    def link_group(self, contact_id: int | None = None) -> None:
        w = self.w
        cid = contact_id if contact_id is not None else self.tab.current_id()
        if cid is None:
            return
        with w.db.session() as s:
            rows = groups.list_groups(s)
        name = w.contact_name(cid)
        if not rows:
            w.say("Add the group or event first, in the Groups & events tab.", 8000)
            w.open_tab(Tab.GROUPS)
            return
        choices: list[tuple[str, object]] = [
            (
                f"{g.name} ({g.kind_label}{', ' + g.held_on.isoformat() if g.held_on else ''})",
                g.id,
            )
            for g in rows
        ]
        dialog = ChoiceDialog(
            "Where you met",
            f"Where did you meet {name}?",
            "&Group or event",
            choices,
            parent=self.parent_widget,
        )
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        group_id = dialog.value()
        if not isinstance(group_id, int):
            return
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Met {name} there",
                lambda s: groups.link(s, group_id, [cid]),
                lambda s, added: groups.unlink(s, group_id, added),
                w.changed,
                [cid],
            )
        )

    def unlink_group(self, group_id: int, contact_ids: list[int] | None = None) -> None:
        w = self.w
        ids = contact_ids
        if ids is None:
            current = self.tab.current_id()
            ids = [current] if current is not None else []
        if not ids:
            return
        w.undo_stack.push(
            DbStep(
                w.db,
                "Remove from group or event",
                lambda s: groups.unlink(s, group_id, ids),
                lambda s, removed: groups.link(s, group_id, removed),
                w.changed,
            )
        )

    # -- the multi-selection -----------------------------------------------------
    def _selection(self) -> list[int]:
        w = self.w
        ids = self.tab.selected_ids()
        if not ids:
            w.say("Select contacts in the list first.", 5000)
        return ids

    def _ask_value(
        self,
        title: str,
        label: str,
        choices: list[tuple[str, object]],
        editable: bool,
        n: int,
        current: str = "",
    ) -> object | None:
        heading = f"For the {_people(n)} selected" if n != 1 else "For the contact selected"
        dialog = ChoiceDialog(
            title, heading, label, choices, editable, current, self.parent_widget, must_choose=True
        )
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted or not dialog.chosen():
            return None
        return dialog.value()

    def add_tag(self) -> None:
        self._tag(add=True)

    def remove_tag(self) -> None:
        self._tag(add=False)

    def _tag(self, add: bool) -> None:
        w = self.w
        ids = self._selection()
        if not ids:
            return
        with w.db.session() as s:
            tags = bulk.tags_in_use(s)
        value = self._ask_value(
            "Add tag" if add else "Remove tag", "&Tag", [(t, t) for t in tags], add, len(ids)
        )
        tag = str(value or "").strip()
        if not tag:
            return
        if add:
            self._bulk_step(
                ids,
                f"Tag {_people(len(ids))} “{tag}”",
                lambda s: bulk.add_tag(s, ids, tag),
                lambda s, added: bulk.remove_tag(s, added, tag),
            )
        else:
            self._bulk_step(
                ids,
                f"Remove tag “{tag}” from {_people(len(ids))}",
                lambda s: bulk.remove_tag(s, ids, tag),
                lambda s, had: bulk.add_tag(s, had, tag),
            )

    def set_tier(self) -> None:
        ids = self._selection()
        if not ids:
            return
        choices: list[tuple[str, object]] = [("No reminder", "")]
        choices += [(label, tier) for tier, (label, _days) in TIERS.items()]
        with self.w.db.session() as s:
            shared = bulk.shared_value(s, ids, "tier")
        current = next((text for text, tier in choices if tier == shared), "")
        value = self._ask_value("Keep in touch", "&Tier", choices, False, len(ids), current)
        if value is None:
            return
        self._set_field(ids, "tier", str(value), f"Set tier {value or 'none'}")

    def set_industry(self, ids: list[int] | None = None) -> None:
        ids = ids or self._selection()
        if not ids:
            return
        with self.w.db.session() as s:
            known = industries.industries_in_use(s)
            suggested = industries.common_suggestion(s, ids)
            current = suggested or bulk.shared_value(s, ids, "industry") or ""
        chosen = self._ask_value(
            "Set industry", "&Industry", [(k, k) for k in known], True, len(ids), current
        )
        if chosen is None:
            return
        value = str(chosen).strip()
        self._set_field(ids, "industry", value, f"Set industry “{value}”")

    def _set_field(self, ids: list[int], field: str, value: str, text: str) -> None:
        self._bulk_step(
            ids,
            f"{text} on {_people(len(ids))}",
            lambda s: bulk.set_field(s, ids, field, value),
            lambda s, before: bulk.restore_field(s, field, before),
        )

    def _bulk_step(
        self,
        ids: list[int],
        text: str,
        do: Callable[[Session], Any],
        undo: Callable[[Session, Any], object],
    ) -> None:
        """One undoable change to the selected *ids* (off the window's thread when many),
        announced with how to undo it."""
        w = self.w
        step = DbStep(w.db, text, do, undo, w.changed, background=len(ids) >= BULK_IN_BACKGROUND)
        w.undo_stack.push(step)
        w.say(f"{step.text()}. Ctrl+Z undoes it.", 5000)

    # -- the contact, its activity, merging --------------------------------------
    def on_new_contact(self) -> None:
        self.w.open_tab(Tab.CONTACTS)
        self.tab.start_new()

    def on_find(self) -> None:
        self.w.open_tab(Tab.CONTACTS)
        self.tab.focus_search()

    def on_log(self, contact_id: int | None = None) -> None:
        """Log an interaction with the shown contact (or *contact_id*): today, last kind."""
        cid = contact_id if contact_id is not None else self.tab.current_id()
        if cid is None:
            self.w.say("Select a contact first, then log (Ctrl+L).", 5000)
            return
        with self.w.db.session() as s:
            kind = last_kind(s)
        name = self.w.contact_name(cid)
        dialog = LogDialog(name, dt.date.today(), kind, parent=self.parent_widget)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        on, kind, summary = dialog.values()
        self.w.undo_stack.push(
            DbStep(
                self.w.db,
                f"Log {KIND_LABELS[kind].lower()} with {name}",
                lambda s: log_interaction(s, cid, on, kind, summary),
                lambda s, new_id: delete_interaction(s, new_id),
                self.w.changed,
                [cid],
            )
        )
        self.w.say(f"Logged: {KIND_LABELS[kind]} with {name}.", 5000)

    def on_edit_interaction(self, interaction_id: int) -> None:
        with self.w.db.session() as s:
            row = get_interaction(s, interaction_id)
        name = self.w.contact_name(row.contact_id)
        dialog = LogDialog(
            name, row.occurred_on, row.kind, row.summary, self.parent_widget, editing=True
        )
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        on, kind, summary = dialog.values()
        self.w.undo_stack.push(
            DbStep(
                self.w.db,
                f"Edit interaction with {name}",
                lambda s: update_interaction(s, interaction_id, on, kind, summary),
                lambda s, before: update_interaction(
                    s, before.id, before.occurred_on, before.kind, before.summary
                ),
                self.w.changed,
                [row.contact_id],
            )
        )

    def on_delete_interaction(self, interaction_id: int) -> None:
        with self.w.db.session() as s:
            row = get_interaction(s, interaction_id)
        self.w.undo_stack.push(
            DbStep(
                self.w.db,
                "Delete interaction",
                lambda s: delete_interaction(s, interaction_id),
                restore_interaction,
                self.w.changed,
                [row.contact_id],
            )
        )
        self.w.say("Interaction deleted. Press Ctrl+Z to undo.", 5000)

    def on_add_follow_up(self, with_contact: bool = True) -> None:
        cid = self.tab.current_id() if with_contact else None
        if self.w.current_tab() is Tab.TODAY:
            cid = None  # from Today: a follow-up about no one in particular
        name = self.w.contact_name(cid) if cid is not None else ""
        dialog = FollowUpDialog(
            name, dt.date.today() + dt.timedelta(days=7), parent=self.parent_widget
        )
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        text, due = dialog.values()
        if not text.strip():
            return
        self.w.undo_stack.push(
            DbStep(
                self.w.db,
                f"Add follow-up “{text.strip()}”",
                lambda s: add_follow_up(s, cid, due, text),
                lambda s, new_id: delete_follow_up(s, new_id),
                self.w.changed,
                [cid] if cid is not None else [],
            )
        )
        self.w.say(f"Follow-up added for {due:%d %B}.", 5000)

    def on_follow_up_done(self, follow_up_id: int) -> None:
        self.w.undo_stack.push(
            DbStep(
                self.w.db,
                "Mark follow-up done",
                lambda s: set_done(s, follow_up_id, True),
                lambda s, _before: set_done(s, follow_up_id, False),
                self.w.changed,
            )
        )

    def on_delete_follow_up(self, follow_up_id: int) -> None:
        self.w.undo_stack.push(
            DbStep(
                self.w.db,
                "Delete follow-up",
                lambda s: delete_follow_up(s, follow_up_id),
                restore_follow_up,
                self.w.changed,
            )
        )
        self.w.say("Follow-up deleted. Press Ctrl+Z to undo.", 5000)

    def on_who_at(self) -> None:
        dialog = WhoAtDialog(self.w.db, self.parent_widget)
        dialog.open_contact.connect(self.w.open_contact)
        self.w.ask(dialog)

    def on_save_contact(self, before: ContactRecord | None, after: ContactRecord) -> None:
        command = SaveContact(self.w.db, before, after, self.w.changed)
        try:
            self.w.undo_stack.push(command)
        except InvalidContact as exc:
            self.tab.editor.show_problems(exc.problems)
            return
        self.w.say(f"Saved {after.display_name}.", 5000)

    def on_delete(self) -> None:
        ids = self.tab.selected_ids()
        if not ids:
            return
        # The name is shown for one; for more, only their number (reading 5,000 names from
        # the list held the window half a second).
        names = self.tab.selected_names() if len(ids) == 1 else []
        who = f"“{names[0]}”" if len(ids) == 1 else f"these {len(ids)} contacts"
        box = message_box(
            self.parent_widget,
            "Delete contact" if len(ids) == 1 else "Delete contacts",
            f"Delete {who}? You can undo this with Edit ▸ Undo (Ctrl+Z).",
            Button.Yes | Button.Cancel,
            Button.Cancel,
        )
        if self.w.ask(box) != Button.Yes:
            return
        # The pane lets go of who is going (and of any edits to them): never a blank form
        # left acting on a contact that is gone.
        self.tab.show_nobody()

        w = self.w
        if len(ids) < BULK_DELETE:
            w.undo_stack.push(DeleteContacts(w.db, ids, names, w.changed))
            w.say(f"Deleted {who}. Press Ctrl+Z to undo.", 8000)
            return
        db = w.db

        # A bulk delete is made off the window's thread, after a copy of the database; it can
        # be cancelled until it is done, and then nothing is deleted.
        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> list[int]:
            db.backup("before-delete")
            with db.session() as s:
                return delete_contacts(s, ids, progress, cancelled)

        def deleted(gone: list[int]) -> None:
            w.undo_stack.push(DeleteContacts(w.db, gone, names, w.changed, done=True))
            w.say(f"Deleted {who}. Press Ctrl+Z to undo.", 8000)

        w.tasks.start(
            f"Deleting {len(ids)} contacts",
            work,
            deleted,
            on_cancelled=lambda: w.say("Nothing was deleted.", 8000),
            on_failed=w.task_failed,
        )

    def on_merge(self) -> None:
        """Merge the two selected, after comparing them side by side as the duplicates
        review does (it was a bare Yes/Cancel with Yes as the default)."""
        ids = self.tab.selected_ids()
        if len(ids) != 2:
            self.w.ask(
                message_box(
                    self.parent_widget,
                    "Merge contacts",
                    "Select exactly two contacts (Ctrl+click) to merge them.",
                    icon=QMessageBox.Icon.Information,
                )
            )
            return
        if not self.tab.confirm_leave():
            return
        # The older one is kept unless the user swaps sides, as for possible duplicates.
        dialog = DuplicatesDialog(self.w.db, self.parent_widget, DuplicatePair(min(ids), max(ids)))
        dialog.merge_requested.connect(self.merge_pair)
        dialog.different_requested.connect(self.keep_apart)
        self.w.ask(dialog)

    def told_apart(self, a: int, b: int, a_name: str, b_name: str) -> tuple[str, str]:
        """The two names, each followed by what tells them apart when they are the same:
        "Merged Ana Smith into Ana Smith." told the user nothing."""
        with self.w.db.session() as s:
            labels = told_apart(s, {a: a_name, b: b_name})
        return labels[a], labels[b]

    def merge_pair(self, keep: int, other: int, keep_name: str, other_name: str) -> None:
        keep_name, other_name = self.told_apart(keep, other, keep_name, other_name)
        self.w.undo_stack.push(
            MergeContacts(self.w.db, keep, other, (keep_name, other_name), self.w.changed)
        )
        self.w.say(f"Merged {other_name} into {keep_name}.", 8000)

    def keep_apart(self, a: int, b: int, a_name: str, b_name: str) -> None:
        a_name, b_name = self.told_apart(a, b, a_name, b_name)
        self.w.undo_stack.push(MarkDifferent(self.w.db, a, b, (a_name, b_name), self.w.changed))
        self.w.say(f"{a_name} and {b_name} are kept as different people.", 8000)

    def keep_all_apart(self, ids: list[int], name: str) -> None:
        """A group of namesakes (or some of them) are all different people."""
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Keep {len(ids)} people named {name} apart",
                lambda s: mark_all_different(s, ids),
                unmark_pairs,
                w.changed,
            )
        )
        w.say(f"The {len(ids)} people named {name} are kept as different people.", 8000)

    def merge_many(self, keep: int, others: list[int], name: str) -> None:
        """Some namesakes are one person: the others merged into *keep*, undoable at once."""
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Merge {len(others) + 1} people named {name} into one",
                lambda s: merge_into_one(s, keep, others),
                unmerge_many,
                w.changed,
                [keep],
                background=len(others) >= BULK_IN_BACKGROUND,
            )
        )
        w.say(f"Merged {len(others) + 1} people named {name}.", 8000)

    def on_review_duplicates(self) -> None:
        if not self.tab.confirm_leave():
            return
        w = self.w
        dialog = DuplicatesDialog(w.db, self.parent_widget)
        dialog.merge_requested.connect(self.merge_pair)
        dialog.different_requested.connect(self.keep_apart)
        dialog.merge_many_requested.connect(self.merge_many)
        dialog.all_different_requested.connect(self.keep_all_apart)
        # The dialog reads a group again when its decision is done (a big merge is done on a
        # pool thread; a failed one moves nothing).
        dialog.told_when_decided = True
        w.undo_stack.indexChanged.connect(dialog.decided)
        # The views stay as they are while the review is open; they catch up when it closes.
        with w.holding_changes():
            try:
                w.ask(dialog)
            finally:
                w.undo_stack.indexChanged.disconnect(dialog.decided)
