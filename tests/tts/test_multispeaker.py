"""Multi-speaker Piper voices: our VITS against onnxruntime on real multi-speaker graphs, built
by Piper's own training code and exporter (tests/tts/piper_voices.py), noise off."""

import numpy as np
import pytest

from backend.tts.errors import VoiceError
from backend.tts.hparams import infer_hparams
from backend.tts.onnx_weights import read_voice_weights
from backend.tts.synth import Synthesizer, SynthItem
from backend.tts.vits.kernels import cuda_kernels_on_cpu
from backend.tts.voice import load_voice
from tests.tts.conftest import SENTENCES
from tests.tts.piper_voices import PRESETS, export_voice, ort_audio, ort_session

TEXTS = [SENTENCES[1], SENTENCES[2], "Hello."]


@pytest.fixture(scope="module", params=PRESETS, ids=lambda p: p.name)
def built(request, tmp_path_factory):
    preset = request.param
    path = export_voice(preset, tmp_path_factory.mktemp(preset.name))
    # One stream: a batch is one padded forward pass (the GPU's way); the default streams run items alone.
    padded = Synthesizer.load(path, noise_scale=0.0, noise_w=0.0, cpu_streams=1)
    return preset, path, padded, ort_session(path)


def test_speaker_count_and_width_come_from_the_weights(built):
    preset, path, padded, _ = built
    hp = infer_hparams(read_voice_weights(path))
    assert (hp.n_speakers, hp.gin_channels) == (len(preset.speakers), preset.gin)
    voice = padded.voice
    assert voice.num_speakers == len(preset.speakers) and voice.speakers == preset.speakers


def test_every_speaker_matches_onnxruntime(built):
    preset, _, synth, session = built
    ids = synth.phoneme_ids(TEXTS[1])
    audio = []
    for speaker in range(len(preset.speakers)):
        ours = synth.synthesize_batch([SynthItem(ids, seed=1, speaker=speaker)])[0]
        ref = ort_audio(session, ids, speaker)
        assert ours.shape == ref.shape
        assert np.abs(ref).max() > 0.1  # loud enough that 1e-3 means something
        assert np.abs(ours - ref).max() <= 1e-3  # measured ~2e-7
        audio.append(ours)
    n = min(len(a) for a in audio)
    assert np.abs(audio[0][:n] - audio[1][:n]).max() > 0.02  # the speakers really differ


def test_other_speaking_rate_matches_onnxruntime(built):
    preset, _, synth, session = built
    ids = synth.phoneme_ids(TEXTS[0])
    speaker = len(preset.speakers) - 1
    ours = synth.synthesize_batch([SynthItem(ids, seed=1, length_scale=1.3, speaker=speaker)])[0]
    ref = ort_audio(session, ids, speaker, length_scale=1.3)
    assert ours.shape == ref.shape and np.abs(ours - ref).max() <= 1e-3


def _mixed(synth, n_speakers):
    return [SynthItem(synth.phoneme_ids(t), seed=i, speaker=(i + 1) % n_speakers) for i, t in enumerate(TEXTS)]


@pytest.mark.parametrize("streams", [2, 1], ids=["cpu-streams", "padded"])
def test_a_batch_mixing_speakers_equals_each_alone(built, streams):
    preset, path, padded, session = built
    synth = padded if streams == 1 else Synthesizer.load(path, noise_scale=0.0, noise_w=0.0, cpu_streams=streams)
    items = _mixed(synth, len(preset.speakers))
    refs = [ort_audio(session, list(it.ids), it.speaker) for it in items]
    # A padded pass lets the decoder's biases in the padding reach an item's last ~3.5 frames (a
    # property of padded batches, speakers or not; these random decoders have large biases, the
    # bundled voice stays within 1e-3): compare the padded pass before that edge.
    edge = 0 if streams > 1 else 4 * synth.hop_length
    for batch in (items, items[::-1]):
        out = synth.synthesize_batch(batch)
        for it, a in zip(batch, out, strict=True):
            ref = refs[items.index(it)]
            assert a.shape == ref.shape
            assert np.abs(a - ref)[: len(a) - edge].max() <= 1e-3


def test_cuda_branches_match_onnxruntime(built):
    """The GPU code (padded conv decoder, plain tanh) with speakers, run on CPU tensors."""
    preset, _, synth, session = built
    items = _mixed(synth, len(preset.speakers))
    with cuda_kernels_on_cpu():
        out = synth.synthesize_batch(items)
    alone = [synth.synthesize_batch([it])[0] for it in items]
    edge = 4 * synth.hop_length  # a padded batch: see the test above
    for it, a, b in zip(items, out, alone, strict=True):
        ref = ort_audio(session, list(it.ids), it.speaker)
        assert np.abs(a - ref)[: len(a) - edge].max() <= 1e-3
        assert np.abs(a - b)[: len(a) - edge].max() <= 1e-3


def test_speaker_names_and_ids_resolve(built):
    preset, _, synth, _ = built
    voice = synth.voice
    for name, sid in preset.speakers.items():
        assert voice.speaker_id(name) == sid  # a name wins over a digit string's value ("3922")
    assert voice.speaker_id(None) == 0
    assert voice.speaker_id(1) == 1 and voice.speaker_id("1") == 1
    assert voice.speaker_names()[0] == next(n for n, i in preset.speakers.items() if i == 0)
    with pytest.raises(ValueError, match=r"no speaker 'nobody'.*0 to \d.*" + voice.speaker_names()[0]):
        voice.speaker_id("nobody")
    with pytest.raises(ValueError, match="no speaker 99"):
        voice.speaker_id(99)
    with pytest.raises(ValueError, match="Speaker 99 is not in voice"):
        synth.synthesize_batch([SynthItem([1, 2, 3], seed=0, speaker=99)])


def test_single_speaker_voice_has_only_speaker_zero():
    voice = load_voice()
    assert voice.num_speakers == 1 and voice.speakers == {}
    assert voice.speaker_id(None) == 0 and voice.speaker_id(0) == 0
    with pytest.raises(ValueError, match="single speaker"):
        voice.speaker_id("alice")


def test_config_and_graph_must_agree_on_speakers(built, tmp_path):
    import json
    import shutil

    preset, path, _, _ = built
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    config = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    config["num_speakers"], config["speaker_id_map"] = 1, {}
    copy.with_name(copy.name + ".json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(VoiceError, match=f"declares 1 speaker.*the model has {len(preset.speakers)}"):
        Synthesizer.load(copy)
    config["num_speakers"], config["speaker_id_map"] = 2, {"x": 5}
    copy.with_name(copy.name + ".json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(VoiceError, match="speaker_id_map"):
        load_voice(copy)


def test_speaker_setting_is_validated_and_keyed_only_when_given(built):
    from backend.render.plan import synthesis_params
    from backend.settings import RenderSettings

    preset, _, synth, _ = built
    voice, last = synth.voice, synth.voice.speaker_names()[-1]
    base = synthesis_params(voice, RenderSettings(precision="float32"))
    assert "speaker" not in base  # keys made before speakers existed stay valid
    by_name = synthesis_params(voice, RenderSettings(precision="float32", speaker=last))
    by_id = synthesis_params(voice, RenderSettings(precision="float32", speaker=voice.speakers[last]))
    assert by_name == by_id == {**base, "speaker": voice.speakers[last]}
    with pytest.raises(ValueError, match="no speaker 'nobody'"):
        synthesis_params(voice, RenderSettings(precision="float32", speaker="nobody"))
    for bad in (-1, True, "", 1.5):
        with pytest.raises(ValueError, match="speaker must be"):
            RenderSettings(speaker=bad)
