"""The user's own profile (Edit ▸ My Profile…), asked for on first use of Outreach or Interview
prep, and their card: a vCard file, or a QR code shown full-screen or printed at an event."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QPaintDevice,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.services import profile
from app.services.files import atomic_write
from app.ui.common.forms import Form
from app.ui.common.host import Host
from app.ui.common.text import plain_label


class ProfileDialog(Form):
    """Who the user is, for the messages they sign, their homework and their card."""

    def __init__(self, p: profile.Profile, first_use: bool, parent: QWidget | None = None) -> None:
        heading = (
            "Before your first message or interview: who are you? Your name signs your "
            "messages, and your story goes into each interview's homework. Change it any time "
            "in Edit ▸ My Profile…"
            if first_use
            else "Your name signs your messages ({{ my_first_name }}, {{ my_full_name }}); your "
            "story goes into each interview's homework; File ▸ Export My Card… shares it."
        )
        super().__init__("My profile", heading, parent)
        self.setObjectName("profile_dialog")
        self.setMinimumWidth(560)

        def line(name: str, value: str, hint: str = "") -> QLineEdit:
            edit = QLineEdit(value)
            edit.setObjectName(name)
            edit.setPlaceholderText(hint)
            return edit

        self.given = line("profile_given", p.given_name)
        self.family = line("profile_family", p.family_name)
        self.sign_as = line("profile_sign_as", p.sign_as, "your first name, unless you type one")
        self.emails = line("profile_emails", ", ".join(p.emails), "you@example.com")
        self.phone = line("profile_phone", p.phone)
        self.linkedin = line("profile_linkedin", p.linkedin, "https://www.linkedin.com/in/…")
        self.target = line("profile_target", p.target_field, "e.g. Data science, UX research")
        self.headline = line(
            "profile_headline", p.headline, "e.g. Lab chemist moving into data science"
        )
        self.story = QPlainTextEdit(p.story)
        self.story.setObjectName("profile_story")
        self.story.setTabChangesFocus(True)
        self.story.setPlaceholderText(
            "Who you are, what you did, where you are heading and why: about 150 words, "
            "said aloud in a minute."
        )
        self.story.setMinimumHeight(self.fontMetrics().height() * 7)
        self.form.addRow("&First name", self.given)
        self.form.addRow("&Last name", self.family)
        self.form.addRow("&Sign as", self.sign_as)
        self.form.addRow("&Email addresses", self.emails)
        self.form.addRow("&Phone", self.phone)
        self.form.addRow("Lin&kedIn", self.linkedin)
        self.form.addRow("Field you are &moving into", self.target)
        self.form.addRow("&Headline", self.headline)
        self.form.addRow("Your &60-second story", self.story)
        self.given.setFocus()

    def value(self) -> profile.Profile:
        return profile.Profile(
            given_name=self.given.text(),
            family_name=self.family.text(),
            sign_as=self.sign_as.text(),
            emails=tuple(e.strip() for e in self.emails.text().replace(";", ",").split(",")),
            phone=self.phone.text(),
            linkedin=self.linkedin.text().strip(),
            target_field=self.target.text(),
            headline=self.headline.text(),
            story=self.story.toPlainText(),
        )


def qr_image(p: profile.Profile, module: int = 12) -> QImage:
    """The card as a QR code, black on white with its quiet zone, *module* pixels a square."""
    rows = profile.qr_matrix(p)
    size = len(rows) * module
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * module, y * module, module, module, QColor("black"))
    painter.end()
    return image


class CardDialog(QDialog):
    """The QR code of the user's card, big enough for a phone across a table; F11 or the
    button shows it full-screen, Print… prints it."""

    def __init__(self, p: profile.Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card_dialog")
        self.setWindowTitle("My card")
        self.image = qr_image(p)
        self.code = plain_label()  # shows only the pixmap
        self.code.setObjectName("card_qr")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setMinimumSize(320, 320)
        self.caption = plain_label(
            " · ".join(x for x in (p.full_name or p.signature, p.headline) if x)
        )
        self.caption.setObjectName("card_caption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        self.hint = plain_label("Point a phone's camera at the code to add you as a contact.")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.full_button = buttons.addButton("&Full screen", QDialogButtonBox.ButtonRole.ActionRole)
        self.full_button.setObjectName("card_full_screen")
        self.print_button = buttons.addButton("&Print…", QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setObjectName("card_print")
        self.full_button.clicked.connect(self.toggle_full_screen)
        self.print_button.clicked.connect(self.print_card)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("F11"), self, self.toggle_full_screen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.resize(480, 560)

    def resizeEvent(self, event: QResizeEvent) -> None:
        side = max(1, min(self.code.width(), self.code.height()))
        # Scaled without smoothing: the squares stay sharp for the camera.
        self.code.setPixmap(QPixmap.fromImage(self.image.scaled(side, side)))
        super().resizeEvent(event)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def print_card(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        paint_card(printer, self.image)


def paint_card(device: QPaintDevice, image: QImage) -> None:
    """The code centred on the page, 8 cm wide (a phone reads it from an arm's length)."""
    painter = QPainter(device)
    side = device.logicalDpiX() * 8 / 2.54
    x = (device.width() - side) / 2
    painter.drawImage(QRectF(x, x, side, side), image)
    painter.end()


class ProfileActions:
    """Edit ▸ My Profile…, File ▸ Export My Card…, File ▸ Show My Card…; and the question
    asked once, on first use of Outreach or Interview prep."""

    def __init__(self, host: Host) -> None:
        self.w = host

    def edit(self, first_use: bool = False) -> bool:
        """The profile dialog; True when the user saved it."""
        with self.w.db.session() as s:
            current = profile.load_profile(s)
        dialog = ProfileDialog(current, first_use, self.w.dialog_parent())
        if self.w.ask(dialog) != QDialog.DialogCode.Accepted:
            return False
        new = dialog.value()
        with self.w.db.session() as s:
            profile.save_profile(s, new)
        self.w.say("Your profile is saved.")
        self.w.refresh_shown()
        return True

    def ask_once(self) -> None:
        """On first use of Outreach or Interview prep with no name to sign with."""
        with self.w.db.session() as s:
            ask = profile.should_ask(s)
        if ask:
            self.edit(first_use=True)

    def export_card(self, target: Path | None = None) -> Path | None:
        with self.w.db.session() as s:
            p = profile.load_profile(s)
        if target is None:
            name = (p.full_name or "my-card").replace(" ", "-")
            chosen, _ = QFileDialog.getSaveFileName(
                self.w.dialog_parent(),
                "Export My Card",
                str(Path.home() / f"{name}.vcf"),
                "vCard (*.vcf)",
            )
            if not chosen:
                return None
            target = Path(chosen)
        atomic_write(target, profile.vcard(p))
        self.w.say(f"Your card is saved as {target.name}.")
        return target

    def show_card(self) -> CardDialog:
        with self.w.db.session() as s:
            p = profile.load_profile(s)
        dialog = CardDialog(p, self.w.dialog_parent())
        self.w.ask(dialog)
        return dialog
