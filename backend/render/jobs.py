"""Where a book's cached render lives. Light on purpose (no torch): the window calls it on
its own thread."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from backend.settings import RenderSettings


def job_id(book_path: Path) -> str:
    """A stable folder name per book file: its name plus a hash of its bytes."""
    digest = hashlib.sha256(Path(book_path).read_bytes()).hexdigest()[:16]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(book_path).stem)[:40] or "book"
    return f"{stem}-{digest}"


def book_job_dir(book_path: Path, settings: RenderSettings) -> Path:
    return settings.cache_root() / "jobs" / job_id(book_path)


def clear_book_cache(book_path: Path, settings: RenderSettings) -> bool:
    """Delete everything cached for this book; True when there was something to delete."""
    folder = book_job_dir(book_path, settings)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True
