"""History from mail at the size of a long career, against the standard library merely
iterating the same mbox, measured in the same run.

    python bench/mail_history_bench.py [MESSAGES] [CONTACTS]   (default 100,000 and 50,000)

Builds a database of CONTACTS contacts with one address each and an mbox of MESSAGES
messages (a third sent by the user to a contact, a third received from one, the rest list
mail and strangers; RFC 2047 names, Cc, a 1 KB body each), then times:

- ours: `read_mail_files` reading every header and matching it against the book, the
  interactions written and committed (a fresh database each time);
- the baseline: `mailbox.mbox` iterating the same file and reading each message's From, To,
  Cc, Date and Message-ID (the standard library alone, nothing matched or written);
- the window: the same reading started from File ▸ Mail History in an offscreen window, and
  the longest the window's event loop went without running a 5 ms timer meanwhile (the work
  runs on the task runner's thread).

Not a test: timings are never asserted.
"""

from __future__ import annotations

import datetime as dt
import mailbox
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import common

ME = "me@home.example"


def make_book(path: Path, contacts: int) -> None:
    from sqlalchemy import insert

    from app.model.tables import Contact, ContactEmail
    from app.storage.db import open_database

    db = open_database(path)
    now = dt.datetime.now()
    with db.session() as s:
        s.execute(
            insert(Contact),
            [
                {
                    "id": i + 1,
                    "full_name": f"Person {i}",
                    "sort_name": f"Person {i}",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(contacts)
            ],
        )
        s.execute(
            insert(ContactEmail),
            [
                {"contact_id": i + 1, "value": f"person.{i}@work{i % 97}.example", "position": 0}
                for i in range(contacts)
            ],
        )
    db.close()


def make_mbox(path: Path, messages: int, contacts: int) -> None:
    rnd = random.Random(27)
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    body = ("A line of a message body that is never read into the database.\n" * 16).encode()
    with path.open("wb") as f:
        for n in range(messages):
            i = rnd.randrange(contacts)
            them = f"=?utf-8?q?Ren=C3=A9e_{i}?= <Person.{i}@Work{i % 97}.example>"
            when = (start + dt.timedelta(minutes=17 * n)).strftime("%a, %d %b %Y %H:%M:%S +0000")
            kind = n % 6
            if kind < 2:
                head = f"From: Me <{ME}>\nTo: {them}\nCc: stranger.{n % 500}@else.example\n"
            elif kind < 4:
                head = f"From: {them}\nTo: {ME}\n"
            elif kind == 4:
                head = f"From: {them}\nTo: {ME}\nList-Id: <news.lists.example>\n"
            else:
                head = f"From: someone.{n}@nowhere.example\nTo: {ME}\n"
            f.write(b"From sender@example Mon Jan  4 10:00:00 2021\n")
            f.write(
                (
                    f"{head}Subject: Message {n}\nDate: {when}\n"
                    f"Message-ID: <m.{n}@bench.example>\n\n"
                ).encode()
            )
            f.write(body + b"\n")


def ours(book: Path, mbox: Path, work: Path) -> tuple[float, int]:
    from app.services.mail_history import read_mail_files
    from app.storage.db import open_database

    copy = work / "ours.sqlite3"
    shutil.copy(book, copy)
    db = open_database(copy)
    t = time.perf_counter()
    with db.session() as s:
        report = read_mail_files(s, [mbox], [ME])
    took = time.perf_counter() - t
    db.close()
    copy.unlink()
    return took, report.interactions_added


def baseline(mbox: Path) -> float:
    t = time.perf_counter()
    n = 0
    for msg in mailbox.mbox(mbox, create=False):
        n += bool(msg["From"]) + bool(msg["To"]) + bool(msg["Cc"])
        n += bool(msg["Date"]) + bool(msg["Message-ID"])
    return time.perf_counter() - t


def in_window(book: Path, mbox: Path, work: Path) -> tuple[float, float, float]:
    """(seconds from the start to the report, the longest gap between 5 ms ticks meanwhile,
    the longest gap while idle)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.paths import resolve
    from app.storage.db import open_database
    from app.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    data = work / "window"
    paths = resolve(data).ensure()
    shutil.copy(book, paths.database)
    db = open_database(paths.database, paths.backups)
    w = MainWindow(db, paths)
    w.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    idle = max(gaps, default=0.0)
    gaps.clear()
    done: list[object] = []
    w.mail_history.finished.connect(done.append)
    w.mail_history.open().me.setText(ME)
    t = time.perf_counter()
    last[0] = t
    w.mail_history.read_files([mbox])
    while not done:
        app.processEvents()
        time.sleep(0.001)
    took = time.perf_counter() - t
    timer.stop()
    busy = max(gaps, default=0.0)
    w.close()
    db.close()
    return took, busy, idle


def main() -> None:
    (messages, contacts), _data = common.arguments([100_000, 50_000])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "book.sqlite3"
        mbox = work / "All Mail.mbox"
        t = time.perf_counter()
        make_book(book, contacts)
        make_mbox(mbox, messages, contacts)
        size = mbox.stat().st_size / 1e6
        print(
            f"{messages:,} messages ({size:.0f} MB mbox), {contacts:,} contacts, built in "
            f"{time.perf_counter() - t:.1f} s"
        )
        base = baseline(mbox)
        took, added = ours(book, mbox, work)
        print(common.header("ours", "mailbox alone"))
        print(common.row("headers read and matched, written", took, base, "s", "≤ 1 (ratio)"))
        print(f"  {added:,} interactions added; {messages / took:,.0f} messages a second")
        w_took, busy, idle = in_window(book, mbox, work)
        print(common.row("from the window (task runner)", w_took, base, "s", ""))
        print(
            common.row(
                "longest stall of the window meanwhile", busy * 1000, idle * 1000, "ms", "< 50 ms"
            )
        )


if __name__ == "__main__":
    main()
