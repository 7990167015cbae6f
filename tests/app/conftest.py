"""Qt tests run offscreen: no X server or Wayland compositor on CI machines."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def shown_and_ready(qtbot, win):
    """Show a MainWindow and wait until its worker has loaded the voice."""
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.worker.voice_ready, timeout=60000):
        pass
    return win


def close_window(qtbot, win) -> None:
    """Stop a render still running and end the worker thread."""
    if win.rendering:
        win.worker.request_stop()
        qtbot.waitUntil(lambda: not win.rendering, timeout=60000)
    win.thread.quit()
    win.thread.wait(10000)
