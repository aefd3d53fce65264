"""The Second Act main window: it assembles the tabs, their actions and menus, the status bar
and the remembered layout, and is the `Host` (app/ui/common/host.py) every tab's actions get.

Today and Contacts are built with the window; the other tabs, and their actions, are built
the first time they are shown or reached (`network`, `interviews`, ...), their modules
imported then: start-up builds and imports what the first screen shows, and no more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QTabWidget, QWidget

from app import APP_NAME, __version__
from app.gc_pause import keep_start_up_out_of_collections
from app.paths import AppPaths
from app.services.contacts import Choice, ContactNotFound, Narrow, get_contact
from app.services.import_job import GONE
from app.services.settings import set_tier_days, tier_days
from app.storage.db import Database
from app.ui.common.commands import BackgroundWork, UndoStack
from app.ui.common.host import Tab
from app.ui.common.profile import ProfileActions
from app.ui.common.tasks import TaskRunner
from app.ui.common.text import escape, message_box, plain_label
from app.ui.common.widgets import commit_open_editors, install_wheel_guard
from app.ui.contacts.actions import ContactActions
from app.ui.contacts.tab import ContactsTab
from app.ui.mail_history import MailHistoryController
from app.ui.sync.controller import SyncController
from app.ui.today.actions import Routes, TodayActions
from app.ui.today.tab import TodayTab
from app.ui.window.files import FileActions
from app.ui.window.menus import Later, Parts, build_menus
from app.ui.window.preferences import PreferencesDialog

if TYPE_CHECKING:  # imported when their tab is built (see _build)
    from app.ui.employers.actions import EmployerActions
    from app.ui.employers.tab import EmployersTab
    from app.ui.groups.actions import GroupActions
    from app.ui.groups.tab import GroupsTab
    from app.ui.interviews.actions import InterviewActions
    from app.ui.interviews.tab import InterviewsTab
    from app.ui.network.actions import NetworkActions
    from app.ui.network.tab import NetworkTab
    from app.ui.outreach.actions import OutreachActions
    from app.ui.outreach.tab import OutreachTab

# Room kept for a window frame when fitting the window to the screen (see _fit_to_screen).
FRAME = QSize(16, 40)
# The tabs' titles, in Tab's order (the View menu's names drop the mnemonics).
TITLES = (
    "&Today",
    "&Contacts",
    "Network &map",
    "Target emplo&yers",
    "&Groups && events",
    "&Interview prep",
    "O&utreach",
)


T = TypeVar("T")


class _Built(Generic[T]):
    """A tab's page (*part* 0) or its actions (1), as an attribute of the window: built the
    first time it is read (see MainWindow._build)."""

    def __init__(self, tab: Tab, part: int) -> None:
        self.tab, self.part = tab, part

    def __get__(self, window: MainWindow, _owner: object = None) -> T:
        built: T = window._build(self.tab)[self.part]
        return built


class MainWindow(QMainWindow):
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
        # catches up when the review closes (see holding_changes).
        self._holding = False
        self.undo_stack.run_in_background = self._in_background
        # Queued: said after the action's own status message ("Logged…"), which it replaces.
        self.undo_stack.failed.connect(self._step_failed, Qt.ConnectionType.QueuedConnection)
        self.undo_stack.moved.connect(lambda text: self.say(text, 5000))
        self.tasks = TaskRunner(self)
        self.setAcceptDrops(True)
        # Tests replace this to answer dialogs; the app shows them modally.
        self.ask: Callable[[QDialog], int] = lambda dialog: dialog.exec()

        self.today = TodayTab(db)
        self.contacts = ContactsTab(db)
        # Each tab's page and actions, once built (see _build); the others hold an empty
        # page until then. Today's and Contacts' actions are the attributes below.
        self._built: dict[Tab, tuple[Any, Any]] = {
            Tab.TODAY: (self.today, None),
            Tab.CONTACTS: (self.contacts, None),
        }
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        for tab, title in zip(Tab, TITLES, strict=True):
            self.tabs.addTab(self._built[tab][0] if tab in self._built else QWidget(), title)
        self.setCentralWidget(self.tabs)
        self.count_label = plain_label()
        self.statusBar().addPermanentWidget(self.count_label)

        self.profile_actions = ProfileActions(self)
        self.contact_actions = ca = ContactActions(self, self.contacts)
        self.files = FileActions(self, self.contacts, ca.on_review_duplicates)
        self.today_actions = TodayActions(
            self,
            self.today,
            Routes(
                interview_held=lambda i: self.interview_actions.held(i),
                thank_you_sent=lambda i: self.interview_actions.mark_sent(i),
                thanked=ca.thanked,
                log=ca.on_log,
                follow_up_done=ca.on_follow_up_done,
                delete_follow_up=ca.on_delete_follow_up,
                add_follow_up=lambda: ca.on_add_follow_up(with_contact=False),
                snooze_thank_you=lambda i, d, who: self.interview_actions.snooze_thank_you(
                    i, d, who
                ),
                snooze_thanks=ca.snooze_thanks,
                open_interview=self._open_interview,
            ),
        )
        self.sync = SyncController(self)
        self.mail_history = MailHistoryController(self)  # File ▸ Mail History…
        self.statusBar().addPermanentWidget(self.sync.label)
        # What one tab asks of another, wired here.
        self.contacts.status.connect(self.count_label.setText)
        self.contacts.sync_requested.connect(self.sync.set_up)
        self.contacts.activity.interview_requested.connect(
            lambda: self.interview_actions.new_interview(self.contacts.current_id())
        )
        self.contacts.activity.open_interview.connect(
            lambda i: self.interview_actions.open_interview(i)
        )
        self.contacts.activity.group_unlinked.connect(lambda g: ca.unlink_group(g))
        self.contacts.activity.open_group.connect(self.open_group)
        self.today.count_changed.connect(self._set_today_count)
        self.tabs.currentChanged.connect(self._tab_changed)
        later = Later(
            plan_interview=lambda: self.interview_actions.new_interview(self.current_contact()),
            export_interviews=lambda: self.interview_actions.export_all(),
            add_to_campaign=lambda: self.outreach_actions.add_contacts(self.selected_contacts()),
            suggest_industries=lambda: self.network_actions.suggest_industries(),
        )
        own = build_menus(
            self,
            self.tabs,
            self.undo_stack,
            Parts(
                ca,
                self.files,
                later,
                self.sync,
                self.mail_history,
                self.profile_actions,
            ),
            self.on_preferences,
            self.on_about,
        )
        self.undo_action, self.redo_action = own.undo, own.redo
        self.quit_action, self.preferences_action = own.quit, own.preferences
        self.about_action = own.about
        self.plan_interview_action = own.plan_interview
        self.export_interviews_action = own.export_interviews
        self.campaign_action = own.add_to_campaign
        self.suggest_industries_action = own.suggest_industries
        self.contacts.view_changed.connect(self._update_actions)
        self._restore_state()
        self.contacts.on_model_reset()
        # Today is where the day starts; a first run starts at the welcome page instead.
        self.tabs.setCurrentWidget(self.today if self.contacts.total() else self.contacts)
        self._update_actions()
        # Measured importing 50,000 cards: a full collection of everything start-up built
        # took 51 to 60 ms of the window's time when the import handed over.
        QTimer.singleShot(0, keep_start_up_out_of_collections)

    # -- the tabs built when first shown -------------------------------------------------
    network: _Built[NetworkTab] = _Built(Tab.NETWORK, 0)
    network_actions: _Built[NetworkActions] = _Built(Tab.NETWORK, 1)
    employers: _Built[EmployersTab] = _Built(Tab.EMPLOYERS, 0)
    employer_actions: _Built[EmployerActions] = _Built(Tab.EMPLOYERS, 1)
    groups: _Built[GroupsTab] = _Built(Tab.GROUPS, 0)
    group_actions: _Built[GroupActions] = _Built(Tab.GROUPS, 1)
    interviews: _Built[InterviewsTab] = _Built(Tab.INTERVIEWS, 0)
    interview_actions: _Built[InterviewActions] = _Built(Tab.INTERVIEWS, 1)
    outreach: _Built[OutreachTab] = _Built(Tab.OUTREACH, 0)
    outreach_actions: _Built[OutreachActions] = _Built(Tab.OUTREACH, 1)

    def _build(self, tab: Tab) -> tuple[Any, Any]:
        """The page and actions of *tab*, built (and put in its place) the first time they
        are asked for: when the tab is first shown, or reached from a menu or another tab."""
        built = self._built.get(tab)
        if built is not None:
            return built
        ca = self.contact_actions
        page: Any
        actions: Any
        if tab is Tab.NETWORK:
            from app.ui.network.actions import NetworkActions
            from app.ui.network.tab import NetworkTab

            page = NetworkTab(self.db)
            actions = NetworkActions(self, page)
        elif tab is Tab.EMPLOYERS:
            from app.ui.employers.actions import EmployerActions
            from app.ui.employers.tab import EmployersTab

            page = EmployersTab(self.db)
            actions = EmployerActions(self, page)
        elif tab is Tab.GROUPS:
            from app.ui.groups.actions import GroupActions
            from app.ui.groups.tab import GroupsTab

            page = GroupsTab(self.db)
            actions = GroupActions(self, page)
            page.remove_person_requested.connect(lambda g, c: ca.unlink_group(g, [c]))
        elif tab is Tab.INTERVIEWS:
            from app.ui.interviews.actions import InterviewActions
            from app.ui.interviews.tab import InterviewsTab

            page = InterviewsTab(self.db)
            # A thank-you sent from the user's account goes through Outreach's (built then).
            actions = InterviewActions(self, page, lambda *a: self.outreach_actions.send_one(*a))
            page.page.promise_done.connect(ca.on_follow_up_done)
        elif tab is Tab.OUTREACH:
            from app.ui.outreach.actions import OutreachActions
            from app.ui.outreach.tab import OutreachTab

            page = OutreachTab(self.db)
            actions = OutreachActions(self, page)
        else:
            raise AssertionError(f"{tab} is built with the window")
        self._built[tab] = page, actions
        # The page takes the empty one's place, under the same title; the tab shown stays.
        index, shown = tab.value, self.tabs.currentIndex()
        empty = self.tabs.widget(index)
        blocked = self.tabs.blockSignals(True)
        try:
            title = self.tabs.tabText(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, page, title)
            self.tabs.setCurrentIndex(shown)
        finally:
            self.tabs.blockSignals(blocked)
        if empty is not None:
            empty.deleteLater()
        return page, actions

    def _if_built(self, tab: Tab) -> tuple[Any, Any]:
        """The page and actions of *tab* if it was built, else (None, None): what has not
        been built has nothing to save, stop or read again."""
        return self._built.get(tab, (None, None))

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
        # Every tab that holds typing asks about it (Interview prep and Outreach save it);
        # a tab never built holds nothing.
        groups = self._if_built(Tab.GROUPS)[0]
        if not self.contacts.confirm_leave() or (groups and not groups.confirm_leave()):
            event.ignore()
            return
        outreach, outreach_actions = self._if_built(Tab.OUTREACH)
        if outreach_actions and not outreach_actions.confirm_close():
            event.ignore()
            return
        interviews, network = self._if_built(Tab.INTERVIEWS)[0], self._if_built(Tab.NETWORK)[0]
        if interviews:
            interviews.leave()
        if outreach:
            outreach.leave()
        for task in list(self.tasks.running):
            task.cancel()  # an import in progress rolls back; nothing half-written remains
        self.tasks.wait()
        self.today.wait()  # a read of Today's list in progress
        if network:
            network.wait()  # a map count in progress reads the database
        if outreach_actions:
            outreach_actions.wait()  # sending stops after the message in flight
        self.sync.stop()  # a sync stops between two cards; the next one carries on
        self.save_state()
        event.accept()

    # -- the Host -------------------------------------------------------------
    def dialog_parent(self) -> QWidget:
        return self

    def say(self, text: str, timeout: int = 5000) -> None:
        self.statusBar().showMessage(text, timeout)

    def changed(self, ids: list[int]) -> None:
        if self._holding:
            return
        keep = ids[0] if len(ids) == 1 else None
        self.contacts.reload(keep)
        self.contacts.activity.show_contact(self.contacts.current_id())
        self.today.refresh()
        self.refresh_shown()

    @contextmanager
    def holding_changes(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        self.changed([])

    def refresh_shown(self, _ids: object = None) -> None:
        """The network tabs are read when shown (and after a change while shown)."""
        shown = self.current_tab()
        interviews, outreach = self._if_built(Tab.INTERVIEWS)[0], self._if_built(Tab.OUTREACH)[0]
        if interviews and shown is not Tab.INTERVIEWS:
            interviews.leave()  # what was typed there is saved before anything else
        if outreach and shown is not Tab.OUTREACH:
            outreach.leave()
        if shown is Tab.INTERVIEWS:
            self.interviews.refresh()
        if shown is Tab.OUTREACH and not self.outreach.message.pending():
            self.outreach_actions.refresh(reload_message=False)
        if shown is Tab.NETWORK:
            self.network.refresh()
        elif shown is Tab.EMPLOYERS:
            self.employers.refresh()
        elif shown is Tab.GROUPS:
            self.groups.refresh()

    def refresh_today(self) -> None:
        self.today.refresh()

    def reload_contacts(self, background: bool = False) -> None:
        self.contacts.reload(background=background)

    def task_failed(self, details: str) -> None:
        known = self.db.note_failure(details)  # a damaged file or a full disk, said plainly
        text = str(known) if known else "Something went wrong, and nothing was changed."
        if "BrokenProcessPool" in details or GONE in details:  # a helper process was stopped
            text = (
                "The import stopped: a helper process it started ended unexpectedly (the "
                "computer may have run low on memory). Nothing was changed. Try again, "
                "perhaps with fewer programs open."
            )
        box = message_box(self, APP_NAME, text, icon=QMessageBox.Icon.Critical, details=details)
        self.ask(box)

    def open_tab(self, tab: Tab) -> None:
        self.tabs.setCurrentIndex(tab.value)  # built, if it is the first time, as it is shown

    def current_tab(self) -> Tab:
        return Tab(self.tabs.currentIndex())

    def open_contact(self, contact_id: int) -> None:
        if not self.contacts.confirm_leave():
            return
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.show_contact(contact_id)

    def show_people(self, narrow: Narrow) -> None:
        self.tabs.setCurrentWidget(self.contacts)
        self.contacts.set_narrow(narrow)

    def contact_name(self, contact_id: int) -> str:
        with self.db.session() as s:
            try:
                return get_contact(s, contact_id).display_name
            except ContactNotFound:
                return ""

    def current_contact(self) -> int | None:
        return self.contacts.current_id()

    def selected_contacts(self) -> list[int]:
        return self.contacts.selected_ids()

    def find_people(self, text: str) -> list[Choice]:
        return self.contacts._find_choices(text)

    def ask_profile_once(self) -> None:
        self.profile_actions.ask_once()

    def edit_profile(self) -> bool:
        return self.profile_actions.edit()

    # -- the window's own -----------------------------------------------------
    def _in_background(
        self,
        title: str,
        work: BackgroundWork,
        done: Callable[[list[int]], None],
        stopped: Callable[[], None],
    ) -> None:
        """Run an undoable step's work on a pool thread, with progress and Cancel (the undo
        stack's run_in_background)."""

        def cancelled() -> None:
            stopped()
            self.say("Nothing was changed.", 8000)

        def failed(report: str) -> None:
            stopped()
            self.task_failed(report)

        self.tasks.start(title, work, done, on_cancelled=cancelled, on_failed=failed)

    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            self._build(Tab(index))  # the first time it is shown
        commit_open_editors(self)  # what was being typed in a cell of the tab left is kept
        self.refresh_shown()
        self._update_actions()

    def _update_actions(self) -> None:
        """Enable the actions that apply to who is selected and shown, and no others."""
        ca = self.contact_actions
        selected = len(self.contacts.selected_ids())
        shown = self.contacts.current_id() is not None
        ca.delete_action.setEnabled(selected > 0)
        ca.merge_action.setEnabled(selected == 2)
        for a in (*ca.bulk_actions, self.campaign_action):
            a.setEnabled(selected > 0)
        for a in (ca.log_action, self.plan_interview_action, ca.met_at_action):
            a.setEnabled(shown)
        # From Today a follow-up may be about no one in particular.
        ca.follow_up_action.setEnabled(shown or self.tabs.currentWidget() is self.today)

    def open_group(self, group_id: int) -> None:
        self.tabs.setCurrentWidget(self.groups)
        self.groups.refresh(group_id)

    def _open_interview(self, interview_id: int, at_thank_you: bool) -> None:
        self.interview_actions.open_interview(interview_id)
        if at_thank_you:
            self.interviews.page.pages.setCurrentIndex(3)  # the thank-you is on the debrief

    def _set_today_count(self, n: int) -> None:
        self.tabs.setTabText(self.tabs.indexOf(self.today), f"&Today ({n})" if n else "&Today")

    def on_preferences(self) -> None:
        with self.db.session() as s:
            days = tier_days(s)
        dialog = PreferencesDialog(days, self)
        if self.ask(dialog) != QDialog.DialogCode.Accepted:
            return
        with self.db.session() as s:
            set_tier_days(s, dialog.values())
        self.changed([])

    def offer_import(self, files: list[str]) -> None:
        """Files from the command line, a drop or a double-click: preview, then ask."""
        QTimer.singleShot(0, lambda: self.files.start_import(files))

    def _step_failed(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)
        self.ask(message_box(self, APP_NAME, text, icon=QMessageBox.Icon.Warning))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if FileActions.dropped_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = FileActions.dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.files.start_import(files)

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
