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

    python bench/import_bench.py --full-book DIR [NEW]              (default NEW 5,000)

Importing NEW new people (common.make_cards with another prefix) into a copy of the book in
DIR (a data folder common.build_database made, 50,000 contacts) as the window does it (the
helper process of app/services/import_job.py: read, preview, go, import, report), against
`second-act import` of the same file into another copy, each from a fresh process, best of
two (issue 24, item 3). Target: the window at the command line's speed (ratio 1.0 or less).
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
    from app.services.importing import import_files, open_file
    from app.storage.db import open_database

    start = time.perf_counter()
    db = open_database(Path(db_path))
    with db.session() as s:  # as `second-act import` does it: the file read as it is imported
        report = import_files(s, [open_file(vcf)])
    db.close()
    print(time.perf_counter() - start, report.imported, report.unchanged, own_peak_mb())


def window_child(data: str, vcf: str) -> None:
    """In its own process: what File ▸ Import runs (the window's thread answers at once)."""
    from app.paths import AppPaths
    from app.services.import_job import ImportJob
    from app.services.importing import Preview

    paths = AppPaths(Path(data))
    start = time.perf_counter()
    job = ImportJob(paths.database, paths.backups, [vcf])
    preview = job.preview(lambda done, total: None, lambda: False)
    assert isinstance(preview, Preview), preview
    report = job.run(lambda done, total: None, lambda: False)
    print(time.perf_counter() - start, report.imported)


def full_book(data: Path, n: int) -> None:
    import shutil
    import subprocess

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        vcf = Path(tmp) / "new.vcf"
        make_cards(vcf, n, prefix="second")

        def fresh_copy() -> Path:
            into = Path(tmp) / "into"
            shutil.rmtree(into, ignore_errors=True)
            shutil.copytree(data, into, ignore=shutil.ignore_patterns("backups", "*.lock"))
            return into

        window, cli = float("inf"), float("inf")
        for _ in range(2):
            seconds, imported = run_child(__file__, "--window", str(fresh_copy()), str(vcf))[
                -1
            ].split()
            assert int(imported) == n, (imported, n)
            window = min(window, float(seconds))
            into = fresh_copy()
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "app", "--data-dir", str(into), "import", str(vcf)],
                check=True,
                capture_output=True,
            )
            cli = min(cli, time.perf_counter() - start)
        lines.append(
            row(f"window import of {n:,} into the book", window, cli, "s", "<= 1.0 (command line)")
        )
    print(header("window", "command"))
    print("\n".join(lines))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1:2] == ["--window"]:
        window_child(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1:2] == ["--full-book"]:
        full_book(Path(sys.argv[2]), int(sys.argv[3]) if sys.argv[3:] else 5000)
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
