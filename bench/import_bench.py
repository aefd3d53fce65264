"""Import speed against vobject alone parsing the same file, measured in the same run.

    python bench/import_bench.py [CARDS]      (default 10,000)

Prints seconds for each and the ratio ours / vobject. "Ours" is the whole import: reading
bytes, splitting and decoding cards, mapping, duplicate matching and writing every contact to
a fresh SQLite database in one transaction. "vobject" is only vobject.readComponents over the
same text (no database at all), so a ratio below 1.0 means the full import is faster than the
library's parser alone.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vobject

from app.services.importing import import_files, read_file
from app.storage.db import open_database

FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Esther", "Farid", "Grace", "Hiroshi", "Inès", "Jamal"]
LAST = ["Okafor", "Lindqvist", "Müller", "García", "Nakamura", "O'Brien", "Patel", "Rossi"]
SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "va", "ze"]
ORGS = ["Northwind Health", "Contoso Software", "Fabrikam", "City University", "Woodgrove Bank"]


def make_file(path: Path, n: int) -> None:
    rnd = random.Random(42)
    with path.open("w", encoding="utf-8", newline="") as f:
        for i in range(n):
            first = rnd.choice(FIRST)
            # Distinct people: same name and organisation would (rightly) be merged.
            last = rnd.choice(LAST) + "-" + "".join(SYLLABLES[int(d)] for d in f"{i:05d}")
            org = rnd.choice(ORGS)
            f.write(
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"UID:bench-{i}\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n"
                f"ORG:{org};Research\r\nTITLE:Analyst {i % 17}\r\n"
                f"EMAIL;TYPE=INTERNET,WORK:{first.lower()}.{i}@example.org\r\n"
                f"TEL;TYPE=CELL:+1 555 {i:07d}\r\n"
                f"ADR;TYPE=WORK:;;{i} Main Street;Springfield;IL;62701;USA\r\n"
                "NOTE:Met at the regional meetup. Interested in data roles\\, mentoring.\r\n"
                f"CATEGORIES:alumni,bench{i % 5}\r\nBDAY:19{50 + i % 50}-0{1 + i % 9}-1{i % 9}\r\n"
                "END:VCARD\r\n"
            )


def time_vobject(path: Path) -> float:
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    count = sum(1 for _ in vobject.readComponents(text))
    elapsed = time.perf_counter() - start
    assert count > 0
    return elapsed


def time_ours(path: Path, db_path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    db = open_database(db_path)
    parsed = read_file(path)
    with db.session() as s:
        report = import_files(s, [parsed])
    db.close()
    return time.perf_counter() - start, report.imported


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        vcf = Path(tmp) / "bench.vcf"
        make_file(vcf, n)
        base = min(time_vobject(vcf) for _ in range(2))
        runs = [time_ours(vcf, Path(tmp) / f"run{i}.sqlite3") for i in range(2)]
        ours = min(t for t, _ in runs)
        assert all(count == n for _, count in runs), runs
    print(f"cards: {n}")
    print(f"vobject.readComponents alone: {base:.2f} s")
    print(f"Second Act import (parse + merge + SQLite): {ours:.2f} s")
    print(f"ratio ours / vobject: {ours / base:.2f}")


if __name__ == "__main__":
    main()
