"""Render resources/second-act.svg to the PNG sizes desktops ask for (run after editing it).

Usage: QT_QPA_PLATFORM=offscreen python packaging/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def main() -> None:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(RESOURCES / "second-act.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(RESOURCES / "icons" / f"second-act-{size}.png"))
    # Windows wants one .ico; Qt's ICO writer keeps the 256 px picture it is given.
    ico = QImage(str(RESOURCES / "icons" / "second-act-256.png"))
    ico.save(str(RESOURCES.parent / "packaging" / "windows" / "second-act.ico"), "ICO")


if __name__ == "__main__":
    main()
