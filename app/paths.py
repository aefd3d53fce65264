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
        for folder in (self.data_dir, self.backups, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
            # Contacts are personal data: only the user may read them.
            os.chmod(folder, 0o700)
        return self


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
