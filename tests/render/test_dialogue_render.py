"""Dialogue voices end to end: the real engine, the bundled voice narrating and a real multi-speaker
Piper voice (tests/tts/piper_voices.py) reading quoted speech, on the CPU and on the simulated GPU."""

import re

import numpy as np
import pytest
import soundfile as sf

from backend.render.chunk_cache import ChunkCache
from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import CancelToken, RenderFailed, RenderStopped
from backend.render.jobs import book_job_dir
from backend.settings import RenderSettings
from backend.tts.synth import Synthesizer, SynthItem
from backend.tts.voice import load_voice
from backend.voices.dialogue import DialogueChoice, dialogue_file, read_choice
from tests.gpu.simulated_device import GiB, MiB, SimulatedDevice
from tests.gpu.test_engine_on_simulated_gpu import simulated_factory
from tests.render.test_engine import Recorder
from tests.tts.piper_voices import SMALL, export_voice

BOOK = """Chapter 1: The Pier

“Hello,” she said. “Is the ferry late again?”

He shrugged. “It always is on Sundays.” The wind rose.

Chapter 2: Home

“We should walk,” she said, “before it rains.” They walked.
"""


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    return export_voice(SMALL, tmp_path_factory.mktemp("multi"))


def book_file(tmp_path):
    path = tmp_path / "pier.txt"
    path.write_text(BOOK, encoding="utf-8")
    return path


def run(tmp_path, name, settings, events=None, cancel=None, factory=None, **job):
    job = RenderJob(book_file(tmp_path), tmp_path / name, settings, **job)
    engine = AudioEngine(job, events or Recorder(), cancel, session_factory=factory)
    return engine.run(), engine


def chapters(folder):
    return [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("*.flac"))]


def cache_of(settings, tmp_path):
    return ChunkCache(book_job_dir(book_file(tmp_path), settings) / "chunks", 22050)


def alone(voice_path, text_ids_seed, speaker):
    synth = Synthesizer(load_voice(voice_path), cpu_streams=1)
    ids, seed = text_ids_seed
    return synth.synthesize_batch([SynthItem(ids, seed, speaker=speaker)])[0]


def test_quoted_speech_is_read_in_the_dialogue_voice_and_resumes_exactly(tmp_path, multi):
    settings = RenderSettings(device="cpu", max_chars=80, cache_dir=str(tmp_path / "cache"), outputs=["srt"],
                              master="off", voices=[str(multi)])
    events = Recorder()
    summary, engine = run(tmp_path, "out", settings, events, dialogue=DialogueChoice(multi.stem, "bob"),
                          dialogue_given=True)
    assert read_choice(book_job_dir(book_file(tmp_path), settings)) == (DialogueChoice(multi.stem, "bob"), None)
    assert any("Dialogue voice: " in m and "saved for this book" in m for _, m in events.logs)
    plan_chunks = [pc for pc in engine_plan(engine)]
    said = {pc.chunk.text: pc.chunk.dialogue for pc in plan_chunks}
    assert said['"Hello,"'] and not said["she said."] and said['"Is the ferry late again?"']
    assert said['"We should walk,"'] and not said["she said,"] and not said["They walked."]
    assert summary.chunks == len(plan_chunks) and summary.rendered == len({pc.key for pc in plan_chunks})

    # Each chunk's cached audio is what its own voice and speaker make of it alone.
    cache = cache_of(settings, tmp_path)
    joe, bob = Synthesizer(load_voice(None), cpu_streams=1), Synthesizer(load_voice(multi), cpu_streams=1)
    for pc in plan_chunks:
        reader, speaker = (bob, 1) if pc.chunk.dialogue else (joe, 0)
        expected = reader.synthesize_batch([SynthItem(reader.phoneme_ids(pc.spoken), pc.seed, speaker=speaker)])[0]
        got = cache.get(pc.key)
        assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-3, pc.chunk.text

    # The speech tag goes on mid-sentence: half the sentence pause; a new sentence: the whole one.
    cues = srt_cues(tmp_path / "out" / "pier.srt")
    assert gap(cues, '"Hello,"', "she said.") == pytest.approx(0.15, abs=0.003)
    assert gap(cues, "she said.", '"Is the ferry late again?"') == pytest.approx(0.30, abs=0.003)
    assert gap(cues, '"We should walk,"', "she said,") == pytest.approx(0.15, abs=0.003)

    # The next render reads the saved choice and reuses every chunk; the files are the same.
    again, _ = run(tmp_path, "again", settings)
    assert again.rendered == 0 and again.reused == summary.rendered
    for a, b in zip(chapters(tmp_path / "out"), chapters(tmp_path / "again"), strict=True):
        assert np.array_equal(a, b)

    # Off: one voice reads everything; only the chunks that change are rendered.
    off, engine = run(tmp_path, "off", settings, events := Recorder(), dialogue=None, dialogue_given=True)
    assert not dialogue_file(book_job_dir(book_file(tmp_path), settings)).exists()
    assert not any(pc.chunk.dialogue for pc in engine_plan(engine)) and off.reused >= 1  # "The wind rose." etc.
    assert any("off for this book" in m for _, m in events.logs)


def test_a_stopped_render_with_a_dialogue_voice_resumes_sample_identical(tmp_path, multi):
    settings = RenderSettings(device="cpu", max_chars=80, cache_dir=str(tmp_path / "cache"), outputs=[], master="off",
                              cpu_streams=1, batch_size=1)
    choice = dict(dialogue=DialogueChoice(str(multi), "carol"), dialogue_given=True)
    cancel = CancelToken()
    with pytest.raises(RenderStopped):
        run(tmp_path, "stopped", settings, Recorder(cancel_after_batches=3, cancel=cancel), cancel, **choice)
    resumed, _ = run(tmp_path, "stopped", settings)  # the saved choice
    assert resumed.reused == 3
    whole_settings = RenderSettings(**{**settings.__dict__, "cache_dir": str(tmp_path / "cache2")})
    whole, _ = run(tmp_path, "whole", whole_settings, **choice)
    assert whole.reused == 0
    for a, b in zip(chapters(tmp_path / "stopped"), chapters(tmp_path / "whole"), strict=True):
        assert np.array_equal(a, b)


def test_another_speaker_of_the_narration_voice_in_mixed_batches(tmp_path, multi):
    settings = RenderSettings(device="cpu", max_chars=80, cache_dir=str(tmp_path / "cache"), outputs=[], master="off",
                              voice=str(multi), speaker="alice", cpu_streams=2)  # batches of 2, side by side
    summary, engine = run(tmp_path, "out", settings, dialogue=DialogueChoice(None, "carol"), dialogue_given=True)
    assert engine.dialogue_synth is None  # one model: the speaker differs per item
    cache = cache_of(settings, tmp_path)
    synth = Synthesizer(load_voice(multi), cpu_streams=1)
    for pc in engine_plan(engine):
        speaker = 2 if pc.chunk.dialogue else 0
        expected = synth.synthesize_batch([SynthItem(synth.phoneme_ids(pc.spoken), pc.seed, speaker=speaker)])[0]
        got = cache.get(pc.key)
        assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-4, pc.chunk.text
    assert summary.rendered == len({pc.key for pc in engine_plan(engine)})


def test_two_voices_on_the_simulated_gpu_split_and_fall_back_to_the_cpu(tmp_path, multi):
    """OOM splits and the CPU fallback keep every chunk in its own voice (the CPU twin has both)."""
    # Room for a chunk of about 20 phonemes: the longer ones, of both voices, go to the CPU.
    device = SimulatedDevice(total=4 * GiB, cap=int(0.37 * GiB), weights=300 * MiB, bytes_per_frame=2 * MiB)
    calls = []
    settings = RenderSettings(device="cpu", max_chars=80, cache_dir=str(tmp_path / "cache"), outputs=[], master="off",
                              batch_size=4)
    events = Recorder()
    summary, engine = run(tmp_path, "gpu", settings, events, factory=simulated_factory(device, calls),
                          dialogue=DialogueChoice(str(multi), "bob"), dialogue_given=True)
    assert summary.rendered == len({pc.key for pc in engine_plan(engine)}) and calls  # some ran on the "GPU"
    assert any("rendered on the CPU" in m for level, m in events.logs if level == "warning")
    cache = cache_of(settings, tmp_path)
    joe, bob = Synthesizer(load_voice(None), cpu_streams=1), Synthesizer(load_voice(multi), cpu_streams=1)
    for pc in engine_plan(engine):
        reader, speaker = (bob, 1) if pc.chunk.dialogue else (joe, 0)
        expected = reader.synthesize_batch([SynthItem(reader.phoneme_ids(pc.spoken), pc.seed, speaker=speaker)])[0]
        assert np.abs(cache.get(pc.key) - expected).max() < 2e-3, pc.chunk.text


def test_a_dialogue_voice_that_cannot_be_used_fails_clearly_and_saves_nothing(tmp_path, multi):
    settings = RenderSettings(device="cpu", max_chars=80, cache_dir=str(tmp_path / "cache"), outputs=[], master="off")
    for choice, message in ((DialogueChoice("amy"), "no voice 'amy'"),
                            (DialogueChoice(str(multi), "dave"), "no speaker 'dave'"),
                            (DialogueChoice(None, "1"), "single speaker")):
        events = Recorder()
        with pytest.raises(RenderFailed, match=message):
            run(tmp_path, "out", settings, events, dialogue=choice, dialogue_given=True)
        assert not dialogue_file(book_job_dir(book_file(tmp_path), settings)).exists()


def engine_plan(engine):
    """The plan the engine rendered, from the manifest's keys and the engine's plan settings."""
    from backend.render.plan import make_plan
    from backend.text import load_book

    return make_plan(load_book(engine.job.book_path), engine.synth.voice, engine.job.settings,
                     dialogue=engine.dialogue).chunks


_CUE = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)\n(.+)")


def srt_cues(path):
    cues = []
    for m in _CUE.finditer(path.read_text(encoding="utf-8")):
        h, mi, s, ms, h2, mi2, s2, ms2 = (int(x) for x in m.groups()[:8])
        cues.append((h * 3600 + mi * 60 + s + ms / 1000, h2 * 3600 + mi2 * 60 + s2 + ms2 / 1000, m.group(9).strip()))
    return cues


def gap(cues, first, second):
    for (_, end, text), (start, _, following) in zip(cues, cues[1:]):
        if text == first and following == second:
            return start - end
    raise AssertionError(f"no cue {first!r} followed by {second!r} in {[c[2] for c in cues]}")
