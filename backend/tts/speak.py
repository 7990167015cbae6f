"""Speak a list of text chunks into one WAV, streaming: memory does not grow with the text.

A small stand-in for the full AudioEngine (chunk cache, resume, chapters, M4B), which builds
on the same Synthesizer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from backend.tts.synth import Synthesizer, SynthItem, chunk_seed

# Silence after a chunk, by what the chunk ends (seconds).
PAUSE_SENTENCE, PAUSE_PARAGRAPH, PAUSE_CHAPTER = 0.25, 0.7, 1.5


@dataclass
class SpeakSummary:
    path: Path
    chunks: int
    audio_seconds: float
    wall_seconds: float


def speak_chunks_to_wav(chunks: Sequence, output: Path, *, voice_path=None, device="cpu", batch_size=1,
                        length_scale=None, log: Callable[[str], None] = lambda m: None, precision: str = "float32",
                        cpu_streams: int | str = "auto", speaker: int | tuple = 0) -> SpeakSummary:
    import soundfile as sf

    t0 = time.perf_counter()
    synth = Synthesizer.load(voice_path, device=device, dtype=precision, cpu_streams=cpu_streams)
    log(f"Voice {synth.voice.name} loaded on {synth.device} in {synth.load_seconds:.2f}s")
    batch_size = max(batch_size, synth.parallel_chunks)  # on a CPU: one chunk per stream, side by side
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    samples = 0
    with sf.SoundFile(tmp, "w", samplerate=synth.sample_rate, channels=1, subtype="PCM_16", format="WAV") as wav:
        for start in range(0, len(chunks), batch_size):
            batch = chunks[start : start + batch_size]
            tb = time.perf_counter()
            items = [SynthItem(synth.phoneme_ids(c.text), chunk_seed(c.text), length_scale, speaker=speaker) for c in batch]
            for chunk, audio in zip(batch, synth.synthesize_batch(items)):
                pause = PAUSE_CHAPTER if chunk.ends_chapter else PAUSE_PARAGRAPH if chunk.ends_paragraph else PAUSE_SENTENCE
                audio = np.concatenate([audio, np.zeros(int(pause * synth.sample_rate), np.float32)])
                wav.write(np.clip(audio, -1.0, 1.0))
                samples += len(audio)
            took = time.perf_counter() - tb
            log(f"Batch {start // batch_size + 1} ({len(batch)} chunk{'s' if len(batch) != 1 else ''}) done in {took:.2f}s "
                f"({took / len(batch):.2f}s/chunk) | {min(start + batch_size, len(chunks))}/{len(chunks)} chunks")
    tmp.replace(output)  # a finished file appears whole or not at all
    return SpeakSummary(output, len(chunks), samples / synth.sample_rate, time.perf_counter() - t0)
