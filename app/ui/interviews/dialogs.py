"""The small dialogs of interview prep: whom to interview, a referral, a promise, a term, the
thank-you template, the question bank and the glossary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.model.records import ContactRecord, Labeled
from app.services import interviews as iv
from app.services import templates
from app.services.contacts import Choice
from app.services.question_bank import THEMES, Question
from app.ui.common.contact_picker import NOT_A_CONTACT, ContactPicker
from app.ui.common.forms import Form, date_edit, from_qdate
from app.ui.common.rows_model import RowsModel
from app.ui.common.tables import rows_table
from app.ui.common.text import plain_label
from app.ui.common.widgets import ErrorLabel, button_row

Search = Callable[[str], list[Choice]]


class PickContactDialog(Form):
    """Whom the interview is with: typed, found by the search index."""

    def __init__(self, search: Search, parent: QWidget | None = None) -> None:
        super().__init__(
            "New informational interview",
            "Who would you like to talk to? Type a name or an organisation.",
            parent,
        )
        self.setObjectName("pick_contact_dialog")
        self.picker = ContactPicker()
        self.picker.setObjectName("interview_contact")
        self.picker.search = search
        self.error = ErrorLabel()
        self.form.addRow("&With", self.picker)
        self.form.addRow(self.error)
        self.picker.setFocus()

    def accept(self) -> None:
        cid = self.picker.contact_id()
        if cid is None or cid == NOT_A_CONTACT:
            self.error.show_messages([self.picker.unpicked_problem()])
            return
        super().accept()

    def value(self) -> int:
        cid = self.picker.contact_id()
        assert cid is not None and cid != NOT_A_CONTACT
        return cid


class ReferralDialog(Form):
    """A person the interviewee suggested: new (name, email, organisation) or already known."""

    def __init__(self, who: str, search: Search, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add a referral",
            f"Whom did {who} suggest you talk to? They will be recorded as introduced by {who}.",
            parent,
        )
        self.setObjectName("referral_dialog")
        self.new_person = QRadioButton("&Someone new")
        self.new_person.setObjectName("referral_new")
        self.known = QRadioButton("Someone in my &contacts")
        self.known.setObjectName("referral_known")
        group = QButtonGroup(self)
        group.addButton(self.new_person)
        group.addButton(self.known)
        self.new_person.setChecked(True)
        self.name = QLineEdit()
        self.name.setObjectName("referral_name")
        self.email = QLineEdit()
        self.email.setObjectName("referral_email")
        self.organization = QLineEdit()
        self.organization.setObjectName("referral_organization")
        self.picker = ContactPicker()
        self.picker.setObjectName("referral_picker")
        self.picker.search = search
        self.error = ErrorLabel()
        self.form.addRow(self.new_person)
        self.form.addRow("&Name", self.name)
        self.form.addRow("&Email", self.email)
        self.form.addRow("&Organisation", self.organization)
        self.form.addRow(self.known)
        self.form.addRow("&Who", self.picker)
        self.form.addRow(self.error)
        self.new_person.toggled.connect(self._enable)
        self._enable()
        self.name.setFocus()

    def _enable(self) -> None:
        new = self.new_person.isChecked()
        for w in (self.name, self.email, self.organization):
            w.setEnabled(new)
        self.picker.setEnabled(not new)

    def accept(self) -> None:
        if self.new_person.isChecked() and not self.name.text().strip():
            self.error.show_messages(["Write their name."])
            return
        if self.known.isChecked() and self.picker.contact_id() in (None, NOT_A_CONTACT):
            self.error.show_messages([self.picker.unpicked_problem()])
            return
        super().accept()

    def value(self) -> tuple[ContactRecord | None, int | None]:
        if self.known.isChecked():
            return None, self.picker.contact_id()
        email = self.email.text().strip()
        return (
            ContactRecord(
                full_name=" ".join(self.name.text().split()),
                organization=self.organization.text().strip(),
                emails=[Labeled(email)] if email else [],
            ),
            None,
        )


class PromiseDialog(Form):
    def __init__(self, who: str, mine: bool, parent: QWidget | None = None) -> None:
        heading = (
            f"What did you promise {who}? It becomes a follow-up on Today."
            if mine
            else f"What did {who} promise? You get a reminder to check on it."
        )
        super().__init__("Promised action", heading, parent)
        self.setObjectName("promise_dialog")
        self.text = QLineEdit()
        self.text.setObjectName("promise_text")
        self.text.setPlaceholderText(
            "send the article on hiring trends" if mine else "introduce me to their manager"
        )
        days = 2 if mine else 7
        self.day = date_edit(dt.date.today() + dt.timedelta(days=days), "promise_due")
        self.error = ErrorLabel()
        self.form.addRow("&What", self.text)
        self.form.addRow("&By", self.day)
        self.form.addRow(self.error)
        self.text.setFocus()

    def accept(self) -> None:
        if not self.text.text().strip():
            self.error.show_messages(["Say what was promised."])
            return
        super().accept()

    def values(self) -> tuple[str, dt.date]:
        return self.text.text(), from_qdate(self.day.date())


class TermDialog(Form):
    def __init__(self, term: str = "", meaning: str = "", parent: QWidget | None = None) -> None:
        super().__init__(
            "A term of the field",
            "A word or abbreviation you learned: it helps in your CV and next conversations.",
            parent,
        )
        self.setObjectName("term_dialog")
        self.term = QLineEdit(term)
        self.term.setObjectName("term_text")
        self.meaning = QLineEdit(meaning)
        self.meaning.setObjectName("term_meaning")
        self.error = ErrorLabel()
        self.form.addRow("&Term", self.term)
        self.form.addRow("&Meaning", self.meaning)
        self.form.addRow(self.error)
        self.term.setFocus()

    def accept(self) -> None:
        if not self.term.text().strip():
            self.error.show_messages(["Write the word or phrase."])
            return
        super().accept()

    def values(self) -> tuple[str, str]:
        return self.term.text(), self.meaning.text()


class TemplateDialog(Form):
    """The thank-you template, with the fields it can use; a broken one is refused."""

    def __init__(self, text: str, my_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Thank-you template",
            "Fields: {{ first_name }}, {{ name }}, {{ organization }}, {{ held_on }}, "
            "{{ specific }} (what you chose to quote), {{ referrals }}, {{ field }}, "
            '{{ my_name }}. A fallback: {{ first_name | default("there") }}; conditional '
            "text: {% if referrals %}…{% endif %}.",
            parent,
        )
        self.setObjectName("template_dialog")
        self.setMinimumWidth(620)
        self.my_name = QLineEdit(my_name)
        self.my_name.setObjectName("my_name")
        self.my_name.setPlaceholderText("How you sign your notes")
        self.text = QPlainTextEdit(text)
        self.text.setObjectName("template_text")
        self.text.setMinimumHeight(self.fontMetrics().height() * 14)
        self.reset = QPushButton("Back to the shipped template")
        self.reset.setObjectName("template_reset")
        self.reset.clicked.connect(lambda: self.text.setPlainText(iv.DEFAULT_THANK_YOU))
        self.error = ErrorLabel()
        self.form.addRow("&Your name", self.my_name)
        self.form.addRow(self.text)
        self.form.addRow(self.reset)
        self.form.addRow(self.error)

    def accept(self) -> None:
        try:
            templates.check(self.text.toPlainText())
        except ValueError as exc:
            self.error.show_messages([str(exc)])
            return
        super().accept()

    def values(self) -> tuple[str, str]:
        return self.text.toPlainText(), self.my_name.text()


class QuestionDialog(Form):
    def __init__(self, theme: str = "", text: str = "", parent: QWidget | None = None) -> None:
        super().__init__("Question", "Write it as you would ask it.", parent)
        self.setObjectName("question_dialog")
        self.theme = QComboBox()
        self.theme.setObjectName("question_theme")
        self.theme.setEditable(True)
        self.theme.addItems(THEMES)
        self.theme.setCurrentText(theme or THEMES[0])
        self.text = QLineEdit(text)
        self.text.setObjectName("question_text")
        self.error = ErrorLabel()
        self.form.addRow("&Theme", self.theme)
        self.form.addRow("&Question", self.text)
        self.form.addRow(self.error)
        self.text.setFocus()

    def accept(self) -> None:
        if not self.text.text().strip():
            self.error.show_messages(["Write the question."])
            return
        super().accept()

    def values(self) -> tuple[str, str]:
        return self.theme.currentText(), self.text.text()


class BankDialog(QDialog):
    """Browse and edit the question bank; each change is made by the window (undoable)."""

    def __init__(
        self,
        load: Callable[[], list[Question]],
        add: Callable[[], None],
        edit: Callable[[Question], None],
        delete: Callable[[Question], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bank_dialog")
        self.setWindowTitle("Question bank")
        self.resize(640, 560)
        self._load = load
        self.tree = QTreeWidget()
        self.tree.setObjectName("bank_tree")
        self.tree.setHeaderLabel("Questions by theme: TIARA first, then the usual themes")
        self.tree.itemActivated.connect(lambda *_: self._edit())
        add_button = QPushButton("&Add…")
        add_button.setObjectName("bank_add")
        edit_button = QPushButton("&Edit…")
        edit_button.setObjectName("bank_edit")
        delete_button = QPushButton("&Delete")
        delete_button.setObjectName("bank_delete")
        add_button.clicked.connect(add)
        self._edit_cb, self._delete_cb = edit, delete
        edit_button.clicked.connect(self._edit)
        delete_button.clicked.connect(self._delete)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        row = button_row(add_button, edit_button, delete_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        current = self.current()
        self.tree.clear()
        themes: dict[str, QTreeWidgetItem] = {}
        for q in self._load():
            parent = themes.get(q.theme)
            if parent is None:
                parent = themes[q.theme] = QTreeWidgetItem(self.tree, [q.theme])
            item = QTreeWidgetItem(parent, [q.text])
            item.setData(0, Qt.ItemDataRole.UserRole, q)
            if current is not None and q.id == current.id:
                self.tree.setCurrentItem(item)
        self.tree.expandAll()

    def current(self) -> Question | None:
        item = self.tree.currentItem()
        q = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return q if isinstance(q, Question) else None

    def _edit(self) -> None:
        q = self.current()
        if q is not None:
            self._edit_cb(q)

    def _delete(self) -> None:
        q = self.current()
        if q is not None:
            self._delete_cb(q)


class GlossaryDialog(QDialog):
    """Every term learned, across all interviews, with where it was learned; searchable."""

    def __init__(
        self, load: Callable[[str], list[iv.TermRow]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("glossary_dialog")
        self.setWindowTitle("Glossary")
        self.resize(680, 480)
        self._load = load
        self.search = QLineEdit()
        self.search.setObjectName("glossary_search")
        self.search.setPlaceholderText("Search terms and meanings")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.reload())
        self.model = GlossaryModel(self)
        self.view = rows_table(self.model, "glossary_table")
        self.view.setMaximumHeight(16777215)
        self.count = plain_label()
        self.count.setObjectName("glossary_count")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        rows = self._load(self.search.text())
        self.model.set_rows(rows)
        n = len(rows)
        self.count.setText(
            f"{n} term{'s' if n != 1 else ''}"
            if n or not self.search.text()
            else "No term matches. Terms are added in an interview's debrief."
        )


class GlossaryModel(RowsModel):
    headers = ("Term", "Meaning", "Learned from")

    def cells(self, row: iv.TermRow) -> tuple[str, ...]:
        return row.term, row.meaning, row.learned_from
