"""What the engine does around each batch, per device.

CpuSession runs batches as they come. CudaSession configures the device, warms it up, measures
the Auto batch size, and around every batch: pauses under memory pressure, recovers from OOM by
splitting, reads memory once, tunes the batch size, watches the trend and applies the cache-clear
policy; at the end it writes the VRAM CSV and graph. The device and the batch runner are
injected, so tests drive the same code with a simulated device.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Callable, Sequence

from backend.gpu.memory import DeviceMemory, MemorySample
from backend.gpu.vram_log import VramRecord
from backend.render.vram import vram_text

Log = Callable[[str, str], None]  # (level, message)
_ALLOCATOR_LINES: list[str] = []


def prepare_process() -> None:
    """Call first thing in a program, before anything imports torch: the CUDA allocator reads
    its settings only at import. What was chosen is logged when a CUDA render starts."""
    from backend.gpu.cuda_setup import configure_allocator_env
    from backend.tts.cpu_tuning import limit_kernel_cache

    limit_kernel_cache()
    _ALLOCATOR_LINES[:] = configure_allocator_env()


class CpuSession:
    device = "cpu"

    def __init__(self, synth, batch_size: int, log: Log):
        self.synth = synth
        self.batch_size = batch_size
        self.log = log

    def start(self, sample_texts: Sequence[str]) -> None:
        pass

    def before_batch(self, cancelled: Callable[[], bool]) -> None:
        pass

    def run(self, items: list) -> list:
        return self.synth.synthesize_batch(items)

    last_sample: MemorySample | None = None

    def after_batch(self, index: int, batch_size: int, seconds: float, throughput: float) -> tuple[str, int | None, int | None]:
        """Returns the VRAM part of the log line and the device-wide (used, total) bytes."""
        return vram_text(self.device, None), None, None

    def finish(self, output_dir: Path, stem: str) -> list[Path]:
        return []

    def reserve(self, nbytes: int, what: str) -> None:
        """Memory another model holds on the device outside PyTorch (CUDA only)."""


class CudaSession(CpuSession):
    def __init__(self, synth, settings, log: Log, memory: DeviceMemory, run_batch: Callable[[list], list] | None = None,
                 cpu_fallback: Callable[[list], list] | None = None):
        from backend.gpu.oom import BatchState
        from backend.gpu.policies import AutoTuner, CacheClearPolicy, PressureGuard, TrendWatch

        self.synth, self.settings, self.log, self.memory = synth, settings, log, memory
        self.device = str(getattr(synth, "device", "cuda"))
        self.auto = settings.batch_size == "auto"
        start = settings.resolved_batch_size(self.device) if not self.auto else 1
        self.state = BatchState(batch_size=start, max_batch_size=64)
        self.run_batch = run_batch or synth.synthesize_batch
        self._cpu_fallback = cpu_fallback
        cap = memory.cap or memory.total
        self.tuner = AutoTuner(cap) if self.auto else None
        self.guard = PressureGuard()
        self.trend = TrendWatch()
        self.clears = CacheClearPolicy(settings.cache_clear_fragmentation, settings.cache_clear_interval)
        self.record = VramRecord()
        self._last: MemorySample | None = None

    @property
    def batch_size(self) -> int:
        return self.state.batch_size

    def reserve(self, nbytes: int, what: str) -> None:
        """Another model holds `nbytes` on this GPU outside PyTorch (the speech check's Whisper, loaded
        before the warm-up): the cap the voice's batches are sized, tuned and guarded against shrinks by
        it (never below a quarter of what it was)."""
        if nbytes <= 0:
            return
        before = self.memory.cap or self.memory.total
        self.memory.cap = max(before // 4, before - nbytes)
        if self.tuner is not None:
            self.tuner.cap = self.memory.cap
        self.log("info", f"{what} holds {nbytes / 2**20:.0f} MB of GPU memory: the voice's batches are sized within "
                         f"{self.memory.cap / 2**30:.2f} GB")

    # -- start -----------------------------------------------------------------------------
    def start(self, sample_texts: Sequence[str]) -> None:
        """Warm the GPU up (one tiny synthesis per length bucket) and, for Auto, measure."""
        from backend.tts.synth import SynthItem

        t0 = time.perf_counter()
        texts = sorted({t for t in sample_texts if t.strip()}, key=len)
        buckets = [texts[0], texts[len(texts) // 2], texts[-1]] if texts else ["Warm up."]
        peaks = []
        self.memory.synchronize()
        base = self.memory.sample().allocated
        from backend.gpu.oom import as_gpu_failure, is_oom

        for text in buckets:
            self.memory.reset_peak()
            ids = self.synth.phoneme_ids(text)
            too_big = False
            try:
                self.run_batch([SynthItem(ids, 0)])
            except RuntimeError as exc:
                if not is_oom(exc):
                    failure = as_gpu_failure(exc, "warm-up")  # e.g. an illegal address: restart, cache kept
                    if failure is None:
                        raise
                    raise failure from exc
                too_big = True  # handled outside the except: the exception pins the frames
            if too_big:
                gc.collect()
                self.log("warning", f"Warm-up: a {len(ids)}-phoneme chunk does not fit in VRAM alone; "
                                    "such chunks will be rendered on the CPU")
                continue
            self.memory.synchronize()
            peaks.append((len(ids), self.memory.sample().peak_allocated))
        s = self.memory.sample()
        self.log("info", f"GPU warmup complete in {time.perf_counter() - t0:.2f}s | {vram_text(self.device, _usage(s))}")
        if self.auto and len(peaks) >= 2 and self.memory.cap:
            from backend.gpu.policies import fit_batch_size

            (short_len, short_peak), (long_len, long_peak) = peaks[0], peaks[-1]
            size = fit_batch_size(short_peak, long_peak, short_len, long_len, long_len, base, self.memory.cap)
            self.state.batch_size = size
            self.log("info", f"Auto batch size: {size} (measured {short_peak / 2**20:.0f} MB for a short chunk, "
                             f"{long_peak / 2**20:.0f} MB for the longest, cap {self.memory.cap / 2**30:.1f} GB)")

    # -- around each batch -----------------------------------------------------------------
    def before_batch(self, cancelled: Callable[[], bool]) -> None:
        sample = self._last or self.memory.sample()
        if self.guard.needs_pause(sample):
            size_then = self.state.batch_size
            self.guard.wait(self.memory.sample, cancelled, lambda: self.state.batch_size != size_then, time.sleep,
                            self.log)
            self._last = None

    def run(self, items: list) -> list:
        from backend.gpu.oom import run_with_oom_recovery

        self.memory.reset_peak()
        return run_with_oom_recovery(items, self.run_batch, self._run_on_cpu, self.state, self.log, on_oom=gc.collect)

    def _run_on_cpu(self, items: list) -> list:
        if self._cpu_fallback is None:
            from backend.tts.synth import Synthesizer

            if hasattr(self.synth, "cpu_twin"):  # a VoicePair: both of its voices
                cpu = self.synth.cpu_twin()
            else:
                cpu = Synthesizer(self.synth.voice, device="cpu", noise_scale=self.synth.noise_scale,
                                  noise_w=self.synth.noise_w)
            self._cpu_fallback = cpu.synthesize_batch
        return self._cpu_fallback(items)

    def after_batch(self, index: int, batch_size: int, seconds: float, throughput: float) -> tuple[str, int | None, int | None]:
        s = self.memory.sample()
        self._last = self.last_sample = s
        self.record.add(index, batch_size, seconds, s)
        if self.tuner is not None:
            size, message = self.tuner.after_batch(s, batch_size, throughput)
            if message:
                self.log("info", message)
            self.state.batch_size = size
        warning = self.trend.add(s.allocated)
        if warning:
            self.log("warning", warning)
        if self.clears.after_batch(s):
            self.memory.empty_cache()
            self.log("info", f"Cleared the GPU cache (fragmentation {s.fragmentation:.0%})")
        used = _usage(s)
        return vram_text(self.device, used), *(used or (None, None))

    def finish(self, output_dir: Path, stem: str) -> list[Path]:
        if self.clears.at_end():
            self.memory.empty_cache()
        self.record.cache_clears = self.clears.clears
        self.record.oom_recoveries = self.state.oom_recoveries
        self.record.cpu_fallbacks = self.state.cpu_fallbacks
        for line in self.record.summary_lines():
            self.log("info", line)
        if not self.record.rows:
            return []
        return [self.record.write_csv(output_dir / f"{stem} VRAM.csv"), self.record.write_png(output_dir / f"{stem} VRAM.png")]


def _usage(s: MemorySample) -> tuple[int, int] | None:
    return (s.device_used, s.device_total) if s.device_used is not None and s.device_total else None


def open_session(synth, settings, log: Log) -> CpuSession:
    """The session for the synthesizer's device; on CUDA the device is configured here (after
    torch import: memory cap, cuDNN, TF32) and described in the log."""
    from backend.gpu.gpu_info import describe_startup

    device = str(synth.device)
    for line in describe_startup(device, settings.batch_size, requested=settings.device):
        log("info", line)
    if not device.startswith("cuda"):
        # Each chunk runs alone on the CPU; a batch is what the streams render side by side.
        streams = getattr(synth, "parallel_chunks", 1)
        if streams > 1:
            per = synth.cpu_streams.threads_per_stream
            log("info", f"CPU: {streams} chunks at once, each on its own stream of {per} thread{'s' if per > 1 else ''}")
        return CpuSession(synth, max(settings.resolved_batch_size(device), streams), log)
    from backend.gpu.cuda_setup import configure_torch
    from backend.gpu.memory import TorchCudaMemory

    memory = TorchCudaMemory(device)
    fraction, lines = configure_torch(device, settings.vram_limit_percent, memory.total)
    if fraction:
        memory.cap = int(memory.total * fraction)
    for line in [*_ALLOCATOR_LINES, *lines]:
        log("info", line)
    return CudaSession(synth, settings, log, memory)
