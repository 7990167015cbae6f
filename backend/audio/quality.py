"""Measure an audio file for the quality report: duration, integrated loudness, RMS, sample and
true peak, noise floor, head/tail room tone, sample rate, bit rate and channels.

Any format ffmpeg reads: one ffmpeg process decodes to raw float PCM that numpy meters block by
block (LevelMeter), a second runs ebur128 on the same file at the same time (LoudnessMeter).
Nothing holds the whole file, so a ten-hour M4B costs no more memory than a chapter.
"""

from __future__ import annotations

import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.audio.ffmpeg_tool import AudioToolError, StreamInfo, ffmpeg_exe, mp3_bit_rate_mode, parse_stream_info, stderr_tail
from backend.audio.levels import LevelMeter, Levels, Loudness, LoudnessMeter

BLOCK_BYTES = 1 << 20


class QualityError(AudioToolError):
    """A file could not be measured (missing, not audio, unreadable)."""


@dataclass(frozen=True)
class Measurement:
    path: Path
    duration: float  # seconds
    integrated_lufs: float
    rms_db: float
    sample_peak_db: float
    true_peak_db: float
    noise_floor_db: float
    head_s: float
    tail_s: float
    sample_rate: int
    channels: int
    codec: str
    lossless: bool
    bit_rate_kbps: float | None
    bit_rate_mode: str | None  # CBR / VBR for MP3, None otherwise
    chapters: int = 0  # chapter marks in the container: >1 means a whole book (an M4B)

    @property
    def channel_mode(self) -> str:
        return {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} ch")


def combine(path: Path, levels: Levels, loudness: Loudness, info: StreamInfo, mode: str | None = None) -> Measurement:
    return Measurement(Path(path), levels.duration, loudness.integrated_lufs, levels.rms_db, levels.sample_peak_db,
                       loudness.true_peak_db if loudness.true_peak_db is not None else levels.sample_peak_db,
                       levels.noise_floor_db, levels.head_s, levels.tail_s, info.sample_rate, info.channels, info.codec,
                       info.lossless, info.bit_rate_kbps, mode, info.chapters)


def _decode_levels(path: Path) -> tuple[Levels, StreamInfo]:
    """Decode with ffmpeg to float PCM on a pipe and meter it; the stream's description comes
    from the same run's stderr."""
    with tempfile.TemporaryFile() as err:
        args = [ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-i", str(path), "-map", "0:a:0",
                "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        except OSError as exc:
            raise QualityError(f"Could not start ffmpeg to read '{path}': {exc}") from exc
        meter: LevelMeter | None = None
        info: StreamInfo | None = None
        pending = b""
        try:
            while chunk := proc.stdout.read(BLOCK_BYTES):
                if meter is None:  # ffmpeg describes the input before it writes any sample
                    err.seek(0)
                    info = parse_stream_info(err.read().decode("utf-8", "replace"))
                    if info is None:
                        raise QualityError(f"'{path}' has no audio stream.")
                    meter = LevelMeter(info.sample_rate, info.channels)
                data = pending + chunk
                usable = len(data) // (4 * meter.channels) * (4 * meter.channels)
                pending = data[usable:]
                meter.feed(np.frombuffer(data[:usable], np.float32).reshape(-1, meter.channels))
        finally:
            proc.stdout.close()
            code = proc.wait()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if info is None:
        info = parse_stream_info(text)
    if code != 0 or info is None:
        reason = stderr_tail(text, 1) or "ffmpeg could not decode it"
        raise QualityError(f"'{path}' is not audio that can be read ({reason}).")
    if meter is None:
        meter = LevelMeter(info.sample_rate, info.channels)
    return meter.result(), info


def measure_file(path: str | Path) -> Measurement:
    """Measure one file (any format ffmpeg reads). Raises QualityError with one clear line."""
    path = Path(path)
    if not path.is_file():
        raise QualityError(f"'{path}' does not exist." if not path.exists() else f"'{path}' is not a file.")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise QualityError(f"Cannot read '{path}': {exc.strerror or exc}.") from None
    loudness = LoudnessMeter(["-i", str(path)], what=f"'{path}'")
    try:
        levels, info = _decode_levels(path)
    except BaseException:
        loudness.kill()
        raise
    try:
        measured = loudness.result()
    except AudioToolError as exc:
        raise QualityError(str(exc)) from None
    mode = mp3_bit_rate_mode(path) if info.codec == "mp3" else None
    return combine(path, levels, measured, info, mode)


def measure_files(paths, workers: int = 2) -> list[Measurement | QualityError]:
    """measure_file for each path, `workers` at a time (each runs two ffmpeg processes); a file
    that cannot be measured gives its QualityError in its place instead of stopping the rest."""
    def one(path):
        try:
            return measure_file(path)
        except QualityError as exc:
            return exc

    paths = list(paths)
    if len(paths) <= 1 or workers <= 1:
        return [one(p) for p in paths]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, paths))


__all__ = ["Measurement", "QualityError", "combine", "measure_file", "measure_files"]
