"""Write-then-rename for every file the renderer produces: a crash or a full disk never
leaves a half-written file under the real name, and an existing file stays intact."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: os.umask can only be read by setting it


# What replacing() names its temporary files by default: ".<target name>.<8 random>.<suffix>".
_OWN_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.(tmp|partial)$")


def remove_stale_temps(folder: Path) -> int:
    """Delete temporary files a killed run left in `folder` (only names replacing() makes)."""
    removed = 0
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and _OWN_TEMP.match(path.name):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed


def fsync_dir(folder: Path) -> None:
    """Make a rename durable. POSIX only; some filesystems refuse, which is harmless."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def replacing(target: Path, *, prefix: str | None = None, suffix: str = ".tmp", private: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; when the block succeeds it is fsynced, given
    normal permissions (mkstemp makes 0600; `private` keeps that) and renamed over `target`.
    When the block fails the temporary file is removed and the error propagates."""
    target = Path(target)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix or f".{target.name}.", suffix=suffix)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        if not private:
            os.chmod(temp, 0o666 & ~_UMASK)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(target.parent)


def save_text(path: Path, text: str, what: str | None = None) -> Path:
    """Write `text` (UTF-8) to `path` atomically, making its folder. With `what` ("the settings"),
    an OSError says "Cannot save {what} to '{path}': {reason}"; without, it propagates as it is."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as temp:
            temp.write_text(text, encoding="utf-8")
    except OSError as exc:
        if what is None:
            raise
        raise OSError(f"Cannot save {what} to '{path}': {exc.strerror or exc}") from exc
    return path
