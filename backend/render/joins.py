"""Measuring an assembled chapter: clicks at chunk joins and the length of every pause.

Definitions (the assembly, its tests and bench/joins_bench.py all use these):

- Speech is every sample whose magnitude reaches the speech threshold: the assembly's
  `silence_threshold_db` (on the voice's raw output) plus the chapter's gain, i.e. -50 dBFS
  before the gain. A chunk's speech runs from its first to its last such sample.
- A pause is the silence between two chunks' speech: from the last speech sample of one to the
  first of the next (the chapter pause: from the last speech sample to the end of the file). The
  kept edge silence of both chunks lies inside it. It should equal the configured sentence,
  paragraph or chapter pause; the error is measured minus configured.
- A join is a place where a chunk's own audio meets inserted silence or padding. Its step is the
  largest |x[n+1] - x[n]| within JOIN_RADIUS_S of it; there is no click when it is no larger than
  the SPEECH_STEP_PERCENTILE-th percentile of the steps inside speech (the cues' spans).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

JOIN_RADIUS_S = 0.005
SPEECH_STEP_PERCENTILE = 99.9


@dataclass(frozen=True)
class JoinReport:
    joins: int
    worst_step: float  # the largest step near any join (full scale = 1.0)
    worst_join_s: float  # where it is, in seconds
    speech_step: float  # the SPEECH_STEP_PERCENTILE-th percentile of the steps inside speech
    pause_errors: list[float]  # measured minus configured, seconds, one per pause (the last: the chapter pause)

    @property
    def worst_pause_error(self) -> float:
        return max(self.pause_errors, key=abs, default=0.0)

    @property
    def clicks(self) -> bool:
        return self.worst_step > self.speech_step


def speech_amplitude(threshold_db: float, gain_db: float) -> float:
    """The magnitude from which a sample of the assembled chapter counts as speech."""
    return 10.0 ** ((threshold_db + gain_db) / 20.0)


def measure_chapter(audio: np.ndarray, sample_rate: int, cue_spans: Sequence[tuple[float, float]],
                    joins: Sequence[int], pauses: Sequence[float], threshold: float) -> JoinReport:
    """Clicks and pauses of one assembled chapter. cue_spans: (start, end) seconds of each chunk's
    speech, in order; joins: sample indices of the joins; pauses: the configured pause after each
    cue (seconds); threshold: the speech amplitude (speech_amplitude())."""
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise ValueError(f"measure_chapter: audio must be mono, got shape {audio.shape}")
    if len(pauses) != len(cue_spans):
        raise ValueError(f"measure_chapter: {len(cue_spans)} cues but {len(pauses)} pauses")
    steps = np.abs(np.diff(audio))
    inside = np.zeros(len(steps), dtype=bool)
    for start, end in cue_spans:
        inside[round(start * sample_rate) : max(0, round(end * sample_rate) - 1)] = True
    speech_step = float(np.percentile(steps[inside], SPEECH_STEP_PERCENTILE)) if inside.any() else 0.0

    radius = round(JOIN_RADIUS_S * sample_rate)
    worst, worst_at = 0.0, 0.0
    for join in joins:
        window = steps[max(0, join - radius) : min(len(steps), join + radius)]
        if len(window) and float(window.max()) > worst:
            worst, worst_at = float(window.max()), join / sample_rate

    loud = np.flatnonzero(np.abs(audio) >= threshold)
    errors = []
    for k, (configured, (_, end)) in enumerate(zip(pauses, cue_spans)):
        # A point surely inside the silence: the middle between this cue's end and the next's start.
        nxt = cue_spans[k + 1][0] if k + 1 < len(cue_spans) else None
        middle = round(((end + nxt) / 2 if nxt is not None else end) * sample_rate)
        before = loud[loud < middle]
        last = int(before[-1]) if len(before) else 0
        if nxt is None:
            measured = (len(audio) - (last + 1)) / sample_rate
        else:
            after = loud[loud >= middle]
            first = int(after[0]) if len(after) else len(audio)
            measured = (first - (last + 1)) / sample_rate
        errors.append(measured - configured)
    return JoinReport(len(joins), worst, worst_at, speech_step, errors)


def measure_assembled(result, settings) -> JoinReport:
    """measure_chapter on a ChapterAudio that assemble_chapter wrote with `settings`."""
    import soundfile as sf

    audio, rate = sf.read(str(result.path), dtype="float32")
    return measure_chapter(audio, rate, [(c.start, c.end) for c in result.cues], result.joins, result.pauses,
                           speech_amplitude(settings.silence_threshold_db, result.gain_db))


def measure_cached_book(plan, cache, sample_rate: int, settings, folder) -> list[tuple[str, JoinReport]]:
    """Assemble every chapter of a rendered plan from its chunk cache into `folder` (as the render
    does) and measure each: [(chapter title, report)]."""
    from pathlib import Path

    from backend.render.assembly import assemble_chapter

    by_chapter: dict[int, list] = {}
    for pc in plan.chunks:
        by_chapter.setdefault(pc.chunk.chapter_index, []).append(pc)
    reports = []
    for index, planned in sorted(by_chapter.items()):
        def load(i, p=planned):
            audio = cache.get(p[i].key)
            if audio is None:
                raise ValueError(f"chunk {p[i].index + 1} is not in the cache: render the book first")
            return audio
        result = assemble_chapter([pc.chunk for pc in planned], load, sample_rate, Path(folder) / f"{index + 1:02d}.flac",
                                  settings)
        reports.append((plan.chapter_titles[index], measure_assembled(result, settings)))
    return reports
