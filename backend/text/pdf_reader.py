"""PDF books, read with pdfminer.six (MIT, pure Python).

pdfminer gives every glyph with its position and font size, which is what removing running
headers and page numbers, ordering two columns, finding large-font headings and telling
page-bottom footnotes by their small type all need (pdf_layout, pdf_text). Chapters come from
the outline (bookmarks) where there is one, else from large-font headings. A PDF whose pages
have no text (a scan) and one that needs a password are refused with a message saying so. The
limits of input_limits hold: pages, and decoded stream sizes (pdf_streams).
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFNoOutlines, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psexceptions import PSException
from pdfminer.psparser import PSLiteral
from pdfminer.utils import decode_text

from .book import Book, BookError, Chapter
from .book_matter import matter_from_title
from .chapter_tidy import merge_empty_chapters
from .heading_levels import chapter_levels
from .input_limits import MAX_BOOK_CHARS, MAX_PDF_PAGES
from .pdf_layout import GlyphCollector, PageText
from .pdf_streams import PdfLimitError, decode_budget
from .pdf_text import ChapterStart, body_size, build_chapters, remove_running_lines
from .txt_reader import title_from_path

log = logging.getLogger(__name__)
logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about odd fonts mean nothing to a listener

NO_GLYPH_MAP = "the text of this PDF cannot be extracted (its fonts do not say which letters they draw); run OCR on it"
NO_TEXT = "this PDF has no text (its pages are only images, as a scanner makes them); run OCR on it first, e.g. with ocrmypdf"


def _text(value: object) -> str | None:
    value = resolve1(value)
    if isinstance(value, bytes):
        value = decode_text(value)
    if isinstance(value, PSLiteral):
        value = value.name
    if not isinstance(value, str):
        return None
    return " ".join(value.replace("\x00", "").split()) or None


_PLACEHOLDERS = frozenset(("untitled", "anonymous", "unknown", "author", "title", "user", "administrator", "owner"))
_WORD_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint) - |\.(?:docx?|odt|rtf|indd|tex|pdf)$", re.I)


def _meaningful(value: str | None) -> str | None:
    """A title or author as the document info gives it, less the placeholders that PDF writers
    leave ("untitled", "anonymous", "Microsoft Word - ch1.doc" -> "ch1")."""
    if not value:
        return None
    value = _WORD_PREFIX.sub("", value).strip()
    return None if value.lower() in _PLACEHOLDERS or not value else value


def _open(path: Path, data: bytes) -> PDFDocument:
    if b"%PDF-" not in data[:1024]:
        raise BookError(path, "it is not a PDF (it does not start with %PDF)")
    try:
        return PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except PDFPasswordIncorrect:
        raise BookError(path, "it is an encrypted PDF that needs a password; save an unprotected copy and open that") from None
    except PDFEncryptionError as exc:
        raise BookError(path, f"it is an encrypted PDF this program cannot open ({exc or 'unsupported encryption'})") from None
    except (PDFSyntaxError, PSException) as exc:
        raise BookError(path, f"it is a damaged PDF ({type(exc).__name__}: {exc})") from None


def _page_count(doc: PDFDocument) -> int | None:
    try:
        count = resolve1(resolve1(doc.catalog["Pages"])["Count"])
        return int(count) if isinstance(count, (int, float)) else None
    except Exception:  # a damaged page tree: the pages themselves are counted instead
        return None


def _destination(doc: PDFDocument, dest: object, action: object) -> object:
    if dest is None and action is not None:
        action = resolve1(action)
        if isinstance(action, dict) and _text(action.get("S")) == "GoTo":
            dest = action.get("D")
    dest = resolve1(dest)
    if isinstance(dest, (bytes, str, PSLiteral)):
        name = dest.name if isinstance(dest, PSLiteral) else dest
        try:
            dest = resolve1(doc.get_dest(name))
        except Exception:
            return None
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    return dest


def _outline(doc: PDFDocument, pages: list[PDFPage]) -> list[tuple[int, ChapterStart]]:
    """(depth, start) for every outline entry that points at a page of this document (its top in
    the coordinates pdf_layout gives lines: from the page's bottom edge, on an unrotated page)."""
    page_ids = {page.pageid: i for i, page in enumerate(pages)}
    entries: list[tuple[int, ChapterStart]] = []
    try:
        for level, title, dest, action, _ in doc.get_outlines():
            target = _destination(doc, dest, action)
            if not isinstance(target, list) or not target or not title:
                continue
            ref = target[0]
            page = page_ids.get(ref.objid) if isinstance(ref, PDFObjRef) else None
            if page is None:
                continue
            top = None
            if len(target) >= 4 and _text(target[1]) == "XYZ" and isinstance(resolve1(target[3]), (int, float)):
                top = float(resolve1(target[3]))
            elif len(target) >= 3 and _text(target[1]) in ("FitH", "FitBH") and isinstance(resolve1(target[2]), (int, float)):
                top = float(resolve1(target[2]))
            if top is not None:
                rotated = getattr(pages[page], "rotate", 0) % 360
                top = None if rotated else top - float(pages[page].mediabox[1])
            clean = " ".join(title.split())
            entries.append((level, ChapterStart(page, top, clean, matter_from_title(clean) or "body")))
    except PDFNoOutlines:
        return []
    except Exception as exc:  # a damaged outline costs the chapter titles only
        log.info("Unreadable PDF outline: %s", exc)
    return entries


def chapter_starts(entries: list[tuple[int, ChapterStart]]) -> list[ChapterStart] | None:
    """The outline entries that start chapters (see heading_levels.chapter_levels), in page order;
    None where the outline has no two distinct places to start at."""
    levels = chapter_levels(level for level, _ in entries)
    starts = [start for level, start in entries if level in levels]
    if len({(s.page, s.top) for s in starts}) < 2:
        return None
    return sorted(starts, key=lambda s: (s.page, -(s.top if s.top is not None else 1e9)))


def _read_pages(path: Path, pages: list[PDFPage]) -> tuple[list[PageText], int]:
    """Every page's lines, and how many glyphs had no known character."""
    manager = PDFResourceManager(caching=True)
    device = GlyphCollector(manager)
    interpreter = PDFPageInterpreter(manager, device)
    result: list[PageText] = []
    for number, page in enumerate(pages):
        try:
            interpreter.process_page(page)
        except PdfLimitError:
            raise
        except Exception as exc:  # one broken page costs that page only
            log.info("PDF page %d unreadable: %s", number + 1, exc)
            device.by_direction = [[], [], [], []]
            result.append(PageText(number, 0, 0))
            continue
        result.append(device.take_page(number))
        if device.count > 2 * MAX_BOOK_CHARS:
            raise BookError(path, f"it holds more than {MAX_BOOK_CHARS // 1_000_000} million characters of text, the limit for a book")
    return result, device.undefined


def read_pdf(path: Path, data: bytes, *, footnotes: str = "skip") -> Book:
    doc = _open(path, data)
    count = _page_count(doc)
    if count is not None and count > MAX_PDF_PAGES:
        raise BookError(path, f"it has {count:,} pages, more than the {MAX_PDF_PAGES:,} this program reads in one PDF")
    try:
        with decode_budget():
            pages: list[PDFPage] = []
            for page in PDFPage.create_pages(doc):
                pages.append(page)
                if len(pages) > MAX_PDF_PAGES:
                    raise BookError(path, f"it has more than {MAX_PDF_PAGES:,} pages, the limit for one PDF")
            if not pages:
                raise BookError(path, "it is a PDF without pages")
            texts, undefined = _read_pages(path, pages)
            starts = chapter_starts(_outline(doc, pages))
    except PdfLimitError as exc:
        raise BookError(path, f"it is not a plausible PDF: {exc}") from None
    except (PDFSyntaxError, PSException) as exc:
        raise BookError(path, f"it is a damaged PDF ({type(exc).__name__}: {exc})") from None

    warnings: list[str] = []
    if not any(page.lines for page in texts):
        raise BookError(path, NO_GLYPH_MAP if undefined else NO_TEXT)
    empty = [page.number + 1 for page in texts if not page.lines]
    if len(empty) > max(2, len(texts) // 10):
        shown = ", ".join(map(str, empty[:10])) + (" …" if len(empty) > 10 else "")
        warnings.append(f"{len(empty)} of {len(texts)} pages of '{path.name}' have no text (pages {shown}); they may be scans.")
    body = body_size(texts)
    remove_running_lines(texts, body)
    chapters = build_chapters(texts, body, footnotes=footnotes, starts=starts)
    info = doc.info[0] if doc.info else {}
    title = _meaningful(_text(info.get("Title"))) or title_from_path(path)
    _name_leading_chapter(chapters, title, outlined=starts is not None)
    lang = _text(doc.catalog.get("Lang"))
    return Book(
        title=title,
        author=_meaningful(_text(info.get("Author"))),
        chapters=merge_empty_chapters([c for c in chapters if c.paragraphs or c.title], warnings),
        source_path=path,
        warnings=warnings,
        language=lang,
    )


def _name_leading_chapter(chapters: list[Chapter], title: str, *, outlined: bool) -> None:
    """Text before the first outline entry is front matter (cover, title page, copyright); text
    before the first heading of a PDF without an outline is simply the beginning."""
    if chapters and not chapters[0].title:
        chapters[0].title = title
        if outlined:
            chapters[0].matter = "front"  # else build_chapters said whether it is only a title page
