"""Starting the window: Qt application, single instance, database, and honest failures."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from importlib import resources
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app import APP_ID, APP_NAME, __version__
from app.crash import format_report, write_report
from app.paths import AppPaths, FolderRefused
from app.storage.backups import daily_backup, list_backups, private_file
from app.storage.db import (
    Database,
    DatabaseDamaged,
    DatabaseRefused,
    EarlyDigest,
    explain_failure,
    open_database,
    restore_file,
)
from app.ui.common.text import Button, message_box
from app.ui.window.backup_dialog import RestoreDialog

log = logging.getLogger("second_act")


def app_icon() -> QIcon:
    icon = QIcon()
    icons = resources.files("app.resources") / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        icon.addFile(str(icons / f"second-act-{size}.png"))
    return icon


# How long a worker thread may keep the GIL while the window's thread waits for it (Python's
# default is 5 ms). Every call from Qt into Python (a timer, a paint, a signal) waits that
# long when an import or a sync runs Python on a worker: the window's longest stall importing
# 50,000 cards was 45 to 81 ms (median 51) at 5 ms and 39 to 58 ms (median 45) at 1 ms, six
# runs each, alternated (bench/window_bench.py). The workers lose nothing measurable.
GIL_SWITCH = 0.001


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Second Act")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    sys.setswitchinterval(GIL_SWITCH)
    return app


class PrivateLogHandler(RotatingFileHandler):
    """The log names files and folders of the user: readable by the user only (each file
    a rotation starts too)."""

    def _open(self) -> TextIOWrapper:
        private_file(Path(self.baseFilename))
        return super()._open()


def setup_logging(paths: AppPaths) -> None:
    handler = PrivateLogHandler(
        paths.logs / "second-act.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class CrashHandler:
    """Unhandled errors in the window: written to a log and shown, never a silent exit."""

    def __init__(
        self, paths: AppPaths, parent: QWidget | None = None, db: Database | None = None
    ) -> None:
        self.paths = paths
        self.parent = parent
        self.db = db
        self.show: Callable[[QMessageBox], int] = lambda box: box.exec()  # tests replace this

    def __call__(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        report = format_report(kind, error, tb)
        path = write_report(self.paths.logs, report)
        log.error("unhandled error, report in %s", path)
        known = (
            self.db.note_failure(error)
            if self.db is not None
            else explain_failure(error, self.paths.database)
        )
        if known is not None:  # the file is damaged, or the disk is full: said plainly
            title, text = f"{APP_NAME}: your contacts could not be saved", str(known)
        else:
            title = f"{APP_NAME}: something went wrong"
            text = (
                "Second Act hit an error it did not expect. Your contacts are safe: "
                "every change is saved as you make it."
            )
        box = message_box(
            self.parent,
            title,
            f"{text}\n\nA report was written to {path}. Use “Show Details…” to copy it.",
            icon=QMessageBox.Icon.Critical,
            details=report,
        )
        self.show(box)


def run_gui(paths: AppPaths, files: list[str]) -> int:
    app = make_app()
    from app.ui.window.single_instance import InstanceServer, send_to_running

    if send_to_running(paths, files):
        print(f"{APP_NAME} is already running; it was brought forward.", file=sys.stderr)
        return 0
    # The database's file is read for its start-up check while the window's modules load.
    early = EarlyDigest(paths.database)
    from app.ui.window.main_window import MainWindow

    try:
        db, purged = _start(paths, early)
    except DatabaseDamaged as exc:
        log.error("damaged database: %s", exc)
        restored = offer_restore(paths, str(exc))
        if restored is None:
            print(f"second-act: {exc}", file=sys.stderr)
            return 1
        db, purged = restored, 0
    except (DatabaseRefused, FolderRefused, OSError) as exc:
        box = message_box(
            None, f"{APP_NAME} cannot open your data", str(exc), icon=QMessageBox.Icon.Critical
        )
        box.exec()
        print(f"second-act: {exc}", file=sys.stderr)
        return 1
    log.info("removed %d contacts deleted in an earlier session", purged)
    window = MainWindow(db, paths)
    sys.excepthook = CrashHandler(paths, window, db)
    # Today's copy is made beside the window, not before it: a large file takes a moment.
    daily = threading.Thread(target=_daily_backup, args=(db,), name="daily-backup", daemon=False)
    daily.start()

    def bring_forward(new_files: list[str]) -> None:
        window.show()
        window.raise_()
        window.activateWindow()
        if new_files:
            window.offer_import(new_files)

    server = InstanceServer(paths, bring_forward, window)
    log.info("started, data in %s, instance server listening: %s", paths.data_dir, server.listening)
    window.show()
    if files:
        window.offer_import(files)
    try:
        return app.exec()
    finally:
        daily.join()
        db.close()


def _start(paths: AppPaths, early: EarlyDigest | None = None) -> tuple[Database, int]:
    """The database opened, checked and migrated, and the contacts deleted in an earlier
    session removed (how many). A damaged file or a full disk found by that first write is
    raised as DatabaseRefused, like what the start-up check finds. *early*: the file's
    digest begun beside the imports (see open_database)."""
    from app.services.contacts import purge_deleted

    paths.ensure()
    setup_logging(paths)
    db: Database | None = None
    try:
        db = open_database(paths.database, paths.backups, early)
        with db.session() as s:
            return db, purge_deleted(s)
    except Exception as exc:
        known = explain_failure(exc, paths.database) if db is None else db.note_failure(exc)
        if db is not None:
            db.close()
        if known is None:
            raise
        raise known from exc


def _daily_backup(db: Database) -> None:
    try:
        with db.session() as s:
            from app.services.contacts import count_contacts

            if count_contacts(s) == 0:
                return
        made = daily_backup(db.path, db.backups)
        if made is not None:
            log.info("daily backup %s", made)
    except Exception:  # a failed copy must not take the window down; it is logged
        log.exception("daily backup failed")


def offer_restore(
    paths: AppPaths, message: str, ask: Callable[[QDialog], int] | None = None
) -> Database | None:
    """The database is damaged: offer the backups. Returns the restored database, or None."""
    ask = ask or (lambda dialog: dialog.exec())
    has_backups = bool(list_backups(paths.backups))
    box = message_box(
        None,
        f"{APP_NAME}: your contacts file is damaged",
        message
        + (
            "\n\nYou can go back to a backup now. The damaged file is kept, not deleted."
            if has_backups
            else f"\n\nThere is no backup in {paths.backups} to go back to."
        ),
        Button.Cancel,
        icon=QMessageBox.Icon.Critical,
    )
    restore = box.addButton("Restore from Backup…", QMessageBox.ButtonRole.AcceptRole)
    restore.setObjectName("restore")
    restore.setEnabled(has_backups)
    box.button(Button.Cancel).setText("Quit")
    ask(box)
    if box.clickedButton() is not restore:
        return None
    dialog = RestoreDialog(
        paths.backups, "Choose the copy to go back to (the newest is selected).", None
    )
    while ask(dialog) == QDialog.DialogCode.Accepted and dialog.chosen() is not None:
        chosen = dialog.chosen()
        assert chosen is not None
        try:
            restore_file(paths.database, paths.backups, chosen.path)
            return open_database(paths.database, paths.backups)
        except DatabaseRefused as exc:
            ask(message_box(None, "Restore", str(exc), icon=QMessageBox.Icon.Warning))
    return None
