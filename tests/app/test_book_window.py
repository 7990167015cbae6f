"""The chapter list's checkboxes and the Book details dialog in the real window (offscreen), with
real renders by the bundled voice: the selection is saved per book and sets the Start/Resume
counts; the details are saved per book and reach the files' tags."""

import json
import subprocess
import sys
from pathlib import Path

import mutagen
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.main_window import MainWindow
from app.widgets.book_panel import BookPanel
from app.worker import BookInfo
from backend.render.selection import selection_file
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready
from tests.render.test_details import make_picture
from tests.render.test_stop_early import big_book

ROOT = Path(__file__).resolve().parents[2]
FOUR = ("# Four\n\n## One\n\nThe boat left early.\n\n## Two\n\nThe light came on.\n\n"
        "## Three\n\nShe walked home.\n\n## Four\n\nThen she slept.\n")


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), device="cpu", outputs=[], master="off"))
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def open_book(qtbot, win, path: Path, out: Path):
    win.book = None
    win.open_book(str(path))
    qtbot.waitUntil(lambda: win.book is not None, timeout=60000)
    win.output_edit.setText(str(out))


@pytest.fixture()
def four(tmp_path):
    path = tmp_path / "four.md"
    path.write_text(FOUR, encoding="utf-8")
    return path


def checked(panel) -> list[bool]:
    return [panel.chapters.topLevelItem(i).checkState(0) == Qt.CheckState.Checked
            for i in range(panel.chapters.topLevelItemCount())]


def test_app_modules_of_this_feature_do_not_import_torch():
    code = ("import sys, app.window_book, app.dialogs.book_details, app.widgets.book_panel, backend.render.selection, "
            "backend.render.details; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_checkboxes_toggle_persist_and_set_the_counts(qtbot, window, tmp_path, four):
    panel = window.book_panel
    open_book(qtbot, window, four, tmp_path / "out")
    assert checked(panel) == [True] * 4 and panel.chapters.headerItem().text(2) == "Duration"
    assert panel.chapters.topLevelItem(0).text(2).endswith(" s")  # "0 min 02 s"
    everything = window.book.total
    assert "4 chapters ·" in panel.totals.text()
    panel.chapters.topLevelItem(1).setCheckState(0, Qt.CheckState.Unchecked)
    assert window.book.selected == [0, 2, 3] and 0 < window.book.total < everything
    assert "3 of 4 chapters" in panel.totals.text()
    saved = json.loads(selection_file(window.book.job_dir).read_text(encoding="utf-8"))
    assert saved["selected"] == [1, 3, 4]
    panel.select_none_button.click()
    assert window.book.total == 0 and checked(panel) == [False] * 4
    window.start()
    assert not window.rendering and "No chapters selected" in window.last_message.windowTitle()
    window.last_message.close()
    panel.select_all_button.click()
    assert window.book.total == everything and checked(panel) == [True] * 4
    for row in (1, 3):
        panel.chapters.topLevelItem(row).setCheckState(0, Qt.CheckState.Unchecked)
    open_book(qtbot, window, four, tmp_path / "out")  # opened again: the saved selection is back
    assert checked(panel) == [True, False, True, False]

    with qtbot.waitSignal(window.worker.finished, timeout=120000) as finished:
        window.start()
        assert not panel.select_all_button.isEnabled()  # no changes while rendering
        assert not panel.details_button.isEnabled()
    summary = finished.args[0]
    assert summary.chapters == 2
    assert "Chapters 1,3 of 4 (2 selected, as checked in the chapter list)" in window.log.plain_text()
    assert sorted(p.name for p in (tmp_path / "out").glob("*.flac")) == ["01 - One.flac", "02 - Three.flac"]
    qtbot.waitUntil(lambda: not window.rendering, timeout=10000)
    window.summary_box.close()
    assert panel.select_all_button.isEnabled() and window.start_button.text() == "Start"
    panel.select_all_button.click()  # the other two chapters are not rendered yet: Resume counts what is
    assert window.start_button.text() == f"Resume ({summary.chunks} of {everything} chunks done)"


def test_front_matter_starts_unchecked_and_dimmed(qtbot):
    panel = BookPanel()
    qtbot.addWidget(panel)
    info = BookInfo(Path("b.epub"), "B", None, None, [("Copyright", 40), ("One", 330), ("Notes", 66), ("Index", 20)],
                    456, [], 0, 0, matter=["front", "body", "notes", "back"], selected=[1, 2])
    panel.show_book(info)
    assert checked(panel) == [False, True, True, False]
    first = panel.chapters.topLevelItem(0)
    assert first.text(0) == "Copyright  (front matter)" and "left out unless you check it" in first.toolTip(0)
    assert "read unless you uncheck it" in panel.chapters.topLevelItem(2).toolTip(0)
    assert first.foreground(0).color() != panel.chapters.topLevelItem(1).foreground(0).color()
    assert "2 of 4 chapters · 396 characters" in panel.totals.text()
    changes = []
    panel.selection_changed.connect(changes.append)
    first.setCheckState(0, Qt.CheckState.Checked)
    assert changes == [[0, 1, 2]] and info.selected == [0, 1, 2]


def test_details_dialog_saves_shows_the_cover_size_and_reaches_the_tags(qtbot, window, tmp_path, four):
    panel = window.book_panel
    open_book(qtbot, window, four, tmp_path / "out")
    panel.details_button.click()
    dialog = window.details_dialog
    assert dialog.isVisible() and dialog.title_edit.text() == "Four"
    assert dialog.narrator_edit.placeholderText() == "Joe (the voice's name)"
    assert dialog.cover_label.text() == "No cover" and "no cover" in dialog.cover_warning.text()

    small = make_picture(tmp_path / "small.png", 600, 400)
    assert dialog.choose_picture(small)
    assert dialog.cover_size.text() == "600 × 400 px (new)"
    assert dialog.cover_warning.isVisible() and "at least 2400 × 2400" in dialog.cover_warning.text()
    big = make_picture(tmp_path / "big.jpg", 2400, 2400)
    assert dialog.choose_picture(big)
    assert dialog.cover_size.text() == "2400 × 2400 px (new)" and not dialog.cover_warning.isVisible()
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    assert not dialog.choose_picture(text)
    assert "not a JPEG or PNG" in dialog.error and dialog.cover_size.text().startswith("2400 × 2400")
    dialog.findChild(QMessageBox).close()

    dialog.title_edit.setText("New Title")
    dialog.narrator_edit.setText("Anna Reader")
    dialog.year_edit.setText("20x4")
    dialog.accept()
    assert dialog.isVisible() and "four digits" in dialog.error  # refused: the dialog keeps what was typed
    dialog.findChild(QMessageBox).close()
    dialog.year_edit.setText("2020")
    dialog.accept()
    assert not dialog.isVisible()
    saved = json.loads((window.book.job_dir / "details.json").read_text(encoding="utf-8"))
    assert (saved["title"], saved["narrator"], saved["year"], saved["cover"]) == ("New Title", "Anna Reader", "2020",
                                                                                  "cover.jpg")
    assert saved["author"] is None  # left as the book has it (it has none)
    assert panel.title.text() == "New Title" and not panel.cover.pixmap().isNull()

    panel.details_button.click()  # opened again: what was saved
    again = window.details_dialog
    assert again.title_edit.text() == "New Title" and again.cover_size.text() == "2400 × 2400 px (chosen before)"
    again.reject()

    panel.select_none_button.click()
    panel.chapters.topLevelItem(0).setCheckState(0, Qt.CheckState.Checked)
    with qtbot.waitSignal(window.worker.finished, timeout=120000):
        window.start()
    tags = mutagen.File(tmp_path / "out" / "01 - One.flac")
    assert tags["ALBUM"] == ["New Title"] and tags["COMPOSER"] == ["Anna Reader"] and tags["DATE"] == ["2020"]
    assert tags["TRACKTOTAL"] == ["1"] and tags.pictures[0].data == big.read_bytes()
    qtbot.waitUntil(lambda: not window.rendering, timeout=10000)


def test_stop_before_the_worker_reached_the_render_renders_nothing(qtbot, window, tmp_path, four):
    """Start, then Stop, while the engine thread is still busy opening another (big) book."""
    open_book(qtbot, window, four, tmp_path / "out")
    big = big_book(tmp_path / "big.md", chapters=15)
    window._want_book.emit(str(big), window._settings_copy())  # keeps the worker busy for a few seconds
    batches = []
    window.worker.batch_done.connect(batches.append)
    with qtbot.waitSignal(window.worker.stopped, timeout=60000):
        window.start()
        window.stop()
    assert not batches and not (tmp_path / "out").exists()
    qtbot.waitUntil(lambda: not window.rendering, timeout=10000)
