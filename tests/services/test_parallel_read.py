"""A large file is read in pieces by worker processes (issue 11): the cards, problems and
line numbers must be exactly those of one reading from start to end, on every file of the
real-client corpus."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from app.services.importing import ParsedFile, import_files, parse_bytes
from app.storage.db import open_database
from app.vcard.pieces import parse_piece
from app.vcard.reader import split_between_cards, strip_bom
from tests.conftest import VCARDS

FILES = sorted(VCARDS.rglob("*.vcf"))


def seen(parsed: ParsedFile) -> tuple[list[object], list[object]]:
    cards = [(c.record, c.file, c.line, c.problems, c.introduced_by_uid) for c in parsed.cards]
    return cards, list(parsed.problems)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(VCARDS)))
def test_every_corpus_file_read_in_pieces_is_read_the_same(path: Path) -> None:
    # Most corpus files hold one card: the file twice over makes at least two pieces, and the
    # second copy's line numbers must be counted on from the first.
    one = strip_bom(path.read_bytes())
    data = one if one.endswith(b"\n") else one + b"\r\n"
    data += data
    whole = parse_bytes(data, str(path), processes=1)
    pieces = split_between_cards(data, 1)  # cut between every two cards
    whole_cards = b"BEGIN:VCARD" in data.upper() and b"END:VCARD" in data.upper()
    assert len(pieces) >= 2 or not whole_cards  # a broken file without BEGIN or END is one
    parts = ParsedFile(str(path))
    for piece, line in pieces:
        count, kept, outside, _phones = parse_piece((piece, path.name, line))
        cards = pickle.loads(kept)
        assert count == len(cards)
        parts.cards.extend(cards)
        parts.problems.extend(outside)
    if not parts.cards and not parts.problems:
        return  # parse_bytes adds its "no vCards found" itself; compared below when cards
    assert seen(parts) == seen(whole)


def test_a_piece_is_not_decoded_again_on_its_own() -> None:
    """Found by the fuzzing: the second piece, starting at a card whose UTF-32 value put
    many NULs near its start, was read as UTF-16 without a byte-order mark (garbage), though
    the file as a whole is UTF-8."""
    first = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\nNOTE:" + b"x" * 400 + b"\r\nEND:VCARD\r\n"
    second = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Bob Ray\r\nNOTE;CHARSET=utf-32:"
        + ("Hello, world. " * 20).encode("utf-32")
        + b"\r\nEND:VCARD\r\n"
    )
    data = first + second
    alone = parse_bytes(data, "two.vcf", processes=1)
    parallel = parse_bytes(data, "two.vcf", processes=2, piece=1)
    assert [c.record.full_name for c in parallel.cards] == ["Ann Lee", "Bob Ray"]
    assert seen(parallel) == seen(alone)


def corpus_in_one_file() -> bytes:
    """Every UTF-8 file of the corpus one after the other, as a big export would be."""
    texts = []
    for path in FILES:
        data = path.read_bytes()
        if strip_bom(data) == data and b"BEGIN:VCARD" in data.upper():
            texts.append(data if data.endswith(b"\n") else data + b"\r\n")
    return b"".join(texts)


def test_worker_processes_read_the_corpus_exactly_as_one_process(tmp_path: Path) -> None:
    data = corpus_in_one_file()
    assert len(split_between_cards(data, 4096)) > 4  # the processes really get pieces
    alone = parse_bytes(data, "all.vcf", processes=1)
    parallel = parse_bytes(data, "all.vcf", processes=2, piece=4096)
    assert len(alone.cards) > 50
    assert seen(parallel) == seen(alone)
    # The workers also sent the keys of the phone numbers they read, as this process would
    # work them out (the import matches on them).
    from app.model import normalize

    sent = {v: k for (v, _region), k in normalize._worked_out.items()}
    phones = {p.value for c in alone.cards for p in c.record.phones}
    assert phones and phones <= set(sent)
    for (value, region), key in normalize._worked_out.items():
        assert normalize._phone_key(value, region) == key
    # And the same contacts come of them.
    listed = []
    for name, parsed in (("one", alone), ("two", parallel)):
        db = open_database(tmp_path / f"{name}.sqlite3")
        with db.session() as s:
            report = import_files(s, [parsed])
        listed.append((report.imported, report.merged, report.skipped, len(report.problems)))
        db.close()
    assert listed[0] == listed[1]


def test_a_reader_process_starts_without_the_storage_layer() -> None:
    """Each worker process imports the module of the function it runs: the import service
    brought SQLAlchemy and the storage layer (0.8 s of every worker's start, before it read
    a card); the piece reader needs neither."""
    import subprocess
    import sys

    code = (
        "import sys, app.vcard.pieces; "
        "print(sorted(m for m in ('sqlalchemy', 'app.services.importing', 'PySide6') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
