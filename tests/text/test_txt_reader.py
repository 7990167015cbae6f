"""Plain-text books: encodings, chapter headings, paragraphs."""

from __future__ import annotations

import pytest

from backend.text.txt_reader import match_heading
from tests.text.chunk_properties import load_checked
from tests.text.sample_books import TXT_WITH_CHAPTERS


def _write(tmp_path, text, name="book.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# -- encodings ---------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings(tmp_path, encoding):
    text = "Ünïcödé “quotes” and 日本語.\n\nSecond paragraph."
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # explicit BOMs
        data = ("\ufeff".encode(encoding)) + data
    path = tmp_path / "enc.txt"
    path.write_bytes(data)
    book = load_checked(path)
    assert book.chapters[0].paragraphs == ["Ünïcödé “quotes” and 日本語.", "Second paragraph."]
    assert book.warnings == []
    assert not book.chapters[0].paragraphs[0].startswith("\ufeff")


def test_cp1252_is_read_with_a_warning(tmp_path):
    path = _write(tmp_path, "Café “quotes” – naïve €5.", encoding="cp1252")
    book = load_checked(path)
    assert book.chapters[0].paragraphs == ["Café “quotes” – naïve €5."]
    assert len(book.warnings) == 1 and "cp1252" in book.warnings[0]
    assert "book.txt" in book.warnings[0]


def test_latin1_fallback_when_cp1252_fails(tmp_path):
    # 0x81 is undefined in cp1252, so only latin-1 can decode this.
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Caf\xe9 \x81 ok")
    book = load_checked(path)
    assert book.chapters[0].paragraphs == ["Café \x81 ok"]
    assert "Latin-1" in book.warnings[0]


def test_utf16_without_bom_is_recognised(tmp_path):
    path = tmp_path / "nobom.txt"
    path.write_bytes("Plain English text without a byte order mark.".encode("utf-16-le"))
    book = load_checked(path)
    assert book.chapters[0].paragraphs == ["Plain English text without a byte order mark."]
    assert "UTF-16-LE" in book.warnings[0]


def test_windows_line_endings(tmp_path):
    book = load_checked(_write(tmp_path, "One line\r\nsame paragraph.\r\n\r\nNext one.\r\n"))
    assert book.chapters[0].paragraphs == ["One line same paragraph.", "Next one."]


# -- headings and chapters ---------------------------------------------------------

@pytest.mark.parametrize(
    "line",
    [
        "Chapter 12", "CHAPTER XII", "Chapter One", "chapter twenty-one", "Part One", "PART II.",
        "Prologue", "Epilogue", "Chapter 3: The Storm", "Chapter 4. Home Again", "Book 2",
        "  Chapter 7  ", "Chapter Forty Two",
    ],
)
def test_heading_lines(line):
    assert match_heading(line)


@pytest.mark.parametrize(
    "line",
    [
        "Chapter", "The chapter 12 was long.", "Chapter 12 was the best one we read.",
        "In the prologue we learn", "Chapter IIII", "Chapter 3: " + "x" * 90, "Parts One",
    ],
)
def test_not_heading_lines(line):
    assert not match_heading(line)


def test_chapters_from_headings(tmp_path):
    book = load_checked(_write(tmp_path, TXT_WITH_CHAPTERS, name="the_voyage.txt"))
    titles = [c.title for c in book.chapters]
    assert titles == [
        "the voyage",  # the text before the first heading, named after the file
        "CHAPTER I: The Departure",
        "Chapter 2: Open Sea",
        "Chapter Three: The Storm",
        "Epilogue",
    ]
    assert book.title == "the voyage"
    assert book.chapters[0].paragraphs == ["The Voyage by Somebody"]
    departure = book.chapters[1].paragraphs
    assert departure[0] == "It was a cold morning in 1887. Dr. Brown said, “We leave at 10:30.” The ship was ready."
    assert len(departure) == 2
    assert book.chapters[-1].paragraphs == ["They came home."]


def test_single_chapter_named_from_file(tmp_path):
    book = load_checked(_write(tmp_path, "Hello there.\nStill here.\n\n\n\nBye.", name="my-little-story.txt"))
    assert [c.title for c in book.chapters] == ["my little story"]
    assert book.chapters[0].paragraphs == ["Hello there. Still here.", "Bye."]
    assert book.author is None and book.cover is None


def test_heading_directly_followed_by_text(tmp_path):
    book = load_checked(_write(tmp_path, "Chapter 1\nIt rained all day.\nThen it stopped.\n\nChapter 2\n\nSun."))
    assert [c.title for c in book.chapters] == ["Chapter 1", "Chapter 2"]
    assert book.chapters[0].paragraphs == ["It rained all day. Then it stopped."]


def test_table_of_contents_is_a_chapter_of_its_own_not_chapters(tmp_path):
    text = (
        "Contents\n\nChapter 1\n\nChapter 2\n\nChapter 3\n\n"
        "Chapter 1\n\nFirst text.\n\nChapter 2\n\nSecond text.\n\nChapter 3\n\nThird text."
    )
    book = load_checked(_write(tmp_path, text, name="toc.txt"))
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("Contents", "toc"), ("Chapter 1", "body"), ("Chapter 2", "body"), ("Chapter 3", "body")
    ]
    assert book.chapters[0].paragraphs == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert book.chapters[1].paragraphs == ["First text."]


def test_table_of_contents_block(tmp_path):
    text = "CHAPTER I. Down\nCHAPTER II. Up\n\nCHAPTER I. Down\n\nText one.\n\nCHAPTER II. Up\n\nText two."
    book = load_checked(_write(tmp_path, text))
    assert [c.title for c in book.chapters] == ["Contents", "CHAPTER I: Down", "CHAPTER II: Up"]
    assert book.chapters[0].paragraphs == ["CHAPTER I. Down", "CHAPTER II. Up"]
    assert book.chapters[0].matter == "toc"


def test_part_heading_without_text_joins_the_next_chapter(tmp_path):
    book = load_checked(_write(tmp_path, "Part One\n\nChapter 1\n\nText.\n\nChapter 2\n\nMore."))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("Part One: Chapter 1", ["Text."]), ("Chapter 2", ["More."])
    ]
    assert any("joined the next chapter" in w for w in book.warnings)


def test_gutenberg_licence_is_left_out(tmp_path):
    text = (
        "The Project Gutenberg eBook of X\n\nLicence blah.\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nChapter 1\n\nReal text.\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n\nMore licence."
    )
    book = load_checked(_write(tmp_path, text))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [("Chapter 1", ["Real text."])]
