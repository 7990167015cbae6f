"""The main window's Queue (app/dialogs/queue_window.py): opened from the button beside Advanced…;
its Run renders the queue in the worker (backend/library/runner.py), with the same log, progress
and VRAM gauge as a single book; Stop stops after the current batch."""

from __future__ import annotations


class QueueActions:
    queue_window = None

    def open_queue(self) -> None:
        from app.dialogs.queue_window import QueueWindow
        from app.window_reactions import BOOK_SUFFIXES

        if self.queue_window is None:
            window = QueueWindow(self._settings_copy, BOOK_SUFFIXES, parent=self)
            window.run_requested.connect(self.run_queue)
            window.stop_requested.connect(self.stop)
            window.finished.connect(lambda _: setattr(self, "queue_window", None))
            window.set_running(self.rendering)
            self.queue_window = window
        self.queue_window.show()
        self.queue_window.raise_()

    def run_queue(self) -> None:
        if self.rendering:
            return
        self.worker.prepare_render()  # the token Stop sets, even before the first book starts
        self.log.append_line("info", "Rendering the queue…")
        self._want_queue.emit()

    def _queue_done(self, done: int, failed: int, stopped: bool) -> None:
        self.log.append_line("warning" if failed or stopped else "info",
                             f"Queue: {done} done, {failed} failed{', stopped (Run resumes it)' if stopped else ''}.")
        if self.queue_window is not None:
            self.queue_window.refresh()
