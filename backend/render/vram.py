"""The VRAM part of the Activity Log line, in the seeds' form: `VRAM: 7.2/12.0GB (60%)`.

The numbers come from the batch's memory sample (backend/gpu/session.py)."""

from __future__ import annotations


def vram_text(device: str, sample: tuple[int, int] | None) -> str:
    """`sample` is device-wide (used, total) bytes, None on the CPU or without an answer."""
    if sample is None:
        return "VRAM: n/a (CPU)" if not device.startswith("cuda") else "VRAM: n/a"
    used, total = sample
    return f"VRAM: {used / 1e9:.1f}/{total / 1e9:.1f}GB ({used / total:.0%})"
