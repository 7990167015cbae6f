"""Turn the raw bytes of a plain-text file (.txt, .md) into a str.

Order: BOMs first (they are unambiguous), then strict UTF-8, then the
legacy Windows encoding most old e-texts use, then latin-1 which never fails.
Guessed encodings come back with a warning so the user knows why a few
characters might look wrong."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .book import BookError

_BOMS = (
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 controls other than tab, newline, vertical tab, form feed, carriage return.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows up as NULs in every other byte of ASCII
    text; recognise that instead of calling the file binary."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode_text_file(path: Path, data: bytes, warnings: list[str]) -> str:
    """Decode `data` read from `path`; append guesses to `warnings`.
    Raises BookError for empty, binary or undecodable content."""
    if not data:
        raise BookError(path, "the file is empty")

    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise BookError(
                    path, f"it starts like {encoding.upper()} text but is not valid {encoding.upper()}"
                ) from None
            break

    if text is None and b"\x00" in data:
        encoding = _guess_bomless_utf16(data)
        if encoding is None:
            raise BookError(path, "it looks like a binary file, not text")
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise BookError(path, "it looks like a binary file, not text") from None
        warnings.append(f"'{path.name}' has no byte-order mark; read it as {encoding.upper()}.")

    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text = data.decode("cp1252")
            warnings.append(
                f"'{path.name}' is not UTF-8; read it as Windows-1252 (cp1252). "
                "Some characters may be wrong."
            )
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            warnings.append(
                f"'{path.name}' is not UTF-8; read it as Latin-1 (ISO-8859-1). "
                "Some characters may be wrong."
            )

    # Text files have almost no control characters; many of them mean binary
    # data that happened to decode.
    if len(_CONTROL_CHARS.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise BookError(path, "it looks like a binary file, not text")

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BookError(path, "the file contains no text, only blank space")
    return text
