"""Extract readable paragraphs from one EPUB content document (XHTML).

html.parser is used rather than an XML parser because real-world EPUBs
often contain XHTML that is not well-formed; html.parser never gives up."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

FOOTNOTE_MODES = ("read", "skip")

_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li blockquote section article aside header footer nav main "
    "ul ol dl dt dd table tr caption pre figure figcaption address center body html".split()
)
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Their content is never read: code, styling, metadata, drawings and formulas.
_SKIPPED_TAGS = frozenset("script style head title svg math noscript template".split())
_VOID_TAGS = frozenset("br hr img image meta link input area base col embed param source track wbr".split())
_IMAGE_TAGS = frozenset(("img", "image", "svg"))
_NOTE_TYPES = frozenset("footnote footnotes endnote endnotes rearnote rearnotes".split())
_NOTE_ROLES = frozenset(("doc-footnote", "doc-endnote", "doc-endnotes"))
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


@dataclass
class Paragraph:
    text: str
    is_heading: bool = False


@dataclass
class ExtractedDocument:
    paragraphs: list[Paragraph] = field(default_factory=list)
    first_heading: str | None = None
    has_image: bool = False

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


class _DocumentParser(HTMLParser):
    def __init__(self, read_footnotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.read_footnotes = read_footnotes
        self.doc = ExtractedDocument()
        # Open elements: (tag, has_href, starts_a_skipped_region)
        self.stack: list[tuple[str, bool, bool]] = []
        self.skip_depth = 0
        self.buffer: list[str] = []
        self.heading_depth = 0
        self.buffer_is_heading = False

    # -- paragraph buffer -------------------------------------------------
    def _break(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if text:
            self.doc.paragraphs.append(Paragraph(text, self.buffer_is_heading))
            if self.buffer_is_heading and self.doc.first_heading is None:
                self.doc.first_heading = text
        self.buffer = []
        self.buffer_is_heading = self.heading_depth > 0

    # -- classification ---------------------------------------------------
    def _is_note(self, attrs: dict[str, str | None]) -> bool:
        return bool(_tokens(attrs.get("epub:type")) & _NOTE_TYPES or _tokens(attrs.get("role")) & _NOTE_ROLES)

    def _is_noteref(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if "noteref" in _tokens(attrs.get("epub:type")) or "doc-noteref" in _tokens(attrs.get("role")):
            return True
        parent, parent_has_href = (self.stack[-1][0], self.stack[-1][1]) if self.stack else ("", False)
        # Unmarked footnote markers: <sup><a href>1</a></sup> or <a href><sup>1</sup></a>.
        if tag == "a" and attrs.get("href") and parent == "sup":
            return True
        return tag == "sup" and parent == "a" and parent_has_href

    # -- HTMLParser callbacks ---------------------------------------------
    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag in _VOID_TAGS:
            if self.skip_depth:
                return
            if tag in _IMAGE_TAGS:
                self.doc.has_image = True
            if tag in ("br", "hr"):
                self._break()
            return
        if tag in _IMAGE_TAGS:
            self.doc.has_image = self.doc.has_image or not self.skip_depth
        skip = (
            tag in _SKIPPED_TAGS
            or (not self.read_footnotes and self._is_note(attrs))
            or self._is_noteref(tag, attrs)
        )
        self.stack.append((tag, bool(attrs.get("href")), skip))
        if skip:
            self.skip_depth += 1
        if self.skip_depth:
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if tag in _HEADING_TAGS:
            self.heading_depth += 1
            self.buffer_is_heading = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or not any(entry[0] == tag for entry in self.stack):
            return  # stray end tag: ignore, as browsers do
        while self.stack:
            open_tag, _, skip = self.stack.pop()
            if skip:
                self.skip_depth -= 1
            elif not self.skip_depth:
                if open_tag in _BLOCK_TAGS:
                    self._break()
                if open_tag in _HEADING_TAGS:
                    self.heading_depth = max(0, self.heading_depth - 1)
                    self.buffer_is_heading = self.heading_depth > 0
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.buffer.append(data)


def extract_document(data: bytes, *, footnotes: str = "skip") -> ExtractedDocument:
    """Paragraphs of a content document, with footnotes read or skipped."""
    if footnotes not in FOOTNOTE_MODES:
        raise ValueError(f"footnotes must be one of {FOOTNOTE_MODES}, not {footnotes!r}")
    parser = _DocumentParser(read_footnotes=footnotes == "read")
    parser.feed(decode_markup(data))
    parser.close()
    parser._break()
    return parser.doc
