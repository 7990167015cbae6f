"""Build real EPUB files (EPUB 2 with an NCX, EPUB 3 with a nav document)
for the reader tests, with zipfile and nothing else."""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape


def tiny_png() -> bytes:
    """A valid 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@dataclass
class Doc:
    name: str  # file name inside the OPF folder
    body: str  # XHTML inside <body>
    linear: bool = True
    in_spine: bool = True
    body_attrs: str = ""  # e.g. 'epub:type="frontmatter"'


@dataclass
class TocItem:
    title: str
    href: str  # relative to the OPF folder, may have a #fragment; "" for a heading with no link (<span>)
    children: list[TocItem] = field(default_factory=list)


def xhtml(body: str, title: str = "doc", body_attrs: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
        f"<head><title>{escape(title)}</title><style>p {{ margin: 0 }}</style></head>\n"
        f"<body{' ' + body_attrs if body_attrs else ''}>{body}</body></html>\n"
    )


def _nav(toc: list[TocItem], landmarks: list[tuple[str, str]]) -> str:
    def items(entries: list[TocItem]) -> str:
        out = []
        for e in entries:
            sub = f"<ol>{items(e.children)}</ol>" if e.children else ""
            label = f'<a href="{escape(e.href)}">{escape(e.title)}</a>' if e.href else f"<span>{escape(e.title)}</span>"
            out.append(f"<li>{label}{sub}</li>")
        return "".join(out)

    landmark_items = "".join(f'<li><a epub:type="{kind}" href="{escape(href)}">{kind}</a></li>' for kind, href in landmarks)
    landmarks = (
        '<nav epub:type="landmarks" hidden=""><ol><li><a epub:type="cover" href="cover.xhtml">Cover page</a></li>'
        f"{landmark_items}</ol></nav>"
    )
    return xhtml(f'{landmarks}<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{items(toc)}</ol></nav>', "Contents")


def _ncx(toc: list[TocItem], title: str) -> str:
    counter = [0]

    def points(entries: list[TocItem]) -> str:
        out = []
        for e in entries:
            counter[0] += 1
            out.append(
                f'<navPoint id="np{counter[0]}" playOrder="{counter[0]}">'
                f"<navLabel><text>{escape(e.title)}</text></navLabel>"  # (an NCX entry always has a link)
                f'<content src="{escape(e.href)}"/>{points(e.children)}</navPoint>'
            )
        return "".join(out)

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        f'<head><meta name="dtb:uid" content="x"/></head><docTitle><text>{escape(title)}</text></docTitle>'
        f"<navMap>{points(toc)}</navMap></ncx>"
    )


def _guide(references: list[tuple[str, str]] | None) -> str:
    if not references:
        return ""
    items = "".join(f'<reference type="{kind}" href="{escape(href)}" title="{kind}"/>' for kind, href in references)
    return f"<guide>{items}</guide>"


def write_epub(
    path: Path,
    docs: list[Doc],
    toc: list[TocItem],
    *,
    version: int = 3,
    title: str = "Test Book",
    author: str | None = "Ann Author",
    cover: bytes | None = None,
    opf_dir: str = "OEBPS",
    nav_in_spine: bool = False,
    extra_files: dict[str, bytes] | None = None,
    opf_override: str | None = None,
    language: str = "en",
    landmarks: list[tuple[str, str]] | None = None,
    guide: list[tuple[str, str]] | None = None,
) -> Path:
    """Write an EPUB. Spine order is the order of `docs`; the manifest lists
    them in reverse, so a reader that follows the manifest gets it wrong."""
    prefix = f"{opf_dir}/" if opf_dir else ""
    manifest, spine = [], []
    files: dict[str, str | bytes] = {}
    if cover is not None:
        props = ' properties="cover-image"' if version == 3 else ""
        manifest.append(f'<item id="cover-img" href="images/cover.png" media-type="image/png"{props}/>')
        files[f"{prefix}images/cover.png"] = cover
    for i, doc in enumerate(docs):
        files[prefix + doc.name] = xhtml(doc.body, doc.name, doc.body_attrs)
        manifest.append(f'<item id="d{i}" href="{escape(doc.name)}" media-type="application/xhtml+xml"/>')
        if doc.in_spine:
            linear = "" if doc.linear else ' linear="no"'
            spine.append(f'<itemref idref="d{i}"{linear}/>')
    if version == 3:
        files[prefix + "nav.xhtml"] = _nav(toc, landmarks or [])
        manifest.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
        if nav_in_spine:
            spine.insert(0, '<itemref idref="nav"/>')
    else:
        files[prefix + "toc.ncx"] = _ncx(toc, title)
        manifest.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    manifest.reverse()
    cover_meta = '<meta name="cover" content="cover-img"/>' if cover is not None and version == 2 else ""
    spine_toc = ' toc="ncx"' if version == 2 else ""
    creator = f"<dc:creator>{escape(author)}</dc:creator>" if author else ""
    opf = opf_override or (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">urn:test</dc:identifier><dc:title>{escape(title)}</dc:title>{creator}'
        f"<dc:language>{escape(language)}</dc:language>{cover_meta}</metadata>"
        f"<manifest>{''.join(manifest)}</manifest>"
        f"<spine{spine_toc}>{''.join(spine)}</spine>{_guide(guide)}</package>"
    )
    files[prefix + "content.opf"] = opf
    container = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
        f'<rootfiles><rootfile full-path="{prefix}content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # stored, first
        zf.writestr("META-INF/container.xml", container)
        for name, data in files.items():
            zf.writestr(name, data)
        for name, data in (extra_files or {}).items():
            zf.writestr(name, data)
    return path


COVER_PAGE = Doc("cover.xhtml", '<div class="cover"><img src="images/cover.png" alt="Cover"/></div>')
SVG_COVER_PAGE = Doc(
    "titlepage.xhtml",
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1">'
    '<image width="1" height="1" xlink:href="images/cover.png"/></svg>',
)
EMPTY_PAGE = Doc("blank.xhtml", "<div> </div><p></p>")


def epub3_book(path: Path) -> Path:
    """EPUB 3: nav document (also in the spine), cover page, nested sections
    in their own files, footnotes, fragment TOC entries into one document."""
    docs = [
        COVER_PAGE,
        Doc(
            "zz_intro.xhtml",  # sorts last by name but comes first in the spine
            "<h1>Introduction</h1><p>Opening words of the book.</p><script>alert('no')</script>",
        ),
        Doc(
            "ch01.xhtml",
            '<section epub:type="chapter"><h1>Chapter One</h1>'
            '<p>The storm began at dawn.<a epub:type="noteref" href="#fn1">1</a> Rain fell.</p>'
            '<p>Boats came home<sup><a href="#fn2">2</a></sup> before noon.</p>'
            '<aside epub:type="footnote" id="fn1"><p>Dawn means early morning.</p></aside>'
            '<aside role="doc-footnote" id="fn2"><p>Only the small boats.</p></aside></section>',
        ),
        EMPTY_PAGE,
        Doc("ch02.xhtml", "<h1>Chapter Two</h1><p>The harbour was quiet.</p><p>Nobody spoke.</p>"),
        Doc("ch02s01.xhtml", "<h2>The Lighthouse</h2><p>The keeper lit the lamp.</p>"),
        Doc("ch02s02.xhtml", "<h2>The Return</h2><p>Morning came<br/>and the sea was calm.</p>"),
        Doc(
            "ch03.xhtml",
            '<h1 id="a">Chapter Three</h1><p>First part.</p><h2 id="b">Later</h2><p>Second part.</p>'
            '<section epub:type="endnotes"><ol><li epub:type="endnote" id="en1">An endnote.</li></ol></section>',
        ),
    ]
    toc = [
        TocItem("Introduction", "zz_intro.xhtml"),
        TocItem("Chapter One: The Storm", "ch01.xhtml"),
        TocItem(
            "Chapter Two",
            "ch02.xhtml",
            [TocItem("The Lighthouse", "ch02s01.xhtml"), TocItem("The Return", "ch02s02.xhtml#top")],
        ),
        TocItem("Chapter Three", "ch03.xhtml#a", [TocItem("Later", "ch03.xhtml#b")]),
    ]
    return write_epub(path, docs, toc, version=3, title="The Harbour", author="Mary Writer", cover=tiny_png(),
                      nav_in_spine=True)


def epub2_book(path: Path) -> Path:
    """EPUB 2: NCX table of contents, <meta name="cover">, an SVG cover
    page, a chapter continued in a second file, and a non-linear notes file."""
    docs = [
        SVG_COVER_PAGE,
        Doc("text/part1.xhtml", "<h1>First Light</h1><p>It was early.</p>"),
        Doc("text/part1_split.xhtml", "<p>Still early, in the second file.</p>"),
        Doc("text/part2.xhtml", "<p>The day went on &amp; on.</p><p>Then night fell.</p>"),
        Doc("text/extra.xhtml", "<h2>Unlisted Heading</h2><p>A page the TOC forgot.</p>"),
        Doc("text/notes.xhtml", "<p>Non-linear notes.</p>", linear=False),
    ]
    toc = [
        TocItem("Part One: First Light", "text/part1.xhtml"),
        TocItem("Part Two", "text/part2.xhtml"),
    ]
    return write_epub(path, docs, toc, version=2, title="Old Style", author="Old Author", cover=tiny_png())
