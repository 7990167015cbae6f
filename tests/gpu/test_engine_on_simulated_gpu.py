"""The real AudioEngine and voice, with a simulated CUDA device plugged in where the real CUDA
calls are made: OOM splits and CPU fallback lose no chunk, warm-up and the Auto batch size run,
the VRAM CSV and graph are written, and the per-batch line keeps the seeds' form."""

import re

import numpy as np
import soundfile as sf

from backend.gpu.session import CudaSession
from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from tests.gpu.simulated_device import GiB, MiB, SimulatedDevice
from tests.render.test_engine import BOOK, Recorder

LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] Batch \d+ \(\d+ chunks\) done in \d+\.\d\ds \(\d+\.\d\ds/chunk\) "
                  r"\| VRAM: \d+\.\d/\d+\.\dGB \(\d+%\)$")


def simulated_factory(device: SimulatedDevice, calls: list):
    def factory(synth, settings, log):
        def run_on_gpu(items):
            device.run([len(it.ids) for it in items])  # raises OutOfMemoryError past the cap
            calls.append(len(items))
            return synth.synthesize_batch(items)

        session = CudaSession(synth, settings, log, device, run_batch=run_on_gpu)
        session.device = "cuda:0"
        return session

    return factory


def render(tmp_path, name, factory=None, **kw):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    events = Recorder()
    st = RenderSettings(device="cpu", max_chars=60, cache_dir=str(tmp_path / f"cache-{name}"), outputs=[], **kw)
    summary = AudioEngine(RenderJob(book, tmp_path / name, st), events, session_factory=factory).run()
    return summary, events


def chapters(folder):
    return [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("*.flac"))]


def test_oom_recovery_loses_no_chunk(tmp_path):
    # Room for about three short chunks at once: batch 8 must split.
    device = SimulatedDevice(total=4 * GiB, cap=int(1.1 * GiB), weights=300 * MiB, bytes_per_frame=2 * MiB)
    calls = []
    summary, events = render(tmp_path, "gpu", simulated_factory(device, calls), batch_size=8)
    clean, _ = render(tmp_path, "cpu")
    assert summary.rendered == clean.rendered == summary.chunks
    warnings = [m for level, m in events.logs if level == "warning"]
    assert any("Out of GPU memory" in w for w in warnings)
    assert max(calls) < 8 and sum(calls) >= summary.rendered
    assert all(LINE.match(b.line) for b in events.batches), events.batches[0].line
    for a, b in zip(chapters(tmp_path / "gpu"), chapters(tmp_path / "cpu"), strict=True):
        assert a.shape == b.shape and np.abs(a - b).max() < 2e-3  # batching changes audio by < 1e-3
    assert (tmp_path / "gpu" / "ferry VRAM.csv").exists() and (tmp_path / "gpu" / "ferry VRAM.png").exists()
    assert any("GPU warmup complete" in m for _, m in events.logs)
    assert any("OOM recoveries" in m for _, m in events.logs)


def test_chunk_too_big_for_the_gpu_goes_to_the_cpu(tmp_path):
    device = SimulatedDevice(total=4 * GiB, cap=int(0.45 * GiB), weights=300 * MiB, bytes_per_frame=2 * MiB)
    calls = []
    summary, events = render(tmp_path, "gpu", simulated_factory(device, calls), batch_size=2)
    assert summary.rendered == summary.chunks
    assert any("rendered on the CPU" in m for level, m in events.logs if level == "warning")


def test_auto_batch_size_is_measured_and_tuned(tmp_path):
    device = SimulatedDevice(total=24 * GiB, cap=int(20 * GiB), weights=300 * MiB, bytes_per_frame=1 * MiB)
    calls = []
    summary, events = render(tmp_path, "gpu", simulated_factory(device, calls), batch_size="auto")
    logs = [m for _, m in events.logs]
    assert any(m.startswith("Auto batch size: ") for m in logs)
    assert summary.rendered == summary.chunks and max(calls) > 1


def test_sticky_cuda_error_stops_cleanly_and_resume_works(tmp_path):
    import pytest

    from backend.render.events import RenderFailed

    device = SimulatedDevice(total=8 * GiB, cap=6 * GiB)
    calls = []
    good = simulated_factory(device, calls)

    def failing_factory(synth, settings, log):
        session = good(synth, settings, log)
        real = session.run_batch

        def run(items):
            if len(calls) >= 5:  # the GPU dies after warm-up (3 runs) and two batches
                raise RuntimeError("CUDA error: an illegal memory access was encountered")
            return real(items)

        session.run_batch = run
        return session

    with pytest.raises(RenderFailed, match="Restart the app"):
        render(tmp_path, "gpu", failing_factory, batch_size=1)
    summary, events = render(tmp_path, "gpu", simulated_factory(device, []), batch_size=1)
    assert summary.reused == 2 and summary.reused + summary.rendered == summary.chunks
