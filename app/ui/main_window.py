"""The Second Act main window: menus, tabs, status bar, remembered layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from app import APP_NAME, __version__
from app.gc_pause import keep_start_up_out_of_collections
from app.model.records import ContactRecord
from app.paths import AppPaths
from app.services.contacts import (
    ContactNotFound,
    InvalidContact,
    count_contacts,
    delete_contacts,
    get_contact,
    list_contact_ids,
)
from app.services.duplicates import DuplicatePair, mark_all_different, unmark_pairs
from app.services.exporting import ExportReport, WouldReplace, export_contacts
from app.services.followups import (
    add_follow_up,
    delete_follow_up,
    reschedule,
    restore_follow_up,
    set_done,
)
from app.services.import_job import GONE, ImportJob
from app.services.importing import (
    ImportReport,
    Preview,
    UndoneImport,
    last_import,
    undo_import,
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
from app.services.settings import set_tier_days, tier_days
from app.services.today import (
    INTERVIEW,
    KEEP_IN_TOUCH,
    THANK_YOU_NOTE,
    THANKS,
    DueItem,
    snooze_keep_in_touch,
)
from app.storage.db import Database, DatabaseRefused, check_backup
from app.ui.activity_dialogs import FollowUpDialog, LogDialog, PickDateDialog
from app.ui.backup_dialog import RestoreDialog
from app.ui.commands import (
    BULK_IN_BACKGROUND,
    DbStep,
    DeleteContacts,
    MarkDifferent,
    MergeContacts,
    SaveContact,
    UndoStack,
)
from app.ui.contacts_tab import ContactsTab, ReadList, read_list
from app.ui.duplicates_dialog import DuplicatesDialog
from app.ui.employers.tab import EmployersTab
from app.ui.export_dialog import ExportDialog
from app.ui.groups.tab import GroupsTab
from app.ui.import_dialogs import plural, preview_dialog, report_dialog
from app.ui.interviews.actions import InterviewActions
from app.ui.interviews.tab import InterviewsTab
from app.ui.network.tab import NetworkTab
from app.ui.network_actions import NetworkActions
from app.ui.outreach.actions import OutreachActions
from app.ui.outreach.tab import OutreachTab
from app.ui.preferences import PreferencesDialog
from app.ui.sync.controller import SyncController
from app.ui.tasks import TaskRunner
from app.ui.text import Button, escape, message_box, plain_label, plain_tooltip
from app.ui.today.tab import TodayTab
from app.ui.who_at_dialog import WhoAtDialog
from app.ui.widgets import commit_open_editors, install_wheel_guard

# Deleting at least this many contacts at once is a bulk delete: a backup is made first.
BULK_DELETE = BULK_IN_BACKGROUND

IMPORTABLE = (".vcf", ".vcard", ".csv")
# Room kept for a window frame when fitting the window to the screen (see _fit_to_screen).
FRAME = QSize(16, 40)


class MainWindow(QMainWindow):
    files_offered = Signal(list)

    def __init__(self, db: Database, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        install_wheel_guard()  # before any widget here is shown (polished)
        self.db = db
        self.paths = paths
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(720, 480)
        self.undo_stack = UndoStack(self)  # a step that fails is told, never kept
        # While the duplicates review is open its decisions leave the window as it is (each
        # re-read of 50,000 contacts took more than the 100 ms a decision has); the window
        # catches up when the review closes.
        self._holding = False
        self.undo_stack.run_in_background = self._in_background
        # Queued: said after the action's own status message ("Logged…"), which it replaces.
        self.undo_stack.failed.connect(self._step_failed, Qt.ConnectionType.QueuedConnection)
        self.tasks = TaskRunner(self)
        self.setAcceptDrops(True)
        # Tests replace these to answer dialogs; the app shows them modally.
        self.ask = lambda dialog: dialog.exec()

        self.contacts = ContactsTab(db)
        self.contacts.import_requested.connect(self.on_import)
        self.contacts.new_requested.connect(self.on_new_contact)
        self.contacts.save_requested.connect(self.on_save_contact)
        self.contacts.status.connect(self._set_count)
        self.contacts.duplicates_requested.connect(self.on_review_duplicates)
        self.contacts.ask = lambda box: self.ask(box)
        self.contacts.activity.log_requested.connect(lambda: self.on_log())
        self.contacts.activity.edit_requested.connect(self.on_edit_interaction)
        self.contacts.activity.delete_requested.connect(self.on_delete_interaction)
        self.contacts.activity.follow_up_requested.connect(lambda: self.on_add_follow_up())
        self.contacts.activity.follow_up_done.connect(self.on_follow_up_done)
        self.contacts.activity.follow_up_deleted.connect(self.on_delete_follow_up)
        self.contacts.activity.open_contact.connect(self.open_contact)
        self.network_actions = na = NetworkActions(self)
        self.contacts.activity.exchange_requested.connect(lambda d: na.log_exchange(d))
        self.contacts.activity.exchange_deleted.connect(na.delete_exchange)
        self.contacts.activity.link_group_requested.connect(lambda: na.link_group())
        self.contacts.activity.group_unlinked.connect(lambda g: na.unlink_group(g))
        self.contacts.activity.open_group.connect(self.open_group)
        self.network = NetworkTab(db)
        self.network.show_people.connect(na.show_people)
        self.network.target_changed.connect(na.set_target)
        self.network.suggest_requested.connect(na.suggest_industries)
        self.employers = EmployersTab(db)
        self.employers.add_requested.connect(na.add_employer)
        self.employers.edit_requested.connect(na.edit_employer)
        self.employers.delete_requested.connect(na.delete_employer)
        self.employers.from_contacts_requested.connect(na.employers_from_contacts)
        self.employers.open_contact.connect(self.open_contact)
        self.groups = GroupsTab(db)
        self.groups.search_people = self.contacts._find_choices
        self.groups.ask = lambda box: self.ask(box)
        self.groups.save_requested.connect(na.save_group)
        self.groups.delete_requested.connect(na.delete_group)
        self.groups.add_person_requested.connect(na.add_to_group)
        self.groups.remove_person_requested.connect(lambda g, c: na.unlink_group(g, [c]))
        self.groups.open_contact.connect(self.open_contact)
        self.today = TodayTab(db)
        self.today.count_changed.connect(self._set_today_count)
        self.today.done_requested.connect(self.on_today_done)
        self.today.snooze_requested.connect(self.on_today_snooze)
        self.today.delete_requested.connect(lambda item: self.on_delete_follow_up(item.item_id))
        self.today.open_requested.connect(self.on_today_open)
        self.today.add_follow_up.connect(lambda: self.on_add_follow_up(with_contact=False))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.today, "&Today")
        self.tabs.addTab(self.contacts, "&Contacts")
        self.tabs.addTab(self.network, "&Network map")
        self.tabs.addTab(self.employers, "Target &employers")
        self.tabs.addTab(self.groups, "&Groups && events")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.interviews = InterviewsTab(db)
        self.tabs.addTab(self.interviews, "&Interview prep")
        self.interview_actions = ia = InterviewActions(self)
        self.contacts.activity.interview_requested.connect(
            lambda: ia.new_interview(self.contacts.current_id())
        )
        self.contacts.activity.open_interview.connect(ia.open_interview)
        self.outreach = OutreachTab(db)
        self.tabs.addTab(self.outreach, "&Outreach")
        self.outreach_actions = OutreachActions(self)
        self.setCentralWidget(self.tabs)
        self.count_label = plain_label()
        self.statusBar().addPermanentWidget(self.count_label)
        self.sync = SyncController(self)
        self.contacts.sync_requested.connect(self.sync.set_up)
        self._build_menus()
        self.contacts.view_changed.connect(self._update_actions)
        self._restore_state()
        self.contacts.on_model_reset()
        self.today.refresh()  # the tab title gets its count
        # Today is where the day starts; a first run starts at the welcome page instead.
        self.tabs.setCurrentWidget(self.today if self.contacts.total() else self.contacts)
        self._update_actions()
        # Measured importing 50,000 cards: a full collection of everything start-up built
        # took 51 to 60 ms of the window's time when the import handed over.
        QTimer.singleShot(0, keep_start_up_out_of_collections)

    # -- menus --------------------------------------------------------------
    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | str | None = None, name: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action(
            "&New Contact", self.on_new_contact, QKeySequence.StandardKey.New, "new_contact"
        )
        self.import_action = self._action(
            "&Import Address Book…", self.on_import, "Ctrl+I", "import"
        )
        self.export_action = self._action("&Export Contacts…", self.on_export, "Ctrl+E", "export")
        self.backup_action = self._action("&Back Up Now", self.on_backup_now, name="backup")
        self.restore_action = self._action("&Restore from Backup…", self.on_restore, name="restore")
        self.quit_action = self._action("&Quit", self.close, QKeySequence("Ctrl+Q"), "quit")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.export_interviews_action = self._action(
            "Export Interviews to &Calendar…",
            lambda: self.interview_actions.export_all(),
            name="export_interviews",
        )
        for a in (self.new_action, self.import_action, self.export_action):
            file_menu.addAction(a)
        file_menu.addAction(self.export_interviews_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sync.sync_action)
        file_menu.addAction(self.sync.setup_action)
        toolbar = self.addToolBar("Toolbar")
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        for a in (self.new_action, self.import_action, self.sync.sync_action):
            toolbar.addAction(a)
        file_menu.addAction(self.sync.conflicts_action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.delete_action = self._action(
            "&Delete Contact", self.on_delete, QKeySequence.StandardKey.Delete, "delete"
        )
        # Delete acts on the list only, so the key still deletes text in the editor's fields.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.contacts.table.addAction(self.delete_action)
        self.find_action = self._action(
            "&Find…", self.on_find, QKeySequence.StandardKey.Find, "find"
        )
        self.merge_action = self._action("&Merge Two Contacts…", self.on_merge, "Ctrl+M", "merge")
        self.duplicates_action = self._action(
            "Review &Possible Duplicates…", self.on_review_duplicates, "Ctrl+Shift+D", "duplicates"
        )
        self.undo_import_action = self._action(
            "Undo Last &Import…", self.on_undo_import, name="undo_import"
        )
        for a in (self.undo_action, self.redo_action):
            # Fixed, not taken from the text as it changes: that quotes names (Undo Edit “…”).
            a.setToolTip(plain_tooltip(a.iconText()))
            edit_menu.addAction(a)
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete_action)
        edit_menu.addAction(self.merge_action)
        edit_menu.addAction(self.duplicates_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.undo_import_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        self.preferences_action = self._action(
            "&Preferences…", self.on_preferences, QKeySequence.StandardKey.Preferences, "prefs"
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        edit_menu.addAction(self.preferences_action)

        contact_menu = bar.addMenu("C&ontact")
        self.log_action = self._action(
            "&Log Interaction…", lambda: self.on_log(), "Ctrl+L", "log_interaction"
        )
        self.follow_up_action = self._action(
            "Add &Follow-up…", lambda: self.on_add_follow_up(), "Ctrl+Shift+F", "add_follow_up"
        )
        self.who_at_action = self._action("&Who Do I Know At…", self.on_who_at, "Ctrl+K", "who_at")
        contact_menu.addAction(self.log_action)
        contact_menu.addAction(self.follow_up_action)
        self.met_at_action = self._action(
            "&Met At…", lambda: self.network_actions.link_group(), name="met_at"
        )
        contact_menu.addAction(self.met_at_action)
        self.interview_action = self._action(
            "Plan &Informational Interview…",
            lambda: self.interview_actions.new_interview(self.contacts.current_id()),
            "Ctrl+Shift+I",
            "plan_interview",
        )
        contact_menu.addAction(self.interview_action)
        contact_menu.addSeparator()
        contact_menu.addAction(self.who_at_action)
        contact_menu.addSeparator()
        na = self.network_actions
        self.bulk_actions = [
            self._action("Add &Tag to Selected…", na.add_tag, "Ctrl+Shift+T", "bulk_add_tag"),
            self._action("&Remove Tag from Selected…", na.remove_tag, name="bulk_remove_tag"),
            self._action("Set Keep-in-Touch &Tier of Selected…", na.set_tier, name="bulk_tier"),
            self._action(
                "Set &Industry of Selected…", lambda: na.set_industry(), name="bulk_industry"
            ),
        ]
        for a in self.bulk_actions:
            contact_menu.addAction(a)
        self.suggest_action = self._action(
            "&Suggest Industries…", na.suggest_industries, name="suggest_industries"
        )
        contact_menu.addAction(self.suggest_action)
        # The same on the list's context menu, with Delete.
        self.contacts.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for a in self.bulk_actions:
            self.contacts.table.addAction(a)
        self.contacts.table.addAction(self.interview_action)
        self.campaign_action = self._action(
            "Add Selected to &Campaign…",
            lambda: self.outreach_actions.add_contacts(self.contacts.selected_ids()),
            name="add_to_campaign",
        )
        contact_menu.addAction(self.campaign_action)
        self.contacts.table.addAction(self.campaign_action)
        # The same as buttons in the pane when several are selected.
        summary = self.contacts.summary
        summary.add_action(self.bulk_actions[0], "Add a tag…")
        summary.add_action(self.bulk_actions[1], "Remove a tag…")
        summary.add_action(self.bulk_actions[2], "Set keep-in-touch tier…")
        summary.add_action(self.bulk_actions[3], "Set industry…")
        summary.add_action(self.campaign_action, "Add to a campaign…")
        summary.add_action(self.merge_action, "Merge the two…")
        summary.add_action(self.export_action, "Export…")
        summary.add_action(self.delete_action, "Delete…")

        view_menu = bar.addMenu("&View")
        names = (
            "Today",
            "Contacts",
            "Network Map",
            "Target Employers",
            "Groups && Events",
            "Interview Prep",
            "Outreach",
        )
        for i, name in enumerate(names):
            action = self._action(
                name, lambda _c=False, i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}"
            )
            view_menu.addAction(action)

        help_menu = bar.addMenu("&Help")
        about = self._action(f"&About {APP_NAME}", self.on_about, name="about")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)
        self.about_action = about

    # -- state --------------------------------------------------------------
    def settings(self) -> QSettings:
        return QSettings(str(self.paths.ui_state), QSettings.Format.IniFormat)

    def _restore_state(self) -> None:
        s = self.settings()
        geometry = s.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 760)
        self._fit_to_screen()
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = s.value("contacts/splitter")
        if splitter is None or not self.contacts.splitter.restoreState(splitter):
            self.contacts.splitter.setSizes([700, 500])
        header = s.value("contacts/header")
        if header is not None:
            self.contacts.table.horizontalHeader().restoreState(header)

    def _fit_to_screen(self) -> None:
        """Keep the window, frame and all, on the screen it opens on.

        1200x760 was wider than a 1024x768 screen and cut the status bar off at 1366x768,
        and a size remembered from a larger monitor came back larger than the screen."""
        screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        frame = FRAME  # the title bar and borders, not known before the window is shown
        width = min(self.width(), area.width() - frame.width())
        height = min(self.height(), area.height() - frame.height())
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        x = min(max(self.x(), area.left()), area.right() + 1 - self.width() - frame.width())
        y = min(max(self.y(), area.top()), area.bottom() + 1 - self.height() - frame.height())
        self.move(max(x, area.left()), max(y, area.top()))

    def save_state(self) -> None:
        s = self.settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("contacts/splitter", self.contacts.splitter.saveState())
        s.setValue("contacts/header", self.contacts.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        commit_open_editors(self)  # a cell being typed in is part of what may be saved
        # Every tab that holds typing asks about it (Interview prep and Outreach save it).
        if not self.contacts.confirm_leave() or not self.groups.confirm_leave():
            event.ignore()
            return
        if not self.outreach_actions.confirm_close():
            event.ignore()
            return
        self.interviews.leave()
        self.outreach.leave()
        for task in list(self.tasks.running):
            task.cancel()  # an import in progress rolls back; nothing half-written remains
        self.tasks.wait()
        self.network.wait()  # a map count in progress reads the database
        self.outreach_actions.wait()  # sending stops after the message in flight
        self.sync.stop()  # a sync stops between two cards; the next one carries on
        self.save_state()
        event.accept()

    def _set_count(self, text: str) -> None:
        self.count_label.setText(text)

    # -- actions ------------------------------------------------------------
    def on_new_contact(self) -> None:
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.start_new()

    def on_find(self) -> None:
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.focus_search()

    def _in_background(
        self, title: str, work: Any, done: Callable[[Any], None], stopped: Callable[[], None]
    ) -> None:
        """Run an undoable step's work on a pool thread, with progress and Cancel."""

        def cancelled() -> None:
            stopped()
            self.statusBar().showMessage("Nothing was changed.", 8000)

        def failed(report: str) -> None:
            stopped()
            self._task_failed(report)

        self.tasks.start(title, work, done, on_cancelled=cancelled, on_failed=failed)

    def _changed(self, ids: list[int]) -> None:
        if self._holding:
            return
        keep = ids[0] if len(ids) == 1 else None
        self.contacts.reload(keep)
        self.contacts.activity.show_contact(self.contacts.current_id())
        self.today.refresh()
        self._refresh_current_tab()

    def _tab_changed(self, _index: int) -> None:
        commit_open_editors(self)  # what was being typed in a cell of the tab left is kept
        self._refresh_current_tab()
        self._update_actions()

    def _update_actions(self) -> None:
        """Enable the actions that apply to who is selected and shown, and no others."""
        selected = len(self.contacts.selected_ids())
        shown = self.contacts.current_id() is not None
        self.delete_action.setEnabled(selected > 0)
        self.merge_action.setEnabled(selected == 2)
        for a in (*self.bulk_actions, self.campaign_action):
            a.setEnabled(selected > 0)
        for a in (self.log_action, self.interview_action, self.met_at_action):
            a.setEnabled(shown)
        # From Today a follow-up may be about no one in particular.
        self.follow_up_action.setEnabled(shown or self.tabs.currentWidget() is self.today)

    def _refresh_current_tab(self) -> None:
        """The network tabs are read when shown (and after a change while shown)."""
        current = self.tabs.currentWidget()
        if current is not self.interviews:
            self.interviews.leave()  # what was typed there is saved before anything else
        if current is not self.outreach:
            self.outreach.leave()
        if current is self.interviews:
            self.interviews.refresh()
        if current is self.outreach and not self.outreach.message.pending():
            self.outreach_actions.refresh(reload_message=False)
        if current is self.network:
            self.network.refresh()
        elif current is self.employers:
            self.employers.refresh()
        elif current is self.groups:
            self.groups.refresh()

    def open_group(self, group_id: int) -> None:
        self.tabs.setCurrentWidget(self.groups)
        self.groups.refresh(group_id)

    def _set_today_count(self, n: int) -> None:
        self.tabs.setTabText(self.tabs.indexOf(self.today), f"&Today ({n})" if n else "&Today")

    def open_contact(self, contact_id: int) -> None:
        if not self.contacts.confirm_leave():
            return
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.show_contact(contact_id)

    # -- interactions and follow-ups -------------------------------------------
    def _contact_name(self, contact_id: int) -> str:
        with self.db.session() as s:
            try:
                return get_contact(s, contact_id).display_name
            except ContactNotFound:
                return ""

    def on_log(self, contact_id: int | None = None) -> None:
        """Log an interaction with the shown contact (or *contact_id*): today, last kind."""
        cid = contact_id if contact_id is not None else self.contacts.current_id()
        if cid is None:
            self.statusBar().showMessage("Select a contact first, then log (Ctrl+L).", 5000)
            return
        with self.db.session() as s:
            kind = last_kind(s)
        name = self._contact_name(cid)
        dialog = LogDialog(name, dt.date.today(), kind, parent=self)
        if self.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        on, kind, summary = dialog.values()
        self.undo_stack.push(
            DbStep(
                self.db,
                f"Log {KIND_LABELS[kind].lower()} with {name}",
                lambda s: log_interaction(s, cid, on, kind, summary),
                lambda s, new_id: delete_interaction(s, new_id),
                self._changed,
                [cid],
            )
        )
        self.statusBar().showMessage(f"Logged: {KIND_LABELS[kind]} with {name}.", 5000)

    def on_edit_interaction(self, interaction_id: int) -> None:
        with self.db.session() as s:
            row = get_interaction(s, interaction_id)
        name = self._contact_name(row.contact_id)
        dialog = LogDialog(name, row.occurred_on, row.kind, row.summary, self, editing=True)
        if self.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        on, kind, summary = dialog.values()
        self.undo_stack.push(
            DbStep(
                self.db,
                f"Edit interaction with {name}",
                lambda s: update_interaction(s, interaction_id, on, kind, summary),
                lambda s, before: update_interaction(
                    s, before.id, before.occurred_on, before.kind, before.summary
                ),
                self._changed,
                [row.contact_id],
            )
        )

    def on_delete_interaction(self, interaction_id: int) -> None:
        with self.db.session() as s:
            row = get_interaction(s, interaction_id)
        self.undo_stack.push(
            DbStep(
                self.db,
                "Delete interaction",
                lambda s: delete_interaction(s, interaction_id),
                restore_interaction,
                self._changed,
                [row.contact_id],
            )
        )
        self.statusBar().showMessage("Interaction deleted. Press Ctrl+Z to undo.", 5000)

    def on_add_follow_up(self, with_contact: bool = True) -> None:
        cid = self.contacts.current_id() if with_contact else None
        if self.tabs.currentWidget() is self.today:
            cid = None  # from Today: a follow-up about no one in particular
        name = self._contact_name(cid) if cid is not None else ""
        dialog = FollowUpDialog(name, dt.date.today() + dt.timedelta(days=7), parent=self)
        if self.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        text, due = dialog.values()
        if not text.strip():
            return
        self.undo_stack.push(
            DbStep(
                self.db,
                f"Add follow-up “{text.strip()}”",
                lambda s: add_follow_up(s, cid, due, text),
                lambda s, new_id: delete_follow_up(s, new_id),
                self._changed,
                [cid] if cid is not None else [],
            )
        )
        self.statusBar().showMessage(f"Follow-up added for {due:%d %B}.", 5000)

    def on_follow_up_done(self, follow_up_id: int) -> None:
        self.undo_stack.push(
            DbStep(
                self.db,
                "Mark follow-up done",
                lambda s: set_done(s, follow_up_id, True),
                lambda s, _before: set_done(s, follow_up_id, False),
                self._changed,
            )
        )

    def on_delete_follow_up(self, follow_up_id: int) -> None:
        self.undo_stack.push(
            DbStep(
                self.db,
                "Delete follow-up",
                lambda s: delete_follow_up(s, follow_up_id),
                restore_follow_up,
                self._changed,
            )
        )
        self.statusBar().showMessage("Follow-up deleted. Press Ctrl+Z to undo.", 5000)

    def on_today_done(self, item: DueItem) -> None:
        if item.kind == INTERVIEW:
            self.interview_actions.held(item.item_id)
        elif item.kind == THANK_YOU_NOTE:
            self.interview_actions.mark_sent(item.item_id)
        elif item.kind == THANKS and item.contact_id is not None:
            self.network_actions.thanked(item.contact_id)
        elif item.kind == KEEP_IN_TOUCH:
            self.on_log(item.contact_id)  # done means: you were in touch; say how
        else:
            self.on_follow_up_done(item.item_id)

    def on_today_snooze(self, item: DueItem, until: dt.date | None) -> None:
        if until is None:
            dialog = PickDateDialog("Snooze", dt.date.today() + dt.timedelta(days=14), parent=self)
            if self.ask(dialog) != QDialog.DialogCode.Accepted:
                return
            until = dialog.value()
        day = until
        if item.kind == THANK_YOU_NOTE:
            self.interview_actions.snooze_thank_you(item.item_id, day, item.who)
            return
        if item.kind == THANKS:
            self.network_actions.snooze_thanks(item.item_id, day, item.who)
            self.statusBar().showMessage(f"Snoozed until {day:%A %d %B}.", 5000)
            return
        if item.kind == KEEP_IN_TOUCH:
            cid = item.item_id
            step = DbStep(
                self.db,
                f"Snooze keeping in touch with {item.who}",
                lambda s: snooze_keep_in_touch(s, cid, day),
                lambda s, before: snooze_keep_in_touch(s, cid, before),
                self._changed,
            )
        else:
            fid = item.item_id
            step = DbStep(
                self.db,
                f"Snooze “{item.what}”",
                lambda s: reschedule(s, fid, day),
                lambda s, before: reschedule(s, fid, before.due_on),
                self._changed,
            )
        self.undo_stack.push(step)
        self.statusBar().showMessage(f"Snoozed until {day:%A %d %B}.", 5000)

    def on_today_open(self, item: DueItem) -> None:
        if item.kind in (INTERVIEW, THANK_YOU_NOTE):
            self.interview_actions.open_interview(item.item_id)
            if item.kind == THANK_YOU_NOTE:
                self.interviews.page.pages.setCurrentIndex(3)  # the thank-you is on the debrief
        elif item.contact_id is not None:
            self.open_contact(item.contact_id)

    def on_who_at(self) -> None:
        dialog = WhoAtDialog(self.db, self)
        dialog.open_contact.connect(self.open_contact)
        self.ask(dialog)

    def on_preferences(self) -> None:
        with self.db.session() as s:
            days = tier_days(s)
        dialog = PreferencesDialog(days, self)
        if self.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        with self.db.session() as s:
            set_tier_days(s, dialog.values())
        self._changed([])

    def on_save_contact(self, before: ContactRecord | None, after: ContactRecord) -> None:
        command = SaveContact(self.db, before, after, self._changed)
        try:
            self.undo_stack.push(command)
        except InvalidContact as exc:
            self.contacts.editor.show_problems(exc.problems)
            return
        self.statusBar().showMessage(f"Saved {after.display_name}.", 5000)

    def on_delete(self) -> None:
        ids = self.contacts.selected_ids()
        if not ids:
            return
        names = self.contacts.selected_names()
        who = f"“{names[0]}”" if len(ids) == 1 else f"these {len(ids)} contacts"
        box = message_box(
            self,
            "Delete contact" if len(ids) == 1 else "Delete contacts",
            f"Delete {who}? You can undo this with Edit ▸ Undo (Ctrl+Z).",
            Button.Yes | Button.Cancel,
            Button.Cancel,
        )
        if self.ask(box) != Button.Yes:
            return
        # The pane lets go of who is going (and of any edits to them): never a blank form
        # left acting on a contact that is gone.
        self.contacts.show_nobody()

        if len(ids) < BULK_DELETE:
            self.undo_stack.push(DeleteContacts(self.db, ids, names, self._changed))
            self.statusBar().showMessage(f"Deleted {who}. Press Ctrl+Z to undo.", 8000)
            return
        db = self.db

        # A bulk delete is made off the window's thread, after a copy of the database; it can
        # be cancelled until it is done, and then nothing is deleted.
        def work(progress: Any, cancelled: Any) -> list[int]:
            db.backup("before-delete")
            with db.session() as s:
                return delete_contacts(s, ids, progress, cancelled)

        def deleted(gone: list[int]) -> None:
            self.undo_stack.push(DeleteContacts(self.db, gone, names, self._changed, done=True))
            self.statusBar().showMessage(f"Deleted {who}. Press Ctrl+Z to undo.", 8000)

        self.tasks.start(
            f"Deleting {len(ids)} contacts",
            work,
            deleted,
            on_cancelled=lambda: self.statusBar().showMessage("Nothing was deleted.", 8000),
            on_failed=self._task_failed,
        )

    # -- import ---------------------------------------------------------------
    def on_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            "Import address book",
            str(Path.home()),
            "Address books (*.vcf *.vcard *.csv);;vCard files (*.vcf *.vcard);;"
            "LinkedIn Connections.csv (*.csv);;All files (*)",
        )
        if paths:
            self.start_import(paths)

    def offer_import(self, files: list[str]) -> None:
        """Files from the command line, a drop or a double-click: preview, then ask."""
        self.files_offered.emit(files)
        QTimer.singleShot(0, lambda: self.start_import(files))

    def start_import(self, paths: list[str]) -> None:
        if not self.contacts.confirm_leave():
            return
        db = self.db

        def read_and_preview(progress: Any, cancelled: Any) -> tuple[ImportJob, Preview]:
            # A helper process reads and imports: 50,000 cards matched and written in this
            # process held its interpreter lock long enough to stall the window (issue 11).
            job = ImportJob(db.path, db.backups, paths)
            return job, job.preview(progress, cancelled)

        self.tasks.start(
            "Reading address book",
            read_and_preview,
            lambda result: self._confirm_import(paths, *result),
            on_cancelled=lambda: self.statusBar().showMessage("Nothing was imported.", 5000),
            on_failed=self._task_failed,
        )

    def _confirm_import(self, paths: list[str], job: ImportJob, preview: Preview) -> None:
        dialog = preview_dialog(preview, paths, self)
        if self.ask(dialog) != dialog.DialogCode.Accepted or not dialog.can_import:
            job.abandon()
            self.statusBar().showMessage("Nothing was imported.", 5000)
            return
        db = self.db
        listing = self.contacts.model.listing()

        def run(progress: Any, cancelled: Any) -> tuple[ImportReport, ReadList]:
            report = job.run(progress, cancelled)
            with db.session() as s:  # the list as it now is, read here rather than there
                keep = report.contact_ids[0] if report.contact_ids else None
                return report, read_list(s, listing, keep)

        self.tasks.start(
            "Importing contacts",
            run,
            self._import_done,
            on_cancelled=self._import_cancelled,
            on_failed=self._task_failed,
        )

    def _import_done(self, result: tuple[ImportReport, ReadList]) -> None:
        report, read = result
        # Older undo steps were recorded before the merge; undoing them now could undo it.
        self.undo_stack.clear()
        keep = report.contact_ids[0] if report.contact_ids else None
        self.contacts.reload(keep, read)
        self.statusBar().showMessage(
            f"Imported {plural(report.imported, 'new contact')}, merged {report.merged}.", 8000
        )
        dialog = report_dialog(report, self)
        self.ask(dialog)
        if dialog.choice == "duplicates":
            self.on_review_duplicates()
        elif dialog.choice == "undo":
            self.on_undo_import()

    def _import_cancelled(self) -> None:
        self.contacts.reload()
        self.statusBar().showMessage("Import cancelled: nothing was changed.", 8000)

    def _step_failed(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)
        self.ask(message_box(self, APP_NAME, text, icon=QMessageBox.Icon.Warning))

    def _task_failed(self, details: str) -> None:
        known = self.db.note_failure(details)  # a damaged file or a full disk, said plainly
        text = str(known) if known else "Something went wrong, and nothing was changed."
        if "BrokenProcessPool" in details or GONE in details:  # a helper process was stopped
            text = (
                "The import stopped: a helper process it started ended unexpectedly (the "
                "computer may have run low on memory). Nothing was changed. Try again, "
                "perhaps with fewer programs open."
            )
        box = message_box(
            self,
            APP_NAME,
            text,
            icon=QMessageBox.Icon.Critical,
            details=details,
        )
        self.ask(box)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.start_import(files)

    @staticmethod
    def _dropped_files(event: QDragEnterEvent | QDropEvent) -> list[str]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [
            u.toLocalFile()
            for u in mime.urls()
            if u.isLocalFile() and u.toLocalFile().lower().endswith(IMPORTABLE)
        ]

    # -- export ---------------------------------------------------------------
    def on_export(self) -> None:
        with self.db.session() as s:
            total = count_contacts(s)
        if total == 0:
            self.ask(
                message_box(
                    self,
                    "Export",
                    "There are no contacts to export yet.",
                    icon=QMessageBox.Icon.Information,
                )
            )
            return
        query = self.contacts.model.query.strip()
        dialog = ExportDialog(
            total,
            len(self.contacts.selected_ids()),
            self.contacts.model.rowCount(),
            bool(query),
            self,
        )
        if self.ask(dialog) != dialog.DialogCode.Accepted:
            return
        version = str(dialog.version.currentData())
        folder = dialog.layout_choice.currentData() == "folder"
        if folder:
            target = QFileDialog.getExistingDirectory(self, "Export into folder", str(Path.home()))
        else:
            target, _ = QFileDialog.getSaveFileName(
                self, "Export contacts", str(Path.home() / "contacts.vcf"), "vCard files (*.vcf)"
            )
        if target:
            self.start_export(dialog.scope(), Path(target), version, folder)

    def start_export(
        self, scope: str, target: Path, version: str, folder: bool, overwrite: bool = False
    ) -> None:
        if scope == "selected":
            ids = self.contacts.selected_ids()
        else:
            query = self.contacts.model.query if scope == "search" else ""
            with self.db.session() as s:
                ids = list_contact_ids(s, query)
        db = self.db

        def run(progress: Any, cancelled: Any) -> ExportReport | WouldReplace:
            with db.session() as s:
                try:
                    return export_contacts(
                        s,
                        ids,
                        target,
                        version,
                        folder=folder,
                        overwrite=overwrite,
                        progress=progress,
                        cancelled=cancelled,
                    )
                except WouldReplace as exc:  # nothing written: asked below, on this thread
                    return exc

        def done(report: ExportReport | WouldReplace) -> None:
            if isinstance(report, WouldReplace):
                if self._replace_files(report.paths, target):
                    self.start_export(scope, target, version, folder, overwrite=True)
                else:
                    self.statusBar().showMessage("Export cancelled: no file was written.", 8000)
                return
            self.statusBar().showMessage(
                f"Exported {plural(report.count, 'contact')} to {target}.", 10000
            )

        self.tasks.start(
            "Exporting contacts",
            run,
            done,
            on_cancelled=lambda: self.statusBar().showMessage(
                "Export cancelled: no file was written.", 8000
            ),
            on_failed=self._task_failed,
        )

    def _replace_files(self, paths: list[Path], folder: Path) -> bool:
        n = len(paths)
        names = "\n".join(p.name for p in paths[:5]) + ("\n…" if n > 5 else "")
        box = message_box(
            self,
            "Export",
            f"{plural(n, 'file')} in {folder} already {'has' if n == 1 else 'have'} the name "
            f"the export would give {'it' if n == 1 else 'them'}:\n\n{names}\n\n"
            "Replace them? Nothing has been written yet.",
            Button.Yes | Button.Cancel,
            Button.Cancel,
        )
        return self.ask(box) == Button.Yes

    # -- merge ----------------------------------------------------------------
    def on_merge(self) -> None:
        """Merge the two selected, after comparing them side by side as the duplicates
        review does (it was a bare Yes/Cancel with Yes as the default)."""
        ids = self.contacts.selected_ids()
        if len(ids) != 2:
            self.ask(
                message_box(
                    self,
                    "Merge contacts",
                    "Select exactly two contacts (Ctrl+click) to merge them.",
                    icon=QMessageBox.Icon.Information,
                )
            )
            return
        if not self.contacts.confirm_leave():
            return
        # The older one is kept unless the user swaps sides, as for possible duplicates.
        dialog = DuplicatesDialog(self.db, self, DuplicatePair(min(ids), max(ids)))
        dialog.merge_requested.connect(self.merge_pair)
        dialog.different_requested.connect(self.keep_apart)
        self.ask(dialog)

    def merge_pair(self, keep: int, other: int, keep_name: str, other_name: str) -> None:
        self.undo_stack.push(
            MergeContacts(self.db, keep, other, (keep_name, other_name), self._changed)
        )
        self.statusBar().showMessage(f"Merged {other_name} into {keep_name}.", 8000)

    def keep_apart(self, a: int, b: int, a_name: str, b_name: str) -> None:
        self.undo_stack.push(MarkDifferent(self.db, a, b, (a_name, b_name), self._changed))
        self.statusBar().showMessage(f"{a_name} and {b_name} are kept as different people.", 8000)

    def keep_all_apart(self, ids: list[int], name: str) -> None:
        """A group of namesakes (or some of them) are all different people."""
        self.undo_stack.push(
            DbStep(
                self.db,
                f"Keep {len(ids)} people named {name} apart",
                lambda s: mark_all_different(s, ids),
                unmark_pairs,
                self._changed,
            )
        )
        self.statusBar().showMessage(
            f"The {len(ids)} people named {name} are kept as different people.", 8000
        )

    def merge_many(self, keep: int, others: list[int], name: str) -> None:
        """Some namesakes are one person: the others merged into *keep*, undoable at once."""
        self.undo_stack.push(
            DbStep(
                self.db,
                f"Merge {len(others) + 1} people named {name} into one",
                lambda s: merge_into_one(s, keep, others),
                unmerge_many,
                self._changed,
                [keep],
                background=len(others) >= BULK_IN_BACKGROUND,
            )
        )
        self.statusBar().showMessage(f"Merged {len(others) + 1} people named {name}.", 8000)

    # -- duplicates, undo import, backups --------------------------------------
    def on_review_duplicates(self) -> None:
        if not self.contacts.confirm_leave():
            return
        dialog = DuplicatesDialog(self.db, self)
        dialog.merge_requested.connect(self.merge_pair)
        dialog.different_requested.connect(self.keep_apart)
        dialog.merge_many_requested.connect(self.merge_many)
        dialog.all_different_requested.connect(self.keep_all_apart)
        # The dialog reads a group again when its decision is done (a big merge is done on a
        # pool thread; a failed one moves nothing).
        dialog._told = True
        self.undo_stack.indexChanged.connect(dialog.decided)
        self._holding = True
        try:
            self.ask(dialog)
        finally:
            self._holding = False
            self.undo_stack.indexChanged.disconnect(dialog.decided)
        self._changed([])

    def on_undo_import(self) -> None:
        if self.tasks.running or not self.contacts.confirm_leave():
            return
        with self.db.session() as s:
            last = last_import(s)
        if last is None:
            self.ask(
                message_box(
                    self,
                    "Undo import",
                    "There is no import to undo.",
                    icon=QMessageBox.Icon.Information,
                )
            )
            return
        files = ", ".join(last.files) or "an address book"
        text = (
            f"Undo the import of {files} made on {last.started_at:%d %B %Y at %H:%M}?\n\n"
            f"The {plural(last.created, 'contact')} it added will be removed, and the "
            f"{plural(last.merged, 'contact')} it updated will go back to how they were."
        )
        if last.edited_since:
            edited = plural(last.edited_since, "of these contacts was", "of these contacts were")
            text += f"\n\n{edited} edited after the import: those edits will be undone too."
        text += "\n\nA backup of your contacts as they are now is made first."
        box = message_box(self, "Undo import", text, Button.Yes | Button.Cancel, Button.Cancel)
        if self.ask(box) != Button.Yes:
            return
        db, import_id = self.db, last.id

        def run(_progress: Any, _cancelled: Any) -> UndoneImport:
            db.backup("before-undo-import")
            with db.session() as s:
                return undo_import(s, import_id)

        def done(result: UndoneImport) -> None:
            self.undo_stack.clear()  # older steps may refer to contacts that are gone
            self.contacts.reload()
            self.statusBar().showMessage(
                f"Import undone: {plural(result.removed, 'contact')} removed, "
                f"{result.reverted} put back as they were.",
                10000,
            )

        self.tasks.start("Undoing the import", run, done, on_failed=self._task_failed)

    def on_backup_now(self) -> None:
        db = self.db
        self.tasks.start(
            "Backing up",
            lambda _p, _c: db.backup("manual"),
            lambda path: self.statusBar().showMessage(f"Backed up to {path}.", 10000),
            on_failed=self._task_failed,
        )

    def on_restore(self) -> None:
        if self.tasks.running or not self.contacts.confirm_leave():
            return
        dialog = RestoreDialog(
            self.db.backups,
            "Choose the copy to go back to. Your contacts as they are now are kept as a "
            "backup too, so a restore can itself be undone by restoring that copy.",
            self,
        )
        if self.ask(dialog) != dialog.DialogCode.Accepted or dialog.chosen() is None:
            return
        backup = dialog.chosen()
        assert backup is not None
        try:
            count = check_backup(backup.path)
        except DatabaseRefused as exc:
            self.ask(message_box(self, "Restore", str(exc), icon=QMessageBox.Icon.Warning))
            return
        box = message_box(
            self,
            "Restore from backup",
            f"Replace your contacts with the copy made {backup.made_at:%d %B %Y at %H:%M} "
            f"({plural(count, 'contact')})?",
            Button.Yes | Button.Cancel,
            Button.Cancel,
        )
        if self.ask(box) != Button.Yes:
            return
        kept = self.db.restore(backup.path)
        self.undo_stack.clear()
        self.contacts.reload()
        where = f" The contacts you had are kept in {kept}." if kept else ""
        self.statusBar().showMessage(
            f"Restored the copy of {backup.made_at:%d %B %Y}.{where}", 15000
        )

    def on_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Organise your network for a career change: contacts, informational "
            "interviews and personal outreach.</p>"
            f"<p>Your data stays on this computer, in<br><code>{escape(str(self.paths.data_dir))}"
            "</code></p>"
            "<p>No telemetry. Nothing leaves this machine unless you send it.</p>",
        )
