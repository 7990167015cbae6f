"""Plain-text books: decode, find chapter headings, split paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from .book import Book
from .chapter_assembly import Section, assemble_chapters
from .decoding import decode_text_file

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_NUMBER_WORD = rf"(?:(?:{_TENS})(?:[\s-](?:{_UNITS}))?|{_TEENS}|{_UNITS}|one hundred|hundred)"
_STANDALONE = "prologue|epilogue|preface|foreword|afterword|interlude|introduction"

# A heading is a whole (short) line: "Chapter 12", "CHAPTER XII.",
# "Chapter One: The Storm", "Part Two. Home", "Prologue".
_HEADING = re.compile(
    rf"(?P<label>(?:chapter|part|book)\s+(?P<num>\d{{1,4}}|[ivxlcdm]+|{_NUMBER_WORD})|{_STANDALONE})"
    r"(?:\s*(?:[:.]|\s[-\u2013\u2014])\s*(?P<rest>\S.*?))?\s*[.:]?",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})", re.IGNORECASE)
_MAX_HEADING_CHARS = 80
_MAX_SUBTITLE_CHARS = 60

# Project Gutenberg wraps books in licence text that is not part of the book.
_GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0]*\n\s*")


def match_heading(line: str) -> re.Match[str] | None:
    """Return the match if `line` on its own looks like a chapter heading."""
    line = line.strip()
    if not line or len(line) > _MAX_HEADING_CHARS:
        return None
    m = _HEADING.fullmatch(line)
    if m is None:
        return None
    num = m.group("num")
    if num and num.isalpha() and re.fullmatch(r"[ivxlcdm]+", num, re.I) and not _ROMAN.fullmatch(num):
        return None
    return m


def _heading_title(m: re.Match[str], subtitle: str | None) -> str:
    label = " ".join(m.group("label").split())
    rest = m.group("rest") or subtitle
    return f"{label}: {rest.strip()}" if rest else label


def _looks_like_subtitle(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= _MAX_SUBTITLE_CHARS and not line.endswith((".", ",", ";", "!", "?", '"'))


def strip_gutenberg_boilerplate(text: str) -> str:
    start = _GUTENBERG_START.search(text)
    end = _GUTENBERG_END.search(text)
    if start and end and end.start() > start.end():
        return text[start.end() : end.start()]
    return text


def title_from_path(path: Path) -> str:
    stem = path.stem.replace("_", " ")
    if " " not in stem:
        stem = stem.replace("-", " ")
    return " ".join(stem.split()) or path.name


def split_text_into_sections(text: str) -> list[Section]:
    """Blocks separated by blank lines are paragraphs; a block whose first
    line is a heading starts a new section."""
    sections = [Section(None)]
    for block in _BLANK_LINES.split(text):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        m = match_heading(lines[0])
        if m is None:
            sections[-1].paragraphs.append(" ".join(lines))
            continue
        if sum(1 for ln in lines[1:] if match_heading(ln)) > 0:
            # Several headings in one block: a table of contents. Read it as text.
            sections[-1].paragraphs.extend(lines)
            continue
        body = lines[1:]
        subtitle = None
        if len(body) == 1 and not m.group("rest") and _looks_like_subtitle(body[0]):
            subtitle, body = body[0], []
        sections.append(Section(_heading_title(m, subtitle)))
        if body:
            sections[-1].paragraphs.append(" ".join(body))
    return sections


def read_txt(path: Path, data: bytes) -> Book:
    warnings: list[str] = []
    text = decode_text_file(path, data, warnings)
    text = strip_gutenberg_boilerplate(text)
    title = title_from_path(path)
    chapters = assemble_chapters(split_text_into_sections(text), title, detect_toc=True)
    return Book(title=title, author=None, chapters=chapters, source_path=path, warnings=warnings)
