"""The distribution folder: what ACX/Audible (and Findaway, Google Play) take as an upload.

One MP3 per chapter (44.1 kHz mono, constant 192 kbps, ID3 title/artist/album/track n/N and the
cover), opening and closing credits as files of their own, and no file longer than
MAX_PART_SECONDS: a longer chapter is cut into parts at paragraph pauses (at a sentence pause only
where a paragraph runs longer than the limit, and mid-audio only where a sentence does, which the
log reports). Files are numbered in listening order: 00 the opening credits, the chapters (and
parts), then the closing credits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from backend.render.exports import Segment, Tags, write_distribution_mp3
from backend.render.plan import safe_filename

MAX_PART_SECONDS = 120 * 60  # ACX: at most 120 minutes per file (tests lower it)
SNAP_RADIUS_S = 1.5  # a cut moves to the quietest stretch this close to its planned place
_OURS = re.compile(r"^\d{2,3} - .+\.mp3$")  # the names this module writes


@dataclass(frozen=True)
class ChapterSource:
    path: Path  # the (mastered) chapter file
    title: str
    breaks: Sequence[tuple[float, bool]] = ()  # (seconds into the file, is a paragraph pause), in order


@dataclass(frozen=True)
class BookDetails:
    title: str
    author: str | None = None
    narrator: str | None = None
    year: str | None = None
    genre: str | None = None
    description: str | None = None
    cover: bytes | None = None
    cover_mime: str | None = None


@dataclass
class Part:
    source: Path
    start: int  # frames
    end: int
    title: str
    cut_kind: str = ""  # how this part's end was chosen when the chapter was split: paragraph, sentence, forced


@dataclass
class DistributionResult:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the log: splits, forced cuts, removed old files


def plan_cuts(duration: float, breaks: Sequence[tuple[float, bool]], limit: float,
              margin: float = 2 * SNAP_RADIUS_S) -> list[tuple[float, str]]:
    """Where to cut a file of `duration` seconds so no part is longer than `limit`: [(seconds,
    kind)], kind 'paragraph', 'sentence' or 'forced'. Parts come out about equal: each cut is the
    pause nearest to an even share of what is left, no further than limit - margin from the last."""
    if limit <= margin:
        raise ValueError(f"the part limit ({limit:g} s) must be longer than {margin:g} s")
    cuts: list[tuple[float, str]] = []
    start = 0.0
    while duration - start > limit:
        parts_left = math.ceil((duration - start) / (limit - margin))
        target = start + (duration - start) / parts_left
        window = [(t, p) for t, p in breaks if start + margin < t <= start + limit - margin]
        for kind, wanted in (("paragraph", True), ("sentence", False)):
            candidates = [t for t, p in window if p == wanted]
            if candidates:
                cut = min(candidates, key=lambda t: abs(t - target))
                break
        else:
            kind, cut = "forced", min(target, start + limit - margin)
        cuts.append((cut, kind))
        start = cut
    return cuts


def _quietest(path: Path, rate: int, frames: int, at: float) -> int:
    """The middle of the longest quiet stretch (50 ms energy within 10 dB of the quietest found)
    within SNAP_RADIUS_S of `at` seconds: the middle of the pause, even if the file was shifted a
    little (room tone added at its head) or its pauses are room tone, not digital silence."""
    radius, window = round(SNAP_RADIUS_S * rate), max(1, rate // 100)
    first = max(0, round(at * rate) - radius)
    last = min(frames, round(at * rate) + radius)
    audio = sf.read(str(path), start=first, stop=last, dtype="float64", always_2d=True)[0][:, 0]
    count = len(audio) // window
    if count < 3:
        return round(at * rate)
    energy = np.square(audio[: count * window]).reshape(count, window).mean(axis=1)
    energy = np.convolve(np.pad(energy, 2, mode="edge"), np.full(5, 0.2), mode="valid")  # 50 ms: room tone varies
    quiet = energy <= max(energy.min() * 10.0, 1e-10)  # within 10 dB of the floor (or under -100 dB)
    best_start, best_len, run_start = 0, 0, None
    for i, q in enumerate([*quiet, False]):
        if q and run_start is None:
            run_start = i
        elif not q and run_start is not None:
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = None
    return first + (best_start * window + (best_start + best_len) * window) // 2


def chapter_parts(chapter: ChapterSource, limit: float | None = None) -> list[Part]:
    """The chapter as one part, or as parts of at most `limit` seconds (MAX_PART_SECONDS)."""
    limit = MAX_PART_SECONDS if limit is None else limit
    info = sf.info(str(chapter.path))
    rate, frames = info.samplerate, info.frames
    cuts = plan_cuts(frames / rate, chapter.breaks, limit)
    if not cuts:
        return [Part(chapter.path, 0, frames, chapter.title)]
    edges = [0] + [_quietest(chapter.path, rate, frames, t) for t, _ in cuts] + [frames]
    kinds = [kind for _, kind in cuts] + [""]
    total = len(edges) - 1
    return [Part(chapter.path, a, b, f"{chapter.title} (part {n} of {total})", kind)
            for n, (a, b, kind) in enumerate(zip(edges, edges[1:], kinds), 1)]


def write_distribution(folder: Path, chapters: Sequence[ChapterSource], details: BookDetails,
                       opening: Path | None = None, closing: Path | None = None,
                       log: Callable[[str], None] | None = None, limit: float | None = None) -> DistributionResult:
    """Write the folder: credits and chapters (split where too long) as tagged MP3s."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"Cannot create the distribution folder '{folder}': {exc.strerror or exc}.") from None
    result = DistributionResult()
    parts: list[Part] = []
    if opening is not None:
        parts.append(Part(opening, 0, sf.info(str(opening)).frames, "Opening credits"))
    for chapter in chapters:
        pieces = chapter_parts(chapter, limit)
        if len(pieces) > 1:
            kinds = ", ".join(p.cut_kind for p in pieces[:-1])
            result.notes.append(f"'{chapter.title}' is longer than {(limit or MAX_PART_SECONDS) / 60:g} minutes: "
                                f"split into {len(pieces)} parts (cut at: {kinds}).")
            if any(p.cut_kind == "forced" for p in pieces):
                result.notes.append(f"'{chapter.title}' has a paragraph and a sentence longer than the limit, so it "
                                    "was cut at its quietest point instead.")
        parts.extend(pieces)
    if closing is not None:
        parts.append(Part(closing, 0, sf.info(str(closing)).frames, "Closing credits"))

    digits = max(2, len(str(len(parts))))
    first_number = 0 if opening is not None else 1
    total = len(parts)
    for n, part in enumerate(parts, 1):
        number = n - 1 + first_number
        out = folder / f"{number:0{digits}d} - {safe_filename(part.title)}.mp3"
        tags = Tags(part.title, details.author, details.title, (n, total), details.genre or "Audiobook",
                    details.year, details.narrator, details.description)
        write_distribution_mp3(Segment(part.source, part.start, part.end), out, tags, details.cover,
                               details.cover_mime)
        result.files.append(out)
        if log:
            log(f"Distribution: wrote '{out.name}'")
    written = {p.name for p in result.files}
    for old in sorted(folder.iterdir()):
        if old.is_file() and _OURS.match(old.name) and old.name not in written:
            old.unlink()  # a chapter or part of an earlier render that this one no longer has
            result.notes.append(f"Removed '{old.name}' from the distribution folder: left by an earlier render.")
    return result
