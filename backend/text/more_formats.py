"""The formats beyond txt, md and epub: PDF, HTML, DOCX, FB2 with readers of their own, and
everything Calibre reads through its ebook-convert. Readers are imported when first used, so
opening the window does not pay for pdfminer."""

from __future__ import annotations

from pathlib import Path

from .book import Book
from .calibre_reader import CALIBRE_EXTENSIONS

OWN_EXTENSIONS = (".pdf", ".html", ".htm", ".xhtml", ".docx", ".fb2")
EXTRA_EXTENSIONS = OWN_EXTENSIONS + CALIBRE_EXTENSIONS
# Their size on disk is about the size of their text: they get the lower file-size limit.
TEXT_LIKE_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".fb2")


def read_more(path: Path, data: bytes, *, footnotes: str) -> Book:
    extension = path.suffix.lower()
    if extension == ".pdf":
        from .pdf_reader import read_pdf

        return read_pdf(path, data, footnotes=footnotes)
    if extension in (".html", ".htm", ".xhtml"):
        from .html_reader import read_html

        return read_html(path, data, footnotes=footnotes)
    if extension == ".docx":
        from .docx_reader import read_docx

        return read_docx(path, data, footnotes=footnotes)
    if extension == ".fb2":
        from .fb2_reader import read_fb2

        return read_fb2(path, data, footnotes=footnotes)
    from .calibre_reader import read_with_calibre

    return read_with_calibre(path, footnotes=footnotes)
