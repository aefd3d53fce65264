"""A PDF page as the tests and the screenshots see it: rendered by PDFium (pypdfium2), an
independent reader of what Qt's PDF writer made."""

from __future__ import annotations

import pypdfium2 as pdfium
from PySide6.QtGui import QImage


def page_image(page: pdfium.PdfPage, dpi: float) -> QImage:
    """The page drawn at *dpi*, white where nothing is printed."""
    bitmap = page.render(scale=dpi / 72)
    return QImage(
        bytes(bitmap.buffer),
        bitmap.width,
        bitmap.height,
        bitmap.stride,
        QImage.Format.Format_BGR888,  # how PDFium renders a page without alpha
    ).copy()
