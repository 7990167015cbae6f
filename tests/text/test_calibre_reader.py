"""Formats read through Calibre's ebook-convert: found on PATH or in its install folders, the
book converted to a temporary EPUB and read as one; without Calibre, a message saying how to
get it. CI has no Calibre (see fake_ebook_convert.py for why), so most tests use a stand-in
that keeps the real command's contract; where Calibre is installed, the real one is checked too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backend.text import BookError, calibre_reader, load_book
from tests.text import epub_factory

FAKE = Path(__file__).with_name("fake_ebook_convert.py")
BOOK = "Title: The Mobi Harbour\n# Chapter One\nThe storm began at dawn.\nRain fell.\n# Chapter Two\nThe boats came home.\n"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the stand-in is a script with a #! line")


def _install_fake(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "ebook-convert"
    root = str(FAKE.parents[2])
    script = f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {root!r})\nfrom tests.text.fake_ebook_convert import main\n"
    exe.write_text(script + "sys.exit(main(sys.argv))\n", encoding="utf-8")
    exe.chmod(0o755)
    return exe


@pytest.fixture
def no_calibre(tmp_path, monkeypatch):
    """A machine without Calibre: nothing on PATH, nothing in the standard folders."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(calibre_reader.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(calibre_reader, "standard_places", lambda: [tmp_path / "nowhere" / "ebook-convert"])
    return tmp_path


@pytest.fixture
def fake_calibre(no_calibre, monkeypatch):
    exe = _install_fake(no_calibre / "bin")
    monkeypatch.setenv("PATH", f"{exe.parent}{os.pathsep}{os.environ['PATH']}")
    return exe


def _mobi(tmp_path: Path, text: str = BOOK, name: str = "harbour.mobi") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_calibre_the_message_says_how_to_get_it(no_calibre):
    with pytest.raises(BookError) as info:
        load_book(_mobi(no_calibre))
    message = str(info.value)
    assert message.startswith("Cannot read 'harbour.mobi': MOBI books are read through Calibre's ebook-convert, which is not")
    assert "sudo apt install calibre" in message and "https://calibre-ebook.com/download" in message


def test_standard_places_cover_linux_macos_and_windows(monkeypatch):
    monkeypatch.delenv("ProgramFiles", raising=False)
    monkeypatch.delenv("ProgramFiles(x86)", raising=False)
    places = [str(p) for p in calibre_reader.standard_places()]
    assert "/usr/bin/ebook-convert" in places and "/opt/calibre/ebook-convert" in places
    assert any(p.startswith("/Applications/calibre.app") for p in places)
    assert str(Path(r"C:\Program Files") / "Calibre2" / "ebook-convert.exe") in places
    assert str(Path(r"C:\Program Files (x86)") / "Calibre2" / "ebook-convert.exe") in places


@posix_only
def test_found_in_a_standard_folder_when_not_on_path(no_calibre, monkeypatch):
    exe = _install_fake(no_calibre / "opt" / "calibre")
    monkeypatch.setattr(calibre_reader, "standard_places", lambda: [no_calibre / "nowhere", exe])
    assert calibre_reader.find_ebook_convert() == exe
    assert load_book(_mobi(no_calibre)).title == "The Mobi Harbour"


@posix_only
def test_found_where_the_environment_points(no_calibre, monkeypatch):
    exe = _install_fake(no_calibre / "portable")
    monkeypatch.setenv(calibre_reader.ENV_OVERRIDE, str(exe))
    assert calibre_reader.find_ebook_convert() == exe


@posix_only
def test_converted_book_is_read_as_an_epub(fake_calibre, tmp_path):
    book = load_book(_mobi(tmp_path))
    assert book.title == "The Mobi Harbour"
    assert [(c.title, c.paragraphs) for c in book.chapters] == [
        ("Chapter One", ["The storm began at dawn.", "Rain fell."]),
        ("Chapter Two", ["The boats came home."]),
    ]
    assert any("converted from MOBI to EPUB with Calibre" in w for w in book.warnings)
    assert book.source_path == tmp_path / "harbour.mobi"


@posix_only
@pytest.mark.parametrize("content, expected", [
    ("DRM protected", "Cannot read 'harbour.mobi': it is protected by DRM (Calibre cannot convert it)"),
    ("BROKEN", "Cannot read 'harbour.mobi': Calibre could not convert it (struct.error: unpack requires a buffer of 2 bytes)"),
])
def test_conversion_failures_are_clear(fake_calibre, tmp_path, content, expected):
    with pytest.raises(BookError) as info:
        load_book(_mobi(tmp_path, content))
    assert str(info.value) == expected


@posix_only
def test_a_conversion_that_hangs_is_stopped(fake_calibre, tmp_path, monkeypatch):
    monkeypatch.setattr(calibre_reader, "CONVERT_TIMEOUT_S", 2)
    with pytest.raises(BookError, match="Calibre took more than 2 seconds to convert it and was stopped"):
        load_book(_mobi(tmp_path, "SLOW"))


@pytest.mark.skipif(shutil.which("ebook-convert") is None, reason="Calibre is not installed (apt-get install calibre)")
@pytest.mark.parametrize("extension", [".mobi", ".azw3", ".rtf"])
def test_real_calibre(tmp_path, extension):
    """The real ebook-convert, on books it wrote itself from one of our EPUBs."""
    source = epub_factory.epub3_book(tmp_path / "source.epub")
    target = tmp_path / f"harbour{extension}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(["ebook-convert", str(source), str(target)], check=True, capture_output=True, timeout=300, env=env)
    book = load_book(target)
    text = " ".join(" ".join([c.title, *c.paragraphs]) for c in book.chapters)
    for words in ("Opening words of the book.", "The storm began at dawn.", "The keeper lit the lamp.", "Second part."):
        assert words in text, (words, text)
    assert "alert" not in text
    if extension != ".rtf":  # RTF keeps no metadata or chapters
        assert book.title == "The Harbour"
        assert "Chapter Two" in [c.title for c in book.chapters]


def test_real_calibre_contract_matches_the_stand_in(tmp_path):
    """What the stand-in does on a damaged file is what Calibre does: exit 1, the error last on stderr."""
    exe = shutil.which("ebook-convert")
    if exe is None:
        pytest.skip("Calibre is not installed (apt-get install calibre)")
    bad = tmp_path / "bad.mobi"
    bad.write_bytes(b"PK not a mobi")
    real = subprocess.run([exe, str(bad), str(tmp_path / "out.epub")], capture_output=True, text=True, timeout=120)
    fake = subprocess.run([sys.executable, str(FAKE), str(_mobi(tmp_path, "BROKEN", "b.mobi")), str(tmp_path / "o.epub")],
                          capture_output=True, text=True, timeout=60)
    assert real.returncode == fake.returncode == 1
    assert real.stderr.strip().splitlines()[-1] == fake.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "out.epub").exists() and not (tmp_path / "o.epub").exists()
