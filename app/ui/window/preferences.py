"""Preferences: how often to keep in touch with each tier of contacts."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.model.records import TIERS
from app.ui.common.text import plain_label


class PreferencesDialog(QDialog):
    def __init__(self, days: dict[str, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences")
        intro = plain_label(
            "Keep-in-touch tiers: how many days may pass after your last real contact with "
            "someone before Today reminds you. (Derek Sivers' suggestion: A every 3 weeks, "
            "B every 2 months, C every 6 months, D once a year.)"
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for tier in TIERS:
            spin = QSpinBox()
            spin.setObjectName(f"tier_{tier}")
            spin.setRange(1, 3650)
            spin.setSuffix(" days")
            spin.setValue(days[tier])
            self.spins[tier] = spin
            form.addRow(f"Tier &{tier}", spin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        defaults = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def restore_defaults(self) -> None:
        for tier, (_label, days) in TIERS.items():
            self.spins[tier].setValue(days)

    def values(self) -> dict[str, int]:
        return {tier: spin.value() for tier, spin in self.spins.items()}
