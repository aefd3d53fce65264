"""Running long work off the GUI thread, with progress and Cancel (after Picard's thread.py)."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.progress import throttled
from app.services.importing import Cancelled

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]
log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.05  # seconds: twenty updates a second is smooth to the eye
SHOW_AFTER_MS = 300  # work that ends sooner shows no dialog at all


class TaskSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Task(QRunnable):
    """Runs *work(progress, is_cancelled)* on a pool thread; results come back by signal.

    The work must take its own database session and hand back plain data, never ORM objects.
    """

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = TaskSignals()
        self._work = work
        self._cancel = threading.Event()
        # Every report is a queued event the GUI thread runs under the GIL, which this
        # thread holds: an import reporting every 50 cards queued a thousand of them in
        # 0.7 s, and Qt delivers posted events before timers, so the window neither painted
        # nor ticked until they had all been handed over, one GIL switch each.
        self._progress = throttled(PROGRESS_EVERY, self.signals.progress.emit)

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self._work(self._progress, self._cancel.is_set)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception:
            self.signals.failed.emit(traceback.format_exc())
        else:
            self.signals.finished.emit(result)


class TaskRunner(QObject):
    """Starts tasks with a progress dialog whose Cancel stops them."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one writer at a time: SQLite has one
        self.running: list[Task] = []

    def start(
        self,
        title: str,
        work: Work,
        on_done: Callable[[Any], None],
        on_cancelled: Callable[[], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        unit: str = "",
    ) -> Task:
        """*unit*: what the progress counts, shown after it ("12 of 40 cards")."""
        task = Task(work)
        dialog = QProgressDialog(title, "Cancel", 0, 0, self._parent)
        dialog.setObjectName("progress")
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(task.cancel)
        # QProgressDialog shows itself from setValue's estimate or else after its own 4 s
        # timer (setMinimumDuration does not shorten that one before a first value): work
        # that reported nothing sat without a Cancel. This timer shows it, Cancel and all,
        # once SHOW_AFTER_MS have passed, reported or not; finish() stops it first.
        show_later = QTimer(dialog)
        show_later.setSingleShot(True)
        show_later.timeout.connect(dialog.show)
        show_later.start(SHOW_AFTER_MS)

        def progress(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(f"{title} ({done} of {total}{' ' + unit if unit else ''})")

        def finish() -> None:
            show_later.stop()
            dialog.canceled.disconnect(task.cancel)
            dialog.close()
            dialog.deleteLater()
            if task in self.running:
                self.running.remove(task)

        def done(result: Any) -> None:
            finish()
            on_done(result)

        def cancelled() -> None:
            finish()
            if on_cancelled is not None:
                on_cancelled()

        def failed(report: str) -> None:
            finish()
            if on_failed is not None:
                on_failed(report)

        task.signals.progress.connect(progress)
        task.signals.finished.connect(done)
        task.signals.cancelled.connect(cancelled)
        task.signals.failed.connect(failed)
        self.running.append(task)
        self._pool.start(task)
        return task

    def wait(self) -> None:
        self._pool.waitForDone()


class LatestRead(QObject):
    """Reads for a view off the GUI thread, one at a time; only the newest answer is applied.

    The view keeps what it shows until then: an older read that lands after a newer request
    is dropped, never shown over it. `pending()` is true from a request until its answer is
    applied (or has failed).
    """

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._generation = 0
        self._landed = 0
        self._tasks: list[Task] = []

    def start(
        self,
        read: Callable[[], Any],
        apply: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        """Run *read* (its own session, plain data back) on the pool; *apply* its answer on
        the GUI thread if no newer request came meanwhile, else drop it."""
        self._generation += 1
        generation = self._generation
        task = Task(lambda _progress, _cancelled: read())

        def landed(answer: Any, ok: bool) -> None:
            self._tasks.remove(task)
            if generation != self._generation:
                if not ok:  # not shown, as it is stale; still never lost
                    log.error("a read overtaken by a newer one failed: %s", answer)
                return  # a newer read is on its way: this answer is already stale
            self._landed = generation
            (apply if ok else failed)(answer)

        task.signals.finished.connect(lambda result: landed(result, True))
        task.signals.failed.connect(lambda report: landed(report, False))
        self._tasks.append(task)
        self._pool.start(task)

    def pending(self) -> bool:
        return self._landed != self._generation

    def wait(self) -> None:
        """Let a read in progress finish (before the database closes)."""
        self._pool.waitForDone()
