"""The listening check with the real Whisper tiny.en model (the .[check] extra) on real chunks
of the bundled voice: clean ones pass, each kind of damage is flagged, retry keeps the better take,
scores survive a resume, and the report says where each chunk is heard."""

import csv

import numpy as np
import pytest

from backend.check.transcriber import GAP_S, RATE, Transcriber, availability, pack_windows, to_16k
from backend.render.chunk_cache import ChunkCache
from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderFailed
from backend.render.jobs import book_job_dir
from backend.render.plan import make_plan
from backend.settings import RenderSettings
from backend.text import load_book
from backend.tts.synth import Synthesizer
from tests.render.test_engine import BOOK, Recorder

SENTENCES = ["The ferry left at 6:45, and Mara was not on it.", "She walked to the point instead, past the old quarry.",
             "The light came on at dusk and swept the water three times.", "Then she went home and wound the hall clock."]


@pytest.fixture(scope="module")
def heard():
    transcriber = Transcriber()
    synth = Synthesizer.load(None, cpu_streams=1)
    return transcriber, synth, [synth.synthesize(s) for s in SENTENCES]


def scores_of(transcriber, audios, rate=22050, texts=SENTENCES):
    return transcriber.score(texts, audios, rate)


def test_availability_says_what_to_install_or_fix(tmp_path):
    assert availability() is None
    assert "no model.bin" in availability(str(tmp_path))
    assert "faster-whisper model folder" in availability(str(tmp_path))


def test_resampling_and_packing():
    second = np.sin(np.linspace(0, 2 * np.pi * 440, 22050, endpoint=False)).astype(np.float32)
    assert abs(len(to_16k(second, 22050)) - RATE) <= 32
    lengths = [int(5 * RATE)] * 11 + [int(40 * RATE)]
    windows = pack_windows(lengths)
    assert windows[0] == [0, 1, 2] and windows[-1] == [11]  # 3 x (5 s + gap) fit in 20 s, 4 do not; a long chunk alone
    assert sum(len(w) for w in windows) == 12 and GAP_S > 0


def test_a_short_chunk_heard_alone_is_heard_once(heard):
    """A window is heard at its own length, not padded to 30 s; under 10 s Whisper tiny repeats
    what it heard until its token limit, so a short window is heard as 10 s (MIN_S)."""
    transcriber, synth, _ = heard
    title = "Chapter two: The Cottage"
    audio = synth.synthesize(title)
    assert len(audio) / synth.sample_rate < 3
    ((window, text),) = transcriber.hear([audio], synth.sample_rate, alone=True, texts=[title])
    assert window == [0] and text.lower().count("cottage") == 1, text
    assert not transcriber.score([title], [audio], synth.sample_rate)[0].flagged


def test_a_window_stops_at_its_token_limit(heard):
    transcriber, _, audios = heard
    window = to_16k(audios[1], 22050)
    (full,) = transcriber.transcribe([window])
    (cut,) = transcriber.transcribe([window], [4])
    assert len(transcriber.tokenizer.encode(" " + full)) > 8 and full.startswith(cut)
    assert len(transcriber.tokenizer.encode(" " + cut)) <= 4
    assert transcriber.token_limit(SENTENCES[1]) >= 2 * len(transcriber.tokenizer.encode(" " + SENTENCES[1]))


def test_clean_chunks_pass(heard):
    transcriber, _, audios = heard
    assert not any(s.flagged for s in scores_of(transcriber, audios))


def test_each_kind_of_damage_is_flagged(heard):
    transcriber, synth, audios = heard
    damaged = list(audios)
    damaged[0] = audios[0][: len(audios[0]) // 2]  # words cut off
    damaged[1] = audios[2]  # the audio of another sentence
    damaged[2] = np.zeros_like(audios[2])  # silence
    scores = scores_of(transcriber, damaged)
    assert scores[0].flagged and scores[0].missing, scores[0]
    assert scores[1].flagged and scores[1].wer > 0.5, scores[1]
    assert scores[2].flagged and scores[2].wer == 1.0, scores[2]
    assert not scores[3].flagged, scores[3]  # the clean neighbour after them still passes


def render(tmp_path, name="out", **kw):
    book = tmp_path / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    settings = RenderSettings(device="cpu", max_chars=60, cache_dir=str(tmp_path / "cache"), outputs=[], master="off", **kw)
    events = Recorder()
    engine = AudioEngine(RenderJob(book, tmp_path / name, settings), events)
    return engine.run(), engine, events, settings


def test_a_render_checks_every_chunk_writes_the_report_and_a_resume_keeps_the_scores(tmp_path):
    summary, engine, events, settings = render(tmp_path, check="flag")
    logs = [m for _, m in events.logs]
    assert any(m.startswith("Speech check: hearing ") for m in logs)
    assert any("Speech check: all" in m for m in logs), logs[-12:]
    report = tmp_path / "out" / "ferry check.csv"
    assert report in summary.outputs
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert len(rows) == summary.chunks and all(r["flagged"] == "no" for r in rows)
    assert rows[0]["chapter"] == "1" and rows[-1]["chapter"] == "2" and rows[1]["time"].startswith("0:00:0")
    again, _, events, _ = render(tmp_path, "again", check="flag")
    assert again.reused == summary.rendered and not any("hearing" in m for _, m in events.logs)


def test_retry_keeps_the_better_take(tmp_path, monkeypatch):
    summary, engine, _, settings = render(tmp_path, check="flag")
    book = load_book(tmp_path / "ferry.txt")
    plan = make_plan(book, engine.synth.voice, engine.job.settings)
    cache = ChunkCache(book_job_dir(tmp_path / "ferry.txt", settings) / "chunks", 22050)
    victim = max(plan.chunks, key=lambda pc: len(pc.chunk.text))
    cache.put(victim.key, np.zeros(22050, np.float32))  # a silent take: valid audio, nothing said
    assert cache.get_check(victim.key) is None  # a new take is checked again
    heard_together, real_score = [], Transcriber.score

    def score(self, texts, audios, rate):  # the real scoring, its chunks noted
        heard_together.append(list(texts))
        return real_score(self, texts, audios, rate)

    monkeypatch.setattr(Transcriber, "score", score)
    flagged, _, events, _ = render(tmp_path, "flagged", check="flag")
    assert cache.get_check(victim.key)["flagged"] and np.abs(cache.get(victim.key)).max() == 0
    assert any(level == "warning" and "1 of" in m and "flagged" in m for level, m in events.logs)
    retried, _, events, _ = render(tmp_path, "retried", check="retry")
    neighbours = {pc.spoken for pc in plan.chunks
                  if abs(pc.index - victim.index) == 1 and pc.chunk.chapter_index == victim.chunk.chapter_index}
    result = cache.get_check(victim.key)
    take = result["seed"] - victim.seed + 1  # the first new take heard as written: take 2 or 3
    assert not result["flagged"] and take in (2, 3) and result["takes"] == take
    # The new take, then each retake, is heard beside the chunks around it (heard before)
    assert len(heard_together) == take
    assert neighbours and all(victim.spoken in texts and neighbours & set(texts) for texts in heard_together)
    assert np.abs(cache.get(victim.key)).max() > 0.1
    assert any(f"take {take}: 1 of 1 now pass" in m for _, m in events.logs)
    rows = list(csv.DictReader((tmp_path / "retried" / "ferry check.csv").open(encoding="utf-8")))
    assert [r["seed"] for r in rows if r["text"] == victim.chunk.text] == [str(result["seed"])]


def test_a_missing_model_stops_before_anything_renders(tmp_path):
    with pytest.raises(RenderFailed, match="no model.bin"):
        render(tmp_path, check="flag", check_model=str(tmp_path))
    assert not (tmp_path / "cache" / "jobs").exists() or not list((tmp_path / "cache").rglob("*.flac"))


def test_out_of_gpu_memory_in_the_check_splits_then_moves_to_the_cpu(heard):
    """No GPU here: the real model on the CPU, told it is on a GPU, behind CTranslate2's out-of-memory
    contract (RuntimeError "CUDA failed with error out of memory") at a budget of windows."""
    transcriber, synth, audios = heard
    logs, calls, budget = [], [], {"windows": 2}
    real = transcriber._generate

    def on_small_gpu(windows, limits):
        calls.append(len(windows))
        if transcriber.on_gpu and len(windows) > budget["windows"]:
            raise RuntimeError("CUDA failed with error out of memory")
        return real(windows, limits)

    transcriber._generate, transcriber.on_gpu, transcriber.log = on_small_gpu, True, lambda m, level: logs.append(m)
    try:
        windows = [to_16k(a, 22050) for a in audios]
        texts = transcriber.transcribe(windows)
        assert calls[0] == 4 and max(calls[1:]) <= 2 and transcriber.oom_splits == 1 and transcriber.on_gpu
        assert [t.split()[:3] for t in texts] == [t.split()[:3] for t in real(windows, [224] * 4)]  # split or not, the same words
        budget["windows"] = 0  # not even one window fits: the rest of the check runs on the CPU
        assert transcriber.transcribe(windows[:1])[0].lower().startswith("the ferry")
        assert not transcriber.on_gpu and any("goes on on the CPU" in m for m in logs)
    finally:
        transcriber._generate, transcriber.on_gpu = real, False


def test_the_check_leaves_pytorch_threads_alone(heard):
    """CTranslate2 sets the calling thread's OpenMP threads, which PyTorch shares: renders after a
    check (in the window) must keep every thread, and the CPU mode its key."""
    import torch

    _, _, audios = heard
    before = torch.get_num_threads()
    transcriber = Transcriber()
    transcriber.transcribe([to_16k(audios[0], 22050)] * 3)
    assert torch.get_num_threads() == before
