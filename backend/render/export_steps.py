"""The export steps of a render (called from outputs.write_outputs): the distribution folder and
the Opus chapter files, with the book's details as tags."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from backend.render.distribution import BookDetails, ChapterSource, write_distribution
from backend.render.exports import Tags, write_opus

DISTRIBUTION_FOLDER = "distribution"


def book_details(engine, book) -> BookDetails:
    """Title, author, narrator (the book's edited narrator, else the `narrator` setting, else the
    voice's name), year, genre, description (as edited, else where the book states them) and cover."""
    from backend.render.credits import narrator_name

    voice_name = engine.synth.voice.name if engine.synth is not None else ""
    narrator = getattr(engine, "narrator", None) or engine.job.settings.narrator
    return BookDetails(
        title=book.title or engine.job.book_path.stem, author=book.author,
        narrator=narrator_name(narrator, voice_name), year=book.year, genre=book.genre,
        description=book.description, cover=book.cover, cover_mime=book.cover_mime)


def write_distribution_step(engine, book, cache, chapter_files: Sequence[Path], titles: Sequence[str],
                            breaks: Sequence[Sequence[tuple[float, bool]]], assembly,
                            finish: Callable[[Path], object] | None = None) -> list[Path]:
    """Credits (rendered through the chunk cache), then every chapter as MP3 parts, into
    <output folder>/distribution. `finish(path)`: what the render does to each chapter file after
    assembling it (mastering), done to the credits too."""
    from backend.render.credits import render_credits

    details = book_details(engine, book)
    folder = engine.job.output_dir / DISTRIBUTION_FOLDER
    with tempfile.TemporaryDirectory(prefix="credits-") as work:
        credits = render_credits(engine, book, cache, details.narrator, Path(work), assembly)
        if finish is not None:
            for credit in credits:
                finish(credit.path)
        engine._log(f"Writing the distribution folder '{folder}'…")
        sources = [ChapterSource(Path(p), t, b) for p, t, b in zip(chapter_files, titles, breaks, strict=True)]
        result = write_distribution(folder, sources, details, credits[0].path, credits[1].path)
    for note in result.notes:
        engine._log(note, "warning" if "quietest" in note else "info")
    return result.files


def chapter_tags(details: BookDetails, title: str, number: int, total: int) -> Tags:
    """The tags of chapter file `number` of `total`: its title, the book as album, track n/N."""
    return Tags(title, details.author, details.title, (number, total), details.genre or "Audiobook",
                details.year, details.narrator, details.description)


def write_opus_step(engine, book, chapter_files: Sequence[Path], titles: Sequence[str]) -> list[Path]:
    """An Opus file beside each chapter file, tagged like the distribution MP3s, with the cover."""
    from backend.render.file_tags import write_tags

    details = book_details(engine, book)
    outputs = []
    for n, (path, title) in enumerate(zip(chapter_files, titles, strict=True), 1):
        tags = chapter_tags(details, title, n, len(titles))
        opus = write_opus(Path(path), Path(path).with_suffix(".opus"), tags)
        if details.cover:  # ffmpeg's Ogg muxer takes no picture: mutagen adds it
            write_tags(opus, tags, details.cover, details.cover_mime)
        outputs.append(opus)
    return outputs


def write_mp3_step(engine, book, chapter_files: Sequence[Path], titles: Sequence[str]) -> list[Path]:
    """An MP3 beside each chapter file (44.1 kHz, constant 192 kbps), with ID3 tags and the cover."""
    from backend.render.exports import Segment, write_distribution_mp3

    details = book_details(engine, book)
    return [write_distribution_mp3(Segment(Path(path)), Path(path).with_suffix(".mp3"),
                                   chapter_tags(details, title, n, len(titles)), details.cover, details.cover_mime)
            for n, (path, title) in enumerate(zip(chapter_files, titles, strict=True), 1)]


def tag_chapter_file(engine, book, path: Path, title: str, number: int, total: int) -> None:
    """Tag a finished (mastered) chapter file: FLAC Vorbis comments and its cover, or ID3 in a WAV.
    Only the metadata is written; the samples stay as they are."""
    from backend.render.file_tags import write_tags

    details = book_details(engine, book)
    write_tags(Path(path), chapter_tags(details, title, number, total), details.cover, details.cover_mime)
