"""Reusable widgets for the main window: activity log, VRAM gauge and VRAM plot."""

from app.widgets.activity_log import ActivityLog
from app.widgets.vram_gauge import VramGauge, read_nvml_usage
from app.widgets.vram_plot import VramPlot

__all__ = ["ActivityLog", "VramGauge", "VramPlot", "read_nvml_usage"]
