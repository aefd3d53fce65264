"""A keyring backend for the tests: a JSON file outside the data folder, named by
SECOND_ACT_TEST_KEYRING. The machines the tests run on (CI, a fresh clone) have no OS
password store; the app's code talks to `keyring` exactly as it does on a desktop.

Selected in a subprocess with PYTHON_KEYRING_BACKEND=tests.keyring_backend.FileKeyring.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["SECOND_ACT_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x00{username}"] = password
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x00{username}", None) is None:
            raise PasswordDeleteError("not stored")
        self.path.write_text(json.dumps(data), encoding="utf-8")
