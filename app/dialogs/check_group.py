"""The Listening check group of Advanced Settings: Check speech Off / Flag / Flag and retry
(backend/render/check_step.py). Without the `.[check]` extra (faster-whisper and its model) the
choice is disabled and the group says how to install it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel

from backend.settings import RenderSettings

CHOICES = (
    ("Off", "off", "No check: the audio is not listened to."),
    ("Flag", "flag", "Whisper hears every chunk after it is rendered; chunks not heard as written (more than 20% "
                     "of words wrong, or 3 or more missing) are listed in the log and in '<title> check.csv'."),
    ("Flag and retry", "retry", "As Flag, then a flagged chunk is rendered again with other seeds (up to 2 more "
                                "takes) and the take heard best is kept."),
)
TIP = ("Listen to the finished chunks with a speech recognizer (Whisper tiny.en, offline) to catch skipped, "
       "garbled or cut words. Scores are kept with each chunk, so a resume does not check again.")


class CheckGroup(QGroupBox):
    def __init__(self, parent=None) -> None:
        from backend.check.transcriber import availability  # importlib only: no model is loaded

        super().__init__("Listening check", parent)
        form = QFormLayout(self)
        self.check_combo = QComboBox(toolTip=TIP)
        for label, key, tip in CHOICES:
            self.check_combo.addItem(label, key)
            self.check_combo.setItemData(self.check_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        label = QLabel("Check speech:", toolTip=TIP)
        label.setBuddy(self.check_combo)
        form.addRow(label, self.check_combo)
        self.problem = availability()
        self.note = QLabel(self.problem or "", wordWrap=True, visible=bool(self.problem))
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # the command can be copied
        form.addRow(self.note)
        self.check_combo.setEnabled(self.problem is None)

    def fill(self, settings: RenderSettings) -> None:
        from backend.check.transcriber import availability

        self.problem = availability(settings.check_model)
        self.note.setText(self.problem or "")
        self.note.setVisible(bool(self.problem))
        self.check_combo.setEnabled(self.problem is None)
        self.check_combo.setCurrentIndex(max(0, self.check_combo.findData(settings.check if not self.problem else "off")))

    def values(self) -> dict:
        return {"check": self.check_combo.currentData()}
