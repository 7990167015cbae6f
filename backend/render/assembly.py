"""Assemble one chapter file from its rendered chunks.

Chunk audio from the TTS has leading/trailing near-silence of varying length
and varying loudness. Each chunk is trimmed to its speech, keeps exactly
`edge_silence` on each side (its own near-silence, topped up with zeros),
gets a short raised-cosine fade at both ends so no join clicks, and is
followed by a sentence, paragraph or chapter pause. Loudness is set by ONE
gain per chapter (per-chunk normalizing would make loudness jump), lowered if
it would push the chapter's peak above `peak_limit_db`.

Two streaming passes keep memory flat whatever the chapter's length: pass 1
loads each chunk to measure it (keeping only trim bounds and sums), pass 2
loads it again and writes it straight to the output file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from backend.text.chunker import Chunk

from .atomic_file import replacing
from .subtitles import Cue

__all__ = ["AssemblySettings", "ChapterAudio", "Cue", "assemble_chapter", "trim_silence", "pause_seconds"]

OUTPUT_FORMATS = {"flac": "FLAC", "wav": "WAV"}
TRIM_WINDOW_S = 0.010  # silence detection resolution at chunk edges
LOUDNESS_WINDOW_S = 0.050  # speech/pause windows for the chapter RMS
MAX_FADE_MS = 100.0
PCM16_STEP = 1.0 / 32768.0


@dataclass(frozen=True)
class AssemblySettings:
    sentence_pause: float = 0.30  # seconds after a chunk inside a paragraph
    paragraph_pause: float = 0.80  # after a chunk that ends a paragraph
    chapter_pause: float = 1.50  # after the chapter's last chunk: the file's tail
    edge_silence: float = 0.06  # silence each trimmed chunk keeps on both sides
    silence_threshold_db: float = -50.0
    fade_ms: float = 8.0
    target_rms_db: float = -20.0  # speech RMS of the whole chapter
    peak_limit_db: float = -1.0
    output_format: str = "flac"  # "flac" or "wav", both 16-bit

    def __post_init__(self) -> None:
        for name in ("sentence_pause", "paragraph_pause", "chapter_pause", "edge_silence"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"AssemblySettings.{name} must be a number of seconds >= 0, got {value!r}")
            if value > 60:
                raise ValueError(f"AssemblySettings.{name} must be at most 60 seconds, got {value!r}")
        if not math.isfinite(self.fade_ms) or not 0 <= self.fade_ms <= MAX_FADE_MS:
            raise ValueError(f"AssemblySettings.fade_ms must be between 0 and {MAX_FADE_MS:g} ms, got {self.fade_ms!r}")
        if not math.isfinite(self.silence_threshold_db) or not -120 <= self.silence_threshold_db < 0:
            raise ValueError(
                f"AssemblySettings.silence_threshold_db must be between -120 and 0 dBFS, got {self.silence_threshold_db!r}"
            )
        if not math.isfinite(self.target_rms_db) or not -60 <= self.target_rms_db < 0:
            raise ValueError(f"AssemblySettings.target_rms_db must be between -60 and 0 dBFS, got {self.target_rms_db!r}")
        if not math.isfinite(self.peak_limit_db) or not -30 <= self.peak_limit_db <= 0:
            raise ValueError(f"AssemblySettings.peak_limit_db must be between -30 and 0 dBFS, got {self.peak_limit_db!r}")
        if self.output_format not in OUTPUT_FORMATS:
            raise ValueError(
                f"AssemblySettings.output_format must be one of {sorted(OUTPUT_FORMATS)}, got {self.output_format!r}"
            )


@dataclass(frozen=True)
class ChapterAudio:
    path: Path
    sample_rate: int
    frames: int
    duration: float  # seconds
    gain_db: float  # the single gain applied to the whole chapter
    cues: list[Cue] = field(default_factory=list)  # speech span of each non-silent chunk


def _mean_squares(audio: np.ndarray, window: int) -> np.ndarray:
    """Mean square of each window (the last one may be partial), in float64."""
    squares = np.square(audio, dtype=np.float64)
    full = len(audio) // window
    sums = squares[: full * window].reshape(full, window).mean(axis=1)
    if len(audio) % window:
        sums = np.append(sums, squares[full * window :].mean())
    return sums


def trim_silence(audio: np.ndarray, sample_rate: int, threshold_db: float) -> tuple[int, int]:
    """(start, end) sample indices of the speech: from the first to the end of
    the last 10 ms window whose RMS reaches threshold_db. Whole windows are
    kept, so speech is never cut. (0, 0) when everything is below it."""
    window = max(1, round(sample_rate * TRIM_WINDOW_S))
    if len(audio) == 0:
        return 0, 0
    loud = np.flatnonzero(_mean_squares(audio, window) >= 10.0 ** (threshold_db / 10.0))
    if len(loud) == 0:
        return 0, 0
    return int(loud[0]) * window, min(len(audio), (int(loud[-1]) + 1) * window)


def pause_seconds(chunk: Chunk, is_last: bool, settings: AssemblySettings) -> float:
    """The last chunk gets the chapter pause (the file's tail), even if the
    chunker did not mark it, so every chapter file ends the same way."""
    if is_last or chunk.ends_chapter:
        return settings.chapter_pause
    if chunk.ends_paragraph:
        return settings.paragraph_pause
    return settings.sentence_pause


@dataclass(frozen=True, slots=True)
class _ChunkPlan:
    length: int  # samples the loader returned (checked again in pass 2)
    speech_start: int
    speech_end: int  # == speech_start for a silent chunk
    pause: int  # samples of silence after the chunk


def _load(load_audio: Callable[[int], np.ndarray], index: int) -> np.ndarray:
    audio = np.asarray(load_audio(index), dtype=np.float32)
    if audio.ndim == 2 and audio.shape[1] == 1:
        audio = audio[:, 0]
    if audio.ndim != 1:
        raise ValueError(f"assemble_chapter: chunk {index} audio must be mono, got shape {audio.shape}")
    if not np.isfinite(audio).all():
        raise ValueError(f"assemble_chapter: chunk {index} audio contains NaN or infinite samples")
    return audio


def _fade(length: int, sample_rate: int, fade_ms: float) -> np.ndarray:
    """Raised-cosine ramp from 0 up to (not including) 1."""
    n = min(round(sample_rate * fade_ms / 1000.0), length // 2)
    return (0.5 - 0.5 * np.cos(np.pi * np.arange(n) / max(n, 1))).astype(np.float32)


def assemble_chapter(
    chunks: Sequence[Chunk],
    load_audio: Callable[[int], np.ndarray],
    sample_rate: int,
    out_path: str | Path,
    settings: AssemblySettings | None = None,
) -> ChapterAudio:
    """Write chunks[i] (audio from load_audio(i)) with their pauses to out_path,
    atomically. An all-silent or empty chunk contributes only its pause."""
    settings = settings or AssemblySettings()
    out_path = Path(out_path)
    if not chunks:
        raise ValueError("assemble_chapter: a chapter needs at least one chunk")
    if not isinstance(sample_rate, int) or sample_rate <= 0:
        raise ValueError(f"assemble_chapter: sample_rate must be a positive int, got {sample_rate!r}")
    edge = round(settings.edge_silence * sample_rate)
    loudness_window = max(1, round(sample_rate * LOUDNESS_WINDOW_S))
    threshold_ms = 10.0 ** (settings.silence_threshold_db / 10.0)

    # Pass 1: measure. Only a few numbers per chunk survive the loop.
    plans: list[_ChunkPlan] = []
    speech_sum_squares = 0.0
    speech_samples = 0
    peak = 0.0
    for index, chunk in enumerate(chunks):
        audio = _load(load_audio, index)
        start, end = trim_silence(audio, sample_rate, settings.silence_threshold_db)
        pause = round(pause_seconds(chunk, index == len(chunks) - 1, settings) * sample_rate)
        plans.append(_ChunkPlan(len(audio), start, end, pause))
        if end > start:
            speech = audio[start:end]
            window_ms = _mean_squares(speech, loudness_window)
            sizes = np.full(len(window_ms), loudness_window)
            sizes[-1] = len(speech) - loudness_window * (len(window_ms) - 1)
            spoken = window_ms >= threshold_ms
            speech_sum_squares += float(np.sum(window_ms[spoken] * sizes[spoken]))
            speech_samples += int(np.sum(sizes[spoken]))
            # The kept margins are written too, so they count for the peak.
            kept = audio[max(0, start - edge) : end + edge]
            peak = max(peak, float(np.max(np.abs(kept))))
        del audio

    gain = 1.0
    if speech_samples:
        gain = 10.0 ** (settings.target_rms_db / 20.0) / math.sqrt(speech_sum_squares / speech_samples)
    # One 16-bit step below the limit, so rounding to PCM cannot cross it.
    peak_limit = 10.0 ** (settings.peak_limit_db / 20.0) - PCM16_STEP
    if peak * gain > peak_limit:
        gain = peak_limit / peak

    # Pass 2: write trimmed, faded, gained chunks and their pauses.
    cues: list[Cue] = []
    frames = 0
    with replacing(out_path) as temp:
        with sf.SoundFile(temp, "w", samplerate=sample_rate, channels=1, subtype="PCM_16",
                          format=OUTPUT_FORMATS[settings.output_format]) as out:
            for index, (chunk, plan) in enumerate(zip(chunks, plans)):
                if plan.speech_end > plan.speech_start:
                    audio = _load(load_audio, index)
                    if len(audio) != plan.length:
                        raise RuntimeError(
                            f"assemble_chapter: chunk {index} changed length between passes "
                            f"({plan.length} then {len(audio)} samples); is the cache being rewritten?"
                        )
                    piece = _kept_piece(audio, plan, edge, gain, sample_rate, settings.fade_ms)
                    del audio
                    speech_at = frames + edge
                    cues.append(Cue(speech_at / sample_rate,
                                    (speech_at + plan.speech_end - plan.speech_start) / sample_rate, chunk.text))
                    out.write(piece)
                    frames += len(piece)
                    del piece
                if plan.pause:
                    out.write(np.zeros(plan.pause, dtype=np.float32))
                    frames += plan.pause
    gain_db = 20.0 * math.log10(gain) if gain > 0 else 0.0
    return ChapterAudio(out_path, sample_rate, frames, frames / sample_rate, gain_db, cues)


def _kept_piece(audio: np.ndarray, plan: _ChunkPlan, edge: int, gain: float, sample_rate: int,
                fade_ms: float) -> np.ndarray:
    """Speech plus exactly `edge` samples on each side (its own near-silence,
    zeros where the chunk had less), gained and faded at both ends."""
    start, end = plan.speech_start, plan.speech_end
    lead, tail = min(edge, start), min(edge, len(audio) - end)
    piece = np.zeros(edge + (end - start) + edge, dtype=np.float32)
    piece[edge - lead : edge + (end - start) + tail] = audio[start - lead : end + tail]
    piece *= np.float32(gain)
    ramp = _fade(len(piece), sample_rate, fade_ms)
    if len(ramp):
        piece[: len(ramp)] *= ramp
        piece[len(piece) - len(ramp) :] *= ramp[::-1]
    # The limiter already keeps the peak below full scale; clip only as a guard.
    np.clip(piece, -1.0, 1.0 - PCM16_STEP, out=piece)
    return piece
