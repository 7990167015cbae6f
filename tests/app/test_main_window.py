"""The real window (offscreen) driving real renders of the demo book with the bundled voice."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from app.main_window import MainWindow
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_book.md"


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    saved = []
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cpu"),
                     ["user_settings.json was corrupt; using defaults"], saved.append)
    win.saved = saved
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def open_demo(qtbot, win, tmp_path):
    win.book = None
    win.open_book(str(DEMO))
    qtbot.waitUntil(lambda: win.book is not None, timeout=30000)  # the window's slot has run
    win.output_edit.setText(str(tmp_path / "out"))


def test_app_modules_do_not_import_torch():
    code = ("import sys, app.main, app.main_window, app.dialogs.advanced_settings, app.dialogs.voice_catalog, backend.render.jobs, "
            "backend.settings_store, backend.tts.voice, app.dialogs.cpu_mode_row; "
            "app.dialogs.cpu_mode_row.load_calibration(app.dialogs.cpu_mode_row.calibration_file()); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_settings_warnings_reach_the_log_and_cpu_mode(window):
    assert "corrupt" in window.log.plain_text()
    assert window.gauge.level() == "cpu"
    assert "Ready" in window.statusBar().currentMessage()


def test_open_book_shows_its_details(qtbot, window, tmp_path):
    assert not window.start_button.isEnabled()
    open_demo(qtbot, window, tmp_path)
    panel = window.book_panel
    assert panel.title.text() == "The Clockmaker's Apprentice"
    assert panel.author.text() == "Audiobook Renderer Demo"
    assert panel.chapters.topLevelItemCount() == 2
    assert "2 chapters" in panel.totals.text() and "of audio" in panel.totals.text()
    assert window.start_button.isEnabled() and window.start_button.text() == "Start"


def test_render_stop_resume_finish(qtbot, window, tmp_path):
    open_demo(qtbot, window, tmp_path)
    ticks = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(1))
    timer.start()
    batches = []
    window.worker.batch_done.connect(batches.append)
    window.start()
    assert window.stop_button.isEnabled() and not window.start_button.isEnabled()
    qtbot.waitUntil(lambda: len(batches) >= 2, timeout=60000)
    with qtbot.waitSignal(window.worker.stopped, timeout=60000):
        window.stop()
    qtbot.waitUntil(lambda: window.start_button.text().startswith("Resume ("), timeout=30000)
    done, total = window.book.cached, window.book.total
    assert 2 <= done < total
    assert window.start_button.text() == f"Resume ({done} of {total} chunks done)"
    log = window.log.plain_text()
    assert re.search(r"Batch 1 \(\d+ chunks?\) done in", log) and "VRAM: n/a (CPU)" in log
    assert re.search(r"CPU mode: \d streams? × \d threads? \(measured\)", log)  # the session's pinned measurement
    assert window.progress_bar.value() == done

    with qtbot.waitSignal(window.worker.finished, timeout=120000) as finished:
        window.start()
    timer.stop()
    summary = finished.args[0]
    assert summary.reused == done and summary.rendered == total - done
    qtbot.waitUntil(lambda: window.summary_box is not None and not window.rendering, timeout=10000)
    assert "Audiobook ready" in window.summary_box.windowTitle() and "2 chapters" in window.summary_box.text()
    # The audio report: its verdict in the text, its table under it (one row per audio file).
    assert "Audio check against Audiobook (ACX): All 3 files meet" in window.summary_box.text()
    assert window.quality_table.rowCount() == 3 and window.quality_table.failing_cells() == 0
    assert (tmp_path / "out" / "The Clockmaker's Apprentice.m4b").exists()
    assert window.progress_bar.format() == "Finished" and window.start_button.text() == "Start"
    # the GUI thread kept running its event loop while the engine worked
    assert len(ticks) > 20


def test_bad_book_shows_a_dialog_and_the_app_stays_usable(qtbot, window, tmp_path):
    bad = tmp_path / "broken.epub"
    bad.write_bytes(b"not a zip at all")
    window.open_book(str(bad))
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=30000)
    assert "broken.epub" in window.last_message.text() and "broken.epub" in window.log.plain_text()
    window.last_message.close()
    open_demo(qtbot, window, tmp_path)
    assert window.start_button.isEnabled()


def test_closing_during_a_render_asks_then_stops_cleanly(qtbot, window, tmp_path, monkeypatch):
    open_demo(qtbot, window, tmp_path)
    batches = []
    window.worker.batch_done.connect(batches.append)
    window.start()
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=60000)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    window.close()
    assert asked and window.isVisible()  # still open until the batch in flight is done
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60000)
    assert not window.rendering


def test_corrupt_settings_file_starts_with_defaults_and_says_so(qtbot, tmp_path, monkeypatch):
    from backend.settings_store import load_settings, save_settings, settings_path

    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "cfg"))
    settings_path().parent.mkdir(parents=True)
    settings_path().write_text('{"batch_size": "ten", "sentence_pause": 0.5', encoding="utf-8")
    loaded = load_settings()
    win = MainWindow(loaded.settings, loaded.warnings, save_settings)
    qtbot.addWidget(win)
    try:
        assert "corrupt" in win.log.plain_text() and "bak" in win.log.plain_text()
        assert win.settings.batch_size == 1 and list(settings_path().parent.glob("*.bak-*"))
        win.format_combo.setCurrentText("wav")  # a change is saved, and the saved file loads clean
        again = load_settings()
        assert again.settings.chapter_format == "wav" and not again.warnings
    finally:
        win.thread.quit()
        win.thread.wait(10000)


def test_drop_a_book_on_the_window(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DEMO))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: window.book is not None, timeout=30000)
    assert window.book.path == DEMO


def test_preview_renders_a_sentence(qtbot, window):
    with qtbot.waitSignal(window.worker.preview_ready, timeout=60000) as ready:
        window.preview()
    wav = Path(ready.args[0])
    import soundfile as sf

    audio, rate = sf.read(wav)
    assert rate == 22050 and len(audio) / rate > 1.5
    qtbot.waitUntil(lambda: window.preview_button.isEnabled(), timeout=10000)
    log = window.log.plain_text()
    assert "Playing the preview" in log or "Preview saved to" in log  # played, or said why not


def test_add_a_voice(qtbot, window, tmp_path, monkeypatch):
    import os

    from PySide6.QtWidgets import QFileDialog

    from backend.tts.voice import default_voice_path

    src = default_voice_path()
    dst = tmp_path / "second-voice.onnx"
    os.symlink(src, dst)
    dst.with_name(dst.name + ".json").write_bytes(src.with_name(src.name + ".json").read_bytes())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(dst), ""))
    window.add_voice()
    assert window.voice_combo.count() == 2 and window.voice_combo.currentText() == "second-voice"
    assert window.settings.voices == [str(dst)] and window.settings.voice == str(dst)
    assert window.saved and window.saved[-1].voice == str(dst)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Ready"), timeout=60000)


def test_a_multi_speaker_voice_shows_its_speakers_and_previews_one(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from tests.tts.piper_voices import SMALL, export_voice

    assert not window.speaker_combo.isVisibleTo(window)  # the bundled voice has one speaker
    (tmp_path / "multi").mkdir()
    voice = export_voice(SMALL, tmp_path / "multi")  # a real Piper multi-speaker graph (alice, bob, carol)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(voice), ""))
    window.settings.blends = {"Warm": "alice:0.7,bob:0.3", "Elsewhere": "p239:1,ana:1"}  # the second: another voice's
    window.add_voice()
    combo = window.speaker_combo
    assert combo.isVisibleTo(window) and [combo.itemText(i) for i in range(combo.count())] == [
        "0: alice", "1: bob", "2: carol", "Blend: Warm"]
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Ready"), timeout=60000)
    combo.setCurrentIndex(3)
    assert window.settings.speaker == "Warm"
    with qtbot.waitSignal(window.worker.preview_ready, timeout=60000):
        window.preview()  # a blend previews like a speaker
    combo.setCurrentIndex(2)
    assert window.settings.speaker == "carol" and window.saved[-1].speaker == "carol"
    with qtbot.waitSignal(window.worker.preview_ready, timeout=60000) as ready:
        window.preview()
    assert Path(ready.args[0]).stat().st_size > 1000
    # Back to the bundled voice: no speakers to pick, and the setting no longer names one.
    window.voice_combo.setCurrentIndex(0)
    assert not combo.isVisibleTo(window) and window.settings.speaker is None
