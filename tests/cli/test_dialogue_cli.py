"""`audiobook render --dialogue-voice / --dialogue-speaker` through the real CLI: the choice is
saved for the book, used by the next render, turned off with 'off', and a bad one is one line."""

import pytest

from tests.cli.test_cli import run_cli
from tests.tts.piper_voices import SMALL, export_voice


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    return export_voice(SMALL, tmp_path_factory.mktemp("multi"))


def _render(book, out, cache, *extra):
    return run_cli("render", book, "-o", out, "--cache-dir", cache, "--device", "cpu", "--max-chars", "80",
                   "--master", "off", "--outputs", "srt", *extra)


def test_dialogue_voice_is_saved_for_the_book_and_turned_off(voice, tmp_path):
    book = tmp_path / "pier.txt"
    book.write_text("“Is the ferry late?” she asked. He shrugged.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    proc = _render(book, tmp_path / "a", cache, "--dialogue-voice", voice, "--dialogue-speaker", "bob")
    assert proc.returncode == 0, proc.stderr
    assert f"Dialogue voice: {voice.stem}, speaker bob: quoted speech is read in it (saved for this book)." in proc.stderr
    assert '"Is the ferry late?"' in (tmp_path / "a" / "pier.srt").read_text(encoding="utf-8")
    again = _render(book, tmp_path / "b", cache)  # no flag: the book's saved choice, every chunk reused
    assert again.returncode == 0, again.stderr
    assert "Dialogue voice: " in again.stderr and "3 chunks (0 rendered, 3 reused)" in again.stderr
    off = _render(book, tmp_path / "c", cache, "--dialogue-voice", "off")
    assert off.returncode == 0, off.stderr
    assert "Dialogue voice: off for this book" in off.stderr and "2 chunks (1 rendered, 1 reused)" in off.stderr
    assert "Dialogue voice: " not in _render(book, tmp_path / "d", cache).stderr


def test_bad_dialogue_voices_are_one_clear_line(voice, tmp_path):
    book = tmp_path / "pier.txt"
    book.write_text("“Hello,” she said.\n", encoding="utf-8")
    for extra, message in ((("--dialogue-voice", "amy"), "There is no voice 'amy'"),
                           (("--dialogue-voice", ""), "--dialogue-voice needs a voice"),
                           (("--dialogue-voice", voice, "--dialogue-speaker", "dave"), "no speaker 'dave'"),
                           (("--dialogue-speaker", "bob"), "single speaker")):
        proc = _render(book, tmp_path / "out", tmp_path / "cache", *extra)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert message in proc.stderr.splitlines()[-1]
