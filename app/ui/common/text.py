"""Text from contacts and files is shown as text: never interpreted as HTML by Qt.

QLabel, QMessageBox and tooltips guess "rich text" when a string looks like HTML, so a card
whose name is ``<font size=7>Eve</font>`` would be rendered. Everything that can show such
text goes through these helpers.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

Button = QMessageBox.StandardButton


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 minute", "2 minutes", "2,007 people" (plural("person", "people"))."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def rich_label(html: str, parent: QWidget | None = None) -> QLabel:
    """A heading that is rich text on purpose: every user text in *html* went through
    escape()."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(html)
    return label


def plain_tooltip(text: str) -> str:
    """A tooltip that shows *text* literally (tooltips have no text-format setting)."""
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def escape(text: str) -> str:
    """For the few headings that are rich text on purpose: put user text in them escaped."""
    return html.escape(text)


def message_box(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: Button = Button.Ok,
    default: Button = Button.NoButton,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    details: str = "",
) -> QMessageBox:
    """A message box whose text is plain text, whatever names it quotes."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    if details:
        box.setDetailedText(details)
    return box
