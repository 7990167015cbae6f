"""The one place the engine asks for the VRAM figures of its log line.

The GPU subsystem will replace this with its per-batch sample (torch memory_stats + NVML);
until then CUDA uses the driver's device-wide numbers and the CPU says so.
"""

from __future__ import annotations


def vram_sample(device: str) -> tuple[int, int] | None:
    """(used, total) bytes on the device, device-wide; None on the CPU or without an answer."""
    if not device.startswith("cuda"):
        return None
    try:
        import torch

        free, total = torch.cuda.mem_get_info(torch.device(device))
    except Exception:  # no driver answer is not worth failing a render for
        return None
    return total - free, total


def vram_text(device: str, sample: tuple[int, int] | None) -> str:
    if sample is None:
        return "VRAM: n/a (CPU)" if not device.startswith("cuda") else "VRAM: n/a"
    used, total = sample
    return f"VRAM: {used / 1e9:.1f}/{total / 1e9:.1f}GB ({used / total:.0%})"


def vram_status(device: str) -> str:
    return vram_text(device, vram_sample(device))
