"""LinkedIn's Connections.csv: a few note lines, then First Name, Last Name, URL, …"""

from __future__ import annotations

import csv
import io
import re

from app.model.records import ContactRecord, Labeled
from app.vcard.mapping import MappedCard
from app.vcard.problems import Problem, Severity
from app.vcard.reader import decode_text

REQUIRED = {"first name", "last name"}


def looks_like_linkedin(data: bytes) -> bool:
    head = decode_text(data[:4096]).lower()
    return "first name" in head and "last name" in head and ("url" in head or "company" in head)


def read_connections(data: bytes, file: str) -> tuple[list[MappedCard], list[Problem]]:
    text = decode_text(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    # Only line breaks end a line: str.splitlines also cuts at \x1c-\x1e, \x85 and \u2028,
    # which a cell may hold, and made one row two.
    lines = re.split(r"\r\n|\r|\n", text)
    header_at = next(
        (
            i
            for i, line in enumerate(lines)
            if {c.strip().lower() for c in next(csv.reader([line]), [])} >= REQUIRED
        ),
        None,
    )
    if header_at is None:
        return [], [
            Problem(
                file,
                0,
                "no LinkedIn header (First Name, Last Name, …) was found; nothing imported",
                Severity.ERROR,
            )
        ]
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:]), newline=""))
    header = [h.strip().lower() for h in next(reader)]
    cards: list[MappedCard] = []
    problems: list[Problem] = []
    read = reader.line_num
    for row in reader:
        line = header_at + read + 1  # where the row starts: a quoted cell may hold line breaks
        read = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(
                    file,
                    line,
                    f"expected {len(header)} columns, found {len(row)}; read what was there",
                )
            )
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        r = ContactRecord(
            given_name=cells.get("first name", ""),
            family_name=cells.get("last name", ""),
            organization=cells.get("company", ""),
            title=cells.get("position", ""),
        )
        if cells.get("email address"):
            r.emails.append(Labeled(cells["email address"], ""))
        if cells.get("url"):
            r.urls.append(Labeled(cells["url"], "LinkedIn"))
        if cells.get("connected on"):
            r.how_met = f"LinkedIn connection since {cells['connected on']}"
        m = MappedCard(r, file, line)
        if not r.display_name:
            m.problems.append(
                Problem(
                    file,
                    line,
                    "the row has no name, company, email or URL; skipped",
                    Severity.ERROR,
                )
            )
        cards.append(m)
    return cards, problems
