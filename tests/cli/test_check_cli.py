"""`audiobook check FILE…` as a user runs it: real files, a real subprocess."""

from __future__ import annotations

import shutil

from backend.audio.mastering import master_file
from backend.audio.presets import ACX
from tests.audio.audio_factory import encode, write_speechlike
from tests.cli.test_cli import run_cli


def test_good_and_failing_files_exit_0_and_say_which(tmp_path):
    raw = write_speechlike(tmp_path / "raw.flac", 12.0)
    good = tmp_path / "good.flac"
    shutil.copyfile(raw, good)
    master_file(good, ACX)
    mp3 = encode(good, tmp_path / "good.mp3", "-c:a", "libmp3lame", "-b:a", "192k")
    proc = run_cli("check", good, mp3)
    assert proc.returncode == 0, proc.stderr
    assert "All 2 files meet Audiobook (ACX)." in proc.stdout and "✗" not in proc.stdout
    assert "192 kbps CBR ✓" in proc.stdout and "44100 Hz ✓" in proc.stdout

    proc = run_cli("check", raw, good, "--csv", tmp_path / "report.csv")
    assert proc.returncode == 0  # a failed check is a warning, not an error
    assert "1 of 2 files do not meet Audiobook (ACX)" in proc.stdout and "✗ raw.flac: RMS" in proc.stdout
    assert "Some checks failed against Audiobook (ACX)" in proc.stderr and "not changed" in proc.stderr
    assert (tmp_path / "report.csv").read_text(encoding="utf-8-sig").count("\n") == 3

    proc = run_cli("check", raw, "--preset", "podcast")
    assert proc.returncode == 0 and "Podcast / Apple" in proc.stdout


def test_unreadable_files_exit_1_with_one_line_each(tmp_path):
    good = write_speechlike(tmp_path / "ok.wav", 6.0)
    text = tmp_path / "notes.mp3"
    text.write_text("these are notes, not sound")
    proc = run_cli("check", good, text, tmp_path / "missing.flac")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and "notes.mp3" in errors[0] and "missing.flac' does not exist" in errors[1]
    assert "ok.wav" in proc.stdout and "Traceback" not in proc.stderr  # the readable file is still measured
    proc = run_cli("check", good, "--preset", "loudest")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "acx, podcast, ebu, off" in proc.stderr


def test_render_flags_for_mastering_are_checked(tmp_path):
    book = tmp_path / "b.txt"
    book.write_text("One short line.", encoding="utf-8")
    proc = run_cli("render", book, "-o", tmp_path / "out", "--master", "loud")
    assert proc.returncode == 1 and "--master 'loud'" in proc.stderr and "acx, podcast, ebu, off" in proc.stderr
    proc = run_cli("render", book, "-o", tmp_path / "out", "--room-tone-tail", "ten")
    assert proc.returncode == 1 and "--room-tone-tail must be a number" in proc.stderr
    proc = run_cli("render", book, "-o", tmp_path / "out", "--room-tone-head", "12")
    assert proc.returncode == 1 and "room_tone_head must be 0 to 10 seconds" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_render_prints_the_audio_report(tmp_path):
    book = tmp_path / "note.txt"
    book.write_text("A Note\n\nThe ferry left at dawn. Nobody was on it.\n", encoding="utf-8")
    proc = run_cli("render", book, "-o", tmp_path / "out", "--device", "cpu", "--outputs", "srt",
                   "--master", "ebu", "--room-tone-head", "0.5", "--room-tone-tail", "1.5")
    assert proc.returncode == 0, proc.stderr
    assert "Mastered 01 - " in proc.stderr and "LUFS, true peak" in proc.stderr
    assert "Audio check against EBU R128: The file meets EBU R128." in proc.stdout
    assert "Loudness" in proc.stdout.splitlines()[0]
    assert (tmp_path / "out" / "note audio report.csv").exists()
