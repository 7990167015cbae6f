"""Screenshot of the Voice catalog dialog for the README (docs/voice-catalog.png): the dialog over
a local HTTP server serving the test fixture's index (tests/voices/test_catalog.py), so no network
is needed and no user folder is touched.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_catalog_screenshot.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="catalog-screen-"))
    os.environ["XDG_DATA_HOME"] = str(work / "data")
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.dialogs.voice_catalog import VoiceCatalogDialog
    from backend.tts.voice import default_voice_path
    from tests.voices.test_catalog import JOE, Server, _entry

    _app = QApplication.instance() or QApplication(sys.argv)  # kept alive for the whole run
    root, joe = work / "www", default_voice_path()
    index = {JOE: _entry(root, JOE, joe.read_bytes(), Path(str(joe) + ".json").read_bytes()),
             "en_GB-small-low": _entry(root, "en_GB-small-low", b"x" * 300_000, b'{"audio": {}}', speakers=4),
             "de_DE-klein-x_low": _entry(root, "de_DE-klein-x_low", b"y" * 1000, b"{}")}
    (root / "piper-voices" / "voices.json").write_text(json.dumps(index))
    server = Server(root)
    dialog = VoiceCatalogDialog(server.url)
    dialog.show()
    loop = QEventLoop()
    dialog.worker.fetched.connect(loop.quit)
    QTimer.singleShot(10000, loop.quit)
    loop.exec()
    dialog.select_voice(JOE)
    QTimer.singleShot(300, loop.quit)
    loop.exec()
    path = ROOT / "docs" / "voice-catalog.png"
    dialog.grab().save(str(path))
    print("wrote", path)
    dialog.reject()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
