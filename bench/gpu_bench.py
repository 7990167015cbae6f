"""GPU render benchmark: ../shared/bench/lighthouse.md through the real AudioEngine on CUDA.

    python bench/gpu_bench.py                 # batch 1, 2, 4, 8, 16, 32 and Auto, expandable segments
                                              # on and off, and a forced-OOM run with a low VRAM cap
    python bench/gpu_bench.py --quick         # batch 1, 8 and Auto only
    python bench/gpu_bench.py --kit .gpukit   # on the lent GPU machine (see bench/gpu_kit.py)

Every configuration runs in its own process (the allocator reads its settings at torch import).
Prints per run: real-time factor, throughput vs batch 1, peak allocated/reserved, reserved/allocated,
max fragmentation, allocation retries, OOM recoveries, and whether every chunk was rendered.
Targets: batching >= 8x batch-1 throughput; peak reserved <= 1.15x peak allocated; the
forced-OOM run completes with every chunk.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT.parent / "shared" / "bench" / "lighthouse.md"


def child(args) -> None:
    sys.path.insert(0, str(ROOT))
    voice = None
    if args.kit:  # the lent GPU machine: the kit's voice, text and phoneme ids (bench/gpu_kit.py)
        sys.path.insert(0, str(ROOT / "bench"))
        from gpu_kit import use_kit

        voice, args.text = use_kit(args.kit)
    from backend.gpu.session import prepare_process

    prepare_process()
    from backend.render.engine import AudioEngine, RenderJob
    from backend.render.events import RenderEvents
    from backend.settings import RenderSettings

    class Quiet(RenderEvents):
        def __init__(self):
            self.batches = []

        def batch_done(self, report):
            self.batches.append(report)

    work = Path(tempfile.mkdtemp(prefix="gpu-bench-"))
    batch = args.batch if args.batch == "auto" else int(args.batch)
    settings = RenderSettings(device=args.device, batch_size=batch, cache_dir=str(work / "cache"), outputs=[],
                              vram_limit_percent=args.cap, precision=args.precision,
                              voice=str(voice) if voice else None)
    events = Quiet()

    def session_factory(synth, st, log):
        from backend.gpu.session import open_session

        session = open_session(synth, st, log)
        if args.cap_gb and hasattr(session, "memory"):  # a cap far below the card, to force OOM recovery
            session.memory.set_cap_fraction(min(1.0, args.cap_gb * 2**30 / session.memory.total))
        return session

    engine = AudioEngine(RenderJob(Path(args.text), work / "out", settings), events, session_factory=session_factory)
    summary = engine.run()
    synth_seconds = sum(b.seconds for b in events.batches)
    audio = sum(b.audio_seconds for b in events.batches)
    rows = getattr(engine.session, "record", None)
    rows = rows.rows if rows else []
    state = getattr(engine.session, "state", None)
    print(json.dumps({
        "batch": args.batch, "expandable": os.environ.get("PYTORCH_ALLOC_CONF", ""), "cap": args.cap,
        "synth_seconds": synth_seconds, "audio_seconds": audio, "chunks": summary.chunks,
        "rendered": summary.rendered, "batch_sizes": sorted({b.chunks for b in events.batches}),
        "peak_allocated_mb": max((r["peak_allocated_mb"] for r in rows), default=0),
        "peak_reserved_mb": max((r["peak_reserved_mb"] for r in rows), default=0),
        "max_fragmentation": max((r["fragmentation"] for r in rows), default=0),
        "alloc_retries": max((r["alloc_retries"] for r in rows), default=0),
        "oom_recoveries": state.oom_recoveries if state else 0,
        "cpu_fallbacks": state.cpu_fallbacks if state else 0,
    }))


def run(config: dict, args) -> dict | None:
    env = dict(os.environ)
    if config.get("expandable") is False:  # our default on Linux is expandable_segments:True
        env["PYTORCH_ALLOC_CONF"] = env["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:False"
    cmd = [sys.executable, __file__, "--child", "--batch", str(config["batch"]), "--device", args.device,
           "--text", str(args.text), "--precision", args.precision]
    if config.get("cap_gb"):
        cmd += ["--cap-gb", str(config["cap_gb"])]
    if args.kit:
        cmd += ["--kit", str(args.kit)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  run {config} failed:\n{proc.stderr[-2000:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--batch", default="1")
    ap.add_argument("--cap", type=int, default=None, help="VRAM limit percent for the run")
    ap.add_argument("--cap-gb", type=float, default=None, help="a hard VRAM cap in GB (forces OOM recovery)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--precision", default="float32")
    ap.add_argument("--text", type=Path, default=TEXT)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--kit", type=Path, default=None, help="a folder made by bench/gpu_kit.py (the lent GPU machine)")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    sizes = [1, 8, "auto"] if args.quick else [1, 2, 4, 8, 16, 32, "auto"]
    configs = [{"batch": b} for b in sizes] + [{"batch": 8, "expandable": False}, {"batch": "auto", "expandable": False}]
    # Batch 32 of ~400-character chunks needs several GB; a 1.5 GB cap forces splits (and shows recovery).
    configs.append({"batch": 32, "cap_gb": 1.5, "label": "forced OOM (1.5 GB cap)"})
    base = None
    print(f"{'run':<26}{'RTF':>8}{'vs b1':>8}{'peak alloc':>12}{'peak res':>10}{'res/alloc':>10}{'frag':>7}"
          f"{'retries':>8}{'OOM rec':>8}{'CPU':>5}  all chunks  sizes")
    for config in configs:
        r = run(config, args)
        if r is None:
            continue
        rtf = r["synth_seconds"] / r["audio_seconds"] if r["audio_seconds"] else float("nan")
        base = base or rtf
        label = config.get("label") or f"batch {config['batch']}" + (" no-expandable" if config.get("expandable") is False else "")
        ratio = r["peak_reserved_mb"] / r["peak_allocated_mb"] if r["peak_allocated_mb"] else float("nan")
        print(f"{label:<26}{rtf:8.4f}{base / rtf:7.1f}x{r['peak_allocated_mb']:10.0f}MB{r['peak_reserved_mb']:8.0f}MB"
              f"{ratio:10.2f}{r['max_fragmentation']:7.0%}{r['alloc_retries']:8d}{r['oom_recoveries']:8d}"
              f"{r['cpu_fallbacks']:5d}  {str(r['rendered'] == r['chunks']):>10}  {r['batch_sizes']}")


if __name__ == "__main__":
    main()
