"""Find words to check: the open book's names, all-caps words and rare spellings that no
pronunciation covers yet (backend.text.words_to_check), with counts and a sentence each. Listen to
how the voice says them now; Add pronunciation… saves an entry in this book's lexicon.

The scan runs in its own QThread: a 1 MB book takes about half a second, which would freeze the
window (the engine's thread may be busy, and a render must not delay it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.dialogs.entry_editor import ERROR_STYLE, EntryEditor, store_entry
from app.dialogs.listen import ListenButton
from backend.text.lexicon import Lexicon

COLUMNS = ["Word", "Count", "Why", "Example"]


class _Scan(QThread):
    found = Signal(object, object, str)  # words, the lexicon in use, a warning ("" when none)
    failed = Signal(str)

    def __init__(self, book_path: Path, settings, parent=None):
        super().__init__(parent)
        self.book_path, self.settings = book_path, settings

    def run(self) -> None:
        from backend.lexicon_store import LexiconFileError, load_lexicons
        from backend.text.loader import load_book
        from backend.text.words_to_check import words_to_check

        try:
            book = load_book(self.book_path, footnotes=self.settings.footnotes)
            warning = ""
            try:
                lexicon = load_lexicons(self.book_path, self.settings)
            except LexiconFileError as exc:  # list the words anyway; the render will ask about the file
                warning = f"{exc} Its words are listed as if it had no entries."
                lexicon = load_lexicons(self.book_path, self.settings, skip_damaged=True)
            self.found.emit(words_to_check(book, lexicon), lexicon, warning)
        except Exception as exc:  # shown in the dialog; the window stays usable
            self.failed.emit(str(exc) or type(exc).__name__)


class WordsToCheckDialog(QDialog):
    """`speaker`: see ListenButton. `scan_now=False` leaves start() to the caller (tests connect first)."""

    def __init__(self, settings, book_path: Path, book_title: str | None = None, *, speaker=None,
                 scan_now: bool = True, parent=None):
        super().__init__(parent)
        self.settings, self.book_path = settings, Path(book_path)
        self.title = book_title or self.book_path.stem
        self.words: list = []
        self.lexicon = Lexicon()
        self.changed = False  # an entry was added: the window re-counts the book's cached chunks
        self.editor: EntryEditor | None = None
        self.setWindowTitle("Words to check")
        self.summary = QLabel(f"Looking through {self.title}…", wordWrap=True)
        self.warning = QLabel(wordWrap=True)
        self.warning.setStyleSheet(ERROR_STYLE)
        self.warning.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda *_: self.add_pronunciation())
        self.status = QLabel(wordWrap=True)

        self.listen_button = ListenButton("Listen", speaker, lambda: self._to_listen(False))
        self.listen_button.setToolTip("Hear the word as the voice says it now")
        self.context_button = ListenButton("Listen in context", speaker, lambda: self._to_listen(True))
        self.context_button.setToolTip("Hear the example sentence as the voice says it now")
        self.add_button = QPushButton("Add pronunciation…", clicked=self.add_pronunciation)
        self.add_button.setToolTip("Say how to read this word in this book (saved in the book's lexicon)")
        buttons = QHBoxLayout()
        for b in (self.listen_button, self.context_button, self.add_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Close", clicked=self.accept))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warning)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(860, 520)
        self._selection_changed()
        self.scan = _Scan(self.book_path, settings, self)
        self.scan.found.connect(self._found)
        self.scan.failed.connect(self._failed)
        if scan_now:
            self.scan.start()

    def done(self, result: int) -> None:
        self.scan.wait()  # the scan is short; a QThread must not be destroyed while it runs
        super().done(result)

    # -- the scan -----------------------------------------------------------------------------
    def _found(self, words: list, lexicon: Lexicon, warning: str) -> None:
        self.words, self.lexicon = list(words), lexicon
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        self._fill()

    def _failed(self, message: str) -> None:
        self.summary.setText(f"Could not read {self.title}: {message}")
        self.summary.setStyleSheet(ERROR_STYLE)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.words))
        for row, w in enumerate(self.words):
            count = QTableWidgetItem(f"{w.count:,}")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            cells = [QTableWidgetItem(w.word), count, QTableWidgetItem(", ".join(sorted(w.reasons))),
                     QTableWidgetItem(w.example)]
            cells[3].setToolTip(w.example)
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
        for col in range(3):
            self.table.resizeColumnToContents(col)
        if self.words:
            n = len(self.words)
            self.summary.setText(f"{n} word{'s' if n != 1 else ''} in {self.title} may be misread: names, all-caps words and "
                                 "rare spellings that no pronunciation covers. Listen to them, and add a "
                                 "pronunciation where the voice gets one wrong.")
        else:
            self.summary.setText(f"Nothing to check in {self.title}: no names, all-caps words or rare spellings "
                                 "that the pronunciations lack.")
        self._selection_changed()

    # -- the selected word --------------------------------------------------------------------
    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.words[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.add_button.setEnabled(chosen)
        for b in (self.listen_button, self.context_button):
            b.setEnabled(chosen and not b.waiting)

    def _to_listen(self, in_context: bool):
        w = self.selected()
        return None if w is None else (w.example if in_context and w.example else w.word, self.lexicon)

    def add_pronunciation(self) -> None:
        from backend.lexicon_store import book_lexicon_path

        w = self.selected()
        if w is None:
            return
        path = book_lexicon_path(self.book_path, self.settings)

        def save(entry) -> None:
            store_entry(path, entry)
            self.lexicon = self.lexicon.with_entry(entry)
            self.changed = True
            # The entry may cover more than the chosen word (another case, a phrase): drop all it covers.
            self.words = [x for x in self.words if not Lexicon([entry]).find(x.word)]
            self._fill()
            self.status.setText(f"Added '{entry.word}' → '{entry.say}' to this book's pronunciations.")

        self.editor = EntryEditor(save, word=w.word, example=w.example, speaker=self.listen_button.speaker,
                                  base=self.lexicon, parent=self)
        self.editor.open()
