"""Hostile book files, made the way an attacker would make them: zip bombs (honest and lying),
archives of many entries, entity bombs and external entities in every XML-based format, a PDF
whose stream inflates a thousandfold and one that claims a million pages.

The zip writer here writes raw deflate data, so a 3 GB entry costs 3 MB and a second to make:
every MiB of spaces is compressed once with a full flush, which makes each compressed block
independent of the ones before it, and the same block is repeated."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

MIB = 1 << 20
CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>'
)


def opf(doc: str = "text.xhtml", doctype: str = "") -> str:
    return (
        f'<?xml version="1.0"?>{doctype}<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="i">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="i">x</dc:identifier>'
        "<dc:title>Hostile</dc:title><dc:language>en</dc:language></metadata>"
        f'<manifest><item id="t" href="{doc}" media-type="application/xhtml+xml"/></manifest>'
        '<spine><itemref idref="t"/></spine></package>'
    )


def xhtml(body: str, doctype: str = "") -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>{doctype}<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>'


def billion_laughs(root: str = "html") -> str:
    """The classic: ten levels of ten references, 10^9 "lol"s (3 GB) from under 1 KB."""
    levels = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        previous = f"lol{i - 1}" if i > 1 else "lol"
        levels.append(f'<!ENTITY lol{i} "{("&" + previous + ";") * 10}">')
    return f"<!DOCTYPE {root} [{''.join(levels)}]>"


def external_entity(secret: Path, root: str = "html") -> str:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.as_uri()}"><!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>'


def _deflated_spaces(size: int) -> tuple[bytes, int]:
    """Raw deflate data and CRC-32 of `size` spaces (a multiple of 1 MiB)."""
    block = b" " * MIB
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MIB):
        crc = zlib.crc32(block, crc)
    return one * (size // MIB) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


def write_zip(path: Path, entries: list[tuple[str, bytes | tuple[bytes, int, int]]], *, declare: dict[str, int] | None = None) -> Path:
    """A zip of (name, data) entries, deflated; data may be (raw deflate, crc, size) already made.
    `declare` overrides an entry's unpacked size in both headers (a zip that lies)."""
    out = bytearray()
    central = bytearray()
    for name, data in entries:
        if isinstance(data, tuple):
            packed, crc, size = data
            method = 8
        elif name == "mimetype":
            packed, crc, size, method = data, zlib.crc32(data), len(data), 0
        else:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed, crc, size, method = packer.compress(data) + packer.flush(), zlib.crc32(data), len(data), 8
        size = (declare or {}).get(name, size)
        raw = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(packed), size, len(raw), 0) + raw + packed
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(packed), size, len(raw), 0, 0, 0, 0, 0,
                               offset) + raw
    count = min(len(entries), 0xFFFF)  # no zip64 here: past 65,535 the end record cannot say
    out += central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    path.write_bytes(bytes(out))
    return path


def epub_entries(body: str = "<p>Hello.</p>", *, doctype: str = "", opf_doctype: str = "") -> list[tuple[str, bytes]]:
    return [
        ("mimetype", b"application/epub+zip"),
        ("META-INF/container.xml", CONTAINER.encode()),
        ("content.opf", opf(doctype=opf_doctype).encode()),
        ("text.xhtml", xhtml(body, doctype).encode()),
    ]


def zip_bomb_epub(path: Path, inflated: int = 3 * 1024 * MIB) -> Path:
    """An EPUB of ~3 MB whose one XHTML file inflates to 3 GB, and says so honestly."""
    packed, crc = _deflated_spaces(inflated)
    entries = epub_entries()[:3] + [("text.xhtml", (packed, crc, inflated))]
    return write_zip(path, entries)


def lying_zip_epub(path: Path, inflated: int = 64 * MIB) -> Path:
    """Its XHTML file declares 2,000 bytes in both headers and inflates to 64 MB."""
    packed, crc = _deflated_spaces(inflated)
    entries = epub_entries()[:3] + [("text.xhtml", (packed, crc, inflated))]
    return write_zip(path, entries, declare={"text.xhtml": 2000})


def many_entries_epub(path: Path, count: int = 20_000) -> Path:
    entries = epub_entries() + [(f"junk/{i}.txt", b"") for i in range(count)]
    return write_zip(path, entries)


def huge_directory_epub(path: Path, count: int = 200_000) -> Path:
    """A central directory of 200,000 entries (10 MB) whose end record claims 4 entries: zipfile
    would list them all whatever the record says."""
    write_zip(path, epub_entries() + [(f"junk/{i:06}.txt", b"") for i in range(count)])
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 4, 4)
    path.write_bytes(bytes(data))
    return path


def zip_bomb_docx(path: Path, inflated: int = 1024 * MIB) -> Path:
    packed, crc = _deflated_spaces(inflated)
    return write_zip(path, [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", (packed, crc, inflated))])


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1 0 obj is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def pdf_stream_bomb(path: Path, inflated: int = 512 * MIB) -> Path:
    """One page whose content stream is 512 MB of spaces in ~0.5 MB of Flate data (zlib framing)."""
    packed, _ = _deflated_spaces(inflated)
    content = b"\x78\xda" + packed + struct.pack(">I", 1)  # zlib header; the wrong checksum is never reached
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
               _stream(content, b"/Filter /FlateDecode"), font]
    path.write_bytes(pdf(objects))
    return path


def pdf_claiming_pages(path: Path, count: int = 1_000_000) -> Path:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count, page]
    path.write_bytes(pdf(objects))
    return path
