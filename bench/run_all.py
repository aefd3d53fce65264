"""Every long-career benchmark in one run (issue 11), on one generated database.

    python tasks.py bench            (sets up .venv with khard, then runs this)
    python bench/run_all.py [CARDS] [INTERACTIONS]   (default 50,000 and 200,000)

Builds the data folder once (CARDS generated cards imported, INTERACTIONS interactions),
then runs, each printing its figures beside the baseline it measured in the same run:

1. import_bench.py      import of 10,000 and CARDS cards against vobject alone, peak memory
2. window_bench.py      start-up, search, the window live while importing, memory
3. cli_bench.py         list --json of everything; list --search against khard (10,000)
4. export_bench.py      export as vCard 4.0 against vobject serialising the same cards
5. network_bench.py     Today, a long history, the introduced-by picker, the network map
6. mail_history_bench.py  100,000 messages' headers against CARDS contacts, against mailbox alone
7. on the clustered book (issue 24: CARDS cards whose names repeat, built too):
   window_bench.py and cli_bench.py again, import_bench.py --full-book (5,000 new people
   imported into it as the window does, against `second-act import`), and
   duplicates_bench.py (possible duplicates counted at start, the review, each decision
   and a whole group merged, bulk delete and its undo, bulk tag, tier, industry and delete
   through the window, an import undone through it, each with its longest stall, start-up),
   and today_bench.py (the tier set on all through the window and Today read again with
   everyone due: the window's longest stall)

Takes 10 to 15 minutes on a 2-core machine. bench/RESULTS.md keeps what it printed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import build_database

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> None:
    print(f"\n== {script} {' '.join(args)}", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)
    print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)


def main() -> None:
    n = sys.argv[1] if len(sys.argv) > 1 else "50000"
    interactions = sys.argv[2] if len(sys.argv) > 2 else "200000"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        data = build_database(Path(tmp) / "data", int(n), int(interactions)).parent
        print(f"built {int(n):,} cards, {int(interactions):,} interactions")
        print(f"in {time.perf_counter() - start:.0f} s", flush=True)
        run("import_bench.py", "10000", n)
        run("window_bench.py", n, interactions, "--data", str(data))
        run("cli_bench.py", n, "--data", str(data))
        run("export_bench.py", n, "--data", str(data))
        run("network_bench.py", n, interactions)
        run("mail_history_bench.py", "100000", n)
        start = time.perf_counter()
        clustered = build_database(
            Path(tmp) / "clustered", int(n), int(interactions), clustered=True
        ).parent
        print(f"\nbuilt the clustered book in {time.perf_counter() - start:.0f} s", flush=True)
        run("window_bench.py", n, interactions, "--data", str(clustered))
        run("cli_bench.py", n, "--data", str(clustered))
        run("import_bench.py", "--full-book", str(clustered))
        run("duplicates_bench.py", n, interactions, "--data", str(clustered))
        run("today_bench.py", n, interactions, "--data", str(clustered))


if __name__ == "__main__":
    main()
