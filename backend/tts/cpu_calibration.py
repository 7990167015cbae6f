"""Measure which CPU mode renders fastest on this machine (at most ~3 s, once per machine).

Every candidate mode (streams × threads per stream, float32 or bfloat16 decoder) renders the
same few chunks of a fixed sentence; each is timed after a warm-up (bfloat16 builds its AMX
kernels on first use), best of up to three runs. The float32 and bfloat16 audio of the same
chunks are compared (SNR): bfloat16 is allowed only where it sounds the same (cpu_mode_store).
Modes the budget leaves no time for are listed as skipped, never guessed.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from backend.tts.cpu_mode_store import BFLOAT16, FLOAT32, Calibration, CpuMode, machine_fingerprint
from backend.tts.cpu_streams import MAX_STREAMS
from backend.tts.voice import Voice

BUDGET_SECONDS = 3.0
# About 3 s of speech each. The first warms a mode up (threads, bfloat16's kernel builds); the
# timed ones have other lengths, as every chunk of a book has, so per-length costs count.
CALIBRATION_TEXTS = ("The keeper climbed the steps at dusk and lit the lamp.",
                     "A gull cried over the water, and the bell rang twice.",
                     "By morning the storm had passed, leaving the harbour still.")


def bf16_possible() -> bool:
    """Whether oneDNN can run bfloat16 here at all (AVX-512 or newer); whether it is *fast*
    (AVX512-BF16, AMX) is what the trial finds out."""
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def candidate_modes(threads: int, bf16: bool) -> list[CpuMode]:
    """Stream counts from one per thread (capped) down to one stream with every thread, each
    with the threads split evenly; float32 first, most likely winners first within each."""
    counts = []
    for streams in (min(MAX_STREAMS, threads), threads // 2, threads // 4, 1):
        if streams >= 1 and streams not in counts:
            counts.append(streams)
    precisions = [FLOAT32, BFLOAT16] if bf16 else [FLOAT32]
    # Interleaved (fp32 N, bf16 N, fp32 1, bf16 1, ...) so a short budget still measures both.
    return [CpuMode(s, max(1, threads // s), p) for s in counts for p in precisions]


def calibrate(voice: Voice, threads: int | None = None, budget: float = BUDGET_SECONDS,
              modes: list[CpuMode] | None = None, log: Callable[[str], None] | None = None) -> Calibration:
    """Try the modes on this machine and return what each measured (see Calibration.choice)."""
    from backend.tts.synth import Synthesizer, SynthItem, chunk_seed

    threads = threads or torch.get_num_threads()
    modes = modes if modes is not None else candidate_modes(threads, bf16_possible())
    calibration = Calibration(machine_fingerprint(threads))
    started = time.perf_counter()
    synths: dict[str, Synthesizer] = {}
    audio: dict[str, list[np.ndarray]] = {}
    batches, trial_seconds = None, []
    for n, mode in enumerate(modes):
        trial_start = time.perf_counter()
        # The next trial must fit: guess it from the slowest so far (a new precision loads a model too).
        guess = max(trial_seconds, default=0.0) * (1.5 if mode.precision not in synths else 1.0)
        if n and trial_start - started + guess > budget:
            calibration.skipped = modes[n:]
            break
        synth = synths.get(mode.precision)
        if synth is None:
            synth = synths[mode.precision] = Synthesizer(voice, dtype=mode.precision, cpu_streams=mode.streams)
        synth.set_cpu_streams(mode.streams)
        if batches is None:  # every mode renders the same chunks: as many of each text as the most streams
            count = max(m.streams for m in modes)
            batches = [[SynthItem(synth.phoneme_ids(text), chunk_seed(f"{text} {i}")) for i in range(count)]
                       for text in CALIBRATION_TEXTS]
        audio.setdefault(mode.precision, _run_in(synth, batches[0], threads))  # warm-up
        t0 = time.perf_counter()
        samples = sum(len(a) for batch in batches[1:] for a in _run_in(synth, batch, threads))
        calibration.trials.append((mode, (time.perf_counter() - t0) / (samples / synth.sample_rate)))
        trial_seconds.append(time.perf_counter() - trial_start)
        if log is not None:
            log(f"  {mode.describe()}: {1 / calibration.trials[-1][1]:.1f}x real time")
    for synth in synths.values():
        synth.cpu_streams.close()
    if FLOAT32 in audio and BFLOAT16 in audio:
        calibration.bf16_snr_db = snr_db(audio[FLOAT32], audio[BFLOAT16])
    calibration.seconds = time.perf_counter() - started
    return calibration


def snr_db(reference: list[np.ndarray], other: list[np.ndarray]) -> float:
    """Signal-to-difference ratio over all chunks (same seeds, so the same lengths)."""
    signal = sum(float(np.sum(np.square(r, dtype=np.float64))) for r in reference)
    diff = 0.0
    for r, o in zip(reference, other, strict=True):
        n = min(len(r), len(o))
        diff += float(np.sum(np.square(r[:n] - o[:n], dtype=np.float64))) + float(np.sum(np.square(r[n:]))) + \
            float(np.sum(np.square(o[n:])))
    return float("inf") if diff == 0 else 10.0 * float(np.log10(signal / diff))


def _run_in(synth, items, threads: int) -> list[np.ndarray]:
    """The items in batches of the mode's stream count, as the engine renders on a CPU. One
    stream runs on the calling thread: give it every thread, as the engine's worker has."""
    step = synth.parallel_chunks
    before = torch.get_num_threads()
    if step == 1:
        torch.set_num_threads(threads)
    try:
        return [a for start in range(0, len(items), step) for a in synth.synthesize_batch(items[start : start + step])]
    finally:
        torch.set_num_threads(before)
