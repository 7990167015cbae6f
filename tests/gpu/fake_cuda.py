"""Recorders for the torch.cuda and NVML calls our GPU code makes, so the real configure_torch,
TorchCudaMemory, open_session and a whole AudioEngine render take their CUDA paths without a GPU.

Each recorder follows torch 2.13's documented signature and return shape (torch/cuda/__init__.py,
torch/cuda/memory.py): device arguments take None, an int, a str or a torch.device and are
checked like torch's _get_device_index; get_device_properties raises AssertionError("Invalid
device id") past device_count(); set_per_process_memory_fraction raises TypeError for a
non-float and ValueError outside 0..1; memory_stats() is the flat, sorted OrderedDict with the
core statistics for all three pools (each key its own value, so reading a wrong key cannot
pass by accident) plus the event counters; mem_get_info() is (free, total). NVML follows
nvidia-ml-py: NVMLError on failure, byte-string-or-str names, memory info with total/free/used.

The allocator of each card tracks allocated, reserved and peaks. `charge()` is called from a
forward pre-hook on the real model: it charges a padded batch's activations and, past the
cap (set_per_process_memory_fraction) or the card's free memory, does what the caching
allocator does: frees its cache, retries (num_alloc_retries + 1), then raises
torch.cuda.OutOfMemoryError (num_ooms + 1) from inside the real forward pass.
"""

from __future__ import annotations

import collections
import sys
import types
from dataclasses import dataclass, field

import torch

from backend.tts.vits.kernels import cuda_kernels_on_cpu

MiB = 1 << 20
GiB = 1 << 30
POOLS = ("all", "large_pool", "small_pool")
METRICS = ("current", "peak", "allocated", "freed")


@dataclass
class FakeCard:
    name: str
    total: int
    context: int = 400 * MiB  # the CUDA context: NVML counts it, the allocator does not
    other_processes: int = 0  # other programs' memory on this card
    fraction: float | None = None  # the per-process cap, as set_per_process_memory_fraction set it
    allocated: int = 0
    reserved: int = 0
    peak_allocated: int = 0
    peak_reserved: int = 0
    alloc_retries: int = 0
    ooms: int = 0
    batches: list[tuple[int, int]] = field(default_factory=list)  # (items, frames) of each forward

    @property
    def limit(self) -> int:
        physical = self.total - self.context - self.other_processes
        return min(int(self.total * self.fraction), physical) if self.fraction is not None else physical


class NVMLError(Exception):
    """pynvml's base error (the real one carries a numeric code)."""


class FakeCuda:
    def __init__(self, cards: list[FakeCard], nvml: bool = True, current: int = 0, bytes_per_frame: int = 1 * MiB,
                 weights: int = 80 * MiB):
        self.cards = cards
        self.nvml = nvml
        self.current = current
        self.k = bytes_per_frame  # activation bytes per (item x padded frame)
        self.weights = weights  # what a loaded voice keeps allocated
        self.calls: list[tuple] = []  # (function name, arguments) in call order

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    # -- device arguments, as torch._utils._get_device_index ------------------------------------
    def _index(self, device, optional: bool = True) -> int:
        if device is None:
            if not optional:
                raise ValueError("Expected a torch.device with a specified index or an integer, but got:None")
            return self.current
        if isinstance(device, int):
            return device
        if isinstance(device, str):
            device = torch.device(device)
        if not isinstance(device, torch.device) or device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        return self.current if device.index is None else device.index

    def _card(self, device) -> FakeCard:
        index = self._index(device)
        if not 0 <= index < len(self.cards):
            raise AssertionError("Invalid device id")
        return self.cards[index]

    # -- torch.cuda ------------------------------------------------------------------------------
    def is_available(self) -> bool:
        self.calls.append(("is_available", ()))
        return True

    def device_count(self) -> int:
        self.calls.append(("device_count", ()))
        return len(self.cards)

    def current_device(self) -> int:
        self.calls.append(("current_device", ()))
        return self.current

    def get_device_properties(self, device=None):
        self.calls.append(("get_device_properties", (device,)))
        card = self._card(device)
        return types.SimpleNamespace(name=card.name, total_memory=card.total, major=8, minor=9,
                                     multi_processor_count=128, is_integrated=False, L2_cache_size=72 * MiB)

    def set_per_process_memory_fraction(self, fraction, device=None) -> None:
        self.calls.append(("set_per_process_memory_fraction", (fraction, device)))
        card = self._card(device)
        if not isinstance(fraction, float):
            raise TypeError("Invalid type for fraction argument, must be `float`")
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Invalid fraction value: {fraction}. Allowed range: 0~1")
        card.fraction = fraction

    def memory_stats(self, device=None) -> collections.OrderedDict:
        self.calls.append(("memory_stats", (device,)))
        card = self._card(device)
        stats: dict[str, int] = {}
        # Every core statistic gets a distinct value; only the four we read carry the real ones.
        filler = iter(range(7, 10_000, 7))
        for stat in ("allocated", "allocated_bytes", "segment", "reserved_bytes", "active", "active_bytes",
                     "inactive_split", "inactive_split_bytes", "requested_bytes"):
            for pool in POOLS:
                for metric in METRICS:
                    stats[f"{stat}.{pool}.{metric}"] = next(filler) * MiB
        stats["allocated_bytes.all.current"] = card.allocated
        stats["allocated_bytes.all.peak"] = card.peak_allocated
        stats["reserved_bytes.all.current"] = card.reserved
        stats["reserved_bytes.all.peak"] = card.peak_reserved
        stats.update(num_alloc_retries=card.alloc_retries, num_ooms=card.ooms, num_sync_all_streams=3,
                     num_device_alloc=11, num_device_free=5, num_oom_rejections=0, max_split_size=-1)
        return collections.OrderedDict(sorted(stats.items()))

    def mem_get_info(self, device=None) -> tuple[int, int]:
        self.calls.append(("mem_get_info", (device,)))
        card = self._card(device)
        return card.total - self._used(card), card.total

    def reset_peak_memory_stats(self, device=None) -> None:
        self.calls.append(("reset_peak_memory_stats", (device,)))
        card = self._card(device)
        card.peak_allocated, card.peak_reserved = card.allocated, card.reserved

    def empty_cache(self) -> None:
        self.calls.append(("empty_cache", ()))
        for card in self.cards:
            card.reserved = card.allocated  # cached blocks go back; live tensors stay

    def synchronize(self, device=None) -> None:
        self.calls.append(("synchronize", (device,)))
        self._card(device)

    def _used(self, card: FakeCard) -> int:
        return card.context + card.reserved + card.other_processes

    # -- NVML (nvidia-ml-py's pynvml) ------------------------------------------------------------
    def pynvml(self) -> types.ModuleType:
        module = types.ModuleType("pynvml")
        module.NVMLError = NVMLError

        def record(name, *args):
            self.calls.append((f"nvml.{name}", args))
            if not self.nvml:
                raise NVMLError("NVML Shared Library Not Found")

        def handle(i):
            record("nvmlDeviceGetHandleByIndex", i)
            if not 0 <= i < len(self.cards):
                raise NVMLError("Invalid Argument")
            return self.cards[i]

        def memory(h):
            record("nvmlDeviceGetMemoryInfo", h.name)
            used = self._used(h)
            return types.SimpleNamespace(total=h.total, free=h.total - used, used=used)

        module.nvmlInit = lambda: record("nvmlInit")
        module.nvmlShutdown = lambda: record("nvmlShutdown")
        module.nvmlSystemGetDriverVersion = lambda: record("nvmlSystemGetDriverVersion") or "560.35.03"
        module.nvmlDeviceGetCount = lambda: record("nvmlDeviceGetCount") or len(self.cards)
        module.nvmlDeviceGetHandleByIndex = handle
        module.nvmlDeviceGetName = lambda h: record("nvmlDeviceGetName", h.name) or h.name.encode()
        module.nvmlDeviceGetMemoryInfo = memory
        return module

    def install(self, monkeypatch) -> "FakeCuda":
        """Put the recorders in place of torch.cuda's functions and of pynvml (undone by monkeypatch)."""
        for name in ("is_available", "device_count", "current_device", "get_device_properties",
                     "set_per_process_memory_fraction", "memory_stats", "mem_get_info", "reset_peak_memory_stats",
                     "empty_cache", "synchronize"):
            monkeypatch.setattr(torch.cuda, name, getattr(self, name))
        monkeypatch.setitem(sys.modules, "pynvml", self.pynvml())
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
        return self

    # -- the workload ----------------------------------------------------------------------------
    def load_weights(self, index: int) -> None:
        card = self.cards[index]
        card.allocated += self.weights
        card.reserved = max(card.reserved, card.allocated)
        card.peak_allocated = max(card.peak_allocated, card.allocated)
        card.peak_reserved = max(card.peak_reserved, card.reserved)

    def charge(self, index: int, items: int, frames: int) -> None:
        """One forward over a padded batch of `items` x `frames`: its activations, or an OOM."""
        card = self.cards[index]
        need = self.k * items * frames
        if max(card.reserved, card.allocated + need) > card.limit:
            card.alloc_retries += 1  # the allocator frees its cache and retries before giving up
            card.reserved = card.allocated
            if card.allocated + need > card.limit:
                card.ooms += 1
                raise torch.cuda.OutOfMemoryError(
                    f"CUDA out of memory. Tried to allocate {need / MiB:.2f} MiB. GPU {index} has a total capacity "
                    f"of {card.total / GiB:.2f} GiB of which {max(0, card.limit - card.reserved) / MiB:.2f} MiB is free.")
        card.batches.append((items, frames))
        card.reserved = max(card.reserved, card.allocated + need)
        card.peak_allocated = max(card.peak_allocated, card.allocated + need)
        card.peak_reserved = max(card.peak_reserved, card.reserved)


class OnFakeCuda:
    """A real Synthesizer on CPU tensors that says it is on `device` (e.g. cuda:1): the engine and
    session take their CUDA paths, and the model its CUDA branches (cuda_kernels_on_cpu): one
    padded forward per batch, plain convs, no tiles. Every forward is charged to the fake card
    from inside the real decoder (a pre-hook), which raises OutOfMemoryError past the budget."""

    parallel_chunks = 1

    def __init__(self, synth, fake: FakeCuda, device: str = "cuda:1"):
        if synth.cpu_streams.streams != 1:
            raise ValueError("OnFakeCuda needs a synthesizer with cpu_streams=1 (a GPU runs one padded pass)")
        self._synth = synth
        self.device = torch.device(device)
        self.fake = fake
        index = fake._index(self.device)
        fake.load_weights(index)
        self.forwards: list[tuple[int, int]] = []  # (items, frames) reaching the decoder
        self.id_lengths: list[list[int]] = []  # phoneme ids per item, per synthesize_batch call
        self.fail_at: tuple[int, BaseException] | None = None  # (forward number from 1, what it raises)

        def charge(module, args):
            z = args[0]
            self.forwards.append((z.shape[0], z.shape[-1]))
            if self.fail_at is not None and len(self.forwards) >= self.fail_at[0]:
                raise self.fail_at[1]
            fake.charge(index, z.shape[0], z.shape[-1])

        self._hook = synth.model.dec.register_forward_pre_hook(charge)

    def __getattr__(self, name):
        return getattr(self._synth, name)

    def set_cpu_streams(self, cpu_streams) -> None:
        pass  # on a GPU a batch is one padded pass, whatever the CPU setting

    def synthesize_batch(self, items):
        self.id_lengths.append([len(item.ids) for item in items])
        with cuda_kernels_on_cpu():
            return self._synth.synthesize_batch(items)

    def close(self) -> None:
        self._hook.remove()
