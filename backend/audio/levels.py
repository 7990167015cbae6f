"""Streaming level meters: memory stays flat whatever the file's length.

LevelMeter (numpy, fed blocks of samples): RMS, sample peak, noise floor (the quietest half
second, pauses included) and the room tone at the head and tail. LoudnessMeter: ffmpeg's ebur128
filter (ITU-R BS.1770-4 integrated loudness, and true peak from 4x oversampling) in its own
process, fed a file or a stream of raw PCM, so it runs beside the rest on a second core.
"""

from __future__ import annotations

import contextlib
import math
import re
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np

from backend.audio.ffmpeg_tool import AudioToolError, ffmpeg_exe, stderr_tail

NOISE_WINDOW_S = 0.5  # the noise floor is the RMS of the quietest window this long…
NOISE_HOP_S = 0.1  # …sliding by this much
SPEECH_WINDOW_S = 0.010  # head/tail: room tone lasts until the first 10 ms window…
SPEECH_THRESHOLD_DB = -45.0  # …at or above this RMS (room tone sits near -72, speech near -20)
DIGITAL_SILENCE_DB = -100.0  # below one 16-bit step: no room tone at all


def to_db(mean_square: float) -> float:
    return 10.0 * math.log10(mean_square) if mean_square > 0 else -math.inf


@dataclass(frozen=True)
class Levels:
    frames: int
    sample_rate: int
    channels: int
    rms_db: float
    sample_peak_db: float
    noise_floor_db: float
    head_s: float  # room tone (or silence) before the first sound
    tail_s: float  # after the last sound

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


class _Windows:
    """Mean squares of consecutive windows of `size` frames over a stream of per-frame values."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._carry = np.zeros(0)

    def feed(self, frame_ms: np.ndarray) -> np.ndarray:
        values = np.concatenate([self._carry, frame_ms]) if len(self._carry) else frame_ms
        whole = len(values) // self.size * self.size
        self._carry = values[whole:].copy()
        return values[:whole].reshape(-1, self.size).mean(axis=1)


class LevelMeter:
    """Feed float blocks shaped (frames, channels) in order; `result()` at the end."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate, self.channels = sample_rate, channels
        self.frames = 0
        self._sum_squares = 0.0
        self._peak = 0.0
        hop = max(1, round(sample_rate * NOISE_HOP_S))
        self._hops = _Windows(hop)
        self._per_window = max(1, round(NOISE_WINDOW_S / NOISE_HOP_S))
        self._recent: list[float] = []  # the last hops, for the sliding noise window
        self._quietest = math.inf
        self._speech = _Windows(round(sample_rate * SPEECH_WINDOW_S))
        self._speech_seen = 0  # speech windows so far
        self._first_loud: int | None = None
        self._last_loud: int | None = None
        self._loud_ms = 10.0 ** (SPEECH_THRESHOLD_DB / 10.0)

    def feed(self, block: np.ndarray) -> None:
        if block.ndim == 1:
            block = block[:, None]
        if not len(block):
            return
        squares = np.square(block, dtype=np.float64)
        self._sum_squares += float(squares.sum())
        self._peak = max(self._peak, float(block.max()), -float(block.min()))
        self.frames += len(block)
        frame_ms = squares[:, 0] if block.shape[1] == 1 else squares.mean(axis=1)
        for value in self._hops.feed(frame_ms):
            self._recent.append(float(value))
            if len(self._recent) > self._per_window:
                self._recent.pop(0)
            if len(self._recent) == self._per_window:
                self._quietest = min(self._quietest, sum(self._recent) / self._per_window)
        windows = self._speech.feed(frame_ms)
        loud = np.flatnonzero(windows >= self._loud_ms)
        if len(loud):
            if self._first_loud is None:
                self._first_loud = self._speech_seen + int(loud[0])
            self._last_loud = self._speech_seen + int(loud[-1])
        self._speech_seen += len(windows)

    def result(self) -> Levels:
        rate, frames = self.sample_rate, self.frames
        samples = frames * self.channels
        rms = to_db(self._sum_squares / samples) if samples else -math.inf
        quietest = self._quietest
        if math.isinf(quietest):  # shorter than one noise window: the whole file is the window
            quietest = self._sum_squares / samples if samples else 0.0
        if self._first_loud is None:
            head = tail = frames / rate if rate else 0.0
        else:
            size = self._speech.size
            head = self._first_loud * size / rate
            tail = max(0, frames - (self._last_loud + 1) * size) / rate
        return Levels(frames, rate, self.channels, rms, 20.0 * math.log10(self._peak) if self._peak > 0 else -math.inf,
                      to_db(quietest), head, tail)


# -- loudness (ffmpeg ebur128) -------------------------------------------------------------------
@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float  # -inf for silence (ebur128 prints -70.0, its gate, for it)
    true_peak_db: float | None  # dBTP; None when not asked for


_I_RE = re.compile(r"^\s*I:\s+(-?(?:[\d.]+|inf))\s+LUFS", re.MULTILINE)
_PEAK_RE = re.compile(r"^\s*Peak:\s+(-?(?:[\d.]+|inf))\s+dBFS", re.MULTILINE)


def _number(text: str) -> float:
    return -math.inf if text.lstrip("-") == "inf" else float(text)


class LoudnessMeter:
    """ebur128 in an ffmpeg process reading `input_args` (["-i", FILE], or a raw or encoded
    stream on `stdin`: subprocess.PIPE to feed() it, or another process's stdout). `result()`
    waits for the end and parses ffmpeg's summary."""

    def __init__(self, input_args: list[str], *, stdin=subprocess.DEVNULL, true_peak: bool = True,
                 what: str = "") -> None:
        self._what = what or input_args[-1]
        self._err = tempfile.TemporaryFile()
        self._true_peak = true_peak
        peak = ":peak=true" if true_peak else ""
        args = [ffmpeg_exe(), "-hide_banner", "-nostats", *(["-nostdin"] if stdin is subprocess.DEVNULL else []),
                *input_args, "-map", "0:a:0", "-af", f"ebur128=framelog=quiet{peak}", "-f", "null", "-"]
        try:
            self._proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=self._err)
        except OSError as exc:
            self._err.close()
            raise AudioToolError(f"Could not start ffmpeg to measure {self._what}: {exc}") from exc

    def feed(self, data: bytes) -> None:
        try:
            self._proc.stdin.write(data)
        except BrokenPipeError:
            pass  # ffmpeg quit early; result() says why

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self._proc.kill()
        self._proc.wait()
        self._err.close()

    def result(self) -> Loudness:
        if self._proc.stdin:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        code = self._proc.wait()
        self._err.seek(0)
        text = self._err.read().decode("utf-8", "replace")
        self._err.close()
        integrated, peak = _I_RE.findall(text), _PEAK_RE.findall(text)
        if code != 0 or not integrated or (self._true_peak and not peak):
            raise AudioToolError(f"Could not measure the loudness of {self._what}: {stderr_tail(text, 2)}")
        lufs = _number(integrated[-1])
        return Loudness(-math.inf if lufs <= -70.0 else lufs, _number(peak[-1]) if self._true_peak else None)
