"""`audiobook render --outputs …,distribution,opus --narrator … --m4b-bitrate …`: the exports from
the command line, and bad values refused with one line."""

import os
import re
import subprocess
import sys
from pathlib import Path

from backend.render.m4b import ffmpeg_exe

ROOT = Path(__file__).resolve().parents[2]
BOOK = "# The Ferry\n\n## One\n\nThe ferry left at dawn.\n\n## Two\n\nMara watched it go.\n"


def render(tmp_path, *extra):
    book = tmp_path / "ferry.md"
    book.write_text(BOOK, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "backend.cli", "render", str(book), "-o", str(out), "--cache-dir",
           str(tmp_path / "cache"), "--device", "cpu", *extra]
    env = {**os.environ, "AUDIOBOOK_CONFIG_DIR": str(tmp_path / "cfg")}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env), out


def describe(path: Path) -> str:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True).stderr.decode()


def test_exports_from_the_command_line(tmp_path):
    proc, out = render(tmp_path, "--outputs", "m4b,distribution,opus", "--narrator", "Jane Reader",
                       "--m4b-bitrate", "32k")
    assert proc.returncode == 0, proc.stderr
    assert "narrated by Jane Reader." in proc.stderr
    names = sorted(p.name for p in (out / "distribution").iterdir())
    assert names == ["00 - Opening credits.mp3", "01 - One.mp3", "02 - Two.mp3", "03 - Closing credits.mp3"]
    assert "composer        : Jane Reader" in describe(out / "distribution" / names[1])
    assert sorted(p.name for p in out.glob("*.opus")) == ["01 - One.opus", "02 - Two.opus"]
    m4b = describe(out / "The Ferry.m4b")
    assert "major_brand     : M4B " in m4b and "composer        : Jane Reader" in m4b
    kbps = re.search(r"Audio: aac.*mono, fltp, (\d+) kb/s", m4b)
    assert kbps and int(kbps[1]) <= 34  # at most the 32 kbps asked for (pauses take fewer bits)


def test_bad_export_flags_are_one_line_errors(tmp_path):
    for flags, message in ((["--m4b-bitrate", "fast"], "--m4b-bitrate must be a whole number"),
                           (["--m4b-bitrate", "999"], "M4B bit rate must be 16 to 320 kbps"),
                           (["--outputs", "distribution,flac"], "outputs must be among")):
        proc, out = render(tmp_path, *flags)
        assert proc.returncode == 1 and message in proc.stderr, (flags, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and not out.exists()


def test_word_timing_outputs_from_the_command_line(tmp_path):
    proc, out = render(tmp_path, "--outputs", "srt,words,readalong")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert {"The Ferry.srt", "The Ferry words.srt", "The Ferry words.vtt", "The Ferry read-along.epub"} <= set(names)
    words = (out / "The Ferry words.vtt").read_text(encoding="utf-8")
    assert words.startswith("WEBVTT") and "\nferry\n" in words and "\ndawn.\n" in words
    assert "each word highlighted" in proc.stderr and f"Wrote {out / 'The Ferry read-along.epub'}" in proc.stderr
