"""The read-along EPUB: EPUB 3 with Media Overlays (SMIL), written with the standard library.

One XHTML file per chapter holds the text as the voice reads it, every sentence (and with word
timing every word) in a span with an id; one SMIL file per chapter pairs each span with its clip
of the chapter's audio (an MP3 inside the book). The clips follow one another without gaps, from
the first word to the end of the file, so the reader plays the chapter through, pauses included,
while it highlights the span being read (the `media:active-class`). The package carries each
overlay's duration and the total, the navigation document lists the chapters, and the book's
cover, when it has one, is the cover image and the first page. Checked with EPUBCheck
(tests/render/test_readalong.py).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from backend.atomic_file import replacing
from backend.render.timeline import ChapterTimeline, Sentence

ACTIVE_CLASS = "-epub-media-overlay-active"
AUDIO_BITRATE = "64k"  # mono MP3 at 44.1 kHz: ~29 MB per hour of audio
COVER_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/svg+xml": "svg"}
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry times: the same bytes for the same book
STYLE = f"""body {{ font-family: serif; line-height: 1.5; margin: 0 5%; }}
h1 {{ font-size: 1.4em; margin: 1.5em 0 1em; }}
p {{ text-indent: 1.2em; margin: 0 0 0.4em; }}
.cover {{ text-align: center; }}
.cover img {{ max-width: 100%; max-height: 95vh; }}
.{ACTIVE_CLASS} {{ background-color: #ffe38a; color: #000; }}
"""


@dataclass(frozen=True)
class ReadAlongDetails:
    title: str
    author: str | None
    language: str | None  # BCP 47; None or malformed: "und"
    identity: str  # anything stable per book (the render job's name): the book's UUID comes from it
    narrator: str | None = None
    cover: bytes | None = None
    cover_mime: str | None = None
    modified: datetime | None = None  # None: now


def clock(seconds: float) -> str:
    """A SMIL full clock value, h:mm:ss.mmm."""
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def _language(tag: str | None) -> str:
    """A BCP 47 tag for dc:language and xml:lang ("en_US" -> "en-US"); "und" when there is none."""
    tag = (tag or "").strip().replace("_", "-")
    return tag if _LANGUAGE.match(tag) else "und"


def _xhtml(title: str, language: str, body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f'lang={_attr(language)} xml:lang={_attr(language)}>\n'
            f'<head>\n<meta charset="UTF-8"/>\n<title>{_text(title)}</title>\n'
            '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n'
            f'<body>\n{body}\n</body>\n</html>\n')


@dataclass
class _Clip:
    ref: str  # the span's id
    start: float


def _chapter_page(chapter: ChapterTimeline, language: str, words: bool) -> tuple[str, list[_Clip]]:
    """The chapter's XHTML and its clips in reading order (one per sentence, or per word)."""
    blocks, clips, sentence_ids, word_ids = [], [], 0, 0

    def sentence_html(sentence: Sentence) -> str:
        nonlocal sentence_ids, word_ids
        sentence_ids += 1
        sid = f"s{sentence_ids}"
        parts = []
        timed_words = words and bool(sentence.words)
        for token, word in sentence.parts:
            if timed_words and word is not None:
                word_ids += 1
                parts.append(f'<span id="w{word_ids}">{_text(token)}</span>')
                clips.append(_Clip(f"w{word_ids}", word.start))
            else:
                parts.append(_text(token))
        if sentence.start is not None and not timed_words:
            clips.append(_Clip(sid, sentence.start))
        return f'<span id="{sid}">{" ".join(parts)}</span>'

    for paragraph in chapter.paragraphs:
        tag = "h1" if paragraph.heading else "p"
        blocks.append(f"<{tag}>{' '.join(sentence_html(s) for s in paragraph.sentences)}</{tag}>")
    body = '<section epub:type="chapter" id="chapter">\n' + "\n".join(blocks) + "\n</section>"
    return _xhtml(chapter.title, language, body), clips


def _smil(page: str, audio: str, clips: list[_Clip], end: float) -> tuple[str, int] | None:
    """The chapter's overlay and its duration in ms (None when nothing is heard): each clip runs to
    the next one's start, the last to the end of the file. Clips that would last no time (rounded
    to ms) are left out."""
    marks = [(clip.ref, round(clip.start * 1000)) for clip in clips]
    end_ms = round(end * 1000)
    kept: list[tuple[str, int]] = []
    for ref, ms in reversed(marks):
        if ms < (kept[-1][1] if kept else end_ms):
            kept.append((ref, ms))
    kept.reverse()
    if not kept:
        return None
    pars = []
    for n, (ref, ms) in enumerate(kept):
        stop = kept[n + 1][1] if n + 1 < len(kept) else end_ms
        pars.append(f'<par id="p{n + 1}"><text src="{page}#{ref}"/>'
                    f'<audio src="{audio}" clipBegin="{clock(ms / 1000)}" clipEnd="{clock(stop / 1000)}"/></par>')
    smil = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
            f'<body epub:textref="{page}#chapter">\n' + "\n".join(pars) + "\n</body>\n</smil>\n")
    return smil, end_ms - kept[0][1]


def _nav(details: ReadAlongDetails, language: str, chapters: Sequence[ChapterTimeline], has_cover: bool) -> str:
    items = "\n".join(f'<li><a href="chapter-{c.number:02d}.xhtml">{_text(c.title)}</a></li>' for c in chapters)
    landmarks = '<li><a epub:type="cover" href="cover.xhtml">Cover</a></li>\n' if has_cover else ""
    first = f"chapter-{chapters[0].number:02d}.xhtml" if chapters else "nav.xhtml"
    body = (f'<nav epub:type="toc" id="toc">\n<h1>{_text(details.title)}</h1>\n<ol>\n{items}\n</ol>\n</nav>\n'
            f'<nav epub:type="landmarks" hidden="hidden">\n<ol>\n{landmarks}'
            f'<li><a epub:type="bodymatter" href="{first}">Start</a></li>\n</ol>\n</nav>')
    return _xhtml(details.title, language, body)


def _package(details: ReadAlongDetails, language: str, chapters: Sequence[ChapterTimeline],
             durations: list[int | None], cover_ext: str | None) -> str:
    """durations: each chapter's overlay in ms, None for a chapter without one."""
    modified = (details.modified or datetime.now(timezone.utc)).astimezone(timezone.utc)
    book_id = uuid.uuid5(uuid.NAMESPACE_URL, f"audiobook-renderer:read-along:{details.identity}")
    meta = [f'<dc:identifier id="book-id">urn:uuid:{book_id}</dc:identifier>',
            f"<dc:title>{_text(details.title)}</dc:title>", f"<dc:language>{_text(language)}</dc:language>"]
    if details.author:
        meta.append(f"<dc:creator>{_text(details.author)}</dc:creator>")
    meta.append(f'<meta property="dcterms:modified">{modified.strftime("%Y-%m-%dT%H:%M:%SZ")}</meta>')
    for chapter, ms in zip(chapters, durations, strict=True):
        if ms is not None:
            meta.append(f'<meta property="media:duration" refines="#mo-{chapter.number:02d}">{clock(ms / 1000)}</meta>')
    meta.append(f'<meta property="media:duration">{clock(sum(ms or 0 for ms in durations) / 1000)}</meta>')
    if details.narrator:
        meta.append(f"<meta property=\"media:narrator\">{_text(details.narrator)}</meta>")
    meta.append(f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>')
    items = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
             '<item id="css" href="style.css" media-type="text/css"/>']
    spine = []
    if cover_ext:
        mime = next(m for m, e in COVER_TYPES.items() if e == cover_ext)
        items += [f'<item id="cover-image" href="images/cover.{cover_ext}" media-type="{mime}" properties="cover-image"/>',
                  '<item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>']
        spine.append('<itemref idref="cover"/>')
    for c, ms in zip(chapters, durations, strict=True):
        n = f"{c.number:02d}"
        if ms is None:  # nothing in it is said: a page without an overlay
            items.append(f'<item id="chapter-{n}" href="chapter-{n}.xhtml" media-type="application/xhtml+xml"/>')
        else:
            items += [f'<item id="chapter-{n}" href="chapter-{n}.xhtml" media-type="application/xhtml+xml" '
                      f'media-overlay="mo-{n}"/>',
                      f'<item id="mo-{n}" href="chapter-{n}.smil" media-type="application/smil+xml"/>',
                      f'<item id="audio-{n}" href="audio/{n}.mp3" media-type="audio/mpeg"/>']
        spine.append(f'<itemref idref="chapter-{n}"/>')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" '
            f'xml:lang={_attr(language)}>\n'
            '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n' + "\n".join(meta) + "\n</metadata>\n"
            "<manifest>\n" + "\n".join(items) + "\n</manifest>\n"
            "<spine>\n" + "\n".join(spine) + "\n</spine>\n</package>\n")


CONTAINER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
             '<rootfiles><rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/></rootfiles>\n'
             "</container>\n")


def write_readalong_epub(out: Path, details: ReadAlongDetails, chapters: Sequence[ChapterTimeline], *,
                         words: bool = False, encode: Callable[[Path, Path], Path] | None = None) -> Path:
    """Write the EPUB to `out` (atomically). `encode(chapter_file, mp3)` makes each chapter's MP3
    (default: 64 kbps mono at 44.1 kHz with the bundled ffmpeg)."""
    if not chapters:
        raise ValueError("A read-along EPUB needs at least one chapter.")
    if encode is None:
        from backend.render.m4b import write_mp3

        def encode(source: Path, mp3: Path) -> Path:
            return write_mp3(source, mp3, AUDIO_BITRATE, title=None, author=None)

    language = _language(details.language)
    cover_ext = COVER_TYPES.get((details.cover_mime or "").lower()) if details.cover else None
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="read-along-") as work, replacing(out) as temp:
        with zipfile.ZipFile(temp, "w") as epub:
            def add(name: str, data: str | bytes | Path, compress: bool = True) -> None:
                info = zipfile.ZipInfo(name, _DATE_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
                if isinstance(data, Path):  # streamed: a chapter's audio can be large
                    info.file_size = data.stat().st_size  # zipfile then uses ZIP64 only past 2 GiB
                    with open(data, "rb") as source, epub.open(info, "w") as target:
                        shutil.copyfileobj(source, target, 1 << 20)
                    return
                epub.writestr(info, data)

            add("mimetype", "application/epub+zip", compress=False)  # first and stored, as OCF requires
            add("META-INF/container.xml", CONTAINER)
            durations = []
            for chapter in chapters:
                n = f"{chapter.number:02d}"
                page, clips = _chapter_page(chapter, language, words)
                add(f"EPUB/chapter-{n}.xhtml", page)
                overlay = _smil(f"chapter-{n}.xhtml", f"audio/{n}.mp3", clips, chapter.duration)
                durations.append(overlay[1] if overlay else None)
                if overlay:
                    add(f"EPUB/chapter-{n}.smil", overlay[0])
                    mp3 = encode(Path(chapter.audio), Path(work) / f"{n}.mp3")
                    add(f"EPUB/audio/{n}.mp3", Path(mp3), compress=False)
                    Path(mp3).unlink()
            if cover_ext:
                add(f"EPUB/images/cover.{cover_ext}", details.cover, compress=False)
                img = f'<div class="cover"><img src="images/cover.{cover_ext}" alt={_attr("Cover of " + details.title)}/></div>'
                add("EPUB/cover.xhtml", _xhtml(details.title, language, img))
            add("EPUB/style.css", STYLE)
            add("EPUB/nav.xhtml", _nav(details, language, chapters, bool(cover_ext)))
            add("EPUB/package.opf", _package(details, language, chapters, durations, cover_ext))
    return out
