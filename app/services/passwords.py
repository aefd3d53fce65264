"""Passwords in the OS's own store (Keychain, Credential Locker, Secret Service) through
keyring: never in the database or a settings file. The mail account and the CardDAV accounts
keep theirs here, each under its own service name."""

from __future__ import annotations

import contextlib
from typing import Protocol

MAIL_SERVICE = "Second Act mail"


class HasKeyringUser(Protocol):
    @property
    def keyring_user(self) -> str: ...


class PasswordStore:
    """The OS keyring, or (where there is none) memory until the app quits."""

    def __init__(self, service: str = MAIL_SERVICE) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self.persistent = True

    def get(self, account: HasKeyringUser) -> str | None:
        if account.keyring_user in self._memory:
            return self._memory[account.keyring_user]
        import keyring  # 28 ms to import: at the first password, not at start-up
        from keyring.errors import KeyringError, NoKeyringError

        try:
            return keyring.get_password(self.service, account.keyring_user)
        except (NoKeyringError, KeyringError):
            self.persistent = False
            return None

    def set(self, account: HasKeyringUser, password: str) -> bool:
        """Keep the password; True when the OS keyring has it, False when only memory does."""
        import keyring
        from keyring.errors import KeyringError, NoKeyringError

        try:
            keyring.set_password(self.service, account.keyring_user, password)
        except (NoKeyringError, KeyringError):
            self.persistent = False
            self._memory[account.keyring_user] = password
            return False
        self._memory.pop(account.keyring_user, None)
        self.persistent = True
        return True

    def forget(self, account: HasKeyringUser) -> None:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

        self._memory.pop(account.keyring_user, None)
        with contextlib.suppress(PasswordDeleteError, NoKeyringError, KeyringError):
            keyring.delete_password(self.service, account.keyring_user)
