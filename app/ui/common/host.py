"""What a tab's actions get from the window that hosts them, and nothing more.

A tab's package (contacts, interviews, outreach, sync, ...) never imports the window: its
actions are handed a `Host` (the main window implements it) and reach the database, the undo
stack, the status line, the dialogs and the other tabs only through it. So a tab's code can be
read and tested without the window, and no import runs back up from a tab to the window.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from PySide6.QtWidgets import QDialog, QWidget

from app.services.contacts import Choice, Narrow
from app.storage.db import Database
from app.ui.common.commands import UndoStack
from app.ui.common.tasks import TaskRunner


class Tab(enum.Enum):
    """The window's tabs, in their order (View ▸ Ctrl+1 to Ctrl+7)."""

    TODAY = 0
    CONTACTS = 1
    NETWORK = 2
    EMPLOYERS = 3
    GROUPS = 4
    INTERVIEWS = 5
    OUTREACH = 6


# Sends one message from the user's mail account; see outreach.actions.OutreachActions.send_one.
SendOne = Callable[[str, str, str, str, Callable[[str], None]], bool]


class Host(Protocol):
    """The window as a tab's actions see it."""

    @property
    def db(self) -> Database: ...

    @property
    def undo_stack(self) -> UndoStack: ...

    @property
    def tasks(self) -> TaskRunner: ...

    # Shows a dialog modally and returns its result (the tests answer it instead).
    ask: Callable[[QDialog], int]

    def dialog_parent(self) -> QWidget:
        """The window, as the parent of the dialogs the actions open."""
        ...

    def say(self, text: str, timeout: int = 5000) -> None:
        """A sentence on the status line for *timeout* milliseconds."""
        ...

    def changed(self, ids: list[int]) -> None:
        """A step changed these contacts (or none in particular): every view reads again."""
        ...

    def holding_changes(self) -> AbstractContextManager[None]:
        """While in it, steps' changes leave the views as they are (the duplicates review,
        deciding many times over a big book); when it ends every view reads again once."""
        ...

    def refresh_shown(self, _ids: object = None) -> None:
        """Only the tab shown reads again (a change that shows nowhere else); takes the ids
        a step changed, as `changed` does, and needs none of them."""
        ...

    def refresh_today(self) -> None: ...

    def reload_contacts(self, background: bool = False) -> None: ...

    def task_failed(self, details: str) -> None:
        """A task failed: said plainly (a full disk, a damaged file) with the details."""
        ...

    def open_tab(self, tab: Tab) -> None: ...

    def current_tab(self) -> Tab: ...

    def open_contact(self, contact_id: int) -> None:
        """Show this contact in the Contacts tab (unless the user keeps unsaved typing)."""
        ...

    def show_people(self, narrow: Narrow) -> None:
        """The Contacts tab, narrowed to these people."""
        ...

    def contact_name(self, contact_id: int) -> str: ...

    def current_contact(self) -> int | None:
        """The contact shown in the Contacts tab, if any."""
        ...

    def selected_contacts(self) -> list[int]: ...

    def find_people(self, text: str) -> list[Choice]:
        """The contact search that pickers use."""
        ...

    def ask_profile_once(self) -> None:
        """The user's profile, asked for once: on first use of Outreach or Interview prep
        with no name to sign with (see common/profile.py)."""
        ...

    def edit_profile(self) -> bool:
        """Edit ▸ My Profile…; True when the user saved it."""
        ...
