"""What the Review view and `audiobook review` show of a book: every chunk of the plan a render
would make now (saved selection, dialogue voice, lexicons, chunk fixes), whether it is rendered,
its length, its listening-check score, its fix, and where it is heard in the chapter files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReviewRow:
    number: int  # 1-based, as in check.csv and `audiobook rerender --chunk`
    chapter: int  # 0-based book chapter
    position: int  # 0-based among the chapter's chunks
    text: str  # as planned from the book
    identity: tuple[int, str, int]  # for chunk fixes (backend/check/overrides.py)
    key: str
    seed: int  # of the take in use (its fix's, else the planned one)
    seconds: float | None  # None: not rendered yet
    check: dict | None  # the stored listening-check result, None: not checked
    fix: object | None  # its ChunkOverride
    audio_file: Path | None  # the cached chunk audio (FLAC)
    heard_at: tuple[Path, float] | None  # (chapter file, seconds) in the last output folder

    @property
    def flagged(self) -> bool:
        from backend.check.words import is_flagged

        return is_flagged(self.check)

    @property
    def status(self) -> str:
        if self.seconds is None:
            return "missing"
        return "flagged" if self.flagged else ("checked" if self.check else "rendered")


def book_plan(book_path: Path, settings, chapters=None):
    """(plan, book, job folder, sample rate) as a render of the book would plan it now, measuring nothing."""
    from backend.check.overrides import read_overrides
    from backend.lexicon_store import load_lexicons
    from backend.render.cpu_mode_step import planning_settings
    from backend.render.jobs import book_job_dir
    from backend.render.plan import make_plan
    from backend.render.selection import resolve_selection
    from backend.text import load_book
    from backend.tts.voice import load_voice
    from backend.voices.dialogue import saved_dialogue

    book = load_book(book_path, footnotes=settings.footnotes)
    job_dir = book_job_dir(book_path, settings)
    voice = load_voice(settings.voice)
    settings = planning_settings(settings, job_dir)
    selection = resolve_selection(book, job_dir, chapters)
    plan = make_plan(book, voice, settings, load_lexicons(book_path, settings, skip_damaged=True),
                     chapters=selection.chapters, dialogue=saved_dialogue(job_dir, voice, settings),
                     overrides=read_overrides(job_dir)[0])
    return plan, book, job_dir, voice.sample_rate


def review_rows(book_path: Path, settings, output_dir: Path | None = None) -> tuple[list[ReviewRow], list]:
    """(a row per planned chunk, the stale fixes)."""
    from backend.check.overrides import chunk_identities
    from backend.render.assembled_store import AssembledStore
    from backend.render.chunk_cache import ChunkCache

    plan, _, job_dir, rate = book_plan(Path(book_path), settings)
    cache = ChunkCache(job_dir / "chunks", rate)
    store = AssembledStore(job_dir)
    identities = chunk_identities([pc.chunk for pc in plan.chunks])
    rows, positions = [], {}
    for pc, identity in zip(plan.chunks, identities, strict=True):
        chapter = pc.chunk.chapter_index
        position = positions[chapter] = positions.get(chapter, -1) + 1
        length = cache.length(pc.key)
        rows.append(ReviewRow(pc.index + 1, chapter, position, pc.chunk.text, identity, pc.key, pc.seed,
                              None if length is None else length / rate, cache.get_check(pc.key) if length else None,
                              pc.override, cache.path_for(pc.key) if length else None,
                              store.where(chapter, position, output_dir) if output_dir else None))
    return rows, list(plan.stale)
