"""The opened book: cover, title, author, chapters with checkboxes, their sizes and estimated
durations, and an audio estimate for the selected chapters."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QPalette, QPixmap
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

from backend.render.selection import (  # noqa: F401 (CHARS_PER_SECOND: re-exported)
    CHARS_PER_SECOND,
    MATTER_LABELS,
    READ_BY_DEFAULT,
    estimate_seconds,
)


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, m = seconds // 3600, seconds % 3600 // 60
    return f"{h} h {m:02d} min" if h else f"{m} min {seconds % 60:02d} s"


class BookPanel(QWidget):
    selection_changed = Signal(list)  # the checked chapters (0-based), after each change by the user

    def __init__(self, parent=None):
        super().__init__(parent)
        self._info, self._length_scale, self._filling = None, 1.0, False
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
        self.details_button = QPushButton("Details…")
        self.details_button.setToolTip("Title, author, narrator, year, genre, description and cover of the audiobook")
        details_row = QHBoxLayout()
        details_row.addWidget(self.details_button)
        details_row.addStretch(1)
        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.author)
        heading.addLayout(details_row)
        heading.addStretch(1)
        heading.addWidget(self.totals)
        top = QHBoxLayout()
        top.addWidget(self.cover)
        top.addLayout(heading, 1)
        self.chapters = QTreeWidget()
        self.chapters.setHeaderLabels(["Chapter", "Characters", "Duration"])
        self.chapters.headerItem().setToolTip(2, "Estimated from the text length at the current speaking rate")
        self.chapters.setRootIsDecorated(False)
        self.chapters.setAlternatingRowColors(True)
        self.chapters.header().setStretchLastSection(False)  # the title column takes the room, not Duration
        self.chapters.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):  # sized to their contents plus a gap when a book is shown
            self.chapters.headerItem().setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.chapters.header().setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.chapters.itemChanged.connect(self._item_changed)
        self.select_all_button = QPushButton("Select all", clicked=lambda: self.set_selected(None))
        self.select_all_button.setToolTip("Render every chapter, front and back matter included")
        self.select_none_button = QPushButton("Select none", clicked=lambda: self.set_selected([]))
        self.select_none_button.setToolTip("Uncheck every chapter, then check the ones to render")
        selection_row = QHBoxLayout()
        selection_row.addWidget(self.select_all_button)
        selection_row.addWidget(self.select_none_button)
        selection_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.language_warning)
        layout.addWidget(self.chapters, 1)
        layout.addLayout(selection_row)
        # The pronunciation tools belong to the book (the main window connects them).
        self.pronunciations_button = QPushButton("Pronunciations…")
        self.pronunciations_button.setToolTip("How to say names and words: this book's lexicon and the one for all books")
        self.words_button = QPushButton("Find words to check…")
        self.words_button.setToolTip("Names, all-caps words and rare spellings in this book that the voice may misread")
        self.review_button = QPushButton("Review…")
        self.review_button.setToolTip("Every chunk with its listening-check score: play it, fix its text, take another "
                                      "take, or undo; only that chunk renders again")
        tools = QHBoxLayout()
        tools.addWidget(self.pronunciations_button)
        tools.addWidget(self.words_button)
        tools.addWidget(self.review_button)
        tools.addStretch(1)
        layout.addLayout(tools)
        self.clear()

    def clear(self) -> None:
        self._info = None
        self.cover.setPixmap(QPixmap())
        self.cover.setText("No book")
        self.title.setText("Open a book to begin")
        self.author.setText("txt, md or epub: use Open… or drop a file on the window")
        self.totals.setText("")
        self.language_warning.setText("")
        self.language_warning.hide()
        self.chapters.clear()
        self.set_book_controls_enabled(False)

    def set_book_controls_enabled(self, enabled: bool) -> None:
        """The selection and Details… follow whether a book is open and no render is running."""
        enabled = enabled and self._info is not None
        for widget in (self.select_all_button, self.select_none_button, self.details_button):
            widget.setEnabled(enabled)
        self.chapters.setEnabled(enabled or self._info is not None)  # still scrollable while rendering
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        self._filling = True
        for i in range(self.chapters.topLevelItemCount()):
            item = self.chapters.topLevelItem(i)
            item.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable if enabled else flags)
        self._filling = False

    def selected(self) -> list[int]:
        return [i for i in range(self.chapters.topLevelItemCount())
                if self.chapters.topLevelItem(i).checkState(0) == Qt.CheckState.Checked]

    def set_selected(self, chapters) -> None:
        """Check exactly `chapters` (None: all) and report the change."""
        count = self.chapters.topLevelItemCount()
        wanted = set(range(count) if chapters is None else chapters)
        self._filling = True
        for i in range(count):
            self.chapters.topLevelItem(i).setCheckState(0, Qt.CheckState.Checked if i in wanted else Qt.CheckState.Unchecked)
        self._filling = False
        self._changed()

    def _item_changed(self, item, column: int) -> None:
        if column == 0 and not self._filling:
            self._changed()

    def _changed(self) -> None:
        if self._info is not None:
            self._info.selected = self.selected()
            self.show_totals()
            self.selection_changed.emit(self._info.selected)

    def show_totals(self) -> None:
        info = self._info
        if info is None:
            return
        chosen = set(info.selected)
        chars = sum(n for i, (_, n) in enumerate(info.chapters) if i in chosen)
        count = len(info.chapters)
        which = f"{len(chosen)} of {count} chapters" if len(chosen) < count else f"{count} chapters"
        self.totals.setText(f"{which} · {chars:,} characters · ≈ {format_duration(estimate_seconds(chars, self._length_scale))} "
                            "of audio")

    def show_book(self, info, length_scale: float = 1.0) -> None:
        self._info, self._length_scale = info, length_scale or 1.0
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
        self._filling = True
        self.chapters.clear()
        chosen = set(getattr(info, "selected", range(len(info.chapters))))
        matter = getattr(info, "matter", None) or ["body"] * len(info.chapters)
        dim = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        for i, ((title, chars), kind) in enumerate(zip(info.chapters, matter, strict=True)):
            item = QTreeWidgetItem([title, f"{chars:,}", format_duration(estimate_seconds(chars, self._length_scale))])
            for column in (1, 2):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setCheckState(0, Qt.CheckState.Checked if i in chosen else Qt.CheckState.Unchecked)
            if label := MATTER_LABELS.get(kind):
                item.setText(0, f"{title}  ({label})")
                read = "read unless you uncheck it" if kind in READ_BY_DEFAULT else "left out unless you check it"
                item.setToolTip(0, f"{label[0].upper() + label[1:]}: {read}")
                if kind not in READ_BY_DEFAULT:
                    for column in range(3):
                        item.setForeground(column, dim)
            self.chapters.addTopLevelItem(item)
        self._filling = False
        for column in (1, 2):
            self.chapters.resizeColumnToContents(column)
            self.chapters.setColumnWidth(column, self.chapters.columnWidth(column) + 18)
        self.set_book_controls_enabled(True)
        self.show_totals()
