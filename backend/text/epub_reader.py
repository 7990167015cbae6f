"""EPUB 2 and 3 books: spine order, chapter titles from the table of
contents, text from the XHTML documents."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from .book import Book, BookError, Chapter
from .epub_html import ExtractedDocument, Paragraph, extract_document
from .epub_package import Archive, Package, read_package
from .epub_toc import TocEntry, parse_nav, parse_ncx

_CONTENT_TYPES = frozenset(
    (
        "application/xhtml+xml",
        "text/html",
        "application/xml",
        "text/xml",
        "application/x-dtbook+xml",
        "text/x-oeb1-document",
    )
)
_NON_WORD = re.compile(r"\W+")


def _read_toc(archive: Archive, package: Package) -> list[TocEntry]:
    """EPUB 3 nav first, EPUB 2 NCX second; a broken TOC only costs titles."""
    for item, parse in ((package.nav, parse_nav), (package.ncx, parse_ncx)):
        if item is None:
            continue
        data = archive.read(item.path)
        if data is None:
            continue
        try:
            entries = parse(data, item.path)
        except ET.ParseError:
            package.warnings.append(f"The table of contents '{item.path}' is broken; used headings for titles.")
            continue
        if entries:
            return entries
    return []


def _first_titles(toc: list[TocEntry]) -> dict[str, str]:
    """Title of each document: its first TOC entry in reading order (several
    entries pointing into one document by fragment share one chapter)."""
    titles: dict[str, str] = {}
    for entry in toc:
        key = entry.path.lower()
        if entry.title and key not in titles:
            titles[key] = entry.title
    return titles


def _squash(text: str) -> str:
    return _NON_WORD.sub("", text).lower()


def _drop_title_headings(paragraphs: list[Paragraph], title: str) -> list[str]:
    """The chapter title is announced on its own, so headings at the top of
    the document that just repeat it ("Chapter 1" / "The Storm" under the
    title "Chapter 1: The Storm") are not read twice."""
    squashed_title = _squash(title)
    start = 0
    while (
        start < len(paragraphs)
        and paragraphs[start].is_heading
        and _squash(paragraphs[start].text)
        and _squash(paragraphs[start].text) in squashed_title
    ):
        start += 1
    return [p.text for p in paragraphs[start:]]


def _open_archive(path: Path, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BookError(path, "it is not a valid EPUB (not a zip archive)") from None
    except (zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise BookError(path, f"it is not a valid EPUB (damaged zip archive: {exc})") from None


def read_epub(path: Path, data: bytes, *, footnotes: str = "skip") -> Book:
    with _open_archive(path, data) as zf:
        archive = Archive(zf, path)
        package = read_package(archive)
        toc = _read_toc(archive, package)
        toc_titles = _first_titles(toc)

        chapters: list[Chapter] = []
        for item in package.spine:
            if item is package.nav or (item.media_type and item.media_type not in _CONTENT_TYPES):
                continue
            content = archive.read(item.path)
            if content is None:
                package.warnings.append(f"'{item.path}' is listed in the book but missing from the file; skipped it.")
                continue
            doc: ExtractedDocument = extract_document(content, footnotes=footnotes)
            if not doc.has_text:
                continue  # empty or cover-only (just an image) document
            toc_title = toc_titles.get(item.path.lower())
            if toc_title is None and toc and doc.first_heading is None and chapters:
                # Not in the TOC and no heading: the continuation of the
                # previous chapter (e.g. a chapter split across files).
                chapters[-1].paragraphs.extend(p.text for p in doc.paragraphs)
                continue
            title = toc_title or doc.first_heading or f"Chapter {len(chapters) + 1}"
            chapters.append(Chapter(title, _drop_title_headings(doc.paragraphs, title)))

        cover = archive.read(package.cover.path) if package.cover else None

    if not any(chapter.paragraphs for chapter in chapters):
        raise BookError(path, "it contains no readable text")
    return Book(
        title=package.title or path.stem,
        author=package.author,
        chapters=chapters,
        cover=cover,
        cover_mime=package.cover.media_type if package.cover and cover else None,
        source_path=path,
        warnings=package.warnings,
        language=package.language,
        year=package.year,
        genre=package.genre,
        description=package.description,
    )
