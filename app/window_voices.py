"""The main window's voice actions: the voice list (bundled and added voices), adding a voice,
the speaker of a multi-speaker voice and its blends, and the open book's dialogue voice. A mixin of MainWindow;
choosing any reloads the voice in the worker or re-reads the open book (its chunks' cache keys
depend on all three)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox


class VoiceActions:
    def _fill_voices(self) -> None:
        from backend.tts.errors import VoiceError
        from backend.tts.voice import load_voice

        self.voice_combo.blockSignals(True)
        self.voice_combo.clear()
        dialogue_voices = []  # (label, DialogueChoice.voice): the bundled voice by name, the others by path
        try:
            bundled = load_voice(None).name
            self.voice_combo.addItem(f"{bundled} (bundled)", None)
            dialogue_voices.append((f"{bundled} (bundled)", bundled))
        except VoiceError as exc:
            self.log.append_line("error", str(exc))
        for path in self.settings.voices:
            try:
                self.voice_combo.addItem(load_voice(path).name, path)
                dialogue_voices.append((self.voice_combo.itemText(self.voice_combo.count() - 1), path))
            except VoiceError as exc:
                self.log.append_line("warning", f"Voice skipped: {exc}")
        self.dialogue_picker.fill(dialogue_voices, self.settings.blends)
        index = max(0, self.voice_combo.findData(self.settings.voice))
        self.voice_combo.setCurrentIndex(index)
        self.voice_combo.blockSignals(False)
        self._fill_speakers()

    def _fill_speakers(self) -> None:
        from backend.tts.errors import VoiceError
        from backend.tts.voice import load_voice

        try:
            voice = load_voice(self.settings.voice)
        except VoiceError:
            self.speaker_label.setVisible(False)
            self.blend_button.setVisible(False)
            return self.speaker_combo.fill(None, None)  # the voice list already said why
        from backend.voices.blends import speaker_for

        try:
            speaker_for(voice, self.settings)  # a speaker, a blend's name or a mix
        except ValueError:  # a speaker (or blend) of another voice: this one's first
            self.settings.speaker = None
        self.speaker_combo.fill(voice, self.settings.speaker, self.settings.blends)
        self.speaker_label.setVisible(self.speaker_combo.count() > 0)
        self.blend_button.setVisible(self.speaker_combo.count() > 0)

    def add_voice(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a Piper voice", str(Path.home()), "Piper voices (*.onnx)")
        if not path:
            return
        self._use_voice(path)

    def _use_voice(self, path: str) -> None:
        """Add a voice's .onnx to the voice list (once) and choose it."""
        from backend.tts.errors import VoiceError
        from backend.tts.voice import load_voice

        try:
            voice = load_voice(path)
        except VoiceError as exc:
            self.notify(QMessageBox.Icon.Warning, "Voice not added", str(exc))
            return
        if path not in self.settings.voices:
            self.settings.voices.append(path)
        self.settings.voice = path
        self._changed()
        self._fill_voices()
        self.log.append_line("info", f"Added voice {voice.name}")
        self._voice_chosen()

    def open_voice_catalog(self) -> None:
        """The Voice catalog dialog (window-modal, not blocking): a voice it downloads is added and chosen."""
        from app.dialogs.voice_catalog import VoiceCatalogDialog

        dialog = VoiceCatalogDialog(self.settings.voice_index_url, self._catalog_language(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.voice_installed.connect(self._use_voice)
        self.voice_catalog_dialog = dialog  # for tests and screenshots
        dialog.open()

    def _catalog_language(self) -> str | None:
        """The open book's language, else the chosen voice's, else None (all languages)."""
        from backend.text.language import voice_language
        from backend.tts.errors import VoiceError
        from backend.tts.voice import load_voice

        language = getattr(self.book, "language", None)
        if language:
            return language
        try:
            return voice_language(load_voice(self.settings.voice))
        except VoiceError:
            return None

    def _voice_chosen(self, *_):
        if self.settings.voice != self.voice_combo.currentData():
            self.settings.speaker = None  # another voice: its first speaker
        self.settings.voice = self.voice_combo.currentData()
        self._fill_speakers()
        self.statusBar().showMessage("Loading voice…")
        self._want_voice.emit(self._settings_copy())
        self._speaker_chosen(self.settings.speaker)

    def _speaker_chosen(self, speaker) -> None:
        self.settings.speaker = speaker
        self._changed()
        if self.book is not None:  # the cache keys depend on the voice and its speaker
            self._want_book.emit(str(self.book.path), self._settings_copy())


    def open_blend_editor(self) -> None:
        """New blend… (window-modal, not blocking): a saved blend joins the speaker list, chosen."""
        from app.dialogs.blend_editor import BlendEditor
        from backend.tts.errors import VoiceError
        from backend.tts.voice import load_voice

        try:
            voice = load_voice(self.settings.voice)
        except VoiceError as exc:
            self.notify(QMessageBox.Icon.Warning, "Voice problem", str(exc))
            return
        dialog = BlendEditor(voice, self.settings.blends, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.preview_requested.connect(self._preview_blend)
        dialog.accepted.connect(lambda: self._blend_saved(*dialog.saved))
        self.blend_editor = dialog  # for tests and screenshots
        dialog.open()

    def _preview_blend(self, mix: str) -> None:
        from app.main_window import PREVIEW_TEXT

        settings = self._settings_copy()
        settings.speaker = mix
        self.statusBar().showMessage("Rendering a preview…")
        self._want_preview.emit(PREVIEW_TEXT, settings, None)

    def _blend_saved(self, name: str, mix: str) -> None:
        self.settings.blends[name] = mix
        self.log.append_line("info", f"Saved blend '{name}' = {mix}")
        self.settings.speaker = name
        self._fill_speakers()
        self.dialogue_picker.fill_blends(self.settings.blends)
        self._speaker_chosen(name)  # saves the settings and re-reads the open book

    def _dialogue_chosen(self, choice) -> None:
        """Save the open book's dialogue voice (None: off) and re-read the book (its dialogue's keys change)."""
        from backend.voices.dialogue import save_choice

        if self.book is None or self.book.job_dir is None:
            return
        try:
            save_choice(self.book.job_dir, choice)
        except OSError as exc:
            self.notify(QMessageBox.Icon.Warning, "Dialogue voice not saved", str(exc))
            return
        self.log.append_line("info", f"Dialogue voice for this book: {choice.describe() if choice else 'off'}")
        self._want_book.emit(str(self.book.path), self._settings_copy())
