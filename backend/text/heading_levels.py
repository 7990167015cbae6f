"""Which heading levels make chapters, for the formats whose headings have levels (HTML h1-h6,
DOCX Heading 1-9, FB2 nested sections, PDF outline depth); and the matter of such chapters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .book import Chapter
from .book_matter import matter_from_title

# Fewer top-level headings than this: the next level makes chapters too (a book's title over its
# chapters, or two parts over many chapters).
_MIN_TOP_LEVEL = 3


def chapter_levels(levels: Iterable[int]) -> set[int]:
    """The levels whose headings start chapters; deeper headings are read as text."""
    counts = Counter(levels)
    if not counts:
        return set()
    top = min(counts)
    deeper = sorted(level for level in counts if level > top)
    if counts[top] >= _MIN_TOP_LEVEL or not deeper:
        return {top}
    return {top, deeper[0]}


def mark_matter(chapters: list[Chapter]) -> list[Chapter]:
    """Chapters titled "Contents", "Copyright", "Index", "Notes"… get that matter."""
    for chapter in chapters:
        if chapter.matter == "body":
            chapter.matter = matter_from_title(chapter.title) or "body"
    return chapters


def join_title(pieces: list[str]) -> str:
    """The lines of one heading as one title: "Chapter One" + "The Storm" -> "Chapter One: The
    Storm"; "CHAPTER I." + "THE STORM" -> "CHAPTER I. THE STORM"."""
    title = ""
    for piece in pieces:
        if not piece:
            continue
        title = f"{title}{' ' if title.endswith(('.', ':', ';', '—', '-')) else ': '}{piece}" if title else piece
    return title
