"""Templates for people, not programmers (issue 26 item 5): the editor shows fields and
conditions as marked words (⟦First name, or “there”⟧, ⟦If known: How you met⟧ … ⟦End⟧),
highlighted; what is saved and rendered stays Jinja2."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.services import outreach, readable, templates
from app.storage.db import Database
from app.ui.outreach.dialogs import NewCampaignDialog
from app.ui.window.main_window import MainWindow
from tests.ui.conftest import Answers

PEOPLE = [
    {"first_name": "Ann", "how_met": "at IxDA", "organization": "Acme", "introduced_by": "Bo"},
    {"first_name": "Cy", "how_met": "at the alumni dinner", "my_target_field": "UX research"},
    {"my_first_name": "Renée", "last_interaction": "the intro to Dana"},
    {},
]


@pytest.mark.parametrize("purpose", list(outreach.STARTERS))
def test_every_starter_reads_as_a_letter_and_renders_the_same(purpose: str) -> None:
    for source in outreach.STARTERS[purpose]:
        shown = readable.to_readable(source, outreach.FIELDS)
        assert "{{" not in shown and "{%" not in shown, shown
        back = readable.from_readable(shown, outreach.FIELDS)
        for values in PEOPLE:
            assert templates.render(back, values).text == templates.render(source, values).text


def test_what_the_marks_cannot_say_is_shown_as_written() -> None:
    loop = "{% for x in range(2) %}{{ first_name }}{% endfor %}"
    assert readable.to_readable(loop, outreach.FIELDS) == loop
    unknown = "Hi {{ frist_name }}"
    assert readable.to_readable(unknown, outreach.FIELDS) == unknown
    assert readable.from_readable("Hi ⟦Frist name⟧", outreach.FIELDS) == "Hi ⟦Frist name⟧"


def test_the_editor_shows_a_letter_with_its_fields_highlighted(
    qtbot: QtBot, make_window: Callable[[], MainWindow], db: Database, answers: Answers
) -> None:
    w = make_window()

    def new(d: QDialog) -> int:
        if isinstance(d, NewCampaignDialog):
            d.purpose.setCurrentIndex(d.purpose.findData("informational"))
            d.name.setText("Advice")
            return int(QDialog.DialogCode.Accepted)
        return int(QDialog.DialogCode.Rejected)  # the profile, asked on first use

    answers.on_dialog = new
    w.tabs.setCurrentWidget(w.outreach)
    qtbot.mouseClick(w.outreach.new_button, Qt.MouseButton.LeftButton)
    page = w.outreach.message
    body = page.body.toPlainText()
    assert "{{" not in body and "{%" not in body
    assert body.startswith("Hi ⟦First name, or “there”⟧,")
    assert "⟦If known: Who introduced you⟧⟦Who introduced you⟧ suggested I contact you." in body
    assert "⟦Otherwise, if known: How you met⟧We met ⟦How you met⟧. ⟦End⟧" in body
    assert page.subject.text() == "Your advice on ⟦The field you are moving into, or “your field”⟧?"
    # The marks are highlighted: a field on blue, a condition on amber.
    block = page.body.document().findBlock(body.index("⟦If known"))
    backgrounds = {
        block.text()[r.start : r.start + r.length]: r.format.background().color().name()
        for r in block.layout().formats()
    }
    assert backgrounds["⟦If known: Who introduced you⟧"] == "#fdebc8"
    assert backgrounds["⟦Who introduced you⟧"] == "#dbe8fb"
    # Insert field puts in words; the saved template is Jinja2.
    page.body.moveCursor(page.body.textCursor().MoveOperation.End)
    page.body.setFocus()
    [field] = [a for a in page.insert.menu().actions() if a.data() == "my_target_field"]
    assert field.text() == "The field you are moving into"
    field.trigger()
    page.body.insertPlainText(" — ⟦First name, or “friend”⟧")
    page.flush()
    with db.session() as s:
        saved = outreach.get_campaign(s, page.campaign_id)  # type: ignore[arg-type]
    assert saved.body.endswith('{{ my_target_field }} — {{ first_name | default("friend") }}')
    assert "{% elif how_met %}" in saved.body and "⟦" not in saved.body
    assert saved.subject == 'Your advice on {{ my_target_field | default("your field") }}?'
