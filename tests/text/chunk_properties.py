"""The core promise of the chunker, checked on any book: joining a
chapter's chunks gives back its normalized text (whitespace aside, and less
any piece of punctuation only that would have been a chunk of its own), no
chunk is longer than max_chars or has nothing to say, and the
paragraph/chapter flags are consistent."""

from __future__ import annotations

import unicodedata

from backend.text import DEFAULT_MAX_CHARS, Book, Chunk, load_book, normalized_chapter_text, plan_book_chunks
from backend.text.normalize import is_unspeakable


def squash(text: str) -> str:
    return "".join(text.split())


def covers(chunked: str, text: str) -> bool:
    """`chunked` is `text` with at most some punctuation left out (greedy matching is exact here:
    a left-out character is never a letter or a digit)."""
    i = 0
    for ch in text:
        if i < len(chunked) and chunked[i] == ch:
            i += 1
        elif not is_unspeakable(ch) and unicodedata.category(ch)[0] != "P":
            return False
    return i == len(chunked)


def assert_chunks_cover_book(book: Book, max_chars: int) -> list[Chunk]:
    chunks = plan_book_chunks(book, max_chars)
    assert all(0 < len(c.text) <= max_chars for c in chunks), "a chunk is empty or too long"
    assert all(c.text == c.text.strip() for c in chunks)
    assert not any(is_unspeakable(c.text) for c in chunks), "a chunk of punctuation only"
    for index, chapter in enumerate(book.chapters):
        mine = [c for c in chunks if c.chapter_index == index]
        assert covers(squash("".join(c.text for c in mine)), squash(normalized_chapter_text(chapter))), (
            f"chapter {index} ({chapter.title!r}) lost or changed text"
        )
        if mine:
            assert mine[-1].ends_chapter and mine[-1].ends_paragraph
            assert not any(c.ends_chapter for c in mine[:-1])
            # Paragraph indices never go back, and a chunk that does not end
            # its paragraph is followed by one of the same paragraph.
            for a, b in zip(mine, mine[1:], strict=False):
                assert b.paragraph_index >= a.paragraph_index
                if not a.ends_paragraph:
                    assert b.paragraph_index == a.paragraph_index
    assert [c.chapter_index for c in chunks] == sorted(c.chapter_index for c in chunks)
    return chunks


def load_checked(path, **kwargs) -> Book:
    """load_book() plus the chunk properties at a few sizes: every reader
    test that loads a book checks them on that book too."""
    book = load_book(path, **kwargs)
    for max_chars in (1, 13, DEFAULT_MAX_CHARS):
        assert_chunks_cover_book(book, max_chars)
    return book
