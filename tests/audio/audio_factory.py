"""Test audio made here, no synthesis: speech-like bursts (noise shaped by a syllable envelope)
separated by pauses of digital silence, like an assembled chapter file (22.05 kHz, 16-bit, peak
-1 dBFS, RMS near -24 dB), and an independent ffmpeg ebur128 reading to check against."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf

from backend.audio.ffmpeg_tool import ffmpeg_exe

RATE = 22050


def speechlike(seconds: float, rate: int = RATE, seed: int = 1, peak_db: float = -1.0, lead: float = 0.06,
               tail: float = 1.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    parts = [np.zeros(round(lead * rate), np.float32)]
    total = lead
    while total < seconds - tail:
        n = round(rate * rng.uniform(0.8, 2.5))
        # Laplacian noise and a peaky syllable envelope: a crest factor like a voice's (peaks ~23 dB over the RMS)
        burst = np.convolve(rng.laplace(size=n), np.ones(5) / 5, "same")
        envelope = np.abs(np.sin(np.linspace(0, np.pi * rng.uniform(4, 10), n))) ** 6
        burst *= envelope * rng.uniform(0.5, 1.0)
        pause = np.zeros(round(rate * rng.choice([0.3, 0.8])), np.float32)
        parts += [burst.astype(np.float32), pause]
        total += (n + len(pause)) / rate
    parts.append(np.zeros(round(tail * rate), np.float32))
    audio = np.concatenate(parts)
    audio *= 10 ** (peak_db / 20) / np.abs(audio).max()
    return audio


def write_speechlike(path: Path, seconds: float = 20.0, **kwargs) -> Path:
    sf.write(path, speechlike(seconds, **kwargs), kwargs.get("rate", RATE), subtype="PCM_16")
    return path


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) straight from ffmpeg's ebur128 filter."""
    text = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = text[text.rindex("Summary:"):]
    return (float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1]),
            float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)[1]))


def encode(source: Path, out: Path, *args: str) -> Path:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(source), *args, str(out)],
                   check=True)
    return out


def rms_db(audio: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(audio, dtype=np.float64)))


def quiet_edges(audio: np.ndarray, rate: int, threshold_db: float = -45.0) -> tuple[float, float]:
    """Seconds before the first and after the last 10 ms window at or above threshold_db."""
    window = rate // 100
    frames = len(audio) // window * window
    ms = np.square(audio[:frames], dtype=np.float64).reshape(-1, window).mean(axis=1)
    loud = np.flatnonzero(ms >= 10 ** (threshold_db / 10))
    return loud[0] * window / rate, (len(audio) - (loud[-1] + 1) * window) / rate
