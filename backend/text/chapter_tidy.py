"""The last step of every reader: chapters with a title and no text.

A "Part One" page with nothing under it would be rendered as a chapter of one
spoken title. Such a title joins the chapter after it ("Part One: Chapter 1");
an empty cover, copyright or contents page, or an empty last chapter, is left out."""

from __future__ import annotations

import re
from dataclasses import replace

from .book import Chapter
from .book_matter import BODY, NOTES

_SQUASH = re.compile(r"\W+")
_TRAILING = re.compile(r"[\s:;,.\u2014\u2013-]+$")


def _has_text(chapter: Chapter) -> bool:
    return any(re.search(r"\w", p) for p in chapter.paragraphs)


def _squash(text: str) -> str:
    return _SQUASH.sub("", text).lower()


def joined_title(prefixes: list[str], title: str) -> str:
    """"Part One" + "Chapter 1" -> "Part One: Chapter 1"; a prefix the title already starts with
    ("Part One" + "Part One, Chapter 1") is not repeated."""
    parts: list[str] = []
    names = [_TRAILING.sub("", prefix.strip()) for prefix in prefixes] + [title.strip()]
    for name in names:
        if not name:
            continue
        if parts and _squash(name).startswith(_squash(parts[-1])):
            parts[-1] = name
        elif not parts or _squash(name) not in _squash(parts[-1]):
            parts.append(name)
    return ": ".join(parts)


def merge_empty_chapters(chapters: list[Chapter], warnings: list[str] | None = None) -> list[Chapter]:
    """Chapters with a title and no text join the next chapter's title, or are left out (front or
    back matter, or nothing after them). Each case is reported in `warnings`, once."""
    result: list[Chapter] = []
    waiting: list[Chapter] = []
    merged = dropped = 0
    for chapter in chapters:
        if not _has_text(chapter):
            if chapter.title.strip() and chapter.matter in (BODY, NOTES):
                waiting.append(chapter)
            else:
                dropped += 1
            continue
        if waiting:
            if chapter.matter in (BODY, NOTES):
                chapter = replace(chapter, title=joined_title([w.title for w in waiting], chapter.title))
                merged += len(waiting)
            else:
                dropped += len(waiting)
            waiting = []
        result.append(chapter)
    dropped += len(waiting)
    if warnings is not None:
        if merged:
            warnings.append(f"{merged} chapter title{'s' if merged != 1 else ''} with no text under "
                            f"{'them' if merged != 1 else 'it'} joined the next chapter (e.g. 'Part One: Chapter 1').")
        if dropped:
            warnings.append(f"Left out {dropped} empty chapter{'s' if dropped != 1 else ''} (a title and no text).")
    return result if result else chapters
