"""The Review view (offscreen, real worker, real renders of the demo book with the listening
check): rows with scores, the flagged filter, playing a chunk and a chapter from a chunk on, and
fixing one chunk (edit, undo) so that only it renders and only its chapter file is made again."""

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog

from app.main_window import MainWindow
from app.player import AudioPlayer, qt_multimedia_error
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo_book.md"


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cpu", master="off",
                                    outputs=["srt"], check="flag"), [], lambda s: None)
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def rendered(qtbot, window, tmp_path):
    window.book = None
    window.open_book(str(DEMO))
    qtbot.waitUntil(lambda: window.book is not None, timeout=30000)
    window.output_edit.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(window.worker.finished, timeout=180000) as done:
        window.start()
    return done.args[0]


def open_review(qtbot, window):
    with qtbot.waitSignal(window.worker.review_ready, timeout=60000):
        window.open_review()
    return window.review_dialog


def chunk_items(dialog):
    tree = dialog.tree
    return [tree.topLevelItem(i).child(j) for i in range(tree.topLevelItemCount()) for j in range(tree.topLevelItem(i).childCount())]


def test_review_lists_plays_and_fixes_one_chunk(qtbot, window, tmp_path, monkeypatch):
    summary = rendered(qtbot, window, tmp_path)
    dialog = open_review(qtbot, window)
    items = chunk_items(dialog)
    assert len(items) == summary.chunks and dialog.tree.topLevelItemCount() == 2
    assert all(item.text(3) in ("checked", "flagged") for item in items) and items[1].text(4)
    assert dialog.summary.text().startswith(f"{summary.chunks} chunks · ")
    dialog.flagged_only.setChecked(True)
    assert len(chunk_items(dialog)) == sum(r.flagged for r in dialog.rows)
    dialog.flagged_only.setChecked(False)

    # Play a chunk, then chapter 2's file from its second chunk on.
    dialog.tree.setCurrentItem(chunk_items(dialog)[1])
    if not dialog.player.problem:
        dialog.play_chunk()
        qtbot.waitUntil(lambda: dialog.player.state == "playing", timeout=10000)
        qtbot.waitUntil(lambda: dialog.player.position() > 0.2, timeout=10000)
        row = next(r for r in dialog.rows if r.chapter == 1 and r.position == 1)
        assert row.heard_at is not None and row.heard_at[0].name.startswith("02 - ")
        assert dialog.select_number(row.number)
        dialog.play_chapter()
        qtbot.waitUntil(lambda: dialog.player.position() >= row.heard_at[1], timeout=10000)
        dialog.player.toggle()
        qtbot.waitUntil(lambda: dialog.player.state == "paused", timeout=10000)
        dialog.player.stop()

    # Edit the text of chapter 2's second chunk: only it renders, only chapter 2's file is made again.
    row = next(r for r in dialog.rows if r.chapter == 1 and r.position == 1)
    dialog.select_number(row.number)
    first = tmp_path / "out" / "01 - Chapter 1 The Shop on Quay Street.flac"
    stamp = first.stat().st_mtime_ns
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: (row.text.replace("third", "fourth"), True))
    with qtbot.waitSignal(window.worker.finished, timeout=180000) as done:
        dialog.edit_text()
    assert done.args[0].rendered == 1
    qtbot.waitUntil(lambda: any(r.fix is not None for r in dialog.rows), timeout=60000)
    assert "Kept 1 of 2 chapter files" in window.log.plain_text() and first.stat().st_mtime_ns == stamp
    fixed = next(r for r in dialog.rows if r.fix is not None)
    assert "fourth" in fixed.fix.text and "1 fixed" in dialog.summary.text()
    assert dialog.select_number(fixed.number) and dialog.undo_button.isEnabled()
    with qtbot.waitSignal(window.worker.finished, timeout=180000) as done:
        dialog.undo()
    assert done.args[0].rendered == 0  # the previous take was still cached
    qtbot.waitUntil(lambda: not any(r.fix is not None for r in dialog.rows), timeout=60000)


def test_without_any_way_to_play_the_player_says_what_to_install(monkeypatch, qtbot):
    monkeypatch.setenv("PATH", "/nonexistent")
    player = AudioPlayer(backend="system")
    assert player.kind == "none" and "libpulse0" in player.problem
    assert player.play(DEMO, 0.0) is False


@pytest.mark.skipif(not shutil.which("ffplay"), reason="FFmpeg's ffplay (Debian: ffmpeg) is not installed")
def test_a_system_player_plays_when_qt_multimedia_cannot(monkeypatch, qtbot, tmp_path):
    import numpy as np
    import soundfile as sf

    # The real ffplay, alone on PATH, with SDL's dummy audio driver (no sound card here): it plays
    # in real time and exits at the end, as it does on a desktop.
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "ffplay").symlink_to(shutil.which("ffplay"))
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    tone = tmp_path / "tone.flac"
    sf.write(tone, np.zeros(int(22050 * 2.5), np.float32), 22050)
    player = AudioPlayer(backend="system")
    assert player.kind == "ffplay" and player.play(tone, 1.0)
    assert player.state == "playing" and player.position() >= 1.0
    qtbot.wait(500)
    assert player.state == "playing" and player.position() >= 1.4  # still playing, from second 1 on
    player.pause()
    assert player.state == "paused" and 1.4 <= player.position() < 2.5
    player.resume()
    qtbot.waitUntil(lambda: player.state == "stopped", timeout=5000)  # played to the end


def test_qt_multimedia_loads_where_its_libraries_are_installed():
    assert qt_multimedia_error() is None  # .ci/run installs libpulse0
