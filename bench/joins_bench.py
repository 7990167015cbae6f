"""Joins and pauses on a real render (prints numbers, asserts nothing).

Renders a book (default: the demo book) with the real voice on the CPU into a temporary cache,
assembles every chapter as the render does and measures, per chapter (backend/render/joins.py):

- the worst join: the largest sample-to-sample step within 5 ms of any place where a chunk's audio
  meets silence, against the reference, the 99.9th percentile of the steps inside speech (a join
  above it would be a click);
- the pause error: each silence between two chunks' speech (from the last sample over -50 dBFS
  before the gain to the next one; the chapter pause: to the end of the file) minus the configured
  sentence, paragraph or chapter pause; the goal is within +-20 ms.

    python bench/joins_bench.py                          # the demo book, 400- and 100-character chunks
    python bench/joins_bench.py --book my.epub --max-chars 400
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.render.assembly import AssemblySettings  # noqa: E402
from backend.render.chunk_cache import ChunkCache  # noqa: E402
from backend.render.engine import AudioEngine, RenderJob  # noqa: E402
from backend.render.events import RenderEvents  # noqa: E402
from backend.render.jobs import book_job_dir  # noqa: E402
from backend.render.joins import measure_cached_book  # noqa: E402
from backend.render.plan import make_plan  # noqa: E402
from backend.settings import RenderSettings  # noqa: E402
from backend.text import load_book  # noqa: E402
from backend.tts.voice import load_voice  # noqa: E402

PAUSE_GOAL_S = 0.020
DEMO = ROOT / "resources" / "demo_book.md"


def bench_joins(book: Path, max_chars: int, work: Path) -> list[str]:
    """Render, assemble, measure: the lines to print (a header, a line per chapter, the worst)."""
    settings = RenderSettings(device="cpu", cache_dir=str(work / "cache"), max_chars=max_chars, outputs=[],
                              master="off")  # measured before mastering, which would only add time here
    began = time.perf_counter()
    AudioEngine(RenderJob(book, work / f"out{max_chars}", settings), RenderEvents()).run()
    voice = load_voice(settings.voice)
    plan = make_plan(load_book(book), voice, settings)
    cache = ChunkCache(book_job_dir(book, settings) / "chunks", voice.sample_rate)
    assembly = AssemblySettings(sentence_pause=settings.sentence_pause, paragraph_pause=settings.paragraph_pause,
                                chapter_pause=settings.chapter_pause)
    reports = measure_cached_book(plan, cache, voice.sample_rate, assembly, work)
    lines = [f"{book.name}, chunks of at most {max_chars} characters: {len(plan.chunks)} chunks "
             f"(render + assembly {time.perf_counter() - began:.1f} s); pauses {settings.sentence_pause:g} / "
             f"{settings.paragraph_pause:g} / {settings.chapter_pause:g} s",
             f"  {'chapter':<40} {'joins':>5} {'worst join step':>15} {'speech p99.9':>12} {'ratio':>6} "
             f"{'worst pause error':>17}"]
    worst_ratio = worst_pause = 0.0
    for title, r in reports:
        ratio = r.worst_step / r.speech_step if r.speech_step else 0.0
        worst_ratio, worst_pause = max(worst_ratio, ratio), max(worst_pause, abs(r.worst_pause_error))
        lines.append(f"  {title[:40]:<40} {r.joins:>5} {r.worst_step:>15.4f} {r.speech_step:>12.4f} {ratio:>6.2f} "
                     f"{r.worst_pause_error * 1000:>+14.2f} ms")
    lines.append(f"  worst join / speech p99.9 = {worst_ratio:.2f} (a click above 1.00); worst pause error "
                 f"{worst_pause * 1000:.2f} ms (goal: within {PAUSE_GOAL_S * 1000:.0f} ms)")
    return lines


def joins_lines(max_chars: tuple[int, ...] = (400, 100), book: Path = DEMO) -> list[str]:
    """bench_joins for each chunk length, in a temporary folder (bench/mastering_bench.py prints these)."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="joins-bench-") as work:
        for chars in max_chars:
            lines += ["", *bench_joins(book, chars, Path(work))]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", type=Path, default=DEMO)
    parser.add_argument("--max-chars", type=int, nargs="+", default=[400, 100])
    args = parser.parse_args()
    for line in joins_lines(tuple(args.max_chars), args.book):
        print(line)


if __name__ == "__main__":
    main()
