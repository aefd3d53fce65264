"""The window's menus, toolbar, the Contacts list's context menu and the buttons of a
multi-selection, assembled from the actions each tab declares (see the tabs' actions.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget

from app import APP_NAME
from app.ui.common.commands import UndoStack
from app.ui.common.profile import ProfileActions
from app.ui.common.text import plain_tooltip
from app.ui.common.widgets import make_action
from app.ui.contacts.actions import ContactActions
from app.ui.mail_history import MailHistoryController
from app.ui.sync.controller import SyncController
from app.ui.window.files import FileActions

# The tabs' names in the View menu (Ctrl+1 to Ctrl+7), in their order.
VIEW_NAMES = (
    "Today",
    "Contacts",
    "Network Map",
    "Target Employers",
    "Groups && Events",
    "Interview Prep",
    "Outreach",
)


@dataclass(frozen=True)
class Later:
    """What the menus do in the tabs built when first shown (Interview prep, Outreach, the
    Network map): the window builds the tab, and its actions, when one is first used."""

    plan_interview: Callable[[], object]
    export_interviews: Callable[[], object]
    add_to_campaign: Callable[[], object]
    suggest_industries: Callable[[], object]


@dataclass(frozen=True)
class Parts:
    """The tabs' actions that the menus show."""

    contacts: ContactActions
    files: FileActions
    later: Later
    sync: SyncController
    mail_history: MailHistoryController
    profile: ProfileActions


@dataclass(frozen=True)
class WindowActions:
    """The window's own actions."""

    undo: QAction
    redo: QAction
    quit: QAction
    preferences: QAction
    about: QAction
    plan_interview: QAction
    export_interviews: QAction
    add_to_campaign: QAction
    suggest_industries: QAction


def build_menus(
    win: QMainWindow,
    tabs: QTabWidget,
    undo_stack: UndoStack,
    p: Parts,
    on_preferences: Callable[[], None],
    on_about: Callable[[], None],
) -> WindowActions:
    ca, files, sync, later = p.contacts, p.files, p.sync, p.later

    def menu(title: str, *items: QAction | None) -> None:
        added = win.menuBar().addMenu(title)
        for item in items:
            if item is None:
                added.addSeparator()
            else:
                added.addAction(item)

    quit_action = make_action(win, "&Quit", win.close, QKeySequence("Ctrl+Q"), "quit")
    plan = make_action(
        win,
        "Plan &Informational Interview…",
        later.plan_interview,
        "Ctrl+Shift+I",
        "plan_interview",
    )
    export_interviews = make_action(
        win, "Export Interviews to Ca&lendar…", later.export_interviews, name="export_interviews"
    )
    campaign = make_action(
        win, "Add Selected to &Campaign…", later.add_to_campaign, name="add_to_campaign"
    )
    suggest = make_action(
        win, "&Suggest Industries…", later.suggest_industries, name="suggest_industries"
    )
    my_profile = make_action(win, "M&y Profile…", p.profile.edit, name="my_profile")
    export_card = make_action(
        win, "Export My C&ard…", lambda: p.profile.export_card(), name="export_my_card"
    )
    show_card = make_action(win, "S&how My Card (QR)…", p.profile.show_card, name="show_my_card")
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    menu(
        "&File",
        ca.new_action,
        files.import_action,
        files.export_action,
        export_interviews,
        export_card,
        show_card,
        None,
        sync.sync_action,
        sync.setup_action,
        sync.conflicts_action,
        p.mail_history.action,
        None,
        files.backup_action,
        files.restore_action,
        None,
        quit_action,
    )
    toolbar = win.addToolBar("Toolbar")
    toolbar.setObjectName("main_toolbar")
    toolbar.setMovable(False)
    for a in (ca.new_action, files.import_action, sync.sync_action):
        toolbar.addAction(a)
    undo = undo_stack.createUndoAction(win, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = undo_stack.createRedoAction(win, "&Redo")
    # The platform's Redo (Ctrl+Shift+Z on Linux), and Ctrl+Y wherever that is not it: the
    # key people coming from Windows and Office press (it did nothing on Linux).
    redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    if QKeySequence("Ctrl+Y") not in redo_keys:
        redo_keys.append(QKeySequence("Ctrl+Y"))
    redo.setShortcuts(redo_keys)
    for a in (undo, redo):
        # Fixed, not taken from the text as it changes: that quotes names (Undo Edit “…”).
        a.setToolTip(plain_tooltip(a.iconText()))
    preferences = make_action(
        win,
        "&Preferences…",
        on_preferences,
        QKeySequence.StandardKey.Preferences,
        "prefs",
    )
    preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
    menu(
        "&Edit",
        undo,
        redo,
        None,
        ca.delete_action,
        ca.merge_action,
        ca.duplicates_action,
        None,
        files.undo_import_action,
        None,
        ca.find_action,
        None,
        my_profile,
        preferences,
    )
    menu(
        "C&ontact",
        ca.log_action,
        ca.follow_up_action,
        ca.met_at_action,
        plan,
        None,
        ca.who_at_action,
        None,
        *ca.bulk_actions,
        suggest,
        campaign,
    )
    # The same on the list's context menu, with Delete.
    table = ca.tab.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    for a in (ca.delete_action, *ca.bulk_actions, plan, campaign):
        table.addAction(a)
    # The same as buttons in the pane when several are selected.
    summary = ca.tab.summary
    buttons = (
        (ca.bulk_actions[0], "Add a tag…"),
        (ca.bulk_actions[1], "Remove a tag…"),
        (ca.bulk_actions[2], "Set keep-in-touch tier…"),
        (ca.bulk_actions[3], "Set industry…"),
        (campaign, "Add to a campaign…"),
        (ca.merge_action, "Merge the two…"),
        (files.export_action, "Export…"),
        (ca.delete_action, "Delete…"),
    )
    for a, text in buttons:
        summary.add_action(a, text)
    views = [
        make_action(win, name, lambda _c=False, i=i: tabs.setCurrentIndex(i), f"Ctrl+{i + 1}")
        for i, name in enumerate(VIEW_NAMES)
    ]
    menu("&View", *views)
    about = make_action(win, f"&About {APP_NAME}", on_about, name="about")
    about.setMenuRole(QAction.MenuRole.AboutRole)
    menu("&Help", about)
    return WindowActions(
        undo, redo, quit_action, preferences, about, plan, export_interviews, campaign, suggest
    )
