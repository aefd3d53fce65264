"""The network views at the size of a long career, against the same views on a small network
measured in the same run.

    python bench/network_bench.py [CONTACTS] [INTERACTIONS]   (default 50,000 and 200,000)

Builds two databases: the big one (CONTACTS contacts, INTERACTIONS interactions, one contact
with 500 of them, a keep-in-touch tier on every hundredth contact (500 at 50,000: more than
anyone keeps in touch with on purpose), a follow-up per thousand and an ask per two thousand
contacts) and a
baseline of 1,000 contacts and 4,000 interactions. For each it times, over real widgets
(offscreen Qt) on a real SQLite file:

- Today opened: the due items read and shown in the Today tab (TodayTab.refresh);
- a contact with 500 interactions opened: its pane's history, follow-ups, give and take,
  groups and introductions read and shown (ActivityPanel.show_contact);
- typing in the introduced-by picker: each keystroke of 12 names, one letter at a time,
  from the text to the completer's list filled (ContactPicker.on_edited);
- the network map: from NetworkTab.refresh to both charts drawn (counted off the GUI thread),
  and the part of it spent on the GUI thread (starting the count, drawing the result).

Prints the median and 95th percentile for each, the baseline's median, the ratio, and
whether the median stays under one frame (16 ms). Not a test: timings are never asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import common
from sqlalchemy import insert, select, update

from app.model.records import ContactRecord, Labeled
from app.model.tables import Contact, Exchange, FollowUp, Interaction
from app.services.contacts import create_contacts, find_choices
from app.storage.db import Database, open_database

# The first of the shared names: the same people as before the lists were shared.
FIRST = common.FIRST[:20]
LAST = common.LAST[:16]
ORGS = [
    ("Northwind Health", "Healthcare"),
    ("Contoso Software", "Software"),
    ("Fabrikam", "Manufacturing"),
    ("City University", "Higher education"),
    ("Woodgrove Bank", "Finance"),
    ("Blue Yonder Energy", "Energy"),
]
KINDS = common.KINDS
TYPED = [
    "ana okafor",
    "ben",
    "chloé m",
    "dmitri",
    "esther na",
    "farid p",
    "grace",
    "hiroshi t",
    "inès",
    "jamal x",
    "maya z",
    "wen",
]
FRAME_MS = 16.0


def build(path: Path, contacts: int, interactions: int) -> tuple[Database, int]:
    """A database of *contacts* people and *interactions*; returns it and the busiest id."""
    rnd = random.Random(5)
    db = open_database(path)
    today = dt.date.today()
    batch = 5000
    with db.session() as s:
        for start in range(0, contacts, batch):
            records = []
            for i in range(start, min(contacts, start + batch)):
                org, industry = ORGS[i % len(ORGS)]
                first, last = rnd.choice(FIRST), rnd.choice(LAST)
                records.append(
                    ContactRecord(
                        given_name=first,
                        family_name=f"{last} {i}",
                        organization=f"{org} {i % 400}",
                        title="Analyst",
                        industry=industry if i % 3 else "",
                        tier="ABCD"[i % 4] if i % 100 == 0 else "",
                        emails=[Labeled(f"p{i}@example.org", "work")],
                    )
                )
            create_contacts(s, records)
        ids = list(s.scalars(select(Contact.id)))
        busiest = ids[len(ids) // 2]
        rows = [
            {
                "contact_id": busiest,
                "occurred_on": today - dt.timedelta(days=3 * k),
                "kind": KINDS[k % len(KINDS)],
                "summary": f"Talked about the move, part {k}",
                "created_at": dt.datetime.now(),
            }
            for k in range(min(500, interactions))
        ]
        for k in range(interactions - len(rows)):
            rows.append(
                {
                    "contact_id": rnd.choice(ids),
                    "occurred_on": today - dt.timedelta(days=rnd.randrange(3000)),
                    "kind": KINDS[k % len(KINDS)],
                    "summary": "Coffee and a catch-up",
                    "created_at": dt.datetime.now(),
                }
            )
        for start in range(0, len(rows), 20000):
            s.execute(insert(Interaction), rows[start : start + 20000])
        s.execute(
            insert(FollowUp),
            [
                {
                    "contact_id": ids[k * 7 % len(ids)],
                    "due_on": today - dt.timedelta(days=k % 30),
                    "text": "Send the article",
                    "created_at": dt.datetime.now(),
                }
                for k in range(max(10, contacts // 1000))
            ],
        )
        s.execute(
            insert(Exchange),
            [
                {
                    "contact_id": ids[k * 13 % len(ids)],
                    "direction": "asked",
                    "kind": "advice",
                    "occurred_on": today - dt.timedelta(days=k % 20),
                    "note": "",
                    "created_at": dt.datetime.now(),
                }
                for k in range(max(10, contacts // 2000))
            ],
        )
        s.execute(update(Contact).where(Contact.id.in_(ids[:50])).values(introduced_by_id=busiest))
    return db, busiest


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def measure(db: Database, busiest: int) -> dict[str, list[float]]:
    from app.ui.common.contact_picker import ContactPicker
    from app.ui.contacts.activity import ActivityPanel
    from app.ui.network.tab import NetworkTab
    from app.ui.today.tab import TodayTab

    today_tab = TodayTab(db)
    panel = ActivityPanel(db)
    picker = ContactPicker()

    def search(text: str) -> list[object]:
        with db.session() as s:
            return find_choices(s, text)  # type: ignore[return-value]

    picker.search = search  # type: ignore[assignment]
    network = NetworkTab(db)

    def keystrokes() -> list[float]:
        out = []
        for name in TYPED:
            for n in range(1, len(name) + 1):
                start = time.perf_counter()
                picker.on_edited(name[:n])
                out.append((time.perf_counter() - start) * 1000)
        return out

    keystrokes()  # warm the caches once, as a user's first minute would
    from PySide6.QtCore import QEventLoop

    gui_ms: list[float] = []
    counted = network._counted

    def timed_counted(generation: int, counts: object) -> None:
        start = time.perf_counter()
        counted(generation, counts)  # type: ignore[arg-type]
        gui_ms.append((time.perf_counter() - start) * 1000)

    network._counted = timed_counted  # type: ignore[method-assign]

    def map_filled() -> None:
        loop = QEventLoop()
        network.loaded.connect(loop.quit)
        start = time.perf_counter()
        network.refresh()
        gui_ms.append((time.perf_counter() - start) * 1000)
        loop.exec()
        network.loaded.disconnect(loop.quit)

    map_latency = timings(map_filled, 7)
    # What the GUI thread spent: starting the count, then drawing what came back.
    map_gui = [a + b for a, b in zip(gui_ms[0::2], gui_ms[1::2], strict=True)]
    result = {
        "Today opened": timings(today_tab.refresh, 31),
        "contact with 500 interactions opened": timings(lambda: panel.show_contact(busiest), 15),
        "introduced-by picker, per keystroke": keystrokes(),
        "network map counted and drawn": map_latency,
        "  of which on the GUI thread": map_gui,
    }
    picker.completer().popup().hide()  # type: ignore[union-attr]
    return result


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    (contacts, interactions), _ = common.arguments([50_000, 200_000])
    from app.ui.window.application import make_app

    make_app()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        big, big_busy = build(Path(tmp) / "big.sqlite3", contacts, interactions)
        print(
            f"built {contacts:,} contacts, {interactions:,} interactions in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        small, small_busy = build(Path(tmp) / "small.sqlite3", 1000, 4000)
        big_t = measure(big, big_busy)
        small_t = measure(small, small_busy)
        print(f"{'':38} {'median':>8} {'p95':>8} {'1,000 (median)':>15} {'ratio':>6}  frame")
        for name, values in big_t.items():
            med, base = statistics.median(values), statistics.median(small_t[name])
            ok = "under 16 ms" if med < FRAME_MS else "OVER 16 ms"
            print(
                f"{name:38} {med:7.1f}ms {p95(values):7.1f}ms {base:13.1f}ms "
                f"{med / base:6.2f}  {ok}"
            )
        big.close()
        small.close()


if __name__ == "__main__":
    main()
