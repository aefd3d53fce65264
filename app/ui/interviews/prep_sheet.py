"""The prep sheet written as a PDF with Qt's own PDF writer (no printer needed), on the page
size of the user's locale (Letter in the US and Canada, A4 elsewhere), at full size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from app.services.files import replacing

PDF_DPI = 300  # the writer's resolution: HTML pixel sizes (ruled lines) are worked out for it
MARGIN_MM = 15


def page_size(locale: QLocale | None = None) -> QPageSize:
    """Letter where the locale measures in US units (the US; Canada's English too), else A4."""
    locale = locale or QLocale()
    us = locale.measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    us = us or locale.territory() == QLocale.Country.Canada
    return QPageSize(QPageSize.PageSizeId.Letter if us else QPageSize.PageSizeId.A4)


def write_pdf(html: str, title: str, path: Path, size: QPageSize | None = None) -> None:
    """Write *html* (its pixel sizes for PDF_DPI) as a PDF at *path*, whole or not at all.

    The document is laid out on the writer itself: laid out for the screen and then printed,
    it came out at a fraction of the page (text about 1.5 pt in a corner of the A4).
    """
    with replacing(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(PDF_DPI)
        writer.setTitle(title)
        writer.setCreator("Second Act")
        writer.setPageLayout(
            QPageLayout(
                size or page_size(),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(writer)
        doc.setDocumentMargin(0)  # the page layout has the margins
        doc.setHtml(html)
        doc.setPageSize(QSizeF(writer.width(), writer.height()))
        doc.print_(writer)
        del doc
        del writer  # the file is finished when the writer goes
