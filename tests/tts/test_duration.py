import numpy as np

from tests.tts.conftest import SENTENCES


def test_audio_grows_with_text(synth):
    seconds = [len(synth.synthesize(t)) / synth.sample_rate for t in SENTENCES]
    assert all(b > a for a, b in zip(seconds, seconds[1:])), seconds
    assert 0.3 < seconds[0] < 2.0
    assert seconds[-1] > 15.0  # ~400 characters of prose is well over a quarter minute


def test_long_sentence_is_several_seconds_of_speech(synth):
    audio = synth.synthesize(SENTENCES[3])
    assert len(audio) / synth.sample_rate > 5.0
    # speech, not silence: a good share of 20 ms frames carry energy
    frames = audio[: len(audio) // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames**2).mean(axis=1))
    assert (rms > 0.01).mean() > 0.5
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
