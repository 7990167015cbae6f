"""GPU memory policies: pure decisions fed with one MemorySample per batch (no torch here).

AutoTuner sizes batches from peak memory and throughput, PressureGuard pauses while other
programs crowd the GPU, TrendWatch spots a leak, CacheClearPolicy rations empty_cache()
(DESIGN.md: never per step; on fragmentation with an interval, and once after a render),
fit_batch_size turns warm-up measurements into the "Auto" batch size.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Callable

from backend.gpu.memory import MemorySample

MiB = 1 << 20
GiB = 1 << 30
MAX_BATCH = 64

Log = Callable[[str, str], None]  # (level, message)


class AutoTuner:
    """Grows the batch while memory is roomy and throughput improves; shrinks on pressure.

    Remembers the best throughput seen at each size and a ceiling (the smallest size that was
    measured slower or hit the shrink rule), so it settles instead of oscillating.
    """

    def __init__(
        self,
        cap_bytes: int,
        min_size: int = 1,
        max_size: int = MAX_BATCH,
        grow_below: float = 0.80,
        shrink_above: float = 0.90,
        min_gain: float = 0.02,  # a bigger batch must be this much faster: noise is not a gain
    ):
        if cap_bytes <= 0:
            raise ValueError("cap_bytes must be positive")
        if not 1 <= min_size <= max_size:
            raise ValueError("need 1 <= min_size <= max_size")
        self.cap = cap_bytes
        self.min_size = min_size
        self.max_size = max_size
        self.grow_below = grow_below
        self.shrink_above = shrink_above
        self.min_gain = min_gain
        self.best: dict[int, float] = {}  # size -> best chunks/s measured at that size
        self.ceiling = max_size + 1  # never grow to this size or above
        self._last_retries: int | None = None
        self._size: int | None = None  # size of the last batch seen
        self._previous_size: int | None = None  # the size used before that one

    def _remember_size(self, batch_size: int) -> None:
        if self._size is not None and self._size != batch_size:
            self._previous_size = self._size
        self._size = batch_size

    def after_batch(self, sample: MemorySample, batch_size: int, chunks_per_second: float) -> tuple[int, str | None]:
        """The size for the next batch, and a log line when it changes."""
        self._remember_size(batch_size)
        retries_rose = self._last_retries is not None and sample.alloc_retries > self._last_retries
        self._last_retries = sample.alloc_retries
        self.best[batch_size] = max(self.best.get(batch_size, 0.0), chunks_per_second)
        peak = sample.peak_reserved / self.cap

        if peak > self.shrink_above or retries_rose:
            self.ceiling = min(self.ceiling, batch_size)
            target = max(self.min_size, min(batch_size - 1, math.floor(batch_size * 0.75)))
            if target >= batch_size:
                return batch_size, None
            why = f"peak VRAM {peak:.0%} of the cap" if peak > self.shrink_above else "the allocator had to free its cache and retry"
            return target, f"Batch size lowered to {target}: {why}"

        previous = self._previous_size
        if previous is not None and previous < batch_size and previous in self.best:
            # Best-of per size, so one slow batch (long chunks) does not decide alone.
            current, reference = self.best[batch_size], self.best[previous]
            if current < reference * (1 + self.min_gain):
                # Not faster than the smaller size: stop growing here; go back if clearly slower.
                self.ceiling = min(self.ceiling, batch_size)
                if current < reference * (1 - self.min_gain):
                    return (
                        previous,
                        f"Batch size back to {previous}: {batch_size} was slower ({current:.2f} vs {reference:.2f} chunks/s)",
                    )
                return batch_size, None

        if peak < self.grow_below:
            target = min(self.max_size, self.ceiling - 1, max(batch_size + 1, math.ceil(batch_size * 1.5)),
                         self._fits_below_grow_line(sample, batch_size))
            if target > batch_size:
                return target, f"Batch size raised to {target} (peak VRAM {peak:.0%} of the cap, {chunks_per_second:.2f} chunks/s)"
        return batch_size, None

    def _fits_below_grow_line(self, sample: MemorySample, batch_size: int) -> int:
        """The largest size whose predicted peak stays under the grow line. Activations scale
        with the batch: a single chunk peaking at 77% of the cap must not grow to 2 (found by the
        CUDA contract tests: it ran out of memory at once)."""
        per_chunk = max(0, sample.peak_allocated - sample.allocated) / batch_size
        room = self.grow_below * self.cap - sample.allocated  # what stays allocated between batches: weights
        if per_chunk <= 0:
            return self.max_size
        return max(self.min_size, int(room // per_chunk))


class PressureGuard:
    """Pauses before the next batch while the whole device is nearly full.

    NVML's device-wide figure includes our own reserved memory and CUDA context; waiting cannot
    free those, so the guard only pauses when other programs hold at least `min_other_bytes`
    (set it to 0 to pause on the device-wide fraction alone).
    """

    def __init__(self, threshold: float = 0.95, min_other_bytes: int = GiB):
        self.threshold = threshold
        self.min_other_bytes = min_other_bytes

    def needs_pause(self, sample: MemorySample) -> bool:
        fraction = sample.device_fraction
        if fraction is None or fraction <= self.threshold:
            return False
        others = (sample.device_used or 0) - sample.reserved
        return others >= self.min_other_bytes

    def wait(
        self,
        read_sample: Callable[[], MemorySample],
        cancelled: Callable[[], bool],
        batch_size_changed: Callable[[], bool],
        sleep: Callable[[float], None],
        log: Log,
        poll_seconds: float = 2.0,
        timeout_seconds: float | None = None,
    ) -> str:
        """Returns "relieved", "batch_size_changed", "cancelled" or "timeout".

        Time waited is counted in poll intervals, so an injected sleep keeps tests instant."""
        sample = read_sample()
        if not self.needs_pause(sample):
            return "relieved"
        log(
            "warning",
            f"Another program is using the GPU: {sample.device_fraction:.0%} of VRAM in use. "
            "Paused; close it or lower the batch size.",
        )
        waited = 0.0
        while True:
            if cancelled():
                return "cancelled"
            if batch_size_changed():
                log("info", "Batch size changed: resuming")
                return "batch_size_changed"
            if timeout_seconds is not None and waited >= timeout_seconds:
                log("warning", f"GPU still crowded after {waited:.0f}s: resuming anyway")
                return "timeout"
            sleep(poll_seconds)
            waited += poll_seconds
            sample = read_sample()
            if not self.needs_pause(sample):
                fraction = sample.device_fraction
                used = f" ({fraction:.0%} of VRAM in use)" if fraction is not None else ""
                log("info", f"GPU memory available again{used}: resuming")
                return "relieved"


class TrendWatch:
    """Warns once when memory left after each batch climbs steadily (a leak), re-arms after."""

    def __init__(self, window: int = 20, min_slope_bytes_per_batch: float = MiB, min_rising_fraction: float = 0.7):
        if window < 3:
            raise ValueError("window must be at least 3")
        self.window = window
        self.min_slope = min_slope_bytes_per_batch
        self.min_rising_fraction = min_rising_fraction  # share of steps that must not go down
        self.values: deque[int] = deque(maxlen=window)
        self._armed = True

    @staticmethod
    def _slope(values: list[int]) -> float:
        """Least-squares slope, in bytes per batch."""
        n = len(values)
        if n < 2:
            return 0.0
        mean_x = (n - 1) / 2
        mean_y = sum(values) / n
        num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values))
        den = sum((i - mean_x) ** 2 for i in range(n))
        return num / den

    def add(self, memory_after_batch_bytes: int) -> str | None:
        self.values.append(memory_after_batch_bytes)
        if len(self.values) < self.window:
            return None
        values = list(self.values)
        steps = [b - a for a, b in zip(values, values[1:])]
        rising = sum(1 for s in steps if s >= 0) / len(steps)
        slope = self._slope(values)
        half = len(values) // 2
        # Both halves must climb: one jump (a longer chunk cached once) is a step, not a leak.
        spread = min(self._slope(values[:half]), self._slope(values[half:])) > self.min_slope / 2
        steady = slope > self.min_slope and rising >= self.min_rising_fraction and spread
        if not steady:
            self._armed = True
            return None
        if not self._armed:
            return None
        self._armed = False
        return f"VRAM after each batch keeps growing (+{slope / MiB:.1f} MB/batch over {self.window} batches): possible leak"


class CacheClearPolicy:
    """When to call empty_cache(): fragmentation above a threshold and `interval` batches since
    the last clear (0 = never during a render), plus once after the render. Counts clears."""

    def __init__(self, fragmentation_threshold: float = 0.30, interval: int = 20):
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self.threshold = fragmentation_threshold
        self.interval = interval
        self.clears = 0
        self._since_clear = 0
        self._ended = False  # at_end() already answered with no batch since

    def after_batch(self, sample: MemorySample) -> bool:
        self._since_clear += 1
        self._ended = False
        if self.interval == 0 or self._since_clear < self.interval:
            return False
        if sample.fragmentation <= self.threshold:
            return False
        self._since_clear = 0
        self.clears += 1
        return True

    def at_end(self) -> bool:
        """True once after a render (hands cached VRAM back to the desktop)."""
        if self._ended:
            return False
        self._ended = True
        self._since_clear = 0
        self.clears += 1
        return True


def fit_batch_size(
    peak_short: int,
    peak_long: int,
    short_len: int,
    long_len: int,
    target_len: int,
    baseline: int,
    cap: int,
    margin: float = 0.15,
) -> int:
    """The "Auto" batch size from two single-chunk warm-up peaks.

    Per-chunk memory is about linear in length: fit a line through (short_len, peak_short -
    baseline) and (long_len, peak_long - baseline), read it at `target_len` (the longest chunk a
    padded batch will hold), and count how many such chunks fit in cap*(1-margin) - baseline.
    """
    if min(short_len, long_len, target_len) <= 0 or cap <= 0:
        raise ValueError("lengths and cap must be positive")
    cost_short = max(0, peak_short - baseline)
    cost_long = max(0, peak_long - baseline)
    if long_len != short_len:
        slope = (cost_long - cost_short) / (long_len - short_len)
        cost = cost_short + slope * (target_len - short_len)
    else:
        cost = max(cost_short, cost_long)
    if cost <= 0:  # noisy or inverted measurements: fall back to proportional to length
        cost = max(cost_short, cost_long) * target_len / max(short_len, long_len)
    budget = cap * (1 - margin) - baseline
    if budget <= 0 or cost <= 0:
        return 1 if budget <= 0 else MAX_BATCH
    return max(1, min(MAX_BATCH, int(budget // cost)))
