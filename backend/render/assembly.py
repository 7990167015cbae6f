"""Assemble one chapter file from its rendered chunks.

Chunk audio from the TTS has leading/trailing near-silence of varying length
and varying loudness. Each chunk's speech runs from its first to its last
sample at or above `silence_threshold_db` (one threshold, to the sample). The
silence between two chunks' speech is exactly the configured pause (sentence,
paragraph, or after the last chunk the chapter pause; half the sentence pause where a sentence
goes on in the dialogue voice): up to `edge_silence`
of each chunk's own near-silence is kept inside it, faded in or out over
`fade_ms` so no join clicks, and the rest is digital silence. The fades touch
only that near-silence, never speech, so a short line ("Yes.") keeps its
attack. Loudness is set by ONE gain per chapter (per-chunk normalizing would
make loudness jump), lowered if it would push the chapter's peak above
`peak_limit_db`. See backend/render/joins.py for how joins and pauses are
measured.

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

from backend.atomic_file import replacing
from backend.text.chunker import Chunk

from .subtitles import Cue

__all__ = ["AssemblySettings", "Break", "ChapterAudio", "ChunkPlace", "Cue", "assemble_chapter", "trim_silence",
           "pause_seconds"]

OUTPUT_FORMATS = {"flac": "FLAC", "wav": "WAV"}
LOUDNESS_WINDOW_S = 0.050  # speech/pause windows for the chapter RMS
MAX_FADE_MS = 100.0
DECLICK_S = 0.003  # a chunk that starts or ends mid-sound is ramped over this much of it
PCM16_STEP = 1.0 / 32768.0
MID_SENTENCE_PAUSE = 0.5  # of the sentence pause, where a sentence goes on in the other voice


@dataclass(frozen=True)
class AssemblySettings:
    sentence_pause: float = 0.30  # seconds of silence between two chunks' speech inside a paragraph
    paragraph_pause: float = 0.80  # between a chunk that ends a paragraph and the next
    chapter_pause: float = 1.50  # after the chapter's last speech: the file's tail
    edge_silence: float = 0.06  # the most of its own near-silence a chunk keeps on each side (inside the pause)
    silence_threshold_db: float = -50.0  # on the voice's output, before the gain: speech starts and ends here
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


@dataclass(frozen=True, slots=True)
class Break:
    """A pause between two chunks where the file may be cut: `frame` is the middle of its digital
    silence (or the join itself when there is none)."""

    frame: int
    paragraph: bool  # a paragraph pause (else a sentence pause)


@dataclass(frozen=True, slots=True)
class ChunkPlace:
    """Where chunk `index` (of the chapter's chunks) is heard: its own sample t (counted from its
    first sample, trimmed near-silence included) plays at `origin` + t / rate seconds in the file."""

    index: int
    origin: float


@dataclass(frozen=True)
class ChapterAudio:
    path: Path
    sample_rate: int
    frames: int
    duration: float  # seconds
    gain_db: float  # the single gain applied to the whole chapter
    cues: list[Cue] = field(default_factory=list)  # speech span of each non-silent chunk
    pauses: list[float] = field(default_factory=list)  # configured silence after each cue, seconds
    joins: list[int] = field(default_factory=list)  # frames where a chunk's own audio starts or ends
    breaks: list[Break] = field(default_factory=list)  # the pauses between cues, in order
    places: list[ChunkPlace] = field(default_factory=list)  # one per cue: the chunk it is and where it sits


def _mean_squares(audio: np.ndarray, window: int) -> np.ndarray:
    """Mean square of each window (the last one may be partial), in float64."""
    squares = np.square(audio, dtype=np.float64)
    full = len(audio) // window
    sums = squares[: full * window].reshape(full, window).mean(axis=1)
    if len(audio) % window:
        sums = np.append(sums, squares[full * window :].mean())
    return sums


def trim_silence(audio: np.ndarray, sample_rate: int, threshold_db: float) -> tuple[int, int]:
    """(start, end) sample indices of the speech: from the first sample whose magnitude reaches
    threshold_db to just after the last one. (0, 0) when none does. sample_rate is unused (kept
    for callers)."""
    if len(audio) == 0:
        return 0, 0
    loud = np.abs(audio) >= 10.0 ** (threshold_db / 20.0)
    first = int(np.argmax(loud))
    if not loud[first]:
        return 0, 0
    return first, len(audio) - int(np.argmax(loud[::-1]))


def pause_seconds(chunk: Chunk, is_last: bool, settings: AssemblySettings) -> float:
    """The last chunk gets the chapter pause (the file's tail), even if the
    chunker did not mark it, so every chapter file ends the same way."""
    if is_last or chunk.ends_chapter:
        return settings.chapter_pause
    if chunk.ends_paragraph:
        return settings.paragraph_pause
    if chunk.ends_mid_sentence:  # "Hello," | she said: split at a quote for the dialogue voice, a comma's pause
        return settings.sentence_pause * MID_SENTENCE_PAUSE
    return settings.sentence_pause


@dataclass(frozen=True, slots=True)
class _ChunkPlan:
    length: int  # samples the loader returned (checked again in pass 2)
    speech_start: int
    speech_end: int  # == speech_start for a silent chunk
    pause: int  # samples of silence after the chunk


@dataclass(frozen=True, slots=True)
class _Layout:
    """How one chunk with speech is written: `lead` samples before its speech and `tail` after it
    (its own near-silence as far as it has some, then zeros), then `silence` zeros."""

    lead: int
    tail: int
    silence: int
    gap: int  # lead/tail/silence up to the next chunk's speech: the configured pause, in samples
    paragraph: bool


def _layout(plans: list[_ChunkPlan], chunks: Sequence[Chunk], edge: int) -> tuple[int, dict[int, _Layout]]:
    """(zeros before the first speech, layout of each chunk with speech). Silent chunks add their
    pause to the gap they sit in."""
    speaking = [i for i, p in enumerate(plans) if p.speech_end > p.speech_start]
    if not speaking:
        return sum(p.pause for p in plans), {}
    head = sum(p.pause for p in plans[: speaking[0]])
    layouts: dict[int, _Layout] = {}
    lead = edge
    for n, index in enumerate(speaking):
        nxt = speaking[n + 1] if n + 1 < len(speaking) else len(plans)
        gap = sum(p.pause for p in plans[index:nxt])
        paragraph = any(c.ends_paragraph or c.ends_chapter for c in chunks[index:nxt])
        if nxt < len(plans):  # the gap is shared with the next chunk's lead
            tail = min(edge, gap // 2)
            next_lead = min(edge, gap - tail)
            layouts[index] = _Layout(lead, tail, gap - tail - next_lead, gap, paragraph)
            lead = next_lead
        else:
            tail = min(edge, gap)
            layouts[index] = _Layout(lead, tail, gap - tail, gap, paragraph)
    return head, layouts


def _load(load_audio: Callable[[int], np.ndarray], index: int) -> np.ndarray:
    audio = np.asarray(load_audio(index), dtype=np.float32)
    if audio.ndim == 2 and audio.shape[1] == 1:
        audio = audio[:, 0]
    if audio.ndim != 1:
        raise ValueError(f"assemble_chapter: chunk {index} audio must be mono, got shape {audio.shape}")
    if not np.isfinite(audio).all():
        raise ValueError(f"assemble_chapter: chunk {index} audio contains NaN or infinite samples")
    return audio


def _ramp(n: int) -> np.ndarray:
    """Raised-cosine ramp of n samples from 0 up to (not including) 1."""
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
    head, layouts = _layout(plans, chunks, edge)
    fade = round(sample_rate * settings.fade_ms / 1000.0)
    declick = min(fade, round(sample_rate * DECLICK_S))  # fade_ms 0: hard cuts
    writer = _Writer()
    with replacing(out_path) as temp:
        with sf.SoundFile(temp, "w", samplerate=sample_rate, channels=1, subtype="PCM_16",
                          format=OUTPUT_FORMATS[settings.output_format]) as out:
            writer.out = out
            writer.silence(head)
            for index, (chunk, plan) in enumerate(zip(chunks, plans)):
                layout = layouts.get(index)
                if layout is None:
                    continue
                audio = _load(load_audio, index)
                if len(audio) != plan.length:
                    raise RuntimeError(
                        f"assemble_chapter: chunk {index} changed length between passes "
                        f"({plan.length} then {len(audio)} samples); is the cache being rewritten?"
                    )
                writer.chunk(audio, plan, layout, gain, fade, declick)
                del audio
                writer.cues.append(Cue(writer.speech[0] / sample_rate, writer.speech[1] / sample_rate, chunk.text))
                writer.places.append(ChunkPlace(index, (writer.speech[0] - plan.speech_start) / sample_rate))
                writer.pauses.append(layout.gap / sample_rate)
                if index != max(layouts):
                    writer.breaks.append(Break(writer.frames + layout.silence // 2, layout.paragraph))
                writer.silence(layout.silence)
    gain_db = 20.0 * math.log10(gain) if gain > 0 else 0.0
    frames = writer.frames
    return ChapterAudio(out_path, sample_rate, frames, frames / sample_rate, gain_db, writer.cues, writer.pauses,
                        writer.joins, writer.breaks, writer.places)


class _Writer:
    """Pass 2's output: counts frames and records cues, joins and breaks as it writes."""

    def __init__(self) -> None:
        self.out = None
        self.frames = 0
        self.speech = (0, 0)
        self.cues: list[Cue] = []
        self.pauses: list[float] = []
        self.joins: list[int] = []
        self.breaks: list[Break] = []
        self.places: list[ChunkPlace] = []

    def silence(self, samples: int) -> None:
        if samples > 0:
            self.out.write(np.zeros(samples, dtype=np.float32))
            self.frames += samples

    def chunk(self, audio: np.ndarray, plan: _ChunkPlan, layout: _Layout, gain: float, fade: int,
              declick: int) -> None:
        """Speech with `lead`/`tail` samples around it: the chunk's own near-silence as far as it
        has some (faded in and out over it, not over speech), zeros beyond."""
        start, end = plan.speech_start, plan.speech_end
        own_lead, own_tail = min(layout.lead, start), min(layout.tail, len(audio) - end)
        piece = audio[start - own_lead : end + own_tail] * np.float32(gain)
        # Fade over the kept near-silence only; a chunk that starts (or ends) mid-sound, with less
        # than DECLICK_S of it, is ramped over its first (last) DECLICK_S instead: a click costs
        # more than that sliver of attack.
        n_in = min(fade, own_lead) if own_lead >= declick else min(declick, len(piece) // 2)
        n_out = min(fade, own_tail) if own_tail >= declick else min(declick, len(piece) // 2)
        if n_in:
            piece[:n_in] *= _ramp(n_in)
        if n_out:
            piece[len(piece) - n_out :] *= _ramp(n_out)[::-1]
        # The limiter already keeps the peak below full scale; clip only as a guard.
        np.clip(piece, -1.0, 1.0 - PCM16_STEP, out=piece)
        self.silence(layout.lead - own_lead)
        self.joins.append(self.frames)
        self.speech = (self.frames + own_lead, self.frames + own_lead + end - start)
        self.out.write(piece)
        self.frames += len(piece)
        self.joins.append(self.frames)
        self.silence(layout.tail - own_tail)
