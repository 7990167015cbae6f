"""load_book(): the one entry point that turns a file into a Book.

Every failure the user can cause (wrong file, damaged file, unreadable
file) comes out as a BookError with a plain-words message, never as a raw
traceback."""

from __future__ import annotations

import logging
from pathlib import Path

from .book import Book, BookError
from .epub_html import FOOTNOTE_MODES
from .epub_reader import read_epub
from .input_limits import check_book_text, check_file_size, check_zip_directory
from .markdown_reader import read_markdown
from .markup_guard import guard_markdown
from .more_formats import EXTRA_EXTENSIONS, TEXT_LIKE_EXTENSIONS, read_more
from .txt_reader import read_txt

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".epub") + EXTRA_EXTENSIONS


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise BookError(path, "the file does not exist")
    if path.is_dir():
        raise BookError(path, "it is a folder, not a file")
    try:
        check_file_size(path, path.stat().st_size, text_like=path.suffix.lower() in TEXT_LIKE_EXTENSIONS)
        return path.read_bytes()
    except PermissionError:
        raise BookError(path, "permission denied (the file cannot be opened)") from None
    except OSError as exc:
        raise BookError(path, f"the file could not be read ({exc.strerror or exc})") from None


def load_book(path: str | Path, *, footnotes: str = "skip") -> Book:
    """Read a book file of any SUPPORTED_EXTENSIONS. `footnotes` ("skip" or "read") matters
    for the formats that mark notes up as such (EPUB, PDF, HTML, DOCX, FB2)."""
    if footnotes not in FOOTNOTE_MODES:
        raise ValueError(f"footnotes must be one of {FOOTNOTE_MODES}, not {footnotes!r}")
    path = Path(path)
    extension = path.suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        kind = f"'{extension}' files" if extension else "files without an extension"
        raise BookError(path, f"{kind} are not supported (use {', '.join(SUPPORTED_EXTENSIONS)})")
    data = _read_bytes(path)
    if not data:
        raise BookError(path, "the file is empty")
    try:
        if extension == ".epub":
            check_zip_directory(data, path, "EPUB")  # before zipfile lists a directory of millions of files
            book = read_epub(path, data, footnotes=footnotes)
        elif extension in EXTRA_EXTENSIONS:
            book = read_more(path, data, footnotes=footnotes)
        elif extension in (".md", ".markdown"):
            book = read_markdown(path, guard_markdown(data))  # raw HTML in Markdown: no entity tricks either
        else:
            book = read_txt(path, data)
    except BookError:
        raise
    except Exception as exc:  # a bug or an exotic file: still no raw traceback for the user
        log.exception("Unexpected error while reading %s", path)
        raise BookError(path, f"it could not be understood ({type(exc).__name__}: {exc})") from exc

    if not any(chapter.paragraphs or chapter.title for chapter in book.chapters):
        raise BookError(path, "it contains no readable text")
    check_book_text(book, path)
    return book
