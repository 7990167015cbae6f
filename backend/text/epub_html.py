"""Extract readable paragraphs from one EPUB content document (XHTML).

html.parser is used rather than an XML parser because real-world EPUBs
often contain XHTML that is not well-formed; html.parser never gives up.
It reads what a reader sees, once: SVG <text>, MathML (spoken), table cells
apart, ruby base text, epub:default of a switch; never fallback content of
media, ruby readings, hidden elements, scripts or note markers. Notes are
marked (Paragraph.is_note) so the book reader can keep or drop them."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .mathml_speech import MathNode, speak_math

FOOTNOTE_MODES = ("read", "skip")

_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li blockquote section article aside header footer nav main "
    "ul ol dl dt dd table tr caption pre figure figcaption address center body html".split()
)
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Their content is never read: code, styling, metadata, ruby readings, the fallback of
# media a reading system plays or draws, and the alternatives of an epub:switch.
_SKIPPED_TAGS = frozenset(
    "script style head title noscript template rt rp rtc video audio canvas object iframe epub:case".split()
)
_VOID_TAGS = frozenset("br hr img image meta link input area base col embed param source track wbr".split())
_NOTE_TYPES = frozenset("footnote footnotes endnote endnotes rearnote rearnotes".split())
_NOTE_ROLES = frozenset(("doc-footnote", "doc-endnote", "doc-endnotes"))
# epub:type / role values the book reader uses to tell front, back and notes matter from the body.
SEMANTIC_TYPES = frozenset(
    "cover titlepage halftitlepage copyright-page dedication frontmatter backmatter bodymatter toc loi lot index "
    "colophon imprint imprimatur seriespage other-credits contributors acknowledgments glossary bibliography "
    "appendix preface foreword introduction prologue epilogue afterword conclusion chapter part volume division "
    "footnotes endnotes rearnotes errata landmarks page-list epigraph frontispiece".split()
) | frozenset(f"doc-{t}" for t in "toc index colophon dedication acknowledgments glossary bibliography appendix "
                                  "preface foreword introduction prologue epilogue afterword conclusion chapter part "
                                  "endnotes cover credits".split())
_SVG_TEXT = frozenset(("text", "foreignobject"))
_TABLE_CELLS = frozenset(("td", "th"))
_ENDS_WITH_PUNCTUATION = (".", "!", "?", ",", ";", ":", "\u3002", "\uff01", "\uff1f", "\u3001", "\uff0c")
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)
_MAX_MATH_DEPTH = 64
_BOILERPLATE_IDS = frozenset(("pg-header", "pg-footer"))


@dataclass
class Paragraph:
    text: str
    is_heading: bool = False
    is_note: bool = False  # inside a footnote, an endnote or a noteref's target


@dataclass
class Anchor:
    """Where a fragment the table of contents points at starts."""

    id: str
    index: int  # the first paragraph at or after it
    types: frozenset[str]  # epub:type/role of the elements open there, itself included


@dataclass
class ExtractedDocument:
    paragraphs: list[Paragraph] = field(default_factory=list)
    first_heading: str | None = None
    has_image: bool = False
    anchors: list[Anchor] = field(default_factory=list)  # in document order
    types: list[tuple[int, frozenset[str]]] = field(default_factory=list)  # (paragraph index, semantics) per element
    noterefs: list[str] = field(default_factory=list)  # hrefs of the marked note references
    formulas: int = 0  # MathML elements spoken

    @property
    def has_text(self) -> bool:
        return bool(self.paragraphs)


def decode_markup(data: bytes) -> str:
    """Decode XHTML/XML bytes using its BOM or XML declaration (UTF-8 if none)."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, encoding in boms:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    m = _XML_ENCODING.match(data)
    encoding = m.group(1).decode("ascii") if m else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # an encoding name Python does not know
        return data.decode("utf-8", errors="replace")


def _tokens(value: str | None) -> set[str]:
    return set(value.lower().split()) if value else set()


def semantics(attrs: dict[str, str | None]) -> frozenset[str]:
    """The epub:type and role values of an element that say what kind of section it is."""
    found = (_tokens(attrs.get("epub:type")) | _tokens(attrs.get("role"))) & SEMANTIC_TYPES
    return frozenset(t.removeprefix("doc-") for t in found)


class _Stack:
    """One open element: its tag, whether it is a link, and what it switched on."""

    __slots__ = ("tag", "has_href", "skip", "note", "types")

    def __init__(self, tag: str, has_href: bool, skip: bool, note: bool, types: frozenset[str]) -> None:
        self.tag, self.has_href, self.skip, self.note, self.types = tag, has_href, skip, note, types


class _DocumentParser(HTMLParser):
    def __init__(self, anchors: frozenset[str], note_targets: set[str], own_name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = ExtractedDocument()
        self.anchor_ids = anchors
        self.note_targets = note_targets
        self.own_name = own_name
        self.stack: list[_Stack] = []
        self.skip_depth = 0
        self.note_depth = 0
        self.svg_depth = 0
        self.svg_text_depth = 0
        self.table_depth = 0
        self.row_has_text = False  # the table row so far has text
        self.last_char = ""  # its last visible character
        self.pending = ""  # separator owed before the next text: ", " between cells, ". " between rows
        self.math: list[MathNode] | None = None  # open MathML elements, outermost first
        self.buffer: list[str] = []
        self.space_owed = False
        self.heading_depth = 0
        self.buffer_is_heading = False
        self.buffer_is_note = False

    # -- paragraph buffer -------------------------------------------------
    def _break(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if text:
            self.doc.paragraphs.append(Paragraph(text, self.buffer_is_heading, self.buffer_is_note))
            if self.buffer_is_heading and self.doc.first_heading is None:
                self.doc.first_heading = text
        self.buffer = []
        self.row_has_text = False
        self.last_char = ""
        self.pending = ""
        self.buffer_is_heading = self.heading_depth > 0
        self.buffer_is_note = self.note_depth > 0

    def _owe(self, separator: str) -> None:
        """Owe a separator before the next text of the row, keeping the stronger of two; a
        cell that ends with punctuation of its own only owes a space."""
        if not self.row_has_text:
            return
        if self.last_char in _ENDS_WITH_PUNCTUATION:
            separator = " "
        if len(separator.strip()) >= len(self.pending.strip()):
            self.pending = separator

    def _text(self, text: str) -> None:
        if self.space_owed:
            self.space_owed = False
            if text[:1].isalnum():
                text = f" {text}"
        if self.pending and text.strip():
            self.buffer.append(self.pending)
            self.pending = ""
        self.buffer.append(text)
        if self.note_depth:
            self.buffer_is_note = True
        if self.table_depth:
            stripped = text.rstrip()
            if stripped:
                self.row_has_text, self.last_char = True, stripped[-1]

    # -- classification ---------------------------------------------------
    def _is_note(self, attrs: dict[str, str | None]) -> bool:
        if _tokens(attrs.get("epub:type")) & _NOTE_TYPES or _tokens(attrs.get("role")) & _NOTE_ROLES:
            return True
        return bool(attrs.get("id")) and attrs.get("id") in self.note_targets

    def _is_noteref(self, tag: str, attrs: dict[str, str | None]) -> bool:
        kinds = _tokens(attrs.get("epub:type")) | _tokens(attrs.get("role"))
        if "backlink" in kinds or "doc-backlink" in kinds:
            return True  # the "↩" from a note back to its marker
        if "noteref" in kinds or "doc-noteref" in kinds:
            href = attrs.get("href") or ""
            if href:
                self.doc.noterefs.append(href)
                target_file, _, target = href.partition("#")
                if target and (not target_file or target_file.rsplit("/", 1)[-1] == self.own_name):
                    self.note_targets.add(target)
            return True
        parent, parent_has_href = (self.stack[-1].tag, self.stack[-1].has_href) if self.stack else ("", False)
        # Unmarked footnote markers: <sup><a href>1</a></sup> or <a href><sup>1</sup></a>.
        if tag == "a" and attrs.get("href") and parent == "sup":
            return True
        return tag == "sup" and parent == "a" and parent_has_href

    def _anchor(self, attrs: dict[str, str | None], types: frozenset[str]) -> None:
        for key in ("id", "name"):
            value = attrs.get(key)
            if value and value in self.anchor_ids:
                self._break()
                open_types = frozenset().union(*(entry.types for entry in self.stack), types)
                self.doc.anchors.append(Anchor(value, len(self.doc.paragraphs), open_types))
                return

    # -- HTMLParser callbacks ---------------------------------------------
    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        if self.math is not None:
            node = MathNode(tag, dict(attr_list))
            self.math[-1].children.append(node)
            if len(self.math) < _MAX_MATH_DEPTH:  # deeper (hostile) nesting is read flat
                self.math.append(node)
            return
        attrs = dict(attr_list)
        types = semantics(attrs) if ("epub:type" in attrs or "role" in attrs) else frozenset()
        if self.anchor_ids and ("id" in attrs or "name" in attrs):
            self._anchor(attrs, types)
        if tag in _VOID_TAGS:
            if self.skip_depth:
                return
            if tag in ("img", "image"):
                self.doc.has_image = True
            elif tag in ("br", "hr"):
                if self.table_depth:
                    self._owe(" ")
                else:
                    self._break()
            return
        if tag == "math" and not self.skip_depth:
            self.math = [MathNode(tag, attrs)]
            if attrs.get("display") == "block" and not self.table_depth:
                self._break()
            return
        note = self._is_note(attrs)
        skip = (
            tag in _SKIPPED_TAGS
            or "hidden" in attrs
            or attrs.get("id") in _BOILERPLATE_IDS  # Project Gutenberg's licence header and footer
            or (bool(attrs.get("style")) and _DISPLAY_NONE.search(attrs.get("style") or "") is not None)
            or self._is_noteref(tag, attrs)
        )
        self.stack.append(_Stack(tag, bool(attrs.get("href")), skip, note, types))
        if skip:
            self.skip_depth += 1
        if types and not self.skip_depth:
            self.doc.types.append((len(self.doc.paragraphs), types))
        if note:
            if tag in _BLOCK_TAGS:
                self.note_depth += 1
            else:
                self.buffer_is_note = True  # an inline target (<a id="fn1">) marks its paragraph
                self.stack[-1].note = False
        if tag == "svg":
            self.svg_depth += 1
            self.doc.has_image = self.doc.has_image or not self.skip_depth
        elif self.svg_depth and tag in _SVG_TEXT:
            self.svg_text_depth += 1
            if not self.skip_depth:
                self._break()
        in_table = self.table_depth
        if tag == "table":
            self.table_depth += 1
        if self.skip_depth:
            return
        if in_table:
            self._table_start(tag)
        elif tag in _BLOCK_TAGS:
            self._break()
        if tag in _HEADING_TAGS:
            self.heading_depth += 1
            self.buffer_is_heading = True

    def _table_start(self, tag: str) -> None:
        if tag in _TABLE_CELLS:
            self._owe(", ")
        elif tag == "tr":
            self.row_has_text = False
        elif tag in ("caption", "table"):
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS or self.math is not None:
            self.handle_endtag(tag)

    def _end_math(self, tag: str) -> None:
        assert self.math is not None
        if not any(node.tag == tag for node in self.math):
            return  # stray end tag
        while self.math and self.math[-1].tag != tag:
            self.math.pop()
        root = self.math[0]
        self.math.pop()
        if self.math:
            return
        self.math = None
        spoken = speak_math(root)
        if spoken:
            self.doc.formulas += 1
            self._text(spoken if not self.buffer or self.buffer[-1][-1:].isspace() else f" {spoken}")
            self.space_owed = True  # "x squared" then "and": a space, but none before ","
        if root.attrs.get("display") == "block" and not self.table_depth:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self.math is not None:
            self._end_math(tag)
            return
        if tag in _VOID_TAGS or not any(entry.tag == tag for entry in self.stack):
            return  # stray end tag: ignore, as browsers do
        while self.stack:
            entry = self.stack.pop()
            self._close(entry)
            if entry.tag == tag:
                break

    def _close(self, entry: _Stack) -> None:
        open_tag = entry.tag
        if entry.skip:
            self.skip_depth -= 1
        elif not self.skip_depth:
            if self.table_depth and open_tag != "table":
                if open_tag == "tr":
                    self._owe(". ")
                    self.row_has_text = False
                elif open_tag == "caption":
                    self._break()
            elif open_tag in _BLOCK_TAGS:
                self._break()
            if open_tag in _HEADING_TAGS:
                self.heading_depth = max(0, self.heading_depth - 1)
                self.buffer_is_heading = self.heading_depth > 0
        if open_tag == "table":
            self.table_depth = max(0, self.table_depth - 1)
            if not self.skip_depth:
                self._break()
        elif open_tag == "svg":
            self.svg_depth = max(0, self.svg_depth - 1)
        elif self.svg_depth and open_tag in _SVG_TEXT:
            self.svg_text_depth = max(0, self.svg_text_depth - 1)
            if not self.skip_depth:
                self._break()
        if entry.note:
            if not self.skip_depth:
                self._break()
            self.note_depth = max(0, self.note_depth - 1)
            if not self.buffer:
                self.buffer_is_note = self.note_depth > 0

    def handle_data(self, data: str) -> None:
        if self.math is not None:
            self.math[-1].children.append(data)
        elif not self.skip_depth and (not self.svg_depth or self.svg_text_depth):
            self._text(data)

    def close(self) -> None:
        super().close()
        if self.math:  # an unclosed <math>: say what it held
            self._end_math(self.math[0].tag)
        self._break()


def parse_document(
    data: bytes, *, anchors: frozenset[str] = frozenset(), note_targets: set[str] | None = None, own_name: str = ""
) -> ExtractedDocument:
    """Paragraphs of a content document, notes marked but kept. `anchors`: ids where the table of
    contents starts a chapter (recorded in `anchors`); `note_targets`: ids that noterefs point at
    (grown with the targets of this document's own noterefs); `own_name`: the file's name, to
    recognise "thisfile.xhtml#n1" as a target in this document."""
    parser = _DocumentParser(anchors, note_targets if note_targets is not None else set(), own_name)
    parser.feed(decode_markup(data))
    parser.close()
    return parser.doc


def extract_document(data: bytes, *, footnotes: str = "skip") -> ExtractedDocument:
    """Paragraphs of a content document, with footnotes read or skipped."""
    if footnotes not in FOOTNOTE_MODES:
        raise ValueError(f"footnotes must be one of {FOOTNOTE_MODES}, not {footnotes!r}")
    doc = parse_document(data)
    if footnotes == "skip":
        doc.paragraphs = [p for p in doc.paragraphs if not p.is_note]
        doc.first_heading = next((p.text for p in doc.paragraphs if p.is_heading), None)
    return doc
