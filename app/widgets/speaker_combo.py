"""The speaker picker beside the voice picker: shown only for a voice with several speakers.

Lists the voice's speakers by name (its speaker_id_map) or, without names, by id. Choosing one
sets RenderSettings.speaker, which is part of every chunk's cache key. Reads the voice's .json
only (backend.tts.voice imports no torch), so filling it is instant.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget


class SpeakerCombo(QComboBox):
    speaker_chosen = Signal(object)  # a speaker name, an id (int), or None for the first

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("The speaker of this multi-speaker voice (Preview to hear one); changing it renders "
                        "the book's chunks again")
        self.setVisible(False)
        self.currentIndexChanged.connect(lambda _: self.speaker_chosen.emit(self.currentData()))

    def fill(self, voice, speaker, blends: dict[str, str] | None = None) -> None:
        """Show `voice`'s speakers and the saved blends that fit it (hidden for a single speaker),
        and select `speaker` (a name, an id or a blend's name)."""
        from backend.voices.blends import parse_blend

        self.blockSignals(True)
        self.clear()
        count = getattr(voice, "num_speakers", 1) if voice is not None else 1
        if count > 1:
            names = {sid: name for name, sid in voice.speakers.items()}
            for sid in range(count):
                name = names.get(sid)
                self.addItem(f"{sid}: {name}" if name else f"Speaker {sid}", name if name else sid)
            for name, mix in sorted((blends or {}).items()):
                try:
                    parse_blend(voice, mix)
                except ValueError:
                    continue  # a blend of another voice's speakers
                self.addItem(f"Blend: {name}", name)
            found = self.findData(speaker) if isinstance(speaker, str) and speaker in (blends or {}) else -1
            if found < 0:
                try:
                    found = voice.speaker_id(speaker)
                except ValueError:
                    found = 0
            self.setCurrentIndex(found)
        self.setVisible(count > 1)
        self.blockSignals(False)
