"""The language check in the real window (offscreen): a Japanese book opened with the bundled English
voice shows a warning in the book panel and the Activity Log; Start asks whether to render anyway."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.main_window import MainWindow
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready
from tests.text.epub_factory import Doc, TocItem, write_epub


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    win = MainWindow(RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cpu", outputs=[]))
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def open_book(qtbot, win, path: Path, tmp_path) -> None:
    win.book = None
    win.open_book(str(path))
    qtbot.waitUntil(lambda: win.book is not None, timeout=30000)
    win.output_edit.setText(str(tmp_path / "out"))


def neko_epub(path: Path) -> Path:
    return write_epub(path, [Doc("c1.xhtml", "<h1>一</h1><p>ねこ。</p>")], [TocItem("一", "c1.xhtml")],
                      title="猫", author="夏目漱石", language="ja")


def answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or button)
    return asked


def test_mismatch_is_shown_and_start_asks(qtbot, window, tmp_path, monkeypatch):
    open_book(qtbot, window, neko_epub(tmp_path / "neko.epub"), tmp_path)
    warning = window.book_panel.language_warning
    expected = ("This book is in Japanese (its metadata says 'ja'), but the voice 'en_US-joe-medium' speaks English "
                "and would spell the text out letter by letter. Add a Japanese Piper voice, or press Start and "
                "choose to render it anyway.")
    assert not warning.isHidden() and warning.text() == f"⚠ {expected}"
    assert expected in window.log.plain_text()
    assert window.book.language == "ja"  # the Voice catalog preselects it

    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    renders = []
    window._want_render.connect(lambda book, out, settings: renders.append(settings))
    window.start()
    assert len(asked) == 1 and expected in asked[0][2] and not renders and not window.rendering
    assert "Not rendered: the voice does not speak the book's language." in window.log.plain_text()

    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.worker.finished, timeout=120000):
        window.start()
    assert len(asked) == 1 and renders[-1].any_language is True
    assert "Rendering it anyway, as asked." in window.log.plain_text()
    assert len(list((tmp_path / "out").glob("*.flac"))) == 1
    assert window.settings.any_language is False  # the answer is for this book, not saved for every book


def test_a_book_in_the_voices_language_shows_no_warning(qtbot, window, tmp_path, monkeypatch):
    trip = tmp_path / "trip.md"
    trip.write_text("---\nlang: en\n---\n\n## Arrival\n\nWe landed in Tokyo. The sign said 東京へようこそ.\n",
                    encoding="utf-8")
    open_book(qtbot, window, trip, tmp_path)
    assert window.book.language_warning is None and window.book_panel.language_warning.isHidden()
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    with qtbot.waitSignal(window.worker.finished, timeout=120000):
        window.start()
    assert not asked  # nothing to ask: an English book with a Japanese phrase renders, the phrase skipped
    log = window.log.plain_text()
    assert log.count("cannot speak") == 1 and "cannot speak: 東京へようこそ" in log
