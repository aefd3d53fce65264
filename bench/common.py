"""What the long-career benchmarks share: a generated address book the size of 25 years of
work (realistic names, organisations, titles, notes, a photo on every tenth card), the
database it imports into with a history of interactions, and the way figures are printed.

Every figure is printed beside a baseline measured in the same run, with their ratio, because
this machine's speed moves from minute to minute and only a ratio taken in one run means
anything. Nothing here is a test: timings are never asserted.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIRST = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Esther",
    "Farid",
    "Grace",
    "Hiroshi",
    "Inès",
    "Jamal",
    "Katarzyna",
    "Liam",
    "Maya",
    "Nkechi",
    "Oscar",
    "Priya",
    "Rosa",
    "Sven",
    "Uma",
    "Wen",
    "Zoë",
    "Aarav",
    "Bjørn",
    "Carmen",
    "Dariusz",
    "Efua",
    "Giulia",
    "Hamid",
    "Ingrid",
    "Jae-won",
    "Kofi",
    "Lucía",
    "Mateo",
    "Noor",
    "Olamide",
    "Pavel",
    "Quentin",
    "Renée",
    "Siobhán",
    "Tomás",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Müller",
    "García",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Wójcik",
    "Xu",
    "Young",
    "Zimmermann",
    "Haddad",
    "Kowalski",
    "Nguyen",
    "Andersson",
    "Dubois",
    "Fernández",
    "Ivanova",
    "Johansson",
    "Kim",
    "Mensah",
    "Novak",
    "Papadopoulos",
    "Santos",
    "Virtanen",
    "Yılmaz",
]
ORGS = [
    "Northwind Health",
    "Contoso Software",
    "Fabrikam Inc.",
    "City University",
    "Woodgrove Bank Ltd",
    "Blue Yonder Energy GmbH",
    "Tailspin Toys",
    "Adventure Works",
    "Litware LLC",
    "Proseware, Inc.",
    "Lamna Healthcare",
    "Trey Research",
    "Coho Winery",
    "Alpine Ski House",
    "Margie's Travel",
    "Wide World Importers",
    "Fourth Coffee",
    "Graphic Design Institute",
    "School of Fine Art",
    "Humongous Insurance",
]
TITLES = [
    "Analyst",
    "Senior Data Scientist",
    "Head of People",
    "Programme Manager",
    "Associate Professor",
    "Clinical Informatics Lead",
    "UX Researcher",
    "Chief Financial Officer",
    "Recruiter",
    "Volunteer Coordinator",
]
NOTES = [
    "Met at the regional meetup. Interested in data roles\\, mentoring.",
    "Former colleague from the lab; knows everyone in hospital analytics.",
    "Introduced by Priya after the conference. Ask about the chapter meeting.",
    "Alumni network. Moved from teaching into instructional design in 2019.",
    "",
]
KINDS = ["email", "call", "coffee", "meeting", "event", "message", "note"]


def fold(line: str) -> str:
    """A content line folded at 75 octets as vCard 3.0 writers do (ASCII here)."""
    out = [line[:75]]
    out += [" " + line[i : i + 74] for i in range(75, len(line), 74)]
    return "\r\n".join(out) + "\r\n"


# The clustered book (issue 24): a large real book's names repeat. Two thirds of its cards
# take their name from 26 given and 16 family names (416 names: at 50,000 cards, clusters of
# about 80 namesakes), each card still its own person (its own UID, email and phone).
POOL_FIRST = FIRST[:26]
POOL_LAST = LAST[:16]


def make_cards(
    path: Path, n: int, seed: int = 42, *, clustered: bool = False, prefix: str = "bench"
) -> int:
    """*n* distinct people as one vCard 3.0 file, as a phone or Outlook exports it; returns
    how many carry a photo (every tenth, 4 to 8 KB of JPEG each).

    *clustered*: two cards in three named from the small pool (POOL_FIRST × POOL_LAST), so
    same-name people come in clusters of 50 to 80 at 50,000 cards. *prefix*: of the UIDs,
    emails and phones, so that a second file brings new people into a book made from a first.
    """
    rnd = random.Random(seed)
    photos = 0
    first_book = prefix == "bench"
    domain = "example.org" if first_book else f"{prefix}.example.org"
    area = 555 if first_book else 556
    with path.open("w", encoding="utf-8", newline="") as f:
        for i in range(n):
            if clustered and i % 3 != 2:
                first, family = rnd.choice(POOL_FIRST), rnd.choice(POOL_LAST)
            else:
                first, last = rnd.choice(FIRST), rnd.choice(LAST)
                family = f"{last}-{i:05d}"  # distinct people: same name and org would be merged
            org = rnd.choice(ORGS).replace(",", "\\,")
            f.write("BEGIN:VCARD\r\nVERSION:3.0\r\n")
            f.write(f"UID:{prefix}-{i}\r\nFN:{first} {family}\r\nN:{family};{first};;;\r\n")
            f.write(f"ORG:{org};Research\r\nTITLE:{rnd.choice(TITLES)}\r\n")
            f.write(f"EMAIL;TYPE=INTERNET,WORK:{first.lower()}.{i}@{domain}\r\n")
            f.write(f"TEL;TYPE=CELL:+1 {area} {i:07d}\r\n")
            f.write(f"ADR;TYPE=WORK:;;{i} Main Street;Springfield;IL;62701;USA\r\n")
            note = rnd.choice(NOTES)
            if note:
                f.write(f"NOTE:{note}\r\n")
            f.write(f"CATEGORIES:alumni,bench{i % 5}\r\n")
            f.write(f"BDAY:19{50 + i % 50}-0{1 + i % 9}-1{i % 9}\r\n")
            if i % 10 == 0:
                photos += 1
                jpeg = b"\xff\xd8\xff\xe0" + rnd.randbytes(rnd.randrange(4000, 8000)) + b"\xff\xd9"
                f.write(fold("PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(jpeg).decode()))
            f.write("END:VCARD\r\n")
    return photos


def build_database(data_dir: Path, n: int, interactions: int, *, clustered: bool = False) -> Path:
    """A data folder whose database holds *n* imported cards and *interactions* interactions
    (the busiest person 500 of them); returns the database file. *clustered*: the book
    whose names repeat (make_cards)."""
    from sqlalchemy import insert, select

    from app.model.tables import Contact, Interaction
    from app.services.importing import import_files, read_file
    from app.storage.db import open_database

    data_dir.mkdir(parents=True, exist_ok=True)
    cards = data_dir / "cards.vcf"
    make_cards(cards, n, clustered=clustered)
    db = open_database(data_dir / "second-act.sqlite3")
    with db.session() as s:
        import_files(s, [read_file(cards)])
    rnd = random.Random(5)
    today = dt.date.today()
    now = dt.datetime.now()
    with db.session() as s:
        ids = list(s.scalars(select(Contact.id)))
        rows = [
            {
                "contact_id": rnd.choice(ids),
                "occurred_on": today - dt.timedelta(days=rnd.randrange(3000)),
                "kind": KINDS[k % len(KINDS)],
                "summary": "Coffee and a catch-up",
                "created_at": now,
            }
            for k in range(interactions)
        ]
        for start in range(0, len(rows), 20000):
            s.execute(insert(Interaction), rows[start : start + 20000])
    db.close()
    cards.unlink()
    return data_dir / "second-act.sqlite3"


def own_peak_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Linux's VmHWM, not ru_maxrss: ru_maxrss survives fork and exec, so a child started by a
    parent that once held 600 MB reported 600 MB however little it used itself.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes there, KB here


def run_child(*args: str) -> list[str]:
    """Run this Python on *args* in a fresh process (its own peak memory, no warm caches)
    and return the lines it printed."""
    # With bytecode written, as an installed app has it: PYTHONDONTWRITEBYTECODE (set on some
    # machines) would make every start compile all of SQLAlchemy and Qt's glue again, 0.3 s.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    return done.stdout.splitlines()


def arguments(defaults: list[int]) -> tuple[list[int], Path | None]:
    """The numbers given on the command line (the rest from *defaults*) and ``--data DIR``."""
    argv = sys.argv[1:]
    data = None
    if "--data" in argv:
        at = argv.index("--data")
        data = Path(argv[at + 1])
        del argv[at : at + 2]
    numbers = [int(a) for a in argv]
    return numbers + defaults[len(numbers) :], data


def row(label: str, ours: float, base: float, unit: str, target: str) -> str:
    ratio = ours / base if base else float("inf")
    return f"{label:44} {ours:10.3f} {unit:3} {base:10.3f} {unit:3} {ratio:7.2f}   {target}"


def header(ours: str, base: str) -> str:
    return f"{'':44} {ours:>14} {base:>14} {'ratio':>7}   target"
