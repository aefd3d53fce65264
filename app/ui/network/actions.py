"""What the Network map does: the target industry, showing a segment's people, and the
industry suggestions; each change is one undoable step over the services."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from sqlalchemy.orm import Session

from app.services import bulk, industries
from app.services.contacts import Narrow
from app.ui.common.commands import DbStep
from app.ui.common.host import Host, Tab
from app.ui.network.industries_dialog import IndustriesDialog
from app.ui.network.tab import NetworkTab


def _people(n: int) -> str:
    return f"{n} contact{'s' if n != 1 else ''}"


class NetworkActions:
    def __init__(self, host: Host, tab: NetworkTab) -> None:
        self.w = host
        self.parent_widget = host.dialog_parent()
        tab.show_people.connect(self.show_people)
        tab.target_changed.connect(self.set_target)
        tab.suggest_requested.connect(self.suggest_industries)
        # Contact ▸ Suggest Industries… is the window's (window/menus.py): it is there before
        # this tab is built.

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
                w.changed,
            )
        )

    def show_people(self, narrow: Narrow) -> None:
        w = self.w
        w.show_people(narrow)

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
                w.refresh_shown,
            )
        )

    def suggest_industries(self) -> None:
        w = self.w
        ids = w.selected_contacts() if w.current_tab() is Tab.CONTACTS else []
        with w.db.session() as s:
            found = industries.suggestions(s, ids if len(ids) > 1 else None)
            table = industries.keywords(s)
        dialog = IndustriesDialog(found, table, self.parent_widget)
        if w.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        if dialog.keyword_table() != table:
            with w.db.session() as s:
                industries.set_keywords(s, dialog.keyword_table())
        chosen = dialog.chosen()
        if chosen:
            self.apply_industries(chosen)
            w.say(f"Industry set for {_people(len(chosen))}. Ctrl+Z undoes it.", 6000)
