"""Advanced Settings: the export checkboxes (distribution folder, Opus) and the M4B bit rate."""

from app.dialogs.advanced_settings import AdvancedSettingsDialog
from backend.settings import RenderSettings


def make_dialog(qtbot, settings):
    dialog = AdvancedSettingsDialog(settings)
    qtbot.addWidget(dialog)
    return dialog


def test_export_checkboxes_and_bit_rate_round_trip(qtbot):
    settings = RenderSettings(outputs=["m4b", "distribution"], m4b_bitrate=96, narrator="Jane Reader")
    dialog = make_dialog(qtbot, settings)
    assert dialog.output_checks["distribution"].text() == "Distribution folder"
    assert dialog.output_checks["opus"].text() == "Opus chapter files"
    assert dialog.output_checks["distribution"].isChecked() and not dialog.output_checks["opus"].isChecked()
    assert dialog.m4b_bitrate_combo.currentData() == 96
    assert dialog.settings() == settings  # the narrator is not shown, and kept

    dialog.output_checks["opus"].setChecked(True)
    dialog.output_checks["distribution"].setChecked(False)
    dialog.m4b_bitrate_combo.setCurrentIndex(dialog.m4b_bitrate_combo.findData(32))
    edited = dialog.settings()
    assert edited.outputs == ["m4b", "opus"] and edited.m4b_bitrate == 32 and edited.narrator == "Jane Reader"
    assert "120 minutes" in dialog.output_checks["distribution"].toolTip()


def test_a_bit_rate_not_in_the_list_is_kept(qtbot):
    dialog = make_dialog(qtbot, RenderSettings(m4b_bitrate=80))
    assert dialog.m4b_bitrate_combo.currentText() == "80 kbps" and dialog.settings().m4b_bitrate == 80


def test_word_timing_and_read_along_checkboxes(qtbot):
    dialog = make_dialog(qtbot, RenderSettings(outputs=["srt", "readalong"]))
    words, readalong = dialog.output_checks["words"], dialog.output_checks["readalong"]
    assert (words.text(), readalong.text()) == ("Word timing", "Read-along EPUB")
    assert readalong.isChecked() and not words.isChecked() and "highlight each sentence" in readalong.toolTip()
    # Word timing sits with the subtitles; the EPUB with the exports.
    assert words.parentWidget() is dialog.output_checks["srt"].parentWidget()
    words.setChecked(True)
    assert dialog.settings().outputs == ["srt", "words", "readalong"]
