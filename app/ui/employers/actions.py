"""What the Target employers tab (the LAMP list) does: each change is one undoable step over
the services; only this tab shows it, so only the tab shown reads again."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from app.services import employers
from app.ui.common.commands import DbStep
from app.ui.common.forms import ChoiceDialog
from app.ui.common.host import Host
from app.ui.employers.tab import EmployersTab


class EmployerActions:
    def __init__(self, host: Host, tab: EmployersTab) -> None:
        self.w = host
        self.parent_widget = host.dialog_parent()
        tab.add_requested.connect(self.add_employer)
        tab.edit_requested.connect(self.edit_employer)
        tab.delete_requested.connect(self.delete_employer)
        tab.from_contacts_requested.connect(self.employers_from_contacts)
        tab.open_contact.connect(host.open_contact)
        tab.show_people.connect(host.show_people)

    def add_employer(self, name: str) -> None:
        w = self.w
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Add “{name}” to the LAMP list",
                lambda s: employers.add_employer(s, name),
                lambda s, new_id: employers.delete_employer(s, new_id),
                w.refresh_shown,
            )
        )

    def edit_employer(self, employer_id: int, field: str, value: object) -> None:
        w = self.w
        try:
            employers.check(field, value)
        except ValueError as exc:
            w.say(str(exc), 8000)
            return
        w.undo_stack.push(
            DbStep(
                w.db,
                f"Change {field}",
                lambda s: employers.update_employer(s, employer_id, field, value),  # type: ignore[arg-type]
                lambda s, before: employers.update_employer(s, employer_id, field, before),
                w.refresh_shown,
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
                w.refresh_shown,
            )
        )

    def employers_from_contacts(self) -> None:
        w = self.w
        with w.db.session() as s:
            orgs = employers.organizations_not_listed(s)
        if not orgs:
            w.say("Every organisation your contacts work at is listed.", 6000)
            return
        dialog = ChoiceDialog(
            "Add an employer",
            "Where your contacts work (most people first). Add the ones you would like to "
            "work for.",
            "&Organisation",
            [(f"{name} ({n})", name) for name, n in orgs],
            parent=self.parent_widget,
        )
        if w.ask(dialog) == QDialog.DialogCode.Accepted and dialog.value():
            self.add_employer(str(dialog.value()))
