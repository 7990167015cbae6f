"""How chunk length (max_chars) changes CPU synthesis speed, on ../shared/bench/lighthouse.md.

    python bench/chunk_length_bench.py [--sizes 100,200,400,600]

Prints, per max_chars: chunks, audio seconds, wall seconds, real-time factor, and the ratio to
the 400-character default. Speech quality is judged by ear (short chunks cut prosody at every
chunk edge); this script gives the speed side of that trade-off.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.text import load_book, plan_book_chunks  # noqa: E402
from backend.tts.synth import Synthesizer, SynthItem, chunk_seed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", type=Path, default=ROOT.parent / "shared" / "bench" / "lighthouse.md")
    ap.add_argument("--sizes", default="100,200,400,600")
    args = ap.parse_args()
    synth = Synthesizer.load(device="cpu")
    book = load_book(args.text)
    synth.synthesize("Warm up.")
    rows = {}
    for size in (int(s) for s in args.sizes.split(",")):
        chunks = plan_book_chunks(book, size)
        t0, samples = time.perf_counter(), 0
        for c in chunks:
            samples += synth.synthesize_batch([SynthItem(synth.phoneme_ids(c.text), chunk_seed(c.text))])[0].size
        wall, audio = time.perf_counter() - t0, samples / synth.sample_rate
        rows[size] = wall / audio
        print(f"max_chars {size:4d}: {len(chunks):4d} chunks, audio {audio:7.1f} s, wall {wall:6.2f} s, "
              f"RTF {wall / audio:.4f} ({audio / wall:.1f}x real time)")
    if 400 in rows:
        print("speed relative to 400:", ", ".join(f"{k}: {rows[400] / v:.2f}x" for k, v in rows.items()))


if __name__ == "__main__":
    main()
