"""Markup is cleaned of entity tricks before any parser sees it.

- A DOCTYPE's internal subset (`<!DOCTYPE x [ <!ENTITY lol "lol"> ... ]>`) is removed whole:
  nothing a book declares there is expanded, so a "billion laughs" file cannot grow, and an
  external entity (`<!ENTITY xxe SYSTEM "file:///etc/passwd">`) is never resolved.
- A reference to an entity that is not one of XML's five (`&amp;` ...) becomes the character
  it names when HTML knows the name (`&nbsp;` -> `&#160;`), so XML parsers accept it, and is
  dropped otherwise: `&lol9;` is never read aloud as "and lol nine".
Numeric references (`&#233;`) are left to the parser, which handles them itself.

ElementTree never fetches external entities (it calls them undefined) and the expat it links
(2.4 and later) refuses billion-laughs amplification on its own; this cleaning does not depend
on either, and makes html.parser, which does not understand a DOCTYPE's internal subset at all,
safe too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.entities import html5

from .epub_html import decode_markup

_XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))
_ENTITY_REF = re.compile(r"&([A-Za-z_:][\w.:-]*);")
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def _doctype_end(text: str, start: int) -> int:
    """The index just past the DOCTYPE that starts at `start`, internal subset included
    (quoted strings and comments inside it may hold ']' and '>')."""
    i, depth, n = start + 9, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            close = text.find(ch, i + 1)
            i = n if close < 0 else close + 1
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            i = n if close < 0 else close + 3
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == ">" and depth == 0:
            return i + 1
        i += 1
    return n


def drop_internal_subsets(text: str) -> str:
    """`<!DOCTYPE html [ ... ]>` -> `<!DOCTYPE html>`; a DOCTYPE without a subset is kept."""
    if "[" not in text:
        return text
    pieces: list[str] = []
    pos = 0
    for m in _DOCTYPE.finditer(text):
        if m.start() < pos:
            continue
        end = _doctype_end(text, m.start())
        declaration = text[m.start() : end]
        bracket = declaration.find("[")
        if bracket >= 0:
            pieces.append(text[pos : m.start()])
            pieces.append(declaration[:bracket].rstrip() + ">")
            pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _replace_entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    value = html5.get(name + ";")
    if value is None:
        return ""  # unknown, external or self-declared: never spoken as its name
    return "".join(f"&#{ord(ch)};" for ch in value)


def clean_markup_text(text: str) -> str:
    """Markup with internal subsets removed and entity references made safe (see above)."""
    text = drop_internal_subsets(text)
    if "&" in text:
        text = _ENTITY_REF.sub(_replace_entity, text)
    return text


def looks_like_markup(data: bytes) -> bool:
    head = data[:64].lstrip()
    return head.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))


def guard_markup(data: bytes) -> bytes:
    """Markup bytes made safe: the same bytes when nothing needed changing, otherwise the cleaned
    text as UTF-8 with an XML declaration that says so."""
    if not looks_like_markup(data) or (b"&" not in data and b"[" not in data and b"\x00" not in data):
        return data
    text = decode_markup(data)
    cleaned = clean_markup_text(text)
    if cleaned == text:
        return data
    return (UTF8_DECLARATION + _XML_DECLARATION.sub("", cleaned, count=1)).encode("utf-8")


def _drop_doctypes(text: str) -> str:
    """Every DOCTYPE declaration removed whole, internal subset included."""
    pieces: list[str] = []
    pos = 0
    for m in _DOCTYPE.finditer(text):
        if m.start() >= pos:
            pieces.append(text[pos : m.start()])
            pos = _doctype_end(text, m.start())
    return "".join(pieces) + text[pos:] if pieces else text


def guard_markdown(data: bytes) -> bytes:
    """Markdown may hold raw HTML: a DOCTYPE (which CommonMark does not render) is removed whole
    and unknown entity references are dropped, in the file's own encoding (bytes that are not
    ASCII pass through untouched), so its encoding is still detected as before."""
    if b"&" not in data and b"<!" not in data and b"\x00" not in data:
        return data
    for bom, codec in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom) and not data.startswith(b"\xff\xfe\x00\x00"):
            text = data.decode(codec, errors="replace")
            return clean_markup_text(_drop_doctypes(text)).encode(codec)
    text = data.decode("latin-1")  # one character per byte: ASCII markup is found in any ASCII-based encoding
    cleaned = clean_markup_text(_drop_doctypes(text))
    return data if cleaned == text else cleaned.encode("latin-1")


def parse_xml(data: bytes) -> ET.Element:
    """ElementTree parsing of guarded bytes (raises ET.ParseError on broken XML)."""
    return ET.fromstring(guard_markup(data))
