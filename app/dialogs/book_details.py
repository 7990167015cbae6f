"""Book details: what the audiobook's tags, credits and cover say (title, author, narrator, year,
genre, description, cover). Saved per book (backend/render/details.py) when the user presses Save;
the book file is never changed. An empty field follows the book (the narrator: the voice)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QSize, Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from backend.render.details import DetailEdits, Picture, cover_warning, read_picture, save_details

PICTURE_FILTER = "Pictures (*.jpg *.jpeg *.png);;All files (*)"
PREVIEW = QSize(180, 180)


def picture_pixels(data: bytes) -> QSize:
    """The picture's size in pixels from its header (Qt's reader; nothing is decoded)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    return QImageReader(buffer).size()


class BookDetailsDialog(QDialog):
    def __init__(self, info, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Book details")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.info = info
        self.own = dict(info.own)
        edits = info.edits or DetailEdits()
        self.saved: DetailEdits | None = None  # what Save wrote
        self.error: str | None = None  # the last message shown (kept for tests)
        self._picture: Picture | None = None  # a newly chosen cover
        self._cover = "saved" if edits.cover else "book"  # book, saved or new

        def line(name: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit(getattr(edits, name) or self.own.get(name) or "")
            edit.setPlaceholderText(placeholder)
            edit.setClearButtonEnabled(True)
            return edit

        self.title_edit = line("title", info.path.stem)
        self.author_edit = line("author", "Unknown author")
        self.narrator_edit = QLineEdit(edits.narrator or "", clearButtonEnabled=True)
        self.narrator_edit.setPlaceholderText(f"{info.narrator_default} (the voice's name)")
        self.year_edit = line("year", "e.g. 2024")
        self.year_edit.setMaxLength(4)
        self.genre_edit = line("genre", "Audiobook")
        self.description_edit = QPlainTextEdit(edits.description or self.own.get("description") or "")
        self.description_edit.setPlaceholderText("A few sentences about the book (players show it)")
        self.description_edit.setTabChangesFocus(True)
        form = QFormLayout()
        for label, widget in (("Title", self.title_edit), ("Author", self.author_edit),
                              ("Narrator", self.narrator_edit), ("Year", self.year_edit),
                              ("Genre", self.genre_edit), ("Description", self.description_edit)):
            form.addRow(label, widget)

        self.cover_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.cover_label.setFixedSize(PREVIEW)
        self.cover_label.setStyleSheet("border: 1px solid palette(mid); color: palette(mid);")
        self.cover_size = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.cover_warning = QLabel(wordWrap=True)
        self.cover_warning.setStyleSheet("color: #b35c00;")
        self.choose_button = QPushButton("Choose picture…", clicked=self._choose)
        self.choose_button.setToolTip("A JPEG or PNG; distributors want a square of at least 2400 × 2400 pixels")
        self.book_cover_button = QPushButton("Use the book's cover", clicked=self.use_book_cover)
        cover_column = QWidget()
        cover_column.setFixedWidth(PREVIEW.width() + 50)  # the same with or without a size warning
        cover_box = QVBoxLayout(cover_column)
        cover_box.setContentsMargins(0, 0, 0, 0)
        cover_box.addWidget(QLabel("Cover"))
        cover_box.addWidget(self.cover_label, 0, Qt.AlignmentFlag.AlignHCenter)
        cover_box.addWidget(self.cover_size)
        cover_box.addWidget(self.cover_warning)
        cover_box.addWidget(self.choose_button)
        cover_box.addWidget(self.book_cover_button)
        cover_box.addStretch(1)

        columns = QHBoxLayout()
        columns.addLayout(form, 1)
        columns.addWidget(cover_column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        note = QLabel("Used by every output: the M4B, the chapter files' and MP3s' tags, the credits and the "
                      "read-along book. The book file itself is not changed.", wordWrap=True)
        note.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(680, 420)
        self._saved_cover_data = self._read_saved_cover(edits.cover)
        self._show_cover()

    # -- the cover ------------------------------------------------------------------------------
    def _read_saved_cover(self, path: str | None) -> bytes | None:
        if not path:
            return None
        try:
            return Path(path).read_bytes()
        except OSError:
            self._cover = "book"
            return None

    def _current_cover(self) -> bytes | None:
        if self._cover == "new" and self._picture is not None:
            return self._picture.data
        if self._cover == "saved":
            return self._saved_cover_data
        return self.own.get("cover")

    def _show_cover(self) -> None:
        data = self._current_cover()
        pixmap = QPixmap()
        source = {"book": "the book's cover", "saved": "chosen before", "new": "new"}[self._cover]
        if data and pixmap.loadFromData(data) and not pixmap.isNull():
            self.cover_label.setPixmap(pixmap.scaled(PREVIEW, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation))
            size = picture_pixels(data)
            self.cover_size.setText(f"{size.width()} × {size.height()} px ({source})")
            problem = cover_warning(size.width(), size.height()) if size.isValid() else None
            self.cover_warning.setText(f"⚠ {problem}" if problem else "")
        else:
            self.cover_label.setPixmap(QPixmap())
            self.cover_label.setText("No cover")
            self.cover_size.setText("")
            self.cover_warning.setText("The audiobook will have no cover; distributors require one." if not data else
                                       "This picture cannot be shown.")
        self.cover_warning.setVisible(bool(self.cover_warning.text()))
        self.book_cover_button.setEnabled(self._cover != "book")

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a cover picture", str(Path.home()), PICTURE_FILTER)
        if path:
            self.choose_picture(path)

    def choose_picture(self, path: str | Path) -> bool:
        """Use the picture at `path` as the cover (saved with Save); False, with a message, when it cannot be."""
        try:
            picture = read_picture(path)
        except ValueError as exc:
            self._warn("Cover not used", str(exc))
            return False
        if not QImageReader(str(path)).size().isValid():
            self._warn("Cover not used", f"'{Path(path).name}' cannot be read as a picture (is it damaged?).")
            return False
        self._picture, self._cover = picture, "new"
        self._show_cover()
        return True

    def use_book_cover(self) -> None:
        self._picture, self._cover = None, "book"
        self._show_cover()

    # -- saving ---------------------------------------------------------------------------------
    def edits(self) -> DetailEdits:
        """What the fields say; a field left as the book has it is saved as "follow the book"."""
        def value(name: str, text: str) -> str | None:
            text = text.strip()
            return None if not text or text == (self.own.get(name) or "").strip() else text

        return DetailEdits(title=value("title", self.title_edit.text()), author=value("author", self.author_edit.text()),
                           narrator=self.narrator_edit.text().strip() or None, year=value("year", self.year_edit.text()),
                           genre=value("genre", self.genre_edit.text()),
                           description=value("description", self.description_edit.toPlainText()),
                           cover=(self.info.edits.cover if self._cover == "saved" and self.info.edits else None))

    def accept(self) -> None:
        try:
            self.saved = save_details(self.info.job_dir, self.edits(),
                                      picture=self._picture if self._cover == "new" else None,
                                      keep_cover=self._cover == "saved")
        except (ValueError, OSError) as exc:
            self._warn("Details not saved", str(exc)[0].upper() + str(exc)[1:])
            return
        super().accept()

    def _warn(self, title: str, text: str) -> None:
        self.error = text
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.open()
