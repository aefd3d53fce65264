"""The collector is paused during bulk work (the window kept the GIL) and always comes back."""

from __future__ import annotations

import gc

import pytest

from app.gc_pause import LARGE, gc_paused
from app.services.importing import Cancelled, import_files, parse_bytes, release
from app.storage.db import Database

CARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n"


def test_nested_pauses_switch_the_collector_back_on_only_at_the_end() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer job is still running
    assert gc.isenabled()


def test_an_import_pauses_the_collector_and_leaves_it_on(db: Database) -> None:
    seen = []
    parsed = parse_bytes(CARD, "ann.vcf")
    assert gc.isenabled()
    with db.session() as s:
        import_files(s, [parsed], progress=lambda *_: seen.append(gc.isenabled()))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_a_cancelled_import_leaves_the_collector_on(db: Database) -> None:
    parsed = parse_bytes(CARD, "ann.vcf")
    with pytest.raises(Cancelled), db.session() as s:
        import_files(s, [parsed], cancelled=lambda: True)
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_large_job_leaves_alive_is_frozen_out_of_full_collections() -> None:
    before = gc.get_freeze_count()
    with gc_paused():
        kept = [[i] for i in range(LARGE + 1000)]  # tracked objects the job hands back
    # A full collection would have walked all of them on the window's thread.
    assert gc.get_freeze_count() >= before + LARGE
    assert gc.isenabled()
    assert len(kept) == LARGE + 1000


def test_a_small_job_leaves_its_garbage_to_the_collector() -> None:
    """A sync every 15 minutes parses a few cards: freezing after each would keep whatever
    reference cycles existed at that moment, for good."""
    gc.collect()
    before = gc.get_freeze_count()
    with gc_paused():
        for _ in range(100):
            cycle: list[object] = []
            cycle.append(cycle)  # garbage only the collector can free
        del cycle
    # Not "==": a frozen object that another thread lets go of meanwhile leaves the permanent
    # generation (seen under two workers); a freeze here would add the 100 cycles.
    assert gc.get_freeze_count() <= before
    assert gc.collect() >= 100


def test_release_frees_every_card_and_empties_the_list() -> None:
    data = b"".join(
        CARD.replace(b"Ann Lee", f"Ann {i}".encode()).replace(b"ann@", f"a{i}@".encode())
        for i in range(450)
    )
    parsed = [parse_bytes(data, "many.vcf"), parse_bytes(CARD, "one.vcf")]
    files = list(parsed)
    assert [len(f.cards) for f in files] == [450, 1]
    release(parsed, step=100)
    assert parsed == [] and [f.cards for f in files] == [[], []]
