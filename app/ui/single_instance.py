"""One Second Act per data folder: a second launch hands its files to the running window.

The socket lives in a folder only this user can enter (the runtime directory, else the data
folder, else a private folder of ours in the temporary directory), never at a name in /tmp
that another user could take first; and each end checks that the other runs as this user.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket as pysocket
import stat
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.paths import AppPaths

# A Unix socket's path must fit sockaddr_un (108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 100


def _private(folder: Path) -> bool:
    """*folder* is a real folder (not a link) of this user that nobody else may enter."""
    try:
        st = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def _own_temp_folder() -> Path:
    """tempdir/second-act-UID, made private; another user's folder there is never used."""
    folder = Path(tempfile.gettempdir()) / f"second-act-{os.getuid()}"
    with contextlib.suppress(OSError):  # there already (ours or not: _private decides)
        folder.mkdir(mode=0o700)
    with contextlib.suppress(OSError):
        st = folder.lstat()
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid():
            os.chmod(folder, 0o700)
    return folder


def _socket_folders(paths: AppPaths) -> Iterator[Path]:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        yield Path(runtime)
    yield paths.data_dir.resolve()  # the same folder however the launch named it
    yield _own_temp_folder()


def server_name(paths: AppPaths) -> str:
    """One per data folder; on Unix a full path inside a private folder of this user.

    An empty string when there is no such folder: then there is no single instance.
    """
    digest = hashlib.sha256(str(paths.data_dir.resolve()).encode()).hexdigest()[:16]
    name = f"second-act-{digest}"
    if sys.platform == "win32":
        return name  # a named pipe, which UserAccessOption limits to this user
    for folder in _socket_folders(paths):
        path = str(folder / name)
        if len(path.encode()) <= MAX_SOCKET_PATH and _private(folder):
            return path
    return ""


def _peer_uid(sock: QLocalSocket) -> int | None:
    """The user id of the process at the other end, where the system says (Linux)."""
    option = getattr(pysocket, "SO_PEERCRED", None)
    fd = int(sock.socketDescriptor())
    if option is None or fd < 0:
        return None
    with pysocket.socket(fileno=os.dup(fd)) as s:
        _pid, uid, _gid = struct.unpack("3i", s.getsockopt(pysocket.SOL_SOCKET, option, 12))
    return uid


def _peer_is_this_user(sock: QLocalSocket, name: str) -> bool:
    if sys.platform == "win32":
        return True
    uid = _peer_uid(sock)
    if uid is None:  # no peer credentials here: the socket file's owner, in our own folder
        try:
            uid = os.lstat(name).st_uid
        except OSError:
            return False
    return uid == os.getuid()


def send_to_running(paths: AppPaths, files: list[str], timeout_ms: int = 1500) -> bool:
    """True when a running Second Act took the files (and came forward)."""
    name = server_name(paths)
    if not name:
        return False
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(timeout_ms):
        return False
    if not _peer_is_this_user(sock, name):
        sock.abort()
        return False
    payload = json.dumps({"files": [os.path.abspath(f) for f in files]}).encode() + b"\n"
    sock.write(payload)
    # flush() writes a local socket at once (waitForBytesWritten would then say False).
    sock.flush()
    answer = b""
    while not answer.endswith(b"\n"):
        if not sock.bytesAvailable() and not sock.waitForReadyRead(timeout_ms):
            # The answer may have come with the hang-up: what arrived is still buffered.
            answer += bytes(sock.readAll().data())
            break
        answer += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    return answer.startswith(b"ok")


class InstanceServer(QObject):
    """Listens for later launches; *on_files* is called with their files (maybe none)."""

    def __init__(
        self, paths: AppPaths, on_files: Callable[[list[str]], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._on_files = on_files
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.name = server_name(paths)
        if self.name and not self.server.listen(self.name):
            # A socket left behind by a crash: nobody answered on it, so it is stale.
            QLocalServer.removeServer(self.name)
            self.server.listen(self.name)
        self.server.newConnection.connect(self.on_new_connection)

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def on_new_connection(self) -> None:
        socket = self.server.nextPendingConnection()
        if socket is None:
            return
        if not _peer_is_this_user(socket, self.name):
            socket.abort()
            socket.deleteLater()
            return
        buffer = bytearray()

        def read() -> None:
            buffer.extend(bytes(socket.readAll().data()))
            if not buffer.endswith(b"\n"):
                return
            try:
                files = [str(f) for f in json.loads(buffer.decode()).get("files", [])]
            except (ValueError, AttributeError):
                files = []
            socket.write(b"ok\n")
            socket.flush()
            socket.disconnectFromServer()
            self._on_files(files)

        socket.readyRead.connect(read)
        socket.disconnected.connect(socket.deleteLater)
        if socket.bytesAvailable():
            read()
