"""EPUB content documents -> chapters.

Every table of contents entry starts a chapter, also where several point into one
file (`book.xhtml#ch3`): the file is split at their anchors. Each chapter gets its
matter (front, back, toc, notes, body) from the book's semantics and its title.
With footnotes skipped, notes inside a chapter are left out; a notes section the
table of contents lists is a chapter of its own (matter "notes")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .book import Chapter
from .book_matter import NOTES, TOC, resolve_matter
from .epub_html import Anchor, ExtractedDocument, Paragraph
from .epub_toc import Landmark, TocEntry

_NON_WORD = re.compile(r"\W+")


def _squash(text: str) -> str:
    return _NON_WORD.sub("", text).lower()


def drop_title_headings(paragraphs: list[Paragraph], title: str) -> list[str]:
    """The chapter title is announced on its own, so headings at the top of
    the chapter that just repeat it ("Chapter 1" / "The Storm" under the
    title "Chapter 1: The Storm") are not read twice."""
    squashed_title = _squash(title)
    start = 0
    while (
        start < len(paragraphs)
        and paragraphs[start].is_heading
        and _squash(paragraphs[start].text)
        and _squash(paragraphs[start].text) in squashed_title
    ):
        start += 1
    return [p.text for p in paragraphs[start:]]


@dataclass
class _Segment:
    start: int
    entry: TocEntry | None
    anchor: Anchor | None


class ChapterBuilder:
    """Collects chapters document by document, in reading order."""

    def __init__(self, toc: list[TocEntry], landmarks: list[Landmark], *, read_notes: bool) -> None:
        self.has_toc = bool(toc)
        self.read_notes = read_notes
        self.entries: dict[str, dict[str, TocEntry]] = {}  # lower-case path -> fragment -> first entry
        for entry in toc:
            self.entries.setdefault(entry.path.lower(), {}).setdefault(entry.fragment, entry)
        self.landmarks: dict[str, dict[str, list[str]]] = {}  # lower-case path -> fragment -> kinds
        for mark in landmarks:
            self.landmarks.setdefault(mark.path.lower(), {}).setdefault(mark.fragment, []).append(mark.kind)
        self.chapters: list[Chapter] = []
        self.notes_left_out = 0
        self.carried: list[str] = []  # headings of a chapter with nothing else, for the next chapter

    def anchors(self, path: str) -> frozenset[str]:
        """The ids in this document where a chapter starts."""
        return frozenset(fragment for fragment in self.entries.get(path.lower(), {}) if fragment)

    def add(self, path: str, doc: ExtractedDocument, *, is_toc_page: bool = False) -> None:
        entries = self.entries.get(path.lower(), {})
        segments = [_Segment(0, entries.get(""), None)]
        used: set[str] = set()
        for anchor in doc.anchors:
            entry = entries.get(anchor.id)
            if entry is None or anchor.id in used:
                continue
            used.add(anchor.id)
            if segments[-1].start == anchor.index and segments[-1].entry is None:
                segments.pop()  # nothing before the first anchor
            segments.append(_Segment(anchor.index, entry, anchor))
        for i, segment in enumerate(segments):
            end = segments[i + 1].start if i + 1 < len(segments) else len(doc.paragraphs)
            self._add_segment(path, doc, segment, doc.paragraphs[segment.start : end], is_toc_page)

    def _types(self, doc: ExtractedDocument, segment: _Segment, paragraphs: list[Paragraph]) -> list[str]:
        first_text = next((i for i, p in enumerate(paragraphs) if not p.is_heading), len(paragraphs))
        last = segment.start + first_text
        types = sorted(segment.anchor.types) if segment.anchor else []
        for index, kinds in doc.types:
            if index > last:
                break
            if index >= segment.start:
                types.extend(sorted(kinds))
        return types

    def _landmark_kinds(self, path: str, segment: _Segment, doc_anchors: frozenset[str]) -> list[str]:
        marks = self.landmarks.get(path.lower(), {})
        if segment.anchor is not None:
            return marks.get(segment.anchor.id, [])
        if segment.start:
            return []
        return [kind for fragment, kinds in marks.items() if fragment not in doc_anchors for kind in kinds]

    def _add_segment(
        self, path: str, doc: ExtractedDocument, segment: _Segment, paragraphs: list[Paragraph], is_toc_page: bool
    ) -> None:
        if not paragraphs:
            return  # an empty or picture-only page
        listed = segment.entry is not None
        first_heading = next((p.text for p in paragraphs if p.is_heading), None)
        title = segment.entry.title if segment.entry and segment.entry.title else first_heading
        types = self._types(doc, segment, paragraphs)
        matter = TOC if is_toc_page else resolve_matter(types, self._landmark_kinds(path, segment, self.anchors(path)), title)
        has_notes = any(p.is_note for p in paragraphs)
        notes_only = has_notes and all(p.is_note or p.is_heading for p in paragraphs)
        if listed and notes_only:
            matter = NOTES
        if has_notes and matter != NOTES and not self.read_notes:
            kept = [p for p in paragraphs if not p.is_note]
            self.notes_left_out += len(paragraphs) - len(kept)
            if not listed and all(p.is_heading for p in kept):
                return  # a notes page the table of contents does not list
            paragraphs = kept
            first_heading = next((p.text for p in paragraphs if p.is_heading), None)
        if not listed and self.has_toc and first_heading is None and self.chapters and not is_toc_page:
            # Not in the TOC and no heading: the continuation of the previous
            # chapter (e.g. a chapter split across files).
            self.chapters[-1].paragraphs.extend(p.text for p in paragraphs)
            return
        if is_toc_page:
            title = first_heading or "Contents"
        title = title or f"Chapter {len(self.chapters) + 1}"
        text = drop_title_headings(paragraphs, title)
        if all(p.is_heading for p in paragraphs) and not is_toc_page:
            # Only headings ("Part Two" / "The Return"): an empty chapter whose title joins the
            # next one (chapter_tidy); its headings are read at the start of that chapter.
            self.chapters.append(Chapter(title, [], matter))
            self.carried.extend(text)
            return
        self.chapters.append(Chapter(title, self.carried + text, matter))
        self.carried = []
