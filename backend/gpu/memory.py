"""One read of a device's memory per batch, behind an interface the policies and tests share.

TorchCudaMemory reads the real thing: torch.cuda.memory_stats() once (each torch helper re-reads
the whole dict) plus NVML for device-wide use (all processes: what Task Manager shows).
Tests plug in a simulated device with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class MemorySample:
    allocated: int  # bytes held by live tensors (this process)
    reserved: int  # bytes the caching allocator holds (this process)
    peak_allocated: int  # since the last reset_peak()
    peak_reserved: int
    alloc_retries: int  # cumulative num_alloc_retries: a rise is the fragmentation alarm
    ooms: int  # cumulative num_ooms
    device_used: int | None  # device-wide (all processes), None when unknown
    device_total: int | None

    @property
    def fragmentation(self) -> float:
        """(reserved - allocated) / reserved: cached but unused memory."""
        return (self.reserved - self.allocated) / self.reserved if self.reserved else 0.0

    @property
    def device_fraction(self) -> float | None:
        if not self.device_used or not self.device_total:
            return None
        return self.device_used / self.device_total


class DeviceMemory(Protocol):
    name: str
    total: int  # bytes on the device
    cap: int | None  # the per-process cap on reserved memory, None when uncapped

    def sample(self) -> MemorySample: ...

    def reset_peak(self) -> None: ...

    def empty_cache(self) -> None: ...

    def synchronize(self) -> None: ...


class TorchCudaMemory:
    """The real CUDA device (index from 'cuda:N')."""

    def __init__(self, device: str):
        import torch

        self.torch = torch
        self.device = torch.device(device)
        index = self.device.index if self.device.index is not None else torch.cuda.current_device()
        self.index = index
        props = torch.cuda.get_device_properties(index)
        self.name = props.name
        self.total = int(props.total_memory)
        self.cap = None
        self._nvml = _nvml_handle(index)

    def set_cap_fraction(self, fraction: float) -> None:
        self.torch.cuda.set_per_process_memory_fraction(fraction, self.index)
        self.cap = int(self.total * fraction)

    def device_usage(self) -> tuple[int, int] | None:
        if self._nvml is not None:
            try:
                import pynvml

                info = pynvml.nvmlDeviceGetMemoryInfo(self._nvml)
                return int(info.used), int(info.total)
            except Exception:
                pass
        try:
            free, total = self.torch.cuda.mem_get_info(self.index)
            return int(total - free), int(total)
        except Exception:
            return None

    def sample(self) -> MemorySample:
        stats = self.torch.cuda.memory_stats(self.index)
        usage = self.device_usage()
        return MemorySample(
            allocated=int(stats.get("allocated_bytes.all.current", 0)),
            reserved=int(stats.get("reserved_bytes.all.current", 0)),
            peak_allocated=int(stats.get("allocated_bytes.all.peak", 0)),
            peak_reserved=int(stats.get("reserved_bytes.all.peak", 0)),
            alloc_retries=int(stats.get("num_alloc_retries", 0)),
            ooms=int(stats.get("num_ooms", 0)),
            device_used=usage[0] if usage else None,
            device_total=usage[1] if usage else None,
        )

    def reset_peak(self) -> None:
        self.torch.cuda.reset_peak_memory_stats(self.index)

    def empty_cache(self) -> None:
        self.torch.cuda.empty_cache()

    def synchronize(self) -> None:
        self.torch.cuda.synchronize(self.index)


def _nvml_handle(index: int):
    """NVML handle for the device, or None (no NVML, or a GPU it does not see)."""
    try:
        import pynvml

        pynvml.nvmlInit()
        return pynvml.nvmlDeviceGetHandleByIndex(index)
    except Exception:
        return None
