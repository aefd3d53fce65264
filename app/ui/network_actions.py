"""What the window does for give-and-take, groups and multi-selections: each change is one
undoable step (commands.DbStep) over the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog
from sqlalchemy.orm import Session

from app.model.records import TIERS
from app.services import bulk, employers, groups, industries, reciprocity
from app.services.contacts import Narrow
from app.ui.activity_dialogs import ChoiceDialog, ExchangeDialog
from app.ui.commands import BULK_IN_BACKGROUND, DbStep
from app.ui.network.industries_dialog import IndustriesDialog

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def _people(n: int) -> str:
    return f"{n} contact{'s' if n != 1 else ''}"


class NetworkActions:
    def __init__(self, window: MainWindow) -> None:
        self.w = window

    def _own_tab_changed(self, _ids: list[int]) -> None:
        """The LAMP list and the target industry show in their own tab only (each is read
        again when shown): no need to read the contact list and Today again."""
        self.w._refresh_current_tab()

    # -- give and take --------------------------------------------------------
    def log_exchange(self, direction: str, contact_id: int | None = None) -> None:
        w = self.w
        cid = contact_id if contact_id is not None else w.contacts.current_id()
        if cid is None:
            return
        name = w._contact_name(cid)
        dialog = ExchangeDialog(name, direction, dt.date.today(), parent=w)
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
                w._changed,
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
                w._changed,
            )
        )
        w.statusBar().showMessage("Deleted. Press Ctrl+Z to undo.", 5000)

    def thanked(self, contact_id: int) -> None:
        """Today's Done on a thank-you owed: the thank-you is logged as given today."""
        w = self.w
        name = w._contact_name(contact_id)
        today = dt.date.today()
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Thanked {name}",
                lambda s: reciprocity.record_exchange(
                    s, contact_id, reciprocity.GAVE, reciprocity.THANK_YOU, today
                ),
                lambda s, new_id: reciprocity.delete_exchange(s, new_id),
                w._changed,
            )
        )
        w.statusBar().showMessage(f"Logged your thank-you to {name}.", 5000)

    def snooze_thanks(self, exchange_id: int, until: dt.date, who: str) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Snooze thanking {who}",
                lambda s: reciprocity.snooze_thanks(s, exchange_id, until),
                lambda s, before: reciprocity.snooze_thanks(s, exchange_id, before),
                w._changed,
            )
        )

    # -- groups and events ----------------------------------------------------
    def link_group(self, contact_id: int | None = None) -> None:
        w = self.w
        cid = contact_id if contact_id is not None else w.contacts.current_id()
        if cid is None:
            return
        with w.db.session() as s:
            rows = groups.list_groups(s)
        name = w._contact_name(cid)
        if not rows:
            w.statusBar().showMessage(
                "Add the group or event first, in the Groups & events tab.", 8000
            )
            w.tabs.setCurrentWidget(w.groups)
            return
        choices: list[tuple[str, object]] = [
            (
                f"{g.name} ({g.kind_label}{', ' + g.held_on.isoformat() if g.held_on else ''})",
                g.id,
            )
            for g in rows
        ]
        dialog = ChoiceDialog(
            "Where you met", f"Where did you meet {name}?", "&Group or event", choices, parent=w
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
                w._changed,
                [cid],
            )
        )

    def unlink_group(self, group_id: int, contact_ids: list[int] | None = None) -> None:
        w = self.w
        ids = contact_ids
        if ids is None:
            current = w.contacts.current_id()
            ids = [current] if current is not None else []
        if not ids:
            return
        w.undo_stack.push(
            DbStep(
                w.db,
                "Remove from group or event",
                lambda s: groups.unlink(s, group_id, ids),
                lambda s, removed: groups.link(s, group_id, removed),
                w._changed,
            )
        )

    # -- the multi-selection -----------------------------------------------------
    def _selection(self) -> list[int]:
        w = self.w
        ids = w.contacts.selected_ids()
        if not ids:
            w.statusBar().showMessage("Select contacts in the list first.", 5000)
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
        dialog = ChoiceDialog(title, heading, label, choices, editable, current, parent=self.w)
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
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
            step = DbStep(
                w.db,
                f"Tag {_people(len(ids))} “{tag}”",
                lambda s: bulk.add_tag(s, ids, tag),
                lambda s, added: bulk.remove_tag(s, added, tag),
                w._changed,
                background=len(ids) >= BULK_IN_BACKGROUND,
            )
        else:
            step = DbStep(
                w.db,
                f"Remove tag “{tag}” from {_people(len(ids))}",
                lambda s: bulk.remove_tag(s, ids, tag),
                lambda s, had: bulk.add_tag(s, had, tag),
                w._changed,
                background=len(ids) >= BULK_IN_BACKGROUND,
            )
        w.undo_stack.push(step)
        w.statusBar().showMessage(f"{step.text()}. Ctrl+Z undoes it.", 5000)

    def set_tier(self) -> None:
        ids = self._selection()
        if not ids:
            return
        choices: list[tuple[str, object]] = [("No reminder", "")]
        choices += [(label, tier) for tier, (label, _days) in TIERS.items()]
        value = self._ask_value("Keep in touch", "&Tier", choices, False, len(ids))
        if value is None:
            return
        self._set_field(ids, "tier", str(value), f"Set tier {value or 'none'}")

    def set_industry(self, ids: list[int] | None = None) -> None:
        ids = ids or self._selection()
        if not ids:
            return
        with self.w.db.session() as s:
            known = industries.industries_in_use(s)
            suggested = industries.suggestions(s, ids)
        common = {x.suggested for x in suggested if x.suggested}
        current = common.pop() if len(common) == 1 else ""
        chosen = self._ask_value(
            "Set industry", "&Industry", [(k, k) for k in known], True, len(ids), current
        )
        if chosen is None:
            return
        value = str(chosen).strip()
        self._set_field(ids, "industry", value, f"Set industry “{value}”")

    def _set_field(self, ids: list[int], field: str, value: str, text: str) -> None:
        w = self.w
        step = DbStep(
            w.db,
            f"{text} on {_people(len(ids))}",
            lambda s: bulk.set_field(s, ids, field, value),
            lambda s, before: bulk.restore_field(s, field, before),
            w._changed,
            background=len(ids) >= BULK_IN_BACKGROUND,
        )
        w.undo_stack.push(step)
        w.statusBar().showMessage(f"{step.text()}. Ctrl+Z undoes it.", 5000)

    def apply_industries(self, chosen: dict[int, str]) -> None:
        """Confirmed suggestions (contact → industry), as one undoable step."""
        w = self.w

        def do(s: Session) -> dict[int, str]:
            before: dict[int, str] = {}
            for value in set(chosen.values()):
                ids = [c for c, v in chosen.items() if v == value]
                before.update(bulk.set_field(s, ids, "industry", value))
            return before

        w.undo_stack.push(
            DbStep(
                w.db,
                f"Confirm the industry of {_people(len(chosen))}",
                do,
                lambda s, before: bulk.restore_field(s, "industry", before),
                w._changed,
            )
        )

    # -- groups and events tab -------------------------------------------------------
    def save_group(self, record: groups.GroupRecord) -> None:
        w = self.w
        new = record.id is None
        try:
            groups.check(record)
        except ValueError as exc:
            w.statusBar().showMessage(str(exc), 8000)
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
            DbStep(w.db, f"{'Add' if new else 'Edit'} “{record.name}”", do, undo, w._changed)
        )
        w.groups.refresh(record.id)

    def delete_group(self, group_id: int) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                "Delete group or event",
                lambda s: groups.delete_group(s, group_id),
                groups.restore_group,
                w._changed,
            )
        )
        w.statusBar().showMessage("Deleted. Press Ctrl+Z to undo.", 5000)

    def add_to_group(self, group_id: int, contact_id: int) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Met {w._contact_name(contact_id)} there",
                lambda s: groups.link(s, group_id, [contact_id]),
                lambda s, added: groups.unlink(s, group_id, added),
                w._changed,
            )
        )

    # -- target employers ---------------------------------------------------------------
    def add_employer(self, name: str) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Add “{name}” to the LAMP list",
                lambda s: employers.add_employer(s, name),
                lambda s, new_id: employers.delete_employer(s, new_id),
                self._own_tab_changed,
            )
        )

    def edit_employer(self, employer_id: int, field: str, value: object) -> None:
        w = self.w
        try:
            employers.check(field, value)
        except ValueError as exc:
            w.statusBar().showMessage(str(exc), 8000)
            return
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Change {field}",
                lambda s: employers.update_employer(s, employer_id, field, value),  # type: ignore[arg-type]
                lambda s, before: employers.update_employer(s, employer_id, field, before),
                self._own_tab_changed,
            )
        )

    def delete_employer(self, employer_id: int) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                "Remove from the LAMP list",
                lambda s: employers.delete_employer(s, employer_id),
                employers.restore_employer,
                self._own_tab_changed,
            )
        )

    def employers_from_contacts(self) -> None:
        w = self.w
        with w.db.session() as s:
            orgs = employers.organizations_not_listed(s)
        if not orgs:
            w.statusBar().showMessage("Every organisation your contacts work at is listed.", 6000)
            return
        dialog = ChoiceDialog(
            "Add an employer",
            "Where your contacts work (most people first). Add the ones you would like to "
            "work for.",
            "&Organisation",
            [(f"{name} ({n})", name) for name, n in orgs],
            parent=w,
        )
        if w.ask(dialog) == QDialog.DialogCode.Accepted and dialog.value():
            self.add_employer(str(dialog.value()))

    # -- the map and industries ---------------------------------------------------------
    def show_people(self, narrow: Narrow) -> None:
        w = self.w
        w.tabs.setCurrentWidget(w.contacts)
        w.contacts.set_narrow(narrow)

    def set_target(self, industry: str) -> None:
        w = self.w
        with w.db.session() as s:
            if industries.target_industry(s) == industry:
                return
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Target industry “{industry}”" if industry else "No target industry",
                lambda s: industries.set_target_industry(s, industry),
                lambda s, before: industries.set_target_industry(s, before or ""),
                self._own_tab_changed,
            )
        )

    def suggest_industries(self) -> None:
        w = self.w
        ids = w.contacts.selected_ids() if w.tabs.currentWidget() is w.contacts else []
        with w.db.session() as s:
            found = industries.suggestions(s, ids if len(ids) > 1 else None)
            table = industries.keywords(s)
        dialog = IndustriesDialog(found, table, w)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        if dialog.keyword_table() != table:
            with w.db.session() as s:
                industries.set_keywords(s, dialog.keyword_table())
        chosen = dialog.chosen()
        if chosen:
            self.apply_industries(chosen)
            w.statusBar().showMessage(
                f"Industry set for {_people(len(chosen))}. Ctrl+Z undoes it.", 6000
            )
