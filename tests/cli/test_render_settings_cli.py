"""`audiobook render` reads user_settings.json; command-line flags win; a bad file or flag is handled."""

import json
import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
BOOK = "The ferry left at dawn. Mara watched it from the quarry path.\n"


def render(tmp_path, config: Path, out_name: str, *extra):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    out = tmp_path / out_name
    cmd = [sys.executable, "-m", "backend.cli", "render", str(book), "-o", str(out), "--cache-dir",
           str(tmp_path / "cache"), "--device", "cpu", "--max-chars", "60", "--outputs", "srt", *extra]
    env = {**os.environ, "AUDIOBOOK_CONFIG_DIR": str(config)}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    return proc, out


def write_config(folder: Path, content) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / "user_settings.json").write_text(text, encoding="utf-8")
    return folder


def duration(folder: Path, suffix: str) -> float:
    files = sorted(folder.glob(f"*.{suffix}"))
    assert len(files) == 1, list(folder.iterdir())
    return sf.info(files[0]).duration


def test_saved_settings_apply_and_flags_win(tmp_path):
    config = write_config(tmp_path / "cfg", {"chapter_format": "wav", "sentence_pause": 0.5, "_help": {"x": "y"}})
    saved, out = render(tmp_path, config, "saved")
    assert saved.returncode == 0, saved.stderr
    assert "WARNING" not in saved.stderr
    wav_seconds = duration(out, "wav")
    assert not list(out.glob("*.flac")) and list(out.glob("*.srt"))

    flagged, out = render(tmp_path, config, "flagged", "--format", "flac")  # the flag beats the saved wav
    assert flagged.returncode == 0, flagged.stderr
    assert not list(out.glob("*.wav"))
    assert abs(duration(out, "flac") - wav_seconds) < 0.01  # the saved pause still applies

    default, out = render(tmp_path, write_config(tmp_path / "cfg_default", {}), "default", "--format", "flac")
    assert default.returncode == 0, default.stderr
    # two sentences, one 0.5 s pause between them instead of the default 0.3 s
    assert 0.15 < wav_seconds - duration(out, "flac") < 0.25


def test_corrupt_settings_warn_and_the_render_still_runs(tmp_path):
    config = write_config(tmp_path / "cfg", "{ this is not json")
    proc, out = render(tmp_path, config, "out")
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("WARNING:")]
    assert len(warnings) == 1 and "user_settings.json" in warnings[0] and ".bak-" in warnings[0]
    assert list(out.glob("*.flac")) and list(config.glob("user_settings.json.bak-*"))


def test_bad_key_warns_and_keeps_the_rest(tmp_path):
    config = write_config(tmp_path / "cfg", {"chapter_format": "wav", "batch_size": "ten"})
    proc, out = render(tmp_path, config, "out")
    assert proc.returncode == 0, proc.stderr
    assert any(line.startswith("WARNING:") and "batch_size" in line for line in proc.stderr.splitlines())
    assert list(out.glob("*.wav"))


def test_bad_flag_is_one_error_line(tmp_path):
    config = write_config(tmp_path / "cfg", {})
    for flag, value in (("--batch-size", "zero"), ("--batch-size", "0"), ("--format", "ogg"), ("--speed", "fast"),
                        ("--cpu-streams", "two"), ("--cpu-streams", "0")):
        proc, out = render(tmp_path, config, "out", flag, value)
        assert proc.returncode == 1, (flag, value, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:") and flag in lines[0], lines
        assert "Traceback" not in proc.stderr and not out.exists()
