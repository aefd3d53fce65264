"""The window's import keeps a large file's pieces pickled between its preview and its
import (issue 24, item 5): the preview and the import each unpickle them a piece at a time,
and give exactly what the file read whole gives; nothing is written before the import."""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path
from typing import Any

from app.services.importing import (
    KeptMatcher,
    ParsedFile,
    import_files,
    parse_bytes,
    preview_import,
)
from app.storage.db import open_database
from tests.services.test_import_streaming import book, many_pieces, tables
from tests.services.test_trust import card, vcf

WHEN = re.compile(r'"(created|updated)_at": "[^"]*"')


def undated(rows: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """*rows* without the times in a merged contact's before-image (the journal's)."""
    return {
        name: [tuple(WHEN.sub("when", v) if isinstance(v, str) else v for v in r) for r in table]
        for name, table in rows.items()
    }


def test_preview_and_import_of_kept_pieces_give_what_the_file_read_whole_gives(
    tmp_path: Path,
) -> None:
    data = many_pieces() + book()  # problems between and in cards; merges within the file
    old = vcf(card(fn="Person 3", email="p3@x.org", title="Old title"))  # a card joins her
    kept_file = parse_bytes(data, "many.vcf", processes=2, piece=1024, keep=True)
    assert kept_file.cards == [] and len(kept_file.kept) > 10  # held as many pickled pieces
    assert multiprocessing.active_children() == []

    def steps(name: str, parsed: ParsedFile) -> tuple[object, ...]:
        path = tmp_path / f"{name}.sqlite3"
        db = open_database(path)
        with db.session() as s:
            import_files(s, [parse_bytes(old, "old.vcf")])
        before = tables(path)
        kept: list[KeptMatcher] = []
        with db.session() as s:
            preview = preview_import(s, [parsed], kept)
        assert tables(path) == before  # the preview wrote nothing
        with db.session() as s:
            report = import_files(s, [parsed], kept=kept[0])
        assert parsed.kept == []  # the import let go of the pieces as it took them
        db.close()
        return preview, report, undated(tables(path))

    whole = steps("whole", parse_bytes(data, "many.vcf", processes=1))
    preview, report, rows = steps("kept", kept_file)
    assert preview == whole[0]
    assert (preview.new, preview.merge, preview.skip) == (
        report.imported,
        report.merged + report.unchanged,
        report.skipped,
    )
    assert preview.new > 50 and preview.merge > 3 and preview.skip > 0
    assert any(p.line > 0 and "outside" in p.message for p in preview.problems)
    assert report == whole[1]
    assert rows == whole[2]
