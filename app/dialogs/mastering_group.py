"""The Mastering group of Advanced Settings: the preset the chapter files are mastered to and the
room tone at their ends. Mastering runs after the chunk cache, so changing it re-assembles the
book without rendering any chunk again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel

from backend.settings import RenderSettings

PRESET_CHOICES = (
    ("Audiobook (ACX)", "acx", "Audible/ACX, Findaway, Google Play: RMS -20 dB, true peak at most -3 dBTP (checked "
                               "on the encoded MP3), noise floor under -60 dB, 44.1 kHz. The default."),
    ("Podcast / Apple", "podcast", "Apple Podcasts and most podcast hosts: -16 LUFS integrated, true peak at most -1 dBTP."),
    ("EBU R128", "ebu", "Broadcast (EBU R128): -23 LUFS integrated, true peak at most -1 dBTP."),
    ("Off", "off", "No mastering: chapter files stay as assembled (the voice's rate, digital silence in pauses). "
                   "The audio report still measures them."),
)
TIPS = {
    "master": "The loudness spec every chapter file is mastered to: one gain to the target and a look-ahead "
              "true-peak limiter (not a clipper), the same for every chapter so levels match. Changing it "
              "re-assembles the book; no chunk is rendered again.",
    "head": "Room tone (quiet, even noise far below the voice, never digital silence) at the start of each "
            "chapter file. ACX wants 0.5 to 1 second.",
    "tail": "Room tone at the end of each chapter file. ACX wants 1 to 5 seconds.",
}


class MasteringGroup(QGroupBox):
    def __init__(self, parent=None) -> None:
        super().__init__("Mastering", parent)
        form = QFormLayout(self)
        self.master_combo = QComboBox()
        for label, key, tip in PRESET_CHOICES:
            self.master_combo.addItem(label, key)
            self.master_combo.setItemData(self.master_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.master_combo.setToolTip(TIPS["master"])
        self.head_spin, self.tail_spin = QDoubleSpinBox(), QDoubleSpinBox()
        for spin, tip in ((self.head_spin, TIPS["head"]), (self.tail_spin, TIPS["tail"])):
            spin.setRange(0.0, 10.0)
            spin.setSingleStep(0.25)
            spin.setDecimals(2)
            spin.setSuffix(" s")
            spin.setToolTip(tip)
        self.master_combo.currentIndexChanged.connect(self._update_enabled)
        for label, field, tip in (("Preset:", self.master_combo, TIPS["master"]),
                                  ("Room tone at the start:", self.head_spin, TIPS["head"]),
                                  ("Room tone at the end:", self.tail_spin, TIPS["tail"])):
            label_widget = QLabel(label)
            label_widget.setToolTip(tip)
            label_widget.setBuddy(field)
            form.addRow(label_widget, field)

    def _update_enabled(self) -> None:
        on = self.master_combo.currentData() != "off"  # room tone comes with mastering
        self.head_spin.setEnabled(on)
        self.tail_spin.setEnabled(on)

    def fill(self, settings: RenderSettings) -> None:
        self.master_combo.setCurrentIndex(max(0, self.master_combo.findData(settings.master)))
        self.head_spin.setValue(settings.room_tone_head)
        self.tail_spin.setValue(settings.room_tone_tail)
        self._update_enabled()

    def values(self) -> dict:
        return {"master": self.master_combo.currentData(), "room_tone_head": round(self.head_spin.value(), 2),
                "room_tone_tail": round(self.tail_spin.value(), 2)}
