"""Markdown books: headings to chapters, markup stripped."""

from __future__ import annotations

import pytest

from backend.text.markdown_reader import strip_inline_markup
from tests.text.chunk_properties import load_checked
from tests.text.sample_books import MARKDOWN


def _load(tmp_path, text, name="book.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_checked(path)


@pytest.mark.parametrize(
    "markup, plain",
    [
        ("**bold** and __strong__", "bold and strong"),
        ("*italic* and _emphasis_", "italic and emphasis"),
        ("~~gone~~ text", "gone text"),
        ("use `x = *y*` here", "use x = *y* here"),
        ("a [link text](http://example.com/x) here", "a link text here"),
        ("a [reference link][ref] here", "a reference link here"),
        ("an ![alt text](img.png) image", "an image"),
        ("<b>bold</b> and <span class='c'>span</span>", "bold and span"),
        ("fish &amp; chips", "fish & chips"),
        (r"\*not emphasis\*", "*not emphasis*"),
        ("snake_case_word stays", "snake_case_word stays"),
        ("see <https://example.com>", "see https://example.com"),
        ("a footnote[^1] marker", "a footnote marker"),
    ],
)
def test_inline_markup(markup, plain):
    assert strip_inline_markup(markup) == plain


def test_front_matter_title_and_author(tmp_path):
    book = _load(tmp_path, MARKDOWN)
    assert book.title == "Markdown Tales"
    assert book.author == "Jo Writer"


def test_chapters_and_stripping(tmp_path):
    book = _load(tmp_path, MARKDOWN)
    titles = [c.title for c in book.chapters]
    assert titles == ["Ignored Because Front Matter Wins", "The First Tale", "The Second Tale"]
    assert book.chapters[0].paragraphs == ["Some intro text with bold and italic and code."]
    first = book.chapters[1].paragraphs
    assert first == [
        "A link and an and html.",
        "first item",
        "second item with strong text",
        "numbered item",
        "A quoted line that continues.",
        "A Sub-heading",  # deeper headings are read as paragraphs
        "Text under the sub-heading with snake_case_name intact.",
    ]
    everything = " ".join(p for c in book.chapters for p in c.paragraphs)
    assert "never read" not in everything and "indented code" not in everything
    assert "pic.png" not in everything and "https" not in everything


def test_single_h1_over_h2_is_the_book_title(tmp_path):
    text = "# The Real Title\n\nPreface text.\n\n## One\n\nFirst.\n\n## Two\n\nSecond.\n"
    book = _load(tmp_path, text)
    assert book.title == "The Real Title"
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("The Real Title", ["Preface text."]),
        ("One", ["First."]),
        ("Two", ["Second."]),
    ]


def test_several_h1_are_chapters(tmp_path):
    book = _load(tmp_path, "# Part A\n\n## One\n\nx.\n\n# Part B\n\ny.\n", name="parts.md")
    assert book.title == "parts"
    # "Part A" has no text of its own: its title joins the next chapter's.
    assert [(c.title, c.paragraphs) for c in book.chapters] == [("Part A: One", ["x."]), ("Part B", ["y."])]


def test_setext_headings_and_rules(tmp_path):
    text = "Title One\n=========\n\nBody one.\n\n---\n\nTitle Two\n---------\n\nBody two.\n\n* * *\n\nEnd."
    book = _load(tmp_path, text)
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("Title One", ["Body one."]),
        ("Title Two", ["Body two.", "End."]),
    ]


def test_no_headings_gives_one_chapter(tmp_path):
    book = _load(tmp_path, "Just text\nover two lines.\n\n- a list\n- of things\n", name="notes_file.md")
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("notes file", ["Just text over two lines.", "a list", "of things"])
    ]


def test_fenced_code_with_tildes_and_html_comments(tmp_path):
    text = "## A\n\nBefore.\n\n~~~~\n## not a heading\n~~~~\n\n<!-- a\ncomment -->\nAfter.\n"
    book = _load(tmp_path, text)
    assert [(c.title, c.paragraphs) for c in book.chapters] == [("A", ["Before.", "After."])]


def test_tables_and_nested_lists(tmp_path):
    text = "| Name | Age |\n|------|----:|\n| Ann | 5 |\n\n- outer\n    - inner item\n\n1) first\n2) second\n"
    book = _load(tmp_path, text)
    assert book.chapters[0].paragraphs == ["Name Age", "Ann 5", "outer", "inner item", "first", "second"]


def test_front_matter_author_list(tmp_path):
    book = _load(tmp_path, "---\ntitle: T\nauthor:\n  - Ann\n  - Bob\n---\nText.\n")
    assert (book.title, book.author) == ("T", "Ann, Bob")
    assert book.chapters[0].paragraphs == ["Text."]


@pytest.mark.parametrize("junk", ["[", "*a ", "_a ", "<a ", "![a", "`a "])
def test_unmatched_markup_is_kept_and_fast(junk):
    # A quadratic regex would take minutes here; a linear one takes milliseconds.
    text = junk * 20_000
    assert len(strip_inline_markup(text)) >= len(text.replace(" ", "")) // 2
