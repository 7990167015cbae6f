"""Review: every chunk of the open book, chapter by chapter, with its length, status (rendered,
missing, checked, flagged), listening-check score and what was heard; "Flagged only" filters.
Play a chunk, or its chapter file from that chunk on, with a position slider (Space plays and
pauses). Fix a chunk without touching the book: Edit text…, New take (the next seed), Undo, or
Pronunciation… for one of its words; the window then renders, which renders only that chunk and
assembles only its chapter file again (backend/check/overrides.py, backend/render/assembled_store.py).

The rows come from the worker thread (backend/check/review.py plans the book); this dialog only
shows them and saves fixes, which are small JSON files.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from app.player import AudioPlayer

COLUMNS = ("#", "Text", "Length", "Status", "WER", "Heard")


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class ReviewDialog(QDialog):
    fixed = Signal(str)  # a chunk fix was saved (what, for the log): the window renders
    refresh_requested = Signal()

    def __init__(self, book_path, job_dir, chapter_titles, settings, speaker=None, parent=None, player=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Review — {book_path.name}")
        self.resize(980, 620)
        self.book_path, self.job_dir, self.titles, self.settings, self.speaker = book_path, job_dir, chapter_titles, settings, speaker
        self.rows, self.stale = [], []
        self.player = player or AudioPlayer(self)
        self.player.position_changed.connect(self._position)
        self.player.state_changed.connect(self._state)
        self.flagged_only = QCheckBox("Flagged only", toggled=lambda _: self._fill())
        self.summary = QLabel("Planning the book…")
        self.tree = QTreeWidget(columnCount=len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setColumnWidth(0, 150)
        self.tree.setColumnWidth(1, 380)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.tree.itemDoubleClicked.connect(lambda *_: self.play_chunk())
        self.play_button = QPushButton("Play chunk", clicked=self.play_chunk)
        self.chapter_button = QPushButton("Play chapter from here", clicked=self.play_chapter)
        self.chapter_button.setToolTip("The chapter file in the output folder, from this chunk on")
        self.pause_button = QPushButton("Pause", clicked=self.player.toggle)
        self.stop_button = QPushButton("Stop", clicked=self.player.stop)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.sliderReleased.connect(lambda: self.player.seek(self.slider.value() / 10.0))
        self.time_label = QLabel("0:00.0")
        self.edit_button = QPushButton("Edit text…", clicked=self.edit_text)
        self.edit_button.setToolTip("Say other words in this chunk (the book file is not changed)")
        self.take_button = QPushButton("New take", clicked=self.new_take)
        self.take_button.setToolTip("Render this chunk again with the next seed")
        self.undo_button = QPushButton("Undo", clicked=self.undo)
        self.undo_button.setToolTip("Back to the chunk's previous text and take (still cached: nothing renders)")
        self.word_button = QPushButton("Pronunciation…", clicked=self.add_pronunciation)
        self.word_button.setToolTip("How to say one of this chunk's words, in this book's lexicon")
        self.note = QLabel(self.player.problem or "", wordWrap=True)
        top, play, fix = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.flagged_only)
        for w in (self.play_button, self.chapter_button, self.pause_button, self.stop_button):
            play.addWidget(w)
        play.addWidget(self.slider, 1)
        play.addWidget(self.time_label)
        for w in (self.edit_button, self.take_button, self.undo_button, self.word_button):
            fix.addWidget(w)
        fix.addStretch(1)
        layout = QVBoxLayout(self)
        for part in (top, self.tree, play, fix, self.note):
            (layout.addLayout if isinstance(part, QHBoxLayout) else layout.addWidget)(part)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, activated=self.player.toggle)
        self._update_buttons()

    # -- rows ---------------------------------------------------------------------------------------
    def show_rows(self, rows, stale) -> None:
        self.rows, self.stale = list(rows), list(stale)
        self._fill()

    def _fill(self) -> None:
        current = self.selected()
        self.tree.clear()
        shown = [r for r in self.rows if not self.flagged_only.isChecked() or r.flagged]
        chapters: dict[int, QTreeWidgetItem] = {}
        select = None
        for row in shown:
            parent = chapters.get(row.chapter)
            if parent is None:
                title = self.titles[row.chapter] if row.chapter < len(self.titles) else f"Chapter {row.chapter + 1}"
                parent = chapters[row.chapter] = QTreeWidgetItem(self.tree, [f"{row.chapter + 1}. {title}"])
                parent.setFirstColumnSpanned(True)
                parent.setExpanded(True)
            wer = f"{row.check['wer']:.2f}" if row.check else ""
            heard = row.check["heard"] if row.check else ""
            text = row.text + (f"  [fix: {row.fix.describe()}]" if row.fix is not None else "")
            item = QTreeWidgetItem(parent, [str(row.number), text, "" if row.seconds is None else _clock(row.seconds),
                                            row.status, wer, heard])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            item.setToolTip(1, row.text)
            if row.flagged:
                for column in range(len(COLUMNS)):
                    item.setForeground(column, Qt.GlobalColor.darkRed)
            if current is not None and row.number == current.number:
                select = item
        flagged = sum(r.flagged for r in self.rows)
        fixes = sum(r.fix is not None for r in self.rows)
        missing = sum(r.seconds is None for r in self.rows)
        self.summary.setText(f"{len(self.rows)} chunks · {flagged} flagged · {fixes} fixed · {missing} not rendered"
                             + (f" · {len(self.stale)} stale fixes (the book changed)" if self.stale else ""))
        if select is not None:
            self.tree.setCurrentItem(select)
        self._update_buttons()

    def selected(self):
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select_number(self, number: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            chapter = self.tree.topLevelItem(i)
            for j in range(chapter.childCount()):
                if chapter.child(j).data(0, Qt.ItemDataRole.UserRole).number == number:
                    self.tree.setCurrentItem(chapter.child(j))
                    return True
        return False

    def _update_buttons(self) -> None:
        row = self.selected()
        self.play_button.setEnabled(row is not None and row.audio_file is not None and not self.player.problem)
        self.chapter_button.setEnabled(row is not None and row.heard_at is not None and not self.player.problem)
        for button in (self.edit_button, self.take_button, self.word_button):
            button.setEnabled(row is not None)
        self.undo_button.setEnabled(row is not None and row.fix is not None)

    # -- playing ------------------------------------------------------------------------------------
    def play_chunk(self) -> None:
        row = self.selected()
        if row is not None and row.audio_file is not None:
            self._play(row.audio_file, 0.0)

    def play_chapter(self) -> None:
        row = self.selected()
        if row is not None and row.heard_at is not None:
            self._play(*row.heard_at)

    def _play(self, path, start: float) -> None:
        if not self.player.play(path, start):
            self.note.setText(self.player.problem or "")
            return
        self.slider.setRange(0, int(self.player.duration * 10))

    def _position(self, seconds: float) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(int(seconds * 10))
        self.time_label.setText(f"{_clock(seconds)} / {_clock(self.player.duration)}")

    def _state(self, state: str) -> None:
        self.pause_button.setText("Pause" if state == "playing" else "Play")

    # -- fixing -------------------------------------------------------------------------------------
    def edit_text(self) -> None:
        row = self.selected()
        if row is None:
            return
        current = row.fix.text if row.fix is not None and row.fix.text is not None else row.text
        text, ok = QInputDialog.getMultiLineText(self, "Edit text", "What this chunk should say (the book is not changed):",
                                                 current)
        if ok:
            self.save_fix(row, text=text)

    def new_take(self) -> None:
        from backend.check.overrides import next_seed

        row = self.selected()
        if row is not None:
            self.save_fix(row, seed=next_seed(row.seed, None))

    def save_fix(self, row, text: str | None = None, seed: int | None = None) -> None:
        from backend.check.overrides import set_override

        try:
            fix = set_override(self.job_dir, row.identity, text=text, seed=seed)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Fix not saved", str(exc))
            return
        self.fixed.emit(f"Chunk {row.number}: now {fix.describe()}")

    def undo(self) -> None:
        from backend.check.overrides import undo_override

        row = self.selected()
        if row is None:
            return
        try:
            restored = undo_override(self.job_dir, row.identity)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Nothing undone", str(exc))
            return
        self.fixed.emit(f"Chunk {row.number}: back to {restored.describe() if restored else 'the book'}")

    def add_pronunciation(self) -> None:
        from app.dialogs.entry_editor import EntryEditor, store_entry
        from backend.lexicon_store import book_lexicon_path

        row = self.selected()
        if row is None:
            return
        words = list(dict.fromkeys(re.findall(r"[^\W\d_][\w'’-]*", row.text)))
        word, ok = QInputDialog.getItem(self, "Pronunciation", "Which word?", words, 0, True)
        if not ok or not word.strip():
            return
        path = book_lexicon_path(self.book_path, self.settings)
        editor = EntryEditor(lambda entry: store_entry(path, entry), word=word.strip(), example=row.text,
                             speaker=self.speaker, parent=self)
        editor.accepted.connect(lambda: self.fixed.emit(f"Pronunciation of '{editor.saved.word}' added"))
        self.entry_editor = editor  # for tests
        editor.open()

    def closeEvent(self, event) -> None:
        self.player.stop()
        super().closeEvent(event)
