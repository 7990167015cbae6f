"""Voice engine speed: our PyTorch VITS vs piper-tts/onnxruntime on the same phoneme ids.

    python bench/engine_bench.py [--text ../shared/bench/lighthouse.md] [--threads N]
    python bench/engine_bench.py --device cuda   # also sweeps batch sizes 1..32 with peak VRAM
    python bench/engine_bench.py --device cuda --kit .gpukit   # the sweep alone, on the lent GPU machine

Both engines run in this process with the same thread count, on the same sentences, with the
voice's default noise. Ours runs in every CPU mode the calibration tries (streams x threads per
stream, float32 or bfloat16 decoder; one stream = one sentence at a time with all threads), then
the calibration itself runs and names its pick. Prints audio seconds, wall seconds, real-time
factor (wall/audio) and the ratios ours/ORT (below 1.0 means we are faster): as the engine
renders (the pick), float32 only, and one sentence at a time.
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
    print(f"{name:<44} {audio:7.1f}s   {wall:6.2f}s   {wall / audio:.4f}  ({audio / wall:5.1f}x real time)")
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
    ap.add_argument("--multi-speaker", action="store_true",
                    help="also: a multi-speaker voice of the medium preset's size (built with Piper's training code, "
                         "random weights) in ORT and ours")
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
    if args.multi_speaker and not args.kit:
        multi_speaker_row(args, items)
    if args.device.startswith("cuda"):
        sweep_gpu(args, items, ort_rtf)


def compare_on_cpu(args, items, synth: Synthesizer) -> float:
    """ORT as piper runs it, and ours in every CPU mode the calibration tries; returns ORT's RTF.

    Alternating rounds, each engine's best counts (this machine's speed drifts). An idle ORT
    session's threads slow torch by ~16% on 2 cores, so each round opens and closes its own
    session (load time not counted)."""
    from backend.tts.cpu_calibration import bf16_possible, calibrate, candidate_modes
    from backend.tts.cpu_mode_store import cpu_model_name

    rate = synth.sample_rate
    modes = candidate_modes(args.threads, bf16_possible())
    synths = {}
    for mode in modes:
        synths[mode] = Synthesizer.load(args.voice, device="cpu", dtype=mode.precision, cpu_streams=mode.streams)
    print(f"CPU: {cpu_model_name()}; {args.threads} threads; bfloat16 possible: {bf16_possible()}")
    ort_runs, runs = [], {mode: [] for mode in modes}
    for _ in range(args.rounds):
        ort_voice = ort_engine(synth.voice.model_path, args.threads)
        ort_runs.append(run_ort(ort_voice, items))
        del ort_voice
        gc.collect()
        time.sleep(1.0)
        for mode in modes:
            runs[mode].append(run_ours(synths[mode], items, mode.streams))
    print(f"{'backend / mode':<44} {'audio':>8}   {'wall':>7}   {'RTF':>6}")
    ort_rtf = report("onnxruntime (piper's graph), 1 session", *min(ort_runs, key=lambda r: r[1]), rate)
    rtfs = {mode: report(f"torch, {mode.describe()}", *min(runs[mode], key=lambda r: r[1]), rate) for mode in modes}
    for one in synths.values():
        one.cpu_streams.close()
    cal = calibrate(synth.voice, args.threads)
    chosen = cal.choice()
    print(f"calibration ({cal.seconds:.1f} s; bfloat16 SNR vs float32: "
          f"{'n/a' if cal.bf16_snr_db is None else f'{cal.bf16_snr_db:.1f} dB'}) picks: {chosen.describe()}"
          + (f"; not measured: {', '.join(m.describe() for m in cal.skipped)}" if cal.skipped else ""))
    best_fp32 = min((m for m in modes if m.precision == "float32"), key=lambda m: rtfs[m])
    print(f"ratio ours/ORT (CPU, as the engine renders: the calibration's pick, best of {args.rounds} alternating "
          f"rounds): {rtfs[chosen] / ort_rtf:.3f}")
    print(f"ratio ours/ORT (CPU, float32 only, fastest mode {best_fp32.describe()}): {rtfs[best_fp32] / ort_rtf:.3f}")
    single = next((m for m in modes if m.streams == 1 and m.precision == chosen.precision), None)
    if single is not None:
        print(f"ratio ours/ORT (CPU, one sentence at a time, {single.describe()}): {rtfs[single] / ort_rtf:.3f}")
    print(f"model load: {synth.load_seconds:.2f} s (torch already imported)")
    return ort_rtf


def multi_speaker_row(args, items) -> None:
    """Ours (float32 and the calibration's pick) vs ORT on a multi-speaker voice of the medium preset's
    size, speaker 1 of 4 (gin 512, Piper's default), same sentences."""
    import tempfile

    import numpy as np

    from backend.tts.cpu_calibration import calibrate
    from tests.tts.piper_voices import Preset, export_voice, ort_session

    medium = Preset("medium", {"a": 0, "b": 1, "c": 2, "d": 3}, hidden=192, gin=512, resblock="2",
                    resblock_kernels=(3, 5, 7), resblock_dilations=((1, 2), (2, 6), (3, 12)), upsample_rates=(8, 8, 4),
                    upsample_kernels=(16, 16, 8), upsample_initial=256, n_layers=6, filter=768, seed=3)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_voice(medium, Path(tmp))
        session = ort_session(path)

        def ort_run():
            samples, t0 = 0, time.perf_counter()
            for _, ids in items:
                samples += session.run(None, {"input": np.array([ids], dtype=np.int64),
                                              "input_lengths": np.array([len(ids)], dtype=np.int64),
                                              "scales": np.array([0.667, 1.0, 0.8], dtype=np.float32),
                                              "sid": np.array([1], dtype=np.int64)})[0].size
            return samples, time.perf_counter() - t0

        pick = calibrate(Synthesizer.load(path).voice, args.threads).choice()
        ours = {"float32": Synthesizer.load(path, cpu_streams=pick.streams),
                pick.precision: Synthesizer.load(path, cpu_streams=pick.streams, dtype=pick.precision)}
        ort_runs, our_runs = [], {k: [] for k in ours}
        ort_run()
        for _ in range(args.rounds):
            ort_runs.append(ort_run())
            for name, synth in ours.items():
                reqs = [SynthItem(ids, chunk_seed(str(i)), speaker=1) for i, (_, ids) in enumerate(items)]
                synth.synthesize_batch(reqs[:pick.streams])
                t0, samples = time.perf_counter(), 0
                for start in range(0, len(reqs), pick.streams):
                    samples += sum(len(a) for a in synth.synthesize_batch(reqs[start : start + pick.streams]))
                our_runs[name].append((samples, time.perf_counter() - t0))
        print("\nmulti-speaker voice, medium preset's size (4 speakers, gin 512), speaker 1:")
        ort_rtf = report("onnxruntime, 1 session", *min(ort_runs, key=lambda r: r[1]), 22050)
        for name, runs in our_runs.items():
            rtf = report(f"torch, {pick.streams} streams, {name}", *min(runs, key=lambda r: r[1]), 22050)
            print(f"ratio ours/ORT (multi-speaker, {name}): {rtf / ort_rtf:.3f}")
        for synth in ours.values():
            synth.cpu_streams.close()


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
