"""One trust policy for the mail server and CardDAV (issue 26 item 9), through the window
against real servers on loopback whose certificates come from a private CA (trustme) that
this computer does not trust: the certificate's SHA-256 fingerprint is shown, nothing is
trusted or sent until the user says so, then that certificate (and only it) is remembered
for its host and port."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.cli import main
from app.model.records import ContactRecord, Labeled
from app.paths import AppPaths
from app.services import mail, outreach, trust
from app.services.contacts import create_contact
from app.storage.db import Database
from app.ui.outreach.dialogs import MailAccountDialog
from app.ui.sync.dialogs import SyncAccountDialog
from app.ui.window.main_window import MainWindow
from tests.carddav_server import USER as DAV_USER
from tests.carddav_server import Radicale, radicale
from tests.mailserver import PASSWORD, USER, MailServer, start_server, use_account
from tests.ui.conftest import Answers
from tests.ui.outreach.test_outreach_ui import click, fill_account
from tests.ui.sync.test_sync_ui import fill_in

Make = Callable[[], MainWindow]


@pytest.fixture
def private_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[trustme.CA, Path]:
    """A CA of a company or a home server: not in this computer's trust store."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    ca = trustme.CA()
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


@pytest.fixture
def private_smtp(private_ca: tuple[trustme.CA, Path]) -> Iterator[MailServer]:
    controller, box = start_server(*private_ca, "starttls")
    try:
        yield box
    finally:
        controller.stop()


def prompts(answers: Answers) -> list[str]:
    return [b.text() for b in answers.boxes if b.objectName() == "trust_prompt"]


def test_the_mail_server_is_trusted_after_its_fingerprint_is_shown(
    qtbot: QtBot,
    make_window: Make,
    db: Database,
    answers: Answers,
    private_smtp: MailServer,
    test_keyring: Path,
) -> None:
    w = make_window()
    results: list[str] = []
    replies = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])

    def account(d: QDialog) -> int:
        assert isinstance(d, MailAccountDialog)
        fill_account(d, private_smtp, PASSWORD)
        for _ in range(2):  # refused the first time, trusted the second
            answers.reply = next(replies)
            click(qtbot, d.test_button)
            qtbot.waitUntil(lambda: d.test_button.isEnabled(), timeout=20000)
            results.append(d.result.text())
        return int(QDialog.DialogCode.Accepted)

    answers.on_dialog = account
    w.tabs.setCurrentWidget(w.outreach)
    w.outreach_actions.edit_account()
    shown = trust.fingerprint(private_smtp.cert_der)
    assert len(prompts(answers)) == 2
    for text in prompts(answers):
        assert private_smtp.host in text and f"port {private_smtp.port}" in text
        assert shown[:47] in text and shown[48:] in text  # in two lines of 16 pairs
    box = next(b for b in answers.boxes if b.objectName() == "trust_prompt")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)  # never silently
    assert "does not trust the certificate" in results[0]
    assert "password was not sent" in results[0]
    assert results[1].startswith("✓ Connected")
    with db.session() as s:
        pinned = trust.pinned_certificate(s, private_smtp.host, private_smtp.port)
    assert pinned is not None and pinned.sha256 == shown
    # The pin is that certificate and no other: a server showing another one is refused.
    other = trustme.CA().issue_cert("127.0.0.1")
    other_der = ssl.PEM_cert_to_DER_cert(other.cert_chain_pems[0].bytes().decode())
    account_ = mail.MailAccount(
        private_smtp.host, private_smtp.port, mail.STARTTLS, USER, USER, "Me"
    )
    with pytest.raises(mail.MailError):
        mail.check_connection(
            account_,
            PASSWORD,
            trust.Certificate("127.0.0.1", private_smtp.port, other_der).context(),
        )
    mail.check_connection(account_, PASSWORD, pinned.context())  # and the trusted one works


@pytest.fixture
def private_dav(tmp_path: Path, private_ca: tuple[trustme.CA, Path]) -> Iterator[Radicale]:
    with radicale(tmp_path / "radicale", tls=private_ca[0]) as srv:
        srv.make_book()
        yield srv


def test_a_carddav_server_is_trusted_after_its_fingerprint_is_shown(
    qtbot: QtBot, make_window: Make, db: Database, answers: Answers, private_dav: Radicale
) -> None:
    from tests.carddav_server import PASSWORD as DAV_PASSWORD

    w = make_window()
    results: list[str] = []
    port = int(private_dav.url.rsplit(":", 1)[1])

    def account(d: QDialog) -> int:
        assert isinstance(d, SyncAccountDialog)
        answers.reply = QMessageBox.StandardButton.Cancel
        fill_in(d, qtbot, private_dav.url, DAV_PASSWORD)
        results.append(d.result.text())
        answers.reply = QMessageBox.StandardButton.Yes
        fill_in(d, qtbot, private_dav.url, DAV_PASSWORD)
        results.append(d.result.text())
        return int(QDialog.DialogCode.Rejected)

    answers.on_dialog = account
    w.sync.add_account()
    assert "does not trust the certificate of 127.0.0.1" in results[0]
    assert "did not send your password" in results[0]
    assert results[1] == "Connected. Found 1 address book(s)."
    with db.session() as s:
        pinned = trust.pinned_certificate(s, "127.0.0.1", port)
    assert pinned is not None
    assert all(pinned.sha256 in t.replace("\n", ":") for t in prompts(answers))


def test_a_tls_mismatch_is_said_plainly(
    qtbot: QtBot, make_window: Make, answers: Answers, tmp_path: Path
) -> None:
    """https:// to a server that speaks plain HTTP: not "Could not reach"."""
    from app.services import carddav

    with radicale(tmp_path / "plain") as srv:
        url = srv.url.replace("http://", "https://")
        with (
            pytest.raises(carddav.CardDavError) as got,
            carddav.client(url, DAV_USER, "pw") as http,
        ):
            carddav.discover(http, url)
    assert "did not answer with encryption (TLS)" in str(got.value)


def test_the_command_line_sends_through_the_certificate_trusted_in_the_window(
    db: Database, paths: AppPaths, private_smtp: MailServer, test_keyring: Path
) -> None:
    with db.session() as s:
        ann = create_contact(s, ContactRecord(full_name="Ann Lee", emails=[Labeled("a@x.org")]))
        cid = outreach.create_campaign(s, outreach.starter("reconnect"))
        outreach.add_recipients(s, cid, [ann])
        outreach.queue(s, cid)
    use_account(db, private_smtp, "Me")
    send = ["--data-dir", str(paths.data_dir), "campaigns", "--send", str(cid)]
    assert main(send) != 0 and private_smtp.messages() == []  # not trusted: nothing sent
    with db.session() as s:
        outreach.queue(s, cid)  # the failed one, queued again
        trust.trust(
            s, trust.Certificate(private_smtp.host, private_smtp.port, private_smtp.cert_der)
        )
    assert main(send) == 0
    assert [r.envelope_to for r in private_smtp.messages()] == [["a@x.org"]]
