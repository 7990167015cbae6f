"""Bounded stream decoding for pdfminer.six.

pdfminer has no limit of its own: `zlib.decompress` inflates a stream whole (a 1 MB stream can
become 1 GB), its repair path for damaged streams grows a bytes object one input byte at a time,
and its LZW and run-length decoders build their whole output too. This module replaces exactly
those four names inside `pdfminer.pdftypes` with versions that decode block by block and stop
at the limits of input_limits (a stream at most MAX_PDF_STREAM_BYTES; while `decode_budget()` is
active, all streams together at most MAX_PDF_DECODED_BYTES), raising PdfLimitError. Everything
else pdfminer does is untouched. Installed on import, once.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import zlib
from collections.abc import Iterator

from pdfminer import lzw, pdftypes

from .input_limits import MAX_PDF_DECODED_BYTES, MAX_PDF_STREAM_BYTES, size_text

_BLOCK = 1 << 20
_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("pdf_decode_budget", default=None)


class PdfLimitError(Exception):
    """A stream (or all of a document's streams) would decode beyond the limits."""


def _over_stream_limit() -> PdfLimitError:
    return PdfLimitError(f"one of its streams decodes to more than {size_text(MAX_PDF_STREAM_BYTES)}, the limit for a stream")


def _charge(count: int) -> None:
    if count > MAX_PDF_STREAM_BYTES:
        raise _over_stream_limit()
    budget = _budget.get()
    if budget is not None:
        budget[0] -= count
        if budget[0] < 0:
            raise PdfLimitError(f"its streams decode to more than {size_text(MAX_PDF_DECODED_BYTES)} in all, the limit for a PDF")


@contextlib.contextmanager
def decode_budget() -> Iterator[None]:
    """Count every stream decoded inside the block against MAX_PDF_DECODED_BYTES."""
    token = _budget.set([MAX_PDF_DECODED_BYTES])
    try:
        yield
    finally:
        _budget.reset(token)


def _inflate(data: bytes, wbits: int = zlib.MAX_WBITS) -> bytes:
    inflater = zlib.decompressobj(wbits)
    out: list[bytes] = []
    total = 0
    pending = data
    while pending and not inflater.eof:
        block = inflater.decompress(pending, _BLOCK)
        total += len(block)
        if total > MAX_PDF_STREAM_BYTES:
            raise _over_stream_limit()
        out.append(block)
        pending = inflater.unconsumed_tail
    if not inflater.eof:
        raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
    result = b"".join(out)
    _charge(len(result))
    return result


class _BoundedInflater:
    """zlib.decompressobj() whose output, all calls together, stays under the stream limit."""

    def __init__(self, *args: object) -> None:
        self._inner = zlib.decompressobj(*args)  # type: ignore[arg-type]
        self._total = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = MAX_PDF_STREAM_BYTES + 1 - self._total  # at least 1: 0 would mean "no limit"
        out = self._inner.decompress(data, min(max_length, room) if max_length else room)
        self._total += len(out)
        if self._total > MAX_PDF_STREAM_BYTES or (not max_length and self._inner.unconsumed_tail):
            raise _over_stream_limit()
        return out

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _BoundedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes."""

    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS

    @staticmethod
    def decompress(data: bytes, wbits: int = zlib.MAX_WBITS, bufsize: int = 0) -> bytes:
        return _inflate(data, wbits)

    @staticmethod
    def decompressobj(*args: object) -> _BoundedInflater:
        return _BoundedInflater(*args)


def _decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's repair path (a stream whose checksum is wrong: keep what inflates), linear and bounded."""
    inflater = zlib.decompressobj()
    out = bytearray()
    try:
        for start in range(0, len(data), 4096):
            out += inflater.decompress(data[start : start + 4096], MAX_PDF_STREAM_BYTES + 1 - len(out))
            if len(out) > MAX_PDF_STREAM_BYTES or inflater.unconsumed_tail:
                raise _over_stream_limit()
            if inflater.eof:
                break
    except zlib.error:
        if not out:
            raise
    _charge(len(out))
    return bytes(out)


def _lzwdecode(data: bytes) -> bytes:
    out: list[bytes] = []
    total = 0
    for block in lzw.LZWDecoder(io.BytesIO(data)).run():
        total += len(block)
        if total > MAX_PDF_STREAM_BYTES:
            raise _over_stream_limit()
        out.append(block)
    _charge(total)
    return b"".join(out)


def _rldecode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5) into a bytearray, bounded."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            out += data[i + 1 : i + 2 + length]
            i += 2 + length
        else:
            if i + 1 >= n:
                break
            out += data[i + 1 : i + 2] * (257 - length)
            i += 2
        if len(out) > MAX_PDF_STREAM_BYTES:
            raise _over_stream_limit()
    _charge(len(out))
    return bytes(out)


def install() -> None:
    missing = [name for name in ("zlib", "decompress_corrupted", "lzwdecode", "rldecode") if not hasattr(pdftypes, name)]
    if missing:  # a pdfminer whose decoding moved: refuse to run unbounded
        raise ImportError(f"pdfminer.pdftypes has no {', '.join(missing)}; backend/text/pdf_streams.py needs updating")
    if pdftypes.zlib is not _BoundedZlib:  # type: ignore[comparison-overlap]
        pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]
        pdftypes.decompress_corrupted = _decompress_corrupted
        pdftypes.lzwdecode = _lzwdecode
        pdftypes.rldecode = _rldecode


install()
