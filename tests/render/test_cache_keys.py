"""A setting that changes the audio must miss the cache (no stale chunk is ever reused) and be
honoured; unchanged settings reuse every chunk. (The speaker of a multi-speaker voice is keyed
too: tests/tts/test_multispeaker.py and tests/cli/test_speaker_cli.py check it with a built voice.)"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.settings import RenderSettings
from backend.tts.voice import default_voice_path
from tests.render.test_engine import BOOK, Recorder

NO_PAUSES = dict(sentence_pause=0.0, paragraph_pause=0.0, chapter_pause=0.0)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One render of the book with the defaults; every test renders into the same cache."""
    root = tmp_path_factory.mktemp("keys")
    book = root / "ferry.txt"
    book.write_text(BOOK, encoding="utf-8")
    summary, audio = render(root, book, "base")
    assert summary.rendered == summary.chunks and summary.reused == 0
    return root, book, summary, audio


def render(root, book, name, **kw):
    # Mastering off: these tests compare the voice's audio; mastering's room tone is sized by what it finds.
    st = RenderSettings(device="cpu", max_chars=60, cache_dir=str(root / "cache"), outputs=[], master="off", **NO_PAUSES,
                        **kw)
    summary = AudioEngine(RenderJob(book, root / name, st), Recorder()).run()
    audio = [sf.read(p, dtype="float32")[0] for p in sorted((root / name).glob("*.flac"))]
    return summary, audio


def test_unchanged_settings_reuse_every_chunk(base):
    root, book, first, audio = base
    summary, again = render(root, book, "again")
    assert summary.reused == summary.chunks and summary.rendered == 0
    for a, b in zip(audio, again, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize(("change", "ratio"), [
    # Durations are rounded up per phoneme (as piper/onnxruntime do, measured the same): length
    # scale 1.3 makes speech ~17-19% longer, not 30%; 0.8 makes it ~12% shorter.
    ({"length_scale": 1.3}, (1.12, 1.35)),
    ({"length_scale": 0.8}, (0.8, 0.95)),
    ({"noise_w": 0.0}, None),  # durations without their noise
    ({"noise_scale": 0.0}, None),
    ({"seed": 12345}, None),
    ({"precision": "bfloat16"}, None),
])
def test_a_changed_setting_renders_every_chunk_again(base, change, ratio):
    root, book, first, audio = base
    name = "-".join(f"{k}{v}" for k, v in change.items())
    summary, changed = render(root, book, name, **change)
    assert summary.rendered == summary.chunks and summary.reused == 0
    assert len(changed) == len(audio)
    total, base_total = sum(len(a) for a in changed), sum(len(a) for a in audio)
    if ratio is not None:
        assert ratio[0] < total / base_total < ratio[1]
    else:
        differs = [len(a) != len(b) or np.abs(a - b).max() > 1e-3 for a, b in zip(changed, audio, strict=True)]
        assert all(differs)
    if change == {"precision": "bfloat16"}:  # a reduced precision sounds the same, not bit-identical
        for a, b in zip(changed, audio, strict=True):
            # Speech is trimmed to the sample where it crosses the threshold, so a chunk may start or
            # end a few samples apart: compare lengths and 20 ms loudness envelopes, not samples.
            assert abs(len(a) - len(b)) <= 0.005 * len(b)
            n = min(len(a), len(b))
            assert np.corrcoef(envelope(a[:n]), envelope(b[:n]))[0, 1] > 0.99


def envelope(audio: np.ndarray, window: int = 441) -> np.ndarray:
    n = len(audio) // window
    return np.sqrt(np.mean(np.square(audio[: n * window].astype(np.float64)).reshape(n, window), axis=1))


def test_another_voice_file_renders_every_chunk_again(base, tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    root, book, first, audio = base
    src = default_voice_path()
    model = onnx.load(str(src))
    for init in model.graph.initializer:  # the same voice with its output layer changed: a different file
        if init.name == "dec.conv_post.weight":
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init) * 0.5, init.name))
    quieter = tmp_path / "quieter.onnx"
    onnx.save(model, str(quieter))
    shutil.copyfile(src.with_name(src.name + ".json"), tmp_path / "quieter.onnx.json")
    summary, changed = render(root, book, "quieter", voice=str(quieter))
    assert summary.rendered == summary.chunks and summary.reused == 0
    for a, b in zip(changed, audio, strict=True):  # assembly trims chunk edges and sets a chapter gain
        n = min(len(a), len(b))
        assert abs(len(a) - len(b)) < 0.05 * len(b) and np.abs(a[:n] - b[:n]).max() > 1e-2
    # A byte-identical copy under another name is the same voice: every chunk is reused.
    copy = tmp_path / "copy.onnx"
    shutil.copyfile(src, copy)
    shutil.copyfile(src.with_name(src.name + ".json"), tmp_path / "copy.onnx.json")
    summary, same = render(root, book, "copy", voice=str(copy))
    assert summary.reused == summary.chunks
