"""The CLI as a user runs it: a real subprocess, real voice, real WAV files."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "backend.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_say_text_writes_speech(tmp_path):
    out = tmp_path / "hello.wav"
    proc = run_cli("say", "Hello there. This is a short test of the bundled voice.", "-o", out)
    assert proc.returncode == 0, proc.stderr
    audio, rate = sf.read(out, dtype="float32")
    assert rate == 22050 and audio.ndim == 1
    assert 2.0 < len(audio) / rate < 8.0
    assert np.abs(audio).max() > 0.1
    assert "Batch 1 (1 chunk) done in" in proc.stderr and "Wrote" in proc.stderr


def test_say_demo_book_renders_all_of_it(tmp_path):
    out = tmp_path / "demo.wav"
    proc = run_cli("say", "--file", ROOT / "resources" / "demo_book.md", "-o", out, "--batch-size", "2")
    assert proc.returncode == 0, proc.stderr
    info = sf.info(out)
    # ~1,100 characters of prose: close to a minute of speech, pauses included
    assert 40 < info.duration < 90
    assert not list(tmp_path.glob("*.part"))


def test_bad_voice_is_one_clear_line(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00not a model")
    junk.with_name("junk.onnx.json").write_text(json.dumps({"phoneme_id_map": {"^": [1], "_": [0], "$": [2]},
                                                             "audio": {"sample_rate": 22050},
                                                             "espeak": {"voice": "en-us"}}))
    proc = run_cli("say", "Hi.", "--voice", junk, "-o", tmp_path / "x.wav")
    assert proc.returncode == 1
    assert "not a valid ONNX model" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.wav").exists()


def test_missing_book_and_bad_flags(tmp_path):
    proc = run_cli("say", "--file", tmp_path / "missing.txt", "-o", tmp_path / "x.wav")
    assert proc.returncode == 1 and "missing.txt" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("say", "Hi.", "--batch-size", "0")
    assert proc.returncode == 1 and "--batch-size" in proc.stderr
    proc = run_cli("say", "Hi.", "--device", "cuda", "-o", tmp_path / "x.wav")
    import torch

    if torch.cuda.is_available():  # on a GPU machine the same command renders there
        assert proc.returncode == 0 and (tmp_path / "x.wav").stat().st_size > 1000, proc.stderr
    else:
        assert proc.returncode == 1 and "CUDA" in proc.stderr and "Traceback" not in proc.stderr


def test_voices_lists_the_bundled_voice():
    proc = run_cli("voices")
    assert proc.returncode == 0
    assert "en_US-joe-medium" in proc.stdout and "22050 Hz" in proc.stdout
