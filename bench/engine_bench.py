"""Voice engine speed: our PyTorch VITS vs piper-tts/onnxruntime on the same phoneme ids.

    python bench/engine_bench.py [--text ../shared/bench/lighthouse.md] [--threads N]
    python bench/engine_bench.py --device cuda   # also sweeps batch sizes 1..32 with peak VRAM
    python bench/engine_bench.py --device cuda --kit .gpukit   # the sweep alone, on the lent GPU machine

Both engines run in this process with the same thread count, on the same sentences, with the
voice's default noise. Ours runs twice: as the engine renders on a CPU (its parallel streams,
one sentence per stream, the threads split between them) and as one stream with all threads
(the latency of a single sentence). Prints audio seconds, wall seconds, real-time factor
(wall/audio) and the ratios ours/ORT (below 1.0 means we are faster).
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from backend.tts.synth import Synthesizer, SynthItem, chunk_seed  # noqa: E402

DEFAULT_TEXT = ROOT.parent / "shared" / "bench" / "lighthouse.md"


def sentences_of(path: Path, synth: Synthesizer) -> list[tuple[str, list[int]]]:
    """(text, ids) per sentence, as piper would split them (espeak-ng's sentence ends)."""
    text = re.sub(r"^#+\s*", "", path.read_text(encoding="utf-8"), flags=re.M)
    out = []
    for para in (p.strip() for p in text.split("\n\n")):
        for phonemes in synth.phonemizer.sentences(para) if para else []:
            ids = synth.phonemizer.ids_from_phonemes(phonemes)
            if ids:
                out.append((para, ids))
    return out


def ort_engine(model_path: Path, threads: int):
    import onnxruntime
    from piper import PiperVoice

    voice = PiperVoice.load(model_path)
    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    voice.session = onnxruntime.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])
    return voice


def run_ort(voice, items):
    voice.phoneme_ids_to_audio(items[0][1])  # warm-up
    samples = 0
    t0 = time.perf_counter()
    for _, ids in items:
        samples += voice.phoneme_ids_to_audio(ids).shape[-1]
    return samples, time.perf_counter() - t0


def run_ours(synth: Synthesizer, items, batch_size: int = 1):
    """Longest first, batch_size at a time: the AudioEngine's order, so a batch holds similar lengths."""
    synth.synthesize_batch([SynthItem(items[0][1], 0)] * batch_size)  # warm-up (and the streams' threads)
    reqs = [SynthItem(ids, chunk_seed(str(i))) for i, (_, ids) in enumerate(items)]
    reqs.sort(key=lambda r: -len(r.ids))
    samples = 0
    if synth.device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for start in range(0, len(reqs), batch_size):
        samples += sum(a.shape[0] for a in synth.synthesize_batch(reqs[start : start + batch_size]))
    if synth.device.type == "cuda":
        torch.cuda.synchronize()
    return samples, time.perf_counter() - t0


def report(name: str, samples: int, wall: float, rate: int) -> float:
    audio = samples / rate
    print(f"{name:<28} audio {audio:8.1f} s   wall {wall:7.2f} s   RTF {wall / audio:.4f}  ({audio / wall:5.1f}x real time)")
    return wall / audio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--voice", type=Path, default=None)
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per engine; the best counts")
    ap.add_argument("--limit", type=int, default=0, help="only the first N sentences")
    ap.add_argument("--precision", default="float32", help="of the GPU sweep: float32, float16 or bfloat16")
    ap.add_argument("--kit", type=Path, default=None,
                    help="a folder made by bench/gpu_kit.py: its voice and phoneme ids, GPU sweep only (no ORT)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.kit:
        from gpu_kit import kit_sentences, use_kit

        args.voice, _ = use_kit(args.kit)
        items = kit_sentences(args.kit)
    else:
        synth = Synthesizer.load(args.voice, device="cpu")  # parallel streams, as the engine renders
        items = sentences_of(args.text, synth)
    if args.limit:
        items = items[: args.limit]
    print(f"{len(items)} sentences from {args.text.name}, {args.threads} threads, torch {torch.__version__}")
    ort_rtf = None if args.kit else compare_on_cpu(args, items, synth)
    if args.device.startswith("cuda"):
        sweep_gpu(args, items, ort_rtf)


def compare_on_cpu(args, items, synth: Synthesizer) -> float:
    """ORT, ours as the engine renders (streams) and ours one sentence at a time; returns ORT's RTF."""
    single = Synthesizer.load(args.voice, device="cpu", cpu_streams=1)
    rate = synth.sample_rate
    # Alternate the engines and keep each one's best round: this machine's speed drifts.
    # An idle ORT session's threads slow torch by ~16% on 2 cores, so each round opens and
    # closes its own session (load time not counted).
    ort_runs, our_runs, single_runs = [], [], []
    streams = synth.parallel_chunks
    for _ in range(args.rounds):
        ort_voice = ort_engine(synth.voice.model_path, args.threads)
        ort_runs.append(run_ort(ort_voice, items))
        del ort_voice
        gc.collect()
        time.sleep(1.0)
        our_runs.append(run_ours(synth, items, streams))
        single_runs.append(run_ours(single, items))
    ort_rtf = report("piper-tts / onnxruntime", *min(ort_runs, key=lambda r: r[1]), rate)
    per = synth.cpu_streams.threads_per_stream
    ours_rtf = report(f"ours ({streams} streams x {per} thr)", *min(our_runs, key=lambda r: r[1]), rate)
    single_rtf = report(f"ours (1 stream x {args.threads} thr)", *min(single_runs, key=lambda r: r[1]), rate)
    print(f"ratio ours/ORT (CPU, as the engine renders, best of {args.rounds} alternating rounds): {ours_rtf / ort_rtf:.3f}")
    print(f"ratio ours/ORT (CPU, one sentence at a time): {single_rtf / ort_rtf:.3f}")
    print(f"model load: {synth.load_seconds:.2f} s (torch already imported)")
    return ort_rtf


def sweep_gpu(args, items, ort_rtf: float | None) -> None:
    gpu = Synthesizer.load(args.voice, device=args.device, dtype=args.precision)
    print(f"\nGPU: {torch.cuda.get_device_name(gpu.device)}, {args.precision}, model load {gpu.load_seconds:.2f} s")
    for bs in (1, 2, 4, 8, 16, 32):
        torch.cuda.reset_peak_memory_stats(gpu.device)
        rtf = report(f"ours cuda batch {bs}", *run_ours(gpu, items, bs), gpu.sample_rate)
        peak = torch.cuda.max_memory_allocated(gpu.device) / 2**20
        reserved = torch.cuda.max_memory_reserved(gpu.device) / 2**20
        versus = f"  vs ORT CPU x{ort_rtf / rtf:.1f}" if ort_rtf else ""
        print(f"{'':28} peak allocated {peak:8.1f} MiB  peak reserved {reserved:8.1f} MiB{versus}")


if __name__ == "__main__":
    main()
