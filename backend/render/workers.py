"""Workers: what renders a book's chunks outside the engine's process, one per GPU, per CPU share,
or per Ray actor (backend/cluster/).

A worker holds the voice warm with its own session (CUDA set-up, VRAM cap, Auto batch size, OOM
recovery, warm-up) and renders the batches the driver (backend/render/dispatch.py) hands it.
Every chunk's audio depends only on its own phonemes and seed, never on its batch or worker, so
any split of the work gives the same samples as one process.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class WorkerSpec:
    label: str  # names the worker in batch lines: "GPU 1", "CPU 2"
    settings: object  # RenderSettings, made concrete by the engine (precision, device, streams)
    dialogue_voice: str | None = None  # the dialogue voice's .onnx when it is another file than the narration's
    threads: int | None = None  # PyTorch threads (CPU workers)
    gpu: int | None = None  # local GPU workers: the one GPU this process sees (CUDA_VISIBLE_DEVICES)
    cache_folder: str | None = None  # the shared chunk cache the worker writes; None: audio goes back to the driver


@dataclass(frozen=True)
class ChunkTask:
    key: str
    ids: tuple[int, ...]
    seed: int
    length_scale: float | None
    speaker: object
    part: int


@dataclass
class BatchResult:
    keys: list[str]
    sizes: list[int]  # samples per chunk
    took: float
    vram: str
    used: int | None
    capacity: int | None
    memory: object | None
    batch_size: int  # the worker's working batch size after this batch
    audios: list | None = None  # with no shared cache folder: the audio, for the driver to store
    durations: list = field(default_factory=list)  # per chunk, its phoneme durations (word timings)
    lines: list = field(default_factory=list)  # (level, message) the worker logged meanwhile


def plan_local_workers(settings, device: str, gpu_count: int, cpu_threads: int) -> list[WorkerSpec]:
    """The worker processes for a render on this machine; [] renders in the engine's own process.
    'auto': one per GPU when the device is plain 'cuda' and there are several GPUs, else none."""
    wanted = settings.workers
    on_gpu = device.startswith("cuda")
    if wanted == "auto":
        if not (on_gpu and device == "cuda" and gpu_count > 1):
            return []
        wanted = gpu_count
    if wanted <= 1:
        return []
    if on_gpu:
        if device != "cuda":
            raise ValueError(f"{wanted} workers need the device 'cuda' (every GPU), not '{device}': one worker runs "
                             "per GPU. To pick GPUs, set CUDA_VISIBLE_DEVICES.")
        if wanted > gpu_count:
            raise ValueError(f"{wanted} workers, but this machine has {gpu_count} GPU{'s' if gpu_count != 1 else ''}: "
                             f"one worker runs per GPU, so use at most {gpu_count} (or --device cpu for CPU workers).")
        return [WorkerSpec(f"GPU {i}", replace(settings, device="cuda"), gpu=i) for i in range(wanted)]
    # One chunk at a time per CPU worker, on its share of the cores: the same arithmetic as one
    # CPU stream, so the samples match a one-process render.
    threads = max(1, cpu_threads // wanted)
    single = replace(settings, device="cpu", cpu_streams=1, batch_size=1)
    return [WorkerSpec(f"CPU {i + 1}", single, threads=threads) for i in range(wanted)]


def worker_environment(spec: WorkerSpec) -> dict[str, str]:
    """What a local worker process's environment changes, set before it imports torch."""
    env = {}
    if spec.gpu is not None:
        env["CUDA_VISIBLE_DEVICES"] = str(spec.gpu)
    if spec.threads:
        env["OMP_NUM_THREADS"] = str(spec.threads)
    return env


class BatchWorker:
    """The voice (and the dialogue voice), warm, behind its own session; in a worker process or a Ray actor."""

    def __init__(self, spec: WorkerSpec):
        from backend.gpu.session import prepare_process

        prepare_process()  # the CUDA allocator settings, before torch is imported
        import torch

        from backend.gpu.session import open_session
        from backend.render.chunk_cache import ChunkCache
        from backend.tts.synth import Synthesizer
        from backend.tts.voice import load_voice

        self.spec, self.lines = spec, []
        if spec.threads:
            torch.set_num_threads(spec.threads)
        s = spec.settings
        device = s.resolved_device()
        t0 = time.perf_counter()
        make = dict(device=device, dtype=s.precision, noise_scale=s.noise_scale, noise_w=s.noise_w,
                    cpu_streams=s.cpu_streams)
        self.synth = narration = Synthesizer.load(s.voice, **make)
        if spec.dialogue_voice:
            from backend.tts.voice_pair import VoicePair

            self.synth = VoicePair(narration, Synthesizer(load_voice(spec.dialogue_voice), **make))
        self.log("info", f"Voice loaded on {device} in {time.perf_counter() - t0:.2f}s (pid {os.getpid()})")
        if device.startswith("cuda"):
            self.session = open_session(self.synth, s, self.log)  # the GPU's name, VRAM, cap: worth a line each
        else:
            from backend.gpu.session import CpuSession

            self.session = CpuSession(self.synth, 1, self.log)  # one chunk at a time on this worker's threads
        self.cache = ChunkCache(spec.cache_folder, narration.sample_rate) if spec.cache_folder else None

    def log(self, level: str, message: str) -> None:
        self.lines.append((level, message))

    def take_lines(self) -> list:
        lines, self.lines = self.lines, []
        return lines

    def warm_up(self, texts: list[str]) -> tuple[int, list]:
        """Warm the device up (and measure Auto); returns the batch size to feed it and the log lines."""
        self.session.start(texts)
        return self.session.batch_size, self.take_lines()

    def render(self, tasks: list[ChunkTask], number: int) -> BatchResult:
        from backend.render.batch_loop import store_chunk
        from backend.tts.synth import SynthItem

        t0 = time.perf_counter()
        self.session.before_batch(lambda: False)  # a pause under memory pressure; the driver decides stops
        items = [SynthItem(list(t.ids), t.seed, t.length_scale, durations=[], speaker=t.speaker, part=t.part)
                 for t in tasks]
        audios = self.session.run(items)
        if self.cache is not None:
            for task, item, audio in zip(tasks, items, audios, strict=True):
                store_chunk(self.cache, task.key, item, audio, self._hop(task.part))
        took = time.perf_counter() - t0
        samples = sum(a.size for a in audios)
        rate = samples / self.synth.sample_rate / took if took else 0.0
        vram, used, capacity = self.session.after_batch(number, len(tasks), took, rate)
        return BatchResult([t.key for t in tasks], [a.size for a in audios], took, vram, used, capacity,
                           self.session.last_sample, self.session.batch_size,
                           audios=None if self.cache is not None else audios,
                           durations=[list(i.durations or ()) for i in items], lines=self.take_lines())

    def _hop(self, part: int) -> int:
        parts = getattr(self.synth, "parts", None)
        return (parts[part] if parts else self.synth).hop_length

    def finish(self, output_dir: str, stem: str) -> tuple[list, list]:
        """The session's end (VRAM summary, CSV and graph named after this worker); (paths, log lines)."""
        from pathlib import Path

        Path(output_dir).mkdir(parents=True, exist_ok=True)
        paths = self.session.finish(Path(output_dir), f"{stem} {self.spec.label}")
        return [str(p) for p in paths], self.take_lines()
