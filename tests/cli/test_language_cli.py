"""The language check as a user meets it on the command line: a Japanese EPUB or an Arabic Markdown
book with the bundled English voice is refused before rendering (exit 1, one line, what to do);
an English book with a Japanese phrase renders, with one warning listing what was skipped."""

import subprocess
import sys
from pathlib import Path

import pytest

from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderFailed
from backend.settings import RenderSettings
from tests.text.epub_factory import Doc, TocItem, write_epub

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = "吾輩は猫である。名前はまだ無い。"
ARABIC_BOOK = "# كتاب صغير\n\n## الفصل الأول\n\nمرحبا بالعالم. هذا كتاب صغير باللغة العربية.\n"
TRIP_BOOK = ("---\ntitle: A Trip\nlang: en\n---\n\n## Arrival\n\n"
             "We landed in Tokyo at dawn. The sign said 東京へようこそ in bright letters.\n\n"
             'She smiled and said "ありがとう" to the driver.\n')


def japanese_epub(path: Path, text: str = JAPANESE) -> Path:
    return write_epub(path, [Doc("c1.xhtml", f"<h1>第一章</h1><p>{text}</p>")], [TocItem("第一章", "c1.xhtml")],
                      title="吾輩は猫である", author="夏目漱石", language="ja")


def cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "backend.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def render(book, tmp_path, *extra):
    return cli("render", book, "-o", tmp_path / "out", "--cache-dir", tmp_path / "cache", "--device", "cpu", *extra)


def test_japanese_epub_is_refused_before_rendering(tmp_path):
    done = render(japanese_epub(tmp_path / "neko.epub"), tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: This book is in Japanese (its metadata says 'ja'), but the voice 'en_US-joe-medium' speaks English "
        "and would spell the text out letter by letter. Add a Japanese Piper voice, or pass --any-language to "
        "render it anyway."]
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()


def test_arabic_markdown_is_refused_by_render_and_say(tmp_path):
    book = tmp_path / "kitab.md"
    book.write_text(ARABIC_BOOK, encoding="utf-8")
    for done in (render(book, tmp_path), cli("say", "--file", book, "-o", tmp_path / "kitab.wav")):
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr
        assert lines[0].startswith("Error: This book seems to be in Arabic (judging by its script)")
        assert lines[0].endswith("Add an Arabic Piper voice, or pass --any-language to render it anyway.")
    assert not (tmp_path / "out").exists() and not (tmp_path / "kitab.wav").exists()


def test_english_book_with_a_japanese_phrase_renders_with_one_warning(tmp_path):
    book = tmp_path / "trip.md"
    book.write_text(TRIP_BOOK, encoding="utf-8")
    done = render(book, tmp_path, "--outputs", "srt")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line and "cannot speak" in line]
    assert len(warnings) == 1
    assert warnings[0].endswith("WARNING: Skipped 2 passages in a script the voice en_US-joe-medium cannot speak: "
                                "東京へようこそ, ありがとう")
    assert (tmp_path / "out" / "01 - Arrival.flac").is_file()


def test_say_skips_the_phrase_with_one_warning(tmp_path):
    book = tmp_path / "trip.md"
    book.write_text(TRIP_BOOK, encoding="utf-8")
    done = cli("say", "--file", book, "-o", tmp_path / "trip.wav")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("cannot speak") == 1 and "東京へようこそ, ありがとう" in done.stderr
    assert (tmp_path / "trip.wav").is_file()


def test_any_language_renders_the_japanese_book_anyway(tmp_path):
    done = render(japanese_epub(tmp_path / "neko.epub", "ねこ。"), tmp_path, "--any-language", "--outputs", "srt")
    assert done.returncode == 0, done.stderr
    assert "speaks English and would spell the text out letter by letter. Rendering it anyway, as asked." in done.stderr
    assert "cannot speak" not in done.stderr  # rendering anyway reads everything, nothing is skipped
    assert len(list((tmp_path / "out").glob("*.flac"))) == 1


def test_the_engine_refuses_a_mismatched_book_itself(tmp_path):
    """The window and other hosts go through the engine: it makes the same check."""
    job = RenderJob(japanese_epub(tmp_path / "neko.epub"), tmp_path / "out",
                    RenderSettings(device="cpu", cache_dir=str(tmp_path / "cache")))
    with pytest.raises(RenderFailed, match=r"^This book is in Japanese .* pass --any-language to render it anyway\.$"):
        AudioEngine(job).run()
    assert not (tmp_path / "out").exists()
