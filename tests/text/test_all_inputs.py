"""Properties that must hold for every kind of input."""

from __future__ import annotations

import pytest

from backend.text import DEFAULT_MAX_CHARS, load_book
from tests.text.chunk_properties import assert_chunks_cover_book, squash
from tests.text.sample_books import write_sample_books

SAMPLES = ["txt_chapters", "txt_plain", "txt_cp1252", "txt_utf16", "txt_mixed", "markdown", "epub3", "epub2"]


@pytest.fixture(scope="module")
def sample_paths(tmp_path_factory):
    return write_sample_books(tmp_path_factory.mktemp("samples"))


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("max_chars", [1, 7, 40, DEFAULT_MAX_CHARS])
def test_chunks_give_back_every_chapter(sample_paths, name, max_chars):
    book = load_book(sample_paths[name])
    assert book.chapters
    chunks = assert_chunks_cover_book(book, max_chars)
    assert chunks


@pytest.mark.parametrize("name", SAMPLES)
def test_footnote_modes_both_cover_the_book(sample_paths, name):
    for mode in ("read", "skip"):
        assert_chunks_cover_book(load_book(sample_paths[name], footnotes=mode), 60)


def test_mixed_scripts_and_emoji_survive(sample_paths):
    book = load_book(sample_paths["txt_mixed"])
    text = squash(" ".join(" ".join(c.paragraphs) for c in book.chapters))
    for word in ("Ελληνικά", "русский", "עברית", "العربية", "हिन्दी", "日本語のテキスト。", "😀🎉", "Esperanton"):
        assert word in text
    chunks = assert_chunks_cover_book(book, 50)
    joined = "".join(c.text for c in chunks)
    assert joined.count("😀") >= 900 and joined.count("中文句子。") == 200
