"""Word (.docx) books, read with the standard library: zipfile within input_limits, ElementTree on
markup_guard-cleaned XML.

python-docx (MIT) is used only by the tests, to write fixtures: reading needs a few parts of the
package (the document, styles, notes, core properties), and python-docx unpacks every part of it
into memory first, which the archive limits are meant to prevent; it also hides tracked changes,
text boxes and field codes, which this reader has to handle itself anyway.

Headings (the "Heading 1..9" styles, styles based on them, or an outline level) make chapters
(heading_levels decides which levels); a leading "Title" paragraph is the book's title. Read:
paragraphs, table cells, text boxes (after their paragraph), inserted text of tracked changes,
field results. Not read: deleted text, field codes, hidden text. Footnotes and endnotes follow
the footnotes setting ("read": after the paragraph that refers to them).
"""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from .book import Book, BookError
from .chapter_assembly import Section, assemble_chapters
from .heading_levels import chapter_levels, mark_matter
from .input_limits import check_zip, check_zip_directory, read_zip_member
from .markup_guard import parse_xml
from .txt_reader import title_from_path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Their text is not what the document shows: deleted or moved-away text, field codes, the
# fallback copy of alternate content, properties.
_SKIP = frozenset(W + t for t in ("del", "moveFrom", "delText", "instrText", "rPr", "pPr", "sectPr", "tblPr", "trPr", "tcPr"))
_SKIP |= {_MC + "Fallback"}
_MAX_STYLE_CHAIN = 16


class _Part:
    def __init__(self, zf: zipfile.ZipFile, path: Path) -> None:
        self.zf, self.path = zf, path
        self.names = {name.lower(): name for name in zf.namelist()}

    def xml(self, member: str) -> ET.Element | None:
        name = self.names.get(member.lower())
        if name is None:
            return None
        data = read_zip_member(self.zf, self.zf.getinfo(name), self.path, "Word document")
        try:
            return parse_xml(data)
        except ET.ParseError as exc:
            raise BookError(self.path, f"it is a damaged Word document ('{name}' is broken: {exc})") from None


def _main_document(part: _Part) -> str:
    rels = part.xml("_rels/.rels")
    for rel in rels.iter(_REL + "Relationship") if rels is not None else ():
        if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return "word/document.xml"


def _styles(part: _Part) -> dict[str, int]:
    """Style id -> heading level (1-9; 0 for the Title style), following basedOn."""
    root = part.xml("word/styles.xml")
    if root is None:
        return {}
    own: dict[str, tuple[int | None, str | None]] = {}
    for style in root.iter(W + "style"):
        sid = style.get(W + "styleId")
        if not sid:
            continue
        name_element = style.find(W + "name")
        name = (name_element.get(W + "val", "") if name_element is not None else "").lower().replace(" ", "")
        level: int | None = None
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None and outline.get(W + "val", "").isdigit() and int(outline.get(W + "val", "9")) < 9:
            level = int(outline.get(W + "val", "0")) + 1
        elif name.startswith("heading") and name[7:].isdigit():
            level = int(name[7:])
        elif name == "title":
            level = 0
        based = style.find(W + "basedOn")
        own[sid] = (level, based.get(W + "val") if based is not None else None)
    levels: dict[str, int] = {}
    for sid in own:
        current: str | None = sid
        for _ in range(_MAX_STYLE_CHAIN):
            if current is None or current not in own:
                break
            level, current = own[current]
            if level is not None:
                levels[sid] = level
                break
    return levels


def _walk_text(element: ET.Element, out: list[str], notes: list[str], boxes: list[ET.Element]) -> None:
    """The visible text of a paragraph, in order (an explicit stack: no recursion limit)."""
    stack = [element]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag in _SKIP and node is not element:
            continue
        if tag == W + "r":
            props = node.find(W + "rPr")
            if props is not None and props.find(W + "vanish") is not None:
                continue  # hidden text
        if tag == W + "t":
            out.append(node.text or "")
        elif tag in (W + "tab", W + "br", W + "cr"):
            out.append(" ")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag in (W + "footnoteReference", W + "endnoteReference"):
            notes.append(f"{tag.rsplit('}', 1)[1][:3]}:{node.get(W + 'id')}")
        elif tag == W + "txbxContent":
            boxes.append(node)
            continue
        stack.extend(reversed(list(node)))


def _notes(part: _Part, member: str, kind: str) -> dict[str, str]:
    root = part.xml(member)
    result: dict[str, str] = {}
    for note in root.iter(W + kind) if root is not None else ():
        if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        texts = []
        for p in note.iter(W + "p"):
            out: list[str] = []
            _walk_text(p, out, [], [])
            texts.append(" ".join("".join(out).split()))
        text = " ".join(t for t in texts if t)
        if text:
            result[f"{kind[:3]}:{note.get(W + 'id')}"] = text
    return result


def _paragraph_level(p: ET.Element, styles: dict[str, int]) -> int | None:
    props = p.find(W + "pPr")
    if props is None:
        return None
    outline = props.find(W + "outlineLvl")
    if outline is not None and outline.get(W + "val", "").isdigit():
        value = int(outline.get(W + "val", "9"))
        return value + 1 if value < 9 else None
    style = props.find(W + "pStyle")
    return styles.get(style.get(W + "val", "")) if style is not None else None


def _events(body: ET.Element, styles: dict[str, int], notes: dict[str, str], read_notes: bool) -> list[tuple[int, str]]:
    """(level, text) in document order: 0 for body text, 1-9 for headings, -1 for the title."""
    events: list[tuple[int, str]] = []
    stack = list(reversed(list(body)))
    while stack:
        node = stack.pop()
        if node.tag != W + "p":
            if node.tag not in _SKIP:
                stack.extend(reversed(list(node)))  # tables, rows, cells, content controls
            continue
        out: list[str] = []
        refs: list[str] = []
        boxes: list[ET.Element] = []
        _walk_text(node, out, refs, boxes)
        text = " ".join("".join(out).split())
        if text:
            level = _paragraph_level(node, styles)
            events.append((-1 if level == 0 else level or 0, text))
        if read_notes:
            events.extend((0, notes[ref]) for ref in refs if ref in notes)
        for box in reversed(boxes):
            stack.extend(reversed(list(box)))
    return events


def _core(part: _Part) -> dict[str, str]:
    root = part.xml("docProps/core.xml")
    found: dict[str, str] = {}
    for element in root.iter() if root is not None else ():
        name = element.tag.rsplit("}", 1)[-1]
        text = " ".join((element.text or "").split())
        if text and name in ("title", "creator", "language"):
            found.setdefault(name, text)
    return found


def read_docx(path: Path, data: bytes, *, footnotes: str = "skip") -> Book:
    if data.startswith(_OLE_MAGIC):
        raise BookError(
            path, "it is a password-protected Word document or an old binary .doc renamed .docx; save it as a plain .docx first"
        )
    check_zip_directory(data, path, "Word document")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise BookError(path, f"it is not a valid Word document (not a zip archive: {exc})") from None
    with zf:
        check_zip(zf, path, "Word document")
        part = _Part(zf, path)
        root = part.xml(_main_document(part))
        if root is None:
            raise BookError(path, "it is not a valid Word document (word/document.xml is missing)")
        body = root.find(W + "body")
        if body is None:
            raise BookError(path, "it is not a valid Word document (its document part has no body)")
        notes = {**_notes(part, "word/footnotes.xml", "footnote"), **_notes(part, "word/endnotes.xml", "endnote")}
        events = _events(body, _styles(part), notes, footnotes == "read")
        core = _core(part)

    title = core.get("title")
    leading: str | None = None
    if events and events[0][0] == -1:
        leading = events.pop(0)[1]
        title = title or leading
    events = [(0 if level == -1 else level, text) for level, text in events]
    chapter_at = chapter_levels(level for level, _ in events if level > 0)
    sections = [Section(None)]
    for level, text in events:
        if level in chapter_at:
            sections.append(Section(text))
        else:
            sections[-1].paragraphs.append(text)
    title = title or title_from_path(path)
    return Book(
        title=title,
        author=core.get("creator"),
        chapters=mark_matter(assemble_chapters(sections, leading or title)),
        source_path=path,
        language=core.get("language"),
    )
