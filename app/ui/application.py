"""Starting the window: Qt application, single instance, database, and honest failures."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from logging.handlers import RotatingFileHandler
from types import TracebackType

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import APP_ID, APP_NAME, __version__
from app.crash import format_report, write_report
from app.paths import AppPaths
from app.storage.db import DatabaseRefused, open_database

log = logging.getLogger("second_act")


def app_icon() -> QIcon:
    icon = QIcon()
    icons = resources.files("app.resources") / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        icon.addFile(str(icons / f"second-act-{size}.png"))
    return icon


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
    return app


def setup_logging(paths: AppPaths) -> None:
    handler = RotatingFileHandler(
        paths.logs / "second-act.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


class CrashHandler:
    """Unhandled errors in the window: written to a log and shown, never a silent exit."""

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        self.paths = paths
        self.parent = parent
        self.show = lambda box: box.exec()  # tests replace this

    def __call__(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        report = format_report(kind, error, tb)
        path = write_report(self.paths.logs, report)
        log.error("unhandled error, report in %s", path)
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            f"{APP_NAME}: something went wrong",
            "Second Act hit an error it did not expect. Your contacts are safe: "
            "every change is saved as you make it.\n\n"
            f"A report was written to {path}. Use “Show Details…” to copy it.",
            parent=self.parent,
        )
        box.setDetailedText(report)
        self.show(box)


def run_gui(paths: AppPaths, files: list[str]) -> int:
    app = make_app()
    from app.ui.single_instance import InstanceServer, send_to_running

    if send_to_running(paths, files):
        print(f"{APP_NAME} is already running; it was brought forward.", file=sys.stderr)
        return 0
    try:
        paths.ensure()
        setup_logging(paths)
        db = open_database(paths.database, paths.backups)
    except (DatabaseRefused, OSError) as exc:
        QMessageBox.critical(None, f"{APP_NAME} cannot open your data", str(exc))
        print(f"second-act: {exc}", file=sys.stderr)
        return 1
    from app.services.contacts import purge_deleted
    from app.ui.main_window import MainWindow

    with db.session() as s:
        purged = purge_deleted(s)
    log.info("removed %d contacts deleted in an earlier session", purged)
    window = MainWindow(db, paths)
    sys.excepthook = CrashHandler(paths, window)

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
        db.close()
