"""Pipeline benchmark (prints numbers, asserts nothing).

(a) Time to plan (normalize + chunk) a generated book with backend.text.
(b) Peak RSS while assembling generated chunk audio into chapter files with
    assemble_chapter: memory must stay flat however long the book is.

    python bench/pipeline_bench.py                   # 600,000 words, 10 hours
    python bench/pipeline_bench.py --words 50000 --hours 0.5
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.render.assembly import AssemblySettings, assemble_chapter  # noqa: E402
from backend.text import Book, Chapter, Chunk, plan_book_chunks  # noqa: E402

SAMPLE_RATE = 22050
CHUNK_SECONDS = 6.0

WORDS = ("the old house stood at the end of a narrow lane where nobody walked after dark and "
         "every window looked out over fields of barley toward the river").split()
# Things the normalizer must expand: numbers, money, years, abbreviations, ordinals.
SPECIALS = ["Dr. Smith", "Mr. Jones", "Mrs. Patel", "St. Mary's", "e.g.", "i.e.", "etc.", "$1,250",
            "3.75", "1,234,567", "42%", "1984", "the 1990s", "21st", "No. 7", "10:30", "5 km", "U.S."]


def generated_book(words: int, chapters: int, seed: int = 1) -> Book:
    """Prose of about `words` words in `chapters` chapters, paragraphs of 3-8 sentences."""
    rng = random.Random(seed)
    per_chapter = words // chapters
    book_chapters = []
    for c in range(chapters):
        paragraphs, count = [], 0
        while count < per_chapter:
            sentences = []
            for _ in range(rng.randint(3, 8)):
                n = rng.randint(6, 24)
                sentence = [rng.choice(WORDS) for _ in range(n)]
                sentence.insert(rng.randrange(n), rng.choice(SPECIALS))
                count += n + 1
                sentences.append(" ".join(sentence).capitalize() + rng.choice(".!?."))
            paragraphs.append(" ".join(sentences))
        book_chapters.append(Chapter(f"Chapter {c + 1}", paragraphs))
    return Book("Generated", "Bench", book_chapters)


def bench_planning(words: int) -> None:
    chapters = max(1, min(60, words // 1000))
    book = generated_book(words, chapters)
    counted = sum(len(p.split()) for ch in book.chapters for p in ch.paragraphs)
    began = time.perf_counter()
    chunks = plan_book_chunks(book)
    seconds = time.perf_counter() - began
    print(f"(a) plan: {counted:,} words, {chapters} chapters -> {len(chunks):,} chunks "
          f"in {seconds:.2f} s ({counted / seconds:,.0f} words/s; target < 5 s)")


def rss_mb() -> float:
    """Current resident set size (VmRSS) in MB, from /proc where it exists."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def chunk_audio(chapter: int, index: int) -> np.ndarray:
    """A fresh 6 s chunk per call, like a cache read: noise-modulated tone
    with silent margins, loudness varying from chunk to chunk."""
    rng = np.random.default_rng(chapter * 1_000_003 + index)
    n = round(CHUNK_SECONDS * SAMPLE_RATE)
    lead, tail = rng.integers(500, 4000, size=2)
    t = np.arange(n - lead - tail, dtype=np.float32) / SAMPLE_RATE
    speech = np.sin(2 * np.pi * rng.uniform(90, 220) * t) * (0.05 + 0.2 * rng.random())
    speech *= 1 + 0.3 * rng.standard_normal(len(t)).astype(np.float32)
    audio = np.zeros(n, dtype=np.float32)
    audio[lead : n - tail] = speech
    return audio


def bench_assembly(hours: float, output_format: str) -> None:
    chapters = max(1, math.ceil(hours))
    chunks_per_chapter = max(1, round(hours * 3600 / CHUNK_SECONDS / chapters))
    settings = AssemblySettings(output_format=output_format)
    start_rss = rss_mb()
    print(f"(b) assemble: {chapters} chapters x {chunks_per_chapter} chunks x {CHUNK_SECONDS:g} s "
          f"({output_format}); RSS at start {start_rss:.1f} MB, ru_maxrss so far {peak_rss_mb():.1f} MB")
    total_audio = 0.0
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as folder:
        for c in range(chapters):
            chunks = [Chunk(f"Sentence {i}.", c, i // 6, i % 6, i % 6 == 5, i == chunks_per_chapter - 1)
                      for i in range(chunks_per_chapter)]
            t0 = time.perf_counter()
            result = assemble_chapter(chunks, lambda i, c=c: chunk_audio(c, i), SAMPLE_RATE,
                                      Path(folder) / f"{c:03d}.{output_format}", settings)
            total_audio += result.duration
            size = result.path.stat().st_size / 2**20
            result.path.unlink()  # keep the disk use flat too
            print(f"    chapter {c + 1}: {result.duration / 60:.1f} min audio in {time.perf_counter() - t0:.1f} s, "
                  f"gain {result.gain_db:+.1f} dB, {size:.0f} MB file, RSS {rss_mb():.1f} MB")
    elapsed = time.perf_counter() - began
    print(f"    total {total_audio / 3600:.2f} h audio in {elapsed:.1f} s ({total_audio / elapsed:.0f}x real time); "
          f"RSS end {rss_mb():.1f} MB, peak (ru_maxrss) {peak_rss_mb():.1f} MB (target flat, < 300 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=600_000, help="words in the generated book (0 skips)")
    parser.add_argument("--hours", type=float, default=10.0, help="hours of audio to assemble (0 skips)")
    parser.add_argument("--format", choices=["flac", "wav"], default="flac")
    args = parser.parse_args()
    if args.hours > 0:  # first, so the planning's memory does not mask the RSS figures
        bench_assembly(args.hours, args.format)
    if args.words > 0:
        bench_planning(args.words)


if __name__ == "__main__":
    main()
