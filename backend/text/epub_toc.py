"""Read an EPUB's table of contents: the EPUB 3 navigation document or the
EPUB 2 NCX. Both become a flat list of entries in reading order."""

from __future__ import annotations

import posixpath
import re
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


_BARE_NUMBER = re.compile(r"(?:[IVXLCDM]+|[ivxlcdm]+|\d+)[.:]?")


def qualify_bare_titles(entries: list[TocEntry]) -> list[TocEntry]:
    """An entry that is only a number ("II" under "A Scandal in Bohemia") takes its parent's
    title first: "A Scandal in Bohemia: II", so its chapter says what it belongs to."""
    result: list[TocEntry] = []
    parents: list[TocEntry] = []  # the open ancestors, by depth
    for entry in entries:
        del parents[entry.depth :]
        title = entry.title
        if parents and _BARE_NUMBER.fullmatch(title):
            title = f"{parents[-1].title}: {title.rstrip('.:')}"
        result.append(TocEntry(entry.path, entry.fragment, title, entry.depth))
        parents.append(entry)
    return result


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
    return qualify_bare_titles(entries)


@dataclass(frozen=True)
class Landmark:
    """An entry of the EPUB 3 landmarks nav or the EPUB 2 guide: what kind of page a link leads to."""

    kind: str  # "cover", "titlepage", "toc", "bodymatter", "index", ... (EPUB 2 guide types as given)
    path: str
    fragment: str


class _NavParser(HTMLParser):
    """Collects the links of every <nav>: the toc (or the first) and the landmarks. A list item
    with no link of its own ("<li><span>Part Two</span><ol>...") names the first entry under it."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.navs: list[tuple[frozenset[str], list[TocEntry]]] = []  # (kinds, entries)
        self.landmarks: list[Landmark] = []
        self.nav_depth = 0
        self.list_depth = 0
        self.link: tuple[str, str] | None = None
        self.link_types: frozenset[str] = frozenset()
        self.link_text: list[str] = []
        self.items: list[list[str] | None] = []  # per open <li>: its own text, None once it has a link
        self.prefix: str | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag == "nav":
            self.nav_depth += 1
            if self.nav_depth == 1:
                kinds = set((attrs.get("epub:type") or "").split()) | set((attrs.get("role") or "").split())
                self.navs.append((frozenset(k.removeprefix("doc-") for k in kinds), []))
                self.list_depth = 0
                self.prefix = None
        elif self.nav_depth and tag == "ol":
            self.list_depth += 1
            if self.items and self.items[-1] is not None:
                label = " ".join("".join(self.items[-1]).split())
                self.prefix = label or self.prefix
                self.items[-1] = None
        elif self.nav_depth and tag == "li":
            self.items.append([])
        elif self.nav_depth and tag == "a" and attrs.get("href"):
            self.link = resolve_href(self.base, attrs["href"] or "")
            self.link_types = frozenset((attrs.get("epub:type") or "").lower().split())
            self.link_text = []
            if self.items:
                self.items[-1] = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.nav_depth:
            self.nav_depth -= 1
        elif self.nav_depth and tag == "ol":
            self.list_depth = max(0, self.list_depth - 1)
        elif self.nav_depth and tag == "li" and self.items:
            self.items.pop()
        elif tag == "a" and self.link is not None:
            path, fragment = self.link
            title = " ".join("".join(self.link_text).split())
            if path and self.navs:
                kinds, entries = self.navs[-1]
                if "landmarks" in kinds:
                    self.landmarks.extend(Landmark(kind, path, fragment) for kind in self.link_types)
                else:
                    if self.prefix and title:
                        title, self.prefix = f"{self.prefix}: {title}", None
                    entries.append(TocEntry(path, fragment, title, max(0, self.list_depth - 1)))
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.link_text.append(data)
        elif self.items and self.items[-1] is not None:
            self.items[-1].append(data)


def parse_nav_document(data: bytes, nav_path: str) -> tuple[list[TocEntry], list[Landmark]]:
    """EPUB 3 navigation document: the table of contents (nested <ol> lists of links) and the landmarks."""
    parser = _NavParser(posixpath.dirname(nav_path))
    parser.feed(decode_markup(data))
    parser.close()
    toc = next((entries for kinds, entries in parser.navs if "toc" in kinds), None)
    if toc is None:
        toc = next((entries for kinds, entries in parser.navs if "landmarks" not in kinds), [])
    return qualify_bare_titles(toc), parser.landmarks


def parse_nav(data: bytes, nav_path: str) -> list[TocEntry]:
    """EPUB 3 navigation document: nested <ol> lists of links."""
    return parse_nav_document(data, nav_path)[0]
