"""Import's promises that the mutation run of importing.py found no test for (tests/MUTATION.md,
"Survivors of app/services/importing.py"): how a large file's readers are started, how many,
and what happens when one dies; which contact introduces; the "two UIDs in one file" rule
with a stored contact; a known contact listed once; the matcher a preview leaves behind."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from app.model.records import ContactRecord, Labeled
from app.services.contacts import create_contacts, delete_contacts, get_contact
from app.services.importing import (
    KeptMatcher,
    ParsedFile,
    import_files,
    open_file,
    parse_bytes,
    preview_import,
    read_file,
)
from app.storage.db import Database, open_database
from app.vcard.problems import Problem, Severity
from tests.bigfile import write_large_vcf
from tests.processes import process_state, spawned_children
from tests.services.test_trust import card, run_import, vcf

DEADLINE = 60.0  # seconds: only to stop a hang, never a measure


def readers() -> set[int]:
    """This process's children started as new interpreters by multiprocessing's "spawn"."""
    return set(spawned_children(os.getpid()))


def running(pid: int) -> bool:
    """False once *pid* has ended (gone, or dead and not yet waited for)."""
    try:
        return process_state(pid) not in ("Z", "X")
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], what: str) -> None:
    pause = threading.Event()
    deadline = time.monotonic() + DEADLINE
    while not condition() and time.monotonic() < deadline:
        pause.wait(0.005)
    assert condition(), what


class Reading:
    """parse_bytes run on a thread while the test watches the processes it starts."""

    def __init__(self, data: bytes, processes: int, piece: int | None = None) -> None:
        self.parsed: ParsedFile | None = None
        self.error: BaseException | None = None
        self.seen: set[int] = set()
        kwargs = {} if piece is None else {"piece": piece}

        def run() -> None:
            try:
                self.parsed = parse_bytes(data, "big.vcf", processes=processes, **kwargs)
            except BaseException as exc:  # the test looks at it
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def watch(self, until: Callable[[], bool] | None = None) -> None:
        """Note the readers alive, every few milliseconds, until the reading ends (or
        *until* says so)."""
        pause = threading.Event()
        deadline = time.monotonic() + DEADLINE
        while self.thread.is_alive() and not (until is not None and until()):
            self.seen |= readers()
            if time.monotonic() > deadline:
                break
            pause.wait(0.002)

    def end(self) -> None:
        self.thread.join(DEADLINE)
        assert not self.thread.is_alive(), "the reading hangs"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the readers through /proc")
def test_a_large_file_is_read_by_new_interpreters_as_many_as_asked(tmp_path: Path) -> None:
    """The window's process runs Qt and threads: its readers are new Python interpreters
    ("spawn"), not forks copying it half-way. As many as asked, even beyond the cores."""
    data = write_large_vcf(tmp_path / "big.vcf").read_bytes()
    asked = (os.cpu_count() or 1) + 1
    reading = Reading(data, asked)
    reading.watch()
    reading.end()
    assert reading.error is None
    assert reading.parsed is not None and len(reading.parsed.cards) == 2500
    assert len(reading.seen) == asked


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the readers through /proc")
def test_no_more_readers_than_pieces() -> None:
    two = vcf(card(fn="Ann Lee", email="ann@x.org"), card(fn="Bo Chen", email="bo@x.org"))
    reading = Reading(two, 8, piece=1)  # cut between the two cards: two pieces
    reading.watch()
    reading.end()
    assert reading.parsed is not None
    assert [c.record.full_name for c in reading.parsed.cards] == ["Ann Lee", "Bo Chen"]
    assert len(reading.seen) == 2


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the readers through /proc")
def test_a_reader_killed_mid_read_fails_the_read_at_once_and_ends_the_other_readers(
    tmp_path: Path,
) -> None:
    """A reader killed (out of memory, say) while another is stalled (stopped, swapped out)
    must neither leave the import waiting for ever nor the stalled reader behind: the read
    raises BrokenProcessPool at once, which the window turns into words
    (MainWindow.task_failed; tests/ui/window/test_import_export_ui.py), and every reader is
    ended. A stopped process ignores the pool's own SIGTERM until it runs again: only
    SIGKILL ends it, and until then it holds the pipe the pool's feeder thread writes to."""
    data = write_large_vcf(tmp_path / "big.vcf", 6000).read_bytes()
    reading = Reading(data, 2)
    reading.watch(until=lambda: len(reading.seen) >= 2)
    assert len(reading.seen) == 2, "the read ended before both readers were seen"
    victim, stalled = sorted(reading.seen)
    try:
        os.kill(stalled, signal.SIGSTOP)
        os.kill(victim, signal.SIGKILL)
        reading.end()
        assert isinstance(reading.error, BrokenProcessPool)
        assert reading.parsed is None
        wait_for(lambda: not running(stalled), "the stalled reader was left behind")
    finally:
        if running(stalled):
            os.kill(stalled, signal.SIGKILL)


def add_people(db: Database, *records: ContactRecord) -> list[int]:
    with db.session() as s:
        return create_contacts(s, list(records))


def introduced_by(uid: str) -> str:
    return f"X-SECONDACT-INTRODUCED-BY:{uid}\r\nEND:VCARD"


def introducer_of(db: Database, cid: int) -> int | None:
    with db.session() as s:
        return get_contact(s, cid).introduced_by_id


def test_of_two_contacts_sharing_a_uid_the_oldest_introduces(db: Database) -> None:
    older, newer = add_people(
        db,
        ContactRecord(full_name="Ida Ames", uid="urn:uuid:ida"),
        ContactRecord(full_name="Ida Ames (work)", uid="urn:uuid:ida"),
    )
    report = run_import(
        db, vcf(card(fn="Bo Chen").replace("END:VCARD", introduced_by("urn:uuid:ida")))
    )
    (bo,) = report.contact_ids
    assert introducer_of(db, bo) == older != newer


def test_a_deleted_contacts_uid_introduces_nobody(db: Database) -> None:
    (ida,) = add_people(db, ContactRecord(full_name="Ida Ames", uid="urn:uuid:ida"))
    with db.session() as s:
        delete_contacts(s, [ida])
    report = run_import(
        db, vcf(card(fn="Bo Chen").replace("END:VCARD", introduced_by("urn:uuid:ida")))
    )
    (bo,) = report.contact_ids
    assert introducer_of(db, bo) is None


def test_introducers_are_found_among_more_uids_than_sqlite_takes_in_one_query(
    db: Database,
) -> None:
    """SQLite takes at most 999 values in one query (older builds): 1,001 introducers'
    UIDs are asked for in chunks, and the last of them is found too."""
    many = [
        card(uid=f"u-{i:04}", fn=f"Person {i}").replace("END:VCARD", introduced_by(f"i-{i:04}"))
        for i in range(1001)
    ]
    last = card(uid="i-1000", fn="Ida Ames")  # the only introducer there: the 1,001st UID
    report = run_import(db, vcf(*many, last))
    assert report.imported == 1002
    with db.session() as s:
        people = {get_contact(s, cid).uid: cid for cid in report.contact_ids}
        assert get_contact(s, people["u-1000"]).introduced_by_id == people["i-1000"]
        assert get_contact(s, people["u-0999"]).introduced_by_id is None


def test_a_stored_contacts_uid_counts_among_the_uids_of_one_file(db: Database) -> None:
    """A file's card without a UID joins a stored contact by email; a later card of that
    file with another UID and the same email (a shared mailbox) is someone else: the file
    then holds two people's cards for that address, the stored UID and the new one."""
    run_import(db, vcf(card(uid="u-ann", fn="Ann Lee", email="ann@x.org")), "before.vcf")
    data = vcf(
        card(fn="Ann Lee", email="ann@x.org", title="Nurse"),
        card(uid="u-bo", fn="Bo Chen", email="ann@x.org"),
    )
    report = run_import(db, data, "b.vcf")
    assert (report.imported, report.merged) == (1, 1)
    with db.session() as s:
        bo = get_contact(s, report.contact_ids[-1])
        assert (bo.uid, bo.full_name) == ("u-bo", "Bo Chen")


def test_a_known_contact_is_listed_once_however_many_cards_join_it(db: Database) -> None:
    first = run_import(db, vcf(card(uid="u-ann", fn="Ann Lee", email="ann@x.org")))
    (ann,) = first.contact_ids
    data = vcf(
        card(fn="Ann Lee", email="ann@x.org", title="Nurse"),
        card(fn="Ann Lee", email="ann@x.org", tel="+44 20 7946 0018"),
        card(uid="u-ann", fn="Ann Lee", note="night shifts"),
    )
    report = run_import(db, data, "b.vcf")
    assert (report.imported, report.merged) == (0, 3)
    assert report.contact_ids == [ann]


def test_a_preview_leaves_the_matcher_knowing_who_stored_contacts_are(db: Database) -> None:
    """The import uses the matcher its preview read (when nothing changed since): the
    preview's trial cards must leave stored contacts' names in it, so that a colleague
    sharing Ann's switchboard number stays apart after a nameless card of Ann joined her."""
    run_import(db, vcf(card(uid="u-ann", fn="Ann Lee", email="ann@x.org", tel="+44 20 7946 0018")))
    data = vcf(
        card(email="ann@x.org", title="Nurse"),  # Ann's, without a name
        card(fn="Bo Chen", tel="+44 20 7946 0018"),  # a colleague on the same line
    )
    files = [parse_bytes(data, "b.vcf")]
    with db.session() as s:
        keep: list[KeptMatcher] = []
        preview = preview_import(s, files, keep)
        assert (preview.new, preview.merge) == (1, 1)
        report = import_files(s, files, kept=keep[0])
    assert (report.imported, report.merged) == (1, 1)


# The survivors of the run on the streaming import (2026-12-04).


def test_a_file_without_a_single_vcard_is_an_error_and_imports_nothing(
    tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "junk.vcf"
    path.write_bytes(b"hello\r\nthis is not an address book\r\n")
    no_cards = Problem("junk.vcf", 0, "no vCards found in this file", Severity.ERROR)
    for parsed in (read_file(path), open_file(path)):
        with db.session() as s:
            report = import_files(s, [parsed])
        assert (report.imported, report.skipped) == (0, 1)
        assert report.problems.count(no_cards) == 1


LINKEDIN = Path(__file__).parent.parent / "data" / "Connections.csv"


def test_a_linkedin_export_is_read_as_one_whatever_its_name_but_vcf(
    tmp_path: Path, db: Database
) -> None:
    data = LINKEDIN.read_bytes()
    named = {}
    for name in ("Connections.csv", "Connections", "connections.txt"):
        (tmp_path / name).write_bytes(data)
        parsed = read_file(tmp_path / name)
        named[name] = [c.record.family_name for c in parsed.cards if not c.skipped]
    assert "Raman" in named["Connections.csv"]
    assert named["Connections"] == named["connections.txt"] == named["Connections.csv"]
    # A file named as vCards is read as vCards (here: none), whatever its text looks like.
    for name in ("Connections.VCF", "Connections.vcf", "Connections.vcard"):
        (tmp_path / name).write_bytes(data)
        parsed = read_file(tmp_path / name)
        assert parsed.cards == []
        assert [p.message for p in parsed.problems if p.line == 0] == [
            "no vCards found in this file"
        ]


def test_a_csv_opened_to_be_read_as_it_is_imported_takes_the_users_mapping(
    tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "people.csv"
    rows = "".join(f"Person {i},p{i}@x.org,hobby {i}\n" for i in range(60))
    path.write_bytes(f"Name,E-mail,Hobby\n{rows}".encode())
    seen: list[tuple[int, int]] = []
    with db.session() as s:
        report = import_files(s, [open_file(path, {"Hobby": "note"})], lambda *p: seen.append(p))
    assert report.imported == 60
    assert seen[0] == (50, 60)  # its rows counted from the start
    assert seen[-1] == (60, 60)  # its 60 rows, each taken
    assert report.problems == read_file(path, {"Hobby": "note"}).problems
    with db.session() as s:
        notes = {get_contact(s, cid).note for cid in report.contact_ids}
    assert notes == {f"hobby {i}" for i in range(60)}


def test_a_csv_needing_a_mapping_says_which_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"Name,Pet\nAnn Lee,cat\n")
    parsed = read_file(path)
    assert parsed.cards == []
    assert parsed.layout is not None and parsed.layout.header == ["Name", "Pet"]


def test_progress_counts_the_cards_of_a_file_in_either_case_from_the_start(
    tmp_path: Path, db: Database
) -> None:
    upper = [card(fn=f"Up {i}", email=f"up{i}@x.org") for i in range(70)]
    lower = [
        card(fn=f"Low {i}", email=f"low{i}@x.org").replace("BEGIN:VCARD", "begin:vcard")
        for i in range(50)
    ]
    path = tmp_path / "mixed.vcf"
    path.write_bytes(vcf(*upper, *lower))
    seen: list[tuple[int, int]] = []
    with db.session() as s:
        report = import_files(s, [open_file(path, processes=1)], lambda *p: seen.append(p))
    assert report.imported == 120
    assert seen[0] == (50, 120)
    assert seen[-1] == (120, 120)  # the file's 120 cards, each taken


def test_progress_ends_at_its_total_when_a_note_quotes_begin_vcard(
    tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "quoted.vcf"
    path.write_bytes(
        vcf(card(fn="Ann Lee", email="ann@x.org", note="a card starts with BEGIN:VCARD"))
    )
    seen: list[tuple[int, int]] = []
    with db.session() as s:
        import_files(s, [open_file(path)], lambda *p: seen.append(p))
    assert seen[-1] == (1, 1)  # one card: the note's BEGIN:VCARD is not counted
    assert all(done <= total for done, total in seen)


def test_an_import_after_its_preview_joins_cards_as_one_without_a_preview(db: Database) -> None:
    """The preview's trial cards must leave no trace of their file on stored contacts: else
    the import takes Ann's card with another UID for someone else (one address book holding
    two UIDs for one email says they are two people), as it would not without a preview."""
    run_import(db, vcf(card(uid="u-ann", fn="Ann Lee", email="ann@x.org")))
    data = vcf(
        card(uid="u-ann-phone", fn="Ann Lee", email="ann@x.org", title="Nurse"),
        card(fn="Ann Lee", email="ann@x.org", note="met again"),
    )
    files = [parse_bytes(data, "b.vcf")]
    with db.session() as s:
        keep: list[KeptMatcher] = []
        preview = preview_import(s, files, keep)
        assert (preview.new, preview.merge) == (0, 2)
        report = import_files(s, files, kept=keep[0])
    assert (report.imported, report.merged) == (0, 2)


def test_the_previews_matcher_is_not_used_once_another_connection_wrote(
    tmp_path: Path,
) -> None:
    """Between the preview and the import, another window (another connection) added Bo:
    the import must read who is there again and join Bo's card to him, not duplicate him."""
    path = tmp_path / "db.sqlite3"
    db = open_database(path)
    files = [parse_bytes(vcf(card(fn="Bo Birch", email="bo@x.org", title="Chef")), "b.vcf")]
    with db.session() as s:
        keep: list[KeptMatcher] = []
        assert preview_import(s, files, keep).new == 1
        other = open_database(path)
        with other.session() as o:
            create_contacts(o, [ContactRecord(full_name="Bo Birch", emails=[Labeled("bo@x.org")])])
        other.close()
        report = import_files(s, files, kept=keep[0])
    db.close()
    assert (report.imported, report.merged) == (0, 1)


def test_a_shared_phone_joins_the_cards_of_one_person_named_in_parts(db: Database) -> None:
    """A shared phone joins cards only of one person: given and family name both count."""

    def named(family: str, given: str, title: str = "") -> str:
        line = f"N:{family};{given};;;"
        return card(fn=f"{given} {family}", tel="+44 20 7946 0018", title=title).replace(
            "END:VCARD", f"{line}\r\nEND:VCARD"
        )

    people = (named("Lee", "Ann"), named("Lee", "Bo"), named("Chen", "Ann"))
    report = run_import(db, vcf(*people, named("Lee", "Ann", title="Nurse")))
    assert (report.imported, report.merged) == (3, 1)


@pytest.mark.parametrize("first", ["Work", "work"])
def test_a_tag_or_organisation_spelled_two_ways_is_named_as_first_written(
    tmp_path: Path, first: str
) -> None:
    """One import meets "Work" and "work" (one tag, one name key): the first spelling in the
    file names it, every run (it was whichever a set of names gave first: the hash seed's)."""
    other = "work" if first == "Work" else "Work"
    one = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{}\r\nORG:{} Ltd\r\nCATEGORIES:{}\r\nEND:VCARD\r\n"
    data = one.format("Ann Lee", first, first) + one.format("Bob Roy", other, other)
    db = open_database(tmp_path / "t.sqlite3")
    try:
        run_import(db, data.encode())
        with db.session() as s:
            people = [get_contact(s, cid) for cid in (1, 2)]
        assert [p.tags for p in people] == [[first], [first]]
        assert [p.organization for p in people] == [f"{first} Ltd", f"{first} Ltd"]
    finally:
        db.close()
