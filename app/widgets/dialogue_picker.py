"""The "Dialogue voice" row of the voice panel: quoted speech read in another voice, or by another
speaker of a multi-speaker voice (backend/voices/dialogue.py). Per book: it is enabled while a
book is open and shows, and changes, that book's saved choice.

A voice list (Off, then every installed voice) and, for a multi-speaker voice, its speaker picker.
Reads voices' .json only (no torch), so filling it is instant.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from app.widgets.speaker_combo import SpeakerCombo

OFF = "Off"


class DialoguePicker(QWidget):
    choice_changed = Signal(object)  # a backend.voices.dialogue.DialogueChoice, or None for off

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.voice_combo = QComboBox(toolTip="Read the book's quoted speech in another voice (Off: one voice reads "
                                             "everything). Saved for this book; changing it renders its dialogue again")
        self.speaker_combo = SpeakerCombo()
        self.speaker_combo.setToolTip("The speaker (or saved blend) of the dialogue voice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.voice_combo, 1)
        layout.addWidget(self.speaker_combo, 1)
        self._blends: dict[str, str] = {}
        self.voice_combo.currentIndexChanged.connect(self._voice_chosen)
        self.speaker_combo.speaker_chosen.connect(lambda _: self._emit())
        self.setEnabled(False)

    def fill(self, voices: list[tuple[str, str]], blends: dict[str, str]) -> None:
        """`voices`: (label, what DialogueChoice.voice holds: a name or a .onnx path) of every installed voice."""
        self._blends = dict(blends)
        keep = self.choice()
        self.voice_combo.blockSignals(True)
        self.voice_combo.clear()
        self.voice_combo.addItem(OFF, None)
        for label, spec in voices:
            self.voice_combo.addItem(label, spec)
        self.voice_combo.blockSignals(False)
        self.show_choice(keep)

    def fill_blends(self, blends: dict[str, str]) -> None:
        """A blend was saved: offer it for dialogue too."""
        self._blends = dict(blends)
        self.show_choice(self.choice())

    def show_choice(self, choice) -> None:
        """Show a book's saved choice (None: off) without saving anything."""
        self.voice_combo.blockSignals(True)
        index = self.voice_combo.findData(choice.voice) if choice is not None and choice.voice else 0
        if choice is not None and index < 0:  # a voice not in the list (given by path on the command line)
            self.voice_combo.addItem(choice.voice, choice.voice)
            index = self.voice_combo.count() - 1
        self.voice_combo.setCurrentIndex(index)
        self.voice_combo.blockSignals(False)
        self._fill_speakers(choice.speaker if choice is not None else None)

    def choice(self):
        from backend.voices.dialogue import DialogueChoice

        spec = self.voice_combo.currentData()
        if spec is None:
            return None
        speaker = self.speaker_combo.currentData() if not self.speaker_combo.isHidden() else None
        return DialogueChoice(spec, None if speaker is None else str(speaker))

    def _fill_speakers(self, speaker) -> None:
        from backend.tts.errors import VoiceError
        from backend.voices.dialogue import find_voice_path

        spec = self.voice_combo.currentData()
        voice = None
        if spec is not None:
            from backend.tts.voice import load_voice

            try:
                voice = load_voice(find_voice_path(spec, [spec] if spec.endswith(".onnx") else []))
            except (ValueError, VoiceError):
                voice = None
        self.speaker_combo.fill(voice, speaker, self._blends)  # shown for a multi-speaker voice only

    def _voice_chosen(self, _index: int) -> None:
        self._fill_speakers(None)
        self._emit()

    def _emit(self) -> None:
        self.choice_changed.emit(self.choice())
