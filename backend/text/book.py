"""Data model shared by every reader: a book is a title, an author and
chapters of plain paragraphs (markup already removed, not yet normalized)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Chapter:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    # Where the chapter sits in the book (see MATTERS): "body" for the story itself and "notes"
    # for a notes section the table of contents lists are read by default; "front" (cover, title
    # page, copyright, dedication), "back" (index, "Also by", colophon, about the author) and
    # "toc" (a table of contents page) are listed but left unselected.
    matter: str = "body"


MATTERS = ("body", "front", "back", "toc", "notes")


@dataclass
class Book:
    title: str
    author: str | None
    chapters: list[Chapter]
    cover: bytes | None = None
    cover_mime: str | None = None
    source_path: Path | None = None
    # Non-fatal problems worth telling the user (e.g. a guessed encoding).
    warnings: list[str] = field(default_factory=list)
    language: str | None = None  # as the book states it (EPUB dc:language, front matter lang:), e.g. "ja"
    # Details for the audiobook's tags, where the book states them (EPUB dc:date, dc:subject,
    # dc:description; front matter year:/date:, genre:, description:).
    year: str | None = None  # four digits
    genre: str | None = None
    description: str | None = None


class BookError(Exception):
    """A book that cannot be read. The message is meant for the user, so it
    names the file and says what is wrong in plain words."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"Cannot read '{self.path.name}': {reason}")
