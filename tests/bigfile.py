"""A vCard file large enough to be read by worker processes (over PARALLEL_FROM), written
for the tests that need one: 2,500 cards, each with a small JPEG-looking photo."""

from __future__ import annotations

import base64
import random
from pathlib import Path


def write_large_vcf(path: Path, n: int = 2500) -> Path:
    rnd = random.Random(3)
    cards = []
    for i in range(n):
        photo = base64.b64encode(b"\xff\xd8\xff\xe0" + rnd.randbytes(1500)).decode()
        folded = "\r\n ".join(photo[k : k + 74] for k in range(0, len(photo), 74))
        cards.append(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nEMAIL:p{i}@example.org\r\n"
            f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}\r\nEND:VCARD\r\n"
        )
    path.write_text("".join(cards), encoding="utf-8", newline="")
    return path
