"""AudioEngine: book -> cached chunk audio -> chapter files and an M4B.

Plan the chunks, render the missing ones in length-sorted batches, store every chunk in the
content-addressed cache as soon as its batch is done, then assemble. A stopped or crashed render
resumes from the cache and, since seeds derive from the chunks, ends sample-identical to an
uninterrupted one. The host talks to it only through RenderEvents and a CancelToken.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from backend.render.chunk_cache import CacheWriteError, ChunkCache, read_manifest, write_manifest
from backend.render.events import (
    CancelToken,
    RenderEvents,
    RenderFailed,
    RenderStopped,
    RenderSummary,
)
from backend.render.jobs import book_job_dir
from backend.render.plan import PlannedChunk, RenderPlan, make_plan, safe_filename, synthesis_params
from backend.settings import RenderSettings
from backend.text.chunker import unspeakable_paragraphs
from backend.text.lexicon import Lexicon


@dataclass
class RenderJob:
    book_path: Path
    output_dir: Path
    settings: RenderSettings
    # The pronunciations to use; None: the global, added (`lexicon_files`) and book lexicons.
    lexicon: Lexicon | None = None
    lexicon_files: tuple[Path, ...] = ()
    # The chapters to render (0-based); None: the book's saved selection, else all but front and back matter.
    chapters: tuple[int, ...] | None = None
    chapters_from: str = "given"  # who chose them, for the log: "given" (a flag), "window" (the chapter list)
    # Book details for this run (title, author, narrator, cover file…) over those saved for the book.
    details: object | None = None  # backend.render.details.DetailEdits
    # Quoted speech in another voice or speaker (backend/voices/dialogue.py): with dialogue_given, this
    # run's choice (None: off), saved for the book; else the book's saved choice.
    dialogue: object | None = None  # backend.voices.dialogue.DialogueChoice
    dialogue_given: bool = False


class AudioEngine:
    def __init__(self, job: RenderJob, events: RenderEvents | None = None, cancel: CancelToken | None = None,
                 synthesizer=None, session_factory=None):
        """`synthesizer`: an already loaded Synthesizer to reuse (the window keeps one warm);
        the caller makes sure it matches the job's voice, device and precision.
        `session_factory(synth, settings, log)`: what runs around each batch (backend.gpu.session);
        tests pass one with a simulated GPU."""
        self.job = job
        self.events = events or RenderEvents()
        self.cancel = cancel or CancelToken()
        self.synth = synthesizer
        self.session = None
        self._stage = "the start"  # what the engine is doing, for the message should the GPU fail
        self.quality_report = None  # set by the report step (backend/render/mastering_step.py)
        self.check_results: dict[str, dict] = {}  # the speech check of each chunk (backend/render/check_step.py)
        self.transcriber = None  # its Whisper, when loaded before the warm-up (on a GPU)
        self.narrator: str | None = None  # the book's edited narrator, when there is one (else the setting)
        self.dialogue = None  # the book's DialogueVoice, when it has one
        self.dialogue_synth = None  # its Synthesizer, when it is another voice file than the narration's
        self.pool = None  # the workers rendering this book (backend/render/dispatch.py), None: this process
        self.title: str | None = None
        self.worker_files: list = []  # what the workers' sessions wrote (a VRAM CSV and graph per GPU)
        self._job_dir: Path | None = None
        if session_factory is None:
            from backend.gpu.session import open_session as session_factory
        self._session_factory = session_factory

    # -- helpers ---------------------------------------------------------------------------
    def _log(self, message: str, level: str = "info") -> None:
        self.events.log(level, message)

    def job_dir(self) -> Path:
        if self._job_dir is None:  # hashing a big book's bytes once is enough
            self._job_dir = book_job_dir(self.job.book_path, self.job.settings)
        return self._job_dir

    def check_stop(self) -> None:
        """Raise RenderStopped once Stop (or Ctrl-C) was asked for: called between batches and often
        while a book is read, planned or phonemized, so a stop takes effect within a second."""
        if self.cancel.cancelled:
            raise RenderStopped()

    # -- the whole render ------------------------------------------------------------------
    def run(self) -> RenderSummary:
        """Render the job. Raises RenderStopped on cancel, RenderFailed with a message otherwise."""
        from backend.audio.ffmpeg_tool import AudioToolError
        from backend.gpu.oom import as_gpu_failure
        from backend.render.accounting import AccountingError
        from backend.render.dispatch import WorkerFailure
        from backend.render.m4b import AudioFileError
        from backend.text import BookError
        from backend.tts.errors import VoiceError

        try:
            summary = self._run()
        except RenderStopped:
            self._log("Stopped. Everything rendered so far is cached; run the same render again to resume.",
                      "warning")
            raise
        except (BookError, VoiceError, CacheWriteError, AudioFileError, AudioToolError, AccountingError, ValueError,
                OSError, WorkerFailure) as exc:
            raise self._failed(exc) from exc
        except RuntimeError as exc:
            # CUDA can fail anywhere it is touched: voice loading, set-up, warm-up, the Auto
            # measurement, memory reads, a batch. Each becomes one clear message; the cache stays.
            failure = as_gpu_failure(exc, self._stage)
            if failure is None:
                raise
            raise self._failed(failure) from exc
        self.events.finished(summary)
        return summary

    def _concrete_settings(self, settings: RenderSettings) -> RenderSettings:
        """'auto' precision and CPU streams made concrete (measured on a CPU); the job keeps them,
        so the plan's cache keys and the manifest name what actually renders."""
        from backend.render.cpu_mode_step import resolve_settings, started_precision
        from backend.tts.voice import load_voice

        device = str(self.synth.device) if self.synth is not None else settings.resolved_device()
        started = started_precision(read_manifest(self.job_dir()).data)
        resolved, line = resolve_settings(settings, device, lambda: self.synth.voice if self.synth else load_voice(settings.voice),
                                          self._log, started)
        if line:
            self._log(line)
        self.job = replace(self.job, settings=resolved)
        return resolved

    def _failed(self, exc: BaseException) -> RenderFailed:
        message = str(exc)
        self._log(message, "error")
        self.events.failed(message)
        return RenderFailed(message)

    def _run(self) -> RenderSummary:
        from backend.text import load_book
        from backend.tts.synth import Synthesizer

        settings, started = self.job.settings, time.perf_counter()
        from backend.render.check_step import check_problem

        if problem := check_problem(settings):  # said before anything renders
            raise ValueError(problem)
        self.check_stop()
        book = load_book(self.job.book_path, footnotes=settings.footnotes)
        self.check_stop()
        for warning in book.warnings:
            self._log(warning, "warning")
        book, selection = self._prepare_book(book)
        self._stage = "voice loading"
        settings = self._concrete_settings(settings)
        from backend.render.dispatch import choose_pool, driver_device

        self.pool = choose_pool(settings, self._log)  # workers (GPUs, CPU shares, a Ray cluster) or None: here
        device, dtype = driver_device(self.pool, settings)
        if self.synth is None or _precision_of(self.synth) != dtype or (self.pool is not None and self.synth.device.type != "cpu"):
            self.synth = None  # free a preloaded model of another precision first
            self.synth = Synthesizer.load(settings.voice, device=device, dtype=dtype,
                                          noise_scale=settings.noise_scale, noise_w=settings.noise_w,
                                          cpu_streams=settings.cpu_streams)
        elif hasattr(self.synth, "set_cpu_streams"):
            self.synth.set_cpu_streams(settings.cpu_streams)
        device = str(self.synth.device)
        self._log(f"Voice {self.synth.voice.name} loaded on {device} in {self.synth.load_seconds:.2f}s")
        self.check_stop()
        self._check_language(book)
        lexicon = self.job.lexicon
        if lexicon is None:
            from backend.lexicon_store import load_lexicons

            lexicon = load_lexicons(self.job.book_path, settings, self.job.lexicon_files)
        from backend.render.dialogue_step import load_dialogue

        self.dialogue, self.dialogue_synth = load_dialogue(self, book, settings)  # checked and loaded, or None
        from backend.check.overrides import describe_fixes, fixes_for_render

        plan = make_plan(book, self.synth.voice, settings, lexicon, chapters=selection, check=self.check_stop,
                         dialogue=self.dialogue, overrides=fixes_for_render(self.job_dir(), self._log))
        for line, level in describe_fixes(plan):
            self._log(line, level)
        if not plan.chunks:
            which = "the selected chapters of " if len(selection) < len(book.chapters) else ""
            raise ValueError(f"{which}'{self.job.book_path.name}' ha{'ve' if which else 's'} no speakable text.")
        if plan.skipped:
            self._log(f"Skipped {len(plan.skipped)} passage{'s' if len(plan.skipped) != 1 else ''} in a script the "
                      f"voice {self.synth.voice.name} cannot speak: {', '.join(plan.skipped)}", "warning")
        silent = unspeakable_paragraphs(book, selection)
        if silent:
            self._log(f"Left out {len(silent)} paragraph{'s' if len(silent) != 1 else ''} of punctuation only "
                      f"(such as '{silent[0][:20]}'): nothing to say.")
        self._stage = "GPU set-up"
        if self.pool is None:
            self.session = self._session_factory(self._session_synth(), settings, self.events.log)
        else:  # the workers hold the sessions; this process plans, stores and assembles
            from backend.gpu.session import CpuSession

            self.session = CpuSession(self._session_synth(), 1, self.events.log)
        if self.pool is None:
            self._log(f"Batch size {self.session.batch_size}{' (auto)' if settings.batch_size == 'auto' else ''}")
        cache = ChunkCache(self.job_dir() / "chunks", self.synth.sample_rate)
        self._write_manifest(book, plan, len(lexicon))
        todo, reused = self._check_cache(cache, plan)
        self.check_stop()
        if todo:
            self._stage = "warm-up"
            from backend.render.check_step import prepare_check

            prepare_check(self)  # on a GPU: Whisper loads first, its memory is left out of the batches' cap
            if self.pool is None:
                self.session.start([pc.spoken for pc in todo])
        self._stage = "rendering"
        self.title = book.title
        self._render(cache, todo, len(plan.unique_keys), reused, started)
        self._stage = "speech check"
        from backend.render.check_step import run_check

        self.check_results = run_check(self, plan, cache)  # settings.check: off, flag or retry
        self._stage = "assembly"

        from backend.render.outputs import write_outputs

        outputs, audio_seconds = write_outputs(self, book, plan, cache)
        outputs += self.session.finish(self.job.output_dir, safe_filename(book.title or self.job.book_path.stem))
        outputs += self.worker_files
        summary = RenderSummary(
            title=book.title or self.job.book_path.stem, chapters=len(selection), chunks=len(plan.chunks),
            rendered=len(todo), reused=reused, characters=plan.characters, audio_seconds=audio_seconds,
            wall_seconds=time.perf_counter() - started, outputs=outputs, output_dir=self.job.output_dir,
            quality=self.quality_report,
        )
        self._log(
            f"Done: {summary.chapters} chapters, {summary.chunks} chunks ({summary.rendered} rendered, "
            f"{summary.reused} reused), {summary.characters:,} characters, {_hms(summary.audio_seconds)} of audio "
            f"in {_hms(summary.wall_seconds)} ({summary.realtime_factor:.1f}x real time)"
        )
        for path in outputs:
            self._log(f"Wrote {path}")
        return summary

    def _prepare_book(self, book):
        """The book with the user's details (saved for it, then this run's) and the chapters to render."""
        from backend.render.details import apply_details, read_details
        from backend.render.selection import describe, resolve_selection

        edits, warning = read_details(self.job_dir())
        if warning:
            self._log(warning, "warning")
        if self.job.details is not None:
            edits = edits.merged(self.job.details)
        book = apply_details(book, edits)  # a cover file that cannot be used stops here, with its name
        self.narrator = edits.narrator
        self._log(f"Book: {book.title or self.job.book_path.name}"
                  f"{' by ' + book.author if book.author else ''}, {len(book.chapters)} chapters")
        selection = resolve_selection(book, self.job_dir(), self.job.chapters, self.job.chapters_from)
        if selection.warning:
            self._log(selection.warning, "warning")
        if not selection.chapters:
            raise ValueError(f"No chapters of '{self.job.book_path.name}' are selected: select at least one "
                             "(the window's chapter list, or --chapters).")
        self._log(describe(selection, len(book.chapters)))
        return book, selection.chapters

    def _check_language(self, book) -> None:
        """A book in a language the voice does not speak would be spelled out letter by letter:
        refuse it, unless the user chose to render it anyway."""
        from backend.text.language import check_language, describe_mismatch

        if not self.job.settings.any_language:
            problem = check_language(book, self.synth.voice)
            if problem:
                raise ValueError(problem)
        elif problem := describe_mismatch(book, self.synth.voice):
            self._log(f"{problem} Rendering it anyway, as asked.", "warning")

    def _session_synth(self):
        """What the GPU session runs: the narration voice, or both voices behind one."""
        if self.dialogue_synth is None:
            return self.synth
        from backend.tts.voice_pair import VoicePair

        return VoicePair(self.synth, self.dialogue_synth)

    def reader(self, pc: PlannedChunk):
        """(synthesizer, speaker, part) that read a planned chunk: its dialogue voice or the narration's."""
        from backend.voices.blends import speaker_for

        if pc.chunk.dialogue and self.dialogue is not None:
            return self.dialogue_synth or self.synth, speaker_for(self.dialogue.voice, self.dialogue.settings), 1
        return self.synth, speaker_for(self.synth.voice, self.job.settings), 0

    def synth_item(self, pc: PlannedChunk, durations: list | None = None):
        """(SynthItem, its synthesizer) for a planned chunk, in its own voice and speaker."""
        from backend.tts.synth import SynthItem

        synth, speaker, part = self.reader(pc)
        return SynthItem(synth.phoneme_ids(pc.spoken), pc.seed, self.job.settings.length_scale, speaker=speaker,
                         durations=durations, part=part if self.dialogue_synth is not None else 0), synth

    def _render(self, cache: ChunkCache, todo: list[PlannedChunk], total: int, reused: int, started: float) -> None:
        """Render the missing chunks here or on the workers (their files, VRAM per GPU, in worker_files)."""
        from backend.render.batch_loop import render_in_process
        from backend.render.dispatch import render_on_workers

        if self.pool is None:
            render_in_process(self, cache, todo, total, reused, started)
        elif todo:
            self.worker_files = render_on_workers(self, self.pool, cache, todo, total, reused, started)

    def _write_manifest(self, book, plan: RenderPlan, lexicon_size: int) -> None:
        from backend.render.pronunciations import manifest_entry, pronunciation_lines

        folder = self.job_dir()
        previous = read_manifest(folder)
        if previous.warning:
            self._log(previous.warning, "warning")
        for line in pronunciation_lines(plan, lexicon_size, previous.data):
            self._log(line)
        write_manifest(folder, {
            "version": 1,
            "book": str(self.job.book_path.resolve()),
            "title": book.title,
            "voice": self.synth.voice.name,
            "voice_hash": self.synth.voice.file_hash,
            "params": synthesis_params(self.synth.voice, self.job.settings),
            **({"dialogue_voice": self.dialogue.voice.name,
                "dialogue_params": synthesis_params(self.dialogue.voice, self.dialogue.settings)} if self.dialogue else {}),
            "chapters": plan.chapter_titles,
            "chunks": [manifest_entry(pc) for pc in plan.chunks],
        })

    def _check_cache(self, cache: ChunkCache, plan: RenderPlan) -> tuple[list[PlannedChunk], int]:
        """Which unique chunks still need rendering; cached ones are verified, bad ones redone."""
        todo, reused, bad = [], 0, 0
        for n, (key, pc) in enumerate(plan.unique_keys.items()):
            if n % 32 == 0:
                self.check_stop()  # verifying decodes every chunk: a big book takes a while
            existed = cache.has(key)
            if existed and cache.verify(key):
                reused += 1
            else:
                bad += existed
                todo.append(pc)
        if bad:
            self._log(f"{bad} cached chunks were damaged and will be rendered again.", "warning")
        if reused:
            self._log(f"Resuming: {reused} of {reused + len(todo)} chunks already rendered and verified; "
                      f"{len(todo)} to go.")
        return todo, reused


def _hms(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _precision_of(synth) -> str:
    """The precision a loaded synthesizer renders in, as the settings name it."""
    dtype = getattr(synth, "dtype", None)
    return str(dtype).removeprefix("torch.") if dtype is not None else "float32"
