"""Starting the window: Qt application, database, and a clear message when either fails."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_ID, APP_NAME, __version__
from app.paths import AppPaths
from app.storage.db import DatabaseRefused, open_database


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
    return app


def run_gui(paths: AppPaths, files: list[str]) -> int:
    app = make_app()
    try:
        paths.ensure()
        db = open_database(paths.database, paths.backups)
    except (DatabaseRefused, OSError) as exc:
        QMessageBox.critical(None, f"{APP_NAME} cannot open your data", str(exc))
        print(f"second-act: {exc}", file=sys.stderr)
        return 1
    from app.ui.main_window import MainWindow

    window = MainWindow(db, paths)
    window.show()
    if files:
        window.offer_import(files)
    try:
        return app.exec()
    finally:
        db.close()
