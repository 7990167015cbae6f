"""Voice files: the bundled one loads; each kind of bad file gives one clear VoiceError."""

import json
import os
import shutil

import pytest

from backend.tts.errors import VoiceError
from backend.tts.synth import Synthesizer, build_model
from backend.tts.voice import default_voice_path, list_voices, load_voice


@pytest.fixture()
def voice_copy(tmp_path):
    """A user-added voice: the bundled .onnx linked in a folder of its own, with its own .json."""
    src = default_voice_path()
    dst = tmp_path / "my-voice.onnx"
    try:
        os.symlink(src, dst)
    except OSError:
        shutil.copy(src, dst)
    config = json.loads(src.with_name(src.name + ".json").read_text(encoding="utf-8"))
    return dst, config


def _write_config(model_path, config):
    model_path.with_name(model_path.name + ".json").write_text(json.dumps(config), encoding="utf-8")


def test_bundled_voice_loads_with_its_settings():
    voice = load_voice()
    assert voice.name == "en_US-joe-medium"
    assert voice.sample_rate == 22050 and voice.espeak_voice == "en-us"
    assert voice.noise_scale == pytest.approx(0.667) and voice.noise_w == pytest.approx(0.8)
    assert len(voice.file_hash) == 64


def test_user_voice_by_path_and_by_json(voice_copy):
    model_path, config = voice_copy
    _write_config(model_path, config)
    assert load_voice(model_path).name == "my-voice"
    assert load_voice(model_path.with_name("my-voice.onnx.json")).model_path.name in ("my-voice.onnx", "en_US-joe-medium.onnx")
    names = [v.name for v in list_voices([model_path, model_path.with_name("missing.onnx")])]
    assert names == ["en_US-joe-medium", "my-voice"]


def test_missing_file(tmp_path):
    with pytest.raises(VoiceError, match="does not exist"):
        load_voice(tmp_path / "nope.onnx")


def test_missing_json(voice_copy):
    model_path, _ = voice_copy
    with pytest.raises(VoiceError, match=r"no config file.*my-voice\.onnx\.json"):
        load_voice(model_path)


def test_json_not_json(voice_copy):
    model_path, _ = voice_copy
    model_path.with_name(model_path.name + ".json").write_text("{not json", encoding="utf-8")
    with pytest.raises(VoiceError, match="not valid JSON"):
        load_voice(model_path)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda c: c.pop("phoneme_id_map"), "phoneme_id_map"),
        (lambda c: c["audio"].update(sample_rate="fast"), "sample_rate"),
        (lambda c: c["audio"].update(sample_rate=0), "sample_rate"),
        (lambda c: c.update(phoneme_type="pinyin"), "only espeak"),
        (lambda c: c.update(num_speakers="two"), "num_speakers"),
        (lambda c: c.update(num_speakers=4, speaker_id_map={"a": 7}), "speaker_id_map"),
        (lambda c: c["inference"].update(noise_scale="high"), "noise_scale"),
    ],
)
def test_bad_config_values(voice_copy, mutate, message):
    model_path, config = voice_copy
    mutate(config)
    _write_config(model_path, config)
    with pytest.raises(VoiceError, match=message):
        load_voice(model_path)


def test_config_that_does_not_match_the_graph(voice_copy):
    model_path, config = voice_copy
    config["phoneme_id_map"]["ʘ"] = [300]  # the graph has 256 symbols
    _write_config(model_path, config)
    voice = load_voice(model_path)  # the files themselves are fine...
    with pytest.raises(VoiceError, match="does not match.*outside the model's 256 symbols"):
        build_model(voice)  # ...but not together
    config["phoneme_id_map"].pop("ʘ")
    config["num_symbols"] = 200
    _write_config(model_path, config)
    with pytest.raises(VoiceError, match="declares 200 symbols"):
        Synthesizer.load(model_path)


def test_file_that_is_not_onnx(tmp_path):
    model_path = tmp_path / "junk.onnx"
    model_path.write_bytes(os.urandom(4096))
    _write_config(model_path, json.loads(default_voice_path().with_suffix(".onnx.json").read_text(encoding="utf-8")))
    with pytest.raises(VoiceError, match="not a valid ONNX model"):
        Synthesizer.load(model_path)


def test_onnx_that_is_not_a_piper_voice(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "other",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model_path = tmp_path / "classifier.onnx"
    onnx.save(helper.make_model(graph), str(model_path))
    _write_config(model_path, json.loads(default_voice_path().with_suffix(".onnx.json").read_text(encoding="utf-8")))
    with pytest.raises(VoiceError, match="not a Piper VITS voice"):
        Synthesizer.load(model_path)


def test_unknown_device_and_precision():
    with pytest.raises(ValueError, match="Unknown device|Unsupported device"):
        Synthesizer.load(device="tpu")
    with pytest.raises(ValueError, match="Unknown precision"):
        Synthesizer.load(dtype="int8")
    with pytest.raises(ValueError, match="float16 needs a CUDA device"):
        Synthesizer.load(dtype="float16")
