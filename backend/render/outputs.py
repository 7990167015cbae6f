"""After the chunks are cached: chapter files, then the M4B, MP3s and subtitles."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from pathlib import Path

import numpy as np

from backend.atomic_file import remove_stale_temps
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

    from backend.render.export_steps import tag_chapter_file
    from backend.render.mastering_step import ChapterMastering
    from backend.render.timing_step import wants_timing

    mastering = ChapterMastering(engine)  # settings.master: acx, podcast, ebu or off
    # Word timing (backend/render/timeline.py): each chunk's words from its phoneme durations, then
    # per chapter where each word is heard in the mastered file.
    timelines, words = [], None
    if wants_timing(settings.outputs):
        from backend.render.timeline import chunk_words

        words = chunk_words(engine, plan, cache)
    started = time.perf_counter()
    chapter_files, titles, cues, durations, frames, assembled = [], [], [], [], [], 0
    breaks: list[list[tuple[float, bool]]] = []  # each chapter's pauses (seconds, paragraph?): where exports may cut
    heard_at: dict[int, tuple[int, float]] = {}  # plan index -> (chapter file number, seconds): the check report's
    numbered = [i for i in range(len(plan.chapter_titles)) if i in by_chapter]
    from backend.render.assembled_store import AssembledStore, KeptChapter, fingerprint
    from backend.render.export_steps import book_details, chapter_tags

    store, details, reused_files = AssembledStore(engine.job_dir()), book_details(engine, book), 0
    for n, index in enumerate(numbered, 1):
        if engine.cancel.cancelled:
            raise RenderStopped()
        planned = by_chapter[index]
        title = plan.chapter_titles[index]
        path = out_dir / f"{n:02d} - {safe_filename(title)}.{settings.chapter_format}"
        print_ = fingerprint(planned, assembly, settings, chapter_tags(details, title, n, len(numbered)), details.cover,
                             path, engine.synth.sample_rate)
        kept = store.kept(path, print_)  # unchanged since the last render: not assembled again
        if kept is None:
            result = _assemble(assemble_chapter, [pc.chunk for pc in planned],
                               lambda i, p=planned: _load(engine, cache, p[i]), engine.synth.sample_rate, path, assembly)
            # Mastering (backend/render/mastering_step.py): in place, before anything is made from the file. Its
            # head room tone moves every cue and break later; the file's length and rate change.
            mastered = mastering.chapter(result.path, n)
            # Tags last (mastering writes a new file): title, author, album, track n/N, the cover. Metadata only.
            tag_chapter_file(engine, book, result.path, title, n, len(numbered))
            kept = KeptChapter(result, mastered.head_added if mastered else 0.0,
                               mastered.duration if mastered else result.duration,
                               mastered.frames if mastered else result.frames)
            store.record(path, print_, result, kept.head_added, kept.duration, kept.frames, index)
        else:
            reused_files += 1
        result, shift = kept.audio, kept.head_added
        chapter_files.append(result.path)
        titles.append(title)
        cues.append([dataclasses.replace(c, start=c.start + shift, end=c.end + shift) for c in result.cues])
        durations.append(kept.duration)
        frames.append(kept.frames)
        breaks.append([(b.frame / result.sample_rate + shift, b.paragraph) for b in result.breaks])
        heard_at.update((planned[p.index].index, (n, c.start + shift)) for p, c in zip(result.places, result.cues, strict=True))
        if words is not None:
            from backend.render.timeline import chapter_timeline

            timelines.append(chapter_timeline(n, title, planned, result, shift, durations[-1], words))
        assembled += len(planned)
        engine.events.progress(Progress(n, len(numbered), time.perf_counter() - started, None, None, "assemble"))
    if reused_files:
        engine._log(f"Kept {reused_files} of {len(numbered)} chapter files as they were (nothing in them changed); "
                    f"assembled {len(numbered) - reused_files}.")
    outputs = list(chapter_files)
    _warn_about_other_chapter_files(engine, out_dir, chapter_files)
    from backend.render.accounting import check_accounting

    engine._log(check_accounting(book, plan, chapter_files, frames, assembled))

    stem = safe_filename(book.title or engine.job.book_path.stem)
    if engine.check_results:  # the listening check's report: every chunk, where it is heard
        from backend.render.check_step import write_check_csv

        outputs.append(write_check_csv(out_dir / f"{stem} check.csv", plan, engine.check_results, heard_at))
    extras = settings.outputs
    if "m4b" in extras:
        from backend.render.m4b import write_m4b

        engine.events.progress(Progress(0, 1, time.perf_counter() - started, None, None, "encode"))
        engine._log("Encoding the M4B audiobook…")
        from backend.render.export_steps import book_details

        details = book_details(engine, book)
        outputs.append(write_m4b(chapter_files, titles, out_dir / f"{stem}.m4b", title=details.title,
                                 author=book.author, cover=book.cover, cover_mime=book.cover_mime,
                                 bitrate=settings.m4b_bitrate, narrator=details.narrator, year=details.year,
                                 description=details.description, genre=details.genre))
    if "mp3" in extras:  # tagged like the chapter files (ID3v2.3, with the cover)
        from backend.render.export_steps import write_mp3_step

        outputs += write_mp3_step(engine, book, chapter_files, titles)
    # -- exports (backend/render/export_steps.py): the distribution folder, Opus chapter files --
    if "distribution" in extras:
        from backend.render.export_steps import write_distribution_step

        engine.events.progress(Progress(0, 1, time.perf_counter() - started, None, None, "encode"))
        outputs += write_distribution_step(engine, book, cache, chapter_files, titles, breaks, assembly,
                                           finish=mastering.finish)
    if "opus" in extras:
        from backend.render.export_steps import write_opus_step

        outputs += write_opus_step(engine, book, chapter_files, titles)
    offsets = list(np.cumsum([0.0, *durations[:-1]]))
    if "srt" in extras or "vtt" in extras:
        from backend.render.subtitles import write_srt, write_vtt

        if "srt" in extras:
            outputs.append(write_srt(cues, offsets, out_dir / f"{stem}.srt"))
        if "vtt" in extras:
            outputs.append(write_vtt(cues, offsets, out_dir / f"{stem}.vtt"))
    if timelines:
        from backend.render.timing_step import write_timing_outputs

        outputs += write_timing_outputs(engine, book, stem, timelines, offsets)
    from backend.render.mastering_step import write_quality_report

    outputs.append(write_quality_report(engine, stem, outputs, mastering))  # `<title> audio report.csv`
    return [Path(p) for p in outputs], float(sum(durations))


_CHAPTER_FILE = re.compile(r"^\d{2,} - .+\.(flac|wav|mp3|opus)$")


def _warn_about_other_chapter_files(engine, out_dir: Path, chapter_files: list[Path]) -> None:
    """Chapter files an earlier render left (another chapter selection): named, never deleted."""
    ours = {Path(p).stem for p in chapter_files}
    others = sorted(p.name for p in out_dir.iterdir() if p.is_file() and _CHAPTER_FILE.match(p.name)
                    and p.stem not in ours)
    if others:
        shown = ", ".join(f"'{n}'" for n in others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        engine._log(f"{shown} in the output folder {'is' if len(others) == 1 else 'are'} from an earlier render and "
                    "not part of this audiobook: delete them or choose another folder.", "warning")


def _load(engine, cache: ChunkCache, pc: PlannedChunk) -> np.ndarray:
    """A chunk's audio from the cache; one damaged since the start is rendered again."""
    audio = cache.get(pc.key)
    if audio is not None:
        return audio
    from backend.render.batch_loop import store_timing

    engine._log(f"Cached chunk {pc.index + 1} was unreadable; rendering it again.", "warning")
    from dataclasses import replace

    item, synth = engine.synth_item(pc, durations=[])
    item = replace(item, part=0)  # rendered by its own synthesizer directly
    audio = synth.synthesize_batch([item])[0]
    cache.put(pc.key, audio if audio.size else np.zeros(1, np.float32))
    store_timing(cache, pc.key, item, audio.size, synth.hop_length)
    audio = audio if audio.size else np.zeros(1, np.float32)
    # Assemble what the cache holds (its samples are quantized), as every other chunk is: the raw
    # floats can round to a different 16-bit sample and break "resumed == uninterrupted".
    stored = cache.get(pc.key)
    return audio if stored is None else stored
