"""Hostile archives and markup (issue 13, part 3): zip bombs, lying zips, archives of many
entries, PDF stream bombs and page-count bombs are refused with a message that names the limit,
before their content is read (memory stays flat: tracemalloc's peak is a few MB for a file that
would unpack to 3 GB); entity bombs and external entities in every XML-based format are dropped,
never expanded, fetched or read aloud."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from backend.text import BookError, load_book
from tests.reliability import hostile_files as hostile
from tests.reliability.test_hostile_inputs import _fails_clearly, _run

REFUSED = [
    ("bomb.epub", hostile.zip_bomb_epub, "it looks like a zip bomb: 'text.xhtml' would unpack from 3 MB to 3 GB"),
    ("lying.epub", hostile.lying_zip_epub, "it is a damaged EPUB ('text.xhtml' cannot be unpacked"),
    ("many.epub", hostile.many_entries_epub, "its archive lists 20,004 files in a directory of 1.1 MB (the limits are 10,000"),
    ("directory.epub", hostile.huge_directory_epub, "its archive lists 4 files in a directory of 11.6 MB (the limits"),
    ("bomb.docx", hostile.zip_bomb_docx, "it looks like a zip bomb: 'word/document.xml' would unpack from 1 MB to 1 GB"),
    ("bomb.pdf", hostile.pdf_stream_bomb, "one of its streams decodes to more than 64 MB, the limit for a stream"),
    ("pages.pdf", hostile.pdf_claiming_pages, "it has 1,000,000 pages, more than the 5,000 this program reads in one PDF"),
]


@pytest.mark.parametrize("name, make, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_file_is_refused_before_it_is_unpacked(tmp_path, name, make, message):
    path = make(tmp_path / name)
    size = path.stat().st_size
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(BookError) as info:
            load_book(path)
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value).startswith(f"Cannot read '{name}': ") and message in str(info.value), str(info.value)
    # Flat memory: the file itself plus a bounded working set (a PDF stream stops at its 64 MB limit).
    assert peak < size + (80 << 20 if name == "bomb.pdf" else 16 << 20), peak
    assert took < 10, took
    print(f"\n{name}: {size / 1e6:.1f} MB on disk, refused in {took:.2f} s, peak {peak / 1e6:.1f} MB traced")


def _all_text(book) -> str:
    return " ".join(" ".join([book.title, c.title, *c.paragraphs]) for c in book.chapters)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("SECRETWORD", encoding="utf-8")
    return path


def _docx(path, body: str, doctype: str):
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
    return hostile.write_zip(path, [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", document.encode())])


def _fb2(path, body: str, doctype: str):
    path.write_text(f'<?xml version="1.0"?>{doctype}<FictionBook><body><section><p>{body}</p></section></body></FictionBook>')
    return path


def _html(path, body: str, doctype: str):
    path.write_text(f"{doctype}<html><body><p>{body}</p></body></html>")
    return path


def _md(path, body: str, doctype: str):
    path.write_text(f"{doctype}\n\n# A Chapter\n\n{body}\n", encoding="utf-8")
    return path


def _epub(path, body: str, doctype: str):
    return hostile.write_zip(path, hostile.epub_entries(f"<p>{body}</p>", doctype=doctype))


def _epub_opf(path, body: str, doctype: str):
    return hostile.write_zip(path, hostile.epub_entries(f"<p>{body.replace('&lol9;', '').replace('&xxe;', '')}</p>",
                                                        opf_doctype=doctype.replace("DOCTYPE html", "DOCTYPE package")))


WRITERS = {"epub": _epub, "epub-opf": _epub_opf, "html": _html, "fb2": _fb2, "docx": _docx, "md": _md}
SUFFIX = {"epub-opf": "epub"}


@pytest.mark.parametrize("kind", WRITERS)
def test_billion_laughs_is_neither_expanded_nor_read_aloud(tmp_path, kind):
    body = "Before &lol9; after." if kind != "docx" else "<w:p><w:r><w:t>Before &lol9; after.</w:t></w:r></w:p>"
    path = WRITERS[kind](tmp_path / f"laughs.{SUFFIX.get(kind, kind)}", body, hostile.billion_laughs())
    tracemalloc.start()
    try:
        book = load_book(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = _all_text(book)
    assert "Before" in text and "after." in text
    assert "lol" not in text.lower() and "]>" not in text and "ENTITY" not in text, text
    assert peak < 8 << 20


@pytest.mark.parametrize("kind", WRITERS)
def test_external_entities_are_never_fetched(tmp_path, kind, secret):
    body = "Before &xxe; after." if kind != "docx" else "<w:p><w:r><w:t>Before &xxe; after.</w:t></w:r></w:p>"
    path = WRITERS[kind](tmp_path / f"outside.{SUFFIX.get(kind, kind)}", body, hostile.external_entity(secret))
    text = _all_text(load_book(path))
    assert "Before" in text and "SECRETWORD" not in text and "xxe" not in text, text


@pytest.mark.parametrize("name, make", [(r[0], r[1]) for r in REFUSED if r[0] in ("bomb.epub", "bomb.pdf", "many.epub")])
def test_hostile_archive_through_the_cli(tmp_path, name, make):
    book = make(tmp_path / name)
    error = _fails_clearly(_run(book, tmp_path, timeout=120), book)
    assert "limit" in error
