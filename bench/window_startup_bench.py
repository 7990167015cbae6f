"""Time from process start to the main window painted, and whether torch was loaded by then.

    QT_QPA_PLATFORM=offscreen python bench/window_startup_bench.py     (or under xvfb-run)

Target: under 1.5 s; torch and the voice load afterwards in the worker thread.
"""

import os
import sys
import tempfile
import time

T0 = time.perf_counter()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("AUDIOBOOK_CONFIG_DIR", tempfile.mkdtemp(prefix="startup-"))


def main() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow
    from backend.settings_store import load_settings

    app = QApplication(sys.argv)
    loaded = load_settings()
    window = MainWindow(loaded.settings, loaded.warnings)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - T0
    torch_then = "torch" in sys.modules
    print(f"window shown after {shown:.2f} s (torch imported on the GUI thread by then: {torch_then})")
    ready = {}

    def check() -> None:  # polled on the GUI thread: the status bar says Ready once the voice is loaded
        if window.statusBar().currentMessage().startswith("Ready"):
            ready["t"] = time.perf_counter() - T0
            app.quit()

    poll = QTimer(interval=20, timeout=check)
    poll.start()
    QTimer.singleShot(60000, app.quit)
    app.exec()
    print(f"voice ready (torch + model loaded in the worker) after {ready.get('t', float('nan')):.2f} s")
    window.close()


if __name__ == "__main__":
    main()
