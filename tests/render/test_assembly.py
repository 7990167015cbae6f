"""Chapter assembly on generated chunk audio: tones and noise bursts with
silent padding of varying length and loudness, written to real files."""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from backend.render.assembly import AssemblySettings, assemble_chapter, pause_seconds, trim_silence
from backend.render.joins import measure_assembled
from backend.text.chunker import Chunk

SR = 22050


def db(x: float) -> float:
    return 20 * math.log10(x)


def tone(seconds: float, amp: float, freq: float = 100.0, phase: float = math.pi / 2) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def padded(speech: np.ndarray, lead: int, tail: int, noise_db: float = -70.0, seed: int = 0) -> np.ndarray:
    """Speech between near-silent (hiss well below -50 dBFS) margins."""
    rng = np.random.default_rng(seed)
    hiss = 10 ** (noise_db / 20)
    return np.concatenate([
        (hiss * rng.standard_normal(lead)).astype(np.float32),
        speech,
        (hiss * rng.standard_normal(tail)).astype(np.float32),
    ])


def make_chunks(flags: list[tuple[bool, bool]]) -> list[Chunk]:
    """flags: (ends_paragraph, ends_chapter) per chunk."""
    return [Chunk(f"Chunk number {i}.", 0, 0, i, p, c) for i, (p, c) in enumerate(flags)]


FLAGS = [(False, False), (True, False), (False, False), (True, True)]
AUDIO = [
    padded(tone(0.7, 0.3), 900, 3000, seed=1),
    padded(tone(0.4, 0.1, freq=150), 4100, 250, seed=2),
    padded((0.2 * np.random.default_rng(9).standard_normal(9000)).astype(np.float32), 0, 0),
    padded(tone(1.1, 0.5, freq=80), 12000, 6000, seed=3),
]


@pytest.fixture
def chapter(tmp_path):
    settings = AssemblySettings()
    result = assemble_chapter(make_chunks(FLAGS), lambda i: AUDIO[i], SR, tmp_path / "ch.flac", settings)
    audio, rate = sf.read(result.path, dtype="float32")
    return result, audio, rate, settings


def speech_lengths(settings: AssemblySettings) -> list[int]:
    lengths = []
    for a in AUDIO:
        start, end = trim_silence(a, SR, settings.silence_threshold_db)
        lengths.append(end - start)
    return lengths


def test_trim_silence_keeps_all_speech_and_drops_margins():
    speech = tone(0.5, 0.2)
    audio = padded(speech, 5000, 7000)
    start, end = trim_silence(audio, SR, -50.0)
    assert (start, end) == (5000, 5000 + len(speech))  # to the sample: the tone starts at its peak
    quiet_start = padded(tone(0.5, 0.2, phase=0.0), 5000, 7000)  # rises from 0: the first sample over -50 dBFS
    start, _ = trim_silence(quiet_start, SR, -50.0)
    assert abs(quiet_start[start]) >= 10 ** (-50 / 20) > np.max(np.abs(quiet_start[:start]))
    assert trim_silence(padded(np.zeros(0, np.float32), 3000, 3000), SR, -50.0) == (0, 0)
    assert trim_silence(np.zeros(0, np.float32), SR, -50.0) == (0, 0)
    assert trim_silence(speech, SR, -50.0) == (0, len(speech))


def test_duration_is_trimmed_chunks_plus_pauses_to_the_sample(chapter):
    result, audio, rate, settings = chapter
    pauses = [round(pause_seconds(c, i == 3, settings) * SR) for i, c in enumerate(make_chunks(FLAGS))]
    edge = round(settings.edge_silence * SR)
    # The file's head keeps the first chunk's edge silence; every other silence is inside a pause.
    expected = edge + sum(speech_lengths(settings)) + sum(pauses)
    assert rate == SR and result.sample_rate == SR
    assert len(audio) == result.frames == expected
    assert result.duration == pytest.approx(expected / SR)
    assert pauses == [round(0.3 * SR), round(0.8 * SR), round(0.3 * SR), round(1.5 * SR)]


def test_pauses_are_silent_and_of_the_right_length(chapter):
    result, audio, _, settings = chapter
    edge = round(settings.edge_silence * SR)
    expected_pauses = [0.3, 0.8, 0.3]  # sentence, paragraph, sentence
    assert result.pauses == pytest.approx(expected_pauses + [1.5], abs=1 / SR)
    for cue, nxt, pause in zip(result.cues, result.cues[1:], expected_pauses):
        gap_start = round(cue.end * SR)
        gap_end = round(nxt.start * SR)
        assert gap_end - gap_start == round(pause * SR)  # the pause is the silence between speech
        # Only faded near-silence (< -50 dBFS after gain) lies between speech spans.
        assert np.max(np.abs(audio[gap_start:gap_end])) < 0.01
        assert np.all(audio[gap_start + edge : gap_end - edge] == 0)
    tail = audio[round(result.cues[-1].end * SR) :]
    assert len(tail) == round(1.5 * SR)
    assert np.all(tail[edge:] == 0)
    report = measure_assembled(result, settings)
    assert max(abs(e) for e in report.pause_errors) < 0.001 and not report.clicks
    assert [b.paragraph for b in result.breaks] == [False, True, False]
    for brk, cue, nxt in zip(result.breaks, result.cues, result.cues[1:]):
        assert cue.end < brk.frame / SR < nxt.start and audio[brk.frame] == 0


def test_short_pauses_share_the_edge_silence(tmp_path):
    # A pause shorter than two edges: each side keeps half of it, still exact.
    settings = AssemblySettings(sentence_pause=0.05, paragraph_pause=0.0, chapter_pause=0.02)
    result = assemble_chapter(make_chunks(FLAGS), lambda i: AUDIO[i], SR, tmp_path / "short.flac", settings)
    report = measure_assembled(result, settings)
    assert result.pauses == pytest.approx([0.05, 0.0, 0.05, 0.02], abs=1 / SR)
    assert max(abs(e) for e in report.pause_errors) < 0.001
    assert result.frames == round(settings.edge_silence * SR) + sum(speech_lengths(settings)) + sum(
        round(p * SR) for p in (0.05, 0.0, 0.05, 0.02))


def test_a_chunk_that_starts_mid_sound_is_ramped_not_clicked(tmp_path):
    # Speech from the very first sample, at its peak: only its first 3 ms are ramped.
    audio = [tone(0.4, 0.5, phase=math.pi / 2), padded(tone(0.4, 0.5), 3000, 3000)]
    chunks = make_chunks([(True, False), (True, True)])
    result = assemble_chapter(chunks, lambda i: audio[i], SR, tmp_path / "mid.flac", AssemblySettings())
    report = measure_assembled(result, AssemblySettings())
    assert report.worst_step < 0.05 and not report.clicks
    out, _ = sf.read(result.path, dtype="float32")
    start = round(result.cues[0].start * SR)
    gain = 10 ** (result.gain_db / 20)
    after = out[start + round(0.003 * SR) : start + round(0.01 * SR)]
    raw = audio[0][round(0.003 * SR) : round(0.01 * SR)] * gain
    assert np.max(np.abs(after - raw)) < 2e-4  # past the ramp, untouched


def test_speech_rms_hits_target_when_no_limiting(chapter):
    result, audio, _, settings = chapter
    window = round(0.05 * SR)
    full = len(audio) // window * window
    ms = np.mean(np.square(audio[:full].astype(np.float64)).reshape(-1, window), axis=1)
    speech = ms[ms >= 10 ** (settings.silence_threshold_db / 10)]
    assert db(math.sqrt(speech.mean())) == pytest.approx(settings.target_rms_db, abs=0.5)
    assert db(np.max(np.abs(audio))) < settings.peak_limit_db  # limiter not involved here


def test_relative_loudness_is_kept(chapter):
    result, audio, _, _ = chapter
    def rms(cue):
        part = audio[round(cue.start * SR) + 500 : round(cue.end * SR) - 500]
        return math.sqrt(np.mean(np.square(part.astype(np.float64))))
    source = [0.3 / math.sqrt(2), 0.1 / math.sqrt(2), 0.2, 0.5 / math.sqrt(2)]
    gain = 10 ** (result.gain_db / 20)
    for cue, src in zip(result.cues, source, strict=True):
        assert db(rms(cue)) == pytest.approx(db(src * gain), abs=0.2)


def test_cues_are_ordered_non_overlapping_and_match_texts(chapter):
    result, _, _, _ = chapter
    assert [c.text for c in result.cues] == [c.text for c in make_chunks(FLAGS)]
    for cue in result.cues:
        assert cue.end > cue.start
    for a, b in zip(result.cues, result.cues[1:]):
        assert a.end < b.start
    assert result.cues[-1].end < result.duration


def test_a_loud_chunk_makes_the_limiter_lower_the_gain(tmp_path):
    # A quiet body (target gain would be large) plus one near-full-scale burst.
    audio = [padded(tone(1.0, 0.02), 500, 500), padded(tone(0.05, 0.95, freq=90), 500, 500),
             padded(tone(1.0, 0.02), 500, 500)]
    settings = AssemblySettings()
    result = assemble_chapter(make_chunks([(False, False), (True, False), (True, True)]),
                              lambda i: audio[i], SR, tmp_path / "loud.wav",
                              AssemblySettings(output_format="wav"))
    out, _ = sf.read(result.path, dtype="float32")
    peak_db = db(float(np.max(np.abs(out))))
    assert peak_db <= settings.peak_limit_db
    assert peak_db > settings.peak_limit_db - 0.1  # the limiter, not the target, set the gain
    assert result.gain_db == pytest.approx(db(0.8912509 / 0.95), abs=0.05)
    assert sf.info(str(result.path)).format == "WAV" and sf.info(str(result.path)).subtype == "PCM_16"


def test_faded_joins_do_not_click_and_hard_cuts_would(tmp_path):
    # No padding: each loud tone starts and stops at its peak, right at the join.
    audio = [tone(0.5, 0.5, phase=math.pi / 2), tone(0.505, 0.5, phase=math.pi / 2)]
    chunks = make_chunks([(False, False), (True, True)])
    def max_step(fade_ms: float) -> float:
        settings = AssemblySettings(edge_silence=0.0, fade_ms=fade_ms)
        result = assemble_chapter(chunks, lambda i: audio[i], SR, tmp_path / f"f{fade_ms}.flac", settings)
        out, _ = sf.read(result.path, dtype="float32")
        return float(np.max(np.abs(np.diff(out))))
    assert max_step(8.0) < 0.02
    assert max_step(0.0) > 0.02  # proves the check above can fail


def test_silent_and_empty_chunks_contribute_only_their_pause(tmp_path):
    audio = [padded(tone(0.3, 0.2), 200, 200), np.zeros(5000, np.float32), np.zeros(0, np.float32),
             padded(tone(0.3, 0.2), 200, 200)]
    chunks = make_chunks([(False, False), (True, False), (False, False), (True, True)])
    settings = AssemblySettings()
    result = assemble_chapter(chunks, lambda i: audio[i], SR, tmp_path / "s.flac", settings)
    edge = round(settings.edge_silence * SR)
    speech = [trim_silence(a, SR, -50.0) for a in (audio[0], audio[3])]
    pauses = round(0.3 * SR) + round(0.8 * SR) + round(0.3 * SR) + round(1.5 * SR)
    assert result.frames == edge + sum(e - s for s, e in speech) + pauses
    assert [c.text for c in result.cues] == [chunks[0].text, chunks[3].text]
    # The silent chunks' pauses join the gap between the two spoken ones.
    assert result.pauses == pytest.approx([(pauses - round(1.5 * SR)) / SR, 1.5], abs=1 / SR)

    all_silent = assemble_chapter(chunks[:2], lambda i: np.zeros(800, np.float32), SR, tmp_path / "z.flac", settings)
    assert all_silent.frames == round(0.3 * SR) + round(1.5 * SR)
    assert all_silent.gain_db == 0.0 and all_silent.cues == []
    assert np.all(sf.read(all_silent.path)[0] == 0)


def test_write_is_atomic_and_replaces_an_old_file(tmp_path):
    target = tmp_path / "ch.flac"
    target.write_bytes(b"old")
    assemble_chapter(make_chunks(FLAGS), lambda i: AUDIO[i], SR, target, AssemblySettings())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ch.flac"]
    assert sf.info(str(target)).format == "FLAC"

    def failing(i):
        if i == 2:
            raise OSError("cache read failed")
        return AUDIO[i]
    with pytest.raises(OSError, match="cache read failed"):
        assemble_chapter(make_chunks(FLAGS), failing, SR, tmp_path / "broken.flac", AssemblySettings())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ch.flac"]


def test_chunk_changing_between_passes_is_an_error(tmp_path):
    calls = []
    def loader(i):
        calls.append(i)
        return AUDIO[i] if len(calls) <= len(AUDIO) else AUDIO[i][:-10]
    with pytest.raises(RuntimeError, match="changed length"):
        assemble_chapter(make_chunks(FLAGS), loader, SR, tmp_path / "x.flac", AssemblySettings())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs, message", [
    ({"sentence_pause": -0.1}, "sentence_pause"),
    ({"paragraph_pause": float("nan")}, "paragraph_pause"),
    ({"chapter_pause": -1}, "chapter_pause"),
    ({"edge_silence": -0.01}, "edge_silence"),
    ({"fade_ms": 150}, "fade_ms"),
    ({"fade_ms": -1}, "fade_ms"),
    ({"target_rms_db": 3}, "target_rms_db"),
    ({"peak_limit_db": 0.5}, "peak_limit_db"),
    ({"silence_threshold_db": 0}, "silence_threshold_db"),
    ({"output_format": "mp3"}, "output_format"),
])
def test_invalid_settings_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AssemblySettings(**kwargs)


def test_invalid_arguments_raise(tmp_path):
    with pytest.raises(ValueError, match="at least one chunk"):
        assemble_chapter([], lambda i: AUDIO[i], SR, tmp_path / "a.flac")
    with pytest.raises(ValueError, match="sample_rate"):
        assemble_chapter(make_chunks(FLAGS), lambda i: AUDIO[i], 0, tmp_path / "a.flac")
    with pytest.raises(ValueError, match="mono"):
        assemble_chapter(make_chunks(FLAGS[:1]), lambda i: np.zeros((10, 2), np.float32), SR, tmp_path / "a.flac")


def test_memory_stays_flat_for_a_long_chapter(tmp_path):
    chunk_seconds, count = 6.0, 1200  # 2 hours
    base = tone(chunk_seconds - 0.4, 0.25, freq=110)
    def load(i):  # a fresh array per call, like reading from the cache
        return padded(base * np.float32(0.5 + (i % 7) / 10), 2000 + 37 * (i % 50), 1500, seed=i)
    flags = [((i % 5) == 4, i == count - 1) for i in range(count)]
    chunks = [Chunk(f"Sentence {i} of a long chapter.", 0, i // 5, i % 5, p, c) for i, (p, c) in enumerate(flags)]
    began = time.perf_counter()
    tracemalloc.start()
    try:
        result = assemble_chapter(chunks, load, SR, tmp_path / "long.flac", AssemblySettings())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.duration > 1.9 * 3600
    assert len(result.cues) == count
    assert peak < 50 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MB"
    assert sf.info(str(result.path)).frames == result.frames
    print(f"2 h chapter: {time.perf_counter() - began:.1f} s, peak traced {peak / 2**20:.1f} MB")
