"""Pronunciations in the real window (offscreen): the buttons, Listen through the real worker and
the bundled voice, and a damaged lexicon at Start (the window asks; Yes renders without it, No
renders nothing)."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from app.main_window import MainWindow
from backend.lexicon_store import book_lexicon_path, global_lexicon_path, write_lexicon
from backend.settings import RenderSettings
from backend.text.lexicon import Lexicon, LexiconEntry
from tests.app.conftest import close_window, shown_and_ready

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo_book.md"


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=400, device="cpu", outputs=[]))
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def open_demo(qtbot, win, tmp_path):
    win.open_book(str(DEMO))
    qtbot.waitUntil(lambda: win.book is not None, timeout=30000)
    win.output_edit.setText(str(tmp_path / "out"))


def heard(qtbot, win, press) -> np.ndarray:
    """Audio of one Listen: `press()` asks for it; the worker's preview_ready brings the WAV."""
    with qtbot.waitSignal(win.worker.preview_ready, timeout=60000) as ready:
        press()
    audio, rate = sf.read(ready.args[0], dtype="float32")
    assert rate == 22050 and audio.size > 0.2 * rate
    return audio


def test_buttons_follow_the_book(qtbot, window, tmp_path):
    panel = window.book_panel
    assert panel.pronunciations_button.isEnabled() and not panel.words_button.isEnabled()
    open_demo(qtbot, window, tmp_path)
    assert panel.words_button.isEnabled()
    panel.pronunciations_button.click()
    dialog = window.pronunciations_dialog
    assert dialog.isVisible() and dialog.scope.currentText() == "This book: The Clockmaker's Apprentice"
    dialog.accept()
    panel.words_button.click()
    words = window.words_dialog
    qtbot.waitUntil(lambda: words.table.rowCount() > 0, timeout=30000)
    assert "Brennan" in [w.word for w in words.words]
    words.accept()


def test_listen_says_the_entry_through_the_worker(qtbot, window):
    window.open_pronunciations()  # no book: the global lexicon
    dialog = window.pronunciations_dialog
    dialog.add()
    dialog.editor.word.setText("Brennan")
    dialog.editor.say.setText("BRENN uh NAH tee KOH vah")  # far from "Brennan": clearly different audio
    plain = heard(qtbot, window, lambda: window.listen("Brennan", None))
    in_editor = heard(qtbot, window, dialog.editor.listen_button.click)  # before saving
    dialog.editor.accept()
    dialog.table.selectRow(0)
    assert dialog.listen_button.isEnabled()
    enabled = []

    def press():
        dialog.listen_button.click()
        enabled.append(dialog.listen_button.isEnabled())

    saved = heard(qtbot, window, press)
    assert enabled == [False]  # disabled until its audio came back, so clicks do not pile up
    qtbot.waitUntil(dialog.listen_button.isEnabled, timeout=10000)
    assert in_editor.size == saved.size and np.allclose(in_editor, saved, atol=1e-4)
    assert saved.size > 1.5 * plain.size  # five syllables instead of two
    # the marked text reached the phonemizer: same ids as the respelling itself
    synth = window.worker._synth
    respelled = Lexicon([LexiconEntry("Brennan", "BRENN uh NAH tee KOH vah")]).apply("Brennan")[0]
    assert synth.phoneme_ids(respelled) != synth.phoneme_ids("Brennan")
    dialog.accept()


def test_words_to_check_listen_and_add_then_resume_counts_the_changed_chunks(qtbot, window, tmp_path):
    open_demo(qtbot, window, tmp_path)
    with qtbot.waitSignal(window.worker.finished, timeout=300000):
        window.start()
    qtbot.waitUntil(lambda: not window.rendering and window.summary_box is not None, timeout=10000)
    window.summary_box.close()
    window.find_words()
    dialog = window.words_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=30000)
    row = [w.word for w in dialog.words].index("Brennan")
    dialog.table.selectRow(row)
    before = heard(qtbot, window, dialog.listen_button.click)
    in_context = heard(qtbot, window, dialog.context_button.click)
    assert in_context.size > 2 * before.size  # the whole example sentence
    dialog.add_pronunciation()
    dialog.editor.say.setText("BRENN uh NAH tee KOH vah")
    dialog.editor.accept()
    assert "Brennan" not in [w.word for w in dialog.words]
    assert Lexicon(read_entries(book_lexicon_path(DEMO, window.settings))).find("Brennan")
    with qtbot.waitSignal(window.worker.book_ready, timeout=30000):
        dialog.accept()  # the window re-counts the book's chunks (the entry changes their cache keys)
    qtbot.waitUntil(lambda: window.start_button.text().startswith("Resume ("), timeout=10000)
    assert 0 < window.book.cached < window.book.total  # only the chunks that say "Brennan" are to do


def read_entries(path):
    from backend.lexicon_store import read_lexicon

    return read_lexicon(path).entries


def damage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"entries": [{"word": "Ada", "say": "AY duh"},', encoding="utf-8")


def test_a_damaged_lexicon_at_start_asks_no_renders_nothing(qtbot, window, tmp_path, monkeypatch):
    open_demo(qtbot, window, tmp_path)
    damage(global_lexicon_path())
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No)
    with qtbot.waitSignal(window.worker.lexicon_damaged, timeout=60000):
        window.start()
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    title, text = asked[0][1], asked[0][2]
    (backup,) = global_lexicon_path().parent.glob("lexicon.json.bak-*")
    assert title == "Pronunciation lexicon damaged"
    assert str(global_lexicon_path()) in text and backup.name in text and text.rstrip().endswith("use them again.")
    assert "Render without it?" in text
    assert not window.rendering and window.progress_bar.format() == "Not rendered"
    assert window.start_button.isEnabled() and window.last_message is None  # no "Render failed" box as well
    assert not (tmp_path / "out").exists()
    chunks = book_lexicon_path(DEMO, window.settings).parent / "chunks"
    assert not chunks.exists() or not any(p.is_file() for p in chunks.rglob("*"))
    assert global_lexicon_path().read_text(encoding="utf-8").startswith('{"entries": [{"word": "Ada"')  # untouched


def test_a_damaged_lexicon_at_start_yes_renders_without_it(qtbot, window, tmp_path, monkeypatch):
    open_demo(qtbot, window, tmp_path)
    damage(global_lexicon_path())
    write_lexicon(book_lexicon_path(DEMO, window.settings), Lexicon([LexiconEntry("Brennan", "BRENN un")]))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.worker.finished, timeout=300000) as finished:
        window.start()
    assert len(asked) == 1 and finished.args[0].chapters == 2
    qtbot.waitUntil(lambda: not window.rendering, timeout=10000)
    log = window.log.plain_text()
    assert f"Rendering without {global_lexicon_path()}" in log
    assert "Pronunciations: 1 entry; 1 used in" in log  # the book's own lexicon still counts
    assert any((tmp_path / "out").glob("*.flac"))
