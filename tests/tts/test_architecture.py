"""Hyperparameters come from shapes and conv attributes, so other Piper presets load too;
shapes we cannot explain fail with a VoiceError, never silently."""

import dataclasses

import numpy as np
import pytest
import torch

from backend.tts.errors import VoiceError
from backend.tts.hparams import DecoderLayout, VitsHParams, infer_hparams
from backend.tts.onnx_weights import OnnxVoiceWeights, read_voice_weights
from backend.tts.synth import model_from_weights
from backend.tts.vits.model import Vits
from backend.tts.voice import default_voice_path

MEDIUM = VitsHParams(
    n_vocab=256, hidden=192, inter=192, enc_layers=6, n_heads=2, window=4, ffn_channels=768, ffn_kernel=3,
    dp_channels=192, dp_kernel=3, dp_layers=3, dp_flow_ids=(3, 5, 7), spline_bins=10, flow_ids=(0, 2, 4, 6),
    flow_hidden=192, flow_kernel=5, flow_layers=4, flow_dilation_rate=1, flow_mean_only=True,
    decoder=DecoderLayout(initial_channels=256, pre_kernel=7, post_kernel=7, post_bias=False,
                          upsample_rates=(8, 8, 4), upsample_kernels=(16, 16, 8), upsample_pads=(4, 4, 2),
                          resblock_type="2", resblock_kernels=(3, 5, 7), resblock_dilations=((1, 2), (2, 6), (3, 12))),
)
# Shaped like Piper's x_low (narrow, ResBlock2) and high (ResBlock1, four upsamplers) presets.
X_LOW = dataclasses.replace(
    MEDIUM, hidden=96, inter=96, ffn_channels=384, dp_channels=96, flow_hidden=96,
    decoder=dataclasses.replace(MEDIUM.decoder, initial_channels=128),
)
HIGH = dataclasses.replace(
    MEDIUM,
    decoder=DecoderLayout(initial_channels=512, pre_kernel=7, post_kernel=7, post_bias=False,
                          upsample_rates=(8, 8, 2, 2), upsample_kernels=(16, 16, 4, 4), upsample_pads=(4, 4, 1, 1),
                          resblock_type="1", resblock_kernels=(3, 7, 11),
                          resblock_dilations=((1, 3, 5), (1, 3, 5), (1, 3, 5))),
)


@pytest.fixture(scope="module")
def medium_weights():
    return read_voice_weights(default_voice_path())


def as_onnx_weights(model: Vits) -> OnnxVoiceWeights:
    """What read_voice_weights would return for this model: tensors plus conv attributes."""
    attrs = {}
    for name, mod in model.named_modules():
        if isinstance(mod, (torch.nn.Conv1d, torch.nn.ConvTranspose1d)):
            attrs[name] = {"strides": list(mod.stride), "pads": [mod.padding[0]] * 2, "dilations": list(mod.dilation)}
    return OnnxVoiceWeights({k: v.detach().numpy() for k, v in model.state_dict().items()}, attrs)


def test_bundled_voice_is_the_medium_preset(medium_weights):
    assert infer_hparams(medium_weights) == MEDIUM


@pytest.mark.parametrize("hp", [X_LOW, HIGH], ids=["x_low-like", "high-like"])
def test_other_presets_round_trip_and_run(hp):
    torch.manual_seed(0)
    model = Vits(hp).eval()
    weights = as_onnx_weights(model)
    assert infer_hparams(weights) == hp
    rebuilt = model_from_weights(weights, "synthetic.onnx")
    ids = torch.randint(1, 100, (1, 12))
    with torch.inference_mode():
        frames, mean, _ = rebuilt.durations(ids, torch.tensor([12]), torch.zeros(1, 2, 12), torch.tensor([1.0]))
        n = int(frames.sum().clamp_min(1))
        audio = rebuilt.synthesize(Vits.expand(mean, frames, n), torch.tensor([n]))
    assert audio.shape == (1, n * hp.decoder.hop_length) and torch.isfinite(audio).all()


def _without(weights, *names):
    return OnnxVoiceWeights({k: v for k, v in weights.tensors.items() if k not in names}, weights.conv_attrs)


def _with(weights, name, array):
    return OnnxVoiceWeights({**weights.tensors, name: array}, weights.conv_attrs)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda w: _without(w, "dec.conv_post.weight"), "dec.conv_post.weight"),
        (lambda w: _with(w, "dp.flows.3.proj.weight", np.zeros((28, 192, 1), np.float32)), "3\\*bins-1"),
        (lambda w: _with(w, "enc_p.encoder.attn_layers.0.emb_rel_k", np.zeros((1, 9, 100), np.float32)), "head size"),
        (lambda w: _with(w, "enc_p.encoder.attn_layers.3.conv_q.weight", np.zeros((100, 192, 1), np.float32)),
         "do not fit"),
        (lambda w: OnnxVoiceWeights(w.tensors, {k: v for k, v in w.conv_attrs.items() if k != "dec.ups.1"}),
         "strides"),
    ],
    ids=["missing-tensor", "spline-width", "head-size", "layer-shape", "missing-attribute"],
)
def test_unknown_shapes_fail_clearly(medium_weights, change, message):
    with pytest.raises(VoiceError, match=message):
        model_from_weights(change(medium_weights), "odd.onnx")


def test_tiled_decoder_gives_the_same_samples(monkeypatch):
    torch.manual_seed(0)
    model = Vits(MEDIUM).eval()
    z = torch.randn(2, 192, 90)
    tail_inputs = []
    run_tail = model.dec._tail
    monkeypatch.setattr(model.dec, "_tail", lambda x, on_cpu: tail_inputs.append(x.shape[-1]) or run_tail(x, on_cpu))
    with torch.inference_mode():
        whole = model.dec(z)
        assert len(tail_inputs) == 1
        tiled = model.dec(z, tile_frames=16)
    # It really ran in tiles: ceil(90 / 16) pieces, none longer than a tile plus its two halos.
    unit, halo = model.dec.tail_unit, model.dec.tail_halo
    assert len(tail_inputs) == 1 + 6 and max(tail_inputs[1:]) <= 16 * unit + 2 * halo
    assert whole.shape == tiled.shape
    assert (whole - tiled).abs().max() < 1e-5


def test_bfloat16_tiles_all_have_one_shape_and_match_the_whole(monkeypatch):
    """bfloat16 on the CPU: every tile the same length (oneDNN builds its AMX kernels once per
    shape), the end tiles shifted inside; the samples match an untiled bfloat16 decoder."""
    torch.manual_seed(0)
    model = Vits(MEDIUM).eval()
    model.dec.to(torch.bfloat16)
    z = torch.randn(1, 192, 90).to(torch.bfloat16)
    tail_inputs = []
    run_tail = model.dec._tail
    monkeypatch.setattr(model.dec, "_tail", lambda x, on_cpu: tail_inputs.append(x.shape[0]) or run_tail(x, on_cpu))
    with torch.inference_mode():
        whole = model.dec(z).float()
        tiled = model.dec(z, tile_frames=16).float()
    unit, halo = model.dec.tail_unit, model.dec.tail_halo
    assert len(tail_inputs) == 1 + 6 and set(tail_inputs[1:]) == {16 * unit + 2 * halo}
    assert whole.shape == tiled.shape == (1, 1, 90 * 256)
    # Same maths on the same samples; only bfloat16 rounding in differently blocked GEMMs differs.
    err = (whole - tiled).pow(2).sum() / whole.pow(2).sum()
    assert err < 1e-3
