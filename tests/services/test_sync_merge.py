"""The three-way merge of a synced contact and a conflict shown side by side, without a
server: the merge is a function of three records, the conflict a row of the database.

Asked for by the survivors of mutation testing (tests/MUTATION.md, app/services/sync.py);
test_sync.py claims the same through Radicale."""

from __future__ import annotations

from dataclasses import replace

import vobject
from sqlalchemy import select

from app.model.records import Birthday, ContactRecord, Labeled, PostalAddress
from app.model.tables import Contact, SyncBook, SyncCard
from app.services import carddav, sync
from app.services.contacts import create_contact, get_contact
from app.storage.db import Database
from app.vcard.writer import to_vcard


def ann(emails: list[str], **values: object) -> ContactRecord:
    return ContactRecord(
        uid="ann",
        full_name="Ann Lee",
        given_name="Ann",
        family_name="Lee",
        emails=[Labeled(e, "work") for e in emails],
        **values,  # type: ignore[arg-type]
    )


def test_both_sides_removals_and_additions_to_a_list_are_all_applied_once() -> None:
    base = ann(["kept@x.org", "gone-here@x.org", "gone-there@x.org"])
    here = ann(["kept@x.org", "gone-there@x.org", "laptop@x.org", "both@x.org"])
    there = ann(["both@x.org", "kept@x.org", "gone-here@x.org", "phone@x.org", "phone@x.org"])
    merged, clashes = sync.three_way(base, here, there)
    assert clashes == []
    # This side's order, then the server's additions, each once.
    assert [e.value for e in merged.emails] == [
        "kept@x.org",
        "laptop@x.org",
        "both@x.org",
        "phone@x.org",
    ]


def test_a_field_one_side_changed_is_taken_and_both_changing_it_apart_clashes() -> None:
    base = ann(["a@x.org"], title="Clerk", note="old")
    here = ann(["a@x.org"], title="Curator", note="old")
    there = ann(["a@x.org"], title="Keeper", note="met at the fair")
    merged, clashes = sync.three_way(base, here, there)
    assert clashes == ["title"]
    assert (merged.title, merged.note) == ("Curator", "met at the fair")


def a_conflict(
    db: Database,
    mine: ContactRecord,
    theirs: ContactRecord,
    base: ContactRecord | None = None,
    href: str = "/book/ann.vcf",
) -> int:
    """A link of *mine* (synced as *base*, by default as it is) whose server side, *theirs*,
    waits as a conflict: its id."""
    with db.session() as s:
        book = s.scalars(select(SyncBook)).first()
        if book is None:
            account = sync.add_account(
                s,
                "https://dav.example.org/",
                "ann",
                [carddav.BookInfo("https://dav.example.org/book/", "Book", True)],
            )
            (book,) = sync.books_of(s, account)
        cid = create_contact(s, mine)
        link = SyncCard(
            book_id=book.id,
            href=href,
            contact_id=cid,
            card=to_vcard(base or mine, "3.0"),
            conflict=to_vcard(theirs, "3.0"),
            conflict_etag="theirs",
        )
        s.add(link)
        s.flush()
        return link.id


def test_a_conflict_is_shown_field_by_field_lists_a_line_each(db: Database) -> None:
    home = PostalAddress(label="home", street="1 Main St", city="Oslo")
    mine = ann(["a@x.org", "b@x.org"], title="Curator", tags=["alumni", "mentor"])
    theirs = ann(["a@x.org"], title="Keeper", addresses=[home], birthday=Birthday(5, 4))
    link_id = a_conflict(db, mine, theirs)
    with db.session() as s:
        shown = sync.differences(s, s.get(SyncCard, link_id))
    assert shown == [
        ("Title", "Curator", "Keeper"),
        ("Email", "a@x.org\nb@x.org", "a@x.org"),
        ("Address", "", "1 Main St, Oslo"),
        ("Birthday", "", "--05-04"),
        ("Tags", "alumni\nmentor", ""),
    ]


def test_a_conflict_whose_contact_was_deleted_here_shows_nothing(db: Database) -> None:
    link_id = a_conflict(db, ann(["a@x.org"]), ann(["b@x.org"]))
    with db.session() as s:
        link = s.get(SyncCard, link_id)
        link.contact_id = None
        assert sync.differences(s, link) == []


def test_settling_a_conflict_takes_the_chosen_side_and_the_other_sides_other_edits(
    db: Database,
) -> None:
    base = ann(["a@x.org"], title="Clerk", nickname="Annie")
    # Here since before the first sync: its own UID, which the server's card keeps.
    mine = replace(ann(["a@x.org"], title="Curator", nickname="Annie"), uid="here-1")
    theirs = ann(["a@x.org"], title="Keeper", note="met at the fair")
    for keep, title in (("here", "Curator"), ("server", "Keeper")):
        link_id = a_conflict(db, mine, theirs, base=base, href=f"/book/{keep}.vcf")
        with db.session() as s:
            sync.resolve_conflict(s, link_id, keep)
            link = s.get(SyncCard, link_id)
            assert (link.conflict, link.conflict_etag) == (None, "")
            assert link.card == to_vcard(theirs, "3.0")  # the new base
            assert link.etag == "theirs"
            settled = get_contact(s, link.contact_id)
            assert (settled.title, settled.note) == (title, "met at the fair")
            assert settled.nickname == ""  # removed there, untouched here
            # Keeping the server's side leaves nothing to write back; keeping mine does.
            assert (link.local_hash == "") == (keep == "here")


def test_settling_a_conflict_whose_contact_was_deleted_here_keeps_the_servers_card(
    db: Database,
) -> None:
    theirs = ann(["b@x.org"])
    link_id = a_conflict(db, ann(["a@x.org"]), theirs)
    with db.session() as s:
        s.get(SyncCard, link_id).contact_id = None
        sync.resolve_conflict(s, link_id, "here")
        sync.resolve_conflict(s, link_id + 1, "here")  # no such link: nothing to settle
        link = s.get(SyncCard, link_id)
        assert (link.contact_id, link.conflict, link.card) == (None, None, to_vcard(theirs, "3.0"))


APPLE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\r\n"
    "N:Lee;Ann;;;\r\n"
    "FN:Ann Lee\r\n"
    "item1.X-ABLabel:_$!<Other>!$_\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:ann@x.org\r\n"
    "TITLE:Clerk\r\n"
    "X-PHONETIC-LAST-NAME:lee\r\n"
    "X-SOCIALPROFILE;type=twitter:x-apple:annlee\r\n"
    "item2.X-ABLabel:orphan\r\n"
    "UID:ann\r\n"
    "END:VCARD\r\n"
)


def written_over(db: Database, server_card: str, **edits: object) -> list[str]:
    """The lines written over another client's *server_card* after *edits* here, without
    the REV an edit stamps."""
    r = sync.parse_card(server_card, "")
    assert r is not None
    r = replace(r, **edits)  # type: ignore[arg-type]
    with db.session() as s:
        text = sync.server_text(s, r, server_card)
    return [x for x in text.split("\r\n") if not x.startswith("REV:")]


def test_an_edit_here_rewrites_only_its_own_lines_of_another_clients_card(db: Database) -> None:
    lines = APPLE.split("\r\n")
    assert written_over(db, APPLE, title="Curator") == [
        "TITLE:Curator" if x == "TITLE:Clerk" else x for x in lines
    ]
    r = sync.parse_card(APPLE, "")
    assert r is not None
    # A line no field maps removed here: it goes; this side's other unmapped lines (the
    # label without a property) take its place, every mapped line stays where it was.
    kept = [x for x in r.extra_lines if "PHONETIC" not in x]
    assert kept == ["item2.X-ABLabel:orphan"]
    unmapped = [x for x in lines if x not in ("item2.X-ABLabel:orphan", "X-PHONETIC-LAST-NAME:lee")]
    at = lines.index("X-PHONETIC-LAST-NAME:lee")
    assert written_over(db, APPLE, extra_lines=kept) == [
        *unmapped[:at],
        "item2.X-ABLabel:orphan",
        *unmapped[at:],
    ]


def test_two_of_this_sides_groups_taken_there_are_renamed_apart(db: Database) -> None:
    """Both this side's labelled emails have groups (item1, item2) that the server's kept
    lines use (its phone's and web page's): each is renamed to its own free group, so each
    label stays with its address."""
    server = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\n"
        "item1.TEL;type=pref:+47 1234 5678\r\nitem1.X-ABLabel:cabin\r\n"
        "item2.URL:https\\://ann.example\r\nitem2.X-ABLabel:blog\r\nUID:ann\r\nEND:VCARD\r\n"
    )
    emails = [Labeled("a@x.org", "boat"), Labeled("b@x.org", "bike")]
    written = written_over(db, server, emails=emails)
    kept = server.split("\r\n")
    assert written == [
        *kept[:9],
        "item3.EMAIL:a@x.org",
        "item3.X-ABLabel:boat",
        "item4.EMAIL:b@x.org",
        "item4.X-ABLabel:bike",
        *kept[9:],
    ]
    back = sync.parse_card("\r\n".join(written), "")
    assert back is not None and back.emails == emails


def test_a_long_labelled_address_moved_to_a_free_group_keeps_every_folded_piece(
    db: Database,
) -> None:
    """An address folded over four lines, in a group (item2) the server's card gives its
    phone: it moves to a free group and is folded again there, reading back whole, and the
    server's own lines stay as written (nothing forced the whole card to be rewritten)."""
    server = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\n"
        "item2.TEL;type=pref:+47 1234 5678\r\nitem2.X-ABLabel:cabin\r\nUID:ann\r\nEND:VCARD\r\n"
    )
    boathouse = PostalAddress(label="boathouse", street=" ".join(["Road"] * 45), city="Oslo")
    written = written_over(db, server, addresses=[boathouse])
    kept = server.split("\r\n")
    end = kept.index("END:VCARD")
    assert written[:end] + written[-2:] == kept
    added = written[end:-2]
    assert added[0].startswith("item1.ADR:;;Road Road") and added[-1] == "item1.X-ABLabel:boathouse"
    assert len(added) == 5  # the address on four physical lines, its label
    assert all(len(x.encode()) <= 75 for x in added)
    back = sync.parse_card("\r\n".join(written), "")
    assert back is not None and back.addresses == [boathouse]


def test_a_server_card_that_reads_as_nobody_is_written_over_whole(db: Database) -> None:
    """Another client emptied the card to a UID and an unknown line: nothing of it can be
    spliced, so this side's contact is written as a whole card."""
    r = sync.parse_card(APPLE, "")
    assert r is not None
    emptied = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ann\r\nX-FOO:bar\r\nEND:VCARD\r\n"
    assert sync.parse_card(emptied, "") is None
    with db.session() as s:
        text = sync.server_text(s, r, emptied)
    back = sync.parse_card(text, "")
    assert back is not None
    assert (back.full_name, back.emails, back.title) == (r.full_name, r.emails, r.title)
    assert "X-FOO" not in text


def test_an_introducer_set_here_is_written_into_another_clients_card(db: Database) -> None:
    with db.session() as s:
        ida = create_contact(s, ContactRecord(full_name="Ida Ames", uid="urn:uuid:ida"))
    lines = APPLE.split("\r\n")
    end = lines.index("END:VCARD")
    assert written_over(db, APPLE, introduced_by_id=ida) == [
        *lines[:end],
        "X-SECONDACT-INTRODUCED-BY:urn:uuid:ida",
        *lines[end:],
    ]


def test_an_edit_spliced_into_an_unclosed_server_card_closes_it(db: Database) -> None:
    """A card the server holds without END:VCARD (the reader reads it, with a warning):
    the lines written over it end with END:VCARD, which servers require (vobject, the
    parser of Radicale, refuses a card never closed); the other client's lines stay."""
    unclosed = APPLE.replace("END:VCARD\r\n", "")
    lines = unclosed.split("\r\n")[:-1]
    assert written_over(db, unclosed, nickname="Annie") == [
        *lines,
        "NICKNAME:Annie",
        "END:VCARD",
        "",
    ]
    retitled = written_over(db, unclosed, title="Curator")
    assert retitled == [
        *["TITLE:Curator" if x == "TITLE:Clerk" else x for x in lines],
        "END:VCARD",
        "",
    ]
    (card,) = vobject.readComponents("\r\n".join(retitled))
    assert card.title.value == "Curator"


def test_settling_a_conflict_keeps_a_server_value_the_form_would_refuse(db: Database) -> None:
    """The server's side holds an email without @ (kept as written when it was read):
    settling the conflict takes it like any synced value, never refusing the whole merge."""
    link_id = a_conflict(db, ann(["a@x.org"], title="Curator"), ann(["ann at x.org"]))
    with db.session() as s:
        sync.resolve_conflict(s, link_id, "server")
        link = s.get(SyncCard, link_id)
        assert link.conflict is None
        settled = get_contact(s, link.contact_id)
        assert ([e.value for e in settled.emails], settled.title) == (["ann at x.org"], "")


def test_settling_a_conflict_of_a_contact_with_an_introducer(db: Database) -> None:
    """The introducer is this side's alone (the server card names it by UID): taking the
    server's side of a conflict keeps it and leaves nothing to write back."""
    with db.session() as s:
        ida = create_contact(s, ContactRecord(full_name="Ida Ames", uid="urn:uuid:ida"))
    mine = ann(["a@x.org"], title="Curator", introduced_by_id=ida)
    link_id = a_conflict(db, mine, ann(["a@x.org"], title="Keeper"), base=ann(["a@x.org"]))
    with db.session() as s:
        sync.resolve_conflict(s, link_id, "server")
        link = s.get(SyncCard, link_id)
        settled = get_contact(s, link.contact_id)
        assert (settled.title, settled.introduced_by_id) == ("Keeper", ida)
        assert link.local_hash != ""  # the contact reads as the server's card: nothing to send


def test_a_nickname_android_keeps_in_its_own_line_changed_here_reads_back_changed(
    db: Database,
) -> None:
    """Android writes a nickname as an X-ANDROID-CUSTOM line, which the reader takes before
    a NICKNAME line: a NICKNAME spliced beside it would read back as the old nickname, so
    the card is written whole and the edit made here is what the server gets."""
    android = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lee;Ann;;;\r\nFN:Ann Lee\r\n"
        "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Annie;1;;;;;;;;;;;;;\r\n"
        "UID:ann\r\nEND:VCARD\r\n"
    )
    written = written_over(db, android, nickname="Nan")
    back = sync.parse_card("\r\n".join(written), "")
    assert back is not None and (back.nickname, back.full_name) == ("Nan", "Ann Lee")
    assert not any("Annie" in x for x in written)


def test_a_server_resource_holding_two_cards_costs_its_second_card_not_the_sync(
    db: Database,
) -> None:
    """CardDAV keeps one vCard per resource; a server that holds two in one (or a card and
    one the reader skips) must not stop the rest of the batch: the first card is linked."""
    with db.session() as s:
        account = sync.add_account(
            s,
            "https://dav.example.org/",
            "ann",
            [carddav.BookInfo("https://dav.example.org/book/", "Book", True)],
        )
        (book,) = sync.books_of(s, account)
        book_id = book.id
    two = to_vcard(ann(["ann@example.org"]), "3.0") + to_vcard(
        ContactRecord(full_name="Bea Lund", emails=[Labeled("bea@example.org")]), "3.0"
    )
    skipped = to_vcard(
        ContactRecord(full_name="Cy Dahl", emails=[Labeled("cy@example.org")]), "3.0"
    ) + (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n"  # nothing in it: skipped
    )
    one = to_vcard(ContactRecord(full_name="Dee Moss", emails=[Labeled("dee@example.org")]), "3.0")
    job = sync._Book(
        db=db,
        http=None,  # type: ignore[arg-type]  # no request is made while applying
        book_id=book_id,
        url="https://dav.example.org/book/",
        default=True,
        allow_deletes=False,
        progress=lambda done, total: None,
        report=sync.SyncReport(),
        cancelled=lambda: False,
    )
    sync._apply_server_cards(
        job,
        {
            "/book/two.vcf": ("e1", two),
            "/book/skip.vcf": ("e2", skipped),
            "/book/one.vcf": ("e3", one),
        },
    )
    with db.session() as s:
        linked = {
            link.href: get_contact(s, link.contact_id).full_name
            for link in s.scalars(select(SyncCard))
            if link.contact_id is not None
        }
        names = {c.full_name for c in s.scalars(select(Contact))}
    # The second person of the resource holding two is kept too, and the user is told.
    assert "Bea Lund" in names
    assert [p for p in job.report.problems if "/book/two.vcf" in p] == [
        "/book/two.vcf: holds 2 cards where one is expected; the first is kept in step, "
        "the others were read as people of their own."
    ]
    # Each resource linked to the person its first card is, the one after them too.
    assert linked == {
        "/book/two.vcf": ann(["ann@example.org"]).full_name,
        "/book/skip.vcf": "Cy Dahl",
        "/book/one.vcf": "Dee Moss",
    }
