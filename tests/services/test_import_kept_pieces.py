"""The window's import keeps a large file's pieces pickled between its preview and its
import (issue 24, item 5): the preview and the import each unpickle them a piece at a time,
and give exactly what the file read whole gives; nothing is written before the import."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.services import import_job, importing
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


def test_the_window_helper_keeps_a_large_files_pieces_and_writes_only_after_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """import_job's own steps, run here (a thread, a real pipe): a file read in pieces
    reaches the preview as kept pieces, not cards; nothing is written until "go"."""
    monkeypatch.setattr(importing, "PARALLEL_FROM", 1)  # pieces of PIECE (256 kB) each
    path = tmp_path / "big.vcf"
    path.write_bytes(
        vcf(*(card(fn=f"Person {i}", email=f"p{i}@x.org", note="x" * 300) for i in range(1500)))
    )
    db_path = tmp_path / "db.sqlite3"
    open_database(db_path).close()
    before = tables(db_path)
    previewed: list[tuple[int, int]] = []
    real = importing.preview_import

    def preview(session: Any, files: list[ParsedFile], keep: Any = None) -> Any:
        previewed.extend((len(f.kept), len(f.cards)) for f in files)
        return real(session, files, keep)

    monkeypatch.setattr(importing, "preview_import", preview)
    ours, theirs = multiprocessing.Pipe()
    helper = threading.Thread(
        target=import_job._import,
        args=(theirs, multiprocessing.Event(), db_path, tmp_path / "backups", [str(path)]),
        daemon=True,
    )
    helper.start()

    def answer(want: str) -> Any:
        deadline = time.monotonic() + 120  # only to stop a hang
        while True:
            while not ours.poll(0.05):
                assert helper.is_alive() and time.monotonic() < deadline, "the helper is silent"
            kind, value = ours.recv()
            if kind != "progress":
                assert kind == want, value
                return value

    went = False
    try:
        shown = answer("preview")
        assert previewed == [(3, 0)]  # three pieces kept, no card held
        assert tables(db_path) == before  # nothing written while the user reads it
        ours.send("go")
        went = True
        report = answer("done")
    finally:
        if not went:
            ours.send("stop")  # the helper ends without writing
        helper.join(120)
    assert (shown.new, report.imported, report.merged, report.unchanged) == (1500, 1500, 0, 0)


@pytest.mark.parametrize("how", ["kept", "streamed"])
def test_import_progress_counts_the_files_cards_n_of_m(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """Progress reads "N of M cards": M the file's cards (what the preview counted), N never
    over M nor going back, ending at M; writing new people is not counted apart (it showed
    "34000 of 37000" for 20,000 cards)."""
    monkeypatch.setattr(importing._ImportRun, "BATCH", 2)  # writes between the cards
    data = many_pieces() + book()
    cards = len(parse_bytes(data, "whole.vcf", processes=1).cards)
    path = tmp_path / "many.vcf"
    path.write_bytes(data)
    db = open_database(tmp_path / "db.sqlite3")
    if how == "kept":
        parsed = parse_bytes(data, str(path), processes=2, piece=1024, keep=True)
        assert len(parsed.kept) > 10
        with db.session() as s:
            preview = preview_import(s, [parsed])
        assert preview.new + preview.merge + preview.skip == cards
    else:
        parsed = importing.open_file(path, processes=2, piece=1024)
    calls: list[tuple[int, int]] = []
    with db.session() as s:
        import_files(s, [parsed], lambda done, total: calls.append((done, total)))
    assert len(calls) > 5
    assert all(done <= total for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (cards, cards)
    if how == "kept":  # the count is known before the import starts
        assert {total for _, total in calls} == {cards}
