"""Sentence splitting and chunk packing."""

from __future__ import annotations

import random
from dataclasses import FrozenInstanceError

import pytest

from backend.text import (
    DEFAULT_MAX_CHARS,
    Book,
    Chapter,
    Chunk,
    chunk_chapter,
    normalized_chapter_text,
    plan_book_chunks,
    split_sentences,
)
from tests.text.chunk_properties import assert_chunks_cover_book, covers, squash


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ('"Stop." She stopped. \'Go!\' He went.', ['"Stop."', "She stopped.", "'Go!'", "He went."]),
        ('"Why?" he asked. "Because!" she said.', ['"Why?" he asked.', '"Because!" she said.']),
        ("Really?! Yes. What?!? No.", ["Really?!", "Yes.", "What?!?", "No."]),
        ("Wait... what? Then... Silence.", ["Wait... what?", "Then...", "Silence."]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        ("J. R. R. Tolkien wrote it. U.S. troops came.", ["J. R. R. Tolkien wrote it.", "U.S. troops came."]),
        ("It is 3.14 exactly. Yes (really.) Done.", ["It is 3.14 exactly.", "Yes (really.)", "Done."]),
        ("你好。我很好！谢谢？好", ["你好。", "我很好！", "谢谢？", "好"]),
        ("Trailing spaces.   ", ["Trailing spaces."]),
        ("", []),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_chunks_pack_whole_sentences_within_a_paragraph():
    paragraphs = ["One two. Three four. Five six.", "Seven. Eight."]
    chunks = chunk_chapter(paragraphs, 20, chapter_index=3)
    assert [c.text for c in chunks] == ["One two. Three four.", "Five six.", "Seven. Eight."]
    assert [(c.paragraph_index, c.sentence_index) for c in chunks] == [(0, 0), (0, 2), (1, 0)]
    assert [(c.ends_paragraph, c.ends_chapter) for c in chunks] == [(False, False), (True, False), (True, True)]
    assert all(c.chapter_index == 3 for c in chunks)


def test_never_merges_across_paragraphs():
    chunks = chunk_chapter(["A.", "B.", "C."], 400)
    assert [c.text for c in chunks] == ["A.", "B.", "C."]
    assert all(c.ends_paragraph for c in chunks)


def test_empty_paragraphs_keep_their_index():
    chunks = chunk_chapter(["", "Text.", "   ", "More."], 400)
    assert [(c.text, c.paragraph_index) for c in chunks] == [("Text.", 1), ("More.", 3)]
    assert chunks[-1].ends_chapter
    assert chunk_chapter([], 400) == [] and chunk_chapter(["", " "], 400) == []


def test_long_sentence_splits_at_clauses_first():
    sentence = "first clause here, second clause here; third clause here: fourth clause here, and the end."
    chunks = chunk_chapter([sentence], 40)
    assert [c.text for c in chunks] == [
        "first clause here, second clause here;",
        "third clause here: fourth clause here,",
        "and the end.",
    ]
    assert all(c.sentence_index == 0 for c in chunks)


def test_thirty_thousand_character_sentence_without_punctuation():
    rng = random.Random(7)
    words, length = [], 0
    while length < 30_000:
        words.append("".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 12))))
        length += len(words[-1]) + 1
    sentence = " ".join(words)
    assert len(sentence) >= 30_000
    chunks = chunk_chapter([sentence], DEFAULT_MAX_CHARS)
    assert all(len(c.text) <= DEFAULT_MAX_CHARS for c in chunks)
    assert " ".join(c.text for c in chunks) == sentence  # split only at spaces
    assert len(chunks) <= len(sentence) // (DEFAULT_MAX_CHARS - 12) + 1  # packed, not one word per chunk


def test_twelve_thousand_character_word():
    word = "".join(random.Random(3).choice("xyz") for _ in range(12_000))
    chunks = chunk_chapter([f"Before. {word} after."], DEFAULT_MAX_CHARS)
    assert all(len(c.text) <= DEFAULT_MAX_CHARS for c in chunks)
    assert squash("".join(c.text for c in chunks)) == squash(f"Before. {word} after.")
    assert chunks[0].text.startswith("Before.")
    assert [len(c.text) for c in chunks] == [7] + [400] * 30 + [6]  # "Before.", the word, "after."


@pytest.mark.parametrize("max_chars", [1, 2, 5])
def test_tiny_limits_still_lose_nothing(max_chars):
    text = "Ab, cd; ef: gh—ij - kl. 😀👍 日本語。Ωμέγα!"
    chunks = chunk_chapter([text], max_chars)
    assert all(0 < len(c.text) <= max_chars for c in chunks)
    # Only a piece of punctuation that would be a chunk of its own is left out (nothing to say).
    assert covers(squash("".join(c.text for c in chunks)), squash(text))
    joined = "".join(c.text for c in chunks)
    assert [ch for ch in joined if ch.isalnum()] == [ch for ch in text if ch.isalnum()] and "😀👍" in joined


def test_invalid_limit():
    with pytest.raises(ValueError):
        chunk_chapter(["x"], 0)


def test_chunk_is_frozen():
    chunk = Chunk("x", 0, 0, 0, True, True)
    with pytest.raises(FrozenInstanceError):
        chunk.text = "y"  # type: ignore[misc]


def test_plan_book_chunks_normalizes_and_speaks_titles():
    book = Book("T", None, [Chapter("Chapter XII", ["Dr. Who paid $5.", "It was 1984."]), Chapter("Empty", [])])
    chunks = plan_book_chunks(book, 400)
    assert [(c.text, c.chapter_index, c.paragraph_index) for c in chunks] == [
        ("Chapter twelve", 0, 0),
        ("Doctor Who paid five dollars.", 0, 1),
        ("It was nineteen eighty-four.", 0, 2),
        ("Empty", 1, 0),
    ]
    assert [c.ends_chapter for c in chunks] == [False, False, True, True]
    assert normalized_chapter_text(book.chapters[0]) == (
        "Chapter twelve\n\nDoctor Who paid five dollars.\n\nIt was nineteen eighty-four."
    )
    untitled = plan_book_chunks(book, 400, include_titles=False)
    assert [(c.text, c.paragraph_index) for c in untitled] == [
        ("Doctor Who paid five dollars.", 0),
        ("It was nineteen eighty-four.", 1),
    ]


def _generated_book(target_chars: int) -> Book:
    """A big book with every kind of thing the normalizer and chunker meet."""
    rng = random.Random(2024)
    words = "the sea was calm and grey as she walked down to old harbour where boats lay".split()
    extras = [
        "Dr. Smith", "Mr. Jones", "1984", "$5.50", "12%", "10:30", "3rd", "e.g.", "etc.", "“quoted”", "—",
        "St. Paul", "3.14", "1,000,000", "https://example.com/x", "…", "Ωμέγα", "日本語。", "😀", "Henry VIII",
    ]
    chapters, total = [], 0
    while total < target_chars:
        paragraphs = []
        for _ in range(150):
            sentences = []
            for _ in range(rng.randint(1, 9)):
                ws = [rng.choice(words) for _ in range(rng.randint(3, 40))]
                if rng.random() < 0.3:
                    ws.insert(rng.randrange(len(ws)), rng.choice(extras))
                sentences.append(" ".join(ws).capitalize() + rng.choice(".....?!"))
            if rng.random() < 0.01:
                sentences.append("x" * rng.randint(400, 3000))  # an unbreakable run
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            total += len(paragraph)
        chapters.append(Chapter(f"Chapter {len(chapters) + 1}", paragraphs))
    return Book("Big", None, chapters)


def test_three_million_character_book_keeps_everything():
    book = _generated_book(3_000_000)
    assert sum(len(p) for c in book.chapters for p in c.paragraphs) >= 3_000_000
    chunks = assert_chunks_cover_book(book, DEFAULT_MAX_CHARS)
    assert len({c.chapter_index for c in chunks}) == len(book.chapters)
    assert max(len(c.text) for c in chunks) == DEFAULT_MAX_CHARS  # the long runs were cut hard
