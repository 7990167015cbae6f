"""The CUDA path on a real GPU: runs wherever torch sees one (the lent GPU machine runs it through
bench/gpu_kit_run.sh); without a GPU the contract tests (test_cuda_contract.py) cover the same
code against recorders of torch.cuda."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from backend.gpu.cuda_setup import configure_torch
from backend.gpu.memory import TorchCudaMemory
from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from tests.render.test_engine import BOOK, Recorder

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (bench/gpu_kit_run.sh runs it)")
MiB = 1 << 20


@pytest.fixture()
def uncapped():
    yield
    torch.cuda.set_per_process_memory_fraction(1.0, 0)
    torch.cuda.empty_cache()


def test_memory_sample_follows_a_real_allocation(uncapped):
    memory = TorchCudaMemory("cuda:0")
    before = memory.sample()
    ballast = torch.empty(256 * MiB, dtype=torch.uint8, device="cuda:0")
    during = memory.sample()
    assert during.allocated - before.allocated >= 256 * MiB and during.reserved >= during.allocated
    assert during.device_total and abs(during.device_total - memory.total) < 0.05 * memory.total
    assert during.device_used >= during.reserved
    del ballast
    memory.empty_cache()
    assert memory.sample().reserved <= during.reserved - 256 * MiB


def test_configure_torch_sets_the_real_cap(uncapped):
    fraction, lines = configure_torch("cuda:0", 80, None)
    assert fraction == 0.8 and torch.cuda.get_per_process_memory_fraction(0) == pytest.approx(0.8)
    assert torch.backends.cudnn.benchmark is False and lines[0].startswith("VRAM cap: 80% of ")


@pytest.mark.parametrize("precision", ["float32", "float16", "bfloat16"])
def test_render_on_the_gpu_sounds_like_the_cpu(tmp_path, uncapped, precision):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    out = {}
    for device in ("cpu", "cuda:0"):
        st = RenderSettings(device=device, precision=precision if device != "cpu" else "float32", batch_size=4,
                            max_chars=60, cache_dir=str(tmp_path / f"cache-{device}"), outputs=[])
        events = Recorder()
        summary = AudioEngine(RenderJob(book, tmp_path / device, st), events).run()
        assert summary.rendered == summary.chunks
        out[device] = [sf.read(p, dtype="float32")[0] for p in sorted((tmp_path / device).glob("*.flac"))]
    assert any("GPU warmup complete" in m for _, m in events.logs)
    assert (tmp_path / "cuda:0" / "ferry VRAM.csv").exists()
    for gpu, cpu in zip(out["cuda:0"], out["cpu"], strict=True):
        # TF32 and other kernels may round a phoneme's duration the other way: compare length and
        # level, not samples.
        assert abs(len(gpu) - len(cpu)) <= 0.02 * len(cpu)
        rms_db = 20 * np.log10(np.sqrt(np.mean(gpu**2)) / np.sqrt(np.mean(cpu**2)))
        assert abs(rms_db) < 1.0 and np.isfinite(gpu).all() and np.abs(gpu).max() < 1.0
