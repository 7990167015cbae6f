"""Word timings on real renders of the demo book with the real voice (CPU): kept in the chunk cache
beside the audio, aligned to the text's words (joined and marked words included), placed in the
final files within 50 ms of a reference made from the durations and the chunks' measured places
in the mastered chapter files, and near the audio's energy onsets; resumed renders, chunks cached
before durations were kept and damaged timings all end well."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from backend.render.chunk_cache import ChunkCache, ChunkTiming
from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderEvents
from backend.render.jobs import book_job_dir
from backend.render.plan import make_plan
from backend.render.timing_check import measure_render, percentile, srt_starts
from backend.render.word_timing import WordAligner, spoken_tokens
from backend.settings import RenderSettings
from backend.text import load_book
from backend.text.pronunciation_markup import IPA, RESPELLING, Pronunciation, mark
from backend.tts.synth import Synthesizer, SynthItem, chunk_seed
from backend.tts.voice import load_voice

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_book.md"
STEM = "The Clockmaker's Apprentice"
GOAL_S = 0.050
# Energy onsets are clear only where a word starts with a vowel, a fricative or a nasal after a pause
# (a stop's closure, /h/ and glides are quiet).
CLEAR_ONSETS = set("aeiouæɑɐɔəɛɜɪʊʌsʃfθðzvmn")


class Log(RenderEvents):
    def __init__(self, cancel=None, after=None):
        self.lines, self.batches, self.cancel, self.after = [], 0, cancel, after

    def log(self, level, message):
        self.lines.append((level, message))

    def batch_done(self, report):
        self.batches += 1
        if self.cancel is not None and self.batches >= self.after:
            self.cancel.cancel()


def render(folder: Path, out: str, events=None, cancel=None, **kw) -> RenderSettings:
    kw.setdefault("outputs", ["srt", "words", "readalong"])
    settings = RenderSettings(device="cpu", cache_dir=str(folder / "cache"), **kw)
    AudioEngine(RenderJob(DEMO, folder / out, settings), events or Log(), cancel).run()
    return settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    return folder, render(folder, "out")


@pytest.fixture(scope="module")
def synth():
    return Synthesizer.load()


def timed(synth, text):
    item = SynthItem(synth.phoneme_ids(text), chunk_seed(text), None, [])
    audio = synth.synthesize_batch([item])[0]
    return ChunkTiming(tuple(item.ids), tuple(item.durations), synth.hop_length), audio


def test_joined_marked_and_unspoken_words_are_aligned(synth):
    aligner = WordAligner(synth.phonemizer, synth.sample_rate)
    text = "He stood in the doorway of the shop, and it was a small brass clock."
    timing, audio = timed(synth, text)
    words = aligner.align(text, timing)
    assert [w.text for w in words] == text.split()
    assert all(a.start < b.start for a, b in zip(words, words[1:])) and words[-1].end <= audio.size / synth.sample_rate
    # espeak-ng says "in the" as one word, ɪnðə: "the" starts at its ð, inside it.
    phonemes = synth.phonemizer.phonemes(text)
    assert "ɪnðə" in "".join(phonemes).split()
    assert words[2].end == words[3].start and words[3].end - words[3].start > 0.03
    # A word said as marked (a respelling, and an IPA phrase), a glued "'s", and a dash said as nothing.
    marked = (f"Then {mark('Hermione', Pronunciation(RESPELLING, 'her MY oh nee'))}'s wand — and "
              f"{mark('New York', Pronunciation(IPA, 'nuː jɔːk'))} shone.")
    assert len(spoken_tokens(marked)) == 7
    words = aligner.align(marked, timed(synth, marked)[0])
    assert [w.text for w in words] == ["Then", "Hermione's", "wand", "and", "New York", "shone."]
    assert all(a.end <= b.start for a, b in zip(words, words[1:]))


def test_a_word_after_a_linking_r_starts_at_its_own_sound(synth):
    from backend.render.word_timing import phoneme_spans

    aligner = WordAligner(synth.phonemizer, synth.sample_rate)
    text = "The door had faded to the color of an old bruise."
    timing, _ = timed(synth, text)
    phonemes = synth.phonemizer.phonemes(text)
    said = "".join(phonemes)
    assert "kˈʌlɚɹ əvən" in said  # "color" ends in a linking r; "of an" is one word
    spans = phoneme_spans(phonemes, synth.phonemizer.id_map, timing)
    schwa = said.index("kˈʌlɚɹ əvən") + len("kˈʌlɚɹ ")
    words = {w.text: w for w in aligner.align(text, timing)}
    assert words["of"].start == spans[schwa][0] * synth.hop_length / synth.sample_rate
    assert words["an"].start == spans[schwa + 2][0] * synth.hop_length / synth.sample_rate


def test_a_chunk_that_cannot_be_aligned_gets_none(synth):
    aligner = WordAligner(synth.phonemizer, synth.sample_rate)
    other, _ = timed(synth, "A quite different sentence.")
    assert aligner.align("He stood in the doorway.", other) is None  # not the ids it was made from
    assert aligner.align("He stood in the doorway.", None) is None  # no timing at all
    assert aligner.align("— … —", None) is None  # nothing to say


def test_durations_are_cached_beside_the_audio(demo):
    folder, settings = demo
    voice = load_voice(settings.voice)
    plan = make_plan(load_book(DEMO), voice, settings)
    cache = ChunkCache(book_job_dir(DEMO, settings) / "chunks", voice.sample_rate)
    for key in plan.unique_keys:
        timing = cache.get_timing(key)
        assert timing is not None and timing.samples == cache.length(key) == cache.get(key).size
        assert cache.timing_path(key).name == f"{key}.dur.json"
    assert sorted(cache.keys()) == sorted(plan.unique_keys)  # sidecars are not chunks


def test_word_starts_are_within_50_ms_of_the_reference_and_the_audio(demo):
    folder, settings = demo
    report = measure_render(DEMO, settings, folder / "out", STEM)
    assert report.chunks_located == 6 and len(report.words) >= 170 and report.unsure <= 5
    for errors in (report.srt_errors, report.smil_errors):
        assert len(errors) == len(report.words)
        assert max(abs(e) for e in errors) < GOAL_S, max(errors, key=abs)
        # The same times to the millisecond, but where a chunk's first word is moved to where its speech starts.
        assert percentile(errors, 95) < 0.005
    clear = [e for e, w in zip(report.onset_errors, report.onset_words) if w.split("/")[-2][:1] in CLEAR_ONSETS]
    assert len(clear) >= 10
    assert np.median(np.abs(clear)) < 0.030 and max(abs(e) for e in clear) < 0.100, clear


def test_resumed_render_has_the_same_timings(demo, tmp_path):
    from backend.render.events import CancelToken, RenderStopped

    folder, _ = demo
    cancel = CancelToken()
    with pytest.raises(RenderStopped):
        render(tmp_path, "out", Log(cancel, after=1), cancel, max_chars=100, cpu_streams=1)
    render(tmp_path, "out", max_chars=100, cpu_streams=1)
    render(tmp_path / "whole", "out", max_chars=100, cpu_streams=1)
    for name in (f"{STEM} words.srt", f"{STEM} words.vtt", f"{STEM}.srt"):
        assert (tmp_path / "out" / name).read_text() == (tmp_path / "whole" / "out" / name).read_text()
    for a, b in zip(sorted((tmp_path / "out").glob("*.flac")), sorted((tmp_path / "whole" / "out").glob("*.flac"))):
        assert a.read_bytes() == b.read_bytes()


def test_chunks_cached_without_durations_are_timed_by_the_predictor(demo, tmp_path):
    folder, settings = demo
    shutil.copytree(folder / "cache", tmp_path / "cache")
    chunks = book_job_dir(DEMO, RenderSettings(cache_dir=str(tmp_path / "cache"))) / "chunks"
    sidecars = sorted(chunks.glob("??/*.dur.json"))
    before = {p.name: p.read_bytes() for p in sidecars}
    for path in sidecars:  # as a cache made before durations were kept
        path.unlink()
    log = Log()
    render(tmp_path, "out", log)
    assert any("timing them with the duration predictor" in m for _, m in log.lines)
    assert {p.name: p.read_bytes() for p in chunks.glob("??/*.dur.json")} == before
    assert (tmp_path / "out" / f"{STEM} words.srt").read_text() == (folder / "out" / f"{STEM} words.srt").read_text()
    assert any("6 of 6 chunks already rendered" in m for _, m in log.lines)  # no audio was rendered again


def test_a_damaged_timing_falls_back_to_sentences(demo, tmp_path):
    folder, settings = demo
    shutil.copytree(folder / "cache", tmp_path / "cache")
    chunks = book_job_dir(DEMO, RenderSettings(cache_dir=str(tmp_path / "cache"))) / "chunks"
    sidecars = sorted(chunks.glob("??/*.dur.json"), key=lambda p: -p.stat().st_size)
    wrong = json.loads(sidecars[0].read_text())
    wrong["ids"] = wrong["ids"][::-1]  # well formed, but not the ids this chunk was made from
    sidecars[0].write_text(json.dumps(wrong))
    sidecars[1].write_text("{not json")  # unreadable: derived again
    log = Log()
    render(tmp_path, "out", log)
    assert any(level == "warning" and "1 of 6 chunks could not be aligned" in m for level, m in log.lines)
    cues = [text for _, text in srt_starts(tmp_path / "out" / f"{STEM} words.srt")]
    good = [text for _, text in srt_starts(folder / "out" / f"{STEM} words.srt")]
    assert len(cues) < len(good) and any(len(text.split()) > 3 for text in cues)  # that chunk's sentences, whole
    assert ChunkTiming.from_json(json.loads(sidecars[1].read_text())) is not None
