"""Phoneme durations from the synthesizer: a sink on the item, filled from the same forward pass as
the audio, changing nothing in it; and the duration predictor alone gives the same frames."""

import numpy as np

from backend.tts.synth import Synthesizer, SynthItem, chunk_seed
from tests.tts.conftest import SENTENCES


def items(synth, texts, sink=True):
    return [SynthItem(synth.phoneme_ids(t), chunk_seed(t), None, [] if sink else None) for t in texts]


def test_durations_time_the_audio_and_change_none_of_it(synth):
    texts = SENTENCES[1:4]
    timed = items(synth, texts)
    with_sink = synth.synthesize_batch(timed)
    without = synth.synthesize_batch(items(synth, texts, sink=False))
    for item, audio, plain in zip(timed, with_sink, without, strict=True):
        assert np.array_equal(audio, plain)  # bit for bit
        assert len(item.durations) == len(item.ids) and all(isinstance(f, int) and f >= 0 for f in item.durations)
        assert sum(item.durations) * synth.hop_length == audio.size
    # The predictor alone (no decoder) gives the frames the audio was made with.
    predicted = synth.predict_durations(items(synth, texts, sink=False))
    assert [list(p) for p in predicted] == [item.durations for item in timed]


def test_a_padded_batch_reports_each_items_own_durations():
    one_pass = Synthesizer.load(cpu_streams=1)  # a GPU's way: one padded forward for the batch
    texts = [SENTENCES[0], SENTENCES[2], SENTENCES[1]]
    batch = items(one_pass, texts)
    audios = one_pass.synthesize_batch(batch)
    for item, audio in zip(batch, audios, strict=True):
        assert len(item.durations) == len(item.ids)  # padding trimmed off
        assert sum(item.durations) * one_pass.hop_length == audio.size
        alone = items(one_pass, [texts[batch.index(item)]])
        one_pass.synthesize_batch(alone)
        assert alone[0].durations == item.durations


def test_an_item_with_nothing_to_say_has_no_durations(synth):
    empty = SynthItem([], 1, None, [7])
    assert synth.synthesize_batch([empty])[0].size == 0 and empty.durations == []
    assert synth.predict_durations([SynthItem([], 1)])[0].size == 0
