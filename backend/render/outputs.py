"""After the chunks are cached: chapter files, then the M4B, MP3s and subtitles."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from backend.render.atomic_file import remove_stale_temps
from backend.render.chunk_cache import ChunkCache
from backend.render.events import Progress, RenderStopped
from backend.render.plan import PlannedChunk, RenderPlan, safe_filename


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"Cannot create the output folder '{folder}': {exc.strerror or exc}.") from None
    if not os.access(folder, os.W_OK):
        raise OSError(f"The output folder '{folder}' is not writable.")
    remove_stale_temps(folder)  # left by a run that was killed while writing


def _assemble(assemble_chapter, chunks, load, sample_rate, path: Path, settings):
    """assemble_chapter, with write failures (disk full, …) named by file and folder."""
    import soundfile as sf

    try:
        return assemble_chapter(chunks, load, sample_rate, path, settings)
    except (OSError, sf.SoundFileError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        if isinstance(exc, sf.SoundFileError):
            reason = f"{reason} (is the disk full?)"
        raise OSError(f"Cannot write the chapter file '{path.name}' in '{path.parent}': {reason}") from exc


def write_outputs(engine, book, plan: RenderPlan, cache: ChunkCache) -> tuple[list[Path], float]:
    """Assemble every chapter from the cache and encode the extras; returns (paths, audio seconds)."""
    from backend.render.assembly import AssemblySettings, assemble_chapter

    settings, out_dir = engine.job.settings, engine.job.output_dir
    _check_writable(out_dir)
    assembly = AssemblySettings(sentence_pause=settings.sentence_pause, paragraph_pause=settings.paragraph_pause,
                                chapter_pause=settings.chapter_pause, output_format=settings.chapter_format)
    by_chapter: dict[int, list[PlannedChunk]] = {}
    for pc in plan.chunks:
        by_chapter.setdefault(pc.chunk.chapter_index, []).append(pc)

    started = time.perf_counter()
    chapter_files, titles, cues, durations, frames, assembled = [], [], [], [], [], 0
    numbered = [i for i in range(len(plan.chapter_titles)) if i in by_chapter]
    for n, index in enumerate(numbered, 1):
        if engine.cancel.cancelled:
            raise RenderStopped()
        planned = by_chapter[index]
        title = plan.chapter_titles[index]
        path = out_dir / f"{n:02d} - {safe_filename(title)}.{settings.chapter_format}"
        result = _assemble(assemble_chapter, [pc.chunk for pc in planned],
                           lambda i, p=planned: _load(engine, cache, p[i]), engine.synth.sample_rate, path, assembly)
        chapter_files.append(result.path)
        titles.append(title)
        cues.append(result.cues)
        durations.append(result.duration)
        frames.append(result.frames)
        assembled += len(planned)
        engine.events.progress(Progress(n, len(numbered), time.perf_counter() - started, None, None, "assemble"))
    outputs = list(chapter_files)
    from backend.render.accounting import check_accounting

    engine._log(check_accounting(book, plan, chapter_files, frames, assembled))

    stem = safe_filename(book.title or engine.job.book_path.stem)
    extras = settings.outputs
    if "m4b" in extras:
        from backend.render.m4b import write_m4b

        engine.events.progress(Progress(0, 1, time.perf_counter() - started, None, None, "encode"))
        engine._log("Encoding the M4B audiobook…")
        outputs.append(write_m4b(chapter_files, titles, out_dir / f"{stem}.m4b", title=book.title or stem,
                                 author=book.author, cover=book.cover, cover_mime=book.cover_mime))
    if "mp3" in extras:
        from backend.render.m4b import write_mp3

        for path, title in zip(chapter_files, titles):
            outputs.append(write_mp3(path, path.with_suffix(".mp3"), title=title, author=book.author))
    offsets = list(np.cumsum([0.0, *durations[:-1]]))
    if "srt" in extras or "vtt" in extras:
        from backend.render.subtitles import write_srt, write_vtt

        if "srt" in extras:
            outputs.append(write_srt(cues, offsets, out_dir / f"{stem}.srt"))
        if "vtt" in extras:
            outputs.append(write_vtt(cues, offsets, out_dir / f"{stem}.vtt"))
    return [Path(p) for p in outputs], float(sum(durations))


def _load(engine, cache: ChunkCache, pc: PlannedChunk) -> np.ndarray:
    """A chunk's audio from the cache; one damaged since the start is rendered again."""
    audio = cache.get(pc.key)
    if audio is not None:
        return audio
    from backend.tts.synth import SynthItem

    engine._log(f"Cached chunk {pc.index + 1} was unreadable; rendering it again.", "warning")
    audio = engine.synth.synthesize_batch([SynthItem(engine.synth.phoneme_ids(pc.spoken), pc.seed,
                                                     engine.job.settings.length_scale)])[0]
    audio = audio if audio.size else np.zeros(1, np.float32)
    cache.put(pc.key, audio)
    # Assemble what the cache holds (its samples are quantized), as every other chunk is: the raw
    # floats can round to a different 16-bit sample and break "resumed == uninterrupted".
    stored = cache.get(pc.key)
    return audio if stored is None else stored
