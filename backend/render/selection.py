"""Which chapters of a book become the audiobook.

By default every chapter of the body and a notes section the book's contents list; front matter
(cover, title page, copyright…), back matter (index, "Also by"…) and a contents page are left out
(Chapter.matter, set by the readers). The user's choice is saved per book, beside its cached render (`selection.json` in the
book's job folder), by the window and by `audiobook chapters BOOK --select`; `render --chapters`
picks chapters for one run. Chapters are numbered from 1 for people and indexed from 0 here.
Light on purpose (no torch): the window calls it on its own thread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.atomic_file import save_text

FILE_NAME = "selection.json"
# Measured with the bundled voice at speaking rate 1.0, pauses included (demo book: 972
# characters -> 57 s). Only an estimate shown before rendering.
CHARS_PER_SECOND = 16.5
MATTER_LABELS = {"body": "", "front": "front matter", "back": "back matter", "toc": "contents",
                 "notes": "notes"}


@dataclass(frozen=True)
class ChapterSelection:
    chapters: tuple[int, ...]  # 0-based indices, ascending
    source: str  # "given" (this run), "window" (the checked chapters), "saved" (selection.json) or "default"
    warning: str | None = None  # a saved selection that could not be used, and why


def estimate_seconds(characters: int, length_scale: float | None = 1.0) -> float:
    """Seconds of audio a text of `characters` makes, roughly, at the speaking rate `length_scale`."""
    return characters / CHARS_PER_SECOND * (length_scale or 1.0)


def matter_of(chapter) -> str:
    matter = getattr(chapter, "matter", "body") or "body"
    return matter if matter in MATTER_LABELS else "body"


READ_BY_DEFAULT = ("body", "notes")


def default_chapters(chapters: Sequence) -> tuple[int, ...]:
    """Every chapter of the body and the notes; all chapters when none is (a book whose reader
    marked everything as front or back matter is still read whole)."""
    body = tuple(i for i, c in enumerate(chapters) if matter_of(c) in READ_BY_DEFAULT)
    return body if body else tuple(range(len(chapters)))


_PART = re.compile(r"^(\d+)?\s*(-)?\s*(\d+)?$")


def parse_chapters(spec: str, count: int) -> tuple[int, ...]:
    """'1-3,7' -> (0, 1, 2, 6) for a book of `count` chapters. Also 'all', '5-' (5 to the end)
    and '-3' (1 to 3). ValueError with a message naming the bad part."""
    text = (spec or "").strip()
    if not text:
        raise ValueError("no chapters given: use numbers and ranges such as 1-3,7 (see 'audiobook chapters BOOK')")
    if text.lower() == "all":
        return tuple(range(count))
    chosen: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        match = _PART.match(part)
        numbers = (match[1], match[3]) if match else (None, None)
        if match is None or numbers == (None, None) or (None not in numbers and not match[2]):
            raise ValueError(f"'{part}' in '{spec}' is not a chapter number or range (such as 1-3,7)")
        first = int(match[1]) if match[1] else 1
        last = (int(match[3]) if match[3] else count) if match[2] else first
        for number in (first, last):
            if not 1 <= number <= count:
                raise ValueError(f"there is no chapter {number}: the book has {count} chapter{'s' if count != 1 else ''} "
                                 f"(1-{count})" if count else "the book has no chapters")
        if last < first:
            raise ValueError(f"'{part}' in '{spec}' runs backwards; write {last}-{first}")
        chosen.update(range(first - 1, last))
    return tuple(sorted(chosen))


def format_chapters(chapters: Sequence[int]) -> str:
    """(0, 1, 2, 6) -> '1-3,7' (1-based, the form parse_chapters reads); '' for none."""
    numbers = sorted({c + 1 for c in chapters})
    runs: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if start is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ",".join(runs)


def describe(selection: ChapterSelection, count: int) -> str:
    """One line for the log: which chapters, and where the choice comes from."""
    where = {"given": "as given for this run", "window": "as checked in the chapter list", "saved": "as saved for this book",
             "default": "front and back matter left out" if len(selection.chapters) < count else "all"}
    return (f"Chapters {format_chapters(selection.chapters) or 'none'} of {count} "
            f"({len(selection.chapters)} selected, {where[selection.source]})")


# -- saved per book ---------------------------------------------------------------------------
def selection_file(job_dir: Path) -> Path:
    return Path(job_dir) / FILE_NAME


def read_selection(job_dir: Path, titles: Sequence[str]) -> tuple[tuple[int, ...] | None, str | None]:
    """(the saved chapters or None, a warning when a saved file could not be used). A file for
    another shape of the book (its chapters' titles differ) is ignored; a damaged one is copied
    aside (`selection.json.bak-…`) so nothing the user chose is lost."""
    path = selection_file(job_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"Cannot read the saved chapter selection '{path}' ({exc.strerror or exc}); using the default."
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict) or not isinstance(raw.get("selected"), list):
            raise ValueError('it has no "selected" list')
        selected = raw["selected"]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in selected):
            raise ValueError("its chapter numbers are not whole numbers")
    except (UnicodeDecodeError, ValueError) as exc:
        from backend.settings_store import backup_copy

        try:
            kept = f" A copy was kept as '{backup_copy(path, data).name}'."
        except OSError:
            kept = ""
        return None, f"The saved chapter selection '{path}' is damaged ({exc}); using the default.{kept}"
    if raw.get("titles") != list(titles):
        return None, ("The saved chapter selection was made for a different reading of this book (its chapters "
                      "changed); using the default.")
    if any(not 1 <= n <= len(titles) for n in selected):
        return None, f"The saved chapter selection '{path}' names chapters the book lacks; using the default."
    return tuple(sorted({n - 1 for n in selected})), None


def save_selection(job_dir: Path, titles: Sequence[str], chapters: Sequence[int]) -> Path:
    """Write selection.json atomically (an old file stays whole if this fails)."""
    path = selection_file(job_dir)
    bad = [c for c in chapters if not 0 <= c < len(titles)]
    if bad:
        raise ValueError(f"there is no chapter {bad[0] + 1}: the book has {len(titles)} chapters")
    text = json.dumps({"version": 1, "titles": list(titles), "selected": sorted({c + 1 for c in chapters})},
                      indent=2, ensure_ascii=False) + "\n"
    return save_text(path, text, "the chapter selection")


def clear_selection(job_dir: Path) -> bool:
    """Forget the saved selection (back to the default); True when there was one."""
    path = selection_file(job_dir)
    if not path.exists():
        return False
    path.unlink()
    return True


def chapter_titles(book) -> list[str]:
    """The titles a selection file is checked against (as the plan names the chapters)."""
    return [c.title or f"Chapter {n}" for n, c in enumerate(book.chapters, 1)]


def resolve_selection(book, job_dir: Path, given: Sequence[int] | None = None, source: str = "given") -> ChapterSelection:
    """The chapters to render: `given` (this run; `source` says by whom), else the saved selection,
    else the default."""
    count = len(book.chapters)
    if given is not None:
        bad = [c for c in given if not 0 <= c < count]
        if bad:
            raise ValueError(f"there is no chapter {bad[0] + 1}: the book has {count} chapters (1-{count})")
        return ChapterSelection(tuple(sorted(set(given))), source)
    saved, warning = read_selection(job_dir, chapter_titles(book))
    if saved is not None:
        return ChapterSelection(saved, "saved")
    return ChapterSelection(default_chapters(book.chapters), "default", warning)


def selection_progress(chapter_keys: Sequence[frozenset[str]], cached_keys: frozenset[str] | set[str],
                       chapters: Sequence[int]) -> tuple[int, int]:
    """(chunks cached, chunks to render) for the selected chapters; a text said in two chapters is
    rendered once, as the engine does."""
    keys: set[str] = set()
    for index in chapters:
        keys |= chapter_keys[index]
    return len(keys & cached_keys), len(keys)
