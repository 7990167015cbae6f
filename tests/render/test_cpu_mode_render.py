"""Renders with 'auto' precision and CPU streams use the mode measured on this machine; a book
keeps the precision it was started in (its chunks' keys name it), so a resume never re-renders
because the measured choice changed; explicit settings override and need no measurement."""

from __future__ import annotations

import json

import pytest
import torch

from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from backend.tts.cpu_mode_store import Calibration, CpuMode, calibration_file, machine_fingerprint, save_calibration
from tests.render.test_engine import BOOK, Recorder


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """This test's own machine-wide folder, where the CPU mode measurement is kept."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "machine"))
    return tmp_path


def remember(precision: str) -> None:
    """A measurement of this machine in which `precision` won (both are real modes it can run)."""
    threads = torch.get_num_threads()
    fp32, bf16 = (0.030, 0.020) if precision == "bfloat16" else (0.030, 0.040)
    save_calibration(calibration_file(), Calibration(machine_fingerprint(threads), [
        (CpuMode(2, 1), fp32), (CpuMode(2, 1, "bfloat16"), bf16)], bf16_snr_db=38.0))


def render(root, **kw):
    book = root / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    st = RenderSettings(device="cpu", max_chars=60, cache_dir=str(root / "cache"), outputs=[], master="off", **kw)
    events = Recorder()
    summary = AudioEngine(RenderJob(book, root / "out", st), events).run()
    manifest = json.loads(next((root / "cache" / "jobs").glob("*/manifest.json")).read_text())
    return summary, [m for _, m in events.logs], manifest


def test_auto_uses_the_measured_mode_and_a_started_book_keeps_its_precision(machine):
    remember("bfloat16")
    first, logs, manifest = render(machine)
    assert "CPU mode: 2 streams × 1 thread, bfloat16 (measured)" in logs
    assert manifest["params"]["precision"] == "bfloat16" and first.rendered == first.chunks
    # The machine's choice changes (say, a new PyTorch measured float32 faster): the book goes on as started.
    remember("float32")
    again, logs, manifest = render(machine)
    assert again.reused == again.chunks and again.rendered == 0
    assert any(line.startswith("CPU mode: 2 streams × 1 thread, bfloat16 (as started)") for line in logs)
    assert manifest["params"]["precision"] == "bfloat16"
    # Asking for float32 explicitly is a different take: every chunk renders again.
    explicit, logs, manifest = render(machine, precision="float32", cpu_streams=2)
    assert explicit.rendered == explicit.chunks
    assert "CPU mode: 2 streams × 1 thread (set)" in logs and manifest["params"]["precision"] == "float32"


def test_explicit_settings_need_no_measurement(machine):
    summary, logs, _ = render(machine, precision="float32", cpu_streams=1)
    assert summary.rendered == summary.chunks
    assert not any("Measuring" in line for line in logs) and not calibration_file().exists()
    assert f"CPU mode: 1 stream × {torch.get_num_threads()} threads (set)".replace("× 1 threads", "× 1 thread") in logs


def test_the_first_auto_render_measures_and_remembers(machine):
    summary, logs, manifest = render(machine)
    assert any("Measuring which CPU mode" in line for line in logs)
    assert calibration_file().exists()
    chosen = Calibration.from_json(json.loads(calibration_file().read_text())).choice()
    assert f"CPU mode: {chosen.describe()} (measured)" in logs
    assert manifest["params"]["precision"] == chosen.precision and summary.rendered == summary.chunks
