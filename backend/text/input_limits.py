"""Sane bounds on what a book file may make us read, checked before the work is done.

A hostile file is small on disk and huge once unpacked: a 3 MB EPUB whose one XHTML file
inflates to 3 GB, a PDF stream that inflates a thousandfold, a text of billions of characters.
Every reader checks these limits and refuses such a file with a BookError that names the limit,
before it reads the content into memory.

The limits (real books are far below every one of them):
- a book file: at most 1 GiB on disk, and a text-like file (txt, md, html, fb2) at most 256 MiB;
- a zip archive (EPUB, DOCX): at most 10,000 entries listed in at most 8 MiB of central directory
  (checked from the end record, before the directory is parsed); each entry unpacks to at most
  256 MiB and all of them together to at most 1 GiB, as the central directory declares them;
  an entry over 1 MiB unpacked may be at most 100 times its packed size (text packs 3 to 10
  times, a zip bomb about 1,000 times); a read stops at the declared size and at 256 MiB even
  where the archive lies about it;
- a PDF: at most 5,000 pages; one stream decodes to at most 64 MiB and all of a document's
  decoded streams to at most 1 GiB;
- the text of a book: at most 25 million characters (about 500 hours of speech).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from .book import Book, BookError

MIB = 1024 * 1024
GIB = 1024 * MIB

MAX_FILE_BYTES = 1 * GIB
MAX_TEXT_FILE_BYTES = 256 * MIB
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 8 * MIB
MAX_ZIP_ENTRY_BYTES = 256 * MIB
MAX_ZIP_TOTAL_BYTES = 1 * GIB
MAX_ZIP_RATIO = 100
ZIP_RATIO_FLOOR_BYTES = 1 * MIB  # smaller entries may pack as well as they like
MAX_PDF_PAGES = 5_000
MAX_PDF_STREAM_BYTES = 64 * MIB
MAX_PDF_DECODED_BYTES = 1 * GIB
MAX_BOOK_CHARS = 25_000_000

_READ_BLOCK = 1 * MIB
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)


def size_text(count: int) -> str:
    """A byte count in plain words, in units of 1024 as file managers show them: '3 GB',
    '2.5 MB', '12 bytes'."""
    for unit, size in (("GB", GIB), ("MB", MIB), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def check_file_size(path: Path, size: int, *, text_like: bool) -> None:
    limit = MAX_TEXT_FILE_BYTES if text_like else MAX_FILE_BYTES
    if size > limit:
        kind = "a text file" if text_like else "a book file"
        raise BookError(path, f"it is {size_text(size)}, more than the {size_text(limit)} this program reads as {kind}")


def check_book_text(book: Book, path: Path) -> None:
    """Refuse a book whose text would take longer to speak than any real book."""
    chars = sum(len(c.title) + sum(len(p) for p in c.paragraphs) for c in book.chapters)
    if chars > MAX_BOOK_CHARS:
        raise BookError(
            path,
            f"it holds {chars / 1e6:.0f} million characters of text, more than the {MAX_BOOK_CHARS // 1_000_000} million "
            "(about 500 hours of speech) this program reads in one book; split it into parts",
        )


def check_zip_directory(data: bytes, path: Path, kind: str) -> None:
    """Refuse an archive whose central directory is too large to even list, from its end record,
    before zipfile parses it (zipfile reads the whole directory, whatever the entry count says)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # not a zip, or a damaged one: zipfile says so
    entries, directory = struct.unpack_from("<HI", data, end + 10)
    locator = end - 20
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[record : record + 4] == b"PK\x06\x06" and record + 56 <= len(data):
            entries, directory = struct.unpack_from("<QQ", data, record + 32)
    if entries > MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY_BYTES:
        raise BookError(
            path,
            f"it is not a plausible {kind}: its archive lists {entries:,} files in a directory of {size_text(directory)} "
            f"(the limits are {MAX_ZIP_ENTRIES:,} files and {size_text(MAX_ZIP_DIRECTORY_BYTES)})",
        )


def check_zip(zf: zipfile.ZipFile, path: Path, kind: str) -> None:
    """Refuse a zip bomb from its central directory, before anything is unpacked."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise BookError(
            path, f"it is not a plausible {kind}: its archive holds {len(infos):,} files (the limit is {MAX_ZIP_ENTRIES:,})"
        )
    total = 0
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > ZIP_RATIO_FLOOR_BYTES and ratio > MAX_ZIP_RATIO:
            raise BookError(
                path,
                f"it looks like a zip bomb: '{info.filename}' would unpack from {size_text(info.compress_size)} to "
                f"{size_text(info.file_size)}, {ratio:,.0f} times its packed size (the limit is {MAX_ZIP_RATIO} times)",
            )
        if info.file_size > MAX_ZIP_ENTRY_BYTES:
            raise BookError(
                path,
                f"it is not a plausible {kind}: '{info.filename}' would unpack to {size_text(info.file_size)} "
                f"(the limit is {size_text(MAX_ZIP_ENTRY_BYTES)} a file)",
            )
        total += info.file_size
    if total > MAX_ZIP_TOTAL_BYTES:
        raise BookError(
            path,
            f"it is not a plausible {kind}: its files would unpack to {size_text(total)} "
            f"(the limit is {size_text(MAX_ZIP_TOTAL_BYTES)})",
        )


def read_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, kind: str) -> bytes:
    """Unpack one entry block by block, stopping at its declared size and at the entry limit
    even if the archive lies about its sizes (zipfile itself stops at the declared size and then
    finds the checksum wrong)."""
    limit = min(info.file_size, MAX_ZIP_ENTRY_BYTES)
    blocks: list[bytes] = []
    got = 0
    try:
        with zf.open(info) as member:
            while True:
                block = member.read(min(_READ_BLOCK, limit + 1 - got))
                if not block:
                    break
                got += len(block)
                if got > limit:
                    raise BookError(path, f"it is a damaged {kind}: '{info.filename}' unpacks to more than it declares")
                blocks.append(block)
    except BookError:
        raise
    except _ZIP_ERRORS as exc:
        raise BookError(path, f"it is a damaged {kind} ('{info.filename}' cannot be unpacked: {exc})") from None
    return b"".join(blocks)
