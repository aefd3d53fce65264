"""The window's File work: import (read and previewed by a helper process, then confirmed),
export, Undo import, backing up and restoring; each runs off the window's thread as a task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.services.contacts import count_contacts, list_contact_ids
from app.services.exporting import ExportReport, WouldReplace, export_contacts
from app.services.import_job import ImportJob, NeedsMapping
from app.services.importing import ImportReport, Preview, UndoneImport, last_import, undo_import
from app.services.settings import remember_mapping, remembered_mapping
from app.storage.db import DatabaseRefused, check_backup
from app.ui.common.host import Host
from app.ui.common.text import Button, message_box, plural
from app.ui.common.widgets import make_action
from app.ui.contacts.tab import ContactsTab, ReadList, read_list
from app.ui.window.backup_dialog import RestoreDialog
from app.ui.window.export_dialog import ExportDialog
from app.ui.window.import_dialogs import (
    ColumnMappingDialog,
    preview_dialog,
    report_dialog,
)

IMPORTABLE = (".vcf", ".vcard", ".csv")


class FileActions:
    def __init__(self, host: Host, tab: ContactsTab, review_duplicates: Callable[[], None]) -> None:
        self.w = host
        self.parent_widget = parent = host.dialog_parent()
        self.tab = tab
        self.review_duplicates = review_duplicates
        tab.import_requested.connect(self.on_import)
        self.import_action = make_action(
            parent, "&Import Address Book…", self.on_import, "Ctrl+I", "import"
        )
        self.export_action = make_action(
            parent, "&Export Contacts…", self.on_export, "Ctrl+E", "export"
        )
        self.backup_action = make_action(parent, "&Back Up Now", self.on_backup_now, name="backup")
        self.restore_action = make_action(
            parent, "&Restore from Backup…", self.on_restore, name="restore"
        )
        self.undo_import_action = make_action(
            parent, "Undo Last &Import…", self.on_undo_import, name="undo_import"
        )

    # -- import ---------------------------------------------------------------
    def on_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.parent_widget,
            "Import address book",
            str(Path.home()),
            "Address books (*.vcf *.vcard *.csv);;vCard files (*.vcf *.vcard);;"
            "CSV: Outlook, Google Contacts, LinkedIn, a spreadsheet (*.csv);;All files (*)",
        )
        if paths:
            self.start_import(paths)

    def offer_import(self, files: list[str]) -> None:
        """Files from the command line, a drop or a double-click: preview, then ask."""
        QTimer.singleShot(0, lambda: self.start_import(files))

    def start_import(self, paths: list[str]) -> None:
        if not self.tab.confirm_leave():
            return
        db = self.w.db

        def read_and_preview(
            progress: Any, cancelled: Any
        ) -> tuple[ImportJob, Preview | NeedsMapping]:
            # A helper process reads and imports: 50,000 cards matched and written in this
            # process held its interpreter lock long enough to stall the window (issue 11).
            job = ImportJob(db.path, db.backups, paths)
            return job, job.preview(progress, cancelled)

        self.w.tasks.start(
            "Reading address book",
            read_and_preview,
            lambda result: self._confirm_import(paths, *result),
            on_cancelled=lambda: self.w.say("Nothing was imported.", 5000),
            on_failed=self.w.task_failed,
        )

    def _confirm_import(
        self, paths: list[str], job: ImportJob, preview: Preview | NeedsMapping
    ) -> None:
        if not isinstance(preview, Preview):
            self._place_columns(paths, job, preview)
            return
        dialog = preview_dialog(preview, paths, self.parent_widget)
        if self.w.ask(dialog) != dialog.DialogCode.Accepted or not dialog.can_import:
            job.abandon()
            self.w.say("Nothing was imported.", 5000)
            return
        db = self.w.db
        listing = self.tab.model.listing()

        def run(progress: Any, cancelled: Any) -> tuple[ImportReport, ReadList]:
            report = job.run(progress, cancelled)
            with db.session() as s:  # the list as it now is, read here rather than there
                keep = report.contact_ids[0] if report.contact_ids else None
                return report, read_list(s, listing, keep)

        self.w.tasks.start(
            "Importing contacts",
            run,
            self._import_done,
            on_cancelled=self._import_cancelled,
            on_failed=self.w.task_failed,
            unit="cards",
        )

    def _place_columns(self, paths: list[str], job: ImportJob, needs: NeedsMapping) -> None:
        """Ask where the columns of each CSV go (as last chosen for the same header), then
        have the helper read those files again."""
        mappings: dict[str, dict[str, str]] = {}
        for path, layout in needs:
            with self.w.db.session() as s:
                remembered = remembered_mapping(s, layout)
            dialog = ColumnMappingDialog(Path(path).name, layout, remembered, self.parent_widget)
            if self.w.ask(dialog) != dialog.DialogCode.Accepted:
                job.abandon()
                self.w.say("Nothing was imported.", 5000)
                return
            mappings[path] = dialog.mapping()
            with self.w.db.session() as s:
                remember_mapping(s, layout, mappings[path])
        self.w.tasks.start(
            "Reading address book",
            lambda progress, cancelled: (job, job.remap(mappings, progress, cancelled)),
            lambda result: self._confirm_import(paths, *result),
            on_cancelled=lambda: self.w.say("Nothing was imported.", 5000),
            on_failed=self.w.task_failed,
        )

    def _import_done(self, result: tuple[ImportReport, ReadList]) -> None:
        report, read = result
        # Older undo steps were recorded before the merge; undoing them now could undo it.
        self.w.undo_stack.clear()
        keep = report.contact_ids[0] if report.contact_ids else None
        self.tab.reload(keep, read)
        self.w.say(
            f"Imported {plural(report.imported, 'new contact')}, merged {report.merged}.", 8000
        )
        dialog = report_dialog(report, self.parent_widget)
        self.w.ask(dialog)
        if dialog.choice == "duplicates":
            self.review_duplicates()
        elif dialog.choice == "undo":
            self.on_undo_import()

    def _import_cancelled(self) -> None:
        self.tab.reload()
        self.w.say("Import cancelled: nothing was changed.", 8000)

    @staticmethod
    def dropped_files(event: QDragEnterEvent | QDropEvent) -> list[str]:
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
        with self.w.db.session() as s:
            total = count_contacts(s)
        if total == 0:
            self.w.ask(
                message_box(
                    self.parent_widget,
                    "Export",
                    "There are no contacts to export yet.",
                    icon=QMessageBox.Icon.Information,
                )
            )
            return
        query = self.tab.model.query.strip()
        dialog = ExportDialog(
            total,
            len(self.tab.selected_ids()),
            self.tab.model.rowCount(),
            bool(query),
            self.parent_widget,
        )
        if self.w.ask(dialog) != dialog.DialogCode.Accepted:
            return
        version = str(dialog.version.currentData())
        folder = dialog.layout_choice.currentData() == "folder"
        if folder:
            target = QFileDialog.getExistingDirectory(
                self.parent_widget, "Export into folder", str(Path.home())
            )
        elif version == "csv":
            target, _ = QFileDialog.getSaveFileName(
                self.parent_widget,
                "Export contacts",
                str(Path.home() / "contacts.csv"),
                "CSV files (*.csv)",
            )
        else:
            target, _ = QFileDialog.getSaveFileName(
                self.parent_widget,
                "Export contacts",
                str(Path.home() / "contacts.vcf"),
                "vCard files (*.vcf)",
            )
        if target:
            self.start_export(dialog.scope(), Path(target), version, folder)

    def start_export(
        self, scope: str, target: Path, version: str, folder: bool, overwrite: bool = False
    ) -> None:
        """*version*: "3.0" or "4.0" (vCard), or "csv"."""
        if scope == "selected":
            ids = self.tab.selected_ids()
        else:
            query = self.tab.model.query if scope == "search" else ""
            with self.w.db.session() as s:
                ids = list_contact_ids(s, query)
        db = self.w.db

        def run(progress: Any, cancelled: Any) -> ExportReport | WouldReplace:
            with db.session() as s:
                try:
                    return export_contacts(
                        s,
                        ids,
                        target,
                        version,
                        folder=folder,
                        csv=version == "csv",
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
                    self.w.say("Export cancelled: no file was written.", 8000)
                return
            self.w.say(f"Exported {plural(report.count, 'contact')} to {target}.", 10000)

        self.w.tasks.start(
            "Exporting contacts",
            run,
            done,
            on_cancelled=lambda: self.w.say("Export cancelled: no file was written.", 8000),
            on_failed=self.w.task_failed,
        )

    def _replace_files(self, paths: list[Path], folder: Path) -> bool:
        n = len(paths)
        names = "\n".join(p.name for p in paths[:5]) + ("\n…" if n > 5 else "")
        box = message_box(
            self.parent_widget,
            "Export",
            f"{plural(n, 'file')} in {folder} already {'has' if n == 1 else 'have'} the name "
            f"the export would give {'it' if n == 1 else 'them'}:\n\n{names}\n\n"
            "Replace them? Nothing has been written yet.",
            Button.Yes | Button.Cancel,
            Button.Cancel,
        )
        return self.w.ask(box) == Button.Yes

    def on_undo_import(self) -> None:
        if self.w.tasks.running or not self.tab.confirm_leave():
            return
        with self.w.db.session() as s:
            last = last_import(s)
        if last is None:
            self.w.ask(
                message_box(
                    self.parent_widget,
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
        box = message_box(
            self.parent_widget, "Undo import", text, Button.Yes | Button.Cancel, Button.Cancel
        )
        if self.w.ask(box) != Button.Yes:
            return
        db, import_id = self.w.db, last.id

        def run(_progress: Any, _cancelled: Any) -> UndoneImport:
            db.backup("before-undo-import")
            with db.session() as s:
                return undo_import(s, import_id)

        def done(result: UndoneImport) -> None:
            self.w.undo_stack.clear()  # older steps may refer to contacts that are gone
            self.tab.reload()
            self.w.say(
                f"Import undone: {plural(result.removed, 'contact')} removed, "
                f"{result.reverted} put back as they were.",
                10000,
            )

        self.w.tasks.start("Undoing the import", run, done, on_failed=self.w.task_failed)

    def on_backup_now(self) -> None:
        db = self.w.db
        self.w.tasks.start(
            "Backing up",
            lambda _p, _c: db.backup("manual"),
            lambda path: self.w.say(f"Backed up to {path}.", 10000),
            on_failed=self.w.task_failed,
        )

    def on_restore(self) -> None:
        if self.w.tasks.running or not self.tab.confirm_leave():
            return
        dialog = RestoreDialog(
            self.w.db.backups,
            "Choose the copy to go back to. Your contacts as they are now are kept as a "
            "backup too, so a restore can itself be undone by restoring that copy.",
            self.parent_widget,
        )
        if self.w.ask(dialog) != dialog.DialogCode.Accepted or dialog.chosen() is None:
            return
        backup = dialog.chosen()
        assert backup is not None
        try:
            count = check_backup(backup.path)
        except DatabaseRefused as exc:
            self.w.ask(
                message_box(self.parent_widget, "Restore", str(exc), icon=QMessageBox.Icon.Warning)
            )
            return
        box = message_box(
            self.parent_widget,
            "Restore from backup",
            f"Replace your contacts with the copy made {backup.made_at:%d %B %Y at %H:%M} "
            f"({plural(count, 'contact')})?",
            Button.Yes | Button.Cancel,
            Button.Cancel,
        )
        if self.w.ask(box) != Button.Yes:
            return
        kept = self.w.db.restore(backup.path)
        self.w.undo_stack.clear()
        self.tab.reload()
        where = f" The contacts you had are kept in {kept}." if kept else ""
        self.w.say(f"Restored the copy of {backup.made_at:%d %B %Y}.{where}", 15000)
