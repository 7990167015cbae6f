"""Plain text and Markdown (issue 13): Project Gutenberg's licence header and footer in every
variant the archive has used, producers' credits, and the headings of older books."""

from __future__ import annotations

import pytest

from backend.text.gutenberg import strip_gutenberg
from backend.text.txt_reader import match_heading
from tests.text.chunk_properties import load_checked

MODERN = """\
The Project Gutenberg eBook of The Voyage, by Ann Author

This ebook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever.

Title: The Voyage

Release Date: May 1, 2005 [eBook #1234]

*** START OF THE PROJECT GUTENBERG EBOOK THE VOYAGE ***

Produced by Jane Doe and the Online Distributed
Proofreading Team at https://www.pgdp.net

CHAPTER I--THE DEPARTURE

It was a cold morning.

CHAPTER II--THE STORM

Waves rose.

*** END OF THE PROJECT GUTENBERG EBOOK THE VOYAGE ***

Updated editions will replace the previous one.

START: FULL LICENSE

THE FULL PROJECT GUTENBERG LICENSE
"""

OLDER = """\
The Project Gutenberg EBook of Letters, by Someone

This eBook is for the use of anyone anywhere at no cost.

*** START OF THIS PROJECT GUTENBERG EBOOK LETTERS ***




E-text prepared by John Smith


LETTER XXV

Dear Sir, I write in haste.

XVII.

The seventeenth part.

End of the Project Gutenberg EBook of Letters, by Someone

*** END OF THIS PROJECT GUTENBERG EBOOK LETTERS ***
"""

NINETIES = """\
*****The Project Gutenberg Etext of Tales*****
**Welcome To The World of Free Plain Vanilla Electronic Texts**
*These Etexts Prepared By Hundreds of Volunteers and Donations*

Information on contacting Project Gutenberg to get Etexts.

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*

BOOK ONE

The first tale begins.

End of Project Gutenberg's Tales, by Old Writer
"""


def _write(tmp_path, text, name="book.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _words(book) -> str:
    return " ".join([c.title for c in book.chapters] + [p for c in book.chapters for p in c.paragraphs])


def test_modern_header_footer_and_credits(tmp_path):
    book = load_checked(_write(tmp_path, MODERN))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("CHAPTER I: THE DEPARTURE", ["It was a cold morning."]),
        ("CHAPTER II: THE STORM", ["Waves rose."]),
    ]


def test_older_this_variant_with_end_line_before_the_marker(tmp_path):
    book = load_checked(_write(tmp_path, OLDER))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("LETTER XXV", ["Dear Sir, I write in haste."]),
        ("XVII", ["The seventeenth part."]),
    ]
    assert "Gutenberg" not in _words(book) and "prepared" not in _words(book)


def test_nineties_small_print_header_and_footer_line(tmp_path):
    book = load_checked(_write(tmp_path, NINETIES))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [("BOOK ONE", ["The first tale begins."])]


def test_markdown_gets_the_same(tmp_path):
    text = MODERN.replace("CHAPTER I--THE DEPARTURE", "## Departure").replace("CHAPTER II--THE STORM", "## Storm")
    book = load_checked(_write(tmp_path, text, name="voyage.md"))
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("Departure", ["It was a cold morning."]), ("Storm", ["Waves rose."])
    ]


def test_text_without_gutenberg_is_untouched():
    text = "End of the Project Gutenberg era, he said.\n\nMore."
    assert strip_gutenberg(text) == text
    plain = "Chapter 1\n\nProduced by nobody in particular.\n"
    assert strip_gutenberg(plain) == plain


def test_illustration_markers(tmp_path):
    text = "Chapter 1\n\n[Illustration]\n\nThe ship sailed.\n\n[Illustration: The ship at anchor]\n"
    book = load_checked(_write(tmp_path, text))
    assert book.chapters[0].paragraphs == ["The ship sailed.", "The ship at anchor"]


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("CHAPTER III--TWO MISFORTUNES", ("CHAPTER III", "TWO MISFORTUNES")),
        ("CHAPTER III \u2014 TWO MISFORTUNES", ("CHAPTER III", "TWO MISFORTUNES")),
        ("Chapter 4--Home", ("Chapter 4", "Home")),
        ("LETTER XXV", ("LETTER XXV", None)),
        ("Letter XXV.", ("Letter XXV", None)),
        ("XVII.", ("XVII", None)),
        ("XVII", ("XVII", None)),
        ("IV. THE STORM", ("IV", "THE STORM")),
        ("BOOK ONE", ("BOOK ONE", None)),
        ("STAVE III.", ("STAVE III", None)),
    ],
)
def test_older_headings(line, heading):
    assert match_heading(line) == heading


@pytest.mark.parametrize(
    "line",
    ["I. M. Pei designed it.", "Chapter IIII", "LETTER XXV is lost", "MIX", "CIVIL WAR", "V. Woolf wrote it.",
     "X. Then he left the house and never came back again"],
)
def test_not_headings(line):
    assert match_heading(line) is None


def test_roman_paragraph_opening_is_not_a_heading(tmp_path):
    text = ("CHAPTER I\n\nI. Then the first point, which takes a long line of prose\nand goes on to a second line.\n\n"
            "II.\n\nThe second part.")
    book = load_checked(_write(tmp_path, text))
    assert [c.title for c in book.chapters] == ["CHAPTER I", "II"]
    assert book.chapters[0].paragraphs[0].startswith("I. Then the first point")


def test_markdown_and_text_matter_from_titles(tmp_path):
    text = ("## Contents\n\n- [One](#one)\n- [Two](#two)\n\n## Copyright\n\nAll rights reserved.\n\n"
            "## One\n\nFirst.\n\n## Two\n\nSecond.\n\n## Notes on the Text\n\nA note.\n\n## Also by Ann Author\n\nMore books.\n")
    book = load_checked(_write(tmp_path, text, name="matter.md"))
    assert [(c.title, c.matter) for c in book.chapters] == [
        ("Contents", "toc"), ("Copyright", "front"), ("One", "body"), ("Two", "body"),
        ("Notes on the Text", "notes"), ("Also by Ann Author", "back"),
    ]
