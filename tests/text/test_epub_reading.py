"""Issue 13: read everything a reader sees, once, and nothing else. One fixture EPUB
per problem seen in a real book (tests/text/reading_fixtures.py)."""

from __future__ import annotations

import pytest

from backend.text import plan_book_chunks
from tests.text import reading_fixtures as fx
from tests.text.chunk_properties import load_checked


def _chapters(book) -> dict[str, list[str]]:
    return {c.title: c.paragraphs for c in book.chapters}


def _text(book) -> str:
    return " ".join([c.title for c in book.chapters] + [p for c in book.chapters for p in c.paragraphs])


@pytest.fixture
def load(tmp_path):
    def _load(make, **kwargs):
        return load_checked(make(tmp_path / f"{make.__name__}.epub"), **kwargs)

    return _load


def test_1_svg_text_is_read_in_document_order(load):
    book = load(fx.svg_book)
    chapters = _chapters(book)
    assert chapters["Title"] == ["The Lantern Keeper", "A tale in seven nights"]
    assert chapters["The First Night"] == [
        "The lamp was lit before dark.", "A sign read: Keep Out", "Fine print under the sign.", "Nobody kept out."
    ]
    assert "JUNK" not in _text(book)  # <title>, <desc> and <style> inside the SVG are not shown


def test_1_a_book_of_svg_text_only_is_readable(load):
    book = load(fx.svg_only_book)
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("Page One", ["Only drawn words here."]), ("Page Two", ["And on the second page."])
    ]


def test_2_mathml_is_spoken(load):
    paragraphs = load(fx.mathml_book).chapters[0].paragraphs
    assert paragraphs[0] == "A matrix is invertible when A B equals I sub n for some matrix B."  # TeX-like alttext: markup
    assert paragraphs[1] == "The area is pi r squared."  # alttext that is words
    assert paragraphs[2] == "Take x squared plus a over b and the square root of y and the mean x bar."
    assert paragraphs[3] == "the limit as n to infinity of 1 over n equals 0"  # display math: its own paragraph
    assert paragraphs[4] == "The identity the matrix 1, 0; 0, 1, is square."
    assert paragraphs[5] == "In TeX: p over q."  # the TeX annotation is never read
    assert "JUNK" not in " ".join(paragraphs) and "frac" not in " ".join(paragraphs)


def test_3_a_notes_section_the_toc_lists_is_a_chapter(load):
    book = load(fx.notes_book)
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("The Heron", "body"), ("Salt", "body"), ("Notes on the Poems", "notes")
    ]
    chapters = _chapters(book)
    assert chapters["Notes on the Poems"] == ["The weir is at Byford mill.", "Written at Aldeburgh in winter."]
    assert chapters["The Heron"] == ["Grey heron on the weir,", "still as a held breath."]  # markers never read
    assert "JUNK" not in _text(book)  # the footnote inside the poem and the unlisted rearnote page


def test_3_footnotes_read_keeps_every_note(load):
    text = _text(load(fx.notes_book, footnotes="read"))
    assert "JUNK footnote about breath." in text and "JUNK unlisted rearnote." in text
    assert "The weir is at Byford mill." in text


def test_4_fallback_content_of_media_is_not_read(load):
    book = load(fx.media_book)
    assert book.chapters[0].paragraphs == ["Watch the tide come in.", "The gulls cried overhead."]


def test_5_table_cells_and_rows_are_kept_apart(load):
    paragraphs = load(fx.table_book).chapters[0].paragraphs
    assert paragraphs == [
        "Some layout words:",
        "Layout terms",
        "Area, EPUB 3 Specification. centering, 中央そろえ, chūō soroe. ruby, furigana",
        "That is all.",
    ]
    chunks = [c.text for c in plan_book_chunks(load(fx.table_book), include_titles=False)]
    assert "Area, EPUB three Specification. centering, 中央そろえ, chūō soroe. ruby, furigana" in chunks


def test_6_only_the_default_of_an_epub_switch_is_read(load):
    assert load(fx.switch_book).chapters[0].paragraphs == ["Water is H two O in any language."]


def test_7_ruby_reads_the_base_text(load):
    book = load(fx.ruby_book)
    assert book.chapters[0].paragraphs == ["山路を登りながら、漢字を考えた。"]
    assert "やまみち" not in _text(book) and "かん" not in _text(book)


def test_8_toc_entries_into_one_file_are_chapters(load):
    book = load(fx.anthology_book)
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("Part One: Story 1: The Fox", ["The Fox begins here.", "The Fox ends here."]),
        ("Story 2: The Crow", ["The Crow begins here.", "The Crow ends here."]),
        ("Part Two: Story 3: The Hare", ["The Hare begins here.", "The Hare ends here."]),
        ("Story 4: The Owl", ["The Owl begins here.", "The Owl ends here."]),
        ("Part Three: Story 5", ["The badger digs."]),  # a TOC heading with no link (<span>) names its first entry
        ("Story 6", ["The mole sleeps."]),
    ]
    assert any("joined the next chapter" in w for w in book.warnings)


def test_9_empty_chapters_join_the_next_and_punctuation_is_not_rendered(load):
    book = load(fx.empty_chapters_book)
    assert [c.title for c in book.chapters] == ["Book I: Canto 1", "Book II: Canto 2"]  # "The End" (empty, last): out
    assert any("Left out 1 empty chapter" in w for w in book.warnings)
    for max_chars in (3, 400):
        texts = [c.text for c in plan_book_chunks(book, max_chars)]
        assert not [t for t in texts if not any(ch.isalnum() for ch in t)]
    assert [c.text for c in plan_book_chunks(book)][:3] == [
        "Book one: Canto one", "Sing of the long road home.", "The ships were burned."
    ]


def test_10_the_contents_page_is_an_unselected_chapter_and_matter_is_known(load):
    book = load(fx.front_back_book)
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("Contents", "toc"),  # the nav document in the spine
        ("Title Page", "front"),  # epub:type titlepage
        ("Copyright", "front"),  # landmarks copyright-page
        ("Dedication", "front"),  # <section epub:type="dedication">
        ("Blossom", "body"),
        ("Fruit", "body"),
        ("Also by Ann Author", "back"),  # titles
        ("About the Author", "back"),
        ("Index", "back"),  # landmarks index
    ]
    assert book.chapters[0].paragraphs[:2] == ["Title Page", "Copyright"]


def test_10_epub2_guide_and_html_contents_page(load):
    book = load(fx.epub2_guide_book)
    assert [(c.paragraphs[0], c.matter) for c in book.chapters] == [
        ("The Orchard: a novel", "front"),  # guide cover
        ("Blossom", "toc"),  # guide toc: the HTML contents page
        ("The trees flowered in April.", "body"),
        ("Set in Caslon.", "back"),  # the title "Colophon"
    ]


def test_8_numbered_parts_of_a_story_say_whose_they_are(tmp_path):
    from tests.text.epub_factory import Doc, TocItem, write_epub

    story = (
        '<article id="s" epub:type="se:short-story"><h2 epub:type="title">A Scandal in Bohemia</h2>'
        '<section id="s-1" epub:type="chapter"><h3>I</h3><p>To Sherlock Holmes she is always the woman.'
        '<a href="notes.xhtml#n1" id="r1" epub:type="noteref">1</a></p></section>'
        '<section id="s-2" epub:type="chapter"><h3>II</h3><p>At three o’clock precisely I was at Baker Street.</p>'
        "</section></article>"
    )
    notes = ('<section epub:type="endnotes"><h2>Endnotes</h2><ol><li id="n1" epub:type="endnote"><p>Irene Adler. '
             '<a href="story.xhtml#r1" epub:type="backlink">↩︎</a></p></li></ol></section>')
    toc = [TocItem("A Scandal in Bohemia", "story.xhtml", [TocItem("I", "story.xhtml#s-1"), TocItem("II", "story.xhtml#s-2")]),
           TocItem("Endnotes", "notes.xhtml")]
    book = load_checked(write_epub(tmp_path / "se.epub", [Doc("story.xhtml", story), Doc("notes.xhtml", notes)], toc))
    assert [(c.title, c.paragraphs, c.matter) for c in book.chapters] == [
        ("A Scandal in Bohemia: I", ["To Sherlock Holmes she is always the woman."], "body"),
        ("A Scandal in Bohemia: II", ["At three o’clock precisely I was at Baker Street."], "body"),
        ("Endnotes", ["Irene Adler."], "notes"),  # the ↩ back to the marker is not read
    ]


def test_project_gutenberg_boilerplate_in_an_epub_is_not_read():
    from backend.text.epub_html import extract_document

    html = ('<body><section class="pg-boilerplate pgheader" id="pg-header"><h2>The Project Gutenberg eBook of X</h2>'
            "<p>This ebook is for the use of anyone anywhere.</p></section><h1>Chapter I</h1><p>It began.</p>"
            '<section class="pg-boilerplate pgheader" id="pg-footer"><p>END OF THE PROJECT GUTENBERG EBOOK</p></section></body>')
    assert [p.text for p in extract_document(html.encode()).paragraphs] == ["Chapter I", "It began."]
