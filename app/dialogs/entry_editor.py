"""One pronunciation entry: the word, how to say it (a respelling or espeak-ng IPA), case and
whole-word matching. Checked with backend.text.lexicon.validate_entry before it is saved; a refused
entry keeps the dialog open with what was typed and says why, naming the entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from app.dialogs.listen import ListenButton
from backend.lexicon_store import LexiconFileError, read_lexicon, write_lexicon
from backend.text.lexicon import Lexicon, LexiconEntry, LexiconError, validate_entry

RESPELLING_HINT = ("Respelling: syllables separated by spaces or hyphens, the stressed one in capitals, "
                   "e.g. her MY oh nee.")
IPA_HINT = "espeak-ng IPA, stress marks included, e.g. hɜːmˈaɪəni."
ERROR_STYLE = "color: #b00020; font-weight: 600;"


def store_entry(path: Path, entry: LexiconEntry, replacing: LexiconEntry | None = None) -> Lexicon:
    """Save `entry` into the lexicon file `path` (read afresh, so edits made meanwhile by the CLI
    stay), in place of `replacing`. A damaged file was copied aside when read: start a new one."""
    try:
        lexicon = read_lexicon(path)
    except LexiconFileError:
        lexicon = Lexicon()
    if replacing is not None:
        lexicon = lexicon.without(replacing)
    if any(e.identity == entry.identity for e in lexicon.entries):
        raise LexiconError(f"Pronunciation entry '{entry.word}': this word is already in the lexicon; "
                           "edit that entry instead.")
    lexicon = lexicon.with_entry(entry)
    write_lexicon(path, lexicon)
    return lexicon


class EntryEditor(QDialog):
    """`save(entry)` stores it and raises LexiconError/OSError with a message when it cannot;
    `speaker`: see ListenButton; `example`: a sentence of the book to listen to, else the word;
    `base`: the pronunciations already in use, under this entry while listening."""

    def __init__(self, save: Callable[[LexiconEntry], object], entry: LexiconEntry | None = None, *,
                 word: str = "", example: str = "", speaker=None, base: Lexicon | None = None, parent=None):
        super().__init__(parent)
        self._save, self.example, self.base = save, example, base
        self.saved: LexiconEntry | None = None
        self.setWindowTitle("Edit pronunciation" if entry else "Add pronunciation")
        self.word = QLineEdit(entry.word if entry else word)
        self.word.setToolTip("The word or phrase as written in the book")
        self.say = QLineEdit(entry.say if entry else "")
        self.say.setMinimumWidth(320)
        self.phonemes = QCheckBox("Phonemes (IPA)")
        self.phonemes.setToolTip("Tick to write espeak-ng IPA instead of a respelling")
        self.case_sensitive = QCheckBox("Case-sensitive")
        self.case_sensitive.setToolTip("Only where the book writes it with exactly these capitals "
                                       "(e.g. 'Will' the name, not 'will')")
        self.inside_words = QCheckBox("Match inside longer words")
        self.inside_words.setToolTip("Also change it where it is part of a longer word")
        if entry:
            self.phonemes.setChecked(entry.phonemes)
            self.case_sensitive.setChecked(entry.case_sensitive)
            self.inside_words.setChecked(not entry.whole_word)
        self.hint = QLabel(wordWrap=True)
        self.phonemes.toggled.connect(self._kind_changed)
        self._kind_changed(self.phonemes.isChecked())
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()

        form = QFormLayout()
        form.addRow("Word", self.word)
        form.addRow("Say", self.say)
        form.addRow("", self.hint)
        if example:
            shown = QLabel(f"“{example}”", wordWrap=True, toolTip="Listen says this sentence of the book")
            shown.setStyleSheet("font-style: italic;")
            form.addRow("In the book", shown)
        form.addRow("", self.phonemes)
        form.addRow("", self.case_sensitive)
        form.addRow("", self.inside_words)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.listen_button = ListenButton("Listen", speaker, self._to_listen)
        self.listen_button.setToolTip("Hear it with this pronunciation before saving"
                                      + (" (in a sentence of the book)" if example else ""))
        buttons.addButton(self.listen_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        (self.say if self.word.text() else self.word).setFocus()

    def _kind_changed(self, ipa: bool) -> None:
        self.hint.setText(IPA_HINT if ipa else RESPELLING_HINT)
        self.say.setPlaceholderText("hɜːmˈaɪəni" if ipa else "her MY oh nee")

    def entry(self) -> LexiconEntry:
        return LexiconEntry(self.word.text(), self.say.text(), self.phonemes.isChecked(),
                            self.case_sensitive.isChecked(), not self.inside_words.isChecked())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # grow to fit the message instead of squeezing the hint

    def _checked(self) -> LexiconEntry | None:
        try:
            entry = validate_entry(self.entry())
        except LexiconError as exc:
            self.show_error(str(exc))
            return None
        self.error.hide()
        return entry

    def _to_listen(self):
        entry = self._checked()
        return None if entry is None else (self.example or entry.word, Lexicon.layered(self.base, Lexicon([entry])))

    def accept(self) -> None:
        entry = self._checked()
        if entry is None:
            return  # stays open with what was typed
        try:
            self._save(entry)
        except (LexiconError, OSError) as exc:
            self.show_error(str(exc))
            return
        self.saved = entry
        super().accept()
