"""Book + voice + settings -> the list of chunks to render, each with its cache key and seed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backend.check.overrides import chunk_identities
from backend.render.chunk_cache import chunk_key
from backend.settings import RenderSettings
from backend.text import Book, Chunk, plan_book_chunks
from backend.text.dates import MDY, date_order_for
from backend.text.language import skipping_language
from backend.text.lexicon import Lexicon
from backend.text.normalize import normalize_text
from backend.text.spoken import spoken_text
from backend.tts.synth import chunk_seed
from backend.tts.voice import Voice

ENGINE_VERSION = "vits-torch-1"  # bump when our synthesis changes its audio


@dataclass(frozen=True)
class PlannedChunk:
    index: int
    chunk: Chunk
    key: str
    seed: int
    spoken: str  # the text as said: with the pronunciation marks of the lexicon and heteronyms
    pronunciations: tuple[str, ...] = ()  # lexicon entries used in this chunk
    skipped: tuple[str, ...] = ()  # runs in a script the voice cannot speak, left out of `spoken`
    override: object | None = None  # the user's fix of this chunk (backend/check/overrides.ChunkOverride)


@dataclass(frozen=True)
class RenderPlan:
    chunks: list[PlannedChunk]
    chapter_titles: list[str]  # of every chapter of the book, selected or not
    date_order: str = MDY  # how the plan read numeric dates (the accounting check reads them alike)
    chapters: tuple[int, ...] | None = None  # the selected chapters (0-based); None: all
    stale: tuple = ()  # fixes of chunks no longer in the book's text (ChunkOverride): not applied

    def selected(self, count: int) -> tuple[int, ...]:
        return tuple(range(count)) if self.chapters is None else self.chapters

    @property
    def unique_keys(self) -> dict[str, PlannedChunk]:
        """Identical text renders identically, so it is rendered once."""
        first: dict[str, PlannedChunk] = {}
        for pc in self.chunks:
            first.setdefault(pc.key, pc)
        return first

    @property
    def skipped(self) -> list[str]:
        """Every run left out because the voice cannot speak its script, once each, in book order."""
        return list(dict.fromkeys(run for pc in self.chunks for run in pc.skipped))

    @property
    def characters(self) -> int:
        return sum(len(pc.chunk.text) for pc in self.chunks)


def synthesis_params(voice: Voice, settings: RenderSettings) -> dict:
    """Everything besides text, voice file and seed that changes a chunk's audio."""
    if settings.precision == "auto":  # a key names what renders: what a render here would use now
        from backend.render.cpu_mode_step import planning_settings

        settings = planning_settings(settings)
    params = {
        "engine": ENGINE_VERSION,
        "precision": settings.precision,
        "length_scale": voice.length_scale if settings.length_scale is None else settings.length_scale,
        "noise_scale": voice.noise_scale if settings.noise_scale is None else settings.noise_scale,
        "noise_w": voice.noise_w if settings.noise_w is None else settings.noise_w,
    }
    if settings.speaker is not None:  # only then: keys of single-speaker renders stay as they were
        from backend.voices.blends import speaker_key

        params["speaker"] = speaker_key(voice, settings)  # the id or the mix: a name and its id sound the same
    if settings.precision != "float32":
        # Since 2026-12 only the decoder runs in the reduced precision (float32 keys unchanged).
        params["reduced_precision_parts"] = "decoder"
    return params


def make_plan(book: Book, voice: Voice, settings: RenderSettings, lexicon: Lexicon | None = None, *,
              chapters: Sequence[int] | None = None, check: Callable[[], None] | None = None,
              dialogue=None, overrides: dict | None = None) -> RenderPlan:
    """The cache key covers the spoken text, marks included: a chunk no pronunciation touches keeps
    the key of its plain text, so editing an entry re-renders only the chunks that use it.
    `chapters`: plan only these (0-based; None: all); a chunk's key does not depend on which
    chapters are selected. `check()` is called every few paragraphs and chunks (a big book takes
    seconds): it raises to stop."""
    # (voice file hash, synthesis parameters, language) of narration and of dialogue
    readers = {False: (voice.file_hash, synthesis_params(voice, settings),
                       skipping_language(book, voice, settings.any_language))}
    if dialogue is not None:
        readers[True] = (dialogue.voice.file_hash, synthesis_params(dialogue.voice, dialogue.settings),
                         skipping_language(book, dialogue.voice, settings.any_language))
    date_order = book_date_order(book, voice, settings)
    planned = []
    chunks = plan_book_chunks(book, settings.max_chars, date_order=date_order, chapters=chapters, check=check,
                              dialogue=dialogue is not None)
    identities = chunk_identities(chunks) if overrides else [None] * len(chunks)
    for i, (chunk, identity) in enumerate(zip(chunks, identities, strict=True)):
        if check is not None and i % 16 == 0:
            check()
        fix = overrides.get(identity) if overrides else None
        seed = fix.seed if fix is not None and fix.seed is not None else chunk_seed(chunk.text, settings.seed)
        said = normalize_text(fix.text, date_order) if fix is not None and fix.text is not None else chunk.text
        file_hash, params, language = readers[chunk.dialogue]
        spoken = spoken_text(said, lexicon, language=language)
        key = chunk_key(spoken.text, file_hash, params, seed)
        planned.append(PlannedChunk(i, chunk, key, seed, spoken.text, spoken.entries, spoken.skipped, fix))
    titles = [c.title or f"Chapter {n}" for n, c in enumerate(book.chapters, 1)]
    selected = None if chapters is None else tuple(sorted(set(chapters)))
    found = set(identities)
    stale = tuple(o for identity, o in (overrides or {}).items()
                  if identity not in found and (selected is None or identity[0] in selected))
    return RenderPlan(planned, titles, date_order, selected, stale)


def book_date_order(book: Book, voice: Voice, settings: RenderSettings) -> str:
    """Month or day first in numeric dates: the setting, else the book's language, else the voice's."""
    return date_order_for(settings.date_order, book.language, voice.espeak_voice)


def safe_filename(text: str, limit: int = 80) -> str:
    """A title as a file name that works on Windows and Linux."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", text).strip().rstrip(".")
    cleaned = re.sub(r"\s+", " ", cleaned)[:limit].strip()
    return cleaned or "untitled"
