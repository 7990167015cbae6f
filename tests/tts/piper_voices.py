"""Real multi-speaker Piper voices for tests: no such voice can be downloaded here, so we build
one with Piper's own training code (random weights, fixed seed) and export it the way
piper/train/export_onnx.py does (opset 15; inputs input, input_lengths, scales, sid).
Small sizes keep a build at a few seconds."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import torch

from backend.tts.voice import default_voice_path


@dataclass(frozen=True)
class Preset:
    name: str
    speakers: dict[str, int]
    hidden: int
    gin: int
    resblock: str
    resblock_kernels: tuple[int, ...]
    resblock_dilations: tuple[tuple[int, ...], ...]
    upsample_rates: tuple[int, ...]
    upsample_kernels: tuple[int, ...]
    upsample_initial: int
    seed: int = 0
    n_layers: int = 2  # text encoder layers (the medium preset has 6)
    filter: int = 0  # text encoder FFN width; 0: twice the hidden size (the medium preset has 768)
    inference: dict = field(default_factory=lambda: {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8})


# Two shapes: a narrow ResBlock2 decoder that runs tiled from its first level, and a wider
# ResBlock1 decoder whose first levels run as GEMMs on rows (decoder_rows.py). Speaker names
# include digit strings that are not their ids, as LibriTTS-style voices have.
SMALL = Preset("small", {"alice": 0, "bob": 1, "carol": 2}, hidden=48, gin=16, resblock="2",
               resblock_kernels=(3, 5), resblock_dilations=((1, 2), (2, 6)), upsample_rates=(8, 8, 4),
               upsample_kernels=(16, 16, 8), upsample_initial=64, seed=1)
WIDE = Preset("wide", {"3922": 0, "p239": 1, "8699": 2, "ana": 3}, hidden=64, gin=24, resblock="1",
              resblock_kernels=(3, 7), resblock_dilations=((1, 3, 5), (1, 3, 5)), upsample_rates=(8, 8, 2, 2),
              upsample_kernels=(16, 16, 4, 4), upsample_initial=128, seed=2)
PRESETS = (SMALL, WIDE)


def build_generator(p: Preset):
    from piper.train.vits.models import SynthesizerTrn  # torch only (its lightning module is not needed)

    torch.manual_seed(p.seed)
    model = SynthesizerTrn(
        n_vocab=256, spec_channels=513, segment_size=32, inter_channels=p.hidden, hidden_channels=p.hidden,
        filter_channels=p.filter or 2 * p.hidden, n_heads=2, n_layers=p.n_layers, kernel_size=3, p_dropout=0.0, resblock=p.resblock,
        resblock_kernel_sizes=p.resblock_kernels, resblock_dilation_sizes=p.resblock_dilations,
        upsample_rates=p.upsample_rates, upsample_initial_channel=p.upsample_initial,
        upsample_kernel_sizes=p.upsample_kernels, n_speakers=len(p.speakers), gin_channels=p.gin,
    ).eval()
    with torch.no_grad():
        # VITS zero-initialises the coupling and spline output layers (identity flows at the start of
        # training): give them weights so the flows, and their speaker inputs, do something.
        # The exporter also merges equal initializers (every fresh LayerNorm gamma is ones): a
        # trained voice has none, so perturb the gammas too.
        for name, param in model.named_parameters():
            if name.startswith(("enc_q", "dp.post")):
                continue
            if not param.abs().any():
                param.normal_(0.0, 0.1)
            elif name.endswith("gamma"):
                param.add_(torch.randn_like(param) * 0.05)
        model.dec.conv_post.weight.mul_(8.0)  # a random decoder is quiet: make the audio speech-loud
        model.dec.remove_weight_norm()  # as export_onnx.py does
    return model


def export_voice(p: Preset, directory: Path) -> Path:
    """Write NAME.onnx + NAME.onnx.json into `directory`; returns the .onnx path."""
    model = build_generator(p)

    def infer_forward(text, text_lengths, scales, sid=None):
        return model.infer(text, text_lengths, noise_scale=scales[0], length_scale=scales[1],
                           noise_scale_w=scales[2], sid=sid)[0].unsqueeze(1)

    model.forward = infer_forward
    path = directory / f"test_{p.name}-multi.onnx"
    args = (torch.randint(0, 256, (1, 50)), torch.LongTensor([50]), torch.FloatTensor([0.667, 1.0, 0.8]),
            torch.LongTensor([0]))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        # dynamo=False: the TorchScript exporter piper uses (torch 2.13's default, dynamo, needs onnxscript).
        torch.onnx.export(
            model, args, str(path), opset_version=15, dynamo=False,
            input_names=["input", "input_lengths", "scales", "sid"], output_names=["output"],
            dynamic_axes={"input": {0: "batch_size", 1: "phonemes"}, "input_lengths": {0: "batch_size"},
                          "output": {0: "batch_size", 2: "time"}},
        )
    bundled = json.loads(Path(str(default_voice_path()) + ".json").read_text(encoding="utf-8"))
    config = {
        "audio": {"sample_rate": 22050, "quality": p.name},
        "espeak": {"voice": "en-us"},
        "inference": dict(p.inference),
        "phoneme_type": "espeak",
        "phoneme_id_map": bundled["phoneme_id_map"],
        "num_symbols": 256,
        "num_speakers": len(p.speakers),
        "speaker_id_map": dict(p.speakers),
    }
    path.with_name(path.name + ".json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path


def ort_session(path: Path):
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def ort_audio(session, ids, speaker: int, length_scale: float = 1.0):
    import numpy as np

    out = session.run(None, {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": np.array([0.0, length_scale, 0.0], dtype=np.float32),
        "sid": np.array([speaker], dtype=np.int64),
    })[0]
    return out.reshape(-1)
