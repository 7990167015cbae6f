"""Advanced Settings → Listening check: the choice round-trips, and without a usable model it is
disabled with what to install or fix (the .[check] extra is installed here)."""

from dataclasses import replace

from app.dialogs.advanced_settings import AdvancedSettingsDialog
from backend.settings import RenderSettings


def test_check_speech_round_trips(qtbot):
    dialog = AdvancedSettingsDialog(RenderSettings(check="retry"))
    qtbot.addWidget(dialog)
    group = dialog.check_group
    assert group.check_combo.isEnabled() and group.check_combo.currentText() == "Flag and retry"
    assert not group.note.isVisibleTo(dialog)
    assert dialog.settings().check == "retry"
    group.check_combo.setCurrentIndex(group.check_combo.findData("flag"))
    assert dialog.settings() == replace(RenderSettings(), check="flag")
    dialog.reset_to_defaults()
    assert dialog.settings().check == "off"


def test_without_a_usable_model_the_check_is_off_and_says_why(qtbot, tmp_path):
    dialog = AdvancedSettingsDialog(RenderSettings(check="flag", check_model=str(tmp_path)))
    qtbot.addWidget(dialog)
    group = dialog.check_group
    assert not group.check_combo.isEnabled() and group.check_combo.currentData() == "off"
    assert group.note.isVisibleTo(dialog) and "no model.bin" in group.note.text()
    assert dialog.settings().check == "off" and dialog.settings().check_model == str(tmp_path)
