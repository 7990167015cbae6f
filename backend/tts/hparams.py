"""Infer VITS hyperparameters from weight shapes and conv attributes.

Piper presets (x_low, low, medium, high) differ in widths, depths, kernels and decoder layout;
nothing here is hard-coded to one preset. Anything we cannot explain raises VoiceError, so an
unknown architecture fails at load time instead of producing noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.tts.errors import VoiceError
from backend.tts.onnx_weights import OnnxVoiceWeights


@dataclass(frozen=True)
class DecoderLayout:
    initial_channels: int
    pre_kernel: int
    post_kernel: int
    post_bias: bool
    upsample_rates: tuple[int, ...]
    upsample_kernels: tuple[int, ...]
    upsample_pads: tuple[int, ...]
    resblock_type: str  # "1" (convs1/convs2) or "2" (convs)
    resblock_kernels: tuple[int, ...]
    resblock_dilations: tuple[tuple[int, ...], ...]

    @property
    def hop_length(self) -> int:
        hop = 1
        for rate in self.upsample_rates:
            hop *= rate
        return hop


@dataclass(frozen=True)
class VitsHParams:
    n_vocab: int
    hidden: int
    inter: int
    enc_layers: int
    n_heads: int
    window: int
    ffn_channels: int
    ffn_kernel: int
    dp_channels: int
    dp_kernel: int
    dp_layers: int
    dp_flow_ids: tuple[int, ...]  # ConvFlow indices present at inference, e.g. (3, 5, 7)
    spline_bins: int
    flow_ids: tuple[int, ...]  # coupling layer indices, e.g. (0, 2, 4, 6)
    flow_hidden: int
    flow_kernel: int
    flow_layers: int
    flow_dilation_rate: int
    flow_mean_only: bool
    decoder: DecoderLayout
    # Multi-speaker voices: a speaker embedding (emb_g) of gin_channels conditions the duration
    # predictor, every coupling layer and the decoder. 1 / 0 for single-speaker voices.
    n_speakers: int = 1
    gin_channels: int = 0


def _shape(w: OnnxVoiceWeights, name: str) -> tuple[int, ...]:
    if name not in w.tensors:
        raise VoiceError(f"unsupported voice architecture: tensor '{name}' is missing")
    return tuple(w.tensors[name].shape)


def _indices(w: OnnxVoiceWeights, pattern: str) -> list[int]:
    rx = re.compile(pattern)
    return sorted({int(m.group(1)) for k in w.tensors if (m := rx.match(k))})


def _attr(w: OnnxVoiceWeights, module: str, key: str, default=None):
    attrs = w.conv_attrs.get(module)
    if attrs is None or key not in attrs:
        if default is not None:
            return default
        raise VoiceError(f"unsupported voice architecture: no '{key}' attribute for conv '{module}'")
    return attrs[key]


def _check(cond: bool, what: str) -> None:
    if not cond:
        raise VoiceError(f"unsupported voice architecture: {what}")


def _decoder_layout(w: OnnxVoiceWeights) -> DecoderLayout:
    pre_out, _, pre_k = _shape(w, "dec.conv_pre.weight")
    ups = _indices(w, r"^dec\.ups\.(\d+)\.weight$")
    _check(len(ups) > 0 and ups == list(range(len(ups))), "decoder has no upsampling layers")
    rates, kernels, pads = [], [], []
    channels = pre_out
    for i in ups:
        c_in, c_out, k = _shape(w, f"dec.ups.{i}.weight")
        _check(c_in == channels, f"decoder upsampler {i} expects {c_in} channels, got {channels}")
        rates.append(int(_attr(w, f"dec.ups.{i}", "strides")[0]))
        pads.append(int(_attr(w, f"dec.ups.{i}", "pads")[0]))
        kernels.append(k)
        channels = c_out
    blocks = _indices(w, r"^dec\.resblocks\.(\d+)\.")
    _check(len(blocks) % len(ups) == 0 and len(blocks) > 0, "resblock count is not a multiple of the upsampler count")
    per_level = len(blocks) // len(ups)
    rtype = "1" if "dec.resblocks.0.convs1.0.weight" in w.tensors else "2"
    conv_list = "convs1" if rtype == "1" else "convs"
    rk, rd = [], []
    for j in range(per_level):
        n_convs = len(_indices(w, rf"^dec\.resblocks\.{j}\.{conv_list}\.(\d+)\.weight$"))
        _check(n_convs > 0, f"resblock {j} has no convolutions")
        rk.append(_shape(w, f"dec.resblocks.{j}.{conv_list}.0.weight")[2])
        rd.append(tuple(int(_attr(w, f"dec.resblocks.{j}.{conv_list}.{c}", "dilations")[0]) for c in range(n_convs)))
    post_out, post_in, post_k = _shape(w, "dec.conv_post.weight")
    _check(post_out == 1 and post_in == channels, "decoder output conv does not produce mono audio")
    return DecoderLayout(
        initial_channels=pre_out, pre_kernel=pre_k, post_kernel=post_k,
        post_bias="dec.conv_post.bias" in w.tensors,
        upsample_rates=tuple(rates), upsample_kernels=tuple(kernels), upsample_pads=tuple(pads),
        resblock_type=rtype, resblock_kernels=tuple(rk), resblock_dilations=tuple(rd),
    )


def infer_hparams(w: OnnxVoiceWeights) -> VitsHParams:
    n_vocab, hidden = _shape(w, "enc_p.emb.weight")
    inter = _shape(w, "enc_p.proj.weight")[0] // 2
    enc_layers = len(_indices(w, r"^enc_p\.encoder\.attn_layers\.(\d+)\."))
    _check(enc_layers > 0, "text encoder has no attention layers")
    _, rel, k_channels = _shape(w, "enc_p.encoder.attn_layers.0.emb_rel_k")
    _check(hidden % k_channels == 0 and rel % 2 == 1, "attention head size does not divide the hidden size")
    ffn_channels, _, ffn_kernel = _shape(w, "enc_p.encoder.ffn_layers.0.conv_1.weight")

    dp_channels = _shape(w, "dp.pre.weight")[0]
    dp_kernel = _shape(w, "dp.convs.convs_sep.0.weight")[2]
    dp_layers = len(_indices(w, r"^dp\.convs\.convs_sep\.(\d+)\.weight$"))
    dp_flow_ids = tuple(_indices(w, r"^dp\.flows\.(\d+)\.proj\.weight$"))
    _check(len(dp_flow_ids) > 0, "duration predictor has no spline flows")
    spline_out = _shape(w, f"dp.flows.{dp_flow_ids[0]}.proj.weight")[0]
    _check((spline_out + 1) % 3 == 0, f"spline projection has {spline_out} channels, not 3*bins-1")
    _check(_shape(w, "dp.flows.0.m") == (2, 1), "duration predictor affine flow is not 2-channel")

    flow_ids = tuple(_indices(w, r"^flow\.flows\.(\d+)\.pre\.weight$"))
    flow_hidden, half, _ = _shape(w, f"flow.flows.{flow_ids[0]}.pre.weight")
    _check(half * 2 == inter, "coupling flow width does not match the encoder output")
    flow_kernel = _shape(w, f"flow.flows.{flow_ids[0]}.enc.in_layers.0.weight")[2]
    flow_layers = len(_indices(w, rf"^flow\.flows\.{flow_ids[0]}\.enc\.in_layers\.(\d+)\.weight$"))
    dil1 = int(_attr(w, f"flow.flows.{flow_ids[0]}.enc.in_layers.1", "dilations", [1])[0]) if flow_layers > 1 else 1
    post_out = _shape(w, f"flow.flows.{flow_ids[0]}.post.weight")[0]
    _check(post_out in (half, 2 * half), "coupling layer output has an unexpected width")

    n_speakers, gin_channels = _speaker_shape(w, flow_ids, 2 * flow_hidden * flow_layers, dp_channels)
    dec = _decoder_layout(w)
    _check(dec.initial_channels > 0 and _shape(w, "dec.conv_pre.weight")[1] == inter,
           "decoder input width does not match the latent width")
    return VitsHParams(
        n_vocab=n_vocab, hidden=hidden, inter=inter, enc_layers=enc_layers,
        n_heads=hidden // k_channels, window=(rel - 1) // 2,
        ffn_channels=ffn_channels, ffn_kernel=ffn_kernel,
        dp_channels=dp_channels, dp_kernel=dp_kernel, dp_layers=dp_layers,
        dp_flow_ids=dp_flow_ids, spline_bins=(spline_out + 1) // 3,
        flow_ids=flow_ids, flow_hidden=flow_hidden, flow_kernel=flow_kernel,
        flow_layers=flow_layers, flow_dilation_rate=dil1, flow_mean_only=post_out == half,
        decoder=dec, n_speakers=n_speakers, gin_channels=gin_channels,
    )


def _speaker_shape(w: OnnxVoiceWeights, flow_ids, wn_cond: int, dp_channels: int) -> tuple[int, int]:
    """(speakers, embedding width) from emb_g; every conditioning conv must then be present."""
    if "emb_g.weight" not in w.tensors:
        conds = [k for k in w.tensors if k.startswith(("dp.cond.", "dec.cond.")) or ".cond_layer." in k]
        _check(not conds, "speaker conditioning without a speaker embedding")
        return 1, 0
    n_speakers, gin = _shape(w, "emb_g.weight")
    _check(n_speakers > 1 and gin > 0, "speaker embedding is empty")
    _check(_shape(w, "dp.cond.weight") == (dp_channels, gin, 1), "duration predictor speaker input has the wrong width")
    for i in flow_ids:
        _check(_shape(w, f"flow.flows.{i}.enc.cond_layer.weight") == (wn_cond, gin, 1),
               f"coupling layer {i} speaker input has the wrong width")
    pre_out = _shape(w, "dec.conv_pre.weight")[0]
    _check(_shape(w, "dec.cond.weight") == (pre_out, gin, 1), "decoder speaker input has the wrong width")
    return n_speakers, gin
