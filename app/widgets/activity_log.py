"""Activity Log: the render's running commentary, with warnings and errors coloured."""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

MAX_LINES = 10_000
LEVELS = ("info", "warning", "error")
# Dark enough to read on a light background, bright enough on a dark one.
LEVEL_COLOURS = {"warning": QColor("#c77700"), "error": QColor("#d32f2f")}
# Engine batch lines arrive already stamped, e.g. "[18:27:40] Batch 1 ...": don't stamp twice.
_PRESTAMPED = re.compile(r"^\[\d{1,2}:\d{2}(:\d{2})?\]")


def timestamped(text: str, now: float | None = None) -> str:
    """The line as shown: `[HH:MM:SS] text`, unless the text already starts with a time."""
    if _PRESTAMPED.match(text):
        return text
    return time.strftime("[%H:%M:%S] ", time.localtime(now)) + text


class ActivityLog(QWidget):
    """Read-only log view with "Save log…" and "Copy" buttons.

    Follows the newest line while the view is at the bottom; once the user scrolls up, their
    position is kept until they scroll back down.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_view = QPlainTextEdit(self)
        self.text_view.setReadOnly(True)
        self.text_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text_view.setMaximumBlockCount(MAX_LINES)
        self.text_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # batch lines read best unwrapped
        self.text_view.setToolTip("What the renderer is doing: one line per batch with timing and VRAM. "
                                  f"Keeps the last {MAX_LINES:,} lines.")

        self.save_button = QPushButton("Save log…", self)
        self.save_button.setToolTip("Save the whole log to a UTF-8 text file (useful for bug reports).")
        self.save_button.clicked.connect(self._ask_and_save)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the whole log to the clipboard.")
        self.copy_button.clicked.connect(self.copy_to_clipboard)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text_view)
        layout.addLayout(buttons)

    # --- writing -------------------------------------------------------------------------

    def append_line(self, level: str, text: str) -> None:
        """Add one line; `level` is "info", "warning" or "error" (unknown levels show as info)."""
        scrollbar = self.text_view.verticalScrollBar()
        was_at_bottom = scrollbar.value() >= scrollbar.maximum()
        previous_position = scrollbar.value()
        document = self.text_view.document()
        blocks_before = document.blockCount()

        char_format = QTextCharFormat()
        if level in LEVEL_COLOURS:
            char_format.setForeground(LEVEL_COLOURS[level])
        cursor = QTextCursor(document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not document.isEmpty():
            cursor.insertBlock(QTextBlockFormat(), char_format)
        # A multi-line message stays one block so the colour and line cap stay per message.
        cursor.insertText(timestamped(text).replace("\n", "\u2028"), char_format)

        if was_at_bottom:
            scrollbar.setValue(scrollbar.maximum())
        else:
            # The line cap drops blocks from the top: shift back so the same lines stay in view.
            dropped = max(0, blocks_before + 1 - document.blockCount())
            scrollbar.setValue(max(0, previous_position - dropped))

    def clear(self) -> None:
        self.text_view.clear()

    # --- reading and exporting -----------------------------------------------------------

    def plain_text(self) -> str:
        return self.text_view.toPlainText().replace("\u2028", "\n")

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())

    def save_to(self, path: str | Path) -> None:
        """Write the log as UTF-8 text; raises OSError when the file can't be written."""
        Path(path).write_text(self.plain_text() + "\n", encoding="utf-8")

    def _ask_and_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save activity log", "activity-log.txt",
                                              "Text files (*.txt);;All files (*)")
        if not path:
            return
        try:
            self.save_to(path)
        except OSError as error:
            self.append_line("error", f"Could not save the log to {path}: {error}")
        else:
            self.append_line("info", f"Log saved to {path}")
