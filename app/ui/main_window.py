"""The Second Act main window: menus, tabs, status bar, remembered layout."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from app import APP_NAME, __version__
from app.model.records import ContactRecord
from app.paths import AppPaths
from app.services.contacts import InvalidContact
from app.storage.db import Database
from app.ui.commands import DeleteContacts, SaveContact
from app.ui.contacts_tab import ContactsTab, EmptyState


def coming_next(title: str, text: str) -> QWidget:
    page = EmptyState(title, text)
    page.finish()
    return page


class MainWindow(QMainWindow):
    files_offered = Signal(list)

    def __init__(self, db: Database, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.paths = paths
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(720, 480)
        self.undo_stack = QUndoStack(self)

        self.contacts = ContactsTab(db)
        self.contacts.import_requested.connect(self.on_import)
        self.contacts.new_requested.connect(self.on_new_contact)
        self.contacts.save_requested.connect(self.on_save_contact)
        self.contacts.status.connect(self._set_count)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.contacts, "&Contacts")
        self.tabs.addTab(
            coming_next(
                "Interview prep",
                "Prepare informational interviews here: research homework, a question bank "
                "(TIARA), the agreed length, notes, the vocabulary you learn, referrals and "
                "thank-you notes. This part of Second Act is coming next.",
            ),
            "&Interview prep",
        )
        self.tabs.addTab(
            coming_next(
                "Outreach",
                "Write personal messages to many people, one message per person, sent from your "
                "own mail account with a preview, a test send to yourself and follow-ups. This "
                "part of Second Act is coming next.",
            ),
            "&Outreach",
        )
        self.setCentralWidget(self.tabs)
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self._build_menus()
        self._restore_state()
        self.contacts.on_model_reset()

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
        self.quit_action = self._action("&Quit", self.close, QKeySequence("Ctrl+Q"), "quit")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        for a in (self.new_action, self.import_action, self.export_action):
            file_menu.addAction(a)
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
        for a in (self.undo_action, self.redo_action):
            edit_menu.addAction(a)
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete_action)
        edit_menu.addAction(self.find_action)

        view_menu = bar.addMenu("&View")
        for i, name in enumerate(("Contacts", "Interview prep", "Outreach")):
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
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = s.value("contacts/splitter")
        if splitter is None or not self.contacts.splitter.restoreState(splitter):
            self.contacts.splitter.setSizes([700, 500])
        header = s.value("contacts/header")
        if header is not None:
            self.contacts.table.horizontalHeader().restoreState(header)
        self.tabs.setCurrentIndex(int(s.value("window/tab", 0)))

    def save_state(self) -> None:
        s = self.settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("contacts/splitter", self.contacts.splitter.saveState())
        s.setValue("contacts/header", self.contacts.table.horizontalHeader().saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.contacts.confirm_leave():
            event.ignore()
            return
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

    def _changed(self, ids: list[int]) -> None:
        keep = ids[0] if len(ids) == 1 else None
        self.contacts.reload(keep)

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
        answer = QMessageBox.question(
            self,
            "Delete contact" if len(ids) == 1 else "Delete contacts",
            f"Delete {who}? You can undo this with Edit ▸ Undo (Ctrl+Z).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.contacts.editor.load(ContactRecord())  # drop edits of a contact that is going
        self.undo_stack.push(DeleteContacts(self.db, ids, names, self._changed))
        self.statusBar().showMessage(f"Deleted {who}. Press Ctrl+Z to undo.", 8000)

    def on_import(self) -> None:
        QMessageBox.information(self, "Import", "Import arrives with the next update.")

    def on_export(self) -> None:
        QMessageBox.information(self, "Export", "Export arrives with the next update.")

    def offer_import(self, files: list[str]) -> None:
        self.files_offered.emit(files)

    def on_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>Organise your network for a career change: contacts, informational "
            "interviews and personal outreach.</p>"
            f"<p>Your data stays on this computer, in<br><code>{self.paths.data_dir}</code></p>"
            "<p>No telemetry. Nothing leaves this machine unless you send it.</p>",
        )
