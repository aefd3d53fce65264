"""A horizontal bar chart painted with QPainter: one bar per industry or employer, split into
people in touch, dormant ties and people with nothing logged; a click (or Enter) on a bar
reports it.

Painted by hand rather than with QtCharts: QtCharts lives in PySide6-Addons, a second large
download and a bigger installer for one chart; here a bar is a rectangle we can hit-test,
reach with the keyboard and draw the same on every platform, offscreen included.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.services.industries import Bar
from app.ui.text import plain_tooltip

ACTIVE = QColor("#2e6fba")
TARGET = QColor("#c2571a")
DORMANT_ALPHA = 110
UNLOGGED = QColor("#b9bec7")
LABEL_WIDTH = 200
COUNT_WIDTH = 48


def segment_colors(highlight: bool) -> tuple[QColor, QColor, QColor]:
    strong = QColor(TARGET if highlight else ACTIVE)
    faded = QColor(strong)
    faded.setAlpha(DORMANT_ALPHA)
    return strong, faded, UNLOGGED


class BarChart(QWidget):
    activated = Signal(object)  # Bar

    def __init__(self, name: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.bars: list[Bar] = []
        self.highlight = ""  # the bar label drawn in the target colour
        self.current = 0
        self.empty_text = empty_text
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar], highlight: str = "") -> None:
        self.bars = bars
        self.highlight = highlight
        self.current = min(self.current, max(0, len(bars) - 1))
        self.updateGeometry()
        self.update()

    def label_of(self, bar: Bar) -> str:
        return bar.label or "(no industry set)"

    # -- geometry -----------------------------------------------------------
    def row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def sizeHint(self) -> QSize:
        rows = max(1, len(self.bars))
        return QSize(480, rows * self.row_height() + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, self.sizeHint().height())

    def bar_rect(self, i: int) -> QRect:
        """Where bar *i* is drawn (its full length for the largest bar)."""
        h = self.row_height()
        label_w = min(LABEL_WIDTH, self.width() // 3)
        most = max((b.total for b in self.bars), default=1) or 1
        room = max(10, self.width() - label_w - COUNT_WIDTH - 16)
        length = max(2, round(room * self.bars[i].total / most))
        return QRect(label_w + 8, 4 + i * h + 3, length, h - 6)

    def bar_at(self, pos: QPoint) -> int | None:
        if not self.bars:
            return None
        i = (pos.y() - 4) // self.row_height()
        if 0 <= i < len(self.bars) and pos.x() >= 0:
            return int(i)
        return None

    # -- painting -----------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        if not self.bars:
            p.setPen(text_color)
            p.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.empty_text,
            )
            return
        h = self.row_height()
        label_w = min(LABEL_WIDTH, self.width() // 3)
        base_font = QFont(self.font())
        bold = QFont(base_font)
        bold.setBold(True)
        for i, bar in enumerate(self.bars):
            top = 4 + i * h
            target = bool(self.highlight) and bar.label.casefold() == self.highlight.casefold()
            if i == self.current and self.hasFocus():
                p.fillRect(
                    QRect(0, top, self.width(), h),
                    self.palette().color(QPalette.ColorRole.Highlight).lighter(170),
                )
            p.setFont(bold if target else base_font)
            p.setPen(TARGET if target else text_color)
            label = self.fontMetrics().elidedText(
                self.label_of(bar), Qt.TextElideMode.ElideRight, label_w - 4
            )
            p.drawText(
                QRect(0, top, label_w, h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                label,
            )
            full = self.bar_rect(i)
            x = full.left()
            for count, color in zip(
                (bar.active, bar.dormant, bar.unlogged), segment_colors(target), strict=True
            ):
                if not count:
                    continue
                w = max(1, round(full.width() * count / bar.total))
                p.fillRect(QRect(x, full.top(), w, full.height()), color)
                x += w
            p.setPen(text_color)
            p.setFont(base_font)
            p.drawText(
                QRect(x + 6, top, COUNT_WIDTH + 40, h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                str(bar.total),
            )

    # -- use ----------------------------------------------------------------
    def tooltip_of(self, bar: Bar) -> str:
        return plain_tooltip(
            f"{self.label_of(bar)}: {bar.total} people — {bar.active} in touch in the last "
            f"two years, {bar.dormant} dormant, {bar.unlogged} with nothing logged. "
            "Click to list them."
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        i = self.bar_at(event.position().toPoint())
        if i is None:
            QToolTip.hideText()
            self.unsetCursor()
            return
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_of(self.bars[i]), self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        i = self.bar_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and i is not None:
            self.current = i
            self.update()
            self.activated.emit(self.bars[i])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if not self.bars:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            self.current = max(0, min(len(self.bars) - 1, self.current + step))
            self.setAccessibleDescription(self.tooltip_of(self.bars[self.current]))
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.bars[self.current])
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)
