"""ActivityLog, VramGauge and VramPlot, offscreen."""

import csv
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage

from app.widgets.activity_log import LEVEL_COLOURS, ActivityLog, timestamped
from app.widgets.vram_gauge import VramGauge, read_nvml_usage, usage_level
from app.widgets.vram_plot import VramPlot

GB = 1_000_000_000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def log(qtbot):
    widget = ActivityLog()
    qtbot.addWidget(widget)
    widget.resize(500, 200)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def line_colour(log: ActivityLog, line_number: int) -> QColor | None:
    block = log.text_view.document().findBlockByNumber(line_number)
    char_format = block.begin().fragment().charFormat()
    return char_format.foreground().color() if char_format.hasProperty(char_format.Property.ForegroundBrush) else None


# --- ActivityLog ---------------------------------------------------------------------------

def test_lines_get_a_timestamp_unless_already_stamped(log):
    log.append_line("info", "Loading book")
    log.append_line("info", "[18:27:40] Batch 1 (3 chunks) done in 45.32s")
    first, second = log.plain_text().splitlines()
    assert first.endswith("] Loading book") and first[0] == "[" and first[9:11] == "] "
    assert second == "[18:27:40] Batch 1 (3 chunks) done in 45.32s"
    assert timestamped("x", now=0).endswith("] x")


def test_warning_and_error_lines_are_coloured(log):
    log.append_line("info", "fine")
    log.append_line("warning", "VRAM at 85%")
    log.append_line("error", "CUDA out of memory <batch 3>")
    assert line_colour(log, 0) is None
    assert line_colour(log, 1) == LEVEL_COLOURS["warning"]
    assert line_colour(log, 2) == LEVEL_COLOURS["error"]
    assert "<batch 3>" in log.plain_text()  # text is inserted as text, never parsed as HTML


def test_follows_new_lines_only_while_at_the_bottom(log):
    scrollbar = log.text_view.verticalScrollBar()
    for i in range(200):
        log.append_line("info", f"line {i}")
    assert scrollbar.maximum() > 0 and scrollbar.value() == scrollbar.maximum()

    scrollbar.setValue(10)  # the user scrolls up to read
    log.append_line("info", "new line while reading")
    assert scrollbar.value() == 10

    scrollbar.setValue(scrollbar.maximum())  # back to the bottom: following resumes
    log.append_line("info", "another")
    assert scrollbar.value() == scrollbar.maximum()


def test_line_cap(log):
    assert log.text_view.maximumBlockCount() == 10_000


def test_save_to_writes_utf8(log, tmp_path):
    log.append_line("info", "Kapitel 1 — Überblick")
    log.append_line("error", "failed")
    path = tmp_path / "log.txt"
    log.save_to(path)
    assert path.read_text(encoding="utf-8").rstrip("\n") == log.plain_text()
    assert "Überblick" in path.read_text(encoding="utf-8")


def test_copy_puts_all_text_on_the_clipboard(log, qtbot):
    log.append_line("info", "one")
    log.append_line("warning", "two")
    qtbot.mouseClick(log.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == log.plain_text()


# --- VramGauge -----------------------------------------------------------------------------

@pytest.mark.parametrize("percent, level", [(79, "ok"), (80, "high"), (95, "high"), (96, "critical")])
def test_gauge_levels(qtbot, percent, level):
    gauge = VramGauge()
    qtbot.addWidget(gauge)
    gauge.set_usage(percent * GB // 10, 10 * GB)
    assert gauge.level() == level
    assert gauge.text() == f"VRAM {percent / 10:.1f} / 10.0 GB ({percent}%)"


def test_gauge_text_and_modes(qtbot):
    gauge = VramGauge()
    qtbot.addWidget(gauge)
    gauge.set_usage(7_200_000_000, 12 * GB)
    assert gauge.text() == "VRAM 7.2 / 12.0 GB (60%)" and gauge.isEnabled()
    gauge.set_cpu_mode()
    assert gauge.text() == "CPU mode (no GPU)" and gauge.level() == "cpu" and not gauge.isEnabled()
    gauge.set_unavailable("driver not loaded")
    assert "driver not loaded" in gauge.text()
    gauge.show()
    assert not gauge.grab().isNull()  # paints in every state without error
    assert usage_level(1, 0) == "ok"


def test_nvml_reader_on_this_machine():
    import torch

    result = read_nvml_usage()
    if torch.cuda.is_available():  # nvidia-ml-py is a dependency: NVML works wherever the driver does
        used, total = result
        assert 0 < used <= total and abs(total - torch.cuda.get_device_properties(0).total_memory) < 0.05 * total
    else:
        assert result is None or (len(result) == 2 and result[1] > 0)  # a driver without a CUDA build of torch


# --- VramPlot ------------------------------------------------------------------------------

def test_plot_samples_and_exports(qtbot, tmp_path):
    plot = VramPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 120)
    for batch, used in enumerate([6.5, 7.2, 7.9], start=1):
        plot.add_sample(batch, used, 12.0)
    assert [(s.batch, s.used_gb, s.total_gb) for s in plot.samples()] == [(1, 6.5, 12.0), (2, 7.2, 12.0), (3, 7.9, 12.0)]

    png = tmp_path / "vram.png"
    plot.export_png(png)
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 300
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    csv_path = tmp_path / "vram.csv"
    plot.export_csv(csv_path)
    rows = list(csv.reader(csv_path.open(encoding="utf-8")))
    assert rows[0] == ["batch", "used_gb", "total_gb"]
    assert [(int(r[0]), float(r[1]), float(r[2])) for r in rows[1:]] == [(1, 6.5, 12.0), (2, 7.2, 12.0), (3, 7.9, 12.0)]

    plot.clear()
    assert plot.samples() == []


def test_plot_cpu_mode_and_single_sample_paint(qtbot, tmp_path):
    plot = VramPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.set_cpu_mode()
    assert not plot.grab().isNull()
    plot.add_sample(1, 3.0, 8.0)  # one sample draws a dot, not a line
    plot.export_png(tmp_path / "one.png")
    assert QImage(str(tmp_path / "one.png")).width() == 800


def test_widgets_and_dialog_do_not_import_torch():
    """The window must appear fast: torch (seconds to import) stays out of app/ modules."""
    code = "import sys, app.widgets, app.dialogs; sys.exit('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, cwd=ROOT)
    assert result.returncode == 0
