"""The exports and the joins on real renders of the demo book with the real voice (CPU): the
distribution folder with its spoken credits, Opus files, the M4B's tags and bit rate; no click at
any join, every pause as configured, and a one-word paragraph that keeps its attack."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from backend.render.assembly import AssemblySettings, assemble_chapter, trim_silence
from backend.render.chunk_cache import ChunkCache
from backend.render.credits import credit_texts
from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderEvents
from backend.render.jobs import book_job_dir
from backend.render.joins import measure_assembled, measure_cached_book
from backend.render.m4b import ffmpeg_exe, probe_chapters
from backend.render.plan import make_plan
from backend.settings import RenderSettings
from backend.text import Book, Chapter, load_book
from backend.tts.voice import load_voice

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_book.md"
PAUSE_TOLERANCE_S = 0.020


class Log(RenderEvents):
    def __init__(self):
        self.lines = []

    def log(self, level, message):
        self.lines.append(message)


def describe(path: Path) -> str:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True).stderr.decode()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    settings = RenderSettings(device="cpu", cache_dir=str(folder / "cache"), m4b_bitrate=48,
                              outputs=["m4b", "distribution", "opus"])
    log = Log()
    AudioEngine(RenderJob(DEMO, folder / "out", settings), log).run()
    return folder, settings, log


def test_distribution_folder_of_the_demo_book(demo):
    folder, settings, log = demo
    dist = folder / "out" / "distribution"
    names = sorted(p.name for p in dist.iterdir())
    assert names == ["00 - Opening credits.mp3", "01 - Chapter 1 The Shop on Quay Street.mp3",
                     "02 - Chapter 2 The Silent Clock.mp3", "03 - Closing credits.mp3"]
    for n, name in enumerate(names, 1):
        text = describe(dist / name)
        assert re.search(r"Audio: mp3 \(mp3float\), 44100 Hz, mono, fltp, 192 kb/s", text)
        assert f"track           : {n}/4" in text and "album           : The Clockmaker's Apprentice" in text
        assert "artist          : Audiobook Renderer Demo" in text and "composer        : Joe" in text
        # Real audio: decoded, it has speech in it.
        pcm = subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(dist / name), "-f", "f32le", "-"],
                             capture_output=True, check=True).stdout
        audio = np.frombuffer(pcm, np.float32).astype(np.float64)
        rms_db = 20 * np.log10(np.sqrt(np.mean(audio**2)))
        assert len(audio) > 44100 and rms_db > -30
        if "credits" in name:  # mastered to the ACX spec (settings.master "acx"), as the chapter files are
            assert -23 <= rms_db <= -18 and 20 * np.log10(np.max(np.abs(audio))) <= -3


def test_credits_speak_the_title_and_come_from_the_chunk_cache(demo):
    folder, settings, log = demo
    opening, closing = credit_texts("The Clockmaker's Apprentice", "Audiobook Renderer Demo", "Joe")
    assert opening == "This is The Clockmaker's Apprentice, written by Audiobook Renderer Demo, narrated by Joe."
    assert any(opening in line for line in log.lines) and any(closing in line for line in log.lines)
    voice = load_voice(settings.voice)
    cache = ChunkCache(book_job_dir(DEMO, settings) / "chunks", voice.sample_rate)
    for text in (opening, closing):
        plan = make_plan(Book("t", None, [Chapter("", [text])]), voice, settings)
        assert [pc.chunk.text for pc in plan.chunks] == [text]
        assert cache.has(plan.chunks[0].key)  # cached like any chunk...
    again = Log()  # ...so the same render again synthesizes nothing, credits included
    AudioEngine(RenderJob(DEMO, folder / "out", settings), again).run()
    assert not any("Rendering the" in line for line in again.lines)
    assert any("6 of 6 chunks already rendered" in line for line in again.lines)


def test_opus_files_and_m4b_of_the_demo_book(demo):
    folder, _, _ = demo
    out = folder / "out"
    opus = sorted(out.glob("*.opus"))
    assert [p.stem for p in opus] == [p.stem for p in sorted(out.glob("*.flac"))]
    for path in opus:
        assert "Audio: opus, 48000 Hz, mono" in describe(path)
        duration, _ = probe_chapters(path)
        assert duration == pytest.approx(sf.info(str(path.with_suffix(".flac"))).duration, abs=0.05)
    m4b = out / "The Clockmaker's Apprentice.m4b"
    text = describe(m4b)
    assert "major_brand     : M4B " in text and "composer        : Joe" in text
    assert re.search(r"Audio: aac \(LC\).*mono, fltp, (4[4-9]|5[0-2]) kb/s", text)  # m4b_bitrate=48
    assert [c[2] for c in probe_chapters(m4b)[1]] == ["Chapter 1: The Shop on Quay Street", "Chapter 2: The Silent Clock"]


@pytest.mark.parametrize("max_chars", [400, 100])  # the default chunks, and short ones: many sentence joins
def test_no_click_at_any_join_and_every_pause_as_configured(demo, tmp_path, max_chars):
    folder, rendered, _ = demo
    settings = RenderSettings(device="cpu", cache_dir=rendered.cache_dir, max_chars=max_chars)
    if max_chars != rendered.max_chars:
        AudioEngine(RenderJob(DEMO, tmp_path / "out", RenderSettings(**{**settings.to_dict(), "outputs": []})),
                    Log()).run()
    voice = load_voice(settings.voice)
    plan = make_plan(load_book(DEMO), voice, settings)
    cache = ChunkCache(book_job_dir(DEMO, settings) / "chunks", voice.sample_rate)
    assembly = AssemblySettings(sentence_pause=settings.sentence_pause, paragraph_pause=settings.paragraph_pause,
                                chapter_pause=settings.chapter_pause)
    reports = measure_cached_book(plan, cache, voice.sample_rate, assembly, tmp_path)
    assert sum(r.joins for _, r in reports) == 2 * len(plan.chunks)
    for title, report in reports:
        assert report.worst_step <= report.speech_step, f"{title}: click at {report.worst_join_s:.3f} s"
        assert max(abs(e) for e in report.pause_errors) <= PAUSE_TOLERANCE_S, (title, report.pause_errors)
        assert len(report.pause_errors) == sum(1 for pc in plan.chunks if plan.chapter_titles[pc.chunk.chapter_index]
                                               == title)


def test_a_one_word_paragraph_keeps_its_attack(tmp_path):
    book = tmp_path / "yes.txt"
    book.write_text("Did you see the light on the water last night?\n\nYes.\n\nThen we should go back at once.\n",
                    encoding="utf-8")
    settings = RenderSettings(device="cpu", cache_dir=str(tmp_path / "cache"), outputs=[])
    AudioEngine(RenderJob(book, tmp_path / "out", settings), Log()).run()
    voice = load_voice(None)
    plan = make_plan(load_book(book), voice, settings)
    cache = ChunkCache(book_job_dir(book, settings) / "chunks", voice.sample_rate)
    assembly = AssemblySettings()
    result = assemble_chapter([pc.chunk for pc in plan.chunks], lambda i: cache.get(plan.chunks[i].key),
                              voice.sample_rate, tmp_path / "yes.flac", assembly)
    out, rate = sf.read(str(result.path), dtype="float64")
    [index] = [i for i, pc in enumerate(plan.chunks) if pc.chunk.text == "Yes."]
    raw = cache.get(plan.chunks[index].key).astype(np.float64)
    start, end = trim_silence(raw, rate, assembly.silence_threshold_db)
    assert (end - start) / rate < 1.0  # a short line
    cue = next(c for c in result.cues if c.text == "Yes.")
    at, n = round(cue.start * rate), round(0.010 * rate)
    gain = 10 ** (result.gain_db / 20)
    kept = np.sum(out[at : at + n] ** 2) / np.sum((gain * raw[start : start + n]) ** 2)
    assert kept == pytest.approx(1.0, abs=0.02)  # its first 10 ms of speech, all there
    assert np.all(np.abs(out[at - round(0.005 * rate) : at]) < 10 ** ((-50 + result.gain_db) / 20))  # silence before
    report = measure_assembled(result, assembly)
    assert not report.clicks and max(abs(e) for e in report.pause_errors) <= PAUSE_TOLERANCE_S
