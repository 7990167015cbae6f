"""HTML books: a Project Gutenberg HTML book (h1 title, h2 chapters, licence header and footer,
page-number spans, footnotes) and a saved web page."""

from __future__ import annotations

import pytest

from backend.text import BookError, load_book

GUTENBERG = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The Project Gutenberg eBook of The Quiet Harbour, by Ann Author</title>
<meta name="dc.title" content="The Quiet Harbour">
<meta name="dc.creator" content="Ann Author">
<meta name="dc.language" content="en">
<style>.pagenum { float: right }</style>
</head>
<body>
<section class="pg-boilerplate pgheader" id="pg-header">
<h2 id="pg-header-heading">The Project Gutenberg eBook of The Quiet Harbour</h2>
<p>This ebook is for the use of anyone anywhere in the United States at no cost.</p>
<div id="pg-start-separator"><span>*** START OF THE PROJECT GUTENBERG EBOOK THE QUIET HARBOUR ***</span></div>
</section>
<h1>THE QUIET HARBOUR</h1>
<p class="center">by Ann Author</p>
<h2>CONTENTS</h2>
<p><a href="#ch1">Chapter I</a><br><a href="#ch2">Chapter II</a><br><a href="#ch3">Chapter III</a></p>
<div class="chapter">
<h2><a id="ch1"></a>CHAPTER I.<br>THE STORM</h2>
<p><span class="pagenum"><a id="Page_1">[Pg 1]</a></span>The storm began at dawn.<a id="FNanchor_1" href="#Footnote_1"
 class="fnanchor">[1]</a> Rain fell &amp; fell&nbsp;on the quarry&lol9;.</p>
<p>The keeper climbed the tower.</p>
<h3>A Lull</h3>
<p>Then it was quiet.</p>
<script>document.write("never read")</script>
</div>
<div class="chapter">
<h2><a id="ch2"></a>CHAPTER II.</h2>
<p>The boats came home.<span class="pagenum"><a id="Page_2">[Pg 2]</a></span></p>
</div>
<div class="footnotes"><h3>FOOTNOTES:</h3>
<div class="footnote"><p><a id="Footnote_1" href="#FNanchor_1"><span class="label">[1]</span></a> Dawn means early morning.</p></div>
</div>
<h2>CHAPTER III.</h2>
<p>The end.</p>
<section class="pg-boilerplate pgheader" id="pg-footer">
<div id="pg-end-separator"><span>*** END OF THE PROJECT GUTENBERG EBOOK THE QUIET HARBOUR ***</span></div>
<p>Updated editions will replace the previous one.</p>
</section>
</body></html>
"""


@pytest.fixture
def gutenberg(tmp_path):
    path = tmp_path / "pg1234-images.html"
    path.write_text(GUTENBERG, encoding="utf-8")
    return path


def test_gutenberg_book_chapters_and_metadata(gutenberg):
    book = load_book(gutenberg)
    assert (book.title, book.author, book.language) == ("The Quiet Harbour", "Ann Author", "en")
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("THE QUIET HARBOUR", "body"),  # the lone h1 names the text before the first chapter
        ("CONTENTS", "toc"),
        ("CHAPTER I. THE STORM", "body"),  # a heading broken by <br> is one title
        ("CHAPTER II.", "body"),
        ("CHAPTER III.", "body"),
    ]
    assert book.chapters[2].paragraphs == [
        "The storm began at dawn. Rain fell & fell on the quarry.",
        "The keeper climbed the tower.",
        "A Lull",  # an h3 under the h2 chapters is read as text
        "Then it was quiet.",
    ]


def test_gutenberg_licence_page_numbers_and_scripts_are_not_read(gutenberg):
    text = " ".join(" ".join([c.title, *c.paragraphs]) for c in load_book(gutenberg).chapters)
    for junk in ("Project Gutenberg", "START OF", "END OF", "Updated editions", "[Pg", "[1]", "never read", "lol"):
        assert junk not in text, junk


def test_gutenberg_footnotes_follow_the_setting(gutenberg):
    assert "Dawn means" not in " ".join(p for c in load_book(gutenberg).chapters for p in c.paragraphs)
    read = load_book(gutenberg, footnotes="read")
    assert any("Dawn means early morning." in p for c in read.chapters for p in c.paragraphs)


def test_saved_page_in_windows_1252_without_headings(tmp_path):
    path = tmp_path / "saved.htm"
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            "<title>Caf\xe9 Notes</title></head><body><div><p>Cr\xe8me br\xfbl\xe9e at the caf\xe9.</p>"
            "<p>Second paragraph.</p></div></body></html>")
    path.write_bytes(page.encode("cp1252"))
    book = load_book(path)
    assert book.title == "Café Notes" and not book.warnings
    assert [c.paragraphs for c in book.chapters] == [["Crème brûlée at the café.", "Second paragraph."]]


def test_undeclared_legacy_encoding_is_read_with_a_warning(tmp_path):
    path = tmp_path / "old.html"
    path.write_bytes("<p>Na\xefve fa\xe7ade.</p>".encode("cp1252"))
    book = load_book(path)
    assert book.chapters[0].paragraphs == ["Naïve façade."] and "Windows-1252" in book.warnings[0]


def test_html_with_no_text(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title><script>var a</script></head><body><img src=a.png></body></html>")
    with pytest.raises(BookError, match="no readable text"):
        load_book(path)
