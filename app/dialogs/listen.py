"""A Listen button for the pronunciation dialogs: the window's worker says a text with a lexicon
applied (never on the GUI thread), and the window plays the WAV as it plays a preview."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton


class ListenButton(QPushButton):
    """`speaker`: the main window (its listen(text, lexicon) and worker), or None to hide the button.
    `what()`: (text, lexicon) to say, or None when there is nothing to say (it shows why itself)."""

    def __init__(self, label: str, speaker, what: Callable[[], tuple[str, object] | None], parent=None):
        super().__init__(label, parent)
        self.speaker, self.what = speaker, what
        self.waiting = False
        self.clicked.connect(self.listen)
        if speaker is None:
            self.hide()
            return
        # Disabled until the audio (or its failure) comes back, so clicks do not pile up in the worker.
        speaker.worker.preview_ready.connect(self._done)
        speaker.worker.voice_failed.connect(self._done)

    def listen(self) -> None:
        wanted = self.what() if self.speaker is not None else None
        if wanted is None:
            return
        self.waiting = True
        self.setEnabled(False)
        self.speaker.listen(*wanted)

    def _done(self, *_) -> None:
        if self.waiting:
            self.waiting = False
            self.setEnabled(True)
