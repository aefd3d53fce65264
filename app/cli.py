"""The second-act command: the window by default, and verbs on the same services."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import select
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.paths import AppPaths, FolderRefused, resolve

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from app.model.records import ContactRecord
    from app.storage.db import Database

# The database stack (SQLAlchemy, the model, storage: 0.5 s) is imported by the commands
# that use it, not by --version, --help or a usage error.

COMMANDS = (
    "list",
    "import",
    "export",
    "backup",
    "restore",
    "due",
    "log",
    "interviews",
    "campaigns",
    "sync",
    "mail-history",
    "duplicates",
)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, so a script or a person sees at once what was wrong.
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _common() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="folder holding the database (default: your user data folder; "
        "also SECOND_ACT_DATA_DIR)",
    )
    return common


def _gui_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="second-act",
        parents=[_common()],
        description="Second Act: organise your network for a career change.",
        epilog="commands: list (show contacts), import FILE... (vCard or CSV), "
        "export OUT (vCard or CSV), backup (copy the database now; --list shows the copies), "
        "restore FILE (put a backup back), due (what to do today), log CONTACT-ID (record "
        "a contact with someone), interviews, campaigns (outreach; --send ID sends), "
        "mail-history PATH... (interactions from your mail's headers), "
        "duplicates (people sharing a name, to review). "
        "Run 'second-act COMMAND --help' for details.",
    )
    p.add_argument("--version", action="version", version=f"second-act {__version__}")
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="vCard (.vcf) or CSV address books to offer for import",
    )
    return p


def _command_parser(command: str) -> argparse.ArgumentParser:
    p = _Parser(prog=f"second-act {command}", parents=[_common()])
    if command == "list":
        p.description = "List your contacts."
        p.add_argument(
            "--search",
            metavar="TEXT",
            default="",
            help="only contacts matching TEXT (names, emails, organisation, ...)",
        )
        p.add_argument("--json", action="store_true", help="print a JSON array")
    elif command == "import":
        p.description = (
            "Import vCard files and CSV files (Outlook, Google Contacts, LinkedIn "
            "Connections.csv, or any CSV by its columns) into your contacts."
        )
        p.add_argument("files", nargs="+", metavar="FILE")
        p.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="where a CSV column goes, when its header is not one Second Act knows: "
            "e.g. --map 'Cell=phone:mobile'. Fields: full_name, prefix, given_name, "
            "additional_names, family_name, suffix, nickname, organization, department, "
            "title, industry, note, how_met, tier, birthday, tags, email[:LABEL], "
            "phone[:LABEL], url[:LABEL], address:LABEL:street|city|region|postal_code|"
            "country|po_box|extended, spouse, manager, assistant, children, anniversary, "
            "other (kept under the column's name), ignore (left out)",
        )
        p.add_argument("--json", action="store_true", help="print the report as JSON")
    elif command == "export":
        p.description = "Export your contacts as vCard or CSV."
        p.add_argument(
            "out",
            metavar="OUT",
            help="a .vcf file, a .csv file (Google Contacts' columns, opens in Excel), or a "
            "folder for one vCard file per contact",
        )
        p.add_argument("--vcard-version", choices=("3.0", "4.0"), default="3.0")
        p.add_argument("--search", metavar="TEXT", default="", help="only contacts matching TEXT")
        p.add_argument(
            "--overwrite",
            action="store_true",
            help="in a folder, replace files that have a contact's file name already",
        )
    elif command == "backup":
        p.description = (
            "Copy your database into the backups folder now. Second Act also keeps a copy a "
            "day (the last 7) and one before every import, undo of an import, and bulk delete."
        )
        p.add_argument("--list", action="store_true", help="list the backups instead")
    elif command == "restore":
        p.description = (
            "Put a backup back in place of your database. The database it replaces is kept "
            "in the backups folder (moved there as it is, if it is damaged)."
        )
        p.add_argument("file", metavar="FILE", help="a backup, from 'second-act backup --list'")
    elif command == "due":
        p.description = "What is due today or overdue: follow-ups and keep-in-touch reminders."
        p.add_argument("--json", action="store_true", help="print a JSON array")
    elif command == "interviews":
        p.description = (
            "List your informational interviews by status and date, or save the scheduled "
            "ones as a calendar file."
        )
        p.add_argument("--json", action="store_true", help="print a JSON array")
        p.add_argument(
            "--ics",
            metavar="OUT",
            default=None,
            help="write the scheduled interviews to OUT (.ics) for a calendar app",
        )
    elif command == "campaigns":
        p.description = (
            "List your outreach campaigns with how many messages are in each status, or send "
            "(or resume sending) one campaign's queued messages from your mail account."
        )
        p.add_argument("--json", action="store_true", help="print a JSON array")
        p.add_argument(
            "--send",
            metavar="CAMPAIGN-ID",
            type=int,
            default=None,
            help=(
                "send the queued messages of this campaign, throttled as set in the window; "
                "if Second Act is already sending (the window or another --send), this says "
                "so and sends nothing (exit status 1): one sender at a time"
            ),
        )
    elif command == "sync":
        p.description = (
            "Sync your contacts both ways with the CardDAV address books set up in the window "
            "(or with --add-account). Prints what was added, changed and deleted on each side, "
            "and any conflict left for you."
        )
        p.add_argument("--json", action="store_true", help="print a JSON array, one per book")
        p.add_argument(
            "--allow-deletes",
            action="store_true",
            help="make the deletions even when there are more than 5 (otherwise they wait)",
        )
        p.add_argument(
            "--add-account",
            metavar="URL",
            default=None,
            help="set up an account first: the server's address (the password is asked for, "
            "or read from the SECOND_ACT_CARDDAV_PASSWORD variable, and kept in the OS keyring)",
        )
        p.add_argument("--user", metavar="NAME", default="", help="with --add-account")
    elif command == "mail-history":
        p.description = (
            "Add your history with your contacts from your own mail, reading headers only "
            "(From, To, Cc, Date, Subject, Message-ID, In-Reply-To, References, List-Id, "
            "Precedence), never bodies; nothing leaves this computer. Each message between you "
            "and someone in your contacts becomes an interaction; replies to your campaigns "
            "are marked replied. Reading the same mail again adds nothing twice."
        )
        p.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="mbox files (Thunderbird, Google Takeout, Apple Mail), Maildir folders, "
            "LinkedIn's messages.csv (matched by profile URL) or .ics calendars (past meetings)",
        )
        p.add_argument(
            "--me",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="an address of yours (repeat for each; the Outreach mail account's is known)",
        )
        p.add_argument(
            "--account",
            action="store_true",
            help="read your mail account (the one Outreach uses) over IMAP, read-only",
        )
        p.add_argument(
            "--imap-server",
            metavar="HOST[:PORT]",
            default=None,
            help="with --account: read this IMAP server instead (kept for next time; port 993, "
            "TLS; the password is asked for, or read from SECOND_ACT_IMAP_PASSWORD, and kept "
            "in the OS keyring)",
        )
        p.add_argument("--user", metavar="NAME", default="", help="with --imap-server")
        p.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            type=_date,
            default=None,
            help="with --account: from this day (default: the last 5 years)",
        )
        p.add_argument("--json", action="store_true", help="print the report as JSON")
    elif command == "duplicates":
        p.description = (
            "List the possible duplicates still to review: people who share a name, a group "
            "per name, with their contact ids (review them in the window)."
        )
        p.add_argument("--json", action="store_true", help="print a JSON array, one per group")
    elif command == "log":
        from app.services.interactions import KIND_LABELS

        p.description = "Record a real contact with someone (it counts for keep-in-touch)."
        p.add_argument("contact_id", metavar="CONTACT-ID", type=int, help="from 'list --json'")
        p.add_argument("--kind", choices=list(KIND_LABELS), default="note")
        p.add_argument("--summary", metavar="TEXT", default="")
        p.add_argument(
            "--date", metavar="YYYY-MM-DD", type=_date, default=None, help="default: today"
        )
    return p


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _split_command(argv: Sequence[str]) -> str | None:
    """The command word, if the first non-option argument is one."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--data-dir":
            skip = True
            continue
        if arg == "--":
            return None
        if arg.startswith("-"):
            continue
        return arg if arg in COMMANDS else None
    return None


def contact_json(
    r: ContactRecord, last_contact: dt.date | None = None, interaction_count: int = 0
) -> dict[str, Any]:
    return {
        "id": r.id,
        "last_contact": last_contact.isoformat() if last_contact else None,
        "interaction_count": interaction_count,
        "full_name": r.display_name,
        "given_name": r.given_name,
        "family_name": r.family_name,
        "emails": [e.value for e in r.emails],
        "phones": [p.value for p in r.phones],
        "urls": [u.value for u in r.urls],
        "tags": list(r.tags),
        "organization": r.organization,
        "title": r.title,
        "note": r.note,
        "birthday": r.birthday.iso() if r.birthday else None,
        "has_photo": r.photo is not None,  # b"" when read without the pictures
        "addresses": [
            {
                "street": a.street,
                "city": a.city,
                "region": a.region,
                "postal_code": a.postal_code,
                "country": a.country,
            }
            for a in r.addresses
        ],
    }


def _open(paths: AppPaths) -> Database:
    from app.storage.db import open_database

    paths.ensure()
    return open_database(paths.database, paths.backups)


def cmd_list(db: Database, args: argparse.Namespace) -> int:
    from app.gc_pause import gc_paused
    from app.services.contacts import iter_records, list_contact_ids

    count = 0
    # Bulk work, as an import is: the collector kept walking what was loaded while tens of
    # thousands of records passed through (a third of the time).
    with gc_paused(), db.session() as s:
        ids = list_contact_ids(s, args.search)
        if not args.json:
            for r in iter_records(s, ids, photos=False):  # read and written chunk by chunk
                email = r.emails[0].value if r.emails else ""
                line = "  ".join(x for x in (r.display_name, r.organization, r.title, email) if x)
                print(line)
                count += 1
            print(f"{count} contact{'s' if count != 1 else ''}", file=sys.stderr)
            return 0
        workers = min(os.cpu_count() or 1, 4)
        if len(ids) < PARALLEL_LIST_FROM or workers < 2:
            _write_json_array(_json_texts(s, ids))
            return 0
    # A large list is written by worker processes, a chunk each, in order.
    from concurrent.futures import ProcessPoolExecutor  # 25 ms that other commands skip

    db.engine.dispose()  # no connection is carried into them
    chunks = [ids[i : i + LIST_CHUNK] for i in range(0, len(ids), LIST_CHUNK)]
    with ProcessPoolExecutor(
        workers,
        mp_context=_worker_context(),
        initializer=_start_json_worker,
        initargs=(str(db.path),),
    ) as pool:
        _write_json_array(pool.map(_json_piece, chunks))
    return 0


# From this many contacts `list --json` is written by worker processes, one per core (up to
# four), LIST_CHUNK contacts at a time: at 50,000 one process took 2.9 s (issue 11).
PARALLEL_LIST_FROM = 10_000
LIST_CHUNK = 2_500


def _write_json_array(pieces: Iterable[str]) -> None:
    """Print a JSON array whose items come as pieces of text (one item or several, joined
    by ",\n"; an empty piece holds none)."""
    out = sys.stdout
    out.write("[")
    empty = True
    for piece in pieces:
        if piece:
            out.write("\n" if empty else ",\n")
            out.write(piece)
            empty = False
    out.write("]\n" if empty else "\n]\n")


def _json_texts(session: Any, ids: list[int]) -> Iterator[str]:
    """Each live contact's JSON, in the order of *ids*."""
    from app.services.list_json import json_texts

    return json_texts(session, ids, _record_json)


def _record_json(r: ContactRecord, last_contact: str | None, interaction_count: int) -> str:
    """One contact's JSON from their full record (*last_contact*: an ISO date or None)."""
    day = dt.date.fromisoformat(last_contact) if last_contact else None
    return json.dumps(contact_json(r, day, interaction_count), ensure_ascii=False)


def _worker_context() -> BaseContext:
    """Fork where that is safe (Linux, this process running nothing else: the command line,
    not the window); otherwise spawn, which starts a fresh Python (a third of a second)."""
    import multiprocessing
    import threading

    alone = threading.active_count() == 1 and "PySide6.QtCore" not in sys.modules
    sys.stdout.flush()
    return multiprocessing.get_context("fork" if alone and sys.platform == "linux" else "spawn")


_reader: Database | None = None  # in a worker


def _start_json_worker(path: str) -> None:
    global _reader
    from app.storage.db import open_in_worker

    _reader = open_in_worker(Path(path))


def _json_piece(ids: list[int]) -> str:
    """In a worker process: these contacts' JSON, joined by ",\n"."""
    from app.gc_pause import gc_paused

    assert _reader is not None
    with gc_paused(), _reader.session() as s:
        return ",\n".join(_json_texts(s, ids))


def cmd_import(db: Database, args: argparse.Namespace) -> int:
    from app.services.importing import back_up_before_import, import_files, open_file
    from app.vcard.csv_formats import valid_field

    mapping: dict[str, str] = {}
    for item in args.map:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or not valid_field(target.strip()):
            print(
                f"second-act import: --map {item!r}: give COLUMN=FIELD with a field from "
                "'second-act import --help'",
                file=sys.stderr,
            )
            return 2
        mapping[column.strip()] = target.strip()
    files = [open_file(f, mapping) for f in args.files]  # each read as it is imported
    back_up_before_import(db)
    with db.session() as s:
        report = import_files(s, files)
    if args.json:
        json.dump(
            {
                "imported": report.imported,
                "merged": report.merged,
                "unchanged": report.unchanged,
                "skipped": report.skipped,
                "problems": [
                    {
                        "file": p.file,
                        "line": p.line,
                        "message": p.message,
                        "severity": p.severity.value,
                    }
                    for p in report.problems
                ],
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        for p in report.problems:
            print(f"{p.severity.value}: {p}", file=sys.stderr)
        print(
            f"{report.imported} new, {report.merged} merged, {report.unchanged} already "
            f"there, {report.skipped} skipped"
        )
    return 1 if report.skipped else 0


def cmd_export(db: Database, args: argparse.Namespace) -> int:
    from app.services.contacts import list_contact_ids
    from app.services.exporting import WouldReplace, export_contacts

    out = Path(args.out)
    csv = out.suffix.lower() == ".csv" and not out.is_dir()
    folder = not csv and (
        out.is_dir()
        or args.out.endswith(("/", os.sep))
        or out.suffix.lower() not in (".vcf", ".vcard")
    )
    with db.session() as s:
        ids = list_contact_ids(s, args.search)
        try:
            report = export_contacts(
                s, ids, out, args.vcard_version, folder=folder, csv=csv, overwrite=args.overwrite
            )
        except WouldReplace as exc:
            names = ", ".join(p.name for p in exc.paths[:3]) + (", …" if len(exc.paths) > 3 else "")
            print(
                f"second-act: {len(exc.paths)} file{'s' if len(exc.paths) != 1 else ''} in "
                f"{out} would be replaced ({names}); nothing was written. Add --overwrite to "
                "replace them.",
                file=sys.stderr,
            )
            return 1
        except OSError as exc:
            print(f"second-act: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    where = f"{len(report.files)} files in {out}" if folder else str(out)
    print(f"{report.count} contact{'s' if report.count != 1 else ''} exported to {where}")
    return 0


def cmd_duplicates(db: Database, args: argparse.Namespace) -> int:
    from app.services.contacts import names_of
    from app.services.duplicates import duplicate_groups

    with db.session() as s:
        groups = duplicate_groups(s)
        names = names_of(s, [g.ids[0] for g in groups])
    if args.json:
        out = [{"name": names.get(g.ids[0], ""), "contact_ids": list(g.ids)} for g in groups]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for g in groups:
        print(f"{names.get(g.ids[0], '')}: {len(g.ids)} people ({', '.join(map(str, g.ids))})")
    print(
        f"{len(groups)} name{'s' if len(groups) != 1 else ''} shared by people to review",
        file=sys.stderr,
    )
    return 0


def cmd_due(db: Database, args: argparse.Namespace) -> int:
    from app.services.today import due_items

    today = dt.date.today()
    with db.session() as s:
        items = due_items(s, today)
    if args.json:
        out = [
            {
                "kind": i.kind,
                "id": i.item_id,
                "contact_id": i.contact_id,
                "who": i.who,
                "what": i.what,
                "due": i.due_on.isoformat(),
                "overdue_days": i.overdue_days(today),
            }
            for i in items
        ]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for i in items:
        late = i.overdue_days(today)
        when = "today" if late == 0 else f"{late} day{'s' if late != 1 else ''} overdue"
        print("  ".join(x for x in (when, i.who, i.what) if x))
    print(f"{len(items)} item{'s' if len(items) != 1 else ''} due", file=sys.stderr)
    return 0


def cmd_interviews(db: Database, args: argparse.Namespace) -> int:
    from app.services.calendar import write_ics
    from app.services.interviews import list_interviews

    with db.session() as s:
        rows = list_interviews(s)
    if args.ics:
        out = Path(args.ics)
        scheduled = [r for r in rows if r.status == "scheduled"]
        try:
            n = write_ics(scheduled, out)
        except OSError as exc:
            print(f"second-act: could not write {out}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"{n} scheduled interview{'s' if n != 1 else ''} written to {out}", file=sys.stderr)
        return 0
    if args.json:
        json.dump(
            [
                {
                    "id": r.id,
                    "contact_id": r.contact_id,
                    "who": r.who,
                    "status": r.status,
                    "starts_at": r.starts_at.isoformat() if r.starts_at else None,
                    "time_zone": r.tz or None,
                    "length_minutes": r.length_minutes,
                    "place": r.place,
                    "employer": r.employer or None,
                    "held_on": r.held_on.isoformat() if r.held_on else None,
                    "thank_you_sent_on": (
                        r.thank_you_sent_on.isoformat() if r.thank_you_sent_on else None
                    ),
                }
                for r in rows
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return 0
    for r in rows:
        if r.held_on is not None:  # the day it was held, whatever was planned
            when = f"{r.held_on:%Y-%m-%d} (held)"
        else:
            when = f"{r.starts_at:%Y-%m-%d %H:%M} {r.tz}".strip() if r.starts_at else "no date"
        print(f"{r.status_label:14} {when:28} {r.length_minutes:2} min  {r.who}")
    print(f"{len(rows)} interview{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0


def cmd_campaigns(db: Database, args: argparse.Namespace) -> int:
    from app.services.outreach import PURPOSE_LABELS, STATUS_LABELS, list_campaigns

    if args.send is not None:
        return _send_campaign(db, args.send)
    with db.session() as s:
        rows = list_campaigns(s)
    if args.json:
        json.dump(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "purpose": r.purpose,
                    "created_at": r.created_at.isoformat(timespec="seconds"),
                    "recipients": r.recipients,
                    "counts": {k: r.counts.get(k, 0) for k in STATUS_LABELS},
                }
                for r in rows
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return 0
    for r in rows:
        counts = ", ".join(
            f"{n} {STATUS_LABELS[k].lower()}" for k in STATUS_LABELS if (n := r.counts.get(k))
        )
        purpose = PURPOSE_LABELS.get(r.purpose, r.purpose)
        print(f"{r.id:4}  {r.name}  ({purpose}): {counts or 'no recipients'}")
    print(f"{len(rows)} campaign{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0


def _send_campaign(db: Database, campaign_id: int) -> int:
    import time

    from app.services import mail, outreach, sending, trust

    with db.session() as s:
        try:
            name = outreach.get_campaign(s, campaign_id).name
        except outreach.CampaignNotFound:
            print(f"second-act: there is no campaign {campaign_id}", file=sys.stderr)
            return 1
        account = mail.load_account(s)
        # The certificate the user trusted for the server in the window, if any.
        context = trust.context_for(s, account.host, account.port) if account else None
    if account is None:
        print(
            "second-act: no mail account is set up: open Outreach ▸ Mail account in the window.",
            file=sys.stderr,
        )
        return 1
    password = mail.PasswordStore().get(account)
    if password is None:
        print(
            "second-act: the mail password is not in this computer's password store: enter "
            "it in the window (Outreach ▸ Mail account).",
            file=sys.stderr,
        )
        return 1

    def connect() -> mail.SmtpTransport:
        t = mail.SmtpTransport(account, password, context=context)
        t.connect()
        return t

    def report(p: sending.Progress) -> None:
        if p.status == "waiting":
            print(f"  waiting {p.wait_seconds:.0f} s", file=sys.stderr, flush=True)
        else:
            print(f"{p.done}/{p.total} {p.status}: {p.who}", flush=True)

    def wait(seconds: float) -> bool:
        time.sleep(seconds)
        return False

    try:
        out = sending.send_queued(db, campaign_id, account, connect, wait=wait, progress=report)
    except mail.MailError as exc:
        print(f"second-act: {exc}", file=sys.stderr)
        return 1
    print(
        f"“{name}”: {out.sent} sent, {out.failed} failed, {out.left} still queued", file=sys.stderr
    )
    if out.message:
        print(f"second-act: {out.message}", file=sys.stderr)
    return 0 if out.reason == "done" else 1


def cmd_sync(db: Database, args: argparse.Namespace) -> int:
    import getpass
    from dataclasses import asdict

    from app.services import carddav, mail, sync

    given = os.environ.get("SECOND_ACT_CARDDAV_PASSWORD")
    added: tuple[sync.AccountKey, str] | None = None
    if args.add_account:
        try:  # before asking for a password that would travel unencrypted
            carddav.check_address(args.add_account)
        except carddav.CardDavError as exc:
            print(f"second-act: {exc}", file=sys.stderr)
            return 1
        password = given
        if password is None:
            password = getpass.getpass(f"Password for {args.user or 'the account'}: ")
        try:
            with carddav.client(args.add_account, args.user, password) as http:
                books = carddav.discover(http, args.add_account)
        except carddav.CardDavError as exc:
            print(f"second-act: {exc}", file=sys.stderr)
            return 1
        if not books:
            print("second-act: the account has no address book to sync.", file=sys.stderr)
            return 1
        key = sync.AccountKey(carddav.normalize_url(args.add_account), args.user.strip())
        kept = sync.passwords().set(key, password)
        added = (key, password)
        with db.session() as s:
            sync.add_account(s, args.add_account, args.user, books)
        names = ", ".join(b.name for b in books)
        print(
            f"Account added with {len(books)} address book(s): {names}.",
            file=sys.stderr if args.json else sys.stdout,
        )
        if not kept:
            print(f"note: {mail.NO_KEYRING}", file=sys.stderr)
    with db.session() as s:
        if not sync.accounts(s):
            print(
                "second-act: no CardDAV account is set up: use --add-account URL --user NAME, "
                "or File ▸ Address book sync in the window.",
                file=sys.stderr,
            )
            return 1
    store = sync.passwords()

    def password_for(key: sync.AccountKey) -> str | None:
        # Where there is no password store, the one just typed, or the variable, serves.
        if added is not None and key == added[0]:
            return store.get(key) or added[1]
        return store.get(key) or given

    reports = sync.sync_all(
        db,
        password_for=password_for,
        allow_deletes=args.allow_deletes,
        progress=lambda text: None if args.json else print(text, file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=2, ensure_ascii=False))
    else:
        for r in reports:
            print(f"{r.book}: {r.summary}.")
            for name in r.conflicts:
                print(f"  conflict: {name} (resolve it in the window: File ▸ Sync conflicts)")
            if r.deletions_held:
                print("  run again with --allow-deletes to make the deletions.")
            for problem in r.problems:
                print(f"  problem: {problem}")
    failed = any(r.problems and not (r.added_here or r.changed_here) for r in reports)
    return 1 if failed and all(r.problems for r in reports) else 0


def _set_imap_account(db: Database, server: str, user: str) -> None:
    """Keep another IMAP account for mail history, and its password in the keyring."""
    import getpass

    from app.services import imap_history
    from app.services.mail_history import MailHistoryError
    from app.services.passwords import PasswordStore

    host, _, port = server.rpartition(":") if ":" in server else (server, "", "993")
    if not port.isdigit() or not user.strip():
        raise MailHistoryError("Give --imap-server HOST or HOST:PORT, and --user NAME.")
    account = imap_history.ImapAccount(host, int(port), imap_history.SSL, user.strip())
    password = os.environ.get("SECOND_ACT_IMAP_PASSWORD")
    if password is None:
        password = getpass.getpass(f"Password for {user} at {host}: ")
    try:
        with db.session() as s:
            imap_history.save_imap_account(s, account)
    except ValueError as exc:
        raise MailHistoryError(str(exc)) from exc
    PasswordStore().set(account, password)


def cmd_mail_history(db: Database, args: argparse.Namespace) -> int:
    from app.services import mail_history

    if bool(args.paths) == bool(args.account):
        print(
            "second-act mail-history: give mbox files or Maildir folders, or --account "
            "(see --help)",
            file=sys.stderr,
        )
        return 2

    def progress(done: int, total: int) -> None:
        if not args.json:
            print(f"\r{done}/{total} messages", end="", file=sys.stderr, flush=True)

    try:
        if args.account:
            from app.services import imap_history

            if args.imap_server:
                _set_imap_account(db, args.imap_server, args.user)
            report = imap_history.read_account_cli(db, args.me, args.since, progress)
        else:
            from app.services.other_history import read_history_files

            with db.session() as s:
                report = read_history_files(
                    s, [Path(p).expanduser() for p in args.paths], args.me, progress
                )
    except mail_history.MailHistoryError as exc:
        print(f"\nsecond-act: {exc}" if not args.json else f"second-act: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0
    print(file=sys.stderr)
    print(report.summary + ".")
    for reason, n in report.skipped.most_common():
        print(f"  skipped, {reason}: {n}")
    if report.strangers:
        print("People you write to who are not in your contacts (not added):")
        for addr, n in report.strangers.most_common(mail_history.SHOWN_STRANGERS):
            name = report.stranger_names.get(addr, "")
            print(f"  {name} <{addr}>: {n}" if name else f"  {addr}: {n}")
    return 0


def cmd_log(db: Database, args: argparse.Namespace) -> int:
    from app.services.contacts import ContactNotFound, get_contact
    from app.services.interactions import log_interaction

    on = args.date or dt.date.today()
    try:
        with db.session() as s:
            name = get_contact(s, args.contact_id).display_name
            log_interaction(s, args.contact_id, on, args.kind, args.summary)
    except ContactNotFound:
        print(
            f"second-act: there is no contact {args.contact_id} (see 'list --json')",
            file=sys.stderr,
        )
        return 1
    print(f"Logged {args.kind} with {name} on {on.isoformat()}.")
    return 0


def cmd_backup(paths: AppPaths, args: argparse.Namespace) -> int:
    from app.storage.backups import list_backups

    if args.list:
        found = list_backups(paths.backups)
        for b in found:
            print(f"{b.path}  {b.made_at:%Y-%m-%d %H:%M}  {b.label}  {b.size // 1024} KB")
        print(
            f"{len(found)} backup{'s' if len(found) != 1 else ''} in {paths.backups}",
            file=sys.stderr,
        )
        return 0
    db = _open(paths)
    try:
        print(db.backup("manual"))
    finally:
        db.close()
    return 0


def cmd_restore(paths: AppPaths, args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.storage.db import check_backup, restore_file

    source = Path(args.file).expanduser().absolute()
    paths.ensure()
    count = check_backup(source)
    # Whatever the current file's state, it is kept: backed up, or moved aside if damaged.
    kept = restore_file(paths.database, paths.backups, source)
    _open(paths).close()  # migrates an older backup now
    print(f"Restored {source.name}: {count} contact{'s' if count != 1 else ''}.")
    if kept is not None:
        print(f"The database it replaced is kept as {kept}")
    return 0


def _run(command: str, paths: AppPaths, args: argparse.Namespace) -> int:
    if command == "backup":
        return cmd_backup(paths, args)
    if command == "restore":
        return cmd_restore(paths, args)
    db = _open(paths)
    try:
        if command == "import":
            return cmd_import(db, args)
        if command == "list":
            return cmd_list(db, args)
        if command == "due":
            return cmd_due(db, args)
        if command == "log":
            return cmd_log(db, args)
        if command == "interviews":
            return cmd_interviews(db, args)
        if command == "campaigns":
            return cmd_campaigns(db, args)
        if command == "sync":
            return cmd_sync(db, args)
        if command == "mail-history":
            return cmd_mail_history(db, args)
        if command == "duplicates":
            return cmd_duplicates(db, args)
        return cmd_export(db, args)
    except Exception as exc:
        known = db.note_failure(exc)  # a damaged file is not vouched for at close
        if known is None:
            raise
        raise known from exc
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (or the window) and return its exit status.

    When the reader of its output stops early (``second-act list | head -1``), the command
    stops as Unix tools do, without a word or a crash report: the rest of its output goes
    to the null device, as Python's documentation advises (signal module, "Note on
    SIGPIPE"), and the exit status is the one a tool stopped by SIGPIPE gives, 141."""
    try:
        try:
            return _main(argv)
        finally:
            if sys.stdout is not None:  # None in a window on Windows (a gui-script)
                sys.stdout.flush()  # a reader that has gone shows here, not as Python exits
    except BrokenPipeError:
        if not _reader_left():
            raise
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # what is still buffered is flushed at exit
        os.close(devnull)
        return READER_LEFT


READER_LEFT = 128 + 13  # 128 + SIGPIPE, as the shell reports `yes | head -1`


def _reader_left() -> bool:
    """Whether standard output is a pipe or socket whose reader has closed it (and not some
    other connection that broke)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by something without a file
        return False
    if not hasattr(select, "poll"):  # Windows: no way to ask; it was most likely stdout
        return True
    poll = select.poll()
    poll.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poll.poll(0))


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _split_command(argv)
    try:
        if command is None:
            args = _gui_parser().parse_args(argv)
        else:
            rest = list(argv)
            rest.remove(command)
            args = _command_parser(command).parse_args(rest)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    paths = resolve(getattr(args, "data_dir", None))
    if command is None:
        from app.ui.window.application import run_gui

        return run_gui(paths, [str(f) for f in args.files])
    from sqlalchemy.exc import OperationalError

    from app.storage.db import DatabaseRefused, explain_failure

    try:
        return _run(command, paths, args)
    except (DatabaseRefused, FolderRefused) as exc:
        print(f"second-act: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("second-act: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, BrokenPipeError) and _reader_left():
            raise  # the reader has what it wanted: main stops quietly
        known = explain_failure(exc, paths.database)
        if known is not None:  # a full disk while opening or backing up, say
            print(f"second-act: {known}", file=sys.stderr)
            return 1
        if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
            print(
                "second-act: another Second Act is writing to the database and did not "
                "finish in time; nothing was changed. Try again when it has finished.",
                file=sys.stderr,
            )
            return 1
        # Never a raw traceback: one line for the person, the details in a report file.
        from app.crash import format_report, write_report

        report = format_report(type(exc), exc, exc.__traceback__)
        try:
            where = f"A report was written to {write_report(paths.logs, report)}"
        except OSError:
            where = "No report could be written:\n" + report
        detail = (str(exc).splitlines() or [""])[0][:200]
        print(
            f"second-act: unexpected error ({type(exc).__name__}: {detail}). Your data was not "
            f"changed by the step that failed. {where}",
            file=sys.stderr,
        )
        return 1
