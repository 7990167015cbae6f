"""New blend… in the window (offscreen, real worker and a real multi-speaker voice): mix speakers,
hear the mix, save it by name; it joins the speaker list, chosen, and the dialogue voice's."""

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app.main_window import MainWindow
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready
from tests.tts.piper_voices import SMALL, export_voice


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    return export_voice(SMALL, tmp_path_factory.mktemp("multi"))


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch, multi):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    saved = []
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), device="cpu", voices=[str(multi)],
                                    voice=str(multi)), [], saved.append)
    win.saved = saved
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def test_a_blend_is_mixed_previewed_and_saved(qtbot, window):
    assert window.blend_button.isVisibleTo(window)
    window.open_blend_editor()
    editor = window.blend_editor
    (first, w1), (second, w2) = editor.rows
    assert (first.currentData(), second.currentData()) == ("alice", "bob")
    w1.setValue(3.0)
    assert editor.mix_label.text() == "Mix: alice 75%, bob 25%"
    with qtbot.waitSignal(window.worker.preview_ready, timeout=60000) as ready:
        editor.preview_button.click()
    assert ready.args[0].endswith(".wav")

    editor.add_row()
    editor.rows[2][0].setCurrentIndex(0)  # alice twice: refused, said in the dialog
    assert "twice" in editor.error.text()
    editor.rows[2][0].setCurrentIndex(2)
    assert editor.error.text() == "" and editor.add_button.isEnabled()  # 3 of 4: one more allowed
    editor.add_row()
    assert not editor.add_button.isEnabled()  # four is the most
    save = editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    save.click()  # no name yet: the dialog stays open and says why
    assert editor.isVisible() and "name" in editor.error.text()
    editor.name_edit.setText("bob")
    save.click()
    assert editor.isVisible() and "already a speaker" in editor.error.text()
    editor.name_edit.setText("Chorus")
    editor.rows[3][0].setCurrentIndex(1)  # bob twice: a good name does not save a bad mix
    save.click()
    assert editor.isVisible() and "twice" in editor.error.text() and "Chorus" not in window.settings.blends


def test_a_saved_blend_is_chosen_and_offered_for_dialogue(qtbot, window):
    window.open_blend_editor()
    editor = window.blend_editor
    editor.rows[1][0].setCurrentIndex(2)  # alice and carol
    editor.name_edit.setText(" Warm ")
    editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert window.settings.blends == {"Warm": "alice:0.5,carol:0.5"} and window.settings.speaker == "Warm"
    assert window.speaker_combo.currentText() == "Blend: Warm"
    assert window.saved and window.saved[-1].blends == {"Warm": "alice:0.5,carol:0.5"}
    picker = window.dialogue_picker
    picker.voice_combo.setCurrentIndex(2)  # the multi-speaker voice
    assert "Blend: Warm" in [picker.speaker_combo.itemText(i) for i in range(picker.speaker_combo.count())]
