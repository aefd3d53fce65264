"""One Second Act per data folder: a second launch hands its files to the running window."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.paths import AppPaths


def server_name(paths: AppPaths) -> str:
    """Unique per user and data folder, short enough for a Unix socket path."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    digest = hashlib.sha256(f"{user}:{paths.data_dir.resolve()}".encode()).hexdigest()[:16]
    return f"second-act-{digest}"


def send_to_running(paths: AppPaths, files: list[str], timeout_ms: int = 1500) -> bool:
    """True when a running Second Act took the files (and came forward)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(paths))
    if not socket.waitForConnected(timeout_ms):
        return False
    payload = json.dumps({"files": [os.path.abspath(f) for f in files]}).encode() + b"\n"
    socket.write(payload)
    # flush() writes a local socket at once (waitForBytesWritten would then say False).
    socket.flush()
    answer = b""
    while not answer.endswith(b"\n"):
        if not socket.bytesAvailable() and not socket.waitForReadyRead(timeout_ms):
            # The answer may have come with the hang-up: what arrived is still buffered.
            answer += bytes(socket.readAll().data())
            break
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
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
        name = server_name(paths)
        if not self.server.listen(name):
            # A socket left behind by a crash: nobody answered on it, so it is stale.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self.on_new_connection)

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def on_new_connection(self) -> None:
        socket = self.server.nextPendingConnection()
        if socket is None:
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
