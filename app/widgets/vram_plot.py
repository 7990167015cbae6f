"""Live VRAM-per-batch line plot, painted with QPainter (QtCharts would cost startup time and size)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

EXPORT_SIZE = QSize(800, 300)  # smallest PNG export: readable in a bug report
LINE_COLOUR = QColor("#1e88e5")
LIMIT_COLOUR = QColor("#e53935")


class VramSample(NamedTuple):
    batch: int
    used_gb: float
    total_gb: float


class VramPlot(QWidget):
    """VRAM used after each batch, with a dashed line at the GPU's total."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._samples: list[VramSample] = []
        self._cpu_mode = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("VRAM in use after each batch. A line creeping towards the dashed total "
                        "means the next batches may run out of memory.")

    # --- data ----------------------------------------------------------------------------

    def add_sample(self, batch_index: int, used_gb: float, total_gb: float) -> None:
        self._cpu_mode = False
        self._samples.append(VramSample(int(batch_index), float(used_gb), float(total_gb)))
        self.update()

    def clear(self) -> None:
        self._samples.clear()
        self.update()

    def set_cpu_mode(self) -> None:
        self._cpu_mode = True
        self._samples.clear()
        self.update()

    def samples(self) -> list[VramSample]:
        return list(self._samples)

    # --- export --------------------------------------------------------------------------

    def export_png(self, path: str | Path) -> None:
        """Render at the widget's size or 800x300, whichever is larger; raises OSError on failure."""
        size = self.size().expandedTo(EXPORT_SIZE)
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        self._draw(painter, QRectF(0, 0, size.width(), size.height()))
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def export_csv(self, path: str | Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["batch", "used_gb", "total_gb"])
            for sample in self._samples:
                writer.writerow([sample.batch, f"{sample.used_gb:.3f}", f"{sample.total_gb:.3f}"])

    # --- drawing -------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(360, 140)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 80)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        self._draw(painter, QRectF(self.rect()))
        painter.end()

    def _draw(self, painter: QPainter, area: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(text_colour)
        if self._cpu_mode or not self._samples:
            note = "No GPU: nothing to plot" if self._cpu_mode else "VRAM per batch appears here during a render"
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, note)
            return

        metrics = painter.fontMetrics()
        top_gb = max(max(s.total_gb for s in self._samples), max(s.used_gb for s in self._samples), 0.001)
        top_label = f"{top_gb:.1f} GB"
        left = metrics.horizontalAdvance(top_label) + 8
        plot = area.adjusted(left, metrics.height() / 2 + 4, -10, -(metrics.height() + 6))
        first_batch, last_batch = self._samples[0].batch, self._samples[-1].batch
        batch_span = max(last_batch - first_batch, 1)

        def point(batch: int, used_gb: float) -> QPointF:
            x = plot.left() + (batch - first_batch) / batch_span * plot.width()
            y = plot.bottom() - used_gb / top_gb * plot.height()
            return QPointF(x, y)

        # Axes and the minimal labels: 0 and the total on y, first and last batch on x.
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.setPen(text_colour)
        label_right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        label_box = QRectF(area.left(), 0, left - 4, metrics.height())
        painter.drawText(label_box.translated(0, plot.bottom() - metrics.height() / 2), label_right, "0")
        painter.drawText(label_box.translated(0, plot.top() - metrics.height() / 2), label_right, top_label)
        x_labels = QRectF(plot.left(), plot.bottom() + 3, plot.width(), metrics.height())
        painter.drawText(x_labels, Qt.AlignmentFlag.AlignLeft, f"batch {first_batch}")
        painter.drawText(x_labels, Qt.AlignmentFlag.AlignRight, f"batch {last_batch} ({len(self._samples)} samples)")

        # The total: the latest sample's, which is the card in use now.
        total_y = point(first_batch, self._samples[-1].total_gb).y()
        painter.setPen(QPen(LIMIT_COLOUR, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(plot.left(), total_y), QPointF(plot.right(), total_y))

        painter.setPen(QPen(LINE_COLOUR, 2))
        if len(self._samples) == 1:
            painter.setBrush(LINE_COLOUR)
            painter.drawEllipse(point(first_batch, self._samples[0].used_gb), 3, 3)
        else:
            painter.drawPolyline(QPolygonF([point(s.batch, s.used_gb) for s in self._samples]))
