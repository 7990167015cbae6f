"""The Queue window (offscreen, real worker, real renders): add books (files, a folder, a drop),
reorder by dragging, edit a waiting book's settings, run the queue, a bad book failing alone."""

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.main_window import MainWindow
from backend.library.queue import load_queue
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AUDIOBOOK_QUEUE_DIR", str(tmp_path / "queue"))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cpu", master="off",
                                    outputs=[]), [], lambda s: None)
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def books(folder: Path):
    folder.mkdir()
    (folder / "a ferry.txt").write_text("The Ferry\n\nThe ferry left at noon.\n", encoding="utf-8")
    (folder / "b broken.txt").write_bytes(b"\x00\x01binary")
    (folder / "c pier.txt").write_text("The Pier\n\nNobody waved from the pier.\n", encoding="utf-8")
    (folder / "notes.xyz").write_text("not a book", encoding="utf-8")
    return folder


def test_queue_window_adds_reorders_and_runs(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    folder = books(tmp_path / "books")
    window.open_queue()
    queue = window.queue_window
    assert queue.list.count() == 0 and "empty" in queue.note.text() and not queue.run_button.isEnabled()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    queue.add_folder()  # the books in it, by name; not notes.xyz
    assert [e.name for e in load_queue()] == ["a ferry.txt", "b broken.txt", "c pier.txt"]
    assert queue.list.count() == 3 and queue.list.item(0).text() == "1. a ferry.txt — waiting"

    # A book dropped on the window is queued with the window's settings of the moment.
    window.settings.max_chars = 300
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder / "a ferry.txt"))])
    queue.dropEvent(QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                               Qt.KeyboardModifier.NoModifier))
    entries = load_queue()
    assert len(entries) == 4 and entries[3].settings["max_chars"] == 300 and entries[0].settings["max_chars"] == 120

    # Reorder by dragging: the list's move is saved to the queue file.
    queue.list.model().moveRow(queue.list.model().index(0, 0).parent(), 2, queue.list.model().index(0, 0).parent(), 0)
    assert [e.name for e in load_queue()][:3] == ["c pier.txt", "a ferry.txt", "b broken.txt"]
    queue.list.setCurrentRow(3)
    queue.remove()
    assert len(load_queue()) == 3

    # A waiting book's settings, edited in Advanced Settings.
    queue.list.setCurrentRow(0)
    queue.edit_settings()
    queue.settings_dialog.chunk_length_spin.setValue(250)
    queue.settings_dialog.accept()
    assert load_queue()[0].settings["max_chars"] == 250

    with qtbot.waitSignal(window.worker.queue_done, timeout=180000) as done:
        queue.run_button.click()
    assert done.args == [2, 1, False]
    states = [e.status for e in load_queue()]
    assert states == ["done", "done", "failed"] and "binary" in load_queue()[2].message
    qtbot.waitUntil(lambda: "failed" in queue.list.item(2).text(), timeout=5000)
    assert "Queue: 2 done, 1 failed." in window.log.plain_text()
    assert list((folder / "c pier audiobook").glob("*.flac"))
