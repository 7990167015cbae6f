"""Hostile books: each ends in audio of a plausible length for its text, or in one clear error
naming the file (exit 1, one "Error:" line, no traceback), never a hang (every CLI run has a
timeout) and never silently missing text (the engine's accounting check raises on a mismatch, so
a render that passes held it).

Long texts are kept affordable: the voice speaks ~0.05 s per character and runs ~15-20x real
time on a 2-core CPU, so a 30,000-character sentence is ~25 minutes of speech and ~90 s to
render. Instead it is planned in full (accounting, chunk sizes, no word cut) and only its first
and last chunks are synthesized, with backend.tts.synth.Synthesizer; a 2,000-character sentence
without punctuation is rendered end to end through the CLI.
"""

from __future__ import annotations

import itertools
import random
import re
import time
import zipfile
from pathlib import Path

import pytest

from backend.text import Book, Chapter, normalized_chapter_text, plan_book_chunks
from tests.reliability.conftest import cli, duration, render_args
from tests.text.epub_factory import epub3_book, write_epub

# Measured on the bundled voice: prose speaks at 0.047-0.057 s per character (pauses excluded).
# A third of that less a margin means words went missing.
MIN_SECONDS_PER_CHAR = 0.03
VOCABULARY = "the quiet harbour boat rope gull stone water light keeper".split()


def _run(book: Path, tmp_path: Path, *extra: str, timeout: float = 180):
    return cli(render_args(book, tmp_path / "out", tmp_path / "cache", "--outputs", "srt", *extra), timeout=timeout)


def _fails_clearly(proc, book: Path) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and book.name in errors[0], proc.stderr
    return errors[0]


def _renders(proc, tmp_path: Path, spoken_chars: int) -> tuple[float, str]:
    """Exit 0, chapter audio at least MIN_SECONDS_PER_CHAR per spoken character; (seconds, srt)."""
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Check: all" in proc.stderr
    seconds = sum(duration(p) for p in (tmp_path / "out").glob("*.flac"))
    assert seconds > MIN_SECONDS_PER_CHAR * spoken_chars, (seconds, spoken_chars)
    srt = next((tmp_path / "out").glob("*.srt")).read_text(encoding="utf-8")
    return seconds, srt


def _sentence(chars: int) -> str:
    """Words from a short vocabulary (fast to phonemize), no punctuation at all."""
    words, length = [], -1
    for word in itertools.cycle(VOCABULARY):
        if length + 1 + len(word) > chars:
            return " ".join(words)
        words.append(word)
        length += 1 + len(word)


# -- files with nothing to read, or not text at all ---------------------------------------------
@pytest.mark.parametrize("name, data", [
    ("empty.txt", b""),
    ("empty.md", b""),
    ("blank.txt", b"   \n\n\t \r\n  \n"),
    ("blank.md", b"\n\n   \n\t\n"),
    ("headings-only.md", b"#\n\n##   \n\n---\n"),
    ("binary.txt", random.Random(1).randbytes(4000)),
    ("binary.md", b"\x00\x01\x02ELF" + random.Random(2).randbytes(4000)),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + random.Random(3).randbytes(2000)),
    ("binary.epub", random.Random(4).randbytes(4000)),
    ("text.epub", b"Chapter 1\n\nThis is plain text with an epub name.\n"),
    ("fake-zip.epub", b"PK\x03\x04 not really a zip at all"),
])
def test_unreadable_or_empty_file_fails_clearly(tmp_path, name, data):
    book = tmp_path / name
    book.write_bytes(data)
    _fails_clearly(_run(book, tmp_path, timeout=60), book)
    assert not list((tmp_path / "out").glob("*.flac"))


def test_truncated_epub_fails_clearly(tmp_path):
    whole = epub3_book(tmp_path / "whole.epub").read_bytes()
    book = tmp_path / "cut-in-half.epub"
    book.write_bytes(whole[: len(whole) // 2])
    _fails_clearly(_run(book, tmp_path, timeout=60), book)


@pytest.mark.parametrize("opf", [
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata',  # cut off
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"></package>',  # no spine
    "this is not xml at all",
])
def test_epub_with_broken_opf_fails_clearly(tmp_path, opf):
    book = tmp_path / "broken-opf.epub"
    write_epub(book, [], [], opf_override=opf)
    _fails_clearly(_run(book, tmp_path, timeout=60), book)


def test_epub_whose_container_points_nowhere_fails_clearly(tmp_path):
    book = tmp_path / "no-opf.epub"
    with zipfile.ZipFile(book, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip")
        zf.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                    '<rootfile full-path="OEBPS/missing.opf" media-type="application/oebps-package+xml"/>'
                    "</rootfiles></container>")
    _fails_clearly(_run(book, tmp_path, timeout=60), book)


# -- odd but real text --------------------------------------------------------------------------
def test_latin1_text_is_read_with_a_warning(tmp_path):
    book = tmp_path / "latin1.txt"
    text = "Chapter 1\n\nThe café served crème brûlée to a naïve señor from Zürich.\n"
    book.write_bytes(text.encode("latin-1"))
    proc = _run(book, tmp_path)
    _, srt = _renders(proc, tmp_path, len(text))
    assert "not UTF-8" in proc.stderr
    assert "café" in srt and "crème brûlée" in srt and "Zürich" in srt  # decoded right, nothing dropped


def test_mixed_scripts_and_emoji(tmp_path):
    book = tmp_path / "mixed.md"
    paragraph = ("The sign said hello, γειά σου κόσμε, привет мир, 你好世界, こんにちは, and 🎉🚢🌊 "
                 "before the ferry left at 6:45 from pier 3.")
    book.write_text(f"# Signs\n\n{paragraph}\n", encoding="utf-8")
    seconds, srt = _renders(_run(book, tmp_path), tmp_path, len(paragraph))
    for piece in ("γειά σου κόσμε", "привет мир", "你好世界", "こんにちは", "pier three"):
        assert piece in srt, srt
    print(f"mixed scripts: {len(paragraph)} characters -> {seconds:.1f}s of audio")


def test_sentence_without_punctuation_renders_end_to_end(tmp_path):
    book = tmp_path / "run-on.txt"
    text = _sentence(2000)
    book.write_text(text + "\n", encoding="utf-8")
    seconds, srt = _renders(_run(book, tmp_path, "--max-chars", "400", timeout=240), tmp_path, len(text))
    spoken = re.sub(r"\s+", " ", " ".join(line for line in srt.splitlines() if line and not line[0].isdigit()))
    assert spoken.endswith(text)  # after the title (the file name), every word, in order
    print(f"2,000-character run-on sentence: {seconds:.1f}s of audio ({seconds / len(text):.3f}s per character)")


@pytest.mark.parametrize("max_chars", [60, 400])
def test_30000_character_sentence_plans_whole_and_speaks(synth, max_chars):
    text = _sentence(30000)
    book = Book("Run-on", None, [Chapter("", [text])])
    chunks = plan_book_chunks(book, max_chars)
    # Accounting: every character of the chapter is in exactly one chunk, in order.
    assert "".join(c.text for c in chunks).replace(" ", "") == \
        re.sub(r"\s+", "", normalized_chapter_text(book.chapters[0]))
    assert all(0 < len(c.text) <= max_chars for c in chunks)
    assert all(set(c.text.split()) <= set(VOCABULARY) for c in chunks)  # split between words, never inside
    for chunk in (chunks[0], chunks[-1]):
        audio = synth.synthesize(chunk.text, seed=1)
        assert audio.size / synth.sample_rate > MIN_SECONDS_PER_CHAR * len(chunk.text), chunk.text


def _word(chars: int) -> str:
    return ("kalimotesanuvoripa" * (chars // 18 + 1))[:chars]


def test_1200_letter_word_renders_end_to_end(tmp_path):
    book = tmp_path / "word.txt"
    word = _word(1200)
    book.write_text(word + "\n", encoding="utf-8")
    seconds, srt = _renders(_run(book, tmp_path, timeout=240), tmp_path, len(word))
    assert "".join(line for line in srt.splitlines() if line.isalpha()).endswith(word)  # after the title
    print(f"1,200-letter word at --max-chars 60: {seconds:.1f}s of audio")


def test_12000_letter_word_is_planned_whole(synth):
    word = _word(12000)
    chunks = plan_book_chunks(Book("Word", None, [Chapter("", [word])]), 60)
    assert "".join(c.text for c in chunks) == word and all(len(c.text) <= 60 for c in chunks)
    for chunk in (chunks[0], chunks[-1]):
        audio = synth.synthesize(chunk.text, seed=1)
        assert audio.size / synth.sample_rate > MIN_SECONDS_PER_CHAR * len(chunk.text)


def test_long_word_in_a_400_character_chunk_is_spoken_whole(synth):
    word = _word(12000)
    chunks = plan_book_chunks(Book("Word", None, [Chapter("", [word])]), 400)
    assert "".join(c.text for c in chunks) == word  # the plan holds every letter...
    middle = chunks[len(chunks) // 2]
    assert len(synth.phoneme_ids(middle.text)) > len(synth.phoneme_ids(middle.text[:200]))  # ...the voice does not
    audio = synth.synthesize(middle.text, seed=1)
    assert audio.size / synth.sample_rate > MIN_SECONDS_PER_CHAR * len(middle.text)


# -- a huge book: planning stays fast -----------------------------------------------------------
def test_planning_a_3_million_character_book(capsys):
    rng = random.Random(5)
    words = VOCABULARY + "Mara walked past the quarry at 6:45, and the lamp turned twice.".split()
    chapters, total = [], 0
    while total < 3_000_000:
        paragraphs = []
        for _ in range(40):
            paragraph = " ".join(rng.choice(words) for _ in range(rng.randint(20, 120))) + "."
            paragraphs.append(paragraph)
            total += len(paragraph)
        chapters.append(Chapter(f"Chapter {len(chapters) + 1}", paragraphs))
    book = Book("Huge", None, chapters)
    started = time.perf_counter()
    chunks = plan_book_chunks(book, 400)
    took = time.perf_counter() - started
    assert chunks and all(len(c.text) <= 400 for c in chunks)
    assert chunks[-1].chapter_index == len(chapters) - 1
    with capsys.disabled():
        print(f"\nplanned {total:,} characters, {len(chapters)} chapters -> {len(chunks):,} chunks in {took:.2f}s")
