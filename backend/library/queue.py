"""The render queue: books waiting to be rendered, one after another, each with the settings it
was added with. One file (`queue.json` in the user data folder) shared by the window and the
CLI, written atomically; a lock file keeps two processes from running it at once. Running it
again resumes: the book it was on renders only what its cache lacks. A book that fails fails
alone, with its message; the queue goes on.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from backend.atomic_file import save_text

STATUSES = ("waiting", "rendering", "done", "failed", "stopped")
TO_RUN = ("waiting", "rendering", "stopped")  # "rendering": the run that had it was killed


def queue_folder() -> Path:
    override = os.environ.get("AUDIOBOOK_QUEUE_DIR")  # tests and portable installs
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    from backend.settings import APP_NAME

    return Path(user_data_dir(APP_NAME))


@dataclass
class QueueEntry:
    book: str  # absolute path
    settings: dict  # RenderSettings as it was when the book was added
    output: str | None = None  # None: beside the book, "<stem> audiobook"
    status: str = "waiting"
    message: str = ""  # why it failed, or how far it got
    done: int = 0  # chunks rendered or reused, of
    total: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    added: float = field(default_factory=time.time)

    @property
    def name(self) -> str:
        return Path(self.book).name

    @property
    def book_path(self) -> Path:
        return Path(self.book)

    def output_dir(self) -> Path:
        return Path(self.output) if self.output else Path(self.book).parent / f"{Path(self.book).stem} audiobook"

    def render_settings(self):
        """The entry's settings; ValueError when they are no longer valid (a newer version's keys)."""
        from backend.settings import RenderSettings

        known = {k: v for k, v in self.settings.items() if k in RenderSettings.__dataclass_fields__}
        return RenderSettings(**known)

    def describe(self) -> str:
        state = {"rendering": f"rendering {self.done}/{self.total}" if self.total else "rendering"}.get(self.status, self.status)
        return f"{state}{': ' + self.message if self.message else ''}"


class QueueError(ValueError):
    """Something the user asked of the queue cannot be done; the message says why."""


def queue_file() -> Path:
    return queue_folder() / "queue.json"


def load_queue() -> list[QueueEntry]:
    """The queue; a damaged file is copied aside and an empty queue returned with the reason raised
    as QueueError only when writing would lose it (load never destroys it)."""
    path = queue_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise QueueError(f"The render queue '{path}' cannot be read ({exc}). Move it aside to start a new one.") from exc
    try:
        entries = [QueueEntry(**{k: v for k, v in item.items() if k in QueueEntry.__dataclass_fields__})
                   for item in raw.get("entries", [])]
    except (AttributeError, TypeError) as exc:
        raise QueueError(f"The render queue '{path}' is damaged ({exc}). Move it aside to start a new one.") from exc
    return [replace(e, status=e.status if e.status in STATUSES else "waiting") for e in entries]


def save_queue(entries: list[QueueEntry]) -> None:
    save_text(queue_file(), json.dumps({"version": 1, "entries": [asdict(e) for e in entries]}, indent=1) + "\n",
              "the render queue")


def add_books(books, settings, output: str | None = None) -> list[QueueEntry]:
    """Add books (each a file that exists) with these settings; returns the new entries."""
    entries = load_queue()
    added = []
    for book in books:
        path = Path(book).expanduser()
        if not path.is_file():
            raise QueueError(f"'{book}' is not a file: nothing was added.")
        added.append(QueueEntry(str(path.resolve()), asdict(settings), output))
    save_queue(entries + added)
    return added


def remove_entry(number: int) -> QueueEntry:
    entries = load_queue()
    _check_number(number, entries)
    if entries[number - 1].status == "rendering" and QueueLock.held_by_other():
        raise QueueError(f"Book {number} is rendering now: stop the queue first.")
    removed = entries.pop(number - 1)
    save_queue(entries)
    return removed


def move_entry(number: int, to: int) -> None:
    entries = load_queue()
    _check_number(number, entries)
    _check_number(to, entries)
    entries.insert(to - 1, entries.pop(number - 1))
    save_queue(entries)


def reorder(ids: list[str]) -> None:
    """Put the entries in the order of `ids` (the window's list after a drag); entries the list did
    not know of (added meanwhile by the CLI) keep their place at the end."""
    entries = load_queue()
    by_id = {e.id: e for e in entries}
    ordered = [by_id.pop(i) for i in ids if i in by_id]
    save_queue(ordered + [e for e in entries if e.id in by_id])


def update_settings(entry_id: str, settings) -> None:
    """New settings for a waiting book (QueueError once it started: its chunks are keyed by them)."""
    entries = load_queue()
    entry = next((e for e in entries if e.id == entry_id), None)
    if entry is None:
        raise QueueError("That book is no longer in the queue.")
    if entry.status != "waiting":
        raise QueueError(f"{entry.name} is {entry.status}: only a waiting book's settings can change.")
    save_queue([replace(e, settings=asdict(settings)) if e.id == entry_id else e for e in entries])


def book_files(folder: Path, suffixes) -> list[Path]:
    """The books directly in `folder` (by suffix), sorted by name."""
    return sorted((p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in suffixes),
                  key=lambda p: p.name.lower())


def _check_number(number: int, entries) -> None:
    if not 1 <= number <= len(entries):
        raise QueueError(f"There is no book {number} in the queue ({len(entries)} book{'s' if len(entries) != 1 else ''}; "
                         "see 'audiobook queue list').")


class QueueLock:
    """Held while a process runs the queue: `queue.lock` with its pid, made with O_EXCL. A lock whose
    process is gone (killed) is taken over."""

    def __init__(self) -> None:
        self.path = queue_folder() / "queue.lock"
        self.held = False

    @classmethod
    def held_by_other(cls) -> bool:
        pid = cls()._owner()
        return pid is not None and pid != os.getpid() and _alive(pid)

    def _owner(self) -> int | None:
        try:
            return int(self.path.read_text(encoding="utf-8").strip() or 0) or None
        except (OSError, ValueError):
            return None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = self._owner()
                if pid is not None and _alive(pid):
                    raise QueueError(f"The render queue is already running (process {pid}, in the window or another "
                                     "'audiobook queue run'). Stop it there first.") from None
                self.path.unlink(missing_ok=True)  # its process is gone: the lock is stale
                continue
            with os.fdopen(fd, "w") as f:
                f.write(str(os.getpid()))
            self.held = True
            return
        raise QueueError(f"Cannot take the render queue's lock '{self.path}'.")

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
