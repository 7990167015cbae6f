"""The one place the engine asks for the VRAM figure of its log line.

The GPU subsystem will replace this with its per-batch sample (torch memory_stats + NVML);
until then CUDA uses the driver's device-wide numbers and the CPU says so.
"""

from __future__ import annotations


def vram_status(device: str) -> str:
    if not device.startswith("cuda"):
        return "VRAM: n/a (CPU)"
    try:
        import torch

        free, total = torch.cuda.mem_get_info(torch.device(device))
    except Exception:  # no driver answer is not worth failing a render for
        return "VRAM: n/a"
    used = total - free
    return f"VRAM: {used / 1e9:.1f}/{total / 1e9:.1f}GB ({used / total:.0%})"
