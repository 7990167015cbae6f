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
    """Title, author, narrator (the `narrator` setting, else the voice's name), year, genre,
    description (where the book states them) and cover."""
    from backend.render.credits import narrator_name

    voice_name = engine.synth.voice.name if engine.synth is not None else ""
    return BookDetails(
        title=book.title or engine.job.book_path.stem, author=book.author,
        narrator=narrator_name(engine.job.settings.narrator, voice_name), year=book.year, genre=book.genre,
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


def write_opus_step(engine, book, chapter_files: Sequence[Path], titles: Sequence[str]) -> list[Path]:
    """An Opus file beside each chapter file, tagged like the distribution MP3s."""
    details = book_details(engine, book)
    outputs = []
    for n, (path, title) in enumerate(zip(chapter_files, titles, strict=True), 1):
        tags = Tags(title, details.author, details.title, (n, len(titles)), details.genre or "Audiobook",
                    details.year, details.narrator, details.description)
        outputs.append(write_opus(Path(path), Path(path).with_suffix(".opus"), tags))
    return outputs
