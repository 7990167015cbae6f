"""Book details the user edits (title, author, narrator, year, genre, description, cover), saved per
book beside its cached render (`details.json` and `cover.jpg`/`cover.png` in the book's job
folder) and used by every output: the M4B's tags, the chapter files' tags, the MP3s, the credits,
the read-along EPUB. The book file itself is never changed. An empty field means "as the book says"
(the narrator: the `narrator` setting, else the voice's name).

Light on purpose (no torch, no Qt): the window calls it on its own thread.
"""

from __future__ import annotations

import dataclasses
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from backend.atomic_file import replacing

FILE_NAME = "details.json"
COVER_STEM = "cover"
MIN_COVER_SIDE = 2400  # ACX/Audible, Findaway and Google Play want a square cover of at least 2400 × 2400
MAX_COVER_BYTES = 20 * 1024 * 1024
FIELDS = ("title", "author", "narrator", "year", "genre", "description")
_LIMITS = {"title": 500, "author": 500, "narrator": 200, "year": 4, "genre": 100, "description": 10_000}


@dataclass(frozen=True)
class DetailEdits:
    title: str | None = None
    author: str | None = None
    narrator: str | None = None
    year: str | None = None
    genre: str | None = None
    description: str | None = None
    cover: str | None = None  # a picture file: in the job folder (saved), or any path (a run's --cover)

    def merged(self, other: DetailEdits) -> DetailEdits:
        """These edits with every field `other` sets (not None) on top; a narrator of '' there
        means the voice's name."""
        return dataclasses.replace(self, **{k: v for k, v in dataclasses.asdict(other).items() if v is not None})


@dataclass(frozen=True)
class Picture:
    data: bytes
    mime: str  # image/jpeg or image/png
    width: int
    height: int

    @property
    def size_text(self) -> str:
        return f"{self.width} × {self.height} px"


def cover_warning(width: int, height: int) -> str | None:
    """What distributors will say about a cover of this size, or None when it is fine."""
    if min(width, height) < MIN_COVER_SIDE:
        return (f"The cover is {width} × {height} pixels; ACX/Audible and other distributors want at least "
                f"{MIN_COVER_SIDE} × {MIN_COVER_SIDE}.")
    if width != height:
        return f"The cover is {width} × {height} pixels; distributors want a square picture."
    return None


# -- pictures ---------------------------------------------------------------------------------
def picture_size(data: bytes) -> tuple[str, int, int]:
    """(mime, width, height) of a JPEG or PNG from its header. ValueError for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 4 <= len(data):
            if data[pos] != 0xFF:
                break
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte
                pos += 1
                continue
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
                pos += 2
                continue
            (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
            # SOF0-SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and pos + 9 <= len(data):
                height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
                return "image/jpeg", width, height
            pos += 2 + length
        raise ValueError("it looks like a JPEG but its size cannot be read (is it damaged?)")
    raise ValueError("it is not a JPEG or PNG picture")


def read_picture(path: str | Path) -> Picture:
    """A cover picture from a file; ValueError naming the file and the problem."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_COVER_BYTES:
            raise ValueError(f"Cannot use '{path.name}' as the cover: it is larger than "
                             f"{MAX_COVER_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"Cannot use '{path}' as the cover: the file does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"Cannot use '{path}' as the cover: it is a folder") from None
    except OSError as exc:
        raise ValueError(f"Cannot use '{path}' as the cover: {exc.strerror or exc}") from None
    try:
        mime, width, height = picture_size(data)
    except ValueError as exc:
        raise ValueError(f"Cannot use '{path.name}' as the cover: {exc}") from None
    if not width or not height:
        raise ValueError(f"Cannot use '{path.name}' as the cover: it has no pixels")
    return Picture(data, mime, width, height)


# -- checking what the user typed -------------------------------------------------------------
def clean_edits(edits: DetailEdits) -> DetailEdits:
    """Trimmed edits (blank: None), or ValueError saying which field is wrong and why."""
    values = {}
    for name in FIELDS:
        value = getattr(edits, name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"the {name} must be text")
        value = (value or "").strip() if name == "description" else " ".join((value or "").split())
        if len(value) > _LIMITS[name]:
            raise ValueError(f"the {name} is too long (at most {_LIMITS[name]:,} characters)")
        values[name] = value or None
    if values["year"] is not None and not re.fullmatch(r"\d{4}", values["year"]):
        raise ValueError(f"the year must be four digits, such as 2024 (not '{values['year']}')")
    return DetailEdits(**values, cover=edits.cover or None)


# -- saved per book -----------------------------------------------------------------------------
def details_file(job_dir: Path) -> Path:
    return Path(job_dir) / FILE_NAME


def read_details(job_dir: Path) -> tuple[DetailEdits, str | None]:
    """The saved edits (none: DetailEdits()) and a warning when the file could not be used; a
    damaged file is copied aside so nothing typed is lost."""
    path = details_file(job_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return DetailEdits(), None
    except OSError as exc:
        return DetailEdits(), f"Cannot read the book details '{path}' ({exc.strerror or exc}); using the book's own."
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("it is not a JSON object")
        edits = clean_edits(DetailEdits(**{k: raw.get(k) for k in FIELDS}))
        cover = raw.get("cover")
        if cover is not None and (not isinstance(cover, str) or Path(cover).name != cover):
            raise ValueError("its cover is not a file name")
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        from backend.settings_store import backup_copy

        try:
            kept = f" A copy was kept as '{backup_copy(path, data).name}'."
        except OSError:
            kept = ""
        return DetailEdits(), f"The book details '{path}' are damaged ({exc}); using the book's own.{kept}"
    if cover and not (Path(job_dir) / cover).is_file():
        return dataclasses.replace(edits, cover=None), f"The chosen cover '{cover}' is missing; using the book's own."
    return dataclasses.replace(edits, cover=str(Path(job_dir) / cover) if cover else None), None


def save_details(job_dir: Path, edits: DetailEdits, picture: Picture | None = None,
                 keep_cover: bool = False) -> DetailEdits:
    """Write details.json (and the chosen cover, copied into the job folder) atomically. `picture`:
    a newly chosen cover; `keep_cover`: keep the one saved before; neither: the book's own."""
    edits = clean_edits(edits)
    folder = Path(job_dir)
    cover_name = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if picture is not None:
            cover_name = COVER_STEM + (".png" if picture.mime == "image/png" else ".jpg")
            with replacing(folder / cover_name) as temp:
                temp.write_bytes(picture.data)
        elif keep_cover and edits.cover:
            cover_name = Path(edits.cover).name
        data = {"version": 1, **{k: getattr(edits, k) for k in FIELDS}, "cover": cover_name}
        with replacing(details_file(folder)) as temp:
            temp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for old in folder.glob(f"{COVER_STEM}.*"):  # a cover chosen before and no longer used
            if old.name != cover_name and old.suffix in (".jpg", ".png"):
                old.unlink(missing_ok=True)
    except OSError as exc:
        raise OSError(f"Cannot save the book details in '{folder}': {exc.strerror or exc}") from exc
    return dataclasses.replace(edits, cover=str(folder / cover_name) if cover_name else None)


def apply_details(book, edits: DetailEdits):
    """A copy of `book` with the edited details in place of its own (the narrator is not a book
    field: the render takes it from the edits). ValueError when the cover file cannot be used."""
    changes = {k: getattr(edits, k) for k in ("title", "author", "year", "genre", "description") if getattr(edits, k)}
    if edits.cover:
        picture = read_picture(edits.cover)
        changes.update(cover=picture.data, cover_mime=picture.mime)
    return dataclasses.replace(book, **changes) if changes else book
