"""The window's Dialogue voice row (offscreen, real worker and voices): per book, saved beside
its render, previewed, and used by a real render of the demo book (which has dialogue)."""

import json
from pathlib import Path

import pytest
import soundfile as sf

from app.main_window import MainWindow
from backend.settings import RenderSettings
from backend.voices.dialogue import DialogueChoice, dialogue_file
from tests.app.conftest import close_window, shown_and_ready
from tests.tts.piper_voices import SMALL, export_voice

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo_book.md"


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    return export_voice(SMALL, tmp_path_factory.mktemp("multi"))


@pytest.fixture()
def make_window(qtbot, tmp_path, monkeypatch, multi):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    windows = []

    def make():
        win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cpu",
                                        voices=[str(multi)], master="off", outputs=[]), [], lambda s: None)
        windows.append(shown_and_ready(qtbot, win))
        return win

    yield make
    for win in windows:
        close_window(qtbot, win)


def open_demo(qtbot, win):
    win.book = None
    win.open_book(str(DEMO))
    qtbot.waitUntil(lambda: win.book is not None, timeout=30000)


def items(combo):
    return [combo.itemText(i) for i in range(combo.count())]


def test_the_dialogue_voice_is_chosen_per_book_saved_and_previewed(qtbot, make_window, multi, tmp_path):
    window = make_window()
    picker = window.dialogue_picker
    assert not picker.isEnabled()  # no book open: nothing to choose it for
    assert items(picker.voice_combo) == ["Off", "en_US-joe-medium (bundled)", multi.stem]
    open_demo(qtbot, window)
    assert picker.isEnabled() and picker.voice_combo.currentText() == "Off"
    assert not picker.speaker_combo.isVisibleTo(window)
    plain_total = window.book.total

    with qtbot.waitSignal(window.worker.book_ready, timeout=30000):
        picker.voice_combo.setCurrentIndex(2)  # the multi-speaker voice: its speakers appear
    assert picker.speaker_combo.isVisibleTo(window)
    assert items(picker.speaker_combo) == ["0: alice", "1: bob", "2: carol"]
    saved = dialogue_file(window.book.job_dir)
    assert json.loads(saved.read_text(encoding="utf-8")) == {"voice": str(multi), "speaker": "alice"}
    assert window.book.total > plain_total  # quotes are chunks of their own now
    with qtbot.waitSignal(window.worker.book_ready, timeout=30000):
        picker.speaker_combo.setCurrentIndex(1)
    assert json.loads(saved.read_text(encoding="utf-8"))["speaker"] == "bob"
    assert "Dialogue voice for this book: " in window.log.plain_text()

    # Preview: the narration sentence, then a line of dialogue in the dialogue voice.
    with qtbot.waitSignal(window.worker.preview_ready, timeout=60000) as ready:
        window.preview()
    with_dialogue = sf.info(ready.args[0]).duration
    with qtbot.waitSignal(window.worker.book_ready, timeout=30000):
        picker.voice_combo.setCurrentIndex(0)  # Off
    assert not saved.exists()
    with qtbot.waitSignal(window.worker.preview_ready, timeout=60000) as ready:
        window.preview()
    assert with_dialogue > sf.info(ready.args[0]).duration + 1.0


def test_a_reopened_book_shows_its_choice_and_renders_with_it(qtbot, make_window, multi, tmp_path):
    from backend.render.jobs import book_job_dir
    from backend.voices.dialogue import save_choice

    settings = RenderSettings(cache_dir=str(tmp_path / "cache"))
    save_choice(book_job_dir(DEMO, settings), DialogueChoice(str(multi), "carol"))
    window = make_window()
    open_demo(qtbot, window)
    picker = window.dialogue_picker
    assert picker.voice_combo.currentText() == multi.stem and picker.speaker_combo.currentText() == "2: carol"
    window.output_edit.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(window.worker.finished, timeout=180000) as finished:
        window.start()
    log = window.log.plain_text()
    assert "Dialogue voice: " in log and "speaker carol" in log
    assert finished.args[0].chunks == window.book.total
