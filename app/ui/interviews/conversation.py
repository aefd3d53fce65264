"""The conversation itself: the planned questions with a note field each, a free note, and a
clock showing the time left of the agreed length. It signals by colour, never by sound: amber
at five minutes left, red when the time is up."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.interviews import InterviewDetail
from app.ui.text import plain_label, plain_tooltip

WARN_AT = 5 * 60  # seconds left
CALM = "background: #e8f1ec; color: #1d4d2f;"
AMBER = "background: #fff3cd; color: #7a4f00;"
RED = "background: #fde7e9; color: #b3261e;"


def clock_text(seconds_left: float) -> str:
    s = int(abs(seconds_left) + (0.999 if seconds_left > 0 else 0))
    text = f"{s // 60}:{s % 60:02d}"
    return f"{text} left" if seconds_left > 0 else f"Time is up ({text} over)"


class ConversationDialog(QDialog):
    """Finish saves the notes and marks the interview held; Close saves the notes only."""

    def __init__(
        self,
        detail: InterviewDetail,
        parent: QWidget | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setWindowTitle(f"Talking with {detail.who}")
        self.resize(820, 640)
        self.detail = detail
        self.finished_talking = False
        self._now = now
        self._length = detail.record.length_minutes * 60
        self._started: float | None = None
        self._elapsed_before = 0.0

        title = plain_label(
            f"{detail.who}: {detail.record.length_minutes} minutes agreed. "
            "Keep to the time; never ask for a job."
        )
        title.setWordWrap(True)
        self.clock = plain_label()
        self.clock.setObjectName("interview_clock")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.clock.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.clock.setFont(font)
        self.clock.setMinimumWidth(
            self.clock.fontMetrics().horizontalAdvance("Time is up (00:00 over)") + 24
        )
        self.pause_button = QPushButton("&Pause the clock")
        self.pause_button.setObjectName("clock_pause")
        self.pause_button.clicked.connect(self.toggle)

        inner = QWidget()
        questions = QVBoxLayout(inner)
        self.notes: list[QPlainTextEdit] = []
        if not detail.questions:
            questions.addWidget(
                plain_label("No questions planned: plan 5 to 10 on the Questions page.")
            )
        for n, q in enumerate(detail.questions, 1):
            box = QGroupBox(f"{n}. {q.text}")
            box.setToolTip(plain_tooltip(q.theme))
            inner_layout = QVBoxLayout(box)
            note = QPlainTextEdit(q.note)
            note.setObjectName(f"question_note_{n}")
            note.setPlaceholderText("What they said")
            note.setTabChangesFocus(True)
            note.setFixedHeight(note.fontMetrics().height() * 3 + 14)
            inner_layout.addWidget(note)
            questions.addWidget(box)
            self.notes.append(note)
        questions.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.free_note = QPlainTextEdit(detail.record.notes)
        self.free_note.setObjectName("free_note")
        self.free_note.setPlaceholderText("Anything else: names, books, places, words to look up")
        self.free_note.setTabChangesFocus(True)
        self.free_note.setFixedHeight(self.free_note.fontMetrics().height() * 4 + 14)

        self.finish_button = QPushButton("&Finish: we have talked")
        self.finish_button.setObjectName("finish_interview")
        self.finish_button.setToolTip("Save the notes and mark the interview held")
        self.close_button = QPushButton("Save notes and &close")
        self.close_button.setObjectName("close_conversation")
        self.finish_button.clicked.connect(self._finish)
        self.close_button.clicked.connect(self.accept)

        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.clock)
        top.addWidget(self.pause_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(plain_label("Free note"))
        layout.addWidget(self.free_note)
        layout.addLayout(bottom)

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.start()
        if self.notes:
            self.notes[0].setFocus()

    # -- the clock ----------------------------------------------------------------------------
    def elapsed(self) -> float:
        running = self._now() - self._started if self._started is not None else 0.0
        return self._elapsed_before + running

    def start(self) -> None:
        self._started = self._now()
        self.timer.start()
        self.pause_button.setText("&Pause the clock")
        self.tick()

    def toggle(self) -> None:
        if self._started is None:
            self.start()
            return
        self._elapsed_before = self.elapsed()
        self._started = None
        self.timer.stop()
        self.pause_button.setText("&Resume the clock")
        self.tick()

    def seconds_left(self) -> float:
        return self._length - self.elapsed()

    def state(self) -> str:
        left = self.seconds_left()
        return "over" if left <= 0 else "warning" if left <= WARN_AT else "calm"

    def tick(self) -> None:
        left = self.seconds_left()
        self.clock.setText(clock_text(left))
        style = {"calm": CALM, "warning": AMBER, "over": RED}[self.state()]
        self.clock.setStyleSheet(f"QLabel {{ {style} border-radius: 6px; padding: 6px 12px; }}")
        self.clock.setAccessibleName(f"Time: {clock_text(left)}")

    # -- the notes ----------------------------------------------------------------------------
    def question_notes(self) -> list[str]:
        return [n.toPlainText() for n in self.notes]

    def _finish(self) -> None:
        self.finished_talking = True
        self.accept()

    def done(self, result: int) -> None:
        self.timer.stop()
        super().done(result)
