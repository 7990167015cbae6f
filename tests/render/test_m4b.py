"""M4B and MP3 writing with the real ffmpeg from imageio-ffmpeg, on short tones."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from backend.render.m4b import (
    EncodeError,
    ProbeError,
    build_ffmetadata,
    escape_ffmetadata,
    ffmpeg_exe,
    probe_chapters,
    write_m4b,
    write_mp3,
)

SR = 22050
DURATIONS = [1.0, 1.5, 0.5]
TITLES = ["Opening", "Rules: a=b; c#d \\ e", "Café au lait"]


def write_tone(path: Path, seconds: float, freq: float, rate: int = SR) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    sf.write(path, (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)
    return path


@pytest.fixture(scope="module")
def chapter_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("chapters")
    # Mixed WAV and FLAC on purpose: both are accepted together.
    names = ["01.wav", "02.flac", "03.wav"]
    return [write_tone(folder / n, d, 300 + 100 * i) for i, (n, d) in enumerate(zip(names, DURATIONS))]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc0\x30\x30" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def tiny_jpeg(tmp_path: Path) -> bytes:
    out = tmp_path / "cover.jpg"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=blue:s=16x16",
                    "-frames:v", "1", "-f", "image2", str(out)], check=True)
    return out.read_bytes()


def ffmpeg_description(path: Path) -> str:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True)
    return result.stderr.decode("utf-8", "replace")


# -- metadata text -------------------------------------------------------------
def test_escape_ffmetadata():
    assert escape_ffmetadata("a=b;c#d\\e") == "a\\=b\\;c\\#d\\\\e"
    assert escape_ffmetadata("one\ntwo") == "one\\\ntwo"
    assert escape_ffmetadata("Café") == "Café"


def test_build_ffmetadata():
    text = build_ffmetadata("My = Book", "Ann", [(0, 1000, "One"), (1000, 2500, "Two")])
    lines = text.splitlines()
    assert lines[0] == ";FFMETADATA1"
    assert "title=My \\= Book" in lines and "artist=Ann" in lines
    assert lines.count("[CHAPTER]") == 2 and lines.count("TIMEBASE=1/1000") == 2
    assert "START=1000" in lines and "END=2500" in lines and "title=Two" in lines


# -- M4B -----------------------------------------------------------------------
def test_m4b_chapters_titles_and_duration(chapter_files, tmp_path):
    out = write_m4b(chapter_files, TITLES, tmp_path / "book.m4b", title="A = Book; #1", author="Zoë Writer")
    assert out == tmp_path / "book.m4b" and out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["book.m4b"]  # no temp file left

    duration, chapters = probe_chapters(out)
    assert duration == pytest.approx(sum(DURATIONS), abs=0.1)
    assert [c[2] for c in chapters] == TITLES
    expected_start = 0.0
    for (start, end, _), length in zip(chapters, DURATIONS, strict=True):
        assert start == pytest.approx(expected_start, abs=0.05)
        assert end == pytest.approx(expected_start + length, abs=0.05)
        expected_start += length

    description = ffmpeg_description(out)
    assert "Audio: aac" in description
    assert "A = Book; #1" in description and "Zoë Writer" in description


@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_m4b_cover_is_attached(chapter_files, tmp_path, kind):
    cover = tiny_jpeg(tmp_path) if kind == "jpeg" else tiny_png()
    mime = "image/jpeg" if kind == "jpeg" else None  # None: sniffed from the bytes
    out = write_m4b(chapter_files[:1], ["Only"], tmp_path / "c.m4b", title="Covered", cover=cover, cover_mime=mime)
    video = [line for line in ffmpeg_description(out).splitlines() if "Video:" in line]
    assert len(video) == 1 and "(attached pic)" in video[0]
    assert ("mjpeg" if kind == "jpeg" else "png") in video[0]


def test_multiline_title_round_trips(chapter_files, tmp_path):
    out = write_m4b(chapter_files[:2], ["Part one\nThe start", "Two"], tmp_path / "m.m4b", title="T")
    assert [c[2] for c in probe_chapters(out)[1]] == ["Part one\nThe start", "Two"]


def test_missing_input_file_names_it(chapter_files, tmp_path):
    missing = tmp_path / "gone.wav"
    out = tmp_path / "book.m4b"
    with pytest.raises(EncodeError) as info:
        write_m4b([chapter_files[0], missing], ["a", "b"], out, title="T")
    assert str(missing) in str(info.value) and str(out) in str(info.value)
    assert info.value.output == out and not out.exists()


def test_ffmpeg_failure_reports_stderr_and_leaves_nothing(chapter_files, tmp_path):
    out = tmp_path / "book.m4b"
    with pytest.raises(EncodeError) as info:
        write_m4b(chapter_files, TITLES, out, title="T", bitrate="not-a-bitrate")
    message = str(info.value)
    assert "ffmpeg failed" in message and str(out) in message and "not-a-bitrate" in message
    assert info.value.stderr_tail and list(tmp_path.iterdir()) == []


def test_failed_encode_keeps_previous_output(chapter_files, tmp_path):
    out = write_m4b(chapter_files[:1], ["One"], tmp_path / "book.m4b", title="T")
    before = out.read_bytes()
    with pytest.raises(EncodeError):
        write_m4b(chapter_files, TITLES, out, title="T", bitrate="bad")
    assert out.read_bytes() == before


def test_input_checks(chapter_files, tmp_path):
    out = tmp_path / "book.m4b"
    with pytest.raises(EncodeError, match="no chapter audio"):
        write_m4b([], [], out, title="T")
    with pytest.raises(EncodeError, match="3 chapter files but 2 titles"):
        write_m4b(chapter_files, TITLES[:2], out, title="T")
    other_rate = write_tone(tmp_path / "fast.wav", 0.2, 440, rate=16000)
    with pytest.raises(EncodeError, match="16000 Hz"):
        write_m4b([chapter_files[0], other_rate], ["a", "b"], out, title="T")
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"not audio at all" * 10)
    with pytest.raises(EncodeError, match="not readable audio"):
        write_m4b([garbage], ["a"], out, title="T")
    with pytest.raises(EncodeError, match="not supported"):
        write_m4b(chapter_files[:1], ["a"], out, title="T", cover=b"GIF89a", cover_mime="image/gif")
    with pytest.raises(EncodeError, match="neither JPEG nor PNG"):
        write_m4b(chapter_files[:1], ["a"], out, title="T", cover=b"GIF89a")
    with pytest.raises(EncodeError, match="not writable"):
        write_m4b(chapter_files[:1], ["a"], tmp_path / "no" / "such" / "book.m4b", title="T")


# -- MP3 and probing -----------------------------------------------------------
def test_write_mp3(chapter_files, tmp_path):
    out = write_mp3(chapter_files[1], tmp_path / "02.mp3", title="Café")
    duration, chapters = probe_chapters(out)
    assert duration == pytest.approx(DURATIONS[1], abs=0.1) and chapters == []
    description = ffmpeg_description(out)
    assert "Audio: mp3" in description and "Café" in description
    assert [p.name for p in tmp_path.iterdir()] == ["02.mp3"]


def test_probe_errors(tmp_path):
    with pytest.raises(ProbeError, match="does not exist"):
        probe_chapters(tmp_path / "nothing.m4b")
    junk = tmp_path / "junk.m4b"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(ProbeError, match="junk.m4b"):
        probe_chapters(junk)
