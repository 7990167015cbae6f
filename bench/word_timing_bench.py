"""Word timings on a real render against a reference (prints numbers, asserts nothing).

Renders a book (default: the demo book) with the real voice on the CPU, with word subtitles and a
word-level read-along EPUB, then compares every word's start in `<title> words.srt` and in the
EPUB's SMIL clips with the reference of backend/render/timing_check.py: the word's first phoneme
from the stored durations (found by counting the phonemes of the text before and after it), plus
the chunk's place in the mastered chapter file found by cross-correlating its audio with the
file. Also the stated starts against the audio's energy onsets, for words that follow a pause
(clear onsets: those starting with a vowel, fricative or nasal). The goal is within 50 ms.

    python bench/word_timing_bench.py
    python bench/word_timing_bench.py --book ../shared/bench/lighthouse.md --max-chars 400
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.render.engine import AudioEngine, RenderJob  # noqa: E402
from backend.render.events import RenderEvents  # noqa: E402
from backend.render.plan import safe_filename  # noqa: E402
from backend.render.timing_check import measure_render  # noqa: E402
from backend.settings import RenderSettings  # noqa: E402
from backend.text import load_book  # noqa: E402

GOAL_S = 0.050
DEMO = ROOT / "resources" / "demo_book.md"
CLEAR_ONSETS = set("aeiouæɑɐɔəɛɜɪʊʌsʃfθðzvmn")


class Timer(RenderEvents):
    def __init__(self):
        self.lines = []

    def log(self, level, message):
        self.lines.append((time.perf_counter(), message))


def line(name: str, errors: list[float]) -> str:
    if not errors:
        return f"  {name:<34} (none)"
    ms = np.abs(np.asarray(errors)) * 1000
    signed = np.asarray(errors) * 1000
    return (f"  {name:<34} {len(ms):>5} words  max {ms.max():6.1f} ms  p95 {np.percentile(ms, 95):6.1f} ms  "
            f"median {np.median(ms):5.1f} ms  mean (signed) {signed.mean():+6.1f} ms  within 50 ms "
            f"{np.mean(ms < GOAL_S * 1000):6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", type=Path, default=DEMO)
    parser.add_argument("--max-chars", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="word-timing-bench-") as work:
        work = Path(work)
        settings = RenderSettings(device="cpu", cache_dir=str(work / "cache"), max_chars=args.max_chars,
                                  outputs=["words", "readalong"])
        began = time.perf_counter()
        events = Timer()
        AudioEngine(RenderJob(args.book, work / "out", settings), events).run()
        rendered = time.perf_counter() - began
        book = load_book(args.book)
        stem = safe_filename(book.title or args.book.stem)
        began = time.perf_counter()
        report = measure_render(args.book, settings, work / "out", stem)
        measured = time.perf_counter() - began
    clear = [e for e, w in zip(report.onset_errors, report.onset_words) if w.split("/")[-2][:1] in CLEAR_ONSETS]
    print(f"{args.book.name}, chunks of at most {args.max_chars} characters: {report.chunks_located} chunks located "
          f"in the mastered chapter files, {len(report.words)} words compared, {report.unsure} left out (the "
          f"reference's two counts disagree); render {rendered:.1f} s, measurement {measured:.1f} s")
    print("Stated start minus reference (durations + the chunk's measured place):")
    print(line("words.srt", report.srt_errors))
    print(line("read-along SMIL clipBegin", report.smil_errors))
    print("Stated start minus the energy onset, words after a pause:")
    print(line("clear onsets (vowel/fricative/nasal)", clear))
    print(line("all", report.onset_errors))
    worst = max(zip(report.srt_errors, report.words), key=lambda p: abs(p[0]), default=None)
    if worst:
        print(f"Worst word against the reference: {worst[1]!r} {worst[0] * 1000:+.1f} ms")


if __name__ == "__main__":
    main()
