"""Which GPUs there are, and the block of lines logged at render start.

NVML first: device-wide free memory (all processes, what Task Manager shows) and the driver
version, without creating a CUDA context. torch.cuda only as a fall-back. Nothing is imported at
module level: pynvml and torch are loaded lazily, and every NVML error means "no NVML".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from backend.settings import recommended_batch_size

GIB = 1024**3
CUDA_BUILD_HINT = (
    "For a CUDA build: pip install torch --index-url https://download.pytorch.org/whl/cu126 "
    "(or the CUDA version your driver supports, listed at https://pytorch.org/get-started/locally/)"
)


@dataclass
class GpuInfo:
    index: int  # the N of the device setting cuda:N
    name: str
    total: int  # bytes
    free: int | None  # bytes, device-wide; None when not probed
    driver: str | None
    source: Literal["nvml", "torch"]


def list_gpus(probe: list[int] | None = None) -> list[GpuInfo]:
    """GPUs from NVML, else from torch.cuda, else []. Never raises.

    probe: on the torch fall-back, the indexes whose free memory may be read (mem_get_info creates
    a CUDA context, a few hundred MB, on each GPU it touches); None reads all."""
    gpus = _nvml_gpus()
    if gpus:
        return gpus
    try:
        return _torch_gpus(probe)
    except Exception:
        return []


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _nvml_gpus() -> list[GpuInfo] | None:
    # NVML numbers GPUs physically; cuda:N follows CUDA_VISIBLE_DEVICES. A list of integers maps
    # cleanly; UUIDs or MIG names do not, so then torch's own numbering is used instead.
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    mapping: list[int] | None = None
    if visible is not None:
        try:
            mapping = [int(part) for part in visible.split(",") if part.strip()]
        except ValueError:
            return None
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:
        return None
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        count = pynvml.nvmlDeviceGetCount()
        physical = [i for i in (mapping if mapping is not None else range(count)) if 0 <= i < count]
        gpus = []
        for cuda_index, nvml_index in enumerate(physical):
            handle = pynvml.nvmlDeviceGetHandleByIndex(nvml_index)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = _text(pynvml.nvmlDeviceGetName(handle))
            gpus.append(GpuInfo(cuda_index, name, int(memory.total), int(memory.free), driver, "nvml"))
        return gpus
    except Exception:
        return None
    finally:
        try:
            pynvml.nvmlShutdown()  # nvmlInit is reference-counted: balance ours
        except Exception:
            pass


def _torch_gpus(probe: list[int] | None) -> list[GpuInfo]:
    import torch

    if not torch.cuda.is_available():
        return []
    gpus = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        free = int(torch.cuda.mem_get_info(index)[0]) if probe is None or index in probe else None
        gpus.append(GpuInfo(index, props.name, int(props.total_memory), free, None, "torch"))
    return gpus


def marketed_gb(total_bytes: int) -> int:
    """The size a card is sold as: 23.6 GiB reported -> 24."""
    return round(total_bytes / GIB)


def recommendation_line(total_bytes: int, current_batch: int | str) -> str:
    size = recommended_batch_size(total_bytes / GIB)
    return f"NOTE: For {marketed_gb(total_bytes)}GB VRAM, recommended batch size is {size} (current: {current_batch})"


def _torch_cuda_state() -> tuple[bool, str | None, str]:
    """(torch.cuda.is_available(), torch.version.cuda, torch.__version__); torch is loaded here."""
    import torch

    return bool(torch.cuda.is_available()), torch.version.cuda, torch.__version__


def describe_startup(device: str, current_batch: int | str, requested: str | None = None) -> list[str]:
    """The lines logged at render start: which device, VRAM, driver, recommended batch size.
    `requested` is the device setting when it differs from `device` (e.g. "auto")."""
    available, cuda_version, torch_version = _torch_cuda_state()
    if not device.startswith("cuda") and requested == "auto":
        lines = _why_no_cuda(cuda_version, torch_version)
        lines[0] = "No GPU: rendering on the CPU (device 'auto' found no usable CUDA GPU)"
        return lines
    if not device.startswith("cuda"):
        lines = [f"No GPU: rendering on the CPU (device {device!r} chosen in settings)"]
        if available:
            lines.append("A CUDA GPU is available: set the device to 'cuda' to use it")
        elif cuda_version is None:
            lines.append(f"The installed PyTorch ({torch_version}) is a CPU-only build. {CUDA_BUILD_HINT}")
        return lines
    if not available:
        return _why_no_cuda(cuda_version, torch_version)

    index = _index_of(device)
    gpus = list_gpus(probe=[index])
    used = next((gpu for gpu in gpus if gpu.index == index), None)
    if used is None:
        return [f"GPU {device} not found: {len(gpus)} GPU(s) visible"] + _gpu_list(gpus, None)
    lines = [f"GPU: {used.name} ({device}, {len(gpus)} GPU(s) found)"]
    free = f", {used.free / GIB:.1f} GB free" if used.free is not None else ""
    scope = " (device-wide, NVML)" if used.source == "nvml" else " (from torch)"
    lines.append(f"VRAM: {used.total / GIB:.1f} GB total{free}{scope}")
    if used.driver:
        lines.append(f"Driver: {used.driver}")
    lines.append(recommendation_line(used.total, current_batch))
    if len(gpus) > 1:
        lines += _gpu_list(gpus, used.index)
        if used.source == "nvml" and os.environ.get("CUDA_DEVICE_ORDER") != "PCI_BUS_ID" and len({g.name for g in gpus}) > 1:
            lines.append(
                "Note: cuda:N numbering is fastest-first by default, NVML's is by PCI bus: set CUDA_DEVICE_ORDER=PCI_BUS_ID to match"
            )
    if used.source == "torch":
        lines.append("NVML not available: VRAM figures come from torch and the driver version is unknown")
    return lines


def _index_of(device: str) -> int:
    _, _, number = device.partition(":")
    return int(number) if number.strip().isdigit() else 0


def _gpu_list(gpus: list[GpuInfo], used: int | None) -> list[str]:
    lines = ["GPUs:"]
    for gpu in gpus:
        mark = f"  <- used (device setting cuda:{gpu.index})" if gpu.index == used else ""
        lines.append(f"  cuda:{gpu.index}  {gpu.name}  {gpu.total / GIB:.1f} GB{mark}")
    return lines


def _why_no_cuda(cuda_version: str | None, torch_version: str) -> list[str]:
    lines = ["No GPU: rendering on the CPU (CUDA was requested but is not available)"]
    if cuda_version is None:
        lines.append(f"The installed PyTorch ({torch_version}) is a CPU-only build. {CUDA_BUILD_HINT}")
        return lines
    gpus = _nvml_gpus()
    if gpus:
        lines.append(
            f"PyTorch is built for CUDA {cuda_version} and NVML sees {len(gpus)} GPU(s) (driver {gpus[0].driver}): "
            "the driver may be too old for this CUDA, or CUDA_VISIBLE_DEVICES hides the GPUs"
        )
    else:
        lines.append(f"PyTorch is built for CUDA {cuda_version} but no NVIDIA driver/GPU was found")
    return lines
