"""Memory policies against the simulated device: tuner, pressure pause, leak trend, cache clears."""

from __future__ import annotations

import random

import pytest

from backend.gpu.memory import MemorySample
from backend.gpu.policies import AutoTuner, CacheClearPolicy, PressureGuard, TrendWatch, fit_batch_size
from tests.gpu.simulated_device import GiB, MiB, SimulatedDevice


def sample(peak_reserved: int = 0, retries: int = 0, reserved: int = 0, allocated: int = 0, used=None, total=None) -> MemorySample:
    return MemorySample(allocated, reserved, allocated, peak_reserved, retries, 0, used, total)


def drive(tuner: AutoTuner, device: SimulatedDevice, throughput, start: int = 1, batches: int = 30) -> list[int]:
    """Run equal-length batches, feeding the tuner; returns the size of every batch."""
    size, sizes = start, []
    for _ in range(batches):
        device.reset_peak()
        device.run([100] * size)
        sizes.append(size)
        size, _ = tuner.after_batch(device.sample(), size, throughput(size))
    return sizes


# -- AutoTuner --------------------------------------------------------------------------------


def test_tuner_grows_on_roomy_device_while_throughput_improves():
    device = SimulatedDevice(total=24 * GiB, cap=20 * GiB, bytes_per_frame=MiB)
    tuner = AutoTuner(cap_bytes=device.cap, max_size=16)
    sizes = drive(tuner, device, throughput=lambda b: b / (1 + 0.05 * b))  # always improves
    assert sizes[:6] == [1, 2, 3, 5, 8, 12]  # x1.5 rounded up, at least +1
    assert sizes[-1] == 16  # max_size respected


def test_tuner_grows_only_as_far_as_the_predicted_peak_allows():
    # One chunk peaking at 77% of the cap: two would need ~150%, so it stays (it used to double and OOM).
    tuner = AutoTuner(cap_bytes=10 * GiB)
    one = MemorySample(allocated=1 * GiB, reserved=8 * GiB, peak_allocated=int(7.7 * GiB), peak_reserved=int(7.7 * GiB),
                       alloc_retries=0, ooms=0, device_used=None, device_total=None)
    assert tuner.after_batch(one, 1, 1.0) == (1, None)
    # Four chunks at 40%: 0.5 GiB each over 1 GiB of weights, room to 8 GiB: at most 14, by x1.5 to 6.
    four = MemorySample(1 * GiB, 4 * GiB, 3 * GiB, 4 * GiB, 0, 0, None, None)
    size, message = AutoTuner(cap_bytes=10 * GiB).after_batch(four, 4, 1.0)
    assert size == 6 and message.startswith("Batch size raised to 6")
    close = MemorySample(1 * GiB, 7 * GiB, 7 * GiB, 7 * GiB, 0, 0, None, None)  # 70%, 1.5 GiB a chunk: 4 fit
    assert AutoTuner(cap_bytes=10 * GiB).after_batch(close, 4, 1.0) == (4, None)


def test_tuner_stops_growing_when_throughput_drops():
    device = SimulatedDevice(total=24 * GiB, cap=20 * GiB)
    tuner = AutoTuner(cap_bytes=device.cap)
    best = 5  # throughput peaks at 5 and falls beyond it
    logs = []
    size = 1
    sizes = []
    for _ in range(30):
        device.reset_peak()
        device.run([100] * size)
        sizes.append(size)
        size, line = tuner.after_batch(device.sample(), size, 10 - abs(size - best) * 1.0)
        if line:
            logs.append(line)
    assert sizes[:5] == [1, 2, 3, 5, 8]
    # Back to 5, one look at 7 and at 6 (both slower), then settled: no oscillation.
    assert sizes[5:10] == [5, 7, 5, 6, 5]
    assert set(sizes[10:]) == {5}
    assert tuner.ceiling == 6
    assert any(line.startswith("Batch size back to 5: 8 was slower") for line in logs)


def test_tuner_stays_when_not_clearly_faster():
    tuner = AutoTuner(cap_bytes=GiB)
    roomy = sample(peak_reserved=GiB // 10)
    assert tuner.after_batch(roomy, 2, 10.0)[0] == 3
    assert tuner.after_batch(roomy, 3, 10.05)[0] == 3  # within noise: stop, but no step back
    assert tuner.after_batch(roomy, 3, 10.0)[0] == 3


def test_tuner_shrinks_past_90_percent_and_does_not_grow_back():
    tuner = AutoTuner(cap_bytes=1000)
    size, line = tuner.after_batch(sample(peak_reserved=950), 8, 10.0)
    assert size == 6 and line == "Batch size lowered to 6: peak VRAM 95% of the cap"
    size, line = tuner.after_batch(sample(peak_reserved=500), 6, 12.0)
    assert size == 7  # may grow again, but never back to 8
    size, line = tuner.after_batch(sample(peak_reserved=500), 7, 13.0)
    assert size == 7 and line is None


def test_tuner_shrinks_on_alloc_retries_and_respects_min():
    tuner = AutoTuner(cap_bytes=1000, min_size=2)
    assert tuner.after_batch(sample(peak_reserved=100, retries=3), 4, 1.0) == (
        6,
        "Batch size raised to 6 (peak VRAM 10% of the cap, 1.00 chunks/s)",
    )
    size, line = tuner.after_batch(sample(peak_reserved=100, retries=4), 6, 2.0)
    assert size == 4 and "free its cache and retry" in line  # 6*0.75 = 4.5 -> 4
    assert tuner.after_batch(sample(peak_reserved=950, retries=4), 2, 1.0) == (2, None)  # at min_size


def test_tuner_shrinks_on_simulated_fragmentation():
    # Each batch alone needs under 80% of the cap, but new shapes reuse the cache badly.
    device = SimulatedDevice(total=8 * GiB, cap=1 * GiB, weights=300 * MiB, bytes_per_frame=MiB)
    tuner = AutoTuner(cap_bytes=device.cap, max_size=4)
    sizes = []
    for length in (100, 105, 110, 115):
        device.reset_peak()
        device.run([length] * 4)
        assert device.weights + device.batch_cost([length] * 4) < 0.8 * device.cap
        size, line = tuner.after_batch(device.sample(), 4, 1.0)
        sizes.append(size)
    assert sizes == [4, 4, 4, 3]
    assert tuner.ceiling == 4


def test_simulated_allocator_retries_then_ooms_and_empty_cache_defragments():
    device = SimulatedDevice(total=8 * GiB, cap=1 * GiB, weights=300 * MiB, bytes_per_frame=MiB)
    for length in (100, 110, 120, 130, 140):
        device.run([length] * 4)
    s = device.sample()
    assert s.alloc_retries >= 1 and s.ooms == 0  # freed its cache and retried
    device.run([50] * 3)
    assert device.sample().fragmentation > 0.3
    device.empty_cache()
    assert device.sample().fragmentation == 0.0 and device.sample().allocated == 300 * MiB
    with pytest.raises(RuntimeError, match="CUDA out of memory"):
        device.run([200] * 4)
    assert device.sample().ooms == 1


# -- PressureGuard ----------------------------------------------------------------------------


class Waiter:
    def __init__(self):
        self.logs, self.sleeps = [], []

    def log(self, level, message):
        self.logs.append((level, message))

    def sleep(self, seconds):
        self.sleeps.append(seconds)


def crowded_device() -> SimulatedDevice:
    device = SimulatedDevice(total=10 * GiB, weights=2 * GiB, context=400 * MiB)
    device.other_process_bytes = int(7.31 * GiB)  # 2 + 0.39 + 7.31 = 9.7 of 10 GiB: 97%
    return device


def test_guard_pauses_and_resumes_when_other_program_frees_memory():
    device = crowded_device()
    guard, w = PressureGuard(), Waiter()
    assert guard.needs_pause(device.sample())
    polls = []

    def read():
        polls.append(1)
        if len(polls) == 4:  # the other program exits after a few polls
            device.other_process_bytes = 1 * GiB
        return device.sample()

    result = guard.wait(read, lambda: False, lambda: False, w.sleep, w.log)
    assert result == "relieved"
    assert w.sleeps == [2.0, 2.0, 2.0]
    assert w.logs[0] == (
        "warning",
        "Another program is using the GPU: 97% of VRAM in use. Paused; close it or lower the batch size.",
    )
    assert [level for level, _ in w.logs].count("warning") == 1  # warned once, not per poll
    assert not guard.needs_pause(device.sample())


def test_guard_does_not_pause_when_roomy_or_unknown():
    guard, w = PressureGuard(), Waiter()
    assert guard.wait(lambda: SimulatedDevice().sample(), lambda: False, lambda: False, w.sleep, w.log) == "relieved"
    assert w.logs == [] and w.sleeps == []
    assert not guard.needs_pause(sample(used=None, total=None))


def test_guard_ignores_pressure_from_our_own_process():
    # Waiting cannot free our own reserved memory: the tuner's job, not the guard's.
    own = sample(reserved=int(9.6 * GiB), allocated=9 * GiB, used=int(9.9 * GiB), total=10 * GiB)
    assert not PressureGuard().needs_pause(own)
    assert PressureGuard(min_other_bytes=0).needs_pause(own)


def test_guard_returns_on_batch_size_change_cancel_and_timeout():
    device = crowded_device()
    guard = PressureGuard()
    calls = {"n": 0}

    def changed_after_two():
        calls["n"] += 1
        return calls["n"] > 2

    w = Waiter()
    assert guard.wait(device.sample, lambda: False, changed_after_two, w.sleep, w.log) == "batch_size_changed"
    assert len(w.sleeps) == 2

    w = Waiter()
    assert guard.wait(device.sample, lambda: True, lambda: False, w.sleep, w.log) == "cancelled"
    assert w.sleeps == []

    w = Waiter()
    assert guard.wait(device.sample, lambda: False, lambda: False, w.sleep, w.log, poll_seconds=1.5, timeout_seconds=6) == "timeout"
    assert w.sleeps == [1.5] * 4


# -- TrendWatch -------------------------------------------------------------------------------


def test_trend_warns_once_on_steady_rise_and_rearms():
    watch = TrendWatch(window=20)
    device = SimulatedDevice(leak_per_batch=3 * MiB + MiB // 10)
    warnings = []
    for _ in range(40):
        device.run([50, 60])
        warnings.append(watch.add(device.sample().allocated))
    fired = [w for w in warnings if w]
    assert fired == ["VRAM after each batch keeps growing (+3.1 MB/batch over 20 batches): possible leak"]
    assert warnings.index(fired[0]) == 19  # as soon as the window is full
    for _ in range(20):  # the leak stops: the trend flattens and the watch re-arms
        assert watch.add(device.sample().allocated) is None
    for i in range(20):
        w = watch.add(device.sample().allocated + (i + 1) * 2 * MiB)
        if w:
            break
    assert w is not None


def test_trend_quiet_on_noise_and_small_growth():
    rng = random.Random(7)
    watch = TrendWatch(window=20)
    base = 2 * GiB
    assert all(watch.add(base + rng.randint(-50, 50) * MiB) is None for _ in range(200))
    slow = TrendWatch(window=20)
    assert all(slow.add(base + i * (MiB // 2)) is None for i in range(100))  # under 1 MiB/batch


def test_trend_needs_most_steps_rising():
    # A big slope from a single jump is a step (a new long chunk), not a leak.
    watch = TrendWatch(window=20)
    values = [GiB] * 10 + [GiB + 200 * MiB] * 10
    stepped = [GiB + (i % 2) * 300 * MiB + i * 2 * MiB for i in range(20)]
    assert all(watch.add(v) is None for v in values)
    watch2 = TrendWatch(window=20)
    assert [watch2.add(v) for v in stepped][-1] is None  # saw-tooth: half the steps go down


# -- CacheClearPolicy -------------------------------------------------------------------------


def test_cache_clear_needs_fragmentation_and_interval():
    policy = CacheClearPolicy(fragmentation_threshold=0.30, interval=5)
    fragmented = sample(reserved=1000, allocated=600)  # 40%
    tidy = sample(reserved=1000, allocated=900)  # 10%
    answers = [policy.after_batch(fragmented) for _ in range(12)]
    assert answers == [False] * 4 + [True] + [False] * 4 + [True] + [False] * 2
    assert policy.clears == 2
    assert not any(policy.after_batch(tidy) for _ in range(10))
    assert policy.after_batch(fragmented)  # interval long passed, fragmented again
    assert policy.clears == 3


def test_cache_clear_interval_zero_never_during_render_but_once_at_end():
    policy = CacheClearPolicy(interval=0)
    assert not any(policy.after_batch(sample(reserved=1000, allocated=100)) for _ in range(100))
    assert policy.at_end() is True
    assert policy.at_end() is False  # once per render
    assert policy.clears == 1


def test_cache_clear_on_simulated_device_frees_only_cache():
    device = SimulatedDevice(total=8 * GiB, weights=300 * MiB)
    policy = CacheClearPolicy(fragmentation_threshold=0.30, interval=3)
    cleared = 0
    for length in (50, 400, 80, 300, 120, 200, 60, 350):  # varied shapes fragment the cache
        device.run([length] * 3)
        if policy.after_batch(device.sample()):
            device.empty_cache()
            cleared += 1
            assert device.reserved == device.allocated == 300 * MiB  # weights stay
    assert cleared == policy.clears == device.empty_cache_calls >= 1
    assert policy.at_end()
    device.empty_cache()
    assert device.sample().fragmentation == 0.0


# -- fit_batch_size ---------------------------------------------------------------------------


def test_fit_batch_size_from_warmup_peaks():
    base = 1 * GiB
    # 40 MiB + 1 MiB per token per chunk: 100 tokens -> 140 MiB, 400 -> 440 MiB.
    peak_short, peak_long = base + 140 * MiB, base + 440 * MiB
    cap = 8 * GiB
    n = fit_batch_size(peak_short, peak_long, 100, 400, 400, base, cap)
    assert n == int((cap * 0.85 - base) // (440 * MiB))  # 13
    assert n == 13
    assert fit_batch_size(peak_short, peak_long, 100, 400, 200, base, cap) == int((cap * 0.85 - base) // (240 * MiB))
    assert fit_batch_size(peak_short, peak_long, 100, 400, 400, base, 24 * GiB) > n  # more VRAM, more chunks


def test_fit_batch_size_clamps():
    assert fit_batch_size(2 * GiB, 3 * GiB, 100, 400, 400, 1 * GiB, 2 * GiB) == 1  # not even one fits
    assert fit_batch_size(1 * GiB + MiB, 1 * GiB + 2 * MiB, 10, 20, 20, 1 * GiB, 80 * GiB) == 64
    assert fit_batch_size(base := GiB, base, 100, 400, 400, base, 2 * GiB) == 64  # no measurable cost
    # Equal lengths: per-chunk cost is the measured one.
    assert fit_batch_size(GiB + 100 * MiB, GiB + 100 * MiB, 200, 200, 200, GiB, 4 * GiB) == int((4 * GiB * 0.85 - GiB) // (100 * MiB))
    with pytest.raises(ValueError):
        fit_batch_size(1, 2, 0, 10, 10, 0, 100)


def test_fit_batch_size_matches_simulated_device():
    device = SimulatedDevice(total=12 * GiB, cap=11 * GiB, weights=500 * MiB, bytes_per_frame=MiB)
    peaks = {}
    for length in (50, 300):
        device.reset_peak()
        device.run([length])
        peaks[length] = device.sample().peak_allocated
    n = fit_batch_size(peaks[50], peaks[300], 50, 300, 300, device.weights, device.cap)
    assert device.fits([300] * n)  # the chosen size runs, with the margin to spare
    assert not device.fits([300] * int(n / 0.85 + 2))
