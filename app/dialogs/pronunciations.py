"""Pronunciations: the entries of one lexicon file, this book's or the global one ("All books"),
the same files as `audiobook lexicon …`. Every change is written at once (atomically); the book's
entries win over the global ones when rendering."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.dialogs.entry_editor import ERROR_STYLE, EntryEditor, store_entry
from app.dialogs.listen import ListenButton
from app.widgets.row_table import row_table
from backend.lexicon_store import LexiconFileError, book_lexicon_path, global_lexicon_path, read_lexicon, write_lexicon
from backend.text.lexicon import Lexicon, LexiconEntry

BOOK, GLOBAL = "book", "global"
COLUMNS = ["Word", "Say", "As", "Case", "Matches"]
JSON_FILTER = "Pronunciations (*.json);;All files (*)"


def entry_cells(e: LexiconEntry) -> list[str]:
    return [e.word, e.say, "IPA" if e.phonemes else "respelling", "exact" if e.case_sensitive else "any",
            "whole word" if e.whole_word else "inside words too"]


class PronunciationsDialog(QDialog):
    """`book_path`: the open book (None: only the global lexicon); `speaker`: see ListenButton."""

    def __init__(self, settings, book_path: Path | None = None, book_title: str | None = None, *,
                 speaker=None, parent=None):
        super().__init__(parent)
        self.settings, self.book_path = settings, Path(book_path) if book_path else None
        self.lexicon = Lexicon()
        self.changed = False  # a file was written: the window re-counts the book's cached chunks
        self.editor: EntryEditor | None = None
        self.setWindowTitle("Pronunciations")
        self.scope = QComboBox(toolTip="Which lexicon to show and change")
        if self.book_path is not None:
            self.scope.addItem(f"This book: {book_title or self.book_path.stem}", BOOK)
        self.scope.addItem("All books", GLOBAL)
        self.scope.currentIndexChanged.connect(self.reload)
        self.where = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.damaged = QLabel(wordWrap=True)
        self.damaged.setStyleSheet(ERROR_STYLE)
        self.table = row_table(COLUMNS)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda *_: self.edit())
        self.status = QLabel(wordWrap=True)

        self.add_button = QPushButton("Add…", clicked=self.add, toolTip="Add a word and how to say it")
        self.edit_button = QPushButton("Edit…", clicked=self.edit, toolTip="Change the selected entry")
        self.remove_button = QPushButton("Remove", clicked=self.remove, toolTip="Delete the selected entry")
        self.listen_button = ListenButton("Listen", speaker, self._to_listen)
        self.listen_button.setToolTip("Hear the selected word said with its entry, in the current voice")
        self.import_button = QPushButton("Import…", clicked=self.choose_import,
                                         toolTip="Add the entries of a JSON lexicon file (they replace the same words)")
        self.export_button = QPushButton("Export…", clicked=self.choose_export,
                                         toolTip="Save this lexicon as a JSON file")
        close = QPushButton("Close", clicked=self.accept)
        top = QHBoxLayout()
        top.addWidget(QLabel("Lexicon"))
        top.addWidget(self.scope, 1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button, self.listen_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.import_button, self.export_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.where)
        layout.addWidget(self.damaged)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(760, 460)
        self.reload()

    # -- the file -----------------------------------------------------------------------------
    def path(self) -> Path:
        if self.scope.currentData() == BOOK:
            return book_lexicon_path(self.book_path, self.settings)
        return global_lexicon_path()

    def reload(self, *_) -> None:
        path = self.path()
        book = self.scope.currentData() == BOOK
        self.where.setText(f"{path}\n" + ("This book's entries win over All books." if book else
                                          "Used for every book; a book's own entry for the same word wins."))
        try:
            self.lexicon = read_lexicon(path)
            self.damaged.hide()
        except LexiconFileError as exc:
            # read_lexicon copied it aside; an entry saved here starts a new file in its place.
            self.lexicon = Lexicon()
            self.damaged.setText(f"{exc} Entries you add now start a new file in its place.")
            self.damaged.show()
        self._fill()

    def _fill(self, select: str | None = None) -> None:
        self.table.setRowCount(len(self.lexicon.entries))
        for row, entry in enumerate(self.lexicon.entries):
            for col, text in enumerate(entry_cells(entry)):
                self.table.setItem(row, col, QTableWidgetItem(text))
            if entry.word == select:
                self.table.selectRow(row)
        self.table.resizeColumnToContents(0)
        self._selection_changed()

    def _written(self, lexicon: Lexicon, message: str, select: str | None = None) -> None:
        self.lexicon, self.changed = lexicon, True
        self.damaged.hide()
        self._fill(select)
        self.report(message)

    def report(self, message: str, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(message)

    # -- entries ------------------------------------------------------------------------------
    def selected(self) -> LexiconEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.lexicon.entries[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        for b in (self.edit_button, self.remove_button):
            b.setEnabled(chosen)
        self.listen_button.setEnabled(chosen and not self.listen_button.waiting)

    def _to_listen(self):
        entry = self.selected()
        return None if entry is None else (entry.word, Lexicon([entry]))

    def add(self) -> None:
        self._open_editor(None)

    def edit(self) -> None:
        if (entry := self.selected()) is not None:
            self._open_editor(entry)

    def _open_editor(self, old: LexiconEntry | None) -> None:
        def save(entry: LexiconEntry) -> None:
            lexicon = store_entry(self.path(), entry, replacing=old)
            verb = "Changed" if old else "Added"
            self._written(lexicon, f"{verb} '{entry.word}' → '{entry.say}' in {self.path().name}.", entry.word)

        self.editor = EntryEditor(save, old, speaker=self.listen_button.speaker, parent=self)
        self.editor.open()

    def remove(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        answer = QMessageBox.question(self, "Remove pronunciation?", f"Remove '{entry.word}' → '{entry.say}'?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            current = read_lexicon(self.path())
        except LexiconFileError:
            current = self.lexicon
        lexicon = current.without(entry)
        try:
            write_lexicon(self.path(), lexicon)
        except OSError as exc:
            self.report(str(exc), error=True)
            return
        self._written(lexicon, f"Removed '{entry.word}'.")

    # -- import / export ----------------------------------------------------------------------
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import pronunciations", str(Path.home()), JSON_FILTER)
        if path:
            self.import_file(Path(path))

    def import_file(self, source: Path) -> bool:
        """Add the entries of `source` (they replace entries for the same words). A file that cannot
        be used changes nothing and says why."""
        try:
            added = read_lexicon(source, missing_ok=False)
            current = read_lexicon(self.path())
        except LexiconFileError as exc:
            if exc.path != self.path():
                self.report(f"Nothing imported. {exc}", error=True)
                return False
            current = Lexicon()  # this lexicon's own file is damaged and was copied aside
        replaced = sum(1 for e in added.entries if any(c.identity == e.identity for c in current.entries))
        lexicon = Lexicon.layered(current, added)
        try:
            write_lexicon(self.path(), lexicon)
        except OSError as exc:
            self.report(f"Nothing imported. {exc}", error=True)
            return False
        self._written(lexicon, f"Imported {len(added)} entries from {source.name}"
                               + (f" ({replaced} replaced entries for the same words)." if replaced else "."))
        return True

    def choose_export(self) -> None:
        suggested = str(Path.home() / ("pronunciations.json" if self.scope.currentData() == BOOK else "lexicon.json"))
        path, _ = QFileDialog.getSaveFileName(self, "Export pronunciations", suggested, JSON_FILTER)
        if path:
            self.export_file(Path(path))

    def export_file(self, target: Path) -> bool:
        try:
            write_lexicon(target, self.lexicon)
        except OSError as exc:
            self.report(str(exc), error=True)
            return False
        self.report(f"Exported {len(self.lexicon)} entries to {target}.")
        return True
