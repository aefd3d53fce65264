"""Export contacts as vCard (one file, or a folder with one safely named file per contact) or
as one CSV file."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.model.tables import Contact
from app.services.contacts import load_records
from app.services.files import atomic_write
from app.services.importing import Cancelled, Progress
from app.vcard.csv_out import to_csv
from app.vcard.writer import to_vcard

_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


class WouldReplace(FileExistsError):
    """Files already in the folder that an export of one file per contact would replace;
    nothing was written. The caller asks the user, then exports again with overwrite=True."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(f"{len(paths)} file(s) would be replaced: {', '.join(map(str, paths))}")
        self.paths = paths


@dataclass
class ExportReport:
    count: int = 0
    files: list[Path] = field(default_factory=list)


def safe_file_name(name: str, taken: set[str]) -> str:
    """A file name that works on Windows, macOS and Linux and is not already taken."""
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip(" .")[:80] or "contact"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    candidate, n = f"{stem}.vcf", 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}).vcf"
    taken.add(candidate.casefold())
    return candidate


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)  # an export may name a new folder
    atomic_write(path, text)


def export_contacts(
    session: Session,
    ids: list[int],
    out: Path,
    version: str = "3.0",
    *,
    csv: bool = False,
    folder: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportReport:
    """Write *ids* as vCards to the file *out*, or (*folder*) one file per contact in *out*;
    *version* is "3.0" or "4.0". *csv* writes one CSV file in Google Contacts' columns instead,
    UTF-8 with a byte-order mark so that Excel reads it as UTF-8.

    Raises WouldReplace, having written nothing, where a folder export would replace files
    already there, unless *overwrite*.
    """
    records = load_records(session, ids)
    if csv:
        if cancelled is not None and cancelled():
            raise Cancelled
        _atomic_write(out, "\ufeff" + to_csv(records))
        if progress is not None:
            progress(len(records), len(records))
        return ExportReport(len(records), [out])
    wanted = {r.introduced_by_id for r in records if r.introduced_by_id is not None}
    uids: dict[int, str] = {}
    if wanted:
        rows = session.execute(select(Contact.id, Contact.uid).where(Contact.id.in_(wanted)))
        uids = {cid: uid for cid, uid in rows}
    report = ExportReport()
    chunks: list[str] = []
    taken: set[str] = set()
    pending: list[tuple[Path, str]] = []
    for i, r in enumerate(records, start=1):
        if cancelled is not None and cancelled():
            raise Cancelled
        text = to_vcard(r, version, uids.get(r.introduced_by_id or -1, ""))
        if folder:
            pending.append((out / safe_file_name(r.display_name, taken), text))
        else:
            chunks.append(text)
        report.count += 1
        if progress is not None and (i % 50 == 0 or i == len(records)):
            progress(i, len(records))
    if folder:
        # The names are distinct within this export: a file there already was not written
        # by it (another export's, or the user's own) and is never replaced unasked.
        if not overwrite and (there := [path for path, _ in pending if path.exists()]):
            raise WouldReplace(there)
        for path, text in pending:
            _atomic_write(path, text)
            report.files.append(path)
    else:
        _atomic_write(out, "".join(chunks))
        report.files.append(out)
    return report
