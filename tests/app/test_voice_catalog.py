"""The Voice catalog dialog of the real window (offscreen) against a real HTTP server on 127.0.0.1
serving the fixture index of tests/voices/test_catalog.py: list, filter, download the bundled
voice's copy into the window's voices, browse offline from the kept copy, and refuse a bad file."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from app.main_window import MainWindow
from backend.settings import RenderSettings
from tests.app.conftest import close_window, shown_and_ready
from tests.voices.test_catalog import JOE, server  # noqa: F401

FIXTURE_KEYS = ["de_DE-klein-x_low", "en_GB-small-low", JOE]


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch, server):  # noqa: F811
    # Downloads and the kept index go to tmp folders, never the user's own.
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    saved = []
    settings = RenderSettings(cache_dir=str(tmp_path / "cache"), max_chars=120, device="cpu")
    settings.voice_index_url = server.url
    win = MainWindow(settings, [], saved.append)
    win.saved = saved
    yield shown_and_ready(qtbot, win)
    close_window(qtbot, win)


def open_catalog(qtbot, win):
    win.catalog_button.click()
    dialog = win.voice_catalog_dialog
    qtbot.waitUntil(lambda: dialog.catalog is not None or "rror" in dialog.status.text()
                    or "Could not" in dialog.status.text(), timeout=30000)
    return dialog


def shown_keys(dialog) -> list[str]:
    return [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]


def test_lists_and_filters_the_catalog(qtbot, window):
    assert window.catalog_button.text() == "Catalog…" and window.catalog_button.isEnabled()
    dialog = open_catalog(qtbot, window)
    assert dialog.windowTitle() == "Voice catalog" and dialog.isVisible()
    # No book open: the bundled voice's language (en_US) is preselected.
    assert dialog.language_combo.currentData() == "en_US"
    assert shown_keys(dialog) == [JOE]
    dialog.language_combo.setCurrentIndex(0)  # All languages
    assert shown_keys(dialog) == FIXTURE_KEYS
    assert "1 entry" in dialog.status.text()  # the fixture's broken entry is left out, and said
    row = FIXTURE_KEYS.index("en_GB-small-low")
    assert [dialog.table.item(row, c).text() for c in range(6)] == [
        "en_GB-small-low", "English (Great Britain)", "low", "4", "0.3 MB", ""]
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    assert shown_keys(dialog) == ["en_GB-small-low", JOE]
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("de"))
    assert shown_keys(dialog) == ["de_DE-klein-x_low"]
    dialog.language_combo.setCurrentIndex(0)
    dialog.quality_combo.setCurrentIndex(dialog.quality_combo.findData("low"))
    assert shown_keys(dialog) == ["en_GB-small-low"]
    assert [dialog.quality_combo.itemData(i) for i in range(dialog.quality_combo.count())] == [
        None, "x_low", "low", "medium"]
    dialog.reject()


def test_download_adds_the_voice_to_the_window(qtbot, window, tmp_path):
    dialog = open_catalog(qtbot, window)
    assert dialog.select_voice(JOE) and dialog.download_button.text() == "Download"
    values = []
    dialog.progress_bar.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.voice_installed, timeout=60000) as blocker:
        dialog.download_button.click()
        assert not dialog.download_button.isEnabled() and dialog.progress_bar.isVisible()
    model = Path(blocker.args[0])
    assert model == tmp_path / "data" / "audiobook-renderer" / "voices" / JOE / f"{JOE}.onnx"
    assert model.is_file() and values and max(values) == 1000 and any(0 < v < 1000 for v in values)
    assert window.settings.voices == [str(model)] and window.settings.voice == str(model)
    assert window.voice_combo.currentData() == str(model)
    assert window.saved and window.saved[-1].voice == str(model)
    assert dialog.table.item(shown_keys(dialog).index(JOE), 5).text() == "✓"
    assert "Installed" in dialog.status.text() and not dialog.progress_bar.isVisible()
    assert dialog.download_button.text() == "Use this voice"
    with qtbot.waitSignal(window.worker.voice_ready, timeout=60000):
        pass  # the window loaded the new voice
    dialog.reject()


def test_offline_shows_the_kept_copy(qtbot, window, server):  # noqa: F811
    open_catalog(qtbot, window).reject()  # keeps a copy of the index
    server.stop()
    dialog = open_catalog(qtbot, window)
    dialog.language_combo.setCurrentIndex(0)
    assert shown_keys(dialog) == FIXTURE_KEYS
    text = dialog.status.text()
    assert "Could not reach" in text and "Showing the copy fetched" in text and "Traceback" not in text
    assert dialog.select_voice(JOE) and not dialog.download_button.isEnabled()  # a download needs the index online
    dialog.reject()


def test_a_bad_checksum_or_a_404_installs_nothing(qtbot, window, server, tmp_path):  # noqa: F811
    dialog = open_catalog(qtbot, window)
    dialog.language_combo.setCurrentIndex(0)
    voice = dialog.catalog.find("de_DE-klein-x_low")
    served = server.root / "piper-voices" / voice.model.path
    served.write_bytes(b"z" * 1000)  # same size, other bytes: only the checksum can tell
    assert dialog.select_voice(voice.key)
    installed = []
    dialog.voice_installed.connect(installed.append)
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.downloading is None, timeout=30000)
    assert "checksum" in dialog.status.text() and "nothing was installed" in dialog.status.text()
    served.unlink()
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.downloading is None, timeout=30000)
    assert "404" in dialog.status.text() and "Traceback" not in dialog.status.text()
    assert not installed and window.settings.voices == []
    assert not (tmp_path / "data" / "audiobook-renderer" / "voices" / voice.key).exists()
    assert dialog.table.item(shown_keys(dialog).index(voice.key), 5).text() == ""
    dialog.reject()


def test_closing_during_a_download_stops_it(qtbot, window, tmp_path):
    dialog = open_catalog(qtbot, window)
    assert dialog.select_voice(JOE)
    started = threading.Event()

    def hold(*_):  # in the download's thread: wait until the dialog asks it to stop (a local server is fast)
        started.set()
        dialog.worker.stop.wait(10)

    dialog.worker.progress.connect(hold, Qt.ConnectionType.DirectConnection)
    dialog.download_button.click()
    assert started.wait(30)
    dialog.reject()  # stops at the next block; the partial file stays for resuming
    assert window.settings.voices == []
    voices = tmp_path / "data" / "audiobook-renderer" / "voices"
    assert not (voices / JOE).exists() and (voices / ".partial" / JOE).is_dir()
    assert any(f.stat().st_size for f in (voices / ".partial" / JOE).iterdir())


def test_the_open_books_language_is_preselected(qtbot, window):
    window.book = SimpleNamespace(language="de")  # only its language matters to the catalog
    try:
        dialog = open_catalog(qtbot, window)
        assert dialog.language_combo.currentData() == "de" and shown_keys(dialog) == ["de_DE-klein-x_low"]
        dialog.reject()
    finally:
        window.book = None
