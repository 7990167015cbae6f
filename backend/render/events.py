"""What the AudioEngine tells its host (CLI, Qt worker), and how the host stops it.

The engine only calls these methods; the CLI prints them, the Qt worker turns them into signals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BatchReport:
    index: int  # 1-based
    chunks: int
    seconds: float
    audio_seconds: float
    vram: str  # the "VRAM: …" part of the log line
    line: str  # the whole Activity Log line
    vram_used: int | None = None  # bytes, device-wide; None on the CPU
    vram_total: int | None = None
    memory: object | None = None  # the full backend.gpu.memory.MemorySample on CUDA
    batch_size: int | None = None  # the working batch size after this batch (tuning, OOM lowering)
    device: str | None = None  # the worker that rendered it ("GPU 1", "CPU 2", "10.0.0.7 GPU 0"); None: this process


@dataclass(frozen=True)
class Progress:
    done: int  # chunks rendered or reused
    total: int
    elapsed: float  # seconds since the render started
    eta: float | None  # seconds left, None until there is a rate to go by
    realtime_factor: float | None  # audio seconds per wall second of synthesis
    stage: str = "render"  # render | check (the listening check) | assemble | encode


@dataclass
class RenderSummary:
    title: str
    chapters: int
    chunks: int
    rendered: int
    reused: int
    characters: int
    audio_seconds: float
    wall_seconds: float
    outputs: list[Path] = field(default_factory=list)
    output_dir: Path | None = None
    quality: object | None = None  # backend.audio.report.QualityReport of the audio outputs

    @property
    def realtime_factor(self) -> float:
        return self.audio_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


class RenderEvents:
    """Base class with no-op handlers; hosts override what they show."""

    def log(self, level: str, message: str) -> None:  # level: info | warning | error
        pass

    def batch_done(self, report: BatchReport) -> None:
        pass

    def progress(self, progress: Progress) -> None:
        pass

    def finished(self, summary: RenderSummary) -> None:
        pass

    def failed(self, message: str) -> None:
        pass


class CancelToken:
    """Set from any thread; the engine checks it between batches and between chapters."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class RenderStopped(Exception):
    """The render was cancelled; everything finished so far is in the cache."""


class RenderFailed(Exception):
    """The render cannot go on; the message is for the user. The cache stays valid."""
