"""Mail history from the account over IMAP (issue 27), against a real Dovecot on loopback:
read-only (no \\Seen set), the Sent folder found by its special-use flag, killed mid-scan and
resumed with no duplicate, a wrong password and an untrusted certificate refused in plain
words, and the command line's --account."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.model.tables import CampaignRecipient, Interaction
from app.paths import AppPaths
from app.services import imap_history, outreach
from app.services.contacts import create_contact
from app.services.mail_history import MailHistoryError
from app.services.passwords import PasswordStore
from app.storage.db import Database, open_database
from tests.imap_server import PASSWORD, USER, ImapServer
from tests.services.test_mail_history import message

ROOT = Path(__file__).resolve().parents[2]
CONTACTS = 30
PER_CONTACT = 15  # received: 450 in the Inbox, read in chunks of 200


def account(server: ImapServer) -> imap_history.ImapAccount:
    return imap_history.ImapAccount(server.host, server.port, imap_history.SSL, USER)


def fill(server: ImapServer, db: Database) -> dict[str, int]:
    """Contacts, mail from each (every other one already read), mail to some, and a reply
    to a campaign message."""
    recent = (dt.date.today() - dt.timedelta(days=30)).strftime("%a, %d %b %Y 12:00:00 +0000")
    with db.session() as s:
        ids = {
            f"p{i}@work.example": create_contact(
                s, ContactRecord(full_name=f"Person {i}", emails=[Labeled(f"p{i}@work.example")])
            )
            for i in range(CONTACTS)
        }
        cid = outreach.create_campaign(s, outreach.starter("informational"))
        [rid] = outreach.add_recipients(s, cid, [ids["p0@work.example"]])
        r = s.get(CampaignRecipient, rid)
        assert r is not None
        r.message_id = "<campaign.0@home.example>"
        outreach.record_sent(s, rid, dt.datetime(2026, 1, 5, 9), "Your advice?")
    n = 0
    for addr in ids:
        for _ in range(PER_CONTACT):
            n += 1
            raw = message(addr, USER, subject=f"Note {n}", date=recent, mid=f"<in.{n}@x>")
            server.add(server.inbox, raw, seen=n % 2 == 0)
    for i in range(5):
        raw = message(USER, f"p{i}@work.example", date=recent, mid=f"<out.{i}@home.example>")
        server.add(server.sent, raw, seen=True)
    reply = message(
        "p0@work.example",
        USER,
        subject="Re: Your advice?",
        date=recent,
        mid="<reply.0@work.example>",
        extra="In-Reply-To: <campaign.0@home.example>",
    )
    server.add(server.inbox, reply)
    server.chown()  # Dovecot reads and writes them as its mail user
    return ids


EXPECTED = CONTACTS * PER_CONTACT + 5 + 1  # received, sent, the reply (as Mark replied logs)


def mail_interactions(db: Database) -> tuple[int, int]:
    """(interactions from mail, distinct (contact, message) among them)."""
    with db.session() as s:
        rows = s.execute(
            select(Interaction.contact_id, Interaction.source_key).where(
                Interaction.source == "mail"
            )
        ).all()
    return len(rows), len(set(rows))


def test_killed_mid_scan_resumes_without_duplicates_and_sets_no_flag(
    imap_server: ImapServer, paths: AppPaths
) -> None:
    db = open_database(paths.database)
    fill(imap_server, db)
    db.close()
    flags = imap_server.flags()
    assert "S" in flags["<in.2@x>"] and "S" not in flags["<in.1@x>"]
    # A real process, killed outright once its first chunk is committed.
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from app.services import imap_history
        from app.storage.db import open_database

        def progress(done, total):
            if done >= 200:
                os.kill(os.getpid(), signal.SIGKILL)

        db = open_database(Path({str(paths.database)!r}))
        account = imap_history.ImapAccount({imap_server.host!r}, {imap_server.port}, "ssl",
                                           {USER!r})
        imap_history.read_account(db, account, {PASSWORD!r}, [{USER!r}], progress=progress)
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=120, check=False)
    assert proc.returncode == -9
    db = open_database(paths.database)
    try:
        added, distinct = mail_interactions(db)
        assert 200 <= added < EXPECTED  # stopped part-way, the first chunk kept
        report = imap_history.read_account(db, account(imap_server), PASSWORD, [USER])
        assert not report.cancelled
        added, distinct = mail_interactions(db)
        assert added == distinct == EXPECTED
        assert report.replies_found == 1
        with db.session() as s:
            assert s.scalar(select(CampaignRecipient.status)) == "replied"
        # Read again: the folders are read from where they stopped, nothing is added.
        again = imap_history.read_account(db, account(imap_server), PASSWORD, [USER])
        assert again.messages_read == 0 and mail_interactions(db)[0] == EXPECTED
    finally:
        db.close()
    assert imap_server.flags() == flags  # nothing marked read, nothing changed


def test_cancel_keeps_what_was_read_and_resumes(imap_server: ImapServer, db: Database) -> None:
    fill(imap_server, db)
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1  # after the first chunk

    report = imap_history.read_account(
        db, account(imap_server), PASSWORD, [USER], cancelled=cancelled
    )
    assert report.cancelled and report.messages_read == imap_history.CHUNK
    imap_history.read_account(db, account(imap_server), PASSWORD, [USER])
    assert mail_interactions(db) == (EXPECTED, EXPECTED)


def test_a_wrong_password_is_refused_in_plain_words(imap_server: ImapServer, db: Database) -> None:
    fill(imap_server, db)
    with pytest.raises(MailHistoryError, match="did not accept the user name or password"):
        imap_history.read_account(db, account(imap_server), "wrong", [USER])
    assert mail_interactions(db) == (0, 0)


def test_an_untrusted_certificate_is_refused(
    imap_server: ImapServer, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fill(imap_server, db)
    other = tmp_path / "other-ca.pem"
    import trustme

    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    with pytest.raises(MailHistoryError, match="could not be verified"):
        imap_history.read_account(db, account(imap_server), PASSWORD, [USER])
    assert mail_interactions(db) == (0, 0)


def test_the_command_line_reads_the_account(
    imap_server: ImapServer,
    paths: AppPaths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = open_database(paths.database)
    fill(imap_server, db)
    acc = account(imap_server)
    db.close()
    args = ["--data-dir", str(paths.data_dir), "mail-history", "--account", "--json"]
    assert main([*args, "--me", USER]) == 1
    assert "No mail account is set up" in capsys.readouterr().err
    # Set up from the command line: the account kept, its password in the keyring only.
    monkeypatch.setenv("SECOND_ACT_IMAP_PASSWORD", PASSWORD)
    server = f"{imap_server.host}:{imap_server.port}"
    setup = [*args, "--imap-server", server, "--user", USER, "--me", USER, "--since", "2000-01-01"]
    assert main(setup) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["messages_read"] == CONTACTS * PER_CONTACT + 5 + 1
    assert out["interactions_added"] == EXPECTED and out["replies_found"] == 1
    assert PasswordStore().get(acc) == PASSWORD
    assert PASSWORD.encode() not in paths.database.read_bytes()
    db = open_database(paths.database)
    with db.session() as s:
        assert imap_history.imap_account(s) == acc  # kept for next time
        assert s.scalar(select(func.count()).select_from(Interaction)) == EXPECTED + 1  # + sent
    db.close()
    PasswordStore().forget(acc)
    assert main([*args, "--me", USER]) == 1
    assert "password" in capsys.readouterr().err
