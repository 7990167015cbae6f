"""--speaker on `say` and `render`, and `voices` listing speakers, with a real multi-speaker voice
(built by Piper's training code and exporter: tests/tts/piper_voices.py)."""

import numpy as np
import pytest
import soundfile as sf

from tests.cli.test_cli import run_cli
from tests.tts.piper_voices import SMALL, export_voice


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    return export_voice(SMALL, tmp_path_factory.mktemp("multi"))


def test_voices_lists_the_speakers(voice):
    proc = run_cli("voices", "--add", voice)
    assert proc.returncode == 0, proc.stderr
    assert voice.name.removesuffix(".onnx") in proc.stdout
    assert "3 speakers" in proc.stdout and "alice, bob, carol" in proc.stdout
    assert "en_US-joe-medium" in proc.stdout  # the single-speaker voice is listed without speakers
    joe = next(line for line in proc.stdout.splitlines() if "en_US-joe-medium" in line)
    assert "speakers" not in joe


def test_say_with_a_speaker_by_name_or_id(voice, tmp_path):
    outs = {}
    for speaker in ("bob", "1", "carol"):
        out = tmp_path / f"{speaker}.wav"
        proc = run_cli("say", "The ferry left at noon.", "--voice", voice, "--speaker", speaker, "-o", out)
        assert proc.returncode == 0, proc.stderr
        outs[speaker] = sf.read(out, dtype="float32")[0]
    assert np.array_equal(outs["bob"], outs["1"])  # bob is speaker 1
    n = min(len(outs["bob"]), len(outs["carol"]))
    assert np.abs(outs["bob"][:n] - outs["carol"][:n]).max() > 0.02


def test_say_with_an_unknown_speaker_is_one_clear_line(voice, tmp_path):
    out = tmp_path / "x.wav"
    proc = run_cli("say", "Hi.", "--voice", voice, "--speaker", "nobody", "-o", out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no speaker 'nobody'" in proc.stderr and "alice" in proc.stderr
    assert not out.exists()
    proc = run_cli("say", "Hi.", "--speaker", "alice", "-o", out)  # the bundled voice has one speaker
    assert proc.returncode == 1 and "single speaker" in proc.stderr and not out.exists()


def _render(book, out, cache, voice, *extra):
    return run_cli("render", book, "-o", out, "--cache-dir", cache, "--device", "cpu", "--max-chars", "60",
                   "--voice", voice, "--master", "off", "--outputs", "", *extra)


def test_render_with_a_speaker_keys_its_chunks(voice, tmp_path):
    book = tmp_path / "ferry.txt"
    book.write_text("The ferry left at noon. Nobody waved from the pier.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    proc = _render(book, tmp_path / "carol", cache, voice, "--speaker", "carol")
    assert proc.returncode == 0, proc.stderr
    carol = [sf.read(p)[0] for p in sorted((tmp_path / "carol").glob("*.flac"))]
    assert carol
    # The same speaker by id reuses every chunk: keys hold the id, not how it was written.
    proc = _render(book, tmp_path / "again", cache, voice, "--speaker", "2")
    assert proc.returncode == 0, proc.stderr
    assert "to go" in proc.stderr and " 0 to go" in proc.stderr
    # Another speaker renders every chunk again and sounds different.
    proc = _render(book, tmp_path / "bob", cache, voice, "--speaker", "bob")
    assert proc.returncode == 0, proc.stderr
    assert "Resuming" not in proc.stderr
    bob = [sf.read(p)[0] for p in sorted((tmp_path / "bob").glob("*.flac"))]
    assert any(len(a) != len(b) or np.abs(a - b).max() > 0.02 for a, b in zip(carol, bob, strict=True))
    proc = _render(book, tmp_path / "none", cache, voice, "--speaker", "zed")
    assert proc.returncode == 1 and "no speaker 'zed'" in proc.stderr and "Traceback" not in proc.stderr


def test_blends_mix_speakers_and_are_saved_by_name(voice, tmp_path):
    outs = {}
    for name, spec in (("alice", "alice"), ("bob", "bob"), ("mix", "alice:3,bob:1"), ("same", "0:0.75, 1:0.25")):
        out = tmp_path / f"{name}.wav"
        proc = run_cli("say", "The ferry left at noon.", "--voice", voice, "--speaker", spec, "-o", out)
        assert proc.returncode == 0, proc.stderr
        outs[name] = sf.read(out, dtype="float32")[0]
    assert np.array_equal(outs["mix"], outs["same"])  # names or ids, weights normalized: one blend
    n = min(len(outs[k]) for k in outs)
    assert np.abs(outs["mix"][:n] - outs["alice"][:n]).max() > 0.01  # a voice of its own
    assert np.abs(outs["mix"][:n] - outs["bob"][:n]).max() > 0.01

    assert run_cli("blend", "save", "Warm", "alice:3,bob:1", "--voice", voice).returncode == 0
    listed = run_cli("blend", "list")
    assert "Warm: alice:0.75,bob:0.25" in listed.stdout
    out = tmp_path / "warm.wav"
    assert run_cli("say", "The ferry left at noon.", "--voice", voice, "--speaker", "Warm", "-o", out).returncode == 0
    assert np.array_equal(sf.read(out, dtype="float32")[0], outs["mix"])
    bad = run_cli("blend", "save", "Odd", "alice:1", "--voice", voice)
    assert bad.returncode == 1 and "2 to 4 speakers" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("say", "Hi.", "--voice", voice, "--speaker", "alice:1,zed:1", "-o", tmp_path / "z.wav")
    assert bad.returncode == 1 and "no speaker 'zed'" in bad.stderr
    assert run_cli("blend", "remove", "Warm").returncode == 0 and "Warm" not in run_cli("blend", "list").stdout


def test_a_blend_renders_once_whatever_its_name(voice, tmp_path):
    book = tmp_path / "ferry.txt"
    book.write_text("The ferry left at noon. Nobody waved from the pier.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = _render(book, tmp_path / "a", cache, voice, "--speaker", "alice:1,carol:1")
    assert first.returncode == 0, first.stderr
    assert run_cli("blend", "save", "Even", "carol:2,alice:2", "--voice", voice).returncode == 0
    again = _render(book, tmp_path / "b", cache, voice, "--speaker", "Even")
    assert again.returncode == 0, again.stderr
    assert "0 rendered" in again.stderr  # the same normalized mix: every chunk comes from the cache
