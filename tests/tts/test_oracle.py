"""Our VITS against onnxruntime running the same .onnx on the same ids (noise off)."""

import numpy as np
import pytest

from backend.tts.synth import SynthItem
from tests.tts.conftest import SENTENCES, ort_audio


def test_sentences_span_one_word_to_about_400_chars():
    lengths = sorted(len(s) for s in SENTENCES)
    assert len(SENTENCES) >= 5 and lengths[0] <= 6 and 350 <= lengths[-1] <= 450


@pytest.mark.parametrize("text", SENTENCES, ids=lambda t: f"{len(t)}chars")
def test_matches_onnxruntime(synth_quiet, ort_session, text):
    ids = synth_quiet.phoneme_ids(text)
    ours = synth_quiet.synthesize_batch([SynthItem(ids, seed=1)])[0]
    ref = ort_audio(ort_session, ids)
    assert ours.dtype == np.float32
    assert ours.shape == ref.shape
    assert np.abs(ref).max() > 0.1  # real speech, not silence
    assert np.abs(ours - ref).max() <= 1e-3


def test_matches_onnxruntime_with_other_speaking_rate(synth_quiet, ort_session):
    ids = synth_quiet.phoneme_ids(SENTENCES[2])
    ours = synth_quiet.synthesize_batch([SynthItem(ids, seed=1, length_scale=1.3)])[0]
    ref = ort_audio(ort_session, ids, length_scale=1.3)
    assert ours.shape == ref.shape
    assert np.abs(ours - ref).max() <= 1e-3


def test_phoneme_ids_use_the_voice_map(synth_quiet):
    ids = synth_quiet.phoneme_ids("Hello world.")
    id_map = synth_quiet.voice.phoneme_id_map
    assert ids[0] == id_map["^"][0] and ids[-1] == id_map["$"][0]
    assert ids[1::2][:-1] == [id_map["_"][0]] * len(ids[1::2][:-1])  # pad between phonemes
    assert synth_quiet.phoneme_ids("...") == [] or len(synth_quiet.phoneme_ids("...")) < 10
