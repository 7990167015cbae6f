"""Where the CPU time goes, ours against onnxruntime, part by part and op by op (one thread).

    python bench/cpu_profile_bench.py [--limit 12] [--compile]

onnxruntime runs piper's graph of the same voice (its node names follow the model's parts:
/enc_p, /dp, /flow, /dec) with its own profiler; ours is timed per part (text encoder, duration
predictor, flow, decoder) in float32 and bfloat16, and PyTorch's profiler lists our top ops.
`--compile` also measures torch.compile (inductor, dynamic lengths) on the plain-conv branches of
the flow and decoder: its compile time and its speed after compiling, against ours.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine_bench import DEFAULT_TEXT, run_ours, sentences_of  # noqa: E402

from backend.tts.synth import Synthesizer, SynthItem  # noqa: E402

PARTS = ("enc_p", "dp", "flow", "dec")


def ort_parts(model_path: Path, items) -> tuple[float, dict, list]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.enable_profiling = True
    opts.profile_file_prefix = str(Path(os.environ.get("TMPDIR", "/tmp")) / "ort-profile")
    sess = ort.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])

    def run(ids):
        return sess.run(None, {"input": np.array([ids], dtype=np.int64),
                               "input_lengths": np.array([len(ids)], dtype=np.int64),
                               "scales": np.array([0.667, 1.0, 0.8], dtype=np.float32)})[0]

    run(items[0][1])
    t0, samples = time.perf_counter(), 0
    for _, ids in items:
        samples += run(ids).size
    wall = time.perf_counter() - t0
    profile = Path(sess.end_profiling())
    parts, ops = collections.Counter(), collections.Counter()
    for event in json.loads(profile.read_text()):
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            part = event["name"].split("/")[1] if event["name"].startswith("/") else "other"
            parts[part] += event["dur"] / 1e3
            ops[(part, event["args"].get("op_name"))] += event["dur"] / 1e3
    profile.unlink()
    return wall / (samples / 22050), parts, ops.most_common(8)


def our_parts(dtype: str, items) -> tuple[float, dict, list]:
    synth = Synthesizer.load(None, device="cpu", cpu_streams=1, dtype=dtype)
    spent = collections.Counter()

    def timed(module, name, method="forward"):
        inner = getattr(module, method)

        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            out = inner(*args, **kwargs)
            spent[name] += (time.perf_counter() - t0) * 1e3
            return out

        setattr(module, method, wrapper)

    for name in PARTS:
        timed(getattr(synth.model, name), name, "reverse" if name == "flow" else "forward")
    synth.synthesize_batch([SynthItem(items[0][1], 1)])
    spent.clear()
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        t0, samples = time.perf_counter(), 0
        for _, ids in items:
            samples += len(synth.synthesize_batch([SynthItem(ids, 1)])[0])
        wall = time.perf_counter() - t0
    top = [(e.key, e.self_cpu_time_total / 1e3) for e in sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:8]]
    return wall / (samples / synth.sample_rate), spent, top


def compiled(items) -> None:
    from backend.tts.vits import kernels

    ours = Synthesizer.load(None, device="cpu", cpu_streams=1)
    comp = Synthesizer.load(None, device="cpu", cpu_streams=1)
    with kernels.cuda_kernels_on_cpu():  # the plain conv branches: what the compiler can trace
        t0 = time.perf_counter()
        comp.model.dec.forward = torch.compile(comp.model.dec.forward, dynamic=True)
        comp.model.flow.reverse = torch.compile(comp.model.flow.reverse, dynamic=True)
        for _, ids in items[:2]:
            comp.synthesize_batch([SynthItem(ids, 1)])
        print(f"torch.compile: {time.perf_counter() - t0:.1f} s to compile and run two sentences")
        n, wall = run_ours(comp, items)
        compiled_rtf = wall / (n / 22050)
    n, wall = run_ours(ours, items)
    print(f"torch.compile RTF {compiled_rtf:.4f} against ours {wall / (n / 22050):.4f}: "
          f"{compiled_rtf / (wall / (n / 22050)):.2f}x our time")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=12)
    ap.add_argument("--compile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    synth = Synthesizer.load(None, device="cpu", cpu_streams=1)
    items = sentences_of(DEFAULT_TEXT, synth)[: args.limit]
    rows = [("onnxruntime", *ort_parts(synth.voice.model_path, items))]
    rows += [(f"ours {dtype}", *our_parts(dtype, items)) for dtype in ("float32", "bfloat16")]
    print(f"{len(items)} sentences, 1 thread; milliseconds per part (profilers add a little)")
    print(f"{'engine':<16} {'RTF':>7} " + " ".join(f"{p:>7}" for p in PARTS))
    for name, rtf, parts, _ in rows:
        print(f"{name:<16} {rtf:7.4f} " + " ".join(f"{parts.get(p, 0):7.0f}" for p in PARTS))
    for name, _, _, top in rows:
        print(f"{name} top ops: " + ", ".join(f"{op if isinstance(op, str) else '/'.join(op)} {ms:.0f}" for op, ms in top))
    if args.compile:
        compiled(items)


if __name__ == "__main__":
    main()
