"""A simulated CUDA device for testing the memory policies without a GPU.

It follows the real caching allocator's contract (DESIGN.md): a padded batch costs
k x batch_size x max_length bytes on top of the weights; freed blocks stay reserved (cached);
varied shapes reuse the cache badly, so reserved and fragmentation grow; when a request does not
fit, the allocator frees its cache and retries (num_alloc_retries + 1) before raising
torch.cuda.OutOfMemoryError (a RuntimeError). empty_cache() frees only cached memory, never
live tensors. And like the real thing, tensors referenced from a failed call's frames stay
allocated for as long as the exception (its traceback) is alive.
"""

from __future__ import annotations

import torch

from backend.gpu.memory import MemorySample

MiB = 1 << 20
GiB = 1 << 30


class _LiveTensors:
    """Bytes held by tensors: allocated while this object lives (refcounting frees it)."""

    def __init__(self, device: SimulatedDevice, nbytes: int):
        self.device = device
        self.nbytes = nbytes
        device.live += nbytes

    def __del__(self):
        self.device.live -= self.nbytes


class SimulatedDevice:
    def __init__(
        self,
        total: int = 8 * GiB,
        cap: int | None = None,
        weights: int = 300 * MiB,
        bytes_per_frame: int = 1 * MiB,  # k: bytes per (item x padded length unit)
        context: int = 400 * MiB,  # CUDA context: NVML counts it, the allocator does not
        reuse_loss_per_shape: float = 0.15,  # share of the cache a new shape cannot reuse
        leak_per_batch: int = 0,
        name: str = "Simulated GPU",
    ):
        self.name = name
        self.total = total
        self.cap = cap
        self.weights = weights
        self.k = bytes_per_frame
        self.context = context
        self.reuse_loss = reuse_loss_per_shape
        self.leak_per_batch = leak_per_batch
        self.other_process_bytes = 0  # another program on the same GPU
        self.live = 0  # bytes of live tensors besides the weights
        self.leaked = 0
        self.reserved = weights
        self.peak_allocated = weights
        self.peak_reserved = weights
        self.alloc_retries = 0
        self.ooms = 0
        self.empty_cache_calls = 0
        self.synchronize_calls = 0
        self.batches = 0
        self._shapes: set[tuple[int, int]] = set()

    # -- the DeviceMemory interface ------------------------------------------------------------
    @property
    def allocated(self) -> int:
        return self.weights + self.leaked + self.live

    @property
    def limit(self) -> int:
        """What reserved may reach: the cap, or what other programs leave of the device."""
        physical = self.total - self.context - self.other_process_bytes
        return min(self.cap, physical) if self.cap is not None else physical

    def sample(self) -> MemorySample:
        return MemorySample(
            allocated=self.allocated,
            reserved=self.reserved,
            peak_allocated=self.peak_allocated,
            peak_reserved=self.peak_reserved,
            alloc_retries=self.alloc_retries,
            ooms=self.ooms,
            device_used=self.reserved + self.context + self.other_process_bytes,
            device_total=self.total,
        )

    def reset_peak(self) -> None:
        self.peak_allocated = self.allocated
        self.peak_reserved = self.reserved

    def empty_cache(self) -> None:
        self.empty_cache_calls += 1
        self.reserved = self.allocated  # cached blocks go back; live tensors stay
        self._shapes.clear()

    def synchronize(self) -> None:
        self.synchronize_calls += 1

    # -- the workload --------------------------------------------------------------------------
    def batch_cost(self, batch_lengths: list[int]) -> int:
        """Activation bytes of a padded batch: k x batch_size x max_length."""
        return self.k * len(batch_lengths) * max(batch_lengths)

    def fits(self, batch_lengths: list[int]) -> bool:
        return self.allocated + self.batch_cost(batch_lengths) <= self.limit

    def run(self, batch_lengths: list[int]) -> None:
        """One forward pass over a padded batch; raises OutOfMemoryError when it cannot fit."""
        need = self.batch_cost(batch_lengths)
        shape = (len(batch_lengths), max(batch_lengths))
        cached = self.reserved - self.allocated
        new_shape = shape not in self._shapes
        # A shape seen before reuses its cached blocks; each new shape reuses less of the cache.
        usable = cached * max(0.0, 1.0 - self.reuse_loss * len(self._shapes)) if new_shape else cached
        grow = max(0, need - int(usable))
        if self.reserved + grow > self.limit:
            # The allocator frees its cached segments and retries before giving up.
            self.alloc_retries += 1
            self.reserved = self.allocated
            self._shapes.clear()
            grow = need
            if self.allocated + need > self.limit:
                self.ooms += 1
                room = max(0, self.limit - self.allocated)
                self.reserved = self.allocated + room
                self.peak_reserved = max(self.peak_reserved, self.reserved)
                # Activations allocated before the failing request: this frame keeps them alive,
                # and the exception's traceback keeps this frame alive.
                partial = _LiveTensors(self, room)  # noqa: F841
                raise torch.cuda.OutOfMemoryError(
                    f"CUDA out of memory. Tried to allocate {need / MiB:.2f} MiB. GPU 0 has a total capacity of "
                    f"{self.total / GiB:.2f} GiB of which {max(0, self.limit - self.reserved) / MiB:.2f} MiB is free."
                )
        self._shapes.add(shape)
        self.reserved += grow
        self.peak_reserved = max(self.peak_reserved, self.reserved)
        self.peak_allocated = max(self.peak_allocated, self.allocated + need)
        self.leaked += self.leak_per_batch
        self.reserved = max(self.reserved, self.allocated)
        self.batches += 1
