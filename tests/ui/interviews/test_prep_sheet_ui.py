"""The prep sheet saved through the window, then read back with PDFium (pypdfium2, an
independent reader): it fills the locale's page at a readable size, with the story, the
questions and room to write; and an interview held earlier than planned shows the day it
was held in the list, the header and the sheet (issue 26 items 2 and 7)."""

from __future__ import annotations

import ctypes
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.model.records import ContactRecord
from app.services import interviews as iv
from app.services import profile, question_bank
from app.services.contacts import create_contact
from app.storage.db import Database
from app.ui.window.main_window import MainWindow
from tests.pdfpage import page_image
from tests.ui.conftest import Answers

A4 = (595, 842)  # points
LETTER = (612, 792)


@pytest.fixture
def locale() -> Iterator[Callable[[QLocale], None]]:
    before = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(before)


def sheet_of(db: Database) -> tuple[int, dt.date]:
    """An interview with Ann planned a week from today, six questions, and the user's story."""
    planned = dt.datetime.combine(dt.date.today() + dt.timedelta(days=7), dt.time(10, 0))
    with db.session() as s:
        profile.save_profile(
            s,
            profile.Profile(
                given_name="Renée",
                family_name="Müller",
                story="Ten years in the lab taught me to ask good questions.",
            ),
        )
        ann = create_contact(
            s,
            ContactRecord(
                full_name="Ann Lee", organization="Contoso", title="UX lead", how_met="IxDA meetup"
            ),
        )
        iid = iv.create_interview(
            s, iv.InterviewRecord(ann, status="scheduled", starts_at=planned, tz="Europe/Berlin")
        )
        bank = question_bank.bank(s)[:6]
        iv.set_plan(s, iid, [iv.PlannedQuestion(q.theme, q.text) for q in bank])
    return iid, planned.date()


def save_pdf(qtbot: QtBot, w: MainWindow, iid: int, tmp_path: Path) -> pdfium.PdfDocument:
    target = tmp_path / "sheet.pdf"
    w.interview_actions.save_path = lambda *_a: target  # type: ignore[method-assign]
    w.interview_actions.open_interview(iid)
    qtbot.mouseClick(w.interviews.page.pdf_button, Qt.MouseButton.LeftButton)
    return pdfium.PdfDocument(target.read_bytes())


def ink_extent(page: pdfium.PdfPage, dpi: float = 36) -> tuple[float, float, float, float]:
    """Where anything is drawn on the page: (left, top, right, bottom) as parts of the page."""
    image = page_image(page, dpi).convertToFormat(QImage.Format.Format_Grayscale8)
    w, h = image.width(), image.height()
    rows = []
    left, right = w, 0
    for y in range(h):
        line = bytes(image.constScanLine(y))[:w]
        inked = [x for x in range(0, w) if line[x] < 200]
        if inked:
            rows.append(y)
            left, right = min(left, inked[0]), max(right, inked[-1])
    assert rows, "the page is blank"
    return left / w, rows[0] / h, right / w, rows[-1] / h


def font_sizes(page: pdfium.PdfPage, words: str) -> set[int]:
    """The point sizes *words* are printed at, as on paper: the font's size times the scale
    of its text object (Qt writes 46-unit text scaled by 72/300)."""
    text = page.get_textpage()
    body = text.get_text_range()
    start = body.index(words)
    sizes = set()
    for i in range(start, start + len(words)):
        if body[i].isspace():
            continue
        matrix = pdfium_c.FS_MATRIX()
        pdfium_c.FPDFPageObj_GetMatrix(
            pdfium_c.FPDFText_GetTextObject(text.raw, i), ctypes.byref(matrix)
        )
        sizes.add(round(pdfium_c.FPDFText_GetFontSize(text.raw, i) * matrix.d))
    return sizes


def rendered(page: pdfium.PdfPage, path: Path) -> None:
    """The page as a PNG beside the PDF, for a person to look at."""
    page_image(page, 150).save(str(path))


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_the_sheet_fills_the_locales_page_at_a_readable_size(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    db: Database,
    answers: Answers,
    tmp_path: Path,
    locale: Callable[[QLocale], None],
) -> None:
    locale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    iid, _planned = sheet_of(db)
    with db.session() as s:
        first_question = iv.plan_of(s, iid)[0].text
    w = make_window()
    pdf = save_pdf(qtbot, w, iid, tmp_path)
    page = pdf[0]
    rendered(page, tmp_path / "sheet.png")
    assert tuple(round(v) for v in page.get_size()) == A4
    text = page.get_textpage().get_text_range()
    for words in ("Ann Lee", "UX lead, Contoso", "IxDA meetup", "Ten years in the lab", "Notes"):
        assert words in text, words
    assert " ".join(first_question.split()[:4]) in " ".join(text.split())
    # Body text at 11 pt, headings larger: never the 1.5 pt of a sheet laid out for the screen.
    assert font_sizes(page, "IxDA meetup") == {11}
    assert min(font_sizes(page, "Ann Lee")) > 11
    # Drawn across the page from margin to margin, and down it (the questions' lines, notes).
    left, top, right, bottom = ink_extent(page)
    assert left < 0.1 and right > 0.85, (left, right)
    assert top < 0.1 and (bottom > 0.8 or len(pdf) > 1), (top, bottom)

    # In the US, the same sheet is on Letter paper.
    locale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert tuple(round(v) for v in save_pdf(qtbot, w, iid, tmp_path)[0].get_size()) == LETTER


def test_a_held_interview_shows_the_day_it_was_held(
    qtbot: QtBot,
    make_window: Callable[[], MainWindow],
    db: Database,
    answers: Answers,
    tmp_path: Path,
) -> None:
    iid, planned = sheet_of(db)
    today = dt.date.today()
    w = make_window()
    w.interview_actions.held(iid)  # as Today's Done does, a week before the planned day
    held = f"Held {today:%a} {today.day} {today:%b %Y}"
    planned_text = f"{planned:%a} {planned.day} {planned:%b}"
    model = w.interviews.model
    assert model.data(model.index(0, 2)) == held
    assert held in w.interviews.page.subtitle.text()
    assert planned_text not in w.interviews.page.subtitle.text()
    text = save_pdf(qtbot, w, iid, tmp_path)[0].get_textpage().get_text_range()
    assert held in text and f"{planned:%B}" not in text.replace(f"{today:%B}", "")
