"""Import speed and memory against vobject alone parsing the same file, in the same run.

    python bench/import_bench.py [CARDS ...]      (default 10,000 and 50,000)

For each size, a generated file (common.make_cards: a photo on every tenth card) is parsed
by vobject (`vobject.readComponents` over the text, nothing else: no database) and imported
by Second Act in a fresh process: bytes read, cards split and decoded, mapped, matched
against existing contacts for duplicates, and written to a new SQLite database. A ratio
below 1.0 means the whole import is faster than the library's parser alone. Targets
(issue 11): ratio 0.5 or less; peak memory under 250 MB at 50,000.

The same file is then imported again into that database (every card already there,
unchanged), against the first import: it was 20 times slower (issue 22); target 1.0 or less.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import vobject
from common import header, make_cards, own_peak_mb, row, run_child


def time_vobject(path: Path) -> float:
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    count = sum(1 for _ in vobject.readComponents(text))
    elapsed = time.perf_counter() - start
    assert count > 0
    return elapsed


def child(vcf: str, db_path: str) -> None:
    """In its own process: import *vcf*, print seconds, contacts and peak MB."""
    from app.services.importing import import_files, read_file
    from app.storage.db import open_database

    start = time.perf_counter()
    db = open_database(Path(db_path))
    with db.session() as s:
        report = import_files(s, [read_file(vcf)])
    db.close()
    print(time.perf_counter() - start, report.imported, report.unchanged, own_peak_mb())


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 50_000]
    lines = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            vcf = Path(tmp) / "cards.vcf"
            make_cards(vcf, n)
            base = time_vobject(vcf)
            db = str(Path(tmp) / "db.sqlite3")
            seconds, imported, _, peak = run_child(__file__, "--child", str(vcf), db)[-1].split()
            assert int(imported) == n, (imported, n)
            lines.append(row(f"import of {n:,} cards", float(seconds), base, "s", "<= 0.5"))
            lines.append(f"{'':44} peak memory {float(peak):.0f} MB (target < 250 MB at 50,000)")
            again, imported, unchanged, _ = run_child(__file__, "--child", str(vcf), db)[-1].split()
            assert (int(imported), int(unchanged)) == (0, n), (imported, unchanged, n)
            lines.append(
                row(
                    f"re-import of {n:,} unchanged cards",
                    float(again),
                    float(seconds),
                    "s",
                    "<= 1.0",
                )
            )
    print(header("ours", "vobject"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
