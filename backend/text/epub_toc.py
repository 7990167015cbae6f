"""Read an EPUB's table of contents: the EPUB 3 navigation document or the
EPUB 2 NCX. Both become a flat list of entries in reading order."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from .epub_html import decode_markup


@dataclass(frozen=True)
class TocEntry:
    path: str  # archive path of the target document
    fragment: str
    title: str
    depth: int  # 0 for top-level entries, 1 for their sections, ...


def resolve_href(base_dir: str, href: str) -> tuple[str, str]:
    """Archive path and fragment of `href` relative to the folder `base_dir`."""
    href, _, fragment = href.partition("#")
    if not href:
        return "", fragment
    path = posixpath.normpath(posixpath.join(base_dir, unquote(href)))
    return path.lstrip("/"), fragment


def local_name(tag: str) -> str:
    """'{namespace}name' -> 'name' (EPUBs get their namespaces wrong often)."""
    return tag.rsplit("}", 1)[-1]


def parse_ncx(data: bytes, ncx_path: str) -> list[TocEntry]:
    """EPUB 2 NCX: nested navPoints with a navLabel and a content src."""
    root = ET.fromstring(data)
    base = posixpath.dirname(ncx_path)
    entries: list[TocEntry] = []

    def walk(element: ET.Element, depth: int) -> None:
        for child in element:
            if local_name(child.tag) != "navPoint":
                continue
            title, src = "", ""
            for part in child:
                name = local_name(part.tag)
                if name == "navLabel":
                    title = " ".join("".join(part.itertext()).split())
                elif name == "content":
                    src = part.get("src", "")
            if src:
                path, fragment = resolve_href(base, src)
                if path:
                    entries.append(TocEntry(path, fragment, title, depth))
            walk(child, depth + 1)

    for element in root.iter():
        if local_name(element.tag) == "navMap":
            walk(element, 0)
            break
    return entries


class _NavParser(HTMLParser):
    """Collects the links of the <nav epub:type="toc"> (or the first <nav>)."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.navs: list[tuple[bool, list[TocEntry]]] = []  # (is_toc, entries)
        self.nav_depth = 0
        self.list_depth = 0
        self.link: tuple[str, str] | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "nav":
            self.nav_depth += 1
            if self.nav_depth == 1:
                kinds = set((attrs.get("epub:type") or "").split()) | set((attrs.get("role") or "").split())
                self.navs.append(("toc" in kinds or "doc-toc" in kinds, []))
                self.list_depth = 0
        elif self.nav_depth and tag == "ol":
            self.list_depth += 1
        elif self.nav_depth and tag == "a" and attrs.get("href"):
            self.link = resolve_href(self.base, attrs["href"] or "")
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.nav_depth:
            self.nav_depth -= 1
        elif self.nav_depth and tag == "ol":
            self.list_depth = max(0, self.list_depth - 1)
        elif tag == "a" and self.link is not None:
            path, fragment = self.link
            title = " ".join("".join(self.link_text).split())
            if path and self.navs:
                self.navs[-1][1].append(TocEntry(path, fragment, title, max(0, self.list_depth - 1)))
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.link_text.append(data)


def parse_nav(data: bytes, nav_path: str) -> list[TocEntry]:
    """EPUB 3 navigation document: nested <ol> lists of links."""
    parser = _NavParser(posixpath.dirname(nav_path))
    parser.feed(decode_markup(data))
    parser.close()
    for is_toc, entries in parser.navs:
        if is_toc:
            return entries
    return parser.navs[0][1] if parser.navs else []
