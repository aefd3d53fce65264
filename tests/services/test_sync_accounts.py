"""Sync accounts and reports without a server: removing an account, the books' totals, the
status line (when every book last synced, and their errors).

Asked for by mutation testing (tests/MUTATION.md, app/services/sync.py, the "loop" group):
no service test reached these; tests/ui/sync/test_sync_ui.py does, through the window."""

from __future__ import annotations

import datetime as dt

import keyring
from sqlalchemy import func, select

from app.model.records import ContactRecord
from app.model.tables import Contact, SyncAccount, SyncBook, SyncCard
from app.services import carddav, settings, sync
from app.services.contacts import create_contact
from app.storage.db import Database

URL = "https://dav.example.org"


def an_account(db: Database, user: str, books: int) -> int:
    """An account of *user* with *books* books, a card linked to a contact in each, its
    password kept and each book with cards left unread: the account's id."""
    infos = [carddav.BookInfo(f"{URL}/{user}/b{i}/", f"Book {i}", True) for i in range(books)]
    with db.session() as s:
        account_id = sync.add_account(s, URL, f" {user} ", infos)
        for book in sync.books_of(s, account_id):
            cid = create_contact(s, ContactRecord(full_name=f"{user} {book.id}"))
            s.add(SyncCard(book_id=book.id, href=f"{book.url}c.vcf", contact_id=cid))
            settings.put(s, f"sync.unread.{book.id}", '{"x.vcf": "e"}')
    assert sync.passwords().set(sync.AccountKey(URL, user), f"{user}'s secret")
    # Under the sync's own name in the keyring, apart from the mail passwords.
    assert keyring.get_password(sync.KEYRING_SERVICE, f"{user}@dav.example.org")
    return account_id


def test_removing_an_account_forgets_it_its_books_links_and_password_not_the_contacts(
    db: Database,
) -> None:
    ann, bob = an_account(db, "ann", 2), an_account(db, "bob", 1)
    with db.session() as s:
        assert [(a.username, a.url) for a in sync.accounts(s)] == [("ann", URL), ("bob", URL)]
        ann_books = [b.id for b in sync.books_of(s, ann)]
        bob_books = [b.id for b in sync.books_of(s, bob)]
        sync.remove_account(s, ann)
    with db.session() as s:
        assert [a.id for a in sync.accounts(s)] == [bob]
        assert list(s.scalars(select(SyncBook.id))) == bob_books
        assert list(s.scalars(select(SyncCard.book_id))) == bob_books
        assert [settings.get(s, f"sync.unread.{b}") for b in ann_books] == [None, None]
        assert settings.get(s, f"sync.unread.{bob_books[0]}") == '{"x.vcf": "e"}'
        assert s.scalar(select(func.count()).select_from(Contact)) == 3  # contacts stay
        sync.remove_account(s, ann)  # gone already: nothing happens
        assert s.scalar(select(func.count()).select_from(SyncAccount)) == 1
    assert sync.passwords().get(sync.AccountKey(URL, "ann")) is None
    assert sync.passwords().get(sync.AccountKey(URL, "bob")) == "bob's secret"


def test_the_reports_of_several_books_add_up() -> None:
    total = sync.SyncReport(book="all", added_here=1, conflicts=["Ann"], problems=["p1"])
    total.add(sync.SyncReport("b", 2, 3, 4, 5, 6, 7, 8, ["Bob"], deletions_held=9, problems=["p2"]))
    assert total == sync.SyncReport("all", 3, 3, 4, 5, 6, 7, 8, ["Ann", "Bob"], 9, ["p1", "p2"])


def test_the_status_line_gives_the_oldest_sync_and_every_books_error(db: Database) -> None:
    with db.session() as s:
        assert sync.last_synced(s) == (None, "")  # no account yet
    an_account(db, "ann", 3)
    early, late = dt.datetime(2026, 1, 2, 3, 4), dt.datetime(2026, 5, 6, 7, 8)
    with db.session() as s:
        books = list(s.scalars(select(SyncBook).order_by(SyncBook.id)))
        books[0].last_synced_at, books[1].last_synced_at = late, early
        books[0].last_error, books[2].last_error = "refused", "gone"
        # One book never synced: no time to give.
        assert sync.last_synced(s) == (None, "Book 0: refused; Book 2: gone")
        books[2].last_synced_at, books[2].last_error = late, ""
        books[1].enabled = False  # a book left out of the sync does not count
        assert sync.last_synced(s) == (late, "Book 0: refused")
        books[1].enabled = True
        assert sync.last_synced(s) == (early, "Book 0: refused")
