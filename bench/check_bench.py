"""The listening check: its cost against rendering, its false alarms, and the damage it catches.

    python bench/check_bench.py [--text FILE ...] [--seed N] [--no-render]

For each text (default: the bundled demo book and ../shared/bench/lighthouse.md) it renders every
chunk with the engine's synthesizer as a render would (same chunks, same seeds, CPU mode of this
machine), then, in the same run:

- cost against synthesis: seconds to check all chunks (Transcriber.score, the model loaded) /
  seconds to synthesize them; each the second of two passes (a long book's steady pace);
- cost against a render: the whole render of the text by the engine (plan, voice, cache, chapter
  files, M4B; fresh caches), with the check off and with `--check flag`: the seconds the engine logs
  for its check (model load included) / the seconds of the render without it (skip: --no-render);
- false alarms: the share of clean chunks flagged (goal < 2%);
- catches: every chunk of three or more words is damaged three ways in turn (its second half cut
  off, the audio of another chunk of the text, silence), with the other chunks of the text clean
  around it as in a real window, and the share flagged is printed per kind (goal >= 95%).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_TEXTS = [ROOT / "resources" / "demo_book.md", ROOT.parent / "shared" / "bench" / "lighthouse.md"]


def rendered_chunks(path: Path):
    from backend.render.cpu_mode_step import planning_settings
    from backend.render.plan import make_plan
    from backend.settings import RenderSettings
    from backend.text import load_book
    from backend.tts.synth import Synthesizer, SynthItem

    settings = planning_settings(RenderSettings(device="cpu"))
    synth = Synthesizer.load(None, dtype=settings.precision, cpu_streams=settings.cpu_streams)
    plan = make_plan(load_book(path), synth.voice, settings)
    chunks = list(plan.unique_keys.values())
    step = synth.parallel_chunks
    for _ in range(2):  # the second pass is timed: a book's steady pace, past the first batches' set-up
        t0 = time.perf_counter()
        audios = []
        for first in range(0, len(chunks), step):
            batch = chunks[first : first + step]
            audios += synth.synthesize_batch([SynthItem(synth.phoneme_ids(pc.spoken), pc.seed) for pc in batch])
    return [pc.spoken for pc in chunks], audios, time.perf_counter() - t0, synth.sample_rate, settings


def render_shares(path: Path) -> tuple[float, float, float]:
    """(render seconds with the check off, with it on, the check's own seconds as the engine logs them)."""
    import re
    import tempfile

    from backend.render.engine import AudioEngine, RenderJob
    from backend.render.events import RenderEvents
    from backend.settings import RenderSettings

    class Logs(RenderEvents):
        def __init__(self):
            self.lines = []

        def log(self, level, message):
            self.lines.append(message)

    times, check_s = {}, 0.0
    for check in ("off", "flag"):
        with tempfile.TemporaryDirectory() as folder:
            settings = RenderSettings(device="cpu", cache_dir=str(Path(folder) / "cache"), check=check)
            events = Logs()
            t0 = time.perf_counter()
            AudioEngine(RenderJob(path, Path(folder) / "out", settings), events).run()
            times[check] = time.perf_counter() - t0
            for line in events.lines:
                if found := re.match(r"Speech check done in ([0-9.]+)s", line):
                    check_s = float(found.group(1))
    return times["off"], times["flag"], check_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", action="append", type=Path, help="texts to use (default: the demo book and lighthouse.md)")
    parser.add_argument("--seed", type=int, default=0, help="which other chunk's audio replaces a chunk")
    parser.add_argument("--no-render", action="store_true", help="skip the whole-render measurement")
    args = parser.parse_args()
    from backend.check.transcriber import Transcriber
    from backend.check.words import comparable_words

    t0 = time.perf_counter()
    transcriber = Transcriber()
    print(f"model: {transcriber.name}, loaded in {time.perf_counter() - t0:.2f}s")
    rng = random.Random(args.seed)
    totals = {"clean": [0, 0], "cut": [0, 0], "other": [0, 0], "silence": [0, 0]}
    for path in args.text or [p for p in DEFAULT_TEXTS if p.exists()]:
        texts, audios, render_s, rate, settings = rendered_chunks(path)
        seconds = sum(len(a) for a in audios) / rate
        for _ in range(2):  # the second pass is timed, as the voice's
            t0 = time.perf_counter()
            scores = transcriber.score(texts, audios, rate)
            check_s = time.perf_counter() - t0
        flagged = [t for t, s in zip(texts, scores, strict=True) if s.flagged]
        totals["clean"][0] += len(flagged)
        totals["clean"][1] += len(texts)
        print(f"\n{path.name}: {len(texts)} chunks, {seconds:.0f} s of audio; precision {settings.precision}, "
              f"{settings.cpu_streams} CPU streams")
        print(f"  render {render_s:.2f}s ({seconds / render_s:.1f}x real time), check {check_s:.2f}s "
              f"({seconds / check_s:.1f}x real time): check/render = {check_s / render_s:.2f}")
        if not args.no_render:
            off_s, on_s, engine_check_s = render_shares(path)
            print(f"  whole render {off_s:.2f}s with the check off, {on_s:.2f}s with it on; the check "
                  f"{engine_check_s:.2f}s (model load included): check/render = {engine_check_s / off_s:.2f}")
        print(f"  false alarms: {len(flagged)} of {len(texts)} clean chunks ({len(flagged) / len(texts):.1%})")
        for text in flagged[:5]:
            print(f"    flagged: {text[:70]!r}")
        damaged_kinds = {
            "cut": lambda i: audios[i][: len(audios[i]) // 2],
            "other": lambda i: audios[rng.choice([j for j in range(len(audios)) if texts[j] != texts[i]])],
            "silence": lambda i: np.zeros_like(audios[i]),
        }
        targets = [i for i, t in enumerate(texts) if len(comparable_words(t)) >= 3]
        for kind, damage in damaged_kinds.items():
            caught = 0
            for i in targets:
                copy = list(audios)
                copy[i] = damage(i)
                caught += transcriber.score(texts, copy, rate)[i].flagged
            totals[kind][0] += caught
            totals[kind][1] += len(targets)
            print(f"  {kind}: {caught} of {len(targets)} damaged chunks flagged ({caught / max(1, len(targets)):.1%})")
    print("\nall texts:")
    for kind, (hit, count) in totals.items():
        what = "false alarms" if kind == "clean" else f"{kind} caught"
        print(f"  {what}: {hit} of {count} ({hit / max(1, count):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
