"""The text side of the renderer: book file -> chapters -> normalized,
speakable text -> chunks for the TTS engine. Pure Python, no Qt."""

from .book import Book, BookError, Chapter
from .chunker import (
    DEFAULT_MAX_CHARS,
    Chunk,
    chunk_chapter,
    normalized_chapter_text,
    plan_book_chunks,
    split_sentences,
    spoken_paragraphs,
)
from .loader import SUPPORTED_EXTENSIONS, load_book
from .normalize import normalize_text, normalize_title

__all__ = [
    "Book",
    "BookError",
    "Chapter",
    "Chunk",
    "DEFAULT_MAX_CHARS",
    "SUPPORTED_EXTENSIONS",
    "chunk_chapter",
    "load_book",
    "normalize_text",
    "normalize_title",
    "normalized_chapter_text",
    "plan_book_chunks",
    "split_sentences",
    "spoken_paragraphs",
]
