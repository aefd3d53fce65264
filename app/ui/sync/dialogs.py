"""Setting up a CardDAV account, and the conflicts a sync left for the user."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import carddav, trust
from app.ui.common.rows_model import CompareModel
from app.ui.common.tasks import Task
from app.ui.common.text import plain_label, plain_tooltip
from app.ui.common.widgets import ErrorLabel

PROVIDERS = (
    "Nextcloud: https://your-cloud.example/remote.php/dav (an app password from "
    "Settings ▸ Security). iCloud: https://contacts.icloud.com with an app-specific password "
    "from appleid.apple.com. Fastmail: https://carddav.fastmail.com with an app password "
    "(Settings ▸ Privacy & Security)."
)

Discover = Callable[[str, str, str, ssl.SSLContext | None], list[carddav.BookInfo]]


def discover(
    url: str, username: str, password: str, context: ssl.SSLContext | None = None
) -> list[carddav.BookInfo]:
    with carddav.client(url, username, password, context) as http:
        return carddav.discover(http, url)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button


def _with_close(dialog: QDialog, *buttons: QPushButton) -> QHBoxLayout:
    """*buttons* on the left, Close on the right."""
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    close = QPushButton("&Close")
    close.clicked.connect(dialog.accept)
    row.addWidget(close)
    return row


class SyncAccountDialog(QDialog):
    """Server address, user name and password; "Find address books" asks the server (off the
    window's thread) and lists them to pick from. The password goes to the OS keyring."""

    # The outcome line under the buttons. The name hides QDialog.result(), which nothing
    # asks of this dialog: a rename is all it needs (mypy is told here, once).
    result: QLabel  # type: ignore[assignment]

    found = Signal(object)  # a list of BookInfo, or the problem as a str

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_account_dialog")
        self.setWindowTitle("Address book sync")
        self.setMinimumWidth(560)
        intro = plain_label(
            "Keep the same contacts on your phone, laptop and Second Act: it syncs both ways "
            "with a CardDAV address book. Only the contact cards travel; your interactions, "
            "interviews and campaigns stay on this computer. The password goes to this "
            "computer's password store, never into Second Act's files."
        )
        intro.setWordWrap(True)
        hint = plain_label(PROVIDERS)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #50545c;")
        self.url = QLineEdit()
        self.url.setObjectName("sync_url")
        self.url.setPlaceholderText("https://… (the CardDAV address your provider gives)")
        self.username = QLineEdit()
        self.username.setObjectName("sync_username")
        self.password = QLineEdit()
        self.password.setObjectName("sync_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("an app password, where your provider has them")
        self.find_button = QPushButton("&Find address books")
        self.find_button.setObjectName("sync_find")
        self.result = plain_label()
        self.result.setObjectName("sync_result")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.books = QListWidget()
        self.books.setObjectName("sync_books")
        self.books.setMaximumHeight(140)
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Server", self.url)
        form.addRow("&User name", self.username)
        form.addRow("Pass&word", self.password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.save_button.setAutoDefault(False)
        self.find_button.setDefault(True)  # Enter in the password asks the server first
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(hint)
        layout.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.find_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addWidget(plain_label("Address books to sync:"))
        layout.addWidget(self.books)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.find_button.clicked.connect(self.find_books)
        self.found.connect(self._show_found)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.books.itemChanged.connect(lambda _i: self._update_save())
        self.discover: Discover = discover
        # The certificate trusted for a server, and the question when it shows one this
        # computer does not trust (common/trust.py); set by the controller.
        self.context_for: Callable[[str, int], ssl.SSLContext | None] = lambda _h, _p: None
        self.on_untrusted: Callable[[trust.Certificate], bool] = lambda _c: False
        self._untrusted: trust.Certificate | None = None
        self._pool = QThreadPool(self)
        self._task: Task | None = None

    def find_books(self) -> None:
        url, user, password = self.url.text().strip(), self.username.text(), self.password.text()
        if not url:
            self.error.show_messages(["Enter the server's address."])
            return
        if not password:
            self.error.show_messages(["Enter the password (an app password, where there is one)."])
            return
        self.error.show_messages([])
        self.find_button.setEnabled(False)
        self.books.clear()
        self._update_save()
        self.result.setText("Asking the server for your address books…")
        look = self.discover
        where = urlsplit(carddav.normalize_url(url))
        context = self.context_for(where.hostname or "", where.port or 443)
        self._untrusted = None

        def work(_progress: object, _cancelled: object) -> object:
            try:
                return look(url, user, password, context)
            except carddav.CardDavError as exc:
                self._untrusted = exc.certificate
                return str(exc)

        self._task = Task(work)
        self._task.signals.finished.connect(self.found.emit)
        self._task.signals.failed.connect(lambda report: self.found.emit(report.splitlines()[-1]))
        self._pool.start(self._task)

    def wait(self) -> None:
        self._pool.waitForDone()

    def _show_found(self, result: object) -> None:
        self.find_button.setEnabled(True)
        shown, self._untrusted = self._untrusted, None
        if isinstance(result, str) and shown is not None and self.on_untrusted(shown):
            self.find_books()  # again, trusting the certificate the user compared
            return
        if isinstance(result, str):
            self.result.setText(result)
            self.result.setStyleSheet("color: #b3261e;")
            return
        assert isinstance(result, list)
        self.result.setStyleSheet("")
        if not result:
            self.result.setText("The connection worked, but this account has no address book.")
            return
        self.result.setText(f"Connected. Found {len(result)} address book(s).")
        self.find_button.setDefault(False)
        self.save_button.setDefault(True)
        for book in result:
            item = QListWidgetItem(book.name)
            item.setData(Qt.ItemDataRole.UserRole, book)
            item.setToolTip(plain_tooltip(book.url))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.books.addItem(item)
        self._update_save()

    def chosen(self) -> list[carddav.BookInfo]:
        return [
            self.books.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.books.count())
            if self.books.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update_save(self) -> None:
        self.save_button.setEnabled(bool(self.chosen()))


class AccountsDialog(QDialog):
    """The accounts synced with: each with its address books and how its last sync went;
    Add account…, Remove (the contacts stay, here and on the server)."""

    add_requested = Signal()
    remove_requested = Signal(int)  # account id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_accounts_dialog")
        self.setWindowTitle("Address book sync")
        self.setMinimumWidth(560)
        intro = plain_label(
            "Second Act syncs your contacts both ways with these CardDAV accounts, every 15 "
            "minutes and when you press Sync Now (F5)."
        )
        intro.setWordWrap(True)
        self.accounts = QListWidget()
        self.accounts.setObjectName("sync_accounts")
        self.accounts.setWordWrap(True)
        self.add_button = _button("&Add account…", "sync_add_account")
        self.remove_button = _button("&Remove", "sync_remove_account")
        buttons = _with_close(self, self.add_button, self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.accounts, 1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button.clicked.connect(self._remove)

    def set_accounts(self, rows: list[tuple[int, str]]) -> None:
        """(account id, what to show) each."""
        self.accounts.clear()
        for account_id, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, account_id)
            self.accounts.addItem(item)
        if rows:
            self.accounts.setCurrentRow(0)
        self.remove_button.setEnabled(bool(rows))

    def _remove(self) -> None:
        item = self.accounts.currentItem()
        if item is not None:
            self.remove_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))


class ConflictsDialog(QDialog):
    """Each contact both sides changed in the same place, side by side; the user picks."""

    chosen = Signal(int, str)  # link id, "here" or "server"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_conflicts_dialog")
        self.setWindowTitle("Sync conflicts")
        self.resize(820, 460)
        intro = plain_label(
            "These contacts were changed here and on the server in the same place since the "
            "last sync. Nothing has been overwritten: choose which version to keep. The other "
            "is replaced at the next sync."
        )
        intro.setWordWrap(True)
        self.people = QListWidget()
        self.people.setObjectName("conflict_people")
        self.people.setMaximumWidth(220)
        # The duplicates dialog's side-by-side model: the field as the row's header.
        self.compare = CompareModel(("Here", "On the server"), self)
        self.table = QTableView()
        self.table.setObjectName("conflict_table")
        self.table.setModel(self.compare)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.keep_here = _button("Keep &mine", "conflict_keep_here")
        self.keep_server = _button("Take the &server's", "conflict_keep_server")
        # Shown instead of the table once every conflict is resolved.
        self.none_left = plain_label(
            "No conflicts left. The versions you chose are sent at the next sync."
        )
        self.none_left.setObjectName("conflicts_none_left")
        self.none_left.setWordWrap(True)
        self.none_left.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.none_left.hide()
        self.intro = intro
        body = QHBoxLayout()
        body.addWidget(self.people)
        body.addWidget(self.table, 1)
        buttons = _with_close(self, self.keep_here, self.keep_server)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(self.none_left, 1)
        layout.addLayout(buttons)
        self.people.currentRowChanged.connect(self._show)
        self.keep_here.clicked.connect(lambda: self._choose("here"))
        self.keep_server.clicked.connect(lambda: self._choose("server"))
        self._rows: list[tuple[int, str, list[tuple[str, str, str]]]] = []

    def set_conflicts(self, rows: list[tuple[int, str, list[tuple[str, str, str]]]]) -> None:
        """(link id, name, [(field, here, on the server)]) each."""
        self._rows = rows
        self.people.clear()
        for _link, name, _diffs in rows:
            self.people.addItem(name)
        has = bool(rows)
        self.keep_here.setEnabled(has)
        self.keep_server.setEnabled(has)
        for shown_with_rows in (self.intro, self.people, self.table):
            shown_with_rows.setVisible(has)
        self.none_left.setVisible(not has)
        if has:
            self.people.setCurrentRow(0)
        else:
            self.compare.set_rows([])

    def _show(self, row: int) -> None:
        self.compare.set_rows(self._rows[row][2] if 0 <= row < len(self._rows) else [])

    def _choose(self, side: str) -> None:
        row = self.people.currentRow()
        if 0 <= row < len(self._rows):
            self.chosen.emit(self._rows[row][0], side)
