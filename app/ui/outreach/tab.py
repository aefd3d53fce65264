"""Outreach: the campaigns, and the one chosen on four pages (message, recipients, preview,
sending and results)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import outreach
from app.storage.db import Database
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import rows_table
from app.ui.common.text import plain_label
from app.ui.common.widgets import button_row
from app.ui.outreach.pages import MessagePage, PreviewPage, RecipientsPage, SendPage


class CampaignsModel(RowsModel):
    headers = ("Campaign", "Sent", "Replied")

    def cells(self, row: outreach.CampaignSummary) -> tuple[str, ...]:
        c = row.counts
        sent = c.get("sent", 0) + c.get("replied", 0)
        people = row.recipients - c.get("skipped", 0)
        return row.name, f"{sent} of {people}", str(c.get("replied", 0))


EMPTY = (
    "Outreach writes to your network one person at a time: each person gets their own "
    "message, from your own mail account, with their name and how you know them filled in.\n\n"
    "Start with New campaign: choose what you are asking for (an introduction, advice, an "
    "informational interview…), and Second Act gives you a short message to make your own, "
    "with a checker for the 5-point and 6-point email rules beside it. Then add people, "
    "look at every message, send a test to yourself, and send."
)


class OutreachTab(QWidget):
    new_requested = Signal()
    delete_requested = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.model = CampaignsModel(self)
        self.list = rows_table(self.model, "campaigns_list")
        self.list.setMaximumHeight(16777215)
        header = self.list.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.list.selectionModel().currentRowChanged.connect(lambda *_: self._load_current())
        self.new_button = QPushButton("&New campaign…")
        self.new_button.setObjectName("new_campaign")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("delete_campaign")
        self.new_button.clicked.connect(self._new)
        self.delete_button.clicked.connect(self._delete)
        self.banner = plain_label()
        self.banner.setObjectName("outreach_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #fff4d6; border: 1px solid #e0c47a; padding: 6px; color: #4d3800;"
        )
        self.banner.hide()
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(button_row(self.new_button, self.delete_button))
        left.addWidget(self.list, 1)
        left_w = QWidget()
        left_w.setLayout(left)

        self.message = MessagePage()
        self.recipients = RecipientsPage()
        self.preview = PreviewPage()
        self.send = SendPage()
        self.pages = QTabWidget()
        self.pages.setObjectName("campaign_pages")
        self.pages.addTab(self.message, "1 · Message")
        self.pages.addTab(self.recipients, "2 · Recipients")
        self.pages.addTab(self.preview, "3 · Preview")
        self.pages.addTab(self.send, "4 · Send and results")
        self.pages.currentChanged.connect(lambda _i: self._page_changed())
        self.title = plain_label()
        self.title.setObjectName("campaign_title")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        detail = QVBoxLayout()
        detail.setContentsMargins(0, 0, 0, 0)
        detail.addWidget(self.title)
        detail.addWidget(self.pages, 1)
        self.detail = QWidget()
        self.detail.setLayout(detail)
        self.empty = plain_label(EMPTY)
        self.empty.setObjectName("outreach_empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setMargin(24)
        self.empty.setMaximumWidth(620)
        self.right = QStackedWidget()
        self.right.addWidget(self.empty)
        self.right.addWidget(self.detail)
        split = QSplitter()
        split.setChildrenCollapsible(False)
        split.addWidget(left_w)
        split.addWidget(self.right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([260, 760])
        self.splitter = split
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.message.preview_of = self._preview_of
        self.preview.render_message = self._render

    # -- reading ----------------------------------------------------------------------------
    def current_id(self) -> int | None:
        index = self.list.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return int(self.model.rows[index.row()].id)

    def refresh(self, select: int | None = None, reload_message: bool = True) -> None:
        """Read the campaigns again; keep (or select) one and show it."""
        keep = select if select is not None else self.current_id()
        with self._db.session() as s:
            rows = outreach.list_campaigns(s)
            waiting = outreach.waiting(s)
        self.model.set_rows(rows)
        ids = [r.id for r in rows]
        if keep in ids:
            self.list.selectRow(ids.index(keep))
        elif rows:
            self.list.selectRow(0)
        self.delete_button.setEnabled(bool(rows))
        self._load_current(reload_message)
        self.show_waiting(waiting)

    def update_counts(self) -> None:
        """The list's counts read again in place (while sending: selection and page stay)."""
        with self._db.session() as s:
            rows = outreach.list_campaigns(s)
        if [r.id for r in rows] != [r.id for r in self.model.rows]:
            self.refresh(reload_message=False)
            return
        self.model.update_rows(rows)

    def show_waiting(self, waiting: int, sending: bool = False) -> None:
        if waiting and not sending:
            self.banner.setText(
                f"{waiting} message{'s' if waiting != 1 else ''} wait{'s' if waiting == 1 else ''}"
                " to be sent: sending stopped before they went (paused, the app closed, or the "
                "daily limit). Nobody gets a message twice: open the campaign's Send page and "
                "press Send to resume."
            )
        self.banner.setVisible(bool(waiting) and not sending)

    def _load_current(self, reload_message: bool = True) -> None:
        cid = self.current_id()
        if cid is None:
            self.message.load(None, None)
            self.right.setCurrentWidget(self.empty)
            return
        self.right.setCurrentWidget(self.detail)
        if reload_message or self.message.campaign_id != cid:
            if self.message.campaign_id != cid:
                self.message.flush()
            with self._db.session() as s:
                record = outreach.get_campaign(s, cid)
            self.message.load(cid, record)
        self.title.setText(self.message.name.text() or "(no name)")
        self._page_changed()

    def _page_changed(self) -> None:
        cid = self.current_id()
        if cid is None:
            return
        page = self.pages.currentWidget()
        if page is not self.message:
            self.message.flush()
        if page is self.message:
            self.message.run_checker()
            return
        with self._db.session() as s:
            outreach.refresh_recipients(s, cid)
            rows = outreach.recipients(s, cid)
            if page is self.recipients:
                problems = [p.text for p in outreach.problems(s, cid, []) if p.blocking]
                self.recipients.set_rows(rows, problems)
            elif page is self.preview:
                self.preview.set_rows(rows)
            else:
                self.send.show_summary(outreach.summary(s, cid))

    def _preview_of(self, record: outreach.CampaignRecord) -> str:
        cid = self.current_id()
        if cid is None:
            return ""
        with self._db.session() as s:
            return outreach.preview_template(s, cid, record)

    def _render(self, recipient_id: int) -> outreach.Message:
        with self._db.session() as s:
            return outreach.render_message(s, recipient_id)

    # -- buttons ----------------------------------------------------------------------------
    def _new(self) -> None:
        self.message.flush()
        self.new_requested.emit()

    def _delete(self) -> None:
        cid = self.current_id()
        if cid is not None:
            self.message.flush()
            self.delete_requested.emit(cid)

    def leave(self) -> None:
        """Save what is being typed (the window calls this when the tab or the app closes)."""
        self.message.flush()
