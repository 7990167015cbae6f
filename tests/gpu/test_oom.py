"""OOM recovery: split, retry outside the except block, lower the batch size, lose nothing."""

from __future__ import annotations

import gc
import sys

import pytest
import torch

from backend.gpu.oom import BatchState, StickyCudaError, is_oom, is_sticky_cuda_error, run_with_oom_recovery
from tests.gpu.simulated_device import GiB, MiB, SimulatedDevice


class Harness:
    """Renders chunks (index, length) on a simulated device; records every call."""

    def __init__(self, device: SimulatedDevice):
        self.device = device
        self.gpu_calls: list[list[int]] = []
        self.cpu_calls: list[list[int]] = []
        self.logs: list[tuple[str, str]] = []
        self.outside_except: list[bool] = []

    def run(self, items: list[tuple[int, int]]) -> list[str]:
        # Recovery must not happen while an exception (and the tensors it pins) is alive.
        self.outside_except.append(sys.exc_info() == (None, None, None))
        self.gpu_calls.append(list(items))
        self.device.run([length for _, length in items])
        return [f"audio-{index}" for index, _ in items]

    def run_on_cpu(self, items: list[tuple[int, int]]) -> list[str]:
        self.outside_except.append(sys.exc_info() == (None, None, None))
        self.cpu_calls.append(list(items))
        return [f"cpu-audio-{index}" for index, _ in items]

    def log(self, level: str, message: str) -> None:
        self.logs.append((level, message))


def chunks(*lengths: int) -> list[tuple[int, int]]:
    return list(enumerate(lengths))


def three_fit_device() -> SimulatedDevice:
    # 100 frames per chunk at 1 MiB/frame: a batch of 3 needs 300 MiB, 4 needs 400 MiB.
    return SimulatedDevice(total=8 * GiB, cap=300 * MiB + 350 * MiB, weights=300 * MiB)


def test_split_recovers_every_chunk_in_order():
    device = three_fit_device()
    h = Harness(device)
    items = chunks(*[100] * 8)
    state = BatchState(batch_size=8, max_batch_size=8)
    gc_calls = []

    out = run_with_oom_recovery(items, h.run, h.run_on_cpu, state, h.log, on_oom=lambda: gc_calls.append(gc.collect()))

    assert out == [f"audio-{i}" for i in range(8)]  # in order, each exactly once, all on the GPU
    assert state.batch_size in (2, 3)
    assert state.oom_recoveries == 2 and len(gc_calls) == 2
    assert state.cpu_fallbacks == 0 and h.cpu_calls == []
    assert sum(state.sizes_used) == len(items) and max(state.sizes_used) <= 3
    assert all(h.outside_except)
    assert device.live == 0  # the failed attempts' partial tensors were released
    assert device.empty_cache_calls == 0  # DESIGN: empty_cache after an OOM buys nothing
    assert h.logs[0] == ("warning", "Out of GPU memory with 8 chunks: retrying as 4 + 4; batch size lowered to 4")
    # 8 fails, 4 fails, then 2s: the second half is not retried as a known-failing 4.
    assert [len(c) for c in h.gpu_calls] == [8, 4, 2, 2, 2, 2]
    assert [i for call in h.gpu_calls[2:] for i, _ in call] == list(range(8))


def test_uneven_split_keeps_order():
    device = three_fit_device()
    h = Harness(device)
    items = chunks(*[100] * 7)
    state = BatchState(batch_size=7, max_batch_size=16)
    out = run_with_oom_recovery(items, h.run, h.run_on_cpu, state, h.log)
    assert len(out) == 7
    assert [len(c) for c in h.gpu_calls][:2] == [7, 4]  # 7 -> 4 + 3, 4 -> 2 + 2
    assert h.logs[0][1] == "Out of GPU memory with 7 chunks: retrying as 4 + 3; batch size lowered to 4"
    assert state.batch_size == 2 and sum(state.sizes_used) == 7


def test_no_oom_leaves_state_alone():
    h = Harness(SimulatedDevice())
    state = BatchState(batch_size=4, max_batch_size=4)
    assert run_with_oom_recovery(chunks(10, 20, 30), h.run, h.run_on_cpu, state, h.log) == ["audio-0", "audio-1", "audio-2"]
    assert (state.batch_size, state.oom_recoveries, state.sizes_used, h.logs) == (4, 0, [3], [])
    assert run_with_oom_recovery([], h.run, h.run_on_cpu, state, h.log) == []


def test_single_chunk_too_big_falls_back_to_cpu():
    device = three_fit_device()
    h = Harness(device)
    items = chunks(100, 5000, 100)  # the middle chunk alone needs ~5 GB
    state = BatchState(batch_size=3, max_batch_size=3)
    out = run_with_oom_recovery(items, h.run, h.run_on_cpu, state, h.log)
    assert out == ["audio-0", "cpu-audio-1", "audio-2"]
    assert h.cpu_calls == [[(1, 5000)]]
    assert state.cpu_fallbacks == 1 and state.batch_size == 1
    assert ("warning", "Chunk did not fit in VRAM even alone; rendered on the CPU") in h.logs
    assert all(h.outside_except) and device.live == 0


def test_recovery_inside_except_would_fail_on_the_simulator():
    """The simulator pins the failed attempt's tensors while the exception lives: a retry from
    inside the except block cannot fit even one chunk (what run_with_oom_recovery avoids)."""
    device = three_fit_device()
    try:
        device.run([100] * 8)
    except torch.cuda.OutOfMemoryError:
        assert device.live > 0
        with pytest.raises(torch.cuda.OutOfMemoryError):
            device.run([100])
    gc.collect()
    assert device.live == 0
    device.run([100])  # fits once the exceptions are gone


def test_sticky_error_raises_sticky_cuda_error():
    def run(items):
        raise RuntimeError("CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be ...")

    state = BatchState(batch_size=4, max_batch_size=4)
    with pytest.raises(StickyCudaError) as info:
        run_with_oom_recovery([1, 2], run, lambda items: items, state, lambda *a: None)
    assert "an illegal memory access was encountered" in str(info.value)
    assert "Everything rendered so far is kept" in str(info.value)
    assert "Restart the app and press Start to resume" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert state.oom_recoveries == 0


def test_other_errors_propagate_unchanged():
    error = ValueError("bad phoneme")

    def run(items):
        raise error

    with pytest.raises(ValueError) as info:
        run_with_oom_recovery([1], run, lambda items: items, BatchState(1, 1), lambda *a: None)
    assert info.value is error
    with pytest.raises(RuntimeError, match="shape mismatch"):
        run_with_oom_recovery([1], lambda items: (_ for _ in ()).throw(RuntimeError("shape mismatch")), list, BatchState(1, 1), print)


def test_wrong_result_count_is_an_error():
    with pytest.raises(ValueError, match="returned 1 results"):
        run_with_oom_recovery([1, 2], lambda items: items[:1], list, BatchState(2, 2), lambda *a: None)


@pytest.mark.parametrize(
    "exc",
    [
        torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        RuntimeError("CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"),
        RuntimeError("CUDA driver error: out of memory"),
        RuntimeError("CUDA out of memory. Tried to allocate 20.00 MiB"),
        RuntimeError("cuDNN error: out of memory"),
    ],
)
def test_is_oom_forms(exc):
    assert is_oom(exc)
    assert not is_sticky_cuda_error(exc)


@pytest.mark.parametrize(
    "exc",
    [RuntimeError("shape mismatch"), ValueError("out of memory"), MemoryError(), KeyboardInterrupt()],
)
def test_not_oom(exc):
    assert not is_oom(exc)


@pytest.mark.parametrize(
    "message",
    [
        "CUDA error: an illegal memory access was encountered",
        "CUDA error: unspecified launch failure",
        "CUDA error: device-side assert triggered",
        "CUDA error: misaligned address",
    ],
)
def test_sticky_forms(message):
    assert is_sticky_cuda_error(RuntimeError(message))
    assert not is_oom(RuntimeError(message))
    assert not is_sticky_cuda_error(RuntimeError("CUDA out of memory"))
