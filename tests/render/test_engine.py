"""The AudioEngine end to end on small real books with the real voice (CPU)."""

import os
import re
import shutil

import numpy as np
import pytest
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import CancelToken, RenderEvents, RenderFailed, RenderStopped
from backend.render.m4b import probe_chapters
from backend.settings import RenderSettings
from backend.tts.cpu_streams import default_streams

BOOK = """Chapter 1: Morning

The ferry left at 6:45. Mara was not on it.

She walked to the point instead, past the quarry. The wind was cold.

Chapter 2: Evening

The light came on at dusk. It swept the water once, twice, three times.

Then she went home.
"""
LOG_LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] Batch \d+ \(\d+ chunks?\) done in \d+\.\d\ds \(\d+\.\d\ds/chunk\) "
                      r"\| VRAM: n/a \(CPU\)$")


class Recorder(RenderEvents):
    def __init__(self, cancel_after_batches=None, cancel=None):
        self.logs, self.batches, self.progress_events, self.summary, self.failure = [], [], [], None, None
        self.cancel_after, self.cancel = cancel_after_batches, cancel

    def log(self, level, message):
        self.logs.append((level, message))

    def batch_done(self, report):
        self.batches.append(report)
        if self.cancel_after and len(self.batches) >= self.cancel_after:
            self.cancel.cancel()

    def progress(self, progress):
        self.progress_events.append(progress)

    def finished(self, summary):
        self.summary = summary

    def failed(self, message):
        self.failure = message


def settings(tmp_path, **kw):
    kw.setdefault("max_chars", 60)
    kw.setdefault("cache_dir", str(tmp_path / "cache"))
    return RenderSettings(device="cpu", **kw)


def render(book, out, st, events=None, cancel=None):
    return AudioEngine(RenderJob(book, out, st), events or Recorder(), cancel).run()


@pytest.fixture()
def book(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(BOOK, encoding="utf-8")
    return path


def chapter_audio(folder):
    return [sf.read(p, dtype="int16")[0] for p in sorted(folder.glob("*.flac"))]


def test_full_render_outputs_log_and_progress(tmp_path, book):
    events = Recorder()
    summary = render(book, tmp_path / "out", settings(tmp_path), events)
    assert summary.chapters == 2 and summary.rendered == summary.chunks > 4 and summary.reused == 0
    assert all(LOG_LINE.match(b.line) for b in events.batches), [b.line for b in events.batches]
    streams = default_streams()  # on the CPU a batch is one chunk per stream, side by side
    assert [b.chunks for b in events.batches[:-1]] == [streams] * (len(events.batches) - 1)
    assert sum(b.chunks for b in events.batches) == summary.chunks
    assert (streams == 1) != any(f"CPU: {streams} chunks at once" in m for _, m in events.logs)
    renders = [p for p in events.progress_events if p.stage == "render"]
    assert [p.done for p in renders] == sorted(p.done for p in renders) and renders[-1].done == renders[-1].total
    assert renders[-1].eta == 0 and renders[-1].realtime_factor > 1
    files = sorted((tmp_path / "out").glob("*.flac"))
    assert [f.name for f in files] == ["01 - Chapter 1 Morning.flac", "02 - Chapter 2 Evening.flac"]
    durations = [sf.info(f).duration for f in files]
    assert all(3 < d < 20 for d in durations)
    m4b = tmp_path / "out" / "ferry.m4b"
    total, chapters = probe_chapters(m4b)
    assert [c[2] for c in chapters] == ["Chapter 1: Morning", "Chapter 2: Evening"]
    assert abs(total - sum(durations)) < 0.2 and abs(summary.audio_seconds - sum(durations)) < 0.01
    srt = (tmp_path / "out" / "ferry.srt").read_text(encoding="utf-8")
    assert "six forty-five" in srt and "Then she went home." in srt
    assert any("Done: 2 chapters" in m for _, m in events.logs)
    umask = os.umask(0)
    os.umask(umask)
    for made in (tmp_path / "out").iterdir():  # readable like any file the user saves, not 0600
        assert made.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("precision", ["auto", "bfloat16"])  # auto: float32 here (tests pin the CPU mode)
def test_stop_then_resume_equals_uninterrupted(tmp_path, book, precision):
    cancel = CancelToken()
    events = Recorder(cancel_after_batches=2, cancel=cancel)
    with pytest.raises(RenderStopped):
        render(book, tmp_path / "out", settings(tmp_path, precision=precision), events, cancel)
    assert len(events.batches) == 2 and not list((tmp_path / "out").glob("*.m4b"))
    cached = sum(b.chunks for b in events.batches)
    resumed = Recorder()
    summary = render(book, tmp_path / "out", settings(tmp_path, precision=precision), resumed)
    assert summary.reused == cached and summary.rendered == summary.chunks - cached
    assert any(f"Resuming: {cached} of" in m for _, m in resumed.logs)
    render(book, tmp_path / "clean", settings(tmp_path, precision=precision, cache_dir=str(tmp_path / "cache2")))
    for a, b in zip(chapter_audio(tmp_path / "out"), chapter_audio(tmp_path / "clean"), strict=True):
        assert np.array_equal(a, b)


def test_one_cpu_stream_renders_a_chunk_per_batch_with_the_same_audio(tmp_path, book):
    events = Recorder()
    summary = render(book, tmp_path / "one", settings(tmp_path, cpu_streams=1, cache_dir=str(tmp_path / "c1")), events)
    assert [b.chunks for b in events.batches] == [1] * summary.chunks
    render(book, tmp_path / "two", settings(tmp_path, cpu_streams=2, cache_dir=str(tmp_path / "c2")))
    for a, b in zip(chapter_audio(tmp_path / "one"), chapter_audio(tmp_path / "two"), strict=True):
        # 16-bit chapter files; one thread or two only changes the order of float sums
        assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).max() <= 4


def test_damaged_cache_and_manifest_are_rebuilt(tmp_path, book):
    st = settings(tmp_path)
    render(book, tmp_path / "out", st)
    before = chapter_audio(tmp_path / "out")
    job = AudioEngine(RenderJob(book, tmp_path / "out", st)).job_dir()
    chunks = sorted((job / "chunks").rglob("*.flac"))
    chunks[0].write_bytes(chunks[0].read_bytes()[:200])  # truncated
    chunks[1].write_bytes(b"garbage" * 50)
    chunks[2].unlink()
    (job / "manifest.json").write_text("{trunc", encoding="utf-8")
    events = Recorder()
    summary = render(book, tmp_path / "out", st, events)
    assert summary.rendered == 3
    warnings = [m for level, m in events.logs if level == "warning"]
    assert any("2 cached chunks were damaged" in w for w in warnings)
    assert any("corrupt" in w for w in warnings)
    for a, b in zip(chapter_audio(tmp_path / "out"), before, strict=True):
        assert np.array_equal(a, b)


def test_bad_inputs_fail_clearly(tmp_path, book):
    events = Recorder()
    with pytest.raises(RenderFailed, match="missing.epub"):
        render(tmp_path / "missing.epub", tmp_path / "out", settings(tmp_path), events)
    assert events.failure and "missing.epub" in events.failure
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(RenderFailed, match="not-a-folder"):
        render(book, blocker, settings(tmp_path))
    empty = tmp_path / "empty.md"
    empty.write_text("# \n\n   \n")
    with pytest.raises(RenderFailed, match="empty.md"):
        render(empty, tmp_path / "out2", settings(tmp_path))


def test_other_outputs_and_wav(tmp_path, book):
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
    render(book, tmp_path / "out", settings(tmp_path, chapter_format="wav", outputs=["mp3", "vtt"]))
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["01 - Chapter 1 Morning.mp3", "01 - Chapter 1 Morning.wav", "02 - Chapter 2 Evening.mp3",
                     "02 - Chapter 2 Evening.wav", "ferry audio report.csv", "ferry.vtt"]
    assert (tmp_path / "out" / "ferry.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_epub_with_toc_and_cover_makes_a_tagged_m4b(tmp_path):
    import subprocess

    from backend.render.m4b import ffmpeg_exe
    from tests.text.epub_factory import epub3_book

    book = epub3_book(tmp_path / "harbour.epub")
    summary = render(book, tmp_path / "out", settings(tmp_path, outputs=["m4b"]))
    # The contents page (the nav in the spine) is a chapter, unselected by default; the two TOC
    # entries into ch03.xhtml are two chapters.
    assert summary.title == "The Harbour" and summary.chapters == 7
    m4b = tmp_path / "out" / "The Harbour.m4b"
    _, chapters = probe_chapters(m4b)
    assert [c[2] for c in chapters] == ["Introduction", "Chapter One: The Storm", "Chapter Two", "The Lighthouse",
                                        "The Return", "Chapter Three", "Later"]
    info = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(m4b)], capture_output=True, text=True).stderr
    assert re.search(r"title\s*: The Harbour", info) and re.search(r"artist\s*: Mary Writer", info)
    assert "attached pic" in info
