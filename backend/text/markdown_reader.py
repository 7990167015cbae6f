"""Markdown books: `#`/`##` headings make chapters; markup is stripped so
only the words a listener should hear are left."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .book import Book
from .chapter_assembly import Section, assemble_chapters
from .decoding import decode_text_file
from .epub_package import book_year
from .gutenberg import strip_gutenberg
from .txt_reader import title_from_path

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_BLOCKQUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+.*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)  # unclosed: runs to the end, as in HTML

# Inline markup, applied in this order. Spans never contain their own
# delimiter ([^*]+? rather than .+?), which keeps every pattern linear:
# a line full of unmatched "[" or "*" cannot make the regex engine crawl.
_CODE_SPAN = re.compile(r"(`+)([^`]+?)\1")
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()]*\)|!\[[^\[\]]*\]\[[^\[\]]*\]")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)|\[([^\[\]]+)\]\[[^\[\]]*\]")
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]]+\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+|[^<>\s@]+@[^<>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_STRONG = re.compile(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*|__(?=\S)([^_]+?)(?<=\S)__")
_EMPHASIS_STAR = re.compile(r"\*(?=\S)([^*]+?)(?<=\S)\*")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=\S)([^_]+?)(?<=\S)_(?!\w)")
_STRIKE = re.compile(r"~~(?=\S)([^~]+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")
_ESCAPED = re.compile("[\ue000-\ue07f]")  # escaped characters hidden from the inline rules
_CODE_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def strip_inline_markup(text: str) -> str:
    """Remove Markdown/HTML inline markup, keeping the readable words."""
    codes: list[str] = []

    def stash(m: re.Match[str]) -> str:
        codes.append(m.group(2).strip())
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE_SPAN.sub(stash, text)  # code keeps its text verbatim
    text = _ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _STRONG.sub(lambda m: m.group(1) or m.group(2), text)
    text = _EMPHASIS_STAR.sub(r"\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    text = _ESCAPED.sub(lambda m: chr(ord(m.group(0)) - 0xE000), text)
    text = _CODE_PLACEHOLDER.sub(lambda m: codes[int(m.group(1))], text)
    text = html.unescape(text)
    return " ".join(text.split())


def _parse_front_matter(block: str) -> dict[str, str]:
    """Just enough YAML for `title:`, `author:` (scalar or list) and `lang:`/`language:`."""
    values: dict[str, str] = {}
    current_list: str | None = None
    for line in block.split("\n"):
        item = re.match(r"^\s+-\s+(.*)$", line)
        if item and current_list:
            value = item.group(1).strip().strip("\"'")
            values[current_list] = f"{values[current_list]}, {value}" if values[current_list] else value
            continue
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        current_list = None
        if value.startswith("[") and value.endswith("]"):
            value = ", ".join(v.strip().strip("\"'") for v in value[1:-1].split(",") if v.strip())
        elif value == "":
            current_list = key
        else:
            value = value.strip("\"'")
        values[key] = value
    return values


class _BlockParser:
    """Line-by-line block parser: produces (level, title) headings and
    paragraphs in document order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []  # ("heading", (level, text)) | ("para", text)
        self.lines: list[str] = []
        self.in_list_item = False

    def flush(self) -> None:
        if self.lines:
            text = strip_inline_markup(" ".join(self.lines))
            if text:
                self.events.append(("para", text))
        self.lines = []

    def heading(self, level: int, raw: str) -> None:
        self.flush()
        self.in_list_item = False
        text = strip_inline_markup(raw)
        if text:
            self.events.append(("heading", (level, text)))

    def parse(self, text: str) -> list[tuple[str, object]]:
        text = _HTML_COMMENT.sub("", text)
        fence: str | None = None
        previous_blank = True
        for line in text.split("\n"):
            if fence is not None:  # fenced code: skipped up to the closing fence
                m = _FENCE.match(line)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip(" `~"):
                    fence = None
                continue
            m = _FENCE.match(line)
            if m:
                self.flush()
                fence = m.group(1)
                continue
            if not line.strip():
                self.flush()
                previous_blank = True
                continue
            indented = line.startswith(("    ", "\t"))
            if indented and not self.in_list_item and (previous_blank or not self.lines):
                continue  # indented code block (it cannot interrupt a paragraph)
            if previous_blank and not indented and not _LIST_ITEM.match(line):
                self.in_list_item = False  # a new unindented block ends the list
            previous_blank = False
            self._line(line)
        self.flush()
        return self.events

    def _line(self, line: str) -> None:
        m = _ATX.match(line)
        if m:
            self.heading(len(m.group(1)), m.group(2) or "")
            return
        if self.lines and _SETEXT.match(line) and not _LIST_ITEM.match(self.lines[-1]):
            level = 1 if line.strip().startswith("=") else 2
            raw = " ".join(self.lines)
            self.lines = []
            self.heading(level, raw)
            return
        if _THEMATIC_BREAK.match(line) or _LINK_DEFINITION.match(line) or _TABLE_RULE.match(line):
            self.flush()
            return
        line = _BLOCKQUOTE.sub("", line)
        item = _LIST_ITEM.match(line)
        if item:
            self.flush()  # every list item is its own paragraph
            self.in_list_item = True
            line = line[item.end() :]
        if line.strip().startswith("|"):  # table row: cells separated by pipes
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        self.lines.append(line.strip())


def read_markdown(path: Path, data: bytes) -> Book:
    warnings: list[str] = []
    text = decode_text_file(path, data, warnings)
    meta: dict[str, str] = {}
    fm = _FRONT_MATTER.match(text)
    if fm:
        meta = _parse_front_matter(fm.group(1))
        text = text[fm.end() :]
    text = strip_gutenberg(text)

    events = _BlockParser().parse(text)
    levels = [ev[1][0] for ev in events if ev[0] == "heading"]  # type: ignore[index]
    title = meta.get("title") or ""
    # A single leading "# Title" over "##" chapters is the book's title; it
    # also names the text between it and the first chapter.
    h1_is_book_title = levels.count(1) == 1 and levels[0] == 1 and 2 in levels
    leading_title: str | None = None
    sections = [Section(None)]
    for kind, value in events:
        if kind == "heading":
            level, heading = value  # type: ignore[misc]
            if level == 1 and h1_is_book_title:
                title = title or heading
                leading_title = heading
                continue
            if level <= 2:
                sections.append(Section(heading))
                continue
            value = heading  # deeper headings are read as ordinary paragraphs
        sections[-1].paragraphs.append(str(value))

    title = title or title_from_path(path)
    chapters = assemble_chapters(sections, leading_title or title, warnings=warnings)
    return Book(
        title=title,
        author=meta.get("author") or meta.get("authors") or None,
        chapters=chapters,
        source_path=path,
        warnings=warnings,
        language=meta.get("lang") or meta.get("language") or None,
        year=book_year(meta.get("year") or meta.get("date")),
        genre=meta.get("genre") or None,
        description=meta.get("description") or None,
    )
