"""Pronunciation lexicon files: the global one in the user config folder, one per book (beside the
book's cached render), and any the user adds (`--lexicon FILE`, Import…). Later layers win:
global, then added files, then the book's.

A damaged file is never silently dropped: it is copied beside itself and LexiconFileError says so;
the caller asks the user (window) or stops (CLI) before rendering without it.
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.atomic_file import save_text
from backend.render.jobs import book_job_dir
from backend.settings import RenderSettings
from backend.settings_store import backup_copy, settings_path
from backend.text.lexicon import Lexicon, LexiconError, entry_from_json

FILE_NAME = "lexicon.json"


class LexiconFileError(ValueError):
    def __init__(self, path: Path, reason: str, backup: Path | None = None):
        self.path, self.reason, self.backup = Path(path), reason, backup
        kept = f" A copy was saved as '{backup.name}'." if backup else ""
        super().__init__(f"The pronunciation lexicon '{self.path}' cannot be used: {reason}.{kept}")


def global_lexicon_path() -> Path:
    return settings_path().parent / FILE_NAME


def book_lexicon_path(book_path: Path, settings: RenderSettings) -> Path:
    return book_job_dir(book_path, settings) / FILE_NAME


def lexicon_from_json_text(text: str) -> Lexicon:
    """Raises ValueError (bad JSON) or LexiconError (an entry, named)."""
    data = json.loads(text)
    entries = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise LexiconError('it has no "entries" list')
    return Lexicon(entry_from_json(item, f"#{n}") for n, item in enumerate(entries, 1))


def read_lexicon(path: Path, *, missing_ok: bool = True) -> Lexicon:
    """The lexicon in `path` (empty when the file does not exist and missing_ok)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return Lexicon()
        raise LexiconFileError(path, "the file does not exist") from None
    except OSError as exc:
        raise LexiconFileError(path, exc.strerror or str(exc)) from exc
    try:
        return lexicon_from_json_text(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        reason = str(exc) if isinstance(exc, LexiconError) else f"it is not valid JSON ({exc})"
        try:
            backup = backup_copy(path, data)
        except OSError:
            backup = None
        raise LexiconFileError(path, reason.rstrip("."), backup) from exc


def write_lexicon(path: Path, lexicon: Lexicon) -> Path:
    """Atomically: a failed write leaves the old file as it was."""
    path = Path(path)
    return save_text(path, json.dumps(lexicon.to_json(), indent=2, ensure_ascii=False) + "\n", "the pronunciations")


def lexicon_layers(book_path: Path | None, settings: RenderSettings,
                   extra: list[Path] | tuple[Path, ...] = ()) -> list[Path]:
    paths = [global_lexicon_path(), *map(Path, extra)]
    if book_path is not None:
        paths.append(book_lexicon_path(book_path, settings))
    return paths


def load_lexicons(book_path: Path | None, settings: RenderSettings, extra=(), *, skip_damaged: bool = False,
                  skip=()) -> Lexicon:
    """All layers for a book. Added files must exist; a damaged layer raises LexiconFileError
    unless skip_damaged (the user agreed to render without it). `skip`: files the user agreed to
    leave out by name (the window asks about each damaged one in turn)."""
    layers, skipped = [], set(map(Path, skip))
    for path in lexicon_layers(book_path, settings, extra):
        if path in skipped:
            continue
        try:
            layers.append(read_lexicon(path, missing_ok=path not in map(Path, extra)))
        except LexiconFileError:
            if not skip_damaged:
                raise
    return Lexicon.layered(*layers)
