"""Every folder Second Act writes to, resolved in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "SECOND_ACT_DATA_DIR"
DB_NAME = "second-act.sqlite3"


@dataclass(frozen=True)
class AppPaths:
    """The user's data folder and the files inside it.

    Everything lives below one folder so that backing up or moving Second Act is copying it.
    """

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def ui_state(self) -> Path:
        return self.data_dir / "window-state.ini"

    def ensure(self) -> AppPaths:
        """Make the folders that are missing, readable by the user only (contacts are
        personal data). Folders that exist are left as their owner set them: a shared or
        read-only folder is the user's choice, not changed behind their back. Raises
        FolderRefused, with a message for the person, when one cannot be made or written."""
        for folder in (self.data_dir, self.backups, self.logs):
            try:
                private_folder(folder)
            except OSError as exc:
                raise FolderRefused(_cannot_write(folder, exc.strerror or str(exc))) from exc
            if not os.access(folder, os.W_OK | os.X_OK):
                raise FolderRefused(_cannot_write(folder, "it is read-only"))
        return self


class FolderRefused(Exception):
    """A folder Second Act needs cannot be made or written; nothing was changed."""


def _cannot_write(folder: Path, reason: str) -> str:
    return (
        f"Second Act cannot write to {folder} ({reason}). Nothing was changed. Make the "
        f"folder writable, or choose another data folder with --data-dir or {ENV_VAR}."
    )


def private_folder(folder: Path) -> None:
    """Make *folder* readable by the user only (folders missing above it are made as
    usual); a folder that exists is left as its owner set it."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        if not folder.is_dir():
            raise
        return  # made by another process just now
    os.chmod(folder, 0o700)  # the mode mkdir gives passes through the umask


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("second-act", appauthor=False, roaming=True))


def resolve(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """The --data-dir option wins, then SECOND_ACT_DATA_DIR, then the platform's folder."""
    if data_dir:
        return AppPaths(Path(data_dir).expanduser().absolute())
    env = os.environ.get(ENV_VAR)
    if env:
        return AppPaths(Path(env).expanduser().absolute())
    return AppPaths(default_data_dir())
