"""Screenshots of the real window for the README: idle, rendering, finished, the Advanced
Settings, Find words to check, Pronunciations and Book details dialogs, a dialogue voice,
New blend…, Review and Queue. Renders the demo book for real with the
bundled voice.

    xvfb-run -a -s "-screen 0 1280x900x24" .venv/bin/python docs/make_screenshots.py

(QT_QPA_PLATFORM=offscreen works too.) Settings and cache go to a temporary folder, so a
user's own settings are not touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DOCS = ROOT / "docs"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="screens-"))
    os.environ["AUDIOBOOK_CONFIG_DIR"] = str(work / "config")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache-home")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from backend.settings import RenderSettings

    _app = QApplication.instance() or QApplication(sys.argv)  # kept alive for the whole run
    window = MainWindow(RenderSettings(cache_dir=str(work / "cache"), max_chars=120))
    window.show()

    def wait_for(signal, timeout_ms: int) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()

    def pause(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shot(widget, name: str) -> None:
        pause(150)
        path = DOCS / name
        widget.grab().save(str(path))
        print("wrote", path)

    wait_for(window.worker.voice_ready, 60000)
    window.open_book(str(ROOT / "resources" / "demo_book.md"))
    wait_for(window.worker.book_ready, 30000)
    window.output_edit.setText(str(work / "out"))
    shot(window, "window-idle.png")

    batches = []
    window.worker.batch_done.connect(batches.append)
    window.start()
    while len(batches) < 3 and window.rendering:
        wait_for(window.worker.batch_done, 30000)
    shot(window, "window-rendering.png")
    if window.rendering:
        wait_for(window.worker.finished, 120000)
    pause(300)
    if getattr(window, "summary_box", None) is not None:
        shot(window.summary_box, "window-finished-summary.png")
        window.summary_box.close()
    shot(window, "window-finished.png")

    from app.dialogs.advanced_settings import AdvancedSettingsDialog

    dialog = AdvancedSettingsDialog(window.settings, book_loaded=True, parent=window)
    dialog.show()
    shot(dialog, "advanced-settings.png")
    dialog.close()

    window.find_words()
    words = window.words_dialog
    for _ in range(300):  # the scan runs in its own thread
        if words.table.rowCount():
            break
        pause(100)
    words.table.selectRow(0)
    shot(words, "words-to-check.png")
    words.accept()

    from backend.lexicon_store import book_lexicon_path, write_lexicon
    from backend.text.lexicon import Lexicon, LexiconEntry

    write_lexicon(book_lexicon_path(window.book.path, window.settings), Lexicon([
        LexiconEntry("Brennan", "BREN un"), LexiconEntry("Quay", "kiː", phonemes=True),
        LexiconEntry("Ada", "AY duh", case_sensitive=True)]))
    window.open_pronunciations()
    window.pronunciations_dialog.table.selectRow(0)
    shot(window.pronunciations_dialog, "pronunciations.png")
    window.pronunciations_dialog.accept()

    window.open_details()  # Book details, with a picked cover smaller than distributors want
    from tests.render.test_details import make_picture

    window.details_dialog.choose_picture(make_picture(work / "cover.jpg", 1600, 1600))
    window.details_dialog.narrator_edit.setText("Joe")
    shot(window.details_dialog, "book-details.png")
    window.details_dialog.reject()

    # A multi-speaker voice (built as the tests build it) reads the demo book's dialogue.
    from tests.tts.piper_voices import SMALL, export_voice

    multi = export_voice(SMALL, work)
    window.settings.voices.append(str(multi))
    window._fill_voices()
    window.dialogue_picker.voice_combo.setCurrentIndex(2)
    window.dialogue_picker.speaker_combo.setCurrentIndex(1)
    wait_for(window.worker.book_ready, 30000)
    shot(window, "window-dialogue.png")
    window.voice_combo.setCurrentIndex(1)  # narrate with it too: its speakers, and New blend…
    window.open_blend_editor()
    window.blend_editor.rows[0][1].setValue(3.0)
    window.blend_editor.name_edit.setText("Warm")
    shot(window.blend_editor, "blend-editor.png")
    window.blend_editor.reject()

    window.voice_combo.setCurrentIndex(0)  # the bundled voice again, with the listening check
    window.dialogue_picker.voice_combo.setCurrentIndex(0)
    wait_for(window.worker.book_ready, 30000)
    window.settings.check = "flag"
    window.start()
    wait_for(window.worker.finished, 180000)
    window.open_review()
    wait_for(window.worker.review_ready, 60000)
    review = window.review_dialog
    review.tree.setCurrentItem(review.tree.topLevelItem(1).child(1))
    shot(review, "review.png")
    review.close()

    os.environ["AUDIOBOOK_QUEUE_DIR"] = str(work / "queue")  # the user's own queue is not touched
    from backend.library.queue import add_books, load_queue, save_queue

    add_books([ROOT / "resources" / "demo_book.md", ROOT.parent / "shared" / "bench" / "lighthouse.md"], window.settings)
    entries = load_queue()
    entries[0].status, entries[0].message, entries[0].done, entries[0].total = "done", "13 chunks, 41.0x real time", 13, 13
    save_queue(entries)
    window.open_queue()
    window.queue_window.list.setCurrentRow(1)
    shot(window.queue_window, "queue.png")
    window.queue_window.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
