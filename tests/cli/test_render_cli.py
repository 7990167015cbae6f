"""`audiobook render` as a user runs it: killed mid-way, interrupted with Ctrl-C, resumed."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.render.test_engine import BOOK

ROOT = Path(__file__).resolve().parents[2]


def render_cmd(book, out, cache, *extra):
    return [sys.executable, "-m", "backend.cli", "render", str(book), "-o", str(out), "--cache-dir", str(cache),
            "--device", "cpu", "--max-chars", "60", *extra]


def run_until_batch(cmd, batch: int, sig: int):
    """Start a render, wait for its Nth batch line, send `sig`; return (returncode, stderr)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if f"] Batch {batch} (" in line:
            proc.send_signal(sig)
            break
    rest = proc.stderr.read()
    proc.wait(timeout=120)
    return proc.returncode, "".join(seen) + rest


def chapters(folder):
    return [sf.read(p, dtype="int16")[0] for p in sorted(folder.glob("*.flac"))]


def test_killed_render_resumes_to_identical_audio(tmp_path):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    code, err = run_until_batch(render_cmd(book, tmp_path / "out", tmp_path / "cache"), 3, signal.SIGKILL)
    assert code == -signal.SIGKILL
    cached = sum(int(n) for n in re.findall(r"\] Batch \d+ \((\d+) chunks?\)", err))  # on a CPU one per stream
    assert not (tmp_path / "out" / "ferry.m4b").exists()
    done = subprocess.run(render_cmd(book, tmp_path / "out", tmp_path / "cache"), cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert cached >= 3 and f"Resuming: {cached} of" in done.stderr
    clean = subprocess.run(render_cmd(book, tmp_path / "clean", tmp_path / "cache2"), cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert clean.returncode == 0, clean.stderr
    resumed, fresh = chapters(tmp_path / "out"), chapters(tmp_path / "clean")
    assert len(resumed) == len(fresh) == 2
    assert all(np.array_equal(a, b) for a, b in zip(resumed, fresh, strict=True))


def test_ctrl_c_stops_after_the_batch_and_says_how_to_resume(tmp_path):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    code, err = run_until_batch(render_cmd(book, tmp_path / "out", tmp_path / "cache"), 1, signal.SIGINT)
    assert code == 130
    assert "Stopping after the current batch" in err and "run the same command again" in err
    assert "Traceback" not in err


def test_render_bad_book_exit_code(tmp_path):
    bad = tmp_path / "broken.epub"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    proc = subprocess.run(render_cmd(bad, tmp_path / "out", tmp_path / "cache"), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "broken.epub" in proc.stderr and "Traceback" not in proc.stderr
