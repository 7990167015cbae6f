"""Turn a flat list of (heading, paragraphs) sections into chapters.

Shared by the plain-text and Markdown readers, which both find chapters by
spotting heading lines and therefore meet the same awkward cases: text
before the first heading and tables of contents made of heading-like lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from .book import Chapter

# This many headings in a row with no text between them are a table of
# contents, not real chapters.
_TOC_RUN_LENGTH = 3


@dataclass
class Section:
    title: str | None  # None for the text before the first heading
    paragraphs: list[str] = field(default_factory=list)


def _demote_toc_runs(sections: list[Section]) -> list[Section]:
    """Runs of empty headings become plain text of the section before them,
    so a table of contents is read out once instead of becoming a string of
    empty chapters."""
    result: list[Section] = []
    i = 0
    while i < len(sections):
        j = i
        while j < len(sections) and sections[j].title is not None and not sections[j].paragraphs:
            j += 1
        if j - i >= _TOC_RUN_LENGTH:
            if not result:
                result.append(Section(None))
            result[-1].paragraphs.extend(s.title for s in sections[i:j])
            i = j
        else:
            result.append(sections[i])
            i += 1
    return result


def assemble_chapters(
    sections: list[Section], default_title: str, *, detect_toc: bool = False
) -> list[Chapter]:
    """Build chapters. Text before the first heading becomes a leading chapter
    named `default_title`. A heading with no text under it (a "Part One"
    divider) stays a title-only chapter so its title is still announced."""
    if detect_toc:
        sections = _demote_toc_runs(sections)
    chapters: list[Chapter] = []
    for section in sections:
        if section.title is None:
            if section.paragraphs:
                chapters.append(Chapter(default_title, list(section.paragraphs)))
            continue
        chapters.append(Chapter(section.title, list(section.paragraphs)))
    return chapters
