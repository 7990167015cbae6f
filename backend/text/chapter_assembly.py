"""Turn a flat list of (heading, paragraphs) sections into chapters.

Shared by the plain-text and Markdown readers, which both find chapters by
spotting heading lines and therefore meet the same awkward cases: text
before the first heading and tables of contents made of heading-like lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .book import Chapter
from .book_matter import BODY, TOC, matter_from_title
from .chapter_tidy import merge_empty_chapters

# This many headings in a row with no text between them are a table of
# contents, not real chapters.
_TOC_RUN_LENGTH = 3
_CONTENTS_LABEL = re.compile(r"\W*(?:table of )?contents\W*", re.I)


@dataclass
class Section:
    title: str | None  # None for the text before the first heading
    paragraphs: list[str] = field(default_factory=list)
    matter: str = BODY


def is_contents_label(paragraph: str) -> bool:
    """"CONTENTS", "Table of Contents." and the like, on a line of its own."""
    return _CONTENTS_LABEL.fullmatch(paragraph) is not None


def _demote_toc_runs(sections: list[Section]) -> list[Section]:
    """Runs of empty headings are a table of contents, not a string of empty chapters: they
    become one chapter of their own ("Contents", matter "toc", unselected by default)."""
    result: list[Section] = []
    i = 0
    while i < len(sections):
        j = i
        while j < len(sections) and sections[j].title is not None and not sections[j].paragraphs:
            j += 1
        if j - i >= _TOC_RUN_LENGTH:
            previous = result[-1].paragraphs if result else []
            title = previous.pop() if previous and is_contents_label(previous[-1]) else "Contents"
            result.append(Section(title, [str(s.title) for s in sections[i:j]], TOC))
            i = j
        else:
            result.append(sections[i])
            i += 1
    return result


def assemble_chapters(
    sections: list[Section], default_title: str, *, detect_toc: bool = False, warnings: list[str] | None = None
) -> list[Chapter]:
    """Build chapters. Text before the first heading becomes a leading chapter
    named `default_title`. A heading with no text under it (a "Part One"
    divider) joins the next chapter's title ("Part One: Chapter 1"), so it is
    still announced. Contents, copyright, index... pages get their matter."""
    if detect_toc:
        sections = _demote_toc_runs(sections)
    chapters: list[Chapter] = []
    for section in sections:
        if section.title is None:
            if section.paragraphs:
                chapters.append(Chapter(default_title, list(section.paragraphs)))
            continue
        matter = section.matter if section.matter != BODY else matter_from_title(section.title) or BODY
        chapters.append(Chapter(section.title, list(section.paragraphs), matter))
    return merge_empty_chapters(chapters, warnings)
