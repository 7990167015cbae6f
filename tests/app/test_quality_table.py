"""The audio report's table widget and the Mastering group of Advanced Settings."""

from __future__ import annotations

import dataclasses
import shutil

from PySide6.QtGui import QColor

from app.dialogs.advanced_settings import AdvancedSettingsDialog
from app.widgets.quality_table import FAIL_COLOR, QualityTable
from backend.audio.mastering import master_file
from backend.audio.presets import ACX, failures
from backend.audio.report import build_report
from backend.settings import RenderSettings
from tests.audio.audio_factory import write_speechlike


def test_the_table_marks_what_fails(qtbot, tmp_path):
    raw = write_speechlike(tmp_path / "raw.flac", 8.0)
    good = tmp_path / "good.flac"
    shutil.copyfile(raw, good)
    master_file(good, ACX)
    table = QualityTable()
    qtbot.addWidget(table)
    report = build_report([good, raw], ACX)
    table.show_report(report)
    assert table.rowCount() == 2 and table.item(0, 0).text() == "good.flac"
    assert table.horizontalHeaderItem(5).text() == "True peak"
    good_row = [table.item(0, c).text() for c in range(1, table.columnCount())]
    assert not any(text.endswith("✗") for text in good_row)
    rate = table.item(1, 9)
    assert rate.text() == "22050 Hz ✗" and rate.foreground().color() == QColor(FAIL_COLOR)
    assert rate.toolTip() == "Audiobook (ACX) wants 44100 Hz"
    assert table.failing_cells() == len(failures(report.measurements[1], ACX)) >= 5


def test_advanced_settings_edit_the_mastering(qtbot):
    custom = dataclasses.replace(RenderSettings(), master="podcast", room_tone_head=0.5, room_tone_tail=4.0)
    dialog = AdvancedSettingsDialog(custom)
    qtbot.addWidget(dialog)
    group = dialog.mastering_group
    assert group.master_combo.currentData() == "podcast" and group.tail_spin.value() == 4.0
    assert dialog.settings() == custom
    group.master_combo.setCurrentIndex(group.master_combo.findData("off"))
    assert not group.head_spin.isEnabled() and dialog.settings().master == "off"
    assert group.head_spin.toolTip() and group.master_combo.toolTip()
    dialog.reset_to_defaults()
    assert dialog.settings().master == "acx" and group.head_spin.value() == 0.75 and group.tail_spin.value() == 2.5
