"""Every other e-book format Calibre reads (MOBI, AZW3, RTF, ODT, LIT…), through Calibre's
`ebook-convert`: the book is converted to an EPUB in a temporary folder and read as an EPUB
(with all of the EPUB reader's limits). Without Calibre the message says how to get it.

`ebook-convert` is looked for on PATH, then in Calibre's standard install folders (Linux,
macOS, Windows), or where AUDIOBOOK_EBOOK_CONVERT points.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .book import Book, BookError
from .epub_reader import read_epub
from .input_limits import MAX_FILE_BYTES, size_text

CALIBRE_EXTENSIONS = (
    ".mobi", ".azw", ".azw3", ".azw4", ".prc", ".pdb", ".rtf", ".odt", ".lit", ".lrf", ".chm", ".htmlz", ".txtz",
    ".snb", ".tcr", ".pml", ".rb",
)  # fmt: skip
CONVERT_TIMEOUT_S = 600
ENV_OVERRIDE = "AUDIOBOOK_EBOOK_CONVERT"
INSTALL_HINT = (
    "install Calibre (Debian or Ubuntu: sudo apt install calibre; Windows, macOS and other systems: "
    "https://calibre-ebook.com/download) and open the book again"
)


def standard_places() -> list[Path]:
    """Where Calibre's installers put ebook-convert."""
    places = [
        Path("/usr/bin/ebook-convert"),
        Path("/usr/local/bin/ebook-convert"),
        Path("/opt/calibre/ebook-convert"),
        Path("/Applications/calibre.app/Contents/MacOS/ebook-convert"),
    ]
    for variable, default in (("ProgramFiles", r"C:\Program Files"), ("ProgramFiles(x86)", r"C:\Program Files (x86)")):
        places.append(Path(os.environ.get(variable) or default) / "Calibre2" / "ebook-convert.exe")
    return places


def find_ebook_convert() -> Path | None:
    override = os.environ.get(ENV_OVERRIDE)
    if override and Path(override).is_file():
        return Path(override)
    found = shutil.which("ebook-convert")
    if found:
        return Path(found)
    return next((p for p in standard_places() if p.is_file() and os.access(p, os.X_OK)), None)


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"


def read_with_calibre(path: Path, *, footnotes: str = "skip") -> Book:
    kind = path.suffix.lstrip(".").upper() or "this kind of"
    exe = find_ebook_convert()
    if exe is None:
        raise BookError(path, f"{kind} books are read through Calibre's ebook-convert, which is not installed: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="audiobook-calibre-") as folder:
        target = Path(folder) / "book.epub"
        try:
            proc = subprocess.run(
                [str(exe), str(path), str(target)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=CONVERT_TIMEOUT_S,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0,
            )
        except subprocess.TimeoutExpired:
            limit = f"{CONVERT_TIMEOUT_S // 60} minutes" if CONVERT_TIMEOUT_S >= 120 else f"{CONVERT_TIMEOUT_S} seconds"
            raise BookError(path, f"Calibre took more than {limit} to convert it and was stopped") from None
        except OSError as exc:
            raise BookError(path, f"Calibre's ebook-convert ({exe}) could not be started ({exc.strerror or exc})") from None
        output = f"{proc.stdout}\n{proc.stderr}"
        if "DRMError" in output or "locked with DRM" in output:
            raise BookError(path, "it is protected by DRM (Calibre cannot convert it)")
        if proc.returncode != 0 or not target.is_file():
            raise BookError(path, f"Calibre could not convert it ({_last_line(proc.stderr or proc.stdout)})")
        size = target.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BookError(path, f"Calibre made an EPUB of {size_text(size)} from it, over the {size_text(MAX_FILE_BYTES)} limit")
        book = read_epub(path, target.read_bytes(), footnotes=footnotes)
    book.warnings.append(f"'{path.name}' was converted from {kind} to EPUB with Calibre ({exe}).")
    return book
