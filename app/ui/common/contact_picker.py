"""Pick a contact by typing: the search index suggests matches; no list of every name is held."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from app.services.contacts import Choice

NOT_A_CONTACT = -1


class ContactPicker(QLineEdit):
    """A line edit whose completer is filled from *search* as the user types.

    contact_id() is the picked contact, None when empty, NOT_A_CONTACT when the text names
    nobody the search knows.
    """

    picked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search: Callable[[str], list[Choice]] = lambda _text: []
        self._id: int | None = None
        self._label = ""
        self._offered: dict[str, int] = {}
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        # The model already holds only matches: the completer must not filter them again.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        completer.activated.connect(self.on_activated)
        self.setCompleter(completer)
        self.setClearButtonEnabled(True)
        self.textEdited.connect(self.on_edited)

    def set_contact(self, choice: Choice | None) -> None:
        """Show an already chosen contact (or none), without asking the search."""
        self._id = choice.id if choice else None
        self._label = choice.name if choice else ""
        self._offered = {choice.name: choice.id} if choice else {}
        self.setText(self._label)

    def on_edited(self, text: str) -> None:
        choices = self.search(text) if text.strip() else []
        # The search labels namesakes by what tells them apart (contacts.told_apart).
        self._offered = {c.name: c.id for c in choices}
        self._model.setStringList(list(self._offered))
        completer = self.completer()
        if choices and completer is not None:
            completer.complete()

    def on_activated(self, text: str) -> None:
        if text in self._offered:
            self._id, self._label = self._offered[text], text
            self.picked.emit()

    def choices_offered(self) -> list[str]:
        return self._model.stringList()

    def unpicked_problem(self) -> str:
        """What to tell a user whose text names no one picked: several namesakes offered
        (their labels tell them apart) need a choice from the list, not a name."""
        text = self.text().strip()
        typed = text.casefold()
        namesakes = sum(
            label.casefold().startswith((f"{typed} — ", f"{typed} (")) for label in self._offered
        )
        if typed and namesakes > 1:
            return f"{namesakes} people are called {text}: pick one from the list."
        return "Pick someone from your contacts (add them first if they are new)."

    def contact_id(self) -> int | None:
        text = self.text().strip()
        if not text:
            return None
        if self._id is not None and text == self._label:
            return self._id
        for label, cid in self._offered.items():
            if label.casefold() == text.casefold():
                return cid
        return NOT_A_CONTACT
