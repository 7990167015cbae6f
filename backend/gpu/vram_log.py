"""Per-render VRAM record: one CSV row per batch, a PNG graph beside it, and the summary.

The PNG is drawn with numpy and written with zlib (backend/ has no Qt, and a plotting library
would be a heavy dependency for one line chart).
"""

from __future__ import annotations

import csv
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backend.gpu.memory import MemorySample

FIELDS = ("batch", "batch_size", "seconds", "device_used_mb", "device_total_mb", "allocated_mb", "reserved_mb",
          "peak_allocated_mb", "peak_reserved_mb", "fragmentation", "alloc_retries", "ooms")
_MB = 1024 * 1024


@dataclass
class VramRecord:
    rows: list[dict] = field(default_factory=list)
    cache_clears: int = 0
    oom_recoveries: int = 0
    cpu_fallbacks: int = 0

    def add(self, batch: int, batch_size: int, seconds: float, s: MemorySample) -> None:
        self.rows.append({
            "batch": batch, "batch_size": batch_size, "seconds": round(seconds, 3),
            "device_used_mb": round(s.device_used / _MB, 1) if s.device_used else "",
            "device_total_mb": round(s.device_total / _MB, 1) if s.device_total else "",
            "allocated_mb": round(s.allocated / _MB, 1), "reserved_mb": round(s.reserved / _MB, 1),
            "peak_allocated_mb": round(s.peak_allocated / _MB, 1), "peak_reserved_mb": round(s.peak_reserved / _MB, 1),
            "fragmentation": round(s.fragmentation, 4), "alloc_retries": s.alloc_retries, "ooms": s.ooms,
        })

    def write_csv(self, path: Path) -> Path:
        from backend.atomic_file import replacing

        with replacing(path) as temp, open(temp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(self.rows)
        return path

    def summary_lines(self) -> list[str]:
        if not self.rows:
            return []
        peak_alloc = max(r["peak_allocated_mb"] for r in self.rows)
        peak_res = max(r["peak_reserved_mb"] for r in self.rows)
        sizes = sorted({r["batch_size"] for r in self.rows})
        ratio = f" ({peak_res / peak_alloc:.2f}x)" if peak_alloc else ""
        return [
            f"GPU memory: peak allocated {peak_alloc / 1024:.2f} GB, peak reserved {peak_res / 1024:.2f} GB{ratio}, "
            f"max fragmentation {max(r['fragmentation'] for r in self.rows):.0%}",
            f"GPU memory: {self.cache_clears} cache clears, {self.oom_recoveries} OOM recoveries, "
            f"{self.cpu_fallbacks} chunks on the CPU, batch sizes used: {', '.join(map(str, sizes))}",
        ]

    def write_png(self, path: Path, width: int = 900, height: int = 320) -> Path:
        """Device-wide used, this process's reserved and allocated (MB) per batch."""
        from backend.atomic_file import replacing

        image = np.full((height, width, 3), 255, np.uint8)
        left, right, top, bottom = 50, width - 10, 10, height - 25
        image[top:bottom, left] = image[bottom, left:right] = (90, 90, 90)
        series = [("device_used_mb", (200, 60, 40)), ("reserved_mb", (40, 90, 200)), ("allocated_mb", (40, 160, 70))]
        totals = [r["device_total_mb"] for r in self.rows if r["device_total_mb"] != ""]
        ceiling = max([*totals, *(r[k] for r in self.rows for k, _ in series if r[k] != ""), 1.0])
        n = max(len(self.rows) - 1, 1)
        for key, colour in series:
            points = [(i, r[key]) for i, r in enumerate(self.rows) if r[key] != ""]
            xy = [(left + int(i / n * (right - left)), bottom - int(v / ceiling * (bottom - top))) for i, v in points]
            for (x0, y0), (x1, y1) in zip(xy, xy[1:] or xy):
                _line(image, x0, y0, x1, y1, colour)
        if totals:  # dashed line at the device's total
            y = bottom - int(max(totals) / ceiling * (bottom - top))
            for x in range(left, right, 8):
                image[max(y, top), x : x + 4] = (120, 120, 120)
        with replacing(path) as temp:
            temp.write_bytes(_png_bytes(image))
        return path


def _line(image: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour) -> None:
    steps = max(abs(x1 - x0), abs(y1 - y0), 1)
    xs = np.linspace(x0, x1, steps + 1).round().astype(int)
    ys = np.linspace(y0, y1, steps + 1).round().astype(int)
    for dy in (0, 1):  # two pixels thick
        image[np.clip(ys + dy, 0, image.shape[0] - 1), np.clip(xs, 0, image.shape[1] - 1)] = colour


def _png_bytes(rgb: np.ndarray) -> bytes:
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
