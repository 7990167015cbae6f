"""The real CUDA code paths, driven through recorders of torch.cuda and NVML (fake_cuda.py):
configure_torch, TorchCudaMemory, open_session and whole AudioEngine renders on "cuda:1".

The model itself runs on CPU tensors with its CUDA branches (cuda_kernels_on_cpu): torch's
`meta` device cannot stand in, since the frame count of a chunk is data (the durations)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from backend.gpu.cuda_setup import configure_torch
from backend.gpu.memory import MemorySample, TorchCudaMemory
from backend.gpu.policies import fit_batch_size
from backend.gpu.session import CudaSession, open_session
from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from tests.gpu.fake_cuda import FakeCard, FakeCuda, GiB, MiB, OnFakeCuda
from tests.render.test_engine import Recorder

FIRST = FakeCard("NVIDIA RTX A6000", int(47.5 * GiB))


def two_cards(second_gib: float, name: str = "NVIDIA GeForce RTX 4070") -> list[FakeCard]:
    return [FakeCard(FIRST.name, FIRST.total), FakeCard(name, int(second_gib * GiB))]


@pytest.mark.parametrize(("gib", "fraction", "why"), [
    (7.6, 0.85, "tier under 12 GB"),  # an 8 GB card as it reports itself
    (11.6, 0.90, "tier 12 GB+"),
    (23.6, 0.95, "tier 24 GB+"),
])
def test_configure_torch_caps_the_second_card_by_tier(monkeypatch, gib, fraction, why):
    fake = FakeCuda(two_cards(gib)).install(monkeypatch)
    torch.backends.cudnn.benchmark = True  # configure_torch must turn it off for variable lengths
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    got, lines = configure_torch("cuda:1", None, None)
    assert got == fraction
    assert [args for name, args in fake.calls if name == "set_per_process_memory_fraction"] == [(fraction, 1)]
    assert ("get_device_properties", (1,)) in fake.calls and fake.cards[0].fraction is None
    assert lines[0] == f"VRAM cap: {round(fraction * 100)}% of {gib:.1f} GB ({why})"
    assert torch.backends.cudnn.benchmark is False and "cuDNN benchmark: off" in lines[1]
    assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    assert not torch.are_deterministic_algorithms_enabled()


def test_configure_torch_plain_cuda_uses_the_current_device_and_the_override(monkeypatch):
    fake = FakeCuda(two_cards(11.6), current=1).install(monkeypatch)
    fraction, lines = configure_torch("cuda", 70, None)
    assert fraction == 0.7 and fake.cards[1].fraction == 0.7 and fake.cards[0].fraction is None
    assert "current_device" in fake.names() and "(your setting)" in lines[0]
    _, lines = configure_torch("cuda:1", None, None, bucketed_lengths=True)
    assert torch.backends.cudnn.benchmark is True and "on (bucketed lengths)" in lines[1]


def test_memory_sample_maps_every_field_from_its_key(monkeypatch):
    fake = FakeCuda(two_cards(11.6)).install(monkeypatch)
    card = fake.cards[1]
    card.allocated, card.reserved, card.peak_allocated, card.peak_reserved = 1001 * MiB, 2002 * MiB, 3003 * MiB, 4004 * MiB
    card.alloc_retries, card.ooms, card.other_processes = 5, 6, 700 * MiB
    memory = TorchCudaMemory("cuda:1")
    assert (memory.index, memory.name, memory.total, memory.cap) == (1, card.name, card.total, None)
    sample = memory.sample()
    assert sample == MemorySample(allocated=1001 * MiB, reserved=2002 * MiB, peak_allocated=3003 * MiB,
                                  peak_reserved=4004 * MiB, alloc_retries=5, ooms=6,
                                  device_used=card.context + 2002 * MiB + 700 * MiB, device_total=card.total)
    assert ("memory_stats", (1,)) in fake.calls
    assert "mem_get_info" not in fake.names()  # NVML is preferred: device-wide, no CUDA context
    memory.reset_peak()
    memory.synchronize()
    memory.empty_cache()
    assert ("reset_peak_memory_stats", (1,)) in fake.calls and ("synchronize", (1,)) in fake.calls
    assert card.peak_allocated == 1001 * MiB and card.reserved == card.allocated
    memory.set_cap_fraction(0.5)
    assert card.fraction == 0.5 and memory.cap == card.total // 2


def test_without_nvml_device_use_comes_from_mem_get_info(monkeypatch):
    fake = FakeCuda(two_cards(23.6), nvml=False).install(monkeypatch)
    memory = TorchCudaMemory("cuda:1")
    fake.cards[1].reserved = 3 * GiB
    sample = memory.sample()
    assert ("mem_get_info", (1,)) in fake.calls
    assert sample.device_used == fake.cards[1].context + 3 * GiB and sample.device_total == fake.cards[1].total


def test_open_session_takes_the_cuda_path(monkeypatch, cpu_synth):
    fake = FakeCuda(two_cards(11.6)).install(monkeypatch)
    synth = OnFakeCuda(cpu_synth, fake)
    logs = []
    try:
        session = open_session(synth, RenderSettings(device="cuda:1", batch_size=3), lambda lvl, m: logs.append(m))
    finally:
        synth.close()
    assert isinstance(session, CudaSession) and session.device == "cuda:1" and session.batch_size == 3
    assert session.memory.index == 1 and session.memory.cap == int(fake.cards[1].total * 0.9)
    assert logs[0] == "GPU: NVIDIA GeForce RTX 4070 (cuda:1, 2 GPU(s) found)"
    assert "Driver: 560.35.03" in logs and "NOTE: For 12GB VRAM, recommended batch size is 3 (current: 3)" in logs
    assert "  cuda:1  NVIDIA GeForce RTX 4070  11.6 GB  <- used (device setting cuda:1)" in logs
    assert any(m.startswith("VRAM cap: 90% of 11.6 GB") for m in logs)
    assert any(m.startswith("TF32: allowed") for m in logs) and torch.backends.cudnn.benchmark is False


def test_gpu_listing_without_nvml_reads_free_memory_of_the_used_card_only(monkeypatch, cpu_synth):
    fake = FakeCuda(two_cards(11.6), nvml=False).install(monkeypatch)
    synth = OnFakeCuda(cpu_synth, fake)
    logs = []
    try:
        open_session(synth, RenderSettings(device="cuda:1"), lambda lvl, m: logs.append(m))
    finally:
        synth.close()
    # mem_get_info makes a CUDA context on every card it touches: only the one in use.
    assert {args for name, args in fake.calls if name == "mem_get_info"} == {(1,)}
    assert any("(from torch)" in m for m in logs) and any(m.startswith("NVML not available") for m in logs)


def render_on(tmp_path, book, synth, name: str, **kw):
    events = Recorder()
    st = RenderSettings(device="cuda:1", max_chars=60, cache_dir=str(tmp_path / f"cache-{name}"), outputs=[], **kw)
    summary = AudioEngine(RenderJob(book, tmp_path / name, st), events, synthesizer=synth).run()
    return summary, events


def chapters(folder):
    return [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("*.flac"))]


def test_auto_batch_size_is_fitted_to_the_cap(monkeypatch, tmp_path, book, cpu_synth):
    sizes = {}
    for percent in (None, 50):
        fake = FakeCuda(two_cards(11.6), bytes_per_frame=4 * MiB).install(monkeypatch)
        synth = OnFakeCuda(cpu_synth, fake)
        try:
            summary, events = render_on(tmp_path, book, synth, f"auto-{percent}", batch_size="auto",
                                        vram_limit_percent=percent)
        finally:
            synth.close()
        card = fake.cards[1]
        cap = int(card.total * (0.9 if percent is None else 0.5))
        # The warm-up: one chunk each of the shortest, middle and longest text.
        (_, short_frames), _, (_, long_frames) = synth.forwards[:3]
        [short_len], _, [long_len] = synth.id_lengths[:3]
        base = fake.weights
        expected = fit_batch_size(base + fake.k * short_frames, base + fake.k * long_frames, short_len, long_len,
                                  long_len, base, cap)
        line = next(m for _, m in events.logs if m.startswith("Auto batch size: "))
        assert line.startswith(f"Auto batch size: {expected} ") and f"cap {cap / GiB:.1f} GB" in line
        assert summary.rendered == summary.chunks and not any("Out of GPU memory" in m for _, m in events.logs)
        assert all("VRAM: " in b.line and "(CPU)" not in b.line for b in events.batches)
        sizes[percent] = expected
    assert 1 < sizes[50] < sizes[None]  # a lower cap, a smaller batch


def test_oom_inside_the_forward_is_split_and_loses_no_chunk(monkeypatch, tmp_path, book, cpu_synth):
    fake = FakeCuda(two_cards(11.6), bytes_per_frame=16 * MiB).install(monkeypatch)
    fake.cards[1].other_processes = int(7.6 * GiB)  # room for about two chunks at once
    synth = OnFakeCuda(cpu_synth, fake)
    try:
        summary, events = render_on(tmp_path, book, synth, "gpu", batch_size=4)
    finally:
        synth.close()
    card = fake.cards[1]
    warnings = [m for level, m in events.logs if level == "warning"]
    assert any(m.startswith("Out of GPU memory with 4 chunks: retrying as 2 + 2") for m in warnings), warnings
    assert card.ooms >= 1 and max(items for items, _ in synth.forwards) == 4  # the OOM came from a real forward
    assert max(items for items, _ in card.batches) < 4  # what fitted ran smaller
    assert summary.rendered == summary.chunks
    cpu_summary = AudioEngine(RenderJob(book, tmp_path / "cpu", RenderSettings(
        device="cpu", max_chars=60, cache_dir=str(tmp_path / "cache-cpu"), outputs=[])), Recorder()).run()
    assert cpu_summary.chunks == summary.chunks
    for gpu_audio, cpu_audio in zip(chapters(tmp_path / "gpu"), chapters(tmp_path / "cpu"), strict=True):
        assert gpu_audio.shape == cpu_audio.shape and np.abs(gpu_audio - cpu_audio).max() < 2e-3
    assert any("OOM recoveries" in m for _, m in events.logs)


def test_another_program_filling_the_gpu_mid_render_pauses_it(monkeypatch, tmp_path, book, cpu_synth):
    import backend.gpu.session as session_module

    fake = FakeCuda(two_cards(11.6)).install(monkeypatch)
    card = fake.cards[1]
    synth = OnFakeCuda(cpu_synth, fake)
    sleeps = []

    def another_program_starts(module, args, output):  # after the warm-up and two batches: a game fills the card to 98%
        if len(synth.forwards) == 3 + 2:
            card.other_processes = int(11.4 * GiB) - card.context - card.reserved

    def sleep(seconds):  # the pause polls; on the second poll the other program has quit
        sleeps.append(seconds)
        if len(sleeps) == 2:
            card.other_processes = 0

    hook = cpu_synth.model.dec.register_forward_hook(another_program_starts)
    monkeypatch.setattr(session_module.time, "sleep", sleep)
    try:
        summary, events = render_on(tmp_path, book, synth, "paused", batch_size=1)
    finally:
        hook.remove()
        synth.close()
    logs = [m for _, m in events.logs]
    paused = next(i for i, m in enumerate(logs) if m.startswith("Another program is using the GPU: 98% of VRAM"))
    resumed = next(i for i, m in enumerate(logs) if m.startswith("GPU memory available again"))
    assert paused < resumed and sleeps == [2.0, 2.0]
    assert [b.index for b in events.batches] == list(range(1, summary.chunks + 1))
    assert summary.rendered == summary.chunks and card.ooms == 0


def test_device_use_falls_back_when_nvml_or_cuda_stop_answering(monkeypatch):
    fake = FakeCuda(two_cards(11.6)).install(monkeypatch)
    memory = TorchCudaMemory("cuda:1")
    fake.nvml = False  # NVML fails mid-render (driver reset, lost device): torch's figure instead
    assert memory.sample().device_used == fake.cards[1].context + fake.cards[1].reserved

    def no_answer(device=None):
        raise RuntimeError("CUDA error: unspecified launch failure")

    monkeypatch.setattr(torch.cuda, "mem_get_info", no_answer)
    sample = memory.sample()  # the sample still comes: device-wide use is just unknown
    assert sample.device_used is None and sample.device_total is None


def test_session_warns_of_a_leak_and_clears_a_fragmented_cache(monkeypatch, cpu_synth):
    fake = FakeCuda(two_cards(11.6)).install(monkeypatch)
    synth = OnFakeCuda(cpu_synth, fake)
    logs = []
    try:
        session = open_session(synth, RenderSettings(device="cuda:1", batch_size=2, cache_clear_interval=5),
                               lambda level, m: logs.append((level, m)))
    finally:
        synth.close()
    card = fake.cards[1]
    for n in range(1, 31):  # 30 batches, each leaving 8 MiB more allocated and a fragmented cache
        card.allocated += 8 * MiB
        card.reserved = card.allocated * 2
        session.after_batch(n, 2, 1.0, 2.0)
    warnings = [m for level, m in logs if level == "warning"]
    assert warnings == ["VRAM after each batch keeps growing (+8.0 MB/batch over 20 batches): possible leak"]
    clears = [m for _, m in logs if m.startswith("Cleared the GPU cache")]
    assert len(clears) == fake.names().count("empty_cache") >= 5 and "fragmentation 50%" in clears[0]
