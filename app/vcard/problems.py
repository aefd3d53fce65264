"""What went wrong reading a file, said for the person who owns it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.model.pickling import ByFields


class Severity(Enum):
    WARNING = "warning"  # something in a card was dropped or changed; the card is imported
    ERROR = "error"  # a whole card (or file) could not be imported


@dataclass(frozen=True)
class Problem(ByFields):
    file: str
    line: int
    message: str
    severity: Severity = Severity.WARNING

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"
