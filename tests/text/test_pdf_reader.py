"""PDF books: chapters from the outline or from large-font headings; running headers, footers
and page numbers not read; hyphenation joined; two columns in reading order; page-bottom
footnotes skipped or read; scanned and password-protected PDFs refused with a clear message."""

from __future__ import annotations

import re

import pytest

from backend.text import BookError, load_book
from backend.text.pdf_reader import NO_TEXT, chapter_starts
from backend.text.pdf_text import ChapterStart, join_lines
from tests.text import pdf_factory


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    return pdf_factory.harbour_pdf(tmp_path_factory.mktemp("pdf") / "harbour.pdf")


def _text(book) -> str:
    return " ".join(" ".join([c.title, *c.paragraphs]) for c in book.chapters)


def test_outline_gives_the_chapters_and_their_matter(harbour):
    book = load_book(harbour)
    assert (book.title, book.author) == ("The Harbour Book", "Mary Writer")
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("The Harbour Book", "front"),  # the title page, before the first outline entry
        ("Chapter One", "body"),
        ("Chapter Two", "body"),
        ("Chapter Three", "body"),
        ("Index", "back"),
    ]
    one = book.chapters[1].paragraphs
    assert one[0].startswith("The storm began at dawn")  # the heading repeating the title is not read again
    assert "Chapter One" not in " ".join(one)


def test_running_headers_footers_and_page_numbers_are_not_read(harbour):
    paragraphs = [p for c in load_book(harbour).chapters[1:] for p in c.paragraphs]
    text = " ".join(paragraphs)
    assert "The Harbour Book" not in text  # the running header of even pages
    assert "Chapter One" not in text and "Chapter Three" not in text  # ... and of odd pages, with its number
    assert not re.search(r"\b[2-7]\b", text.replace("harbour, 2, 4 keeper, 2, 3", ""))  # no page number anywhere


def test_hyphenated_line_ends_are_joined_across_lines_and_pages(harbour):
    text = _text(load_book(harbour))
    assert "fishermen pulled" in text and "fisher-" not in text
    assert "in the afternoon, because" in text and "after-" not in text


def test_two_columns_are_read_left_then_right(harbour):
    two = load_book(harbour).chapters[2].paragraphs
    assert two[0].startswith("The left column begins the second chapter with a quiet morning at sea.")
    assert two[1].startswith("The right column follows after the left one ends.")
    assert two[1].endswith("The end of chapter two.")


def test_page_bottom_footnote_follows_the_setting(harbour):
    skipped = load_book(harbour, footnotes="skip")
    read = load_book(harbour, footnotes="read")
    note = "The quarry lies north of the harbour, on the old road."
    assert note not in _text(skipped)
    paragraphs = read.chapters[1].paragraphs
    # Read after the paragraph in progress at the end of its page (which ends on the next page).
    where = paragraphs.index(note)
    assert paragraphs[where - 1].endswith("because the sky had turned so dark.")
    for book in (skipped, read):  # the superscript marker is never read
        assert "all morning." in _text(book) and "morning.1" not in _text(book) and "morning. 1" not in _text(book)


def test_paragraphs_start_at_indents(harbour):
    three = load_book(harbour).chapters[3].paragraphs
    assert three[0] == "The last chapter is short."
    assert three[-2:] == ["The boats came home.", "The end."]


def test_without_an_outline_large_headings_make_chapters(tmp_path):
    book = load_book(pdf_factory.harbour_pdf(tmp_path / "plain.pdf", outline=False))
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("The Harbour Book", "front"),  # a title page (large type only) is read, not made chapters
        ("Chapter One", "body"),
        ("Chapter Two", "body"),
        ("Chapter Three", "body"),
        ("Index", "back"),
    ]
    assert book.chapters[0].paragraphs == ["The Harbour Book", "Mary Writer"]
    assert book.chapters[1].paragraphs[0].startswith("The storm began at dawn")


def test_scanned_pdf_says_to_run_ocr(tmp_path):
    path = pdf_factory.scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(BookError) as info:
        load_book(path)
    assert str(info.value) == f"Cannot read 'scan.pdf': {NO_TEXT}"
    assert "this PDF has no text" in str(info.value) and "run OCR on it first" in str(info.value)


def test_password_protected_pdf_is_refused(tmp_path):
    path = pdf_factory.encrypted_pdf(tmp_path / "locked.pdf")
    with pytest.raises(BookError, match="encrypted PDF that needs a password"):
        load_book(path)


def test_pdf_encrypted_only_against_changes_opens(tmp_path):
    book = load_book(pdf_factory.encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert "The secret text of an encrypted book." in _text(book)


@pytest.mark.parametrize("data, words", [
    (b"Just some text, not a PDF at all.", "not a pdf"),
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "pdf"),
])
def test_not_a_pdf_or_broken_pdf(tmp_path, data, words):
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(BookError) as info:
        load_book(path)
    assert words in str(info.value).lower() and "Traceback" not in str(info.value)


def test_truncated_pdf_fails_clearly_or_reads_what_is_there(tmp_path, harbour):
    path = tmp_path / "cut.pdf"
    path.write_bytes(harbour.read_bytes()[: harbour.stat().st_size // 2])
    try:
        book = load_book(path)
    except BookError as error:
        assert "cut.pdf" in str(error)
    else:
        assert book.chapters


def test_outline_levels():
    def entry(level, page, title):
        return level, ChapterStart(page, None, title)

    flat = [entry(1, i, f"Chapter {i}") for i in range(4)] + [entry(2, 0, "a section")]
    assert [s.title for s in chapter_starts(flat)] == ["Chapter 0", "Chapter 1", "Chapter 2", "Chapter 3"]
    book = [entry(1, 0, "The Book")] + [entry(2, i + 1, f"Chapter {i}") for i in range(3)]
    assert [s.title for s in chapter_starts(book)] == ["The Book", "Chapter 0", "Chapter 1", "Chapter 2"]
    assert chapter_starts([entry(1, 0, "Only one")]) is None
    assert chapter_starts([]) is None


@pytest.mark.parametrize("lines, joined", [
    (["a hyphen-", "ated word"], "a hyphenated word"),
    (["well-", "Known"], "well-Known"),
    (["soft\u00ad", "ware"], "software"),
    (["a line", "another"], "a line another"),
    (["dash—", "and on"], "dash—and on"),
])
def test_join_lines(lines, joined):
    assert join_lines(lines) == joined
