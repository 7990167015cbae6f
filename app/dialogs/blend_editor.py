"""New blend: mix 2 to 4 speakers of a multi-speaker voice with weights, hear it, and save it under
a name (RenderSettings.blends), to be picked like a speaker. The rules (names, weights, 2 to 4
speakers) are backend/voices/blends.py's; a refused blend keeps the dialog open and says why."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from backend.voices.blends import MAX_SPEAKERS, MIN_SPEAKERS, named_blend, parse_blend

ERROR_STYLE = "color: #b00020; font-weight: 600;"


class BlendEditor(QDialog):
    preview_requested = Signal(str)  # the mix, e.g. "alice:0.7,bob:0.3"

    def __init__(self, voice, taken: dict[str, str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New blend of {voice.name}")
        self.setMinimumWidth(360)
        self.voice, self._taken = voice, taken
        self.saved: tuple[str, str] | None = None  # (name, mix) once saved
        self.name_edit = QLineEdit(placeholderText="e.g. Warm narrator")
        self.rows: list[tuple[QComboBox, QDoubleSpinBox]] = []
        self.grid = QGridLayout()
        self.grid.addWidget(QLabel("Speaker"), 0, 0)
        self.grid.addWidget(QLabel("Weight"), 0, 1)
        self.add_button = QPushButton("Add a speaker", clicked=self.add_row)
        self.preview_button = QPushButton("Preview", clicked=self._preview)
        self.preview_button.setToolTip("Say a sentence with this mix (nothing is saved)")
        self.error = QLabel(wordWrap=True, styleSheet=ERROR_STYLE)
        self.mix_label = QLabel()  # the normalized mix, as it will be saved
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button)
        layout.addWidget(self.mix_label)
        layout.addWidget(self.error)
        layout.addWidget(self.preview_button)
        layout.addWidget(buttons)
        for sid in range(MIN_SPEAKERS):
            self.add_row(sid)

    def add_row(self, speaker: int | None = None) -> None:
        combo = QComboBox()
        names = {sid: name for name, sid in self.voice.speakers.items()}
        for sid in range(self.voice.num_speakers):
            combo.addItem(f"{sid}: {names[sid]}" if sid in names else f"Speaker {sid}", names.get(sid, str(sid)))
        combo.setCurrentIndex(speaker if isinstance(speaker, int) else min(len(self.rows), combo.count() - 1))
        weight = QDoubleSpinBox(minimum=0.05, maximum=10.0, singleStep=0.05, value=1.0, decimals=2)
        row = len(self.rows) + 1
        self.grid.addWidget(combo, row, 0)
        self.grid.addWidget(weight, row, 1)
        self.rows.append((combo, weight))
        combo.currentIndexChanged.connect(self._show_mix)
        weight.valueChanged.connect(self._show_mix)
        self.add_button.setEnabled(len(self.rows) < MAX_SPEAKERS)
        self._show_mix()

    def mix(self) -> str:
        return ",".join(f"{combo.currentData()}:{weight.value():g}" for combo, weight in self.rows)

    def _show_mix(self, *_) -> None:
        try:
            blend = parse_blend(self.voice, self.mix())
        except ValueError as exc:
            self.mix_label.setText("")
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.mix_label.setText("Mix: " + ", ".join(f"{self.rows[0][0].itemText(sid).split(': ')[-1]} {w:.0%}"
                                                   for sid, w in blend))

    def _preview(self) -> None:
        try:
            parse_blend(self.voice, self.mix())
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.preview_requested.emit(self.mix())

    def _save(self) -> None:
        try:
            name, mix = named_blend(self.voice, self.name_edit.text(), self.mix())
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        if name in self._taken and self._taken[name] != mix:
            self.error.setText(f"A blend named '{name}' is saved already ({self._taken[name]}): choose another name.")
            return
        self.saved = (name, mix)
        self.accept()
