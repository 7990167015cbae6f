"""Soak test: render for a fixed time and watch memory; RSS (and VRAM on a GPU) must not creep.

Builds an endless book (the chapters of ../shared/bench/lighthouse.md repeated, every sentence
numbered per round so no chunk dedupes), renders it with the real AudioEngine on the chosen device,
samples RSS (/proc/self/status VmRSS) and VRAM (BatchReport.vram_used, None on the CPU) after every
batch through a RenderEvents subclass, and stops through the CancelToken when the time is up.
Prints the number of samples, RSS at the start / max / end, and the least-squares slope of RSS in
MiB per 100 batches (target about 0), over all batches and over the second half (steady state);
the same for VRAM when there is one. Asserts nothing; exits 1 only when the render failed.

    python bench/soak.py                      # 30 minutes, --device auto
    python bench/soak.py --minutes 3 --device cpu
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.render.engine import AudioEngine, RenderJob  # noqa: E402
from backend.render.events import CancelToken, RenderEvents, RenderFailed, RenderStopped  # noqa: E402
from backend.settings import RenderSettings  # noqa: E402

SOURCE = ROOT.parent / "shared" / "bench" / "lighthouse.md"
FALLBACK = ROOT / "resources" / "demo_book.md"
MIB = 1024 * 1024


def rss_bytes() -> int:
    """Current resident set size; peak RSS where /proc is missing (not Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def slope_per_100(values: list[float]) -> float | None:
    """Least-squares slope of values against their index, times 100 (per 100 batches)."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    sxy = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    return 100 * sxy / sxx


def endless_book(source: Path, chars: int) -> str:
    """The source's chapters repeated until `chars`, each sentence tagged with its round number."""
    text = source.read_text(encoding="utf-8")
    chapters = [c.strip() for c in re.split(r"(?m)^## ", text)[1:]] or [text]
    out, size, round_no = ["# Soak Book\n"], 0, 0
    while size < chars:
        round_no += 1
        for chapter in chapters:
            title, _, body = chapter.partition("\n")
            paragraphs = []
            for paragraph in body.split("\n\n"):
                sentences = re.split(r"(?<=[.!?\"])\s+", paragraph.strip())
                paragraphs.append(" ".join(f"Round {round_no}, {s}" for s in sentences if s))
            block = f"## {title.strip()}, round {round_no}\n\n" + "\n\n".join(paragraphs) + "\n"
            out.append(block)
            size += len(block)
    return "\n".join(out)


class SoakEvents(RenderEvents):
    def __init__(self, cancel: CancelToken, deadline: float, chunk_folder: Path | None, prune: bool):
        self.cancel, self.deadline = cancel, deadline
        self.rss: list[int] = []
        self.vram: list[int] = []
        self.batches = self.chunks = 0
        self.audio_seconds = 0.0
        self.started = time.monotonic()
        self.next_report = self.started + 30
        self.chunk_folder, self.prune = chunk_folder, prune
        self.messages: list[str] = []

    def log(self, level: str, message: str) -> None:
        if level != "info" or message.startswith(("Batch size", "Voice", "Book")):
            print(f"  [{level}] {message}", flush=True)
        self.messages.append(message)

    def batch_done(self, report) -> None:
        self.batches += 1
        self.chunks += report.chunks
        self.audio_seconds += report.audio_seconds
        self.rss.append(rss_bytes())
        if report.vram_used is not None:
            self.vram.append(report.vram_used)
        if self.prune and self.chunk_folder is not None:
            # The soak never resumes or assembles: drop rendered chunks so the disk does not fill up.
            for path in self.chunk_folder.glob("??/*.flac"):
                path.unlink(missing_ok=True)
        now = time.monotonic()
        if now >= self.next_report:
            self.next_report = now + 30
            vram = f", VRAM {self.vram[-1] / MIB:,.0f} MiB" if self.vram else ""
            print(f"  {now - self.started:6.0f}s: {self.batches} batches, {self.chunks} chunks, "
                  f"{self.audio_seconds / 60:.1f} min of audio, RSS {self.rss[-1] / MIB:,.0f} MiB{vram}", flush=True)
        if now >= self.deadline:
            self.cancel.cancel()


def describe(name: str, values: list[int]) -> None:
    if not values:
        print(f"{name}: no samples")
        return
    mib = [v / MIB for v in values]
    half = mib[len(mib) // 2:]
    whole, steady = slope_per_100(mib), slope_per_100(half)
    fmt = (lambda s: "n/a" if s is None else f"{s:+.3f}")  # noqa: E731
    print(f"{name}: start {mib[0]:,.1f} MiB, max {max(mib):,.1f} MiB, end {mib[-1]:,.1f} MiB; "
          f"slope {fmt(whole)} MiB/100 batches (second half {fmt(steady)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch-size", default=None, help="a number or auto (default: the settings' default)")
    parser.add_argument("--max-chars", type=int, default=None)
    parser.add_argument("--chars", type=int, default=None,
                        help="book size in characters (default: enough for --minutes at a generous rate)")
    parser.add_argument("--keep-chunks", action="store_true", help="do not delete chunks as they are rendered")
    args = parser.parse_args()

    source = SOURCE if SOURCE.is_file() else FALLBACK
    kw = {}
    if args.batch_size is not None:
        kw["batch_size"] = args.batch_size if args.batch_size == "auto" else int(args.batch_size)
    if args.max_chars is not None:
        kw["max_chars"] = args.max_chars
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    settings = RenderSettings(device=args.device, cache_dir=str(work / "cache"), outputs=[], **kw)
    on_gpu = settings.resolved_device().startswith("cuda")
    # Generous: ~400 characters/s on a 2-core CPU, far more on a GPU; a book that runs out is reported.
    chars = args.chars or int(args.minutes * 60 * (40_000 if on_gpu else 1_000)) + 20_000
    book = work / "soak.md"
    book.write_text(endless_book(source, chars), encoding="utf-8")
    print(f"soak: {args.minutes:g} min on {settings.resolved_device()}, book {chars:,} characters from {source.name}")

    cancel = CancelToken()
    deadline = time.monotonic() + args.minutes * 60
    job = RenderJob(book, work / "out", settings)
    engine = AudioEngine(job, None, cancel)
    events = SoakEvents(cancel, deadline, engine.job_dir() / "chunks", not args.keep_chunks)
    engine.events = events
    started = time.monotonic()
    code = 0
    try:
        engine.run()
        print("the book ran out before the time did (pass a larger --chars)")
    except RenderStopped:
        pass
    except RenderFailed as exc:
        print(f"render failed: {exc}")
        code = 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = time.monotonic() - started
    print(f"ran {wall / 60:.1f} min: {events.batches} batches, {events.chunks} chunks, "
          f"{events.audio_seconds / 60:.1f} min of audio ({events.audio_seconds / wall:.1f}x real time)")
    print(f"samples: {len(events.rss)}")
    describe("RSS", events.rss)
    if events.vram:
        describe("VRAM (device-wide)", events.vram)
    else:
        print("VRAM: n/a (no GPU)")
    return code


if __name__ == "__main__":
    sys.exit(main())
