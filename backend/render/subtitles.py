"""SRT and WebVTT subtitles for the whole book timeline.

Each chapter's cues are in seconds from the start of its own chapter file;
chapter_offsets[i] places chapter i on the book timeline. Long cue texts
(a chunk can hold up to a few hundred characters) are wrapped at about 42
characters and split into consecutive cues of at most two lines, sharing
the cue's time in proportion to their length, so no cue fills the screen.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.atomic_file import replacing

LINE_WIDTH = 42
MAX_LINES = 2


@dataclass(frozen=True, slots=True)
class Cue:
    start: float  # seconds
    end: float  # seconds
    text: str


def format_timestamp(seconds: float, decimal_mark: str) -> str:
    """HH:MM:SS<mark>mmm, hours growing past two digits if needed."""
    total_ms = max(0, round(seconds * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{ms:03d}"


def split_cue_text(text: str) -> list[list[str]]:
    """Wrap text into lines of ~LINE_WIDTH and group them MAX_LINES at a time.
    Whitespace (including newlines, which would end an SRT cue) collapses."""
    lines = textwrap.wrap(" ".join(text.split()), width=LINE_WIDTH, break_on_hyphens=False)
    return [lines[i : i + MAX_LINES] for i in range(0, len(lines), MAX_LINES)]


def book_cues(cues_by_chapter: Sequence[Sequence[Cue]], chapter_offsets: Sequence[float]) -> Iterator[tuple[float, float, list[str]]]:
    """(start, end, lines) on the book timeline, in order; empty texts skipped."""
    if len(cues_by_chapter) != len(chapter_offsets):
        raise ValueError(
            f"subtitles: {len(cues_by_chapter)} chapters of cues but {len(chapter_offsets)} chapter offsets"
        )
    for cues, offset in zip(cues_by_chapter, chapter_offsets):
        for cue in cues:
            if cue.end < cue.start:
                raise ValueError(f"subtitles: cue ends before it starts ({cue.start} > {cue.end}): {cue.text!r}")
            groups = split_cue_text(cue.text)
            if not groups:
                continue
            weights = [sum(len(line) for line in group) for group in groups]
            total = sum(weights)
            start = offset + cue.start
            duration = cue.end - cue.start
            done = 0
            for group, weight in zip(groups, weights):
                piece_start = start + duration * done / total
                done += weight
                yield piece_start, start + duration * done / total, group


def _escape_vtt(line: str) -> str:
    # WebVTT cue text is markup: &, < and > must be escaped.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_srt(cues_by_chapter: Sequence[Sequence[Cue]], chapter_offsets: Sequence[float], path: str | Path) -> Path:
    blocks = []
    for number, (start, end, lines) in enumerate(book_cues(cues_by_chapter, chapter_offsets), start=1):
        times = f"{format_timestamp(start, ',')} --> {format_timestamp(end, ',')}"
        blocks.append(f"{number}\n{times}\n" + "\n".join(lines) + "\n")
    return _write_text_atomic(Path(path), "\n".join(blocks))


def write_vtt(cues_by_chapter: Sequence[Sequence[Cue]], chapter_offsets: Sequence[float], path: str | Path) -> Path:
    blocks = ["WEBVTT\n"]
    for start, end, lines in book_cues(cues_by_chapter, chapter_offsets):
        times = f"{format_timestamp(start, '.')} --> {format_timestamp(end, '.')}"
        blocks.append(f"{times}\n" + "\n".join(_escape_vtt(line) for line in lines) + "\n")
    return _write_text_atomic(Path(path), "\n".join(blocks))


def _write_text_atomic(path: Path, text: str) -> Path:
    with replacing(path) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")
    return path
