"""Today read off the window's thread (issue 24): the window's longest stalls, on the
clustered book, when every contact becomes due on Today.

    python bench/today_bench.py [CARDS] [INTERACTIONS] [--data DIR]
                                (default 50,000 cards, 200,000 interactions)

In a fresh process, real SQLite file (a copy), offscreen Qt, the window as run_gui opens it:

- the tier set on all CARDS contacts through the window (selected in the list, Keep in
  touch answered "B", the real background runner and undo stack): seconds until Today
  is read again, and the longest event-loop stall meanwhile (duplicates_bench's 5 ms
  timer) against the idle window's; target under 100 ms;
- Today read again with CARDS people due (what every later change does): the time
  `refresh()` holds the window's thread, and the longest stall until the rows are shown;
  target under 100 ms.

DIR, if given, is a data folder that build_database(clustered=True) made earlier.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import arguments, build_database, header, row
from common import run_child as _run_child


def child(data: str) -> None:
    from duplicates_bench import Ticks
    from PySide6.QtCore import QItemSelection, QItemSelectionModel
    from PySide6.QtWidgets import QDialog
    from window_bench import window

    from app.ui.common.forms import ChoiceDialog

    where = Path(tempfile.mkdtemp())
    shutil.copyfile(Path(data) / "second-act.sqlite3", where / "second-act.sqlite3")
    app, w = window(str(where))
    w.show()

    def ask(dialog: object) -> object:
        assert isinstance(dialog, ChoiceDialog) and dialog.windowTitle() == "Keep in touch"
        dialog.choice.setCurrentIndex(dialog.choice.findData("B"))
        return QDialog.DialogCode.Accepted

    w.ask = ask
    today = w.today
    # Before issue 24's change Today had no pending(): it read on the window's thread.
    pending = getattr(today, "pending", lambda: False)
    ticks = Ticks(app)
    ticks.spin(1.0, lambda: w.contacts.model.rowCount() > 0 and not pending())
    n = w.contacts.model.rowCount()
    result: dict[str, list[float]] = {"idle": [ticks.idle()]}
    model = w.contacts.model
    flags = QItemSelectionModel.SelectionFlag
    chosen = QItemSelection(model.index(0, 0), model.index(n - 1, 0))
    w.contacts.table.selectionModel().select(chosen, flags.ClearAndSelect | flags.Rows)
    ticks.spin(0.2)
    stack = w.undo_stack
    target = stack.index() + 1
    counted: list[int] = []  # Today's count once read again after the step
    today.count_changed.connect(counted.append)
    result["tier"] = ticks.timed(
        w.contact_actions.set_tier,
        lambda: (
            stack.index() == target
            and not w.tasks.running
            and not stack._busy
            and not pending()
            and bool(counted)
        ),
    )
    result["due"] = [float(today.model.rowCount())]
    since = ticks.now()
    start = time.perf_counter()
    today.refresh()
    held = time.perf_counter() - start
    done = ticks.spin(0.3, lambda: not pending())
    result["refresh"] = [held * 1000, ticks.longest(since), done - start]
    ticks.timer.stop()
    w.db.close()
    shutil.rmtree(where)
    print(json.dumps({"n": n, **result}))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
        return
    (n, interactions), given = arguments([50_000, 200_000])
    with tempfile.TemporaryDirectory() as tmp:
        made = given or build_database(Path(tmp) / "big", n, interactions, clustered=True).parent
        got = json.loads(_run_child(__file__, "--child", str(made))[-1])
    idle = got["idle"][0]
    tier, refresh = got["tier"], got["refresh"]
    print(header("ours", "baseline"))
    print(f"{'':44} ({got['n']:,} contacts; {int(got['due'][0]):,} due on Today)")
    print(f"{'set the tier of all, until Today is read':44} {tier[0]:10.3f} s")
    print(row("  longest stall (baseline: idle)", tier[1], idle, "ms", "< 100 ms"))
    print(row("Today read again: refresh() holds the thread", refresh[0], idle, "ms", "-"))
    print(row("  longest stall until shown (baseline: idle)", refresh[1], idle, "ms", "< 100 ms"))


if __name__ == "__main__":
    main()
