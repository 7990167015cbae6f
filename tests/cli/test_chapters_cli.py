"""`audiobook chapters BOOK [--select …]`, `render --chapters … --title/--author/--narrator/--cover`, and
Ctrl-C/SIGTERM while a big book is planned."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mutagen

from tests.render.test_details import make_picture
from tests.render.test_stop_early import big_book

ROOT = Path(__file__).resolve().parents[2]
BOOK = ("# The Ferry\n\n## One\n\nThe ferry left at dawn.\n\n## Two\n\nMara watched it go.\n\n"
        "## Three\n\nThen she walked home.\n")


def run(tmp_path, *args, timeout=300):
    env = {**os.environ, "AUDIOBOOK_CONFIG_DIR": str(tmp_path / "cfg"), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def book(tmp_path):
    path = tmp_path / "ferry.md"
    path.write_text(BOOK, encoding="utf-8")
    return path


def render(tmp_path, *extra):
    return run(tmp_path, "render", str(book(tmp_path)), "-o", str(tmp_path / "out"), "--cache-dir",
               str(tmp_path / "cache"), "--device", "cpu", "--outputs", "m4b", "--master", "off", *extra)


def test_chapters_lists_numbers_titles_sizes_durations_and_the_selection(tmp_path):
    proc = run(tmp_path, "chapters", str(book(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["#", "Sel", "Title", "Characters", "Duration", "Part"]
    assert lines[1].split()[:3] == ["1", "[x]", "One"] and lines[3].split()[:3] == ["3", "[x]", "Three"]
    assert lines[1].split()[-1].count(":") == 2  # h:mm:ss
    assert "Selected (the default: all): 1-3 — 3 of 3 chapters" in proc.stdout
    assert "--select 1-3,7" in proc.stderr


def test_select_saves_the_selection_for_the_book_and_default_forgets_it(tmp_path):
    saved = run(tmp_path, "chapters", str(book(tmp_path)), "--select", "1,3")
    assert saved.returncode == 0, saved.stderr
    assert "Saved the selection for this book: chapters 1,3." in saved.stderr
    assert "[ ]  Two" in saved.stdout and "Selected (saved for this book): 1,3 — 2 of 3 chapters" in saved.stdout
    again = run(tmp_path, "chapters", str(book(tmp_path)))
    assert "Selected (saved for this book): 1,3" in again.stdout
    files = list((tmp_path / "xdg").rglob("selection.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["selected"] == [1, 3]
    bad = run(tmp_path, "chapters", str(book(tmp_path)), "--select", "2-9")
    assert bad.returncode == 1 and "--select '2-9': there is no chapter 9: the book has 3 chapters (1-3)" in bad.stderr
    assert json.loads(files[0].read_text())["selected"] == [1, 3]  # the refused selection changed nothing
    reset = run(tmp_path, "chapters", str(book(tmp_path)), "--select", "default")
    assert "removed" in reset.stderr and "Selected (the default: all): 1-3" in reset.stdout
    assert not files[0].exists()


def test_render_picks_chapters_for_this_run_with_details_from_the_flags(tmp_path):
    run(tmp_path, "chapters", str(book(tmp_path)), "--select", "1")  # saved: chapter 1; the flag wins for the run
    cover = make_picture(tmp_path / "cover.jpg", 200, 300)
    proc = render(tmp_path, "--chapters", "2-3", "--title", "Flag Title", "--author", "Flag Author",
                  "--narrator", "Flag Narrator", "--cover", str(cover))
    assert proc.returncode == 0, proc.stderr
    assert "Chapters 2-3 of 3 (2 selected, as given for this run)" in proc.stderr
    assert "WARNING: The cover is 200 × 300 pixels" in proc.stderr and "2400 × 2400" in proc.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.glob("*.flac")) == ["01 - Two.flac", "02 - Three.flac"]
    tags = mutagen.File(out / "02 - Three.flac")
    assert tags["ALBUM"] == ["Flag Title"] and tags["ARTIST"] == ["Flag Author"] and tags["COMPOSER"] == ["Flag Narrator"]
    assert tags["TRACKNUMBER"] == ["2"] and tags["TRACKTOTAL"] == ["2"] and tags.pictures[0].data == cover.read_bytes()
    m4b = mutagen.File(out / "Flag Title.m4b")
    assert m4b["\xa9nam"] == ["Flag Title"] and m4b["\xa9ART"] == ["Flag Author"] and m4b["\xa9wrt"] == ["Flag Narrator"]
    listing = run(tmp_path, "chapters", str(book(tmp_path)))
    assert "Selected (saved for this book): 1 —" in listing.stdout  # --chapters did not change the saved selection


def test_bad_render_choices_are_one_line_errors(tmp_path):
    text = tmp_path / "cover.png"
    text.write_text("not a picture")
    for flags, message in ((["--chapters", "4"], "--chapters '4': there is no chapter 4: the book has 3 chapters"),
                           (["--chapters", "3-1"], "runs backwards"),
                           (["--chapters", "one"], "'one' in 'one' is not a chapter number"),
                           (["--cover", str(text)], "Cannot use 'cover.png' as the cover: it is not a JPEG or PNG"),
                           (["--cover", str(tmp_path / "none.jpg")], "none.jpg' as the cover: the file does not exist"),
                           (["--title", "x" * 600], "--title: the title is too long")):
        proc = render(tmp_path, *flags)
        assert proc.returncode == 1 and message in proc.stderr, (flags, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_sigterm_while_a_big_book_is_planned_stops_within_a_second(tmp_path):
    path = big_book(tmp_path / "big.md")
    env = {**os.environ, "AUDIOBOOK_CONFIG_DIR": str(tmp_path / "cfg")}
    cmd = [sys.executable, "-m", "backend.cli", "render", str(path), "-o", str(tmp_path / "out"), "--cache-dir",
           str(tmp_path / "cache"), "--device", "cpu"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    seen = []
    for line in proc.stderr:  # planning 3 million characters takes far longer than a second
        seen.append(line)
        if " loaded on cpu " in line:
            time.sleep(0.3)
            asked = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            break
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    took = time.perf_counter() - asked
    err = "".join(seen) + rest
    assert code == 130, err
    assert took < 2.0, f"exited {took:.2f} s after SIGTERM"
    assert "Stopping after the current batch, or at once if none is running" in err
    assert "run the same command again" in err and "Traceback" not in err and "] Batch " not in err
    assert not (tmp_path / "out").exists()
