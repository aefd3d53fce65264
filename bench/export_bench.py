"""Export of a long career's address book as vCard 4.0, against vobject serialising the same
cards, measured in the same run.

    python bench/export_bench.py [CARDS] [--data DIR]    (default 50,000)

"Ours" is the whole export as the window runs it (`export_contacts`): every contact read
from SQLite, written as vCard 4.0 and saved to one file. "vobject" is only
`component.serialize()` over the same cards, already parsed from our file (no database, no
file written), so a ratio below 1.0 means our whole export is faster than the library's
serialiser alone. Target (issue 11): 0.5 or less.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import vobject
from common import arguments, build_database, header, row

from app.services.contacts import list_contact_ids
from app.services.exporting import export_contacts
from app.storage.db import open_database


def main() -> None:
    (n,), data = arguments([50_000])
    with tempfile.TemporaryDirectory() as tmp:
        db_path = (data / "second-act.sqlite3") if data else build_database(Path(tmp), n, 0)
        db = open_database(db_path)
        out = Path(tmp) / "export.vcf"
        ours = []
        for _ in range(2):
            start = time.perf_counter()
            with db.session() as s:
                report = export_contacts(s, list_contact_ids(s), out, "4.0")
            ours.append(time.perf_counter() - start)
        db.close()
        components = list(vobject.readComponents(out.read_text(encoding="utf-8")))
        assert len(components) == report.count, (len(components), report.count)
        base = []
        for _ in range(2):
            start = time.perf_counter()
            for c in components:
                c.serialize()
            base.append(time.perf_counter() - start)
    print(f"export of {report.count:,} contacts as vCard 4.0 (best of two)")
    print(header("ours", "vobject"))
    print(row("export (read, write 4.0, save)", min(ours), min(base), "s", "ratio <= 0.5"))


if __name__ == "__main__":
    main()
