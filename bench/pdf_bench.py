"""PDF load time (prints numbers, asserts nothing): a generated 500-page book (outline, running
header and page number on every page, ~3,300 characters a page) through load_book, against
pdfminer's own extract_text (its layout analysis, no chapters, headers left in) as the reference.
The issue's goal: a 500-page PDF loads in under 20 s.

    python bench/pdf_bench.py                 # 500 pages
    python bench/pdf_bench.py --pages 100
    python bench/pdf_bench.py --calibre       # also a PDF printed by Calibre (embedded TrueType fonts), if installed

Needs the test extra (reportlab writes the PDF)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.text import load_book  # noqa: E402
from tests.text import epub_factory, pdf_factory  # noqa: E402


def _time_load(path: Path) -> None:
    started = time.perf_counter()
    book = load_book(path)
    ours = time.perf_counter() - started
    chars = sum(len(p) for c in book.chapters for p in c.paragraphs)
    from pdfminer.high_level import extract_text

    started = time.perf_counter()
    reference = extract_text(str(path))
    theirs = time.perf_counter() - started
    pages = pdf_factory.page_count(path)
    print(f"{path.name}: {pages} pages, {path.stat().st_size / 1e6:.1f} MB, {len(book.chapters)} chapters, {chars:,} characters")
    print(f"  load_book            {ours:6.2f} s  ({pages / ours:5.1f} pages/s)")
    print(f"  pdfminer extract_text {theirs:5.2f} s  ({len(reference):,} characters; ours takes {ours / theirs:.2f}x its time)")


def _calibre_pdf(folder: Path, pages: int) -> Path | None:
    exe = shutil.which("ebook-convert")
    if exe is None:
        print("Calibre is not installed: no Calibre-printed PDF")
        return None
    words = pdf_factory.filler(11, 60 * pages, 12)
    docs = []
    for i in range(max(1, len(words) // 600)):
        body = "".join(f"<p>{w}.</p>" for w in words[i * 600 : i * 600 + 600])
        docs.append(epub_factory.Doc(f"c{i}.xhtml", f"<h1>Chapter {i + 1}</h1>{body}"))
    toc = [epub_factory.TocItem(f"Chapter {i + 1}", f"c{i}.xhtml") for i in range(len(docs))]
    source = epub_factory.write_epub(folder / "calibre.epub", docs, toc, title="Printed by Calibre")
    target = folder / "calibre.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    subprocess.run([exe, str(source), str(target), "--pdf-page-numbers"], check=True, capture_output=True, env=env, timeout=900)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--calibre", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = pdf_factory.long_pdf(Path(folder) / f"book-{args.pages}.pdf", args.pages)
        _time_load(path)
        if args.calibre:
            printed = _calibre_pdf(Path(folder), args.pages)
            if printed is not None:
                _time_load(printed)


if __name__ == "__main__":
    main()
