"""The end-of-render books check: nothing silently missing between the text and the files.

Peers' renderers truncate long books without a word; here a mismatch is an error the user sees.
"""

from __future__ import annotations

import re
from pathlib import Path

import soundfile as sf

from backend.render.plan import RenderPlan
from backend.text import Book, normalized_chapter_text

_SPACE = re.compile(r"\s+")


class AccountingError(RuntimeError):
    """The finished audiobook does not account for the whole text."""


def check_accounting(book: Book, plan: RenderPlan, chapter_files: list[Path], chapter_frames: list[int],
                     assembled_chunks: int) -> str:
    """Raises AccountingError on any mismatch; returns a one-line confirmation for the log."""
    planned_by_chapter: dict[int, list[str]] = {}
    for pc in plan.chunks:
        planned_by_chapter.setdefault(pc.chunk.chapter_index, []).append(pc.chunk.text)
    characters = 0
    selected = plan.selected(len(book.chapters))  # the chapters chosen for this audiobook; the others are not in it
    stray = sorted(set(planned_by_chapter) - set(selected))
    if stray:
        raise AccountingError(f"Chapter {stray[0] + 1} was planned but not selected.")
    for index in selected:
        chapter = book.chapters[index]
        expected = _SPACE.sub("", normalized_chapter_text(chapter, date_order=plan.date_order))
        planned = _SPACE.sub("", "".join(planned_by_chapter.get(index, [])))
        if expected != planned:
            raise AccountingError(
                f"Chapter {index + 1} ('{chapter.title}') has {len(expected):,} characters to speak but "
                f"{len(planned):,} were planned; the audiobook would be missing text."
            )
        characters += len(expected)
    if assembled_chunks != len(plan.chunks):
        raise AccountingError(f"{len(plan.chunks):,} chunks were planned but {assembled_chunks:,} were assembled.")
    for path, frames in zip(chapter_files, chapter_frames, strict=True):
        on_disk = sf.info(str(path)).frames
        if on_disk != frames:
            raise AccountingError(f"'{path.name}' holds {on_disk:,} samples, {frames:,} were written.")
    of = f" selected chapters (of {len(book.chapters)})" if len(selected) < len(book.chapters) else " chapters"
    return (f"Check: all {characters:,} characters of {len(selected)}{of} are in "
            f"{len(plan.chunks):,} chunks and {len(chapter_files)} chapter files.")
