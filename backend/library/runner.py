"""Running the render queue: each book in order with its own settings, through the same engine as
`render`. The queue file is updated as it goes (status, chunks done), so the window and
`audiobook queue list` see it; a stop marks the book stopped and the next run resumes it."""

from __future__ import annotations

from dataclasses import replace

from backend.library.queue import TO_RUN, QueueLock, load_queue, save_queue
from backend.render.events import Progress, RenderEvents, RenderFailed, RenderStopped


class _Tracking(RenderEvents):
    """Passes every event on, and writes the entry's progress to the queue file now and then."""

    def __init__(self, inner: RenderEvents, entry_id: str):
        self.inner, self.entry_id, self.last = inner, entry_id, 0

    def log(self, level, message):
        self.inner.log(level, message)

    def batch_done(self, report):
        self.inner.batch_done(report)

    def progress(self, p: Progress):
        self.inner.progress(p)
        if p.stage == "render" and (p.done - self.last >= 8 or p.done == p.total):
            self.last = p.done
            _update(self.entry_id, done=p.done, total=p.total)

    def finished(self, summary):
        self.inner.finished(summary)

    def failed(self, message):
        self.inner.failed(message)


def _update(entry_id: str, **changes) -> None:
    """Change one entry in the queue file as it is now (the window may have reordered it meanwhile)."""
    entries = load_queue()
    save_queue([replace(e, **changes) if e.id == entry_id else e for e in entries])


def run_queue(events: RenderEvents, cancel, make_engine=None) -> tuple[int, int, bool]:
    """Render every waiting (or stopped) book; returns (done, failed, stopped). Raises QueueError when
    another process runs the queue. `make_engine(job, events, cancel)`: the engine (tests, the window)."""
    from backend.render.engine import AudioEngine, RenderJob

    make_engine = make_engine or AudioEngine
    done = failed = 0
    with QueueLock():
        while not cancel.cancelled:
            entry = next((e for e in load_queue() if e.status in TO_RUN), None)  # read afresh: it may have changed
            if entry is None:
                break
            try:
                settings = entry.render_settings()
            except (TypeError, ValueError) as exc:
                _update(entry.id, status="failed", message=f"its settings cannot be used ({exc})")
                failed += 1
                continue
            _update(entry.id, status="rendering", message="")
            events.log("info", f"Queue: {entry.name} ({_position(entry.id)})")
            try:
                summary = make_engine(RenderJob(entry.book_path, entry.output_dir(), settings), _Tracking(events, entry.id),
                                      cancel).run()
            except RenderStopped:
                _update(entry.id, status="stopped", message="stopped; run the queue again to resume")
                return done, failed, True
            except RenderFailed as exc:
                _update(entry.id, status="failed", message=str(exc))
                failed += 1
                continue
            except Exception as exc:  # noqa: BLE001 (one book's surprise must not end the queue)
                _update(entry.id, status="failed", message=f"{type(exc).__name__}: {exc}")
                events.log("error", f"Queue: {entry.name} failed: {exc}")
                failed += 1
                continue
            _update(entry.id, status="done", message=f"{summary.chunks} chunks, {summary.realtime_factor:.1f}x real time",
                    done=summary.chunks, total=summary.chunks)
            done += 1
    return done, failed, cancel.cancelled


def _position(entry_id: str) -> str:
    entries = load_queue()
    index = next(i for i, e in enumerate(entries) if e.id == entry_id)
    return f"book {index + 1} of {len(entries)}"
