"""PDF pages (lines in reading order, from pdf_layout) -> chapters of paragraphs.

- Running headers, footers and page numbers: the top and bottom lines of each page (in the top
  or bottom 15%, not larger than the text) that are a bare page number, that carry a number
  which rises with the page, or whose text repeats on several pages, are left out.
- Footnotes: lines at the bottom of a page in a smaller font than the text, below all of the
  page's text and starting with a note mark, are the page's notes. With footnotes "skip" they
  are left out; with "read" they are read after the paragraph in progress at the end of the page.
- Paragraphs: a new one starts after a wider gap between lines, at an indented line, after a
  short line that ends a sentence, and where the font size changes. A word hyphenated at the
  end of a line is joined ("hyphen-" + "ation"), also across columns and pages.
- Chapters: where the outline says (ChapterStart), else at lines set a fifth larger than the
  text (consecutive heading lines make one title: "Chapter 1: The Storm").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .book import Chapter
from .book_matter import matter_from_title
from .pdf_layout import Line, PageText

_ZONE = 0.15
_HEADING_RATIO = 1.2
_NOTE_RATIO = 0.85
_BARE_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s+of\s+\d{1,5})?|[-–—]\s*\d{1,4}\s*[-–—]", re.I)
_EDGE_NUMBER = re.compile(r"^(\d{1,4})\s*[|·•–—-]?\s+(\S.*)$|^(.*\S)\s+[|·•–—-]?\s*(\d{1,4})$")
_NOTE_MARK = re.compile(r"^[(\[]?(?:\d{1,3}|[*†‡§¶‖]{1,3})[\]).:]?(?:\s+|(?=[A-Z“\"(]))")
_SENTENCE_END = tuple('.!?:"\'”’)…')
_HYPHENS = ("-", "\u2010")
_NON_WORD = re.compile(r"\W+")


@dataclass
class ChapterStart:
    page: int
    top: float | None  # the outline destination's top, None for the top of the page
    title: str
    matter: str = "body"


@dataclass
class _Geometry:
    left: float
    right: float
    spacing: float


def body_size(pages: list[PageText]) -> float:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for page in pages:
        for ln in page.lines:
            weights[round(ln.size * 2) / 2] += len(ln.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _is_bare_number(text: str) -> bool:
    m = _BARE_PAGE_NUMBER.fullmatch(text.strip())
    return bool(m) and not re.fullmatch(r"[IVXLCDM]+", text.strip())  # "IV" alone is a chapter numeral


def remove_running_lines(pages: list[PageText], body: float) -> int:
    """Leave out running headers, footers and page numbers; returns how many lines went."""
    candidates: list[tuple[PageText, Line]] = []
    for page in pages:
        by_height = sorted(page.lines, key=lambda ln: -ln.y)
        top = [ln for ln in by_height[:2] if ln.y >= page.height * (1 - _ZONE)]
        bottom = [ln for ln in by_height[-2:] if ln.y <= page.height * _ZONE and ln not in top]
        candidates.extend((page, ln) for ln in top + bottom if ln.size <= 1.15 * body)
    offsets: Counter[int] = Counter()
    numbered: dict[int, tuple[int, str]] = {}
    for page, ln in candidates:
        m = _EDGE_NUMBER.match(ln.text)
        if m:
            number, rest = (int(m[1]), m[2]) if m[1] else (int(m[4]), m[3])
            numbered[id(ln)] = (page.number - number, rest)
            offsets[page.number - number] += 1
    rising = {offset for offset, count in offsets.items() if count >= 2}
    keys: dict[int, str] = {}
    pages_of: dict[str, set[int]] = {}
    for page, ln in candidates:
        offset, rest = numbered.get(id(ln), (None, ln.text))
        key = _norm(rest if offset in rising else ln.text)
        keys[id(ln)] = key
        pages_of.setdefault(key, set()).add(page.number)
    threshold = 2 if len(pages) <= 6 else 3
    junk = {
        id(ln)
        for _, ln in candidates
        if _is_bare_number(ln.text) or numbered.get(id(ln), (None,))[0] in rising or len(pages_of[keys[id(ln)]]) >= threshold
    }
    for page in pages:
        page.lines = [ln for ln in page.lines if id(ln) not in junk]
    return len(junk)


def split_footnotes(lines: list[Line], body: float) -> tuple[list[Line], list[str]]:
    """The page's text lines and its footnotes (each note one string, its mark removed)."""
    small = [ln for ln in lines if ln.size <= _NOTE_RATIO * body]
    if not small:
        return lines, []
    text_lines = [ln for ln in lines if ln.size >= 0.95 * body]

    def overlaps(a: Line, b: Line) -> bool:
        return a.x0 < b.x1 and b.x0 < a.x1

    notes = [
        ln
        for ln in small
        if any(t.y > ln.y and overlaps(t, ln) for t in text_lines) and not any(t.y < ln.y and overlaps(t, ln) for t in text_lines)
    ]
    notes.sort(key=lambda ln: (ln.column, -ln.y))
    if not notes or not (notes[0].raised_start or _NOTE_MARK.match(notes[0].text)):
        return lines, []
    texts: list[list[str]] = []
    for ln in notes:
        mark = _NOTE_MARK.match(ln.text)
        if mark or ln.raised_start or not texts:
            texts.append([ln.text[mark.end() :] if mark else ln.text])
        else:
            texts[-1].append(ln.text)
    gone = {id(ln) for ln in notes}
    return [ln for ln in lines if id(ln) not in gone], [s for s in (join_lines(t) for t in texts) if s]


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph as one string; a word hyphenated at a line end is joined."""
    pieces: list[str] = []
    for text in lines:
        if not text:
            continue
        if not pieces:
            pieces.append(text)
            continue
        last = pieces[-1]
        if last.endswith("\u00ad"):
            pieces[-1] = last[:-1]
        elif last.endswith(_HYPHENS) and len(last) > 1 and last[-2].isalpha():
            if text[0].islower():
                pieces[-1] = last[:-1]  # "hyphen-" + "ation": the hyphen only broke the line
        elif not last.endswith("—"):
            pieces.append(" ")
        pieces.append(text)
    return "".join(pieces)


def _usual_edges(pages: list[PageText], body: float) -> dict[int, tuple[float, float]]:
    """The usual left and right edges of single-column text on even and on odd pages (books
    alternate their margins): the commonest left edge, and the right edge of nine lines in ten."""
    lefts: dict[int, Counter[int]] = {0: Counter(), 1: Counter()}
    rights: dict[int, list[float]] = {0: [], 1: []}
    for page in pages:
        for ln in page.lines:
            if ln.column == 0 and abs(ln.size - body) <= 0.1 * body:
                lefts[page.number % 2][round(ln.x0)] += 1
                rights[page.number % 2].append(ln.x1)
    edges: dict[int, tuple[float, float]] = {}
    for parity in (0, 1):
        if lefts[parity]:
            ordered = sorted(rights[parity])
            edges[parity] = (float(lefts[parity].most_common(1)[0][0]), ordered[int(0.9 * (len(ordered) - 1))])
    return edges


def _geometry(lines: list[Line], body: float, usual: tuple[float, float] | None) -> dict[int, _Geometry]:
    """Left margin, right edge and line spacing of each column of a page. A page of a few lines
    (the end of a chapter, all of them indented and short) takes the book's usual edges."""
    result: dict[int, _Geometry] = {}
    for column in {ln.column for ln in lines}:
        own = [ln for ln in lines if ln.column == column]
        text = [ln for ln in own if abs(ln.size - body) <= 0.1 * body] or own
        left = float(Counter(round(ln.x0) for ln in text).most_common(1)[0][0])
        right = max(ln.x1 for ln in text)
        if len(text) < 5 and column == 0 and usual is not None and usual[0] <= left <= usual[0] + 3 * body:
            left, right = usual[0], max(right, usual[1])
        gaps = sorted(a.y - b.y for a, b in zip(text, text[1:]) if 0.8 * a.size < a.y - b.y < 3 * a.size)
        spacing = gaps[len(gaps) // 2] if gaps else 1.2 * body
        result[column] = _Geometry(left, right, spacing)
    return result


@dataclass
class _Builder:
    footnotes_read: bool
    chapters: list[Chapter] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    pending_notes: list[str] = field(default_factory=list)
    title_page: bool = False  # the page being read is a title page: large type only, before any text

    def close(self) -> None:
        if self.lines:
            self._add(join_lines(self.lines))
            self.lines = []
        if self.pending_notes:
            for note in self.pending_notes:
                self._add(note)
            self.pending_notes = []

    def _add(self, paragraph: str) -> None:
        if not self.chapters:
            self.chapters.append(Chapter("", [], matter="front" if self.title_page else "body"))
        elif not self.chapters[-1].title and not self.title_page:
            self.chapters[-1].matter = "body"  # more than a title page before the first chapter
        self.chapters[-1].paragraphs.append(paragraph)

    def start_chapter(self, title: str, matter: str) -> None:
        self.close()
        self.chapters.append(Chapter(title, [], matter=matter))


def _squash(text: str) -> str:
    return _NON_WORD.sub("", text).lower()


def _starts_paragraph(prev: Line | None, prev_geo: _Geometry | None, ln: Line, geo: _Geometry, same_block: bool) -> bool:
    if prev is None or prev_geo is None:
        return True
    if abs(ln.size - prev.size) > 0.15 * max(ln.size, prev.size):
        return True
    if same_block and prev.y - ln.y > 1.6 * geo.spacing:
        return True
    indented = ln.x0 - geo.left > 0.8 * ln.size
    if indented and prev.x0 - prev_geo.left <= 0.5 * prev.size:
        return True
    width = prev_geo.right - prev_geo.left
    short = prev.x1 < prev_geo.right - max(3 * prev.size, 0.15 * width)
    return short and prev.text.endswith(_SENTENCE_END)


def build_chapters(pages: list[PageText], body: float, *, footnotes: str, starts: list[ChapterStart] | None) -> list[Chapter]:
    """Chapters from the outline's starts, or (starts None) from large-font headings. Text before
    the first start or heading is a chapter titled "" (the caller names it)."""
    builder = _Builder(footnotes_read=footnotes == "read")
    by_page: dict[int, list[ChapterStart]] = {}
    for start in starts or []:
        by_page.setdefault(start.page, []).append(start)
    heading: list[Line] = []
    prev: Line | None = None
    prev_geo: _Geometry | None = None
    prev_page = -1
    drop_title: str | None = None  # the chapter just started: headings repeating its title are not read

    def flush_heading() -> None:
        nonlocal heading
        if heading:
            parts = [heading[0].text]
            for a, b in zip(heading, heading[1:]):
                parts.append((" " if abs(a.size - b.size) < 0.1 * a.size else ": ") + b.text)
            title = "".join(parts)
            builder.start_chapter(title, matter_from_title(title) or "body")
            heading = []

    edges = _usual_edges(pages, body)
    for page in pages:
        lines, notes = split_footnotes(page.lines, body)
        geometry = _geometry(lines, body, edges.get(page.number % 2)) if lines else {}
        marks = sorted(by_page.get(page.number, []), key=lambda s: -(s.top if s.top is not None else 1e9))
        # Before any text, a page without a line in the text's size is a title page: read, not chapters.
        builder.title_page = not builder.chapters and not any(abs(ln.size - body) <= 0.1 * body for ln in lines)
        for ln in lines:
            while marks and (marks[0].top is None or ln.y <= marks[0].top + 2):
                flush_heading()
                builder.start_chapter(marks[0].title, marks[0].matter)
                drop_title = _squash(marks.pop(0).title)
                prev = None
            geo = geometry[ln.column]
            is_heading = ln.size >= _HEADING_RATIO * body and len(ln.text) <= 150 and not builder.title_page
            if is_heading and drop_title is not None and _squash(ln.text) and _squash(ln.text) in drop_title:
                continue
            drop_title = None if not is_heading else drop_title
            if is_heading and starts is None:
                builder.close()
                if heading and (page.number != prev_page or heading[-1].y - ln.y > 3 * ln.size):
                    flush_heading()
                heading.append(ln)
                prev, prev_geo, prev_page = None, None, page.number
                continue
            flush_heading()
            same_block = prev is not None and page.number == prev_page and prev.column == ln.column
            if is_heading or _starts_paragraph(prev, prev_geo, ln, geo, same_block):
                builder.close()
            builder.lines.append(ln.text)
            prev, prev_geo, prev_page = (None if is_heading else ln), geo, page.number
        if builder.title_page:
            builder.close()  # a title page's lines are its own, not the start of the next page's paragraph
        for mark in marks:  # destinations below the last line: the chapter starts on the next page
            flush_heading()
            builder.start_chapter(mark.title, mark.matter)
        if builder.footnotes_read and notes:
            builder.pending_notes.extend(notes)
            if not builder.lines:
                builder.close()
    flush_heading()
    builder.close()
    return builder.chapters
