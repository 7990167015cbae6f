"""Properties every new format keeps (PDF, HTML, DOCX, FB2): the chunks give back every chapter
whatever the chunk size and footnote mode; and the window offers exactly the formats the loader reads."""

from __future__ import annotations

import pytest

from backend.text import DEFAULT_MAX_CHARS, SUPPORTED_EXTENSIONS, load_book
from tests.text import docx_factory, pdf_factory
from tests.text.chunk_properties import assert_chunks_cover_book
from tests.text.test_docx_fb2_readers import FB2_BODY, _fb2
from tests.text.test_html_reader import GUTENBERG


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formats")
    (folder / "book.html").write_text(GUTENBERG, encoding="utf-8")
    (folder / "book.fb2").write_bytes(_fb2(FB2_BODY))
    return {
        "pdf": pdf_factory.harbour_pdf(folder / "book.pdf"),
        "pdf-no-outline": pdf_factory.harbour_pdf(folder / "plain.pdf", outline=False),
        "html": folder / "book.html",
        "docx": docx_factory.word_book(folder / "book.docx"),
        "fb2": folder / "book.fb2",
    }


@pytest.mark.parametrize("kind", ["pdf", "pdf-no-outline", "html", "docx", "fb2"])
@pytest.mark.parametrize("max_chars", [1, 40, DEFAULT_MAX_CHARS])
@pytest.mark.parametrize("footnotes", ["skip", "read"])
def test_chunks_give_back_every_chapter(books, kind, max_chars, footnotes):
    book = load_book(books[kind], footnotes=footnotes)
    assert book.chapters and assert_chunks_cover_book(book, max_chars)


def test_the_window_offers_every_format_the_loader_reads():
    from app.window_reactions import BOOK_SUFFIXES

    assert BOOK_SUFFIXES == set(SUPPORTED_EXTENSIONS)
