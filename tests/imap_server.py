"""A real IMAP server on loopback for the mail history tests: Dovecot (Debian's
dovecot-imapd), started as a foreground process with a throwaway configuration, a Maildir
and a certificate from trustme's test CA, on a free port; the test command installs Dovecot
where it can (tasks.py, DEBIAN_TOOLS). The client trusts the CA through SSL_CERT_FILE, which
ssl.create_default_context() reads: the app's own verification is what is tested."""

from __future__ import annotations

import contextlib
import grp
import mailbox
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.carddav_server import _free_port

USER = "me@home.example"
PASSWORD = "s3cret imap"


@dataclass
class ImapServer:
    host: str
    port: int
    # The user's home: Maildir/ (the Inbox) and Maildir/.Outgoing, the \\Sent folder under a
    # name no client guesses, so it is found by its special-use flag or not at all.
    home: Path
    owner: tuple[int, int]  # who the mail files belong to

    @property
    def inbox(self) -> mailbox.Maildir:
        return mailbox.Maildir(self.home / "Maildir", create=False)

    @property
    def sent(self) -> mailbox.Maildir:
        return self.inbox.get_folder("Outgoing")

    def add(self, box: mailbox.Maildir, raw: bytes, seen: bool = False) -> None:
        msg = mailbox.MaildirMessage(raw)
        msg.set_subdir("cur")
        if seen:
            msg.set_flags("S")
        box.add(msg)  # chown() once all are added

    def chown(self) -> None:
        for path in [self.home, *self.home.rglob("*")]:
            os.chown(path, *self.owner)

    def flags(self) -> dict[str, str]:
        """Each message's Maildir flags, by Message-ID, in both folders."""
        found = {}
        for box in (self.inbox, self.sent):
            for key in box.iterkeys():
                m = box.get_message(key)
                found[str(m["Message-ID"])] = "".join(sorted(m.get_flags()))
        return found


CONFIG = """
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{dir}/server.pem
ssl_key = <{dir}/server.pem
auth_mechanisms = plain login
# A wrong password is refused at once, not after Dovecot's usual two seconds.
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Outgoing {{
    special_use = \\Sent
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def start_dovecot(ca: trustme.CA) -> tuple[subprocess.Popen[bytes], ImapServer, Path]:
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    # Not under pytest's private tmp: Dovecot's own processes must reach it.
    folder = Path(tempfile.mkdtemp(prefix="second-act-dovecot-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:  # Dovecot refuses to log in or read mail as root
        internal, login = "dovecot", "dovenull"
        uid, gid = pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        uid, gid = os.getuid(), os.getgid()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    conf = CONFIG.format(
        dir=folder,
        internal=internal,
        internal_group=grp.getgrgid(gid).gr_name,
        login=login,
        uid=uid,
        gid=gid,
        port=port,
    )
    (folder / "dovecot.conf").write_text(conf)
    home = folder / "home"
    home.mkdir()
    inbox = mailbox.Maildir(home / "Maildir", create=True)
    inbox.add_folder("Outgoing")
    server = ImapServer("127.0.0.1", port, home, (uid, gid))
    server.chown()
    for _attempt in range(5):
        (folder / "dovecot.log").unlink(missing_ok=True)  # this attempt's words only
        proc = subprocess.Popen(
            [binary, "-F", "-c", str(folder / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, which stop_dovecot ends at once
        )
        deadline = time.monotonic() + 30
        while not _answers(server.port, ca):
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (folder / "dovecot.log").read_text(errors="replace")
                stop_dovecot(proc)
                if "Address already in use" not in log:
                    raise RuntimeError(f"Dovecot did not start:\n{log}")
                break  # another process took the port meanwhile: start again on another
            time.sleep(0.05)
        else:
            return proc, server, folder
        server.port = _free_port()
        (folder / "dovecot.conf").write_text(
            conf.replace(f"port = {port}\n", f"port = {server.port}\n")
        )
    raise RuntimeError("Dovecot found no free port")


def _answers(port: int, ca: trustme.CA) -> bool:
    """Whether this Dovecot answers on *port*: one whose certificate comes from *ca*, so not
    another test's (each process of a test run has its own CA) that took the port first."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        with (
            socket.create_connection(("127.0.0.1", port), 1) as sock,
            context.wrap_socket(sock, server_hostname="127.0.0.1") as tls,
        ):
            tls.settimeout(5)
            return tls.recv(4).startswith(b"* OK")
    except OSError:  # not listening yet, or someone else's certificate
        return False


def stop_dovecot(proc: subprocess.Popen[bytes]) -> None:
    """Its master and every process it started, told to stop together: the master alone
    stopped its children one by one and took a second (six, just after it started)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def imap_server(
    test_ca: tuple[trustme.CA, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[ImapServer]:
    """A running Dovecot whose CA this process trusts."""
    ca, ca_file = test_ca
    proc, server, folder = start_dovecot(ca)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    try:
        yield server
    finally:
        stop_dovecot(proc)
        shutil.rmtree(folder, ignore_errors=True)
