"""Shared pieces of the reliability suite: a small 3-chapter book, a reference render, helpers."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from tests.render.test_engine import Recorder

ROOT = Path(__file__).resolve().parents[2]


def _load_crash_trials():
    spec = importlib.util.spec_from_file_location("bench_crash_trials", ROOT / "bench" / "crash_trials.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# The trial logic lives in bench/crash_trials.py; the tests run a few of its trials.
crash_trials = _load_crash_trials()
BOOK = crash_trials.BOOK
BOOK_CHUNKS = crash_trials.BOOK_CHUNKS
SAMPLE_RATE = crash_trials.SAMPLE_RATE
chapter_audio = crash_trials.chapter_audio
decodes_fully = crash_trials.decodes_fully


@pytest.fixture(autouse=True)
def isolated_user_settings(tmp_path, monkeypatch):
    """CLI runs read user_settings.json: keep them away from the real one."""
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "user-config"))


def settings(cache: Path, **kw) -> RenderSettings:
    kw.setdefault("max_chars", 60)
    kw.setdefault("outputs", [])
    return RenderSettings(device="cpu", cache_dir=str(cache), **kw)


@pytest.fixture(scope="session")
def synth():
    """One loaded voice for the whole suite (the engine takes an already loaded Synthesizer)."""
    from backend.render.cpu_mode_step import planning_settings
    from backend.tts.synth import Synthesizer

    st = planning_settings(RenderSettings(device="cpu"))  # 'auto' precision as a render here uses it
    return Synthesizer.load(st.voice, device="cpu", dtype=st.precision, noise_scale=st.noise_scale, noise_w=st.noise_w)


def render(book: Path, out: Path, st: RenderSettings, synth=None, events=None, cancel=None):
    events = events if events is not None else Recorder()
    return AudioEngine(RenderJob(book, out, st), events, cancel, synthesizer=synth).run()


def job_dir(book: Path, st: RenderSettings) -> Path:
    return AudioEngine(RenderJob(book, Path("unused"), st)).job_dir()


@pytest.fixture(scope="session")
def reference(tmp_path_factory, synth):
    """The book rendered once through the engine: its path, chapter audio and a full cache to copy."""
    folder = tmp_path_factory.mktemp("reference")
    book = folder / "keeper.md"
    book.write_text(BOOK, encoding="utf-8")
    st = settings(folder / "cache")
    summary = render(book, folder / "out", st, synth)
    assert summary.rendered == summary.chunks == BOOK_CHUNKS and summary.chapters == 3
    return {"book": book, "cache": folder / "cache", "audio": chapter_audio(folder / "out"), "summary": summary}


def same_audio(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def cli(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def render_args(book: Path, out: Path, cache: Path, *extra: str) -> list[str]:
    return ["render", str(book), "-o", str(out), "--cache-dir", str(cache), "--device", "cpu", "--max-chars", "60",
            *extra]


def cache_chunks(cache: Path) -> list[Path]:
    return sorted(p for p in Path(cache).rglob("*.flac") if not p.name.startswith("."))


def all_chunks_decode(cache: Path) -> bool:
    return all(decodes_fully(p, SAMPLE_RATE) for p in cache_chunks(cache))


def duration(path: Path) -> float:
    return sf.info(str(path)).duration
