"""Per-book fixes of single chunks: say other text, or take another seed, without editing the book.

Saved beside the book's cached render (`overrides.json` in its job folder) by the window's Review
view and `audiobook rerender`. An override names its chunk by chapter, the chunk's text as planned
from the book and which occurrence of that text in the chapter it is; when the book's text (or the
chunk length) changes so that no chunk matches, the override is stale: listed, never applied to
another sentence. Each override keeps the one it replaced, so Undo restores the previous take (still
in the cache: nothing renders). The text and seed are part of the chunk's cache key.
Light on purpose (no torch): the window reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from backend.atomic_file import save_text

FILE_NAME = "overrides.json"


@dataclass(frozen=True)
class ChunkOverride:
    chapter: int  # 0-based
    original: str  # the chunk's text as planned from the book
    occurrence: int  # 0: the first chunk with this text in the chapter
    text: str | None = None  # what to say instead; None: the original
    seed: int | None = None  # the take's seed; None: the planned one
    previous: ChunkOverride | None = None  # what Undo restores (None: no override)

    @property
    def identity(self) -> tuple[int, str, int]:
        return self.chapter, self.original, self.occurrence

    def describe(self) -> str:
        parts = ([f'says "{self.text}"'] if self.text is not None else []) + ([f"seed {self.seed}"] if self.seed is not None else [])
        return ", ".join(parts) or "as planned"

    def to_json(self) -> dict:
        data = {"chapter": self.chapter, "original": self.original, "occurrence": self.occurrence, "text": self.text,
                "seed": self.seed}
        if self.previous is not None:
            data["previous"] = self.previous.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict) -> ChunkOverride:
        if not isinstance(data, dict):
            raise ValueError("an override is not an object")
        chapter, original, occurrence = data.get("chapter"), data.get("original"), data.get("occurrence", 0)
        text, seed = data.get("text"), data.get("seed")
        if not (isinstance(chapter, int) and chapter >= 0 and isinstance(original, str) and isinstance(occurrence, int)):
            raise ValueError("an override lacks its chapter, original text or occurrence")
        if not (text is None or isinstance(text, str)) or not (seed is None or isinstance(seed, int)):
            raise ValueError(f"the override of '{original[:40]}' has a bad text or seed")
        previous = cls.from_json(data["previous"]) if data.get("previous") is not None else None
        return cls(chapter, original, occurrence, text, seed, previous)


def chunk_identities(chunks) -> list[tuple[int, str, int]]:
    """(chapter, text, occurrence) of each chunk (backend.text.Chunk) of a plan, in order."""
    seen: dict[tuple[int, str], int] = {}
    identities = []
    for chunk in chunks:
        n = seen.get((chunk.chapter_index, chunk.text), 0)
        seen[(chunk.chapter_index, chunk.text)] = n + 1
        identities.append((chunk.chapter_index, chunk.text, n))
    return identities


def overrides_file(job_dir: Path) -> Path:
    return Path(job_dir) / FILE_NAME


def read_overrides(job_dir: Path) -> tuple[dict[tuple[int, str, int], ChunkOverride], str | None]:
    """The book's overrides by chunk identity, and a warning when the file could not be used (a
    damaged file is copied aside; the render goes on without its fixes)."""
    path = overrides_file(job_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"Cannot read the chunk fixes '{path}' ({exc.strerror or exc}); rendering without them."
    try:
        raw = json.loads(data.decode("utf-8"))
        entries = [ChunkOverride.from_json(item) for item in (raw.get("chunks") if isinstance(raw, dict) else None) or []]
    except (UnicodeDecodeError, ValueError, AttributeError) as exc:
        from backend.settings_store import backup_copy

        try:
            kept = f" A copy was kept as '{backup_copy(path, data).name}'."
        except OSError:
            kept = ""
        return {}, f"The chunk fixes '{path}' are damaged ({exc}); rendering without them.{kept}"
    return {entry.identity: entry for entry in entries}, None


def save_overrides(job_dir: Path, overrides: dict[tuple[int, str, int], ChunkOverride]) -> None:
    entries = sorted(overrides.values(), key=lambda o: (o.chapter, o.original, o.occurrence))
    save_text(overrides_file(job_dir), json.dumps({"version": 1, "chunks": [o.to_json() for o in entries]},
                                                  ensure_ascii=False, indent=1) + "\n", "the chunk fixes")


def set_override(job_dir: Path, identity: tuple[int, str, int], text: str | None = None, seed: int | None = None,
                 keep_text: bool = True) -> ChunkOverride:
    """Give the chunk `identity` new text and/or a new seed (over any override it had, which Undo
    restores). With keep_text, a new seed keeps the chunk's overridden text."""
    overrides, _ = read_overrides(job_dir)
    current = overrides.get(identity)
    if text is not None:
        text = " ".join(text.split())
        if not text:
            raise ValueError("The new text is empty: type what the chunk should say (or Undo).")
        if text == identity[1]:
            text = None
    if text is None and keep_text and current is not None:
        text = current.text
    if seed is None and current is not None and text == current.text:
        seed = current.seed
    new = ChunkOverride(*identity, text=text, seed=seed, previous=current)
    overrides[identity] = new
    save_overrides(job_dir, overrides)
    return new


def undo_override(job_dir: Path, identity: tuple[int, str, int]) -> ChunkOverride | None:
    """Restore what the chunk had before its last change; returns it (None: the book's own text and
    seed). ValueError when there is nothing to undo."""
    overrides, _ = read_overrides(job_dir)
    current = overrides.get(identity)
    if current is None:
        raise ValueError("This chunk has no fix to undo: it is read as the book says.")
    if current.previous is None:
        del overrides[identity]
    else:
        overrides[identity] = current.previous
    save_overrides(job_dir, overrides)
    return overrides.get(identity)


def next_seed(planned_seed: int, current: ChunkOverride | None) -> int:
    """A new take's seed: one past the seed in use (seeds are 63-bit; it wraps)."""
    seed = current.seed if current is not None and current.seed is not None else planned_seed
    return (seed + 1) % (1 << 63)



def fixes_for_render(job_dir: Path, log) -> dict[tuple[int, str, int], ChunkOverride]:
    """The book's overrides for a render; `log(message, level)` hears a damaged file's warning."""
    overrides, warning = read_overrides(job_dir)
    if warning:
        log(warning, "warning")
    return overrides


def describe_fixes(plan) -> list[tuple[str, str]]:
    """(message, level) lines for the log: the fixes applied and the stale ones."""
    applied = sum(1 for pc in plan.chunks if pc.override is not None)
    plural = "s" if applied != 1 else ""
    lines = [(f"Chunk fixes: {applied} chunk{plural} of this book read with your fix{'es' if plural else ''} (new text "
              "or another take; see Review or 'audiobook review').", "info")] if applied else []
    for stale in plan.stale:
        lines.append((f"A chunk fix is stale and not applied: chapter {stale.chapter + 1} no longer has the text "
                      f"\"{stale.original[:60]}\" (the book or the chunk length changed); it {stale.describe()}.", "warning"))
    return lines
