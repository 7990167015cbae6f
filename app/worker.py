"""The engine's thread. Everything that touches torch (voice load, book inspection, preview,
render) runs here; the window only sees Qt signals made from engine events."""

from __future__ import annotations

import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot


@dataclass
class BookInfo:
    path: Path
    title: str  # as the audiobook will say it: the Book details edits over the book's own
    author: str | None
    cover: bytes | None
    chapters: list[tuple[str, int]]  # (title, characters)
    characters: int
    warnings: list[str]
    cached: int  # chunks already in the cache, of the selected chapters
    total: int  # chunks in the plan of the selected chapters
    language_warning: str | None = None  # the voice does not speak the book's language: what to do
    language: str | None = None  # the book's language (metadata, else its script), e.g. "en"; None: unknown
    matter: list[str] = field(default_factory=list)  # per chapter: body, front, back, toc, notes
    selected: list[int] = field(default_factory=list)  # 0-based; saved per book (selection.json)
    chapter_keys: list[frozenset] = field(default_factory=list)  # per chapter, its chunks' cache keys
    cached_keys: set = field(default_factory=set)
    job_dir: Path | None = None  # the book's folder in the cache (selection, details, lexicon, chunks)
    dialogue: object | None = None  # the book's saved DialogueChoice (None: off)
    edits: object | None = None  # backend.render.details.DetailEdits saved for the book
    own: dict = field(default_factory=dict)  # the book's own title, author, year, genre, description, cover
    narrator_default: str = ""  # the narrator when none is typed: the setting, else the voice's name
    notes: list[str] = field(default_factory=list)  # a saved selection or details file that could not be used

    def recount(self) -> None:
        """cached/total for the selected chapters (after the selection changed)."""
        from backend.render.selection import selection_progress

        self.cached, self.total = selection_progress(self.chapter_keys, self.cached_keys, self.selected)

    def mark_rendered(self) -> None:
        """A render of the selected chapters finished: all their chunks are cached."""
        for index in self.selected:
            self.cached_keys |= self.chapter_keys[index]
        self.recount()


class _Events:
    """RenderEvents that forward to the worker's signals (emitted from the worker thread;
    Qt queues them to the window's thread)."""

    def __init__(self, worker: "EngineWorker"):
        self.w = worker

    def log(self, level, message):
        self.w.log.emit(level, message)

    def batch_done(self, report):
        self.w.batch_done.emit(report)

    def progress(self, progress):
        self.w.progress.emit(progress)

    def finished(self, summary):
        pass  # emitted by render() after run() returns

    def failed(self, message):
        pass  # emitted by render() with the exception's message


class EngineWorker(QObject):
    log = Signal(str, str)  # level, text
    batch_done = Signal(object)  # BatchReport
    progress = Signal(object)  # Progress
    finished = Signal(object)  # RenderSummary
    stopped = Signal()
    failed = Signal(str)
    busy_changed = Signal(bool)
    voice_ready = Signal(str, str)  # voice name, device
    voice_failed = Signal(str)
    book_ready = Signal(object)  # BookInfo
    book_failed = Signal(str)
    preview_ready = Signal(str)  # path of a WAV
    review_ready = Signal(object, object)  # the Review view's rows, the stale chunk fixes
    queue_done = Signal(int, int, bool)  # books done, failed, stopped
    # A pronunciation lexicon cannot be read (LexiconFileError), and the render's book, folder,
    # settings and the files already left out: the window asks whether to render without it.
    lexicon_damaged = Signal(object, str, str, object, object)

    def __init__(self):
        super().__init__()
        self._synth = None
        self._synth_key = None
        self._cancel = None
        self._next_cancel = None  # set by prepare_render() from the GUI thread
        self._next_chapters = None

    # -- called from the GUI thread --------------------------------------------------------
    def request_stop(self) -> None:
        """Thread-safe: the engine checks the token between batches and, while it reads, plans or
        phonemizes, every few paragraphs. A render asked for but not begun yet (the thread is still
        busy opening a book) is stopped too."""
        for token in (self._cancel, self._next_cancel):
            if token is not None:
                token.cancel()

    def prepare_render(self, chapters=None) -> None:
        """Called from the GUI thread just before it asks for a render: the token Stop will set,
        and the chapters to render (0-based; None: the book's saved selection)."""
        from backend.render.events import CancelToken

        self._next_cancel = CancelToken()
        self._next_chapters = tuple(chapters) if chapters is not None else None

    # -- slots (run in the worker thread) ----------------------------------------------------
    def _synthesizer(self, settings):
        from backend.render.cpu_mode_step import resolve_settings
        from backend.tts.synth import Synthesizer
        from backend.tts.voice import load_voice

        device = settings.resolved_device()
        # 'auto' precision and CPU streams: measured once per machine (logged), as the engine does.
        settings, line = resolve_settings(settings, device, lambda: load_voice(settings.voice),
                                          lambda message: self.log.emit("info", message))
        if line:
            self.log.emit("info", line)
        key = (settings.voice, device, settings.precision, settings.noise_scale, settings.noise_w)
        if self._synth is None or self._synth_key != key:
            self._synth = None  # free the old model before loading the next
            self._synth = Synthesizer.load(settings.voice, device=device, dtype=settings.precision,
                                           noise_scale=settings.noise_scale, noise_w=settings.noise_w,
                                           cpu_streams=settings.cpu_streams)
            self._synth_key = key
        else:
            self._synth.set_cpu_streams(settings.cpu_streams)
        return self._synth

    @Slot(object)
    def load_voice(self, settings) -> None:
        try:
            t0 = time.perf_counter()
            synth = self._synthesizer(settings)
            self.log.emit("info", f"Voice {synth.voice.name} ready on {synth.device} "
                                  f"({time.perf_counter() - t0:.1f}s including PyTorch start-up)")
            self.voice_ready.emit(synth.voice.name, str(synth.device))
        except Exception as exc:  # shown to the user; the app stays usable
            self.voice_failed.emit(_message(exc))

    @Slot(str, object)
    def inspect_book(self, path: str, settings) -> None:
        try:
            self.book_ready.emit(self._inspect(Path(path), settings))
        except Exception as exc:
            self.book_failed.emit(_message(exc))

    def _inspect(self, path: Path, settings) -> BookInfo:
        from backend.render.credits import narrator_name
        from backend.render.details import apply_details, read_details
        from backend.render.inspect import inspect_chapters
        from backend.render.jobs import book_job_dir
        from backend.render.selection import resolve_selection
        from backend.text import load_book
        from backend.text.language import book_language, check_language
        from backend.tts.voice import load_voice

        book = load_book(path, footnotes=settings.footnotes)
        job_dir = book_job_dir(path, settings)
        edits, notes = read_details(job_dir)
        own = {k: getattr(book, k) for k in ("title", "author", "year", "genre", "description", "cover", "cover_mime")}
        try:
            shown = apply_details(book, edits)
        except ValueError as exc:  # the chosen cover cannot be read any more: show the book's, say why
            shown, notes = book, f"{exc}; the book's own cover is shown."
        voice = self._synth.voice if self._synth is not None else load_voice(settings.voice)
        # The lexicon is part of the chunks' cache keys: without it "Resume (n of m)" would be wrong.
        chapters, cached_keys = inspect_chapters(book, voice, settings, self._book_lexicon(path, settings), job_dir)
        selection = resolve_selection(book, job_dir)
        from backend.voices.dialogue import read_choice

        dialogue, dialogue_warning = read_choice(job_dir)
        mismatch = check_language(book, voice, "press Start and choose to render it anyway")
        info = BookInfo(path, shown.title, shown.author, shown.cover, [(c.title, c.characters) for c in chapters],
                        sum(c.characters for c in chapters), list(book.warnings), 0, 0, mismatch,
                        matter=[c.matter for c in chapters], selected=list(selection.chapters),
                        chapter_keys=[c.keys for c in chapters], cached_keys=set(cached_keys), job_dir=job_dir,
                        edits=edits, own=own, narrator_default=narrator_name(settings.narrator, voice.name),
                        notes=[n for n in (notes, selection.warning, dialogue_warning) if n], language=book_language(book),
                        dialogue=dialogue)
        info.recount()
        return info

    def _book_lexicon(self, path: Path, settings):
        from backend.lexicon_store import LexiconFileError, load_lexicons

        try:
            return load_lexicons(path, settings)
        except LexiconFileError as exc:
            self.log.emit("warning", f"{exc} Start will ask whether to render without it.")
            return load_lexicons(path, settings, skip_damaged=True)

    @Slot(str, object, object)
    def listen(self, text: str, settings, lexicon) -> None:
        """Like preview, but the text is said as in a book: normalized, then `lexicon`'s
        pronunciations marked for the phonemizer (Pronunciations and Find words to check)."""
        try:
            from backend.text.normalize import normalize_text
            from backend.text.spoken import spoken_text

            text = spoken_text(normalize_text(text), lexicon).text
        except Exception as exc:
            self.voice_failed.emit(_message(exc))
            return
        self.preview(text, settings)

    @Slot(str, object, object)
    def preview(self, text: str, settings, dialogue=None) -> None:
        """Say `text` and play it; with a dialogue voice (a DialogueChoice), its paragraphs are read
        as in the book: quoted speech in the dialogue voice."""
        try:
            import soundfile as sf

            from backend.voices.blends import speaker_for

            synth = self._synthesizer(settings)
            if dialogue is None:
                audio = synth.synthesize(text, length_scale=settings.length_scale,
                                         speaker=speaker_for(synth.voice, settings))
            else:
                audio = self._dialogue_preview(synth, text, settings, dialogue)
            out = Path(tempfile.gettempdir()) / f"audiobook-preview-{synth.voice.name}.wav"
            sf.write(out, audio, synth.sample_rate, subtype="PCM_16")
            self.preview_ready.emit(str(out))
        except Exception as exc:
            self.voice_failed.emit(_message(exc))

    def _dialogue_preview(self, synth, text: str, settings, choice):
        import numpy as np

        from backend.text.chunker import chunk_chapter
        from backend.text.dialogue import quote_mark_for
        from backend.text.normalize import normalize_text
        from backend.tts.synth import Synthesizer
        from backend.voices.blends import speaker_for
        from backend.voices.dialogue import resolve_dialogue

        dialogue = resolve_dialogue(choice, synth.voice, settings)
        other = synth if dialogue.voice.file_hash == synth.voice.file_hash else Synthesizer(
            dialogue.voice, device=str(synth.device), noise_scale=settings.noise_scale, noise_w=settings.noise_w)
        paragraphs = [normalize_text(p) for p in text.split("\n\n")]
        pieces = []
        for chunk in chunk_chapter(paragraphs, quote_mark=quote_mark_for(text.split("\n\n"))):
            reader, who = (other, dialogue.settings) if chunk.dialogue else (synth, settings)
            pieces.append(reader.synthesize(chunk.text, length_scale=settings.length_scale,
                                            speaker=speaker_for(reader.voice, who)))
            pieces.append(np.zeros(int(0.3 * synth.sample_rate), np.float32))
        return np.concatenate(pieces)

    @Slot(str, object, str)
    def review(self, book_path: str, settings, output_dir: str) -> None:
        """The Review view's rows (backend/check/review.py plans the book: seconds for a big one)."""
        from backend.check.review import review_rows

        try:
            self.review_ready.emit(*review_rows(Path(book_path), settings, Path(output_dir)))
        except Exception as exc:  # shown; the window stays usable
            self.log.emit("warning", f"Review: {_message(exc)}")

    @Slot()
    def run_queue(self) -> None:
        """Render the queue's waiting books (backend/library/runner.py), the voice kept warm between them."""
        from backend.library.queue import QueueError
        from backend.library.runner import run_queue
        from backend.render.engine import AudioEngine
        from backend.render.events import CancelToken

        self._cancel, self._next_cancel = self._next_cancel or CancelToken(), None
        self.busy_changed.emit(True)
        result = (0, 0, False)
        try:
            result = run_queue(_Events(self), self._cancel, lambda job, events, cancel: AudioEngine(
                job, events, cancel, synthesizer=self._synthesizer(job.settings)))
        except QueueError as exc:
            self.log.emit("error", str(exc))
        except Exception as exc:  # shown; the window stays usable
            self.log.emit("error", traceback.format_exc().rstrip())
            self.failed.emit(_message(exc))
        finally:
            self._cancel = None
            self.busy_changed.emit(False)
            self.queue_done.emit(*result)

    @Slot(str, str, object)
    def render(self, book_path: str, output_dir: str, settings) -> None:
        self.render_skipping(book_path, output_dir, settings, ())

    @Slot(str, str, object, object)
    def render_skipping(self, book_path: str, output_dir: str, settings, skip) -> None:
        """Render; `skip`: damaged lexicon files the user agreed to render without."""
        from backend.lexicon_store import LexiconFileError, load_lexicons
        from backend.render.engine import AudioEngine, RenderJob
        from backend.render.events import CancelToken, RenderFailed, RenderStopped

        self._cancel, self._next_cancel = self._next_cancel or CancelToken(), None
        chapters, self._next_chapters = self._next_chapters, None
        self.busy_changed.emit(True)
        damaged = None
        try:
            if self._cancel.cancelled:  # Stop was pressed while the thread was still opening the book
                raise RenderStopped()
            synth = self._synthesizer(settings)
            lexicon = load_lexicons(Path(book_path), settings, skip=skip) if skip else None  # None: the engine loads all
            job = RenderJob(Path(book_path), Path(output_dir), settings, lexicon=lexicon, chapters=chapters,
                            chapters_from="window")
            engine = AudioEngine(job, _Events(self), self._cancel, synthesizer=synth)
            summary = engine.run()
            self.finished.emit(summary)
        except RenderStopped:
            self.stopped.emit()
        except (RenderFailed, LexiconFileError) as exc:
            cause = exc if isinstance(exc, LexiconFileError) else exc.__cause__
            if isinstance(cause, LexiconFileError):
                damaged = cause
                if cause is exc:  # read here, not by the engine, which logs its own failures
                    self.log.emit("error", str(exc))
            else:
                self.failed.emit(str(exc))
        except Exception as exc:  # an unexpected failure must still reach the user as a dialog
            from backend.gpu.oom import as_gpu_failure

            # A GPU failure (e.g. loading the voice onto the GPU) gets its message; others the traceback too.
            self.log.emit("error", _message(exc) if as_gpu_failure(exc) else traceback.format_exc().rstrip())
            self.failed.emit(_message(exc))
        finally:
            self._cancel = None
            self.busy_changed.emit(False)
        if damaged is not None:  # after busy_changed: the window is idle when it asks
            self.lexicon_damaged.emit(damaged, book_path, output_dir, settings, tuple(skip))


def _message(exc: Exception) -> str:
    from backend.gpu.oom import as_gpu_failure  # no torch import: it only reads the message

    failure = as_gpu_failure(exc)
    text = str(failure if failure is not None else exc).strip()
    return text if text else exc.__class__.__name__
