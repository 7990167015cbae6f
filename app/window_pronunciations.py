"""The main window's pronunciation actions: open Pronunciations… and Find words to check…, say a
text for their Listen buttons through the worker, and ask what to do when a lexicon file is
damaged at Start. A mixin of MainWindow; the dialogs hold the logic."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox


class PronunciationActions:
    pronunciations_dialog = None
    words_dialog = None

    def open_pronunciations(self) -> None:
        from app.dialogs.pronunciations import PronunciationsDialog

        book = self.book
        self.pronunciations_dialog = self._opened(PronunciationsDialog(
            self.settings, book.path if book else None, book.title if book else None, speaker=self, parent=self))

    def find_words(self) -> None:
        from app.dialogs.words_to_check import WordsToCheckDialog

        if self.book is not None:
            self.words_dialog = self._opened(WordsToCheckDialog(self.settings, self.book.path, self.book.title,
                                                                speaker=self, parent=self))

    def _opened(self, dialog):
        # Window-modal but not blocking (no nested event loop); refresh "Resume (n of m)" after a
        # change, since the chunks a pronunciation touches get new cache keys.
        dialog.finished.connect(lambda _: self._refresh_resume() if dialog.changed else None)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def listen(self, text: str, lexicon) -> None:
        """Say `text` with `lexicon`'s pronunciations in the current voice, on the worker thread."""
        self.statusBar().showMessage("Rendering…")
        self._want_listen.emit(text, self._settings_copy(), lexicon)

    def _lexicon_damaged(self, error, book_path: str, output_dir: str, settings, skipped) -> None:
        """The render stopped before it began: a lexicon file cannot be read (it was copied aside)."""
        answer = QMessageBox.question(self, "Pronunciation lexicon damaged",
                                      f"{error}\n\nRender without it? Its pronunciations will not be used; "
                                      "fix or replace the file (Pronunciations…) to use them again.")
        if answer != QMessageBox.StandardButton.Yes:
            self.progress_bar.setFormat("Not rendered")
            self.statusBar().showMessage("Not rendered: a pronunciation lexicon is damaged")
            self.log.append_line("info", f"Not rendered: {Path(error.path).name} is damaged; nothing was changed.")
            return
        self.log.append_line("warning", f"Rendering without {error.path}, as asked.")
        self.rendering = True
        self._update_buttons()
        self._ask_render(book_path, output_dir, settings, (*skipped, error.path))
