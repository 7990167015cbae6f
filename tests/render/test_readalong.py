"""The read-along EPUB (EPUB 3 with Media Overlays) of real renders: valid for EPUBCheck, sentence
and word highlighting, clips that follow one another through the chapter audio, the durations in
the package, the navigation document and the cover."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderEvents
from backend.render.readalong import ACTIVE_CLASS, clock
from backend.settings import RenderSettings
from tests.text.epub_factory import Doc, TocItem, tiny_png, write_epub

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_book.md"
EPUB = "The Clockmaker's Apprentice read-along.epub"


def epubcheck_command() -> list[str] | None:
    """How to run EPUBCheck here: the `epubcheck` command (Debian's is an executable jar, which
    needs binfmt_misc; run it with java then). None when it is not installed."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    real = Path(found).resolve()
    if real.suffix == ".jar" or real.read_bytes()[:2] == b"PK":
        java = shutil.which("java")
        return [java, "-jar", str(real)] if java else None
    return [found]


def epubcheck(path: Path) -> str:
    command = epubcheck_command()
    if command is None:
        pytest.skip("EPUBCheck is not installed (Debian: apt-get install epubcheck)")
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0 and "No errors or warnings detected" in report, report
    return report


def render(book: Path, out: Path, cache: Path, outputs: list[str]) -> Path:
    settings = RenderSettings(device="cpu", cache_dir=str(cache), outputs=outputs)
    AudioEngine(RenderJob(book, out, settings), RenderEvents()).run()
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readalong")
    words = render(DEMO, folder / "words", folder / "cache", ["words", "readalong"])
    sentences = render(DEMO, folder / "sentences", folder / "cache", ["readalong"])
    return words / EPUB, sentences / EPUB


def read(epub: Path, name: str) -> str:
    with zipfile.ZipFile(epub) as z:
        return z.read(name).decode("utf-8")


def seconds(value: str) -> float:
    h, m, s = value.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.mark.parametrize("mode", ["words", "sentences"])
def test_epubcheck_finds_no_error(demo, mode):
    epubcheck(demo[0] if mode == "words" else demo[1])


def test_container_package_and_navigation(demo):
    epub = demo[0]
    with zipfile.ZipFile(epub) as z:
        first = z.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert z.read("mimetype") == b"application/epub+zip"
        names = set(z.namelist())
    assert {"EPUB/chapter-01.xhtml", "EPUB/chapter-02.smil", "EPUB/audio/01.mp3", "EPUB/nav.xhtml"} <= names
    opf = read(epub, "EPUB/package.opf")
    assert f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>' in opf and ACTIVE_CLASS in read(epub, "EPUB/style.css")
    parts = [seconds(v) for v in re.findall(r'media:duration" refines="#mo-0\d">([\d:.]+)<', opf)]
    total = seconds(re.search(r'<meta property="media:duration">([\d:.]+)<', opf).group(1))
    assert len(parts) == 2 and total == pytest.approx(sum(parts), abs=0.002) and 50 < total < 70
    assert "<dc:title>The Clockmaker's Apprentice</dc:title>" in opf and "<dc:creator>Audiobook Renderer Demo" in opf
    nav = read(epub, "EPUB/nav.xhtml")
    assert re.findall(r'<a href="(chapter-\d\d\.xhtml)">([^<]+)</a>', nav) == [
        ("chapter-01.xhtml", "Chapter 1: The Shop on Quay Street"), ("chapter-02.xhtml", "Chapter 2: The Silent Clock")]


@pytest.mark.parametrize("mode", ["words", "sentences"])
def test_every_clip_points_at_a_span_and_the_clips_run_through_the_audio(demo, mode, tmp_path):
    epub = demo[0] if mode == "words" else demo[1]
    opf = read(epub, "EPUB/package.opf")
    for n in (1, 2):
        page, smil = read(epub, f"EPUB/chapter-{n:02d}.xhtml"), read(epub, f"EPUB/chapter-{n:02d}.smil")
        pars = re.findall(r'<text src="chapter-0\d\.xhtml#(\w+)"/><audio src="audio/(\d\d)\.mp3" '
                          r'clipBegin="([\d:.]+)" clipEnd="([\d:.]+)"/>', smil)
        ids = set(re.findall(r'id="(\w+)"', page))
        assert pars and all(ref in ids and audio == f"{n:02d}" for ref, audio, _, _ in pars)
        assert all(ref.startswith("w" if mode == "words" else "s") for ref, *_ in pars)
        begins, ends = [seconds(p[2]) for p in pars], [seconds(p[3]) for p in pars]
        assert all(b < e for b, e in zip(begins, ends)) and begins[1:] == ends[:-1]  # no gap, no overlap
        assert 0.75 <= begins[0] < 1.5  # after the room tone, where the title is read
        with zipfile.ZipFile(epub) as z:
            z.extract(f"EPUB/audio/{n:02d}.mp3", tmp_path)
        from backend.render.m4b import probe_chapters

        mp3_seconds, _ = probe_chapters(tmp_path / "EPUB" / "audio" / f"{n:02d}.mp3")
        assert ends[-1] == pytest.approx(mp3_seconds, abs=0.06)  # to the end of the chapter audio
        stated = re.search(rf'refines="#mo-{n:02d}">([\d:.]+)<', opf).group(1)
        assert stated == clock(ends[-1] - begins[0])
    # Words: every said word of the text has its own span; sentences: every sentence one span.
    page = read(epub, "EPUB/chapter-01.xhtml")
    assert len(re.findall(r'id="s\d+"', page)) == 6
    assert (len(re.findall(r'id="w\d+"', page)) > 80) == (mode == "words")
    assert '<h1><span id="s1">' in page  # the title, as read
    assert "Every morning at seven fifteen, Ada unlocked" in re.sub(r"<[^>]+>", "", page)  # the text as read


def test_a_book_with_a_cover_has_it_in_the_read_along(tmp_path):
    book = write_epub(tmp_path / "quay.epub", [Doc("c1.xhtml", "<h1>One</h1><p>The tide was out.</p>"),
                                               Doc("c2.xhtml", "<h1>Two</h1><p>It came back in the night.</p>")],
                      [TocItem("One", "c1.xhtml"), TocItem("Two", "c2.xhtml")], title="Quay", cover=tiny_png())
    out = render(book, tmp_path / "out", tmp_path / "cache", ["readalong"])
    epub = out / "Quay read-along.epub"
    opf = read(epub, "EPUB/package.opf")
    assert 'href="images/cover.png" media-type="image/png" properties="cover-image"' in opf
    assert opf.index('<itemref idref="cover"/>') < opf.index('<itemref idref="chapter-01"/>')
    with zipfile.ZipFile(epub) as z:
        assert z.read("EPUB/images/cover.png") == tiny_png()
    assert sf.info(str(next(out.glob("01 - *.flac")))).duration > 1
    epubcheck(epub)


def test_odd_text_a_silent_chapter_and_a_bad_language_tag_still_make_a_valid_book(tmp_path):
    import numpy as np

    from backend.render.readalong import ReadAlongDetails, write_readalong_epub
    from backend.render.timeline import ChapterTimeline, Paragraph, Sentence, Word

    audio = tmp_path / "01.flac"
    sf.write(audio, (0.1 * np.sin(np.arange(44100 * 2) / 10)).astype(np.float32), 44100)
    odd = "Fish & <chips> \x07at \"Joe's\"\u2014"
    heard = ChapterTimeline(1, "One & <Two>", audio, 2.0, [Paragraph(True, [Sentence([("One", Word("One", 0.5, 0.9))],
                                                                                     0.5, 0.9)]),
                                                          Paragraph(False, [Sentence([(t, None) for t in odd.split()],
                                                                                     1.0, 1.8)])])
    silent = ChapterTimeline(2, "Nothing said", audio, 2.0, [Paragraph(False, [Sentence([("\u2014", None)])])])
    out = write_readalong_epub(tmp_path / "odd.epub", ReadAlongDetails("A & B", None, "en_GB", "odd"),
                               [heard, silent], words=True)
    opf = read(out, "EPUB/package.opf")
    assert "<dc:language>en-GB</dc:language>" in opf and "mo-02" not in opf and "<dc:title>A &amp; B</dc:title>" in opf
    page = read(out, "EPUB/chapter-01.xhtml")
    assert "Fish &amp; &lt;chips&gt; at" in page and "\x07" not in page
    smil = read(out, "EPUB/chapter-01.smil")
    assert smil.count("<par ") == 2 and 'clipBegin="0:00:01.000" clipEnd="0:00:02.000"' in smil
    epubcheck(out)
