"""Mastering: one chapter file to a preset's loudness, streaming (memory does not grow with length).

Per chapter, with ffmpeg's filters (no DSP of our own):
  1. measure the file: RMS, sample peak, head/tail silence with numpy over soundfile blocks; for
     the LUFS presets also its integrated loudness (ebur128);
  2. find the gain that lands on the target once the limiter has shaved the peaks: a cheap stand-in
     (gain + alimiter at the file's own rate) tried at two gains side by side, then one secant step;
  3. one pass: volume → soxr up to 4 × 44.1 kHz → alimiter (look-ahead 5 ms, so inter-sample
     peaks count and nothing is clipped) → soxr down to 44.1 kHz → room tone added at the head and
     tail → seeded pink noise at -72 dB RMS mixed under everything (pauses are room tone, never
     digital silence) → 16-bit; written to a temp file while numpy and a second ffmpeg (ebur128,
     true peak) measure the very samples written;
  4. check: off target by more than 0.25 dB, or true peak over the spec (on the file, and for
     presets delivered as MP3 on a 192 kbps encode of it when MP3s are made): correct the gain or
     lower the ceiling and run 3 again (3 passes at most); then the temp file replaces the chapter.
Every chapter gets the same chain and ceiling, so levels match across files. Same input, same
settings, same seed → the same bytes, so a resumed render equals an uninterrupted one.
"""

from __future__ import annotations

import math
import queue
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from backend.atomic_file import replacing
from backend.audio.ffmpeg_tool import AudioToolError, StreamInfo, ffmpeg_exe, stderr_tail
from backend.audio.levels import LevelMeter, Levels, Loudness, LoudnessMeter, to_db
from backend.audio.presets import MASTERED_RATE, Preset, failures
from backend.audio.quality import Measurement, combine

OVERSAMPLE = 4  # the limiter runs at 176.4 kHz: peaks between the 44.1 kHz samples count
LIMITER = "alimiter=limit={limit:.6f}:level=false:latency=true:attack=5:release=50"
ROOM_TONE_DB = -72.0  # RMS of the room tone: far under ACX's -60 dB noise floor, yet not digital silence
PINK_RMS_DB = -14.3  # anoisesrc's pink noise: its RMS relative to its amplitude setting (measured)
MAX_GAIN_DB = 40.0
TARGET_SLACK_DB = 0.25  # a pass further than this from the target is run again, corrected
PEAK_STEP_DB = 0.2  # extra room when the ceiling has to come down
MAX_PASSES = 3
_BLOCK_BYTES = 1 << 18
_FORMATS = {".flac": ("FLAC", "flac"), ".wav": ("WAV", "pcm_s16le")}


class MasteringError(AudioToolError):
    """A chapter could not be mastered (unreadable input, ffmpeg failed, disk full)."""


@dataclass(frozen=True)
class MasteringResult:
    path: Path
    frames: int
    sample_rate: int
    head_added: float  # seconds of room tone put before the first input sample: shift cues by it
    gain_db: float
    ceiling_db: float
    passes: int
    measurement: Measurement  # of the file as written
    problems: tuple[str, ...] = ()  # checks of the preset it still fails (warnings, never errors)

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    def summary(self, preset: Preset) -> str:
        m = self.measurement
        level = f"RMS {m.rms_db:.1f} dB" if preset.loudness == "rms" else f"{m.integrated_lufs:.1f} LUFS"
        return f"{level}, true peak {m.true_peak_db:.1f} dBTP"


@dataclass(frozen=True)
class _Input:
    levels: Levels
    lufs: float | None
    layout: str


def _analyse(path: Path, preset: Preset) -> _Input:
    try:
        info = sf.info(str(path))
    except (OSError, RuntimeError) as exc:
        raise MasteringError(f"Cannot master '{path.name}': it is not readable audio ({exc}).") from exc
    loudness = LoudnessMeter(["-i", str(path)], true_peak=False, what=f"'{path.name}'") \
        if preset.loudness == "lufs" else None
    meter = LevelMeter(info.samplerate, info.channels)
    try:
        with sf.SoundFile(str(path)) as audio:
            for block in audio.blocks(blocksize=1 << 16, dtype="float32", always_2d=True):
                meter.feed(block)
    except BaseException:
        if loudness is not None:
            loudness.kill()
        raise
    lufs = loudness.result().integrated_lufs if loudness is not None else None
    layout = "mono" if info.channels == 1 else "stereo" if info.channels == 2 else f"{info.channels}c"
    return _Input(meter.result(), lufs, layout)


# -- the gain search on a stand-in ---------------------------------------------------------------
def _limited_mean_square(path: Path, gain_db: float, ceiling_db: float) -> float:
    """Mean square of the file after volume + the limiter at its own rate (a cheap stand-in for the
    full chain: it tracks the full chain's level within ~0.1 dB)."""
    limiter = LIMITER.format(limit=10.0 ** (ceiling_db / 20.0))
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path), "-map", "0:a:0",
            "-af", f"volume={gain_db:.4f}dB,{limiter}", "-f", "f32le", "pipe:1"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    total, count, pending = 0.0, 0, b""
    while chunk := proc.stdout.read(_BLOCK_BYTES):
        data = pending + chunk
        usable = len(data) // 4 * 4
        pending = data[usable:]
        block = np.frombuffer(data[:usable], np.float32)
        total += float(np.dot(block, block.astype(np.float64)))
        count += len(block)
    error = proc.stderr.read().decode("utf-8", "replace")
    if proc.wait() != 0:
        raise MasteringError(f"ffmpeg could not limit '{path.name}': {stderr_tail(error, 2)}")
    return total / count if count else 0.0


def _find_gain(path: Path, inp: _Input, preset: Preset, ceiling_db: float, duration_ratio_db: float) -> tuple[float, float]:
    """(gain in dB, slope of the result against the gain) that brings the file to the target."""
    levels = inp.levels
    if math.isinf(levels.rms_db):  # a silent chapter: nothing to bring up
        return 0.0, 1.0
    if preset.loudness == "rms":
        def result_db(mean_square: float) -> float:
            return to_db(mean_square) + duration_ratio_db
        start = preset.target - levels.rms_db - duration_ratio_db
    else:
        if inp.lufs is None or math.isinf(inp.lufs):
            return 0.0, 1.0

        def result_db(mean_square: float) -> float:  # the limiter's loss, read off the RMS
            return inp.lufs + to_db(mean_square) - levels.rms_db
        start = preset.target - inp.lufs
    start = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, start))
    if levels.sample_peak_db + start <= ceiling_db - 1.0:
        return start, 1.0  # the limiter would not touch it
    gains = [start, start + 2.0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        errors = [result_db(ms) - preset.target
                  for ms in pool.map(lambda g: _limited_mean_square(path, g, ceiling_db), gains)]
    # One secant step: the curve is smooth, and the full pass measures what it lands on anyway.
    slope = min(1.0, max(0.1, (errors[1] - errors[0]) / (gains[1] - gains[0])))
    return min(MAX_GAIN_DB, gains[0] - errors[0] / slope), slope


# -- the full pass ---------------------------------------------------------------------------------
def _filter_graph(gain_db: float, ceiling_db: float, head: int, tail: int, seed: int, layout: str) -> str:
    limiter = LIMITER.format(limit=10.0 ** (ceiling_db / 20.0))
    chain = [f"volume={gain_db:.4f}dB", f"aresample={OVERSAMPLE * MASTERED_RATE}:resampler=soxr", limiter,
             f"aresample={MASTERED_RATE}:resampler=soxr", f"adelay=delays={head}S:all=1"]
    if tail:
        chain.append(f"apad=pad_len={tail}")  # (no pad_len at all would pad for ever)
    amplitude = 10.0 ** ((ROOM_TONE_DB - PINK_RMS_DB) / 20.0)
    return (f"[0:a]{','.join(chain)}[voice];"
            f"anoisesrc=r={MASTERED_RATE}:c=pink:a={amplitude:.8f}:seed={seed},aformat=channel_layouts={layout}[tone];"
            f"[voice][tone]amix=inputs=2:normalize=0:duration=first,"
            f"aformat=sample_fmts=s16:channel_layouts={layout}")


class _Mp3Check:
    """An MP3 encoder fed the mastered samples as they are made, its output decoded by a meter:
    the true peak a listener's player sees, measured beside the pass (nothing is saved)."""

    def __init__(self, bit_rate: str, channels: int, name: str) -> None:
        self.encoder = subprocess.Popen(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", str(MASTERED_RATE),
             "-ac", str(channels), "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bit_rate, "-f", "mp3", "pipe:1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.meter = LoudnessMeter(["-f", "mp3", "-i", "pipe:0"], stdin=self.encoder.stdout,
                                   what=f"a {bit_rate} MP3 of '{name}'")
        self.encoder.stdout.close()  # the meter holds the read end now

    def feed(self, data: bytes) -> None:
        try:
            self.encoder.stdin.write(data)
        except BrokenPipeError:
            pass  # the meter reports the failure

    def true_peak(self) -> float:
        self.encoder.stdin.close()
        try:
            peak = self.meter.result().true_peak_db
        finally:
            self.encoder.wait()
        return peak if peak is not None else -math.inf

    def kill(self) -> None:
        self.encoder.kill()
        self.encoder.wait()
        self.meter.kill()


class _Tee:
    """Hands each block of the pass to the meters' pipes from a thread of its own, so the chain
    keeps running while ebur128 (the slowest step) takes its time on the other core."""

    def __init__(self, writers) -> None:
        self._writers = list(writers)
        self._queue: queue.Queue = queue.Queue(maxsize=16)
        self._thread = threading.Thread(target=self._run, name="mastering-tee", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            for write in self._writers:
                try:
                    write(data)
                except (OSError, ValueError):  # a meter that quit; its result() says why
                    pass

    def feed(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


def _render(source: Path, temp: Path, inp: _Input, graph: str, file_format: str,
            mp3_bit_rate: str | None) -> tuple[Levels, Loudness, float | None]:
    """Run the chain once into `temp`, measuring what is written: (levels, loudness, MP3 true peak)."""
    channels = inp.levels.channels
    meter = LevelMeter(MASTERED_RATE, channels)
    loudness = LoudnessMeter(["-f", "s16le", "-ar", str(MASTERED_RATE), "-ac", str(channels), "-i", "pipe:0"],
                             stdin=subprocess.PIPE, what=f"the mastered '{source.name}'")
    mp3 = _Mp3Check(mp3_bit_rate, channels, source.name) if mp3_bit_rate else None
    tee = _Tee([loudness.feed] + ([mp3.feed] if mp3 is not None else []))
    with tempfile.TemporaryFile() as err:
        args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(source),
                "-filter_complex", graph, "-f", "s16le", "pipe:1"]
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        frame_bytes, pending = 2 * channels, b""
        try:
            with sf.SoundFile(str(temp), "w", MASTERED_RATE, channels, "PCM_16", format=file_format) as out:
                while chunk := proc.stdout.read(_BLOCK_BYTES):
                    data = pending + chunk
                    usable = len(data) // frame_bytes * frame_bytes
                    pending, data = data[usable:], data[:usable]
                    samples = np.frombuffer(data, np.int16).reshape(-1, channels)
                    out.write(samples)
                    tee.feed(data)
                    meter.feed(samples.astype(np.float32) / 32768.0)
        except BaseException:
            proc.kill()
            proc.wait()
            loudness.kill()
            if mp3 is not None:
                mp3.kill()
            tee.close()  # its writes to the killed meters fail at once, so it ends
            raise
        code = proc.wait()
        tee.close()
        err.seek(0)
        error = err.read().decode("utf-8", "replace")
    measured = loudness.result()
    mp3_peak = mp3.true_peak() if mp3 is not None else None
    if code != 0:
        raise MasteringError(f"ffmpeg could not master '{source.name}': {stderr_tail(error, 2)}")
    return meter.result(), measured, mp3_peak


def master_file(path: str | Path, preset: Preset, *, head: float = 0.75, tail: float = 2.5, seed: int = 0,
                verify_mp3: bool = False) -> MasteringResult:
    """Master a FLAC or WAV chapter file in place (the original stays until the result is complete).
    `head`/`tail`: seconds of room tone the file should start and end with (what is already quiet
    there counts). `verify_mp3`: also check the true peak of an MP3 encode (preset.verify_mp3)."""
    path = Path(path)
    if not preset.masters:
        raise ValueError(f"The preset {preset.label!r} does not master.")
    if path.suffix.lower() not in _FORMATS:
        raise MasteringError(f"Cannot master '{path.name}': only FLAC and WAV chapter files are mastered.")
    file_format, codec = _FORMATS[path.suffix.lower()]
    inp = _analyse(path, preset)
    if inp.levels.frames == 0:
        raise MasteringError(f"Cannot master '{path.name}': it holds no audio.")
    ratio = MASTERED_RATE / inp.levels.sample_rate
    head_frames = round(max(0.0, head - inp.levels.head_s) * MASTERED_RATE)
    tail_frames = round(max(0.0, tail - inp.levels.tail_s) * MASTERED_RATE)
    out_frames = round(inp.levels.frames * ratio) + head_frames + tail_frames
    duration_ratio_db = 10.0 * math.log10(inp.levels.frames * ratio / out_frames)
    ceiling = preset.ceiling_db
    gain, slope = _find_gain(path, inp, preset, ceiling, duration_ratio_db)
    check_mp3 = verify_mp3 and preset.verify_mp3 is not None
    try:
        with replacing(path) as temp:
            for passes in range(1, MAX_PASSES + 1):
                graph = _filter_graph(gain, ceiling, head_frames, tail_frames, seed, inp.layout)
                levels, loudness, mp3_peak = _render(path, temp, inp, graph, file_format,
                                                     preset.verify_mp3 if check_mp3 else None)
                achieved = levels.rms_db if preset.loudness == "rms" else loudness.integrated_lufs
                peak = loudness.true_peak_db if loudness.true_peak_db is not None else levels.sample_peak_db
                if mp3_peak is not None:
                    peak = max(peak, mp3_peak)
                over = peak - preset.true_peak_max
                miss = achieved - preset.target if math.isfinite(achieved) else 0.0
                if passes == MAX_PASSES or (over <= 0 and abs(miss) <= TARGET_SLACK_DB):
                    break
                if over > 0:
                    ceiling -= over + PEAK_STEP_DB
                if abs(miss) > TARGET_SLACK_DB:
                    gain = max(-MAX_GAIN_DB, min(MAX_GAIN_DB, gain - miss / slope))
    except (OSError, sf.SoundFileError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise MasteringError(f"Cannot write the mastered '{path.name}' in '{path.parent}': {reason}") from exc
    kbps = path.stat().st_size * 8 / 1000 / levels.duration if levels.duration else None
    info = StreamInfo(codec, MASTERED_RATE, levels.channels, inp.layout, kbps, 0)
    measurement = combine(path, levels, loudness, info)
    problems = failures(measurement, preset)
    if mp3_peak is not None and mp3_peak > preset.true_peak_max:
        problems.append(f"true peak of a {preset.verify_mp3} MP3 {mp3_peak:.1f} dBTP "
                        f"(wanted ≤ {preset.true_peak_max:g} dBTP)")
    return MasteringResult(path, levels.frames, MASTERED_RATE, head_frames / MASTERED_RATE, gain, ceiling, passes,
                           measurement, tuple(problems))
