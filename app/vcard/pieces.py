"""One piece of a large vCard file, read in a worker process.

Kept apart from the import service on purpose: a worker process imports the module its
function lives in, and app.services.importing brings SQLAlchemy and the whole storage
layer with it (0.77 s to import here, against 0.06 s for this one), which every worker paid
before reading a card.
"""

from __future__ import annotations

import pickle

from app.gc_pause import gc_paused
from app.model.normalize import phone_keys_of
from app.vcard.mapping import map_card
from app.vcard.problems import Problem
from app.vcard.reader import iter_cards

# How many cards, the cards pickled, the problems outside any card, the phones' keys.
PieceRead = tuple[int, bytes, list[Problem], dict[tuple[str, str | None], str]]


def parse_piece(job: tuple[bytes, str, int]) -> PieceRead:
    """One piece of a file, read and mapped, and the keys of its phone numbers (the import
    matches on them; working them out is slow).

    The cards come back pickled (list[MappedCard]; pickle.loads gives them): the window's
    import keeps each piece so between its preview and its import, about 1 kB a card
    against 3 kB as objects."""
    data, name, first_line = job
    outside: list[Problem] = []
    with gc_paused():
        cards = [map_card(c) for c in iter_cards(data, name, outside, first_line)]
        phones = phone_keys_of([p.value for c in cards for p in c.record.phones])
        kept = pickle.dumps(cards, protocol=5)
    return len(cards), kept, outside, phones
