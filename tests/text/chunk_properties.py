"""The core promise of the chunker, checked on any book: joining a
chapter's chunks gives back its normalized text (whitespace aside), no chunk
is longer than max_chars, and the paragraph/chapter flags are consistent."""

from __future__ import annotations

from backend.text import DEFAULT_MAX_CHARS, Book, Chunk, load_book, normalized_chapter_text, plan_book_chunks


def squash(text: str) -> str:
    return "".join(text.split())


def assert_chunks_cover_book(book: Book, max_chars: int) -> list[Chunk]:
    chunks = plan_book_chunks(book, max_chars)
    assert all(0 < len(c.text) <= max_chars for c in chunks), "a chunk is empty or too long"
    assert all(c.text == c.text.strip() for c in chunks)
    for index, chapter in enumerate(book.chapters):
        mine = [c for c in chunks if c.chapter_index == index]
        assert squash("".join(c.text for c in mine)) == squash(normalized_chapter_text(chapter)), (
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
