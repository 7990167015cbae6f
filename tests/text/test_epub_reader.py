"""EPUB 2 and 3: spine order, TOC titles, skipped pages, footnotes, metadata."""

from __future__ import annotations

import zipfile

import pytest

from backend.text import BookError
from backend.text.epub_html import extract_document
from tests.text import epub_factory
from tests.text.chunk_properties import load_checked
from tests.text.epub_factory import Doc, TocItem


@pytest.fixture
def epub3(tmp_path):
    return epub_factory.epub3_book(tmp_path / "harbour.epub")


@pytest.fixture
def epub2(tmp_path):
    return epub_factory.epub2_book(tmp_path / "old.epub")


def test_epub3_metadata_and_cover(epub3):
    book = load_checked(epub3)
    assert (book.title, book.author) == ("The Harbour", "Mary Writer")
    assert book.cover == epub_factory.tiny_png() and book.cover_mime == "image/png"
    assert book.source_path == epub3 and book.warnings == []


def test_epub2_metadata_and_cover(epub2):
    book = load_checked(epub2)
    assert (book.title, book.author) == ("Old Style", "Old Author")
    assert book.cover == epub_factory.tiny_png() and book.cover_mime == "image/png"


def test_epub3_spine_order_and_toc_titles(epub3):
    book = load_checked(epub3)
    assert [c.title for c in book.chapters] == [
        "Contents",  # the nav document in the spine: a chapter the user may select (matter "toc")
        "Introduction",
        "Chapter One: The Storm",
        "Chapter Two",
        "The Lighthouse",  # nested TOC entries in their own files are chapters
        "The Return",
        "Chapter Three",  # two TOC entries into one file: split at the second one's anchor
        "Later",
    ]
    assert [c.matter for c in book.chapters] == ["toc"] + ["body"] * 7
    # cover page and blank page are skipped; script text is not read
    text = " ".join(p for c in book.chapters[1:] for p in c.paragraphs)
    assert "Contents" not in text and "Cover" not in text and "alert" not in text and "p {" not in text


def test_headings_repeating_the_title_are_not_read_twice(epub3):
    chapters = {c.title: c.paragraphs for c in load_checked(epub3).chapters}
    assert chapters["Introduction"] == ["Opening words of the book."]
    assert chapters["The Lighthouse"] == ["The keeper lit the lamp."]
    # "Later" has its own TOC entry (an anchor in the same file): its own chapter.
    assert chapters["Chapter Three"] == ["First part."]
    assert chapters["Later"] == ["Second part."]


def test_paragraph_breaks_include_br(epub3):
    chapters = {c.title: c.paragraphs for c in load_checked(epub3).chapters}
    assert chapters["The Return"] == ["Morning came", "and the sea was calm."]
    assert chapters["Chapter Two"] == ["The harbour was quiet.", "Nobody spoke."]


def test_footnotes_skipped_by_default(epub3):
    chapters = {c.title: c.paragraphs for c in load_checked(epub3).chapters}
    assert chapters["Chapter One: The Storm"] == ["The storm began at dawn. Rain fell.", "Boats came home before noon."]
    assert "An endnote." not in chapters["Later"]


def test_footnotes_read(epub3):
    chapters = {c.title: c.paragraphs for c in load_checked(epub3, footnotes="read").chapters}
    assert chapters["Chapter One: The Storm"] == [
        "The storm began at dawn. Rain fell.",  # markers are never read out
        "Boats came home before noon.",
        "Dawn means early morning.",
        "Only the small boats.",
    ]
    assert chapters["Later"][-1] == "An endnote."


def test_epub2_ncx_titles_continuations_and_unlisted_pages(epub2):
    book = load_checked(epub2)
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        # a file not in the TOC and without a heading continues the chapter before it
        ("Part One: First Light", ["It was early.", "Still early, in the second file."]),
        ("Part Two", ["The day went on & on.", "Then night fell."]),
        # not in the TOC but with a heading: its own chapter, named by the heading
        ("Unlisted Heading", ["A page the TOC forgot."]),
    ]  # the non-linear notes file and the SVG cover page are left out


def test_without_toc_titles_come_from_headings_then_numbers(tmp_path):
    docs = [
        Doc("a.xhtml", "<p>No heading here.</p>"),
        Doc("b.xhtml", "<h2>Named</h2><p>Text.</p>"),
        Doc("c.xhtml", "<p>More.</p>"),
    ]
    path = epub_factory.write_epub(tmp_path / "notoc.epub", docs, [], version=2, author=None)
    book = load_checked(path)
    assert [c.title for c in book.chapters] == ["Chapter 1", "Named", "Chapter 3"]
    assert book.author is None and book.cover is None


def test_opf_at_archive_root_and_escaped_hrefs(tmp_path):
    docs = [Doc("my chapter.xhtml", "<p>Spaces in the file name.</p>")]
    toc = [TocItem("Spaced", "my%20chapter.xhtml")]
    path = epub_factory.write_epub(tmp_path / "root.epub", docs, toc, opf_dir="")
    book = load_checked(path)
    assert [(c.title, c.paragraphs) for c in book.chapters] == [("Spaced", ["Spaces in the file name."])]


def test_missing_container_falls_back_to_the_opf(tmp_path):
    path = epub_factory.epub3_book(tmp_path / "a.epub")
    fixed = tmp_path / "nocontainer.epub"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
        for info in src.infolist():
            if info.filename != "META-INF/container.xml":
                dst.writestr(info, src.read(info))
    assert len(load_checked(fixed).chapters) == 8


def test_missing_spine_document_is_a_warning(tmp_path):
    path = epub_factory.epub3_book(tmp_path / "a.epub")
    damaged = tmp_path / "missingdoc.epub"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith("ch02.xhtml"):
                dst.writestr(info, src.read(info))
    book = load_checked(damaged)
    assert "Chapter Two" not in [c.title for c in book.chapters]
    assert any("ch02.xhtml" in w for w in book.warnings)


def test_corrupt_member_data(tmp_path):
    path = epub_factory.epub3_book(tmp_path / "a.epub")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("OEBPS/ch01.xhtml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start, start + info.compress_size):
        data[i] ^= 0x5A
    bad = tmp_path / "corrupt.epub"
    bad.write_bytes(bytes(data))
    with pytest.raises(BookError, match=r"corrupt\.epub.*damaged EPUB.*ch01\.xhtml"):
        load_checked(bad)


def test_noteref_variants_are_dropped():
    html = (
        b'<p>One<a role="doc-noteref" href="#a">[1]</a> two<a href="#b"><sup>2</sup></a>'
        b' three<sup><a href="#c">3</a></sup> x<sup>2</sup>.</p>'
        b'<div role="doc-endnote"><p>gone</p></div><section epub:type="rearnotes"><p>gone too</p></section>'
    )
    doc = extract_document(html)
    assert [p.text for p in doc.paragraphs] == ["One two three x2."]
    read = extract_document(html, footnotes="read")
    assert [p.text for p in read.paragraphs] == ["One two three x2.", "gone", "gone too"]


def test_malformed_xhtml_and_encodings():
    html = "<?xml version='1.0' encoding='iso-8859-1'?><body><p>Caf\xe9<p>Unclosed <b>bold</i> text</body>"
    doc = extract_document(html.encode("latin-1"))
    assert [p.text for p in doc.paragraphs] == ["Café", "Unclosed bold text"]


def test_cover_only_and_empty_documents_are_recognised():
    cover = extract_document(b'<body><div><img src="c.jpg" alt="Cover"/></div></body>')
    assert cover.has_image and not cover.has_text
    empty = extract_document(b"<body><p> </p><div></div></body>")
    assert not empty.has_image and not empty.has_text
