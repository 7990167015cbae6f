"""Year, genre and description for the audiobook's tags: EPUB dc:date/dc:subject/dc:description
and Markdown front matter; absent when the book does not state them."""

from __future__ import annotations

import zipfile

from backend.text import load_book
from backend.text.epub_package import book_year, plain_description
from tests.text import epub_factory
from tests.text.epub_factory import Doc, TocItem

DETAILS = ("<dc:date>1897-05-26</dc:date><dc:subject>Horror</dc:subject><dc:subject>Gothic</dc:subject>"
           "<dc:description>&lt;p&gt;A count &amp;amp; his &lt;b&gt;castle&lt;/b&gt;.&lt;/p&gt;</dc:description>")


def test_epub_details(tmp_path):
    plain = epub_factory.write_epub(tmp_path / "plain.epub", [Doc("c1.xhtml", "<h1>One</h1><p>Text here.</p>")],
                                    [TocItem("One", "c1.xhtml")])
    book = load_book(plain)
    assert (book.year, book.genre, book.description) == (None, None, None)
    with zipfile.ZipFile(plain) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    opf = files["OEBPS/content.opf"].decode().replace("</metadata>", DETAILS + "</metadata>")
    files["OEBPS/content.opf"] = opf.encode()
    detailed = tmp_path / "detailed.epub"
    with zipfile.ZipFile(detailed, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    book = load_book(detailed)
    assert (book.year, book.genre, book.description) == ("1897", "Horror", "A count & his castle.")


def test_markdown_front_matter_details(tmp_path):
    path = tmp_path / "b.md"
    path.write_text("---\ntitle: T\nyear: 2001\ngenre: Fiction\ndescription: \"A tale.\"\n---\n\n# T\n\nText.\n",
                    encoding="utf-8")
    book = load_book(path)
    assert (book.year, book.genre, book.description) == ("2001", "Fiction", "A tale.")
    path.write_text("---\ntitle: T\ndate: May 3, 1999\n---\n\nText.\n", encoding="utf-8")
    assert load_book(path).year == "1999"


def test_year_and_description_helpers():
    assert book_year("2001-05-03") == "2001" and book_year("circa 1850?") == "1850"
    assert book_year("unknown") is None and book_year(None) is None
    assert plain_description("<p>One</p>\n<p>two</p>") == "One two" and plain_description("  ") is None
