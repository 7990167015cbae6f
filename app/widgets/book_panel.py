"""The opened book: cover, title, author, chapters with their sizes, and an audio estimate."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Measured with the bundled voice at speaking rate 1.0, pauses included (demo book: 972
# characters -> 57 s). Only an estimate shown before rendering.
CHARS_PER_SECOND = 16.5


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, m = seconds // 3600, seconds % 3600 // 60
    return f"{h} h {m:02d} min" if h else f"{m} min {seconds % 60:02d} s"


class BookPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.cover = QLabel()
        self.cover.setFixedSize(96, 136)
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setStyleSheet("border: 1px solid palette(mid); color: palette(mid);")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.author = QLabel()
        self.totals = QLabel()
        self.totals.setToolTip("Estimated from the text length at the current speaking rate")
        # The voice does not speak the book's language (backend/text/language.py): say it where the book is.
        self.language_warning = QLabel()
        self.language_warning.setWordWrap(True)
        self.language_warning.setStyleSheet("color: #b35c00; font-weight: 600;")
        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.author)
        heading.addStretch(1)
        heading.addWidget(self.totals)
        top = QHBoxLayout()
        top.addWidget(self.cover)
        top.addLayout(heading, 1)
        self.chapters = QTreeWidget()
        self.chapters.setHeaderLabels(["Chapter", "Characters"])
        self.chapters.setRootIsDecorated(False)
        self.chapters.setAlternatingRowColors(True)
        self.chapters.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.chapters.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.language_warning)
        layout.addWidget(self.chapters, 1)
        # The pronunciation tools belong to the book (the main window connects them).
        self.pronunciations_button = QPushButton("Pronunciations…")
        self.pronunciations_button.setToolTip("How to say names and words: this book's lexicon and the one for all books")
        self.words_button = QPushButton("Find words to check…")
        self.words_button.setToolTip("Names, all-caps words and rare spellings in this book that the voice may misread")
        tools = QHBoxLayout()
        tools.addWidget(self.pronunciations_button)
        tools.addWidget(self.words_button)
        tools.addStretch(1)
        layout.addLayout(tools)
        self.clear()

    def clear(self) -> None:
        self.cover.setPixmap(QPixmap())
        self.cover.setText("No book")
        self.title.setText("Open a book to begin")
        self.author.setText("txt, md or epub: use Open… or drop a file on the window")
        self.totals.setText("")
        self.language_warning.setText("")
        self.language_warning.hide()
        self.chapters.clear()

    def show_book(self, info, length_scale: float = 1.0) -> None:
        pixmap = QPixmap()
        if info.cover and pixmap.loadFromData(info.cover) and not pixmap.isNull():
            self.cover.setPixmap(pixmap.scaled(self.cover.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        else:
            self.cover.setPixmap(QPixmap())
            self.cover.setText("No cover")
        self.title.setText(info.title or info.path.stem)
        warning = getattr(info, "language_warning", None)
        self.language_warning.setText(f"⚠ {warning}" if warning else "")
        self.language_warning.setVisible(bool(warning))
        self.author.setText(info.author or "Unknown author")
        self.chapters.clear()
        for title, chars in info.chapters:
            item = QTreeWidgetItem([title, f"{chars:,}"])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.chapters.addTopLevelItem(item)
        estimate = info.characters / CHARS_PER_SECOND * length_scale
        self.totals.setText(f"{len(info.chapters)} chapters · {info.characters:,} characters · "
                            f"≈ {format_duration(estimate)} of audio")
