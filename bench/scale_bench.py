"""Scale-out: chunks per second rendered in one process, on local worker processes and on a local
Ray instance, same run, as ratios to the one-process render.

    python bench/scale_bench.py [--text FILE] [--workers N] [--no-ray]

Each mode renders the whole text into its own empty cache (float32, so every mode does the same
arithmetic), and the rate counts from the start of the render stage (worker processes or actors
starting, loading the voice and warming up included) to the last chunk stored. Assembly and
mastering are left out (outputs none, master off): they are the same in every mode. The modes:

- one process, N CPU streams (the engine's default on a CPU): the reference;
- N local worker processes (--workers N), one thread each;
- a local Ray instance (ray.init(num_cpus=N), --cluster auto): N actors, one thread each; the
  instance's own start-up is printed apart.

All modes must give the same samples; the script checks it and says so.
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
DEFAULT_TEXT = ROOT.parent / "shared" / "bench" / "lighthouse.md"


class Timer:
    """Render-stage timing from the engine's events."""

    def __init__(self):
        from backend.render.events import RenderEvents

        self.start = self.end = None
        self.chunks = 0
        timer = self

        class Events(RenderEvents):
            def progress(self, p):
                if p.stage == "render":
                    timer.start = timer.start or time.perf_counter()
                    timer.end = time.perf_counter()
                    timer.chunks = p.total

        self.events = Events()


def render(text: Path, tmp: Path, name: str, **settings) -> tuple[float, list]:
    import soundfile as sf

    from backend.render.engine import AudioEngine, RenderJob
    from backend.settings import RenderSettings

    timer = Timer()
    st = RenderSettings(device="cpu", precision="float32", outputs=[], master="off", cache_dir=str(tmp / name),
                        **settings)
    AudioEngine(RenderJob(text, tmp / f"{name} out", st), timer.events).run()
    seconds = timer.end - timer.start
    audio = [sf.read(p, dtype="float32")[0] for p in sorted((tmp / f"{name} out").glob("*.flac"))]
    return timer.chunks / seconds, audio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    import os

    n = args.workers
    print(f"{args.text.name}: {args.text.stat().st_size:,} bytes; {os.cpu_count()} CPUs; {n} streams / workers / actors")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        results["one process"] = render(args.text, tmp, "one", cpu_streams=n, workers=1)
        results["local workers"] = render(args.text, tmp, "local", workers=n)
        if not args.no_ray:
            try:
                import ray
            except ImportError:
                print('Ray is not installed (pip install ".[cluster]"): the Ray row is left out.')
            else:
                t0 = time.perf_counter()
                ray.init(num_cpus=n, include_dashboard=False, log_to_driver=False, configure_logging=False)
                print(f"Ray instance started in {time.perf_counter() - t0:.1f}s (not counted below)")
                try:
                    results["Ray actors"] = render(args.text, tmp, "ray", cluster="auto", workers=n)
                finally:
                    ray.shutdown()
    reference_rate, reference_audio = results["one process"]
    print(f"{'mode':<16} {'chunks/s':>9} {'ratio':>6}  same samples")
    for mode, (rate, audio) in results.items():
        same = len(audio) == len(reference_audio) and all(np.array_equal(a, b) for a, b in zip(audio, reference_audio))
        print(f"{mode:<16} {rate:9.2f} {rate / reference_rate:6.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
