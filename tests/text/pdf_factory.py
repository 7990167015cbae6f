"""Real PDF files for the reader tests, written with reportlab (BSD, test extra only): an outline,
running headers and footers, page numbers, hyphenated line ends, two columns, a page-bottom
footnote in small type, an image-only (scanned) PDF and encrypted ones."""

from __future__ import annotations

import io
import random
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tests.text.epub_factory import tiny_png

WIDTH, HEIGHT = A4
LEFT, TOP, BODY, LEADING = 72, HEIGHT - 90, 11, 14
VOCABULARY = "the quiet harbour boat rope gull stone water light keeper walked past quarry lamp turned".split()


def _furniture(c: canvas.Canvas, page: int, header: str) -> None:
    """Running header (book title left, chapter right alternately), centred page number below."""
    c.setFont("Times-Italic", 9)
    if page % 2:
        c.drawRightString(WIDTH - LEFT, HEIGHT - 50, f"{header}   {page}")
    else:
        c.drawString(LEFT, HEIGHT - 50, f"{page}   The Harbour Book")
    c.setFont("Times-Roman", 9)
    c.drawCentredString(WIDTH / 2, 40, str(page))


def _lines(c: canvas.Canvas, lines: list[str], x: float = LEFT, y: float = TOP, size: float = BODY) -> float:
    c.setFont("Times-Roman", size)
    for line in lines:
        indent = 18 if line.startswith("\t") else 0
        c.drawString(x + indent, y, line.lstrip("\t"))
        y -= LEADING
    return y


def filler(seed: int, count: int, words: int = 12) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCABULARY) for _ in range(words)) for _ in range(count)]


def harbour_pdf(path: Path, *, outline: bool = True, title: str = "The Harbour Book") -> Path:
    """Four chapters over seven pages. Chapter One: a hyphenated word across lines and one across
    pages, a footnote marker (superscript) and its note in 8 pt at the page bottom. Chapter Two:
    two columns under a full-width heading. Each page has a running header and page number."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(title)
    c.setAuthor("Mary Writer")
    page = 1

    def heading(text: str, key: str, y: float = TOP) -> float:
        if outline:
            c.bookmarkPage(key, fit="XYZ", top=y + 20)
            c.addOutlineEntry(text, key, level=0)
        c.setFont("Times-Bold", 20)
        c.drawString(LEFT, y, text)
        return y - 40

    # Page 1: title page (front matter before the first outline entry).
    c.setFont("Times-Bold", 28)
    c.drawCentredString(WIDTH / 2, HEIGHT / 2, title)
    c.setFont("Times-Roman", 14)
    c.drawCentredString(WIDTH / 2, HEIGHT / 2 - 40, "Mary Writer")
    c.showPage()
    page += 1

    # Pages 2-3: Chapter One.
    _furniture(c, page, "Chapter One")
    y = heading("Chapter One", "ch1")
    opening = [
        "\tThe storm began at dawn and the keeper climbed the tower to",
        "watch the grey water break over the harbour wall, and the fisher-",
        "men pulled their boats high onto the stones before the rain.",
    ]
    y = _lines(c, opening, y=y)
    c.setFont("Times-Roman", BODY)
    c.drawString(LEFT, y, "Rain fell on the quarry all morning.")
    marker_x = LEFT + c.stringWidth("Rain fell on the quarry all morning.", "Times-Roman", BODY) + 1
    c.setFont("Times-Roman", 7)
    c.drawString(marker_x, y + 4, "1")
    y = _lines(c, ["\tBy noon the gulls had gone inland.", *filler(1, 20)], y=y - LEADING)
    _lines(c, ["and the lamp was lit early in the after-"], y=y)
    c.setFont("Times-Roman", 7)
    c.drawString(LEFT, 84, "1")
    c.setFont("Times-Roman", 8)
    c.drawString(LEFT + 5, 80, "The quarry lies north of the harbour, on the old road.")
    c.showPage()
    page += 1
    _furniture(c, page, "Chapter One")
    _lines(c, ["noon, because the sky had turned so dark.", "\tThe keeper wrote the storm into his log."], y=TOP)
    c.showPage()
    page += 1

    # Page 4: Chapter Two in two columns.
    _furniture(c, page, "Chapter Two")
    y = heading("Chapter Two", "ch2")
    column = (WIDTH - 2 * LEFT - 24) / 2
    left_col = ["\tThe left column begins", "the second chapter with", "a quiet morning at sea.", *filler(2, 8, 4)]
    right_col = ["\tThe right column follows", "after the left one ends.", *filler(3, 8, 4), "The end of chapter two."]
    _lines(c, left_col, x=LEFT, y=y)
    _lines(c, right_col, x=LEFT + column + 24, y=y)
    c.showPage()
    page += 1

    # Pages 5-6: Chapter Three, plain; page 7: Index (back matter).
    _furniture(c, page, "Chapter Three")
    y = heading("Chapter Three", "ch3")
    _lines(c, ["\tThe last chapter is short.", *filler(4, 30)], y=y)
    c.showPage()
    page += 1
    _furniture(c, page, "Chapter Three")
    _lines(c, ["\tThe boats came home.", "\tThe end."], y=TOP)
    c.showPage()
    page += 1
    _furniture(c, page, "Index")
    y = heading("Index", "index")
    _lines(c, ["harbour, 2, 4", "keeper, 2, 3"], y=y)
    c.showPage()
    c.save()
    return path


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """Pages that are only an image, as a scanner makes them: no text layer at all."""
    c = canvas.Canvas(str(path), pagesize=A4)
    image = ImageReader(io.BytesIO(tiny_png()))
    for _ in range(pages):
        c.drawImage(image, 0, 0, WIDTH, HEIGHT)
        c.showPage()
    c.save()
    return path


def encrypted_pdf(path: Path, *, user_password: str = "secret") -> Path:
    """An encrypted PDF: with a user password it cannot be opened without it; with an empty one
    it opens (only the owner's permissions are protected)."""
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=StandardEncryption(user_password, ownerPassword="owner"))
    _lines(c, ["\tThe secret text of an encrypted book."], y=TOP)
    c.showPage()
    c.save()
    return path


def long_pdf(path: Path, pages: int, *, chapter_every: int = 20) -> Path:
    """A long book (the load-time bench): an outline entry every `chapter_every` pages, a running
    header and page number on every page, 50 lines of text a page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    lines = filler(7, 400, 13)
    for number in range(pages):
        if number % chapter_every == 0:
            key = f"c{number}"
            c.bookmarkPage(key)
            c.addOutlineEntry(f"Chapter {number // chapter_every + 1}", key, level=0)
        _furniture(c, number + 1, "A Long Book")
        _lines(c, [lines[(number * 50 + i) % len(lines)] for i in range(50)], y=TOP)
        c.showPage()
    c.save()
    return path


def page_count(path: Path) -> int:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with open(path, "rb") as handle:
        return sum(1 for _ in PDFPage.create_pages(PDFDocument(PDFParser(handle))))
