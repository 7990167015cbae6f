"""EPUB 2 and 3 books: spine order, chapter titles from the table of
contents, text from the XHTML documents."""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from .book import Book, BookError
from .chapter_tidy import merge_empty_chapters
from .epub_chapters import ChapterBuilder
from .epub_html import parse_document
from .epub_package import Archive, Package, read_package
from .epub_toc import Landmark, TocEntry, parse_nav_document, parse_ncx, resolve_href

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


def _read_toc(archive: Archive, package: Package) -> tuple[list[TocEntry], list[Landmark]]:
    """EPUB 3 nav first, EPUB 2 NCX second; a broken TOC only costs titles. The landmarks
    of the nav document and the guide of the package say which pages are front and back matter."""
    landmarks = list(package.guide)
    toc: list[TocEntry] = []
    for item, parse in ((package.nav, parse_nav_document), (package.ncx, parse_ncx)):
        if item is None:
            continue
        data = archive.read(item.path)
        if data is None:
            continue
        try:
            parsed = parse(data, item.path)
        except ET.ParseError:
            package.warnings.append(f"The table of contents '{item.path}' is broken; used headings for titles.")
            continue
        if isinstance(parsed, tuple):
            parsed, marks = parsed
            landmarks.extend(marks)
        if parsed and not toc:
            toc = parsed
    return toc, landmarks


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
        toc, landmarks = _read_toc(archive, package)
        builder = ChapterBuilder(toc, landmarks, read_notes=footnotes == "read")
        note_targets: dict[str, set[str]] = {}  # lower-case path -> ids that noterefs point at
        for item in package.spine:
            if item.media_type and item.media_type not in _CONTENT_TYPES:
                continue
            content = archive.read(item.path)
            if content is None:
                package.warnings.append(f"'{item.path}' is listed in the book but missing from the file; skipped it.")
                continue
            doc = parse_document(
                content,
                anchors=builder.anchors(item.path),
                note_targets=note_targets.setdefault(item.path.lower(), set()),
                own_name=posixpath.basename(item.path),
            )
            base = posixpath.dirname(item.path)
            for href in doc.noterefs:
                target, fragment = resolve_href(base, href)
                if target and fragment:
                    note_targets.setdefault(target.lower(), set()).add(fragment)
            builder.add(item.path, doc, is_toc_page=item is package.nav)
        chapters = merge_empty_chapters(builder.chapters, package.warnings)

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
