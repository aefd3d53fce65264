"""LinkedIn's Connections.csv: a few note lines, then First Name, Last Name, URL, …

Its rows are read by app.vcard.csv_formats with the other CSV layouts; this only tells a
Connections file saved without its .csv ending from a vCard file.
"""

from __future__ import annotations

from app.vcard.reader import decode_text


def looks_like_linkedin(data: bytes) -> bool:
    head = decode_text(data[:4096]).lower()
    return "first name" in head and "last name" in head and ("url" in head or "company" in head)
