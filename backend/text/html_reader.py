"""HTML books: a saved web page or a Project Gutenberg HTML book.

The text is extracted by the EPUB reader's extractor (epub_html.extract_document: blocks,
skipped scripts, footnotes read or skipped). Around it: the encoding (BOM, <meta charset>, XML
declaration, else UTF-8, else Windows-1252 with a warning), entity tricks removed
(markup_guard), Project Gutenberg's licence header and footer and its page-number spans left
out, its footnotes marked as such; and chapters from the headings: a single leading h1 over
h2s is the book's title, the h2s are chapters (heading_levels decides which levels).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .book import Book, BookError
from .chapter_assembly import Section, assemble_chapters
from .epub_html import Paragraph, extract_document
from .heading_levels import chapter_levels, join_title, mark_matter
from .markup_guard import clean_markup_text
from .txt_reader import title_from_path

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_PAGENUM = re.compile(r"<span\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bpagenum\b[^\"']*[\"'][^>]*>.*?</span>", re.I | re.S)
_FNANCHOR = re.compile(r"(<a\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bfnanchor\b[^\"']*[\"'])", re.I)
_FOOTNOTE = re.compile(r"(<(?:div|p|aside|section)\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bfootnotes?\b[^\"']*[\"'])", re.I)
_PG_START = re.compile(r"\*\*\*\s*START OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_PG_END = re.compile(r"\*\*\*\s*END OF (?:THE|THIS) PROJECT GUTENBERG", re.I)
_PG_TITLE = re.compile(r"^The Project Gutenberg e?Book of (.+?)(?:, by (.+))?$", re.I)
_NON_WORD = re.compile(r"\W+")
_SKIPPED = frozenset("script style template noscript".split())


def decode_html(path: Path, data: bytes, warnings: list[str]) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = _XML_ENCODING.match(data) or _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared[1].decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append(f"'{path.name}' does not say its encoding and is not UTF-8; read it as Windows-1252.")
        return data.decode("cp1252", errors="replace")


@dataclass
class _Heading:
    level: int
    pieces: list[str] = field(default_factory=lambda: [""])


class _Outline(HTMLParser):
    """The page's title, author and language from <head>, and every heading's level."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.headings: list[_Heading] = []
        self.open: _Heading | None = None
        self.in_title = False
        self.skip = 0

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if tag in _SKIPPED:
            self.skip += 1
        elif tag == "html" and attrs.get("lang"):
            self.meta.setdefault("lang", attrs["lang"])
        elif tag == "meta" and attrs.get("name") and attrs.get("content"):
            self.meta.setdefault(attrs["name"].lower(), attrs["content"])
        elif tag == "title":
            self.in_title = True
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.open = _Heading(int(tag[1]))
        elif tag == "br" and self.open is not None:
            self.open.pieces.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag == "title":
            self.in_title = False
        elif self.open is not None and tag == f"h{self.open.level}":
            self.open.pieces = [" ".join(p.split()) for p in self.open.pieces if p.strip()]
            if self.open.pieces:
                self.headings.append(self.open)
            self.open = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.in_title:
            self.title.append(data)
        if self.open is not None:
            self.open.pieces[-1] += data


def _squash(text: str) -> str:
    return _NON_WORD.sub("", text).lower()


def _gutenberg_body(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Paragraphs between Project Gutenberg's START and END lines (all of them when there are none)."""
    start = next((i for i, p in enumerate(paragraphs) if _PG_START.search(p.text)), None)
    end = next((i for i, p in enumerate(paragraphs) if _PG_END.search(p.text)), None)
    if start is not None and end is not None and end > start:
        return paragraphs[start + 1 : end]
    if start is not None:
        return paragraphs[start + 1 :]
    return paragraphs


def _events(paragraphs: list[Paragraph], headings: list[_Heading]) -> list[tuple[int, str]]:
    """(level, title) for headings, (0, text) for paragraphs; a heading split by <br> is one title."""
    events: list[tuple[int, str]] = []
    pointer = i = 0
    while i < len(paragraphs):
        p = paragraphs[i]
        i += 1
        if not p.is_heading:
            events.append((0, p.text))
            continue
        near = range(pointer, min(pointer + 8, len(headings)))
        match = next((j for j in near if _squash(headings[j].pieces[0]) == _squash(p.text)), None)
        if match is None:
            events.append((7, p.text))  # a heading we cannot place: read as text
            continue
        heading = headings[match]
        pointer = match + 1
        pieces = [p.text]
        for piece in heading.pieces[1:]:
            if i < len(paragraphs) and paragraphs[i].is_heading and _squash(paragraphs[i].text) == _squash(piece):
                pieces.append(paragraphs[i].text)
                i += 1
        events.append((heading.level, join_title(pieces)))
    return events


def _mark_gutenberg(text: str) -> str:
    """Project Gutenberg's conventions: page numbers out, note markers and notes marked."""
    text = _PAGENUM.sub("", text)
    text = _FNANCHOR.sub(r'\1 role="doc-noteref"', text)
    return _FOOTNOTE.sub(r'\1 role="doc-footnote"', text)


def read_html(path: Path, data: bytes, *, footnotes: str = "skip") -> Book:
    warnings: list[str] = []
    text = _mark_gutenberg(clean_markup_text(decode_html(path, data, warnings)))
    outline = _Outline()
    outline.feed(text)
    outline.close()
    doc = extract_document(codecs.BOM_UTF8 + text.encode("utf-8"), footnotes=footnotes)
    events = _events(_gutenberg_body(doc.paragraphs), outline.headings)
    if not events:
        raise BookError(path, "it contains no readable text")

    page_title = " ".join("".join(outline.title).split())
    pg = _PG_TITLE.match(page_title)
    title = outline.meta.get("dc.title") or (pg[1] if pg else page_title) or None
    author = outline.meta.get("dc.creator") or outline.meta.get("author") or (pg[2] if pg and pg[2] else None)
    levels = [level for level, _ in events if 0 < level < 7]
    leading_title: str | None = None
    if levels.count(1) == 1 and levels[0] == 1 and len(levels) > 1:
        index = next(k for k, (level, _) in enumerate(events) if level == 1)
        leading_title = events.pop(index)[1]  # a lone h1 over the chapters: the book's title
        title = title or leading_title
        levels = levels[1:]
    chapter_at = chapter_levels(levels)
    sections = [Section(None)]
    for level, value in events:
        if level in chapter_at:
            sections.append(Section(value))
        else:
            sections[-1].paragraphs.append(value)
    title = title or title_from_path(path)
    chapters = mark_matter(assemble_chapters(sections, leading_title or title))
    return Book(
        title=title,
        author=author,
        chapters=chapters,
        source_path=path,
        warnings=warnings,
        language=outline.meta.get("dc.language") or outline.meta.get("lang") or None,
    )
