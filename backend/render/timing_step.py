"""The word-timing outputs of a render (called from outputs.write_outputs): word-level subtitles
(`<title> words.srt` / `.vtt`) and the read-along EPUB (`<title> read-along.epub`), made from the
chapters' timelines (backend/render/timeline.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from backend.render.timeline import ChapterTimeline, word_cues

TIMING_OUTPUTS = ("words", "readalong")


def wants_timing(outputs: Sequence[str]) -> bool:
    return any(o in TIMING_OUTPUTS for o in outputs)


def write_timing_outputs(engine, book, stem: str, timelines: Sequence[ChapterTimeline],
                         offsets: Sequence[float]) -> list[Path]:
    """`offsets`: where each chapter starts on the book's timeline (as for the sentence subtitles)."""
    settings, out_dir = engine.job.settings, engine.job.output_dir
    written: list[Path] = []
    if "words" in settings.outputs:
        from backend.render.subtitles import write_srt, write_vtt

        cues = [word_cues(t) for t in timelines]
        written.append(write_srt(cues, offsets, out_dir / f"{stem} words.srt"))
        written.append(write_vtt(cues, offsets, out_dir / f"{stem} words.vtt"))
    if "readalong" in settings.outputs:
        from backend.render.export_steps import book_details
        from backend.render.readalong import COVER_TYPES, ReadAlongDetails, write_readalong_epub

        details = book_details(engine, book)
        words = "words" in settings.outputs
        engine._log(f"Writing the read-along EPUB (each {'word' if words else 'sentence'} highlighted as it is read)…")
        cover, mime = details.cover, (details.cover_mime or _sniff(details.cover)).lower()
        if cover and mime not in COVER_TYPES:
            engine._log(f"The book's cover ({mime or 'an unknown image type'}) is not an image type EPUB readers "
                        "must show; the read-along EPUB has no cover.", "warning")
            cover = None
        try:
            modified = datetime.fromtimestamp(engine.job.book_path.stat().st_mtime, timezone.utc)
        except OSError:
            modified = None
        epub = ReadAlongDetails(details.title, details.author, book.language or engine.synth.voice.espeak_voice,
                                engine.job_dir().name, details.narrator, cover, mime, modified)
        written.append(write_readalong_epub(out_dir / f"{stem} read-along.epub", epub, timelines, words=words))
    return written


def _sniff(image: bytes | None) -> str:
    """The type of a cover the book did not name: JPEG or PNG by their signatures."""
    if image and image.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if image and image.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return ""
