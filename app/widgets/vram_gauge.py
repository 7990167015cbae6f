"""VRAM gauge: a coloured bar with "VRAM 7.2 / 12.0 GB (60%)", plus an NVML reader for idle polling."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

BYTES_PER_GB = 1e9  # decimal GB, as the engine's log lines and the batch-size tiers use
HIGH_FRACTION = 0.80  # amber from here: little headroom left for the desktop
CRITICAL_FRACTION = 0.95  # red above this: the next batch may run out of memory

LEVEL_COLOURS = {
    "ok": QColor("#43a047"),
    "high": QColor("#f9a825"),
    "critical": QColor("#e53935"),
    "cpu": QColor("#9e9e9e"),
    "unavailable": QColor("#9e9e9e"),
}

_nvml_initialised = False


def read_nvml_usage(index: int = 0) -> tuple[int, int] | None:
    """(used_bytes, total_bytes) of GPU `index` across all processes, or None without NVML or a GPU.

    Imports pynvml (package nvidia-ml-py) lazily so the window starts without it; any NVML
    failure (no driver, no device, lost device) reads as None rather than an error.
    """
    global _nvml_initialised
    try:
        import pynvml

        if not _nvml_initialised:  # init once: the window polls every second
            pynvml.nvmlInit()
            _nvml_initialised = True
        handle = pynvml.nvmlDeviceGetHandleByIndex(index)
        info = pynvml.nvmlDeviceGetMemoryInfo(handle)
        return int(info.used), int(info.total)
    except Exception:  # ImportError, pynvml.NVMLError and its many subclasses
        return None


def read_nvml_name(index: int = 0) -> str | None:
    """The GPU's marketing name (e.g. "NVIDIA GeForce RTX 4070"), or None without NVML."""
    if read_nvml_usage(index) is None:  # also initialises NVML once
        return None
    try:
        import pynvml

        name = pynvml.nvmlDeviceGetName(pynvml.nvmlDeviceGetHandleByIndex(index))
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:
        return None


def usage_level(used_bytes: int, total_bytes: int) -> str:
    """"ok" below 80 %, "high" from 80 to 95 %, "critical" above 95 %."""
    fraction = used_bytes / total_bytes if total_bytes > 0 else 0.0
    if fraction > CRITICAL_FRACTION:
        return "critical"
    if fraction >= HIGH_FRACTION:
        return "high"
    return "ok"


class VramGauge(QWidget):
    """Horizontal bar of device-wide VRAM use, green / amber / red by how full the GPU is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction = 0.0
        self._level = "unavailable"
        self._text = "VRAM: not read yet"
        self._name = ""  # the GPU worker this bar shows ("GPU 1"), when a render uses several
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("GPU memory in use by all programs (what the system monitor shows). "
                        "Amber from 80 %, red above 95 %: close other GPU programs or lower the batch size.")

    # --- state ---------------------------------------------------------------------------

    def set_usage(self, used_bytes: int, total_bytes: int) -> None:
        if total_bytes <= 0:
            self.set_unavailable("the GPU reported no memory")
            return
        used_bytes = max(0, min(used_bytes, total_bytes))
        self._fraction = used_bytes / total_bytes
        self._level = usage_level(used_bytes, total_bytes)
        self._text = (f"{self._name + ' · ' if self._name else ''}VRAM {used_bytes / BYTES_PER_GB:.1f} / "
                      f"{total_bytes / BYTES_PER_GB:.1f} GB ({self._fraction * 100:.0f}%)")
        self.setEnabled(True)
        self.update()

    def set_name(self, name: str) -> None:
        """Name the GPU this bar shows (several GPU workers); "" for the one device of a plain render."""
        self._name = name

    def name(self) -> str:
        return self._name

    def set_cpu_mode(self) -> None:
        self._fraction = 0.0
        self._level = "cpu"
        self._text = "CPU mode (no GPU)"
        self.setEnabled(False)  # greyed: there is nothing to watch
        self.update()

    def set_unavailable(self, reason: str) -> None:
        self._fraction = 0.0
        self._level = "unavailable"
        self._text = f"VRAM: unavailable ({reason})" if reason else "VRAM: unavailable"
        self.setEnabled(False)
        self.update()

    def level(self) -> str:
        """"ok", "high", "critical", "cpu" or "unavailable"."""
        return self._level

    def text(self) -> str:
        return self._text

    # --- drawing -------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(240, self.fontMetrics().height() + 10)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.fontMetrics().height() + 6)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(frame, 3, 3)
        if self._fraction > 0:
            filled = QRectF(frame.left(), frame.top(), frame.width() * self._fraction, frame.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(LEVEL_COLOURS[self._level])
            painter.drawRoundedRect(filled, 3, 3)
        group = QPalette.ColorGroup.Active if self.isEnabled() else QPalette.ColorGroup.Disabled
        painter.setPen(palette.color(group, QPalette.ColorRole.Text))
        painter.drawText(frame, Qt.AlignmentFlag.AlignCenter, self._text)
        painter.end()


class GpuGauges:
    """One bar per GPU worker: the window's gauge shows the first, more bars appear below it as
    batches from other GPUs arrive (backend BatchReport.device), and go again when a render starts."""

    def __init__(self, first: VramGauge, layout, index: int = 0) -> None:
        self.first, self.layout, self.index = first, layout, index
        self.bars: dict[str | None, VramGauge] = {}

    def gauge_for(self, device: str | None) -> VramGauge:
        if device is None:
            return self.first
        if device in self.bars:
            return self.bars[device]
        if not self.bars:  # the first GPU worker takes the window's bar
            self.first.set_name(device)
            self.bars[device] = self.first
            return self.first
        return self._added(device)

    def _added(self, device: str) -> VramGauge:
        gauge = VramGauge()
        gauge.set_name(device)
        self.layout.insertWidget(self.index + len(self.bars), gauge)
        gauge.show()  # a child added after the window is shown stays hidden until told
        self.bars[device] = gauge
        return gauge

    def reset(self) -> None:
        """A new render: back to the one bar, unnamed."""
        for gauge in self.bars.values():
            if gauge is not self.first:
                self.layout.removeWidget(gauge)
                gauge.deleteLater()
        self.bars.clear()
        self.first.set_name("")
