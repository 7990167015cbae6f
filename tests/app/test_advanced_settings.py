"""AdvancedSettingsDialog: the form round-trips RenderSettings and cannot produce invalid ones."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from app.dialogs.advanced_settings import AdvancedSettingsDialog
from backend.settings import RenderSettings

CUSTOM = RenderSettings(
    voice="/voices/amy.onnx", voices=["/voices/amy.onnx"], seed=7, device="cuda:1", precision="float16",
    batch_size=8, cpu_streams=3, max_chars=650, length_scale=1.25, noise_scale=0.5, noise_w=0.65, sentence_pause=0.45,
    paragraph_pause=1.2, chapter_pause=2.5, chapter_format="wav", outputs=["mp3", "vtt"], footnotes="read",
    cache_dir="/tmp/book-cache", vram_limit_percent=85, cache_clear_fragmentation=0.4, cache_clear_interval=0,
)


def make_dialog(qtbot, settings=None, **kwargs) -> AdvancedSettingsDialog:
    dialog = AdvancedSettingsDialog(settings or RenderSettings(), **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def test_round_trip_keeps_every_field(qtbot):
    dialog = make_dialog(qtbot, CUSTOM, recommended_batch=5, gpu_name="RTX 4080")
    assert dialog.settings() == CUSTOM
    assert dialog.clear_interval_spin.text() == "Never"
    assert dialog.recommended_label.text() == "Recommended for RTX 4080: 5"


def test_defaults_round_trip(qtbot):
    dialog = make_dialog(qtbot)
    assert dialog.settings() == RenderSettings()
    assert dialog.recommended_label.text() == "No GPU: see CPU streams"
    assert dialog.cpu_streams_auto_check.isChecked() and not dialog.cpu_streams_spin.isEnabled()


def test_cpu_streams_auto_and_fixed(qtbot):
    dialog = make_dialog(qtbot, CUSTOM)
    assert dialog.cpu_streams_spin.value() == 3 and dialog.cpu_streams_spin.isEnabled()
    dialog.cpu_streams_auto_check.setChecked(True)
    assert dialog.settings().cpu_streams == "auto"
    dialog.cpu_streams_auto_check.setChecked(False)
    dialog.cpu_streams_spin.setValue(0)  # clamped to the valid range
    assert dialog.settings().cpu_streams == 1


def test_auto_batch_and_voice_default_and_auto_vram(qtbot):
    dialog = make_dialog(qtbot, CUSTOM)
    dialog.batch_auto_check.setChecked(True)
    dialog.length_scale_default_check.setChecked(True)
    dialog.voice_default_checks["noise_w"].setChecked(True)
    dialog.vram_auto_check.setChecked(True)
    result = dialog.settings()
    assert result.batch_size == "auto" and not dialog.batch_size_spin.isEnabled()
    assert result.length_scale is None and result.noise_w is None and result.noise_scale == 0.5
    assert result.vram_limit_percent is None


def test_auto_batch_shows_the_recommended_size(qtbot):
    dialog = make_dialog(qtbot, RenderSettings(batch_size="auto"), recommended_batch=3, gpu_name="RTX 3060")
    assert dialog.batch_auto_check.isChecked() and dialog.batch_size_spin.value() == 3
    dialog.batch_auto_check.setChecked(False)
    assert dialog.settings().batch_size == 3


def test_reset_to_defaults_keeps_hidden_fields(qtbot):
    dialog = make_dialog(qtbot, CUSTOM)
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    result = dialog.settings()
    expected = RenderSettings(voice=CUSTOM.voice, voices=CUSTOM.voices, seed=CUSTOM.seed)
    assert result == expected


def test_ranges_clamp_out_of_range_values(qtbot):
    dialog = make_dialog(qtbot)
    dialog.batch_size_spin.setValue(500)
    dialog.chunk_length_spin.setValue(10)
    dialog.vram_limit_spin.setValue(20)
    dialog.fragmentation_spin.setValue(1.0)
    dialog.pause_spins["chapter_pause"].setValue(60)
    dialog.scale_spins["length_scale"].setValue(0.1)
    dialog.length_scale_default_check.setChecked(False)
    dialog.vram_auto_check.setChecked(False)
    result = dialog.settings()
    assert (result.batch_size, result.max_chars, result.vram_limit_percent) == (64, 50, 50)
    assert result.cache_clear_fragmentation == 0.95 and result.chapter_pause == 10.0 and result.length_scale == 0.5


def test_half_precision_disabled_on_cpu(qtbot):
    dialog = make_dialog(qtbot, RenderSettings(device="cuda", precision="float16"))
    combo = dialog.precision_combo
    model = combo.model()
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    assert combo.currentData() == "auto"
    row = combo.findData("float16")
    assert not model.item(row).isEnabled()
    assert combo.itemData(row, Qt.ItemDataRole.ToolTipRole)
    assert model.item(combo.findData("bfloat16")).isEnabled()  # CPUs with AMX/AVX512-BF16 run it fast
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cuda"))
    assert model.item(combo.findData("float16")).isEnabled()


def test_clear_cache_signal(qtbot):
    dialog = make_dialog(qtbot)
    with qtbot.waitSignal(dialog.clear_cache_requested, timeout=1000):
        qtbot.mouseClick(dialog.clear_cache_button, Qt.MouseButton.LeftButton)
    assert not make_dialog(qtbot, book_loaded=False).clear_cache_button.isEnabled()


def test_ok_accepts_and_cancel_rejects(qtbot):
    dialog = make_dialog(qtbot)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    dialog = make_dialog(qtbot)
    dialog.reject()
    assert dialog.result() == dialog.DialogCode.Rejected


@pytest.mark.parametrize("widget_type", [QSpinBox, QDoubleSpinBox, QComboBox, QCheckBox, QLineEdit])
def test_every_input_has_a_tooltip(qtbot, widget_type):
    dialog = make_dialog(qtbot, CUSTOM)
    widgets = [w for w in dialog.findChildren(widget_type)
               if not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))]  # spin boxes' inner line edits
    assert widgets
    missing = [w.objectName() or type(w).__name__ + ":" + getattr(w, "text", lambda: "")() for w in widgets
               if not w.toolTip()]
    assert not missing


def test_cpu_mode_row_shows_the_measured_mode_and_measures_again(qtbot, monkeypatch, tmp_path):
    from backend.tts.cpu_mode_store import Calibration, CpuMode, calibration_file, machine_fingerprint, save_calibration

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # this test's own machine-wide folder
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    dialog = make_dialog(qtbot)
    row = dialog.cpu_mode_row
    assert row.label.text().startswith("Not measured yet") and not row.again_button.isEnabled()
    measured = Calibration(machine_fingerprint(2), [(CpuMode(2, 1), 0.032), (CpuMode(1, 2), 0.034),
                                                    (CpuMode(2, 1, "bfloat16"), 0.023)], bf16_snr_db=38.0)
    save_calibration(calibration_file(), measured)
    dialog = make_dialog(qtbot)
    row = dialog.cpu_mode_row
    assert row.label.text() == "2 streams × 1 thread, bfloat16 (measured)"
    assert "Auto" in row.label.toolTip()
    qtbot.mouseClick(row.again_button, Qt.MouseButton.LeftButton)
    assert not calibration_file().exists() and "next CPU render" in row.label.text()
    # Measured on another CPU: not shown as this machine's.
    measured.fingerprint["cpu"] = "Some Other CPU"
    save_calibration(calibration_file(), measured)
    dialog = make_dialog(qtbot)
    assert dialog.cpu_mode_row.label.text().startswith("Not measured yet")
