"""What the window shows of an opened book before rendering: each chapter's spoken characters, its
chunks' cache keys (so the Resume count follows the chapter selection without planning again) and
which keys are already cached."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backend.render.chunk_cache import ChunkCache
from backend.render.plan import make_plan
from backend.render.selection import chapter_titles, matter_of


@dataclass(frozen=True)
class ChapterInfo:
    title: str
    characters: int  # what the voice is given: normalized, the title included
    matter: str  # body, front, back, toc, notes
    keys: frozenset[str] = field(default_factory=frozenset)  # its chunks' cache keys


def inspect_chapters(book, voice, settings, lexicon, job_dir: Path) -> tuple[list[ChapterInfo], frozenset[str]]:
    """(every chapter of the book, the keys of the plan already in the cache: existence only)."""
    from backend.render.cpu_mode_step import planning_settings
    from backend.voices.dialogue import saved_dialogue

    settings = planning_settings(settings, job_dir)
    from backend.check.overrides import read_overrides

    plan = make_plan(book, voice, settings, lexicon, dialogue=saved_dialogue(job_dir, voice, settings),
                     overrides=read_overrides(job_dir)[0])
    chars: dict[int, int] = {}
    keys: dict[int, set[str]] = {}
    for pc in plan.chunks:
        index = pc.chunk.chapter_index
        chars[index] = chars.get(index, 0) + len(pc.chunk.text)
        keys.setdefault(index, set()).add(pc.key)
    chapters = [ChapterInfo(title, chars.get(i, 0), matter_of(c), frozenset(keys.get(i, ())))
                for i, (title, c) in enumerate(zip(chapter_titles(book), book.chapters, strict=True))]
    folder = Path(job_dir) / "chunks"
    cached: frozenset[str] = frozenset()
    if folder.is_dir():
        cache = ChunkCache(folder, voice.sample_rate)
        cached = frozenset(k for k in plan.unique_keys if cache.has(k))
    return chapters, cached
