"""FictionBook 2 (.fb2) books: standard-library XML on markup_guard-cleaned text.

The first <body> is the book; a <body name="notes"> (or "comments") holds the notes, read as a
"Notes" chapter when footnotes are "read". Sections with a <title> make chapters, at the levels
heading_levels picks (a book of parts: parts and their chapters). Read: <p>, <v> (verse),
<subtitle>, <text-author>, <td>; note references (<a type="note">) are never read. Title,
authors, language, year and annotation from <title-info>; the cover from <coverpage>.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from pathlib import Path

from .book import Book, BookError, Chapter
from .chapter_assembly import Section, assemble_chapters
from .epub_html import decode_markup
from .epub_package import book_year
from .heading_levels import chapter_levels, join_title, mark_matter
from .markup_guard import clean_markup_text
from .txt_reader import title_from_path

_TEXT_BLOCKS = frozenset(("p", "v", "subtitle", "text-author", "td", "th"))
_SKIPPED = frozenset(("binary", "image", "stylesheet"))
_XLINK = "{http://www.w3.org/1999/xlink}href"
_COVER_TYPES = {"image/jpeg", "image/jpg", "image/png", "image/gif"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _inline_text(element: ET.Element) -> str:
    """Text of a block, note references (<a type="note">) left out."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if not (_local(child.tag) == "a" and child.get("type") == "note"):
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _blocks(element: ET.Element) -> list[str]:
    """The readable blocks under `element` (not inside nested sections), in order."""
    out: list[str] = []
    stack = list(reversed(list(element)))
    while stack:
        node = stack.pop()
        name = _local(node.tag)
        if name in _TEXT_BLOCKS:
            text = _inline_text(node)
            if text:
                out.append(text)
        elif name not in _SKIPPED and name != "section":
            stack.extend(reversed(list(node)))
    return out


def _walk_sections(body: ET.Element) -> list[tuple[int, str | None, list[str]]]:
    """(depth, title, paragraphs) for the body and every section in document order; the text
    a section holds before its first subsection belongs to it."""
    result: list[tuple[int, str | None, list[str]]] = []
    stack: list[tuple[ET.Element, int]] = [(body, 0)]
    while stack:
        node, depth = stack.pop()
        title_element = next((c for c in node if _local(c.tag) == "title"), None)
        title = join_title(_blocks(title_element)) if title_element is not None else None
        own = [c for c in node if _local(c.tag) not in ("title", "section")]
        paragraphs: list[str] = []
        for child in own:
            if _local(child.tag) in _TEXT_BLOCKS:
                text = _inline_text(child)
                if text:
                    paragraphs.append(text)
            elif _local(child.tag) not in _SKIPPED:
                paragraphs.extend(_blocks(child))
        result.append((depth, title or None, paragraphs))
        subsections = [c for c in node if _local(c.tag) == "section"]
        stack.extend((s, depth + 1) for s in reversed(subsections))
    return result


def _info(root: ET.Element) -> dict[str, str]:
    info: dict[str, str] = {}
    title_info = next((e for e in root.iter() if _local(e.tag) == "title-info"), None)
    if title_info is None:
        return info
    authors = []
    for child in title_info:
        name = _local(child.tag)
        if name == "author":
            parts = [_inline_text(p) for p in child if _local(p.tag) in ("first-name", "middle-name", "last-name")]
            nick = next((_inline_text(p) for p in child if _local(p.tag) == "nickname"), "")
            author = " ".join(p for p in parts if p) or nick
            if author:
                authors.append(author)
        elif name in ("book-title", "lang", "date") and name not in info and _inline_text(child):
            info[name] = _inline_text(child)
        elif name == "annotation":
            info["annotation"] = " ".join(_blocks(child))
        elif name == "coverpage":
            image = next((e for e in child.iter() if _local(e.tag) == "image"), None)
            href = image.get(_XLINK) or image.get("href") or image.get("l:href") if image is not None else None
            if href:
                info["cover"] = href.lstrip("#")
    if authors:
        info["author"] = ", ".join(dict.fromkeys(authors))
    return info


def _cover(root: ET.Element, ref: str | None) -> tuple[bytes | None, str | None]:
    if not ref:
        return None, None
    for element in root:
        if _local(element.tag) == "binary" and element.get("id") == ref:
            mime = (element.get("content-type") or "").lower()
            try:
                data = base64.b64decode("".join((element.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                return None, None
            return (data, "image/jpeg" if mime == "image/jpg" else mime) if mime in _COVER_TYPES and data else (None, None)
    return None, None


def read_fb2(path: Path, data: bytes, *, footnotes: str = "skip") -> Book:
    text = clean_markup_text(decode_markup(data))
    text = text.split("?>", 1)[1] if text.lstrip().startswith("<?xml") else text  # the declaration named the old encoding
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BookError(path, f"it is not a valid FB2 book (its XML is broken: {exc})") from None
    if _local(root.tag) != "FictionBook":
        raise BookError(path, "it is not an FB2 book (its root element is not <FictionBook>)")
    bodies = [e for e in root if _local(e.tag) == "body"]
    main = next((b for b in bodies if b.get("name") not in ("notes", "comments")), None)
    if main is None:
        raise BookError(path, "it is not a valid FB2 book (it has no <body>)")
    info = _info(root)

    walked = _walk_sections(main)
    depths = chapter_levels(depth for depth, title, _ in walked if title and depth > 0)
    book_title = info.get("book-title") or walked[0][1] or title_from_path(path)
    sections = [Section(None, list(walked[0][2]))]
    for depth, title, paragraphs in walked[1:]:
        if title and depth in depths:
            sections.append(Section(title, list(paragraphs)))
        else:
            sections[-1].paragraphs.extend(([title] if title else []) + paragraphs)
    chapters = mark_matter(assemble_chapters(sections, walked[0][1] or book_title))
    if footnotes == "read":
        notes = [p for b in bodies if b is not main and b.get("name") in ("notes", "comments") for p in _blocks_with_titles(b)]
        if notes:
            chapters.append(Chapter("Notes", notes, matter="notes"))
    cover, cover_mime = _cover(root, info.get("cover"))
    return Book(
        title=book_title,
        author=info.get("author"),
        chapters=chapters,
        cover=cover,
        cover_mime=cover_mime,
        source_path=path,
        language=info.get("lang"),
        year=book_year(info.get("date")),
        description=info.get("annotation") or None,
    )


def _blocks_with_titles(body: ET.Element) -> list[str]:
    """Every note: its title (the note's number) left out, its text kept."""
    return [" ".join(p for p in paragraphs if p) for _, _, paragraphs in _walk_sections(body) if any(paragraphs)]
