"""Plain-text books: decode, find chapter headings, split paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from .book import Book
from .book_matter import TOC
from .chapter_assembly import Section, assemble_chapters, is_contents_label
from .decoding import decode_text_file
from .gutenberg import illustration_caption, strip_gutenberg
from .numbers import roman_to_int
from .roman_numerals import is_heading

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
_MAX_TITLED_NUMERAL_CHARS = 60  # "IV. THE STORM": longer lines starting "I. " are prose
_MAX_TITLE_WORDS = 8
_DASHES = re.compile(r"\s*(?:-{2,}|[\u2013\u2014])\s*")
# "LETTER XXV", "CHAPTER III, TWO MISFORTUNES", "XVII.", "IV. THE STORM" (see roman_numerals.is_heading).
_NUMBERED = re.compile(r"(?P<label>(?:\S+\s+)?(?P<num>[IVXLCDM]+))\b[.:,;)]?\s*(?P<rest>.*?)[.:]?")
_BLANK_LINES = re.compile(r"\n[ \t\f\v\u00a0]*\n\s*")


def match_heading(line: str, *, whole_block: bool = True) -> tuple[str, str | None] | None:
    """(label, rest) if `line` on its own looks like a chapter heading: "Chapter 3: The Storm",
    "BOOK ONE", "CHAPTER III--TWO MISFORTUNES", "LETTER XXV", "XVII.". A bare numeral with a
    title ("IV. THE STORM") counts only as a short line on its own (`whole_block`) or in capitals."""
    line = _DASHES.sub(", ", line.strip(), count=1)
    if not line or len(line) > _MAX_HEADING_CHARS:
        return None
    m = _HEADING.fullmatch(line.replace(", ", ": ", 1) if ", " in line else line)
    if m is not None:
        num = m.group("num")
        if num and num.isalpha() and re.fullmatch(r"[ivxlcdm]+", num, re.I) and not _ROMAN.fullmatch(num):
            return None
        return " ".join(m.group("label").split()), m.group("rest")
    if not is_heading(line):
        return None
    n = _NUMBERED.fullmatch(line)
    if n is None or roman_to_int(n.group("num")) is None:
        return None
    rest = n.group("rest") or None
    if rest and n.group("label") == n.group("num"):  # a bare numeral and a title, not "V. Woolf wrote it."
        if len(line) > _MAX_TITLED_NUMERAL_CHARS or not (whole_block or rest.isupper()):
            return None
        if not rest.isupper() and (line.endswith((".", "!", "?")) or len(rest.split()) > _MAX_TITLE_WORDS):
            return None
    return " ".join(n.group("label").split()), rest


def _heading_title(heading: tuple[str, str | None], subtitle: str | None) -> str:
    label, rest = heading
    rest = rest or subtitle
    return f"{label}: {rest.strip()}" if rest else label


def _looks_like_subtitle(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= _MAX_SUBTITLE_CHARS and not line.endswith((".", ",", ";", "!", "?", '"'))


def strip_gutenberg_boilerplate(text: str) -> str:
    return strip_gutenberg(text)


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
        m = match_heading(lines[0], whole_block=len(lines) == 1)
        if m is None:
            paragraph = illustration_caption(" ".join(lines))
            if paragraph:
                sections[-1].paragraphs.append(paragraph)
            continue
        if sum(1 for ln in lines[1:] if match_heading(ln)) > 0:
            # Several headings in one block: a table of contents, a chapter of its own (unselected).
            previous = sections[-1].paragraphs
            title = previous.pop() if previous and is_contents_label(previous[-1]) else "Contents"
            sections.append(Section(title, lines, matter=TOC))
            sections.append(Section(None))
            continue
        body = lines[1:]
        subtitle = None
        if len(body) == 1 and not m[1] and _looks_like_subtitle(body[0]):
            subtitle, body = body[0], []
        sections.append(Section(_heading_title(m, subtitle)))
        if body:
            sections[-1].paragraphs.append(" ".join(body))
    return sections


def read_txt(path: Path, data: bytes) -> Book:
    warnings: list[str] = []
    text = decode_text_file(path, data, warnings)
    text = strip_gutenberg(text)
    title = title_from_path(path)
    chapters = assemble_chapters(split_text_into_sections(text), title, detect_toc=True, warnings=warnings)
    return Book(title=title, author=None, chapters=chapters, source_path=path, warnings=warnings)
