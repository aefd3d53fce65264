"""The collector is paused during bulk work (the window kept the GIL) and always comes back."""

from __future__ import annotations

import gc

import pytest

from app.gc_pause import gc_paused
from app.services.importing import Cancelled, import_files, parse_bytes
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
