"""Which parts of the model can run in a reduced precision: audio of float16/bfloat16 variants
against float32, same run, same ids, noise off.

    python bench/precision_bench.py [--limit 12]

For each precision it prints, per variant, the median and worst SNR (dB) and waveform
correlation over the bench text's sentences, and how many came out with another length (a
frame moved between phonemes). Variants: "decoder" (what the engine does), "flow+decoder", and
"all" (text encoder, flow and decoder; the duration predictor's spline flows need float32).
float16 runs with the CUDA kernels on CPU tensors (the CPU path refuses it)."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine_bench import sentences_of  # noqa: E402

from backend.tts.synth import Synthesizer  # noqa: E402
from backend.tts.vits.kernels import cuda_kernels_on_cpu  # noqa: E402
from backend.tts.vits.layers import sequence_mask  # noqa: E402

TEXT = ROOT.parent / "shared" / "bench" / "lighthouse.md"
VARIANTS = {"decoder": ("dec",), "flow+decoder": ("flow", "dec"), "all": ("enc_p", "flow", "dec")}


def variant(ref: Synthesizer, dtype: torch.dtype, parts: tuple[str, ...]) -> Synthesizer:
    synth = Synthesizer(ref.voice, noise_scale=0.0, noise_w=0.0, cpu_streams=1)
    for name in parts:
        getattr(synth.model, name).to(dtype)
    return synth


def forward_in(synth: Synthesizer, ids: list[int]) -> np.ndarray:
    """Our forward, with each part fed in its own precision (the engine casts only for the decoder)."""
    model = synth.model
    flow_dtype = next(model.flow.parameters()).dtype
    x = torch.tensor([ids])
    lengths = torch.tensor([len(ids)])
    with torch.inference_mode():
        mask = sequence_mask(lengths, x.shape[1])
        h, mean, log_std = model.enc_p(x, mask)
        log_w = model.dp(h.float(), mask.float(), torch.zeros(1, 2, x.shape[1]))
        frames = torch.ceil(torch.exp(log_w) * mask.float()).squeeze(1).long()
        n = int(frames.sum().clamp_min(1))
        z_p = model.expand(mean.float(), frames, n).to(flow_dtype)
        fmask = sequence_mask(torch.tensor([n]), n).to(flow_dtype)
        z = model.flow.reverse(z_p, fmask)
        dec_dtype = model.dec.conv_pre.weight.dtype
        audio = model.dec((z * fmask).to(dec_dtype)).float()
    return audio.reshape(-1).numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=12, help="sentences of the bench text (default 12)")
    args = parser.parse_args()
    if not TEXT.exists():
        sys.exit(f"Error: the bench text {TEXT} is missing.")
    ref = Synthesizer.load(noise_scale=0.0, noise_w=0.0, cpu_streams=1)
    sentences = sentences_of(TEXT, ref)[: args.limit]
    # The engine's own path for the reference: the same code the variants run.
    refs = [forward_in(ref, ids) for _, ids in sentences]
    print(f"{len(sentences)} sentences of {TEXT.name}, float32 reference; SNR in dB, corr = waveform correlation")
    print(f"{'precision':<10} {'variant':<14} {'SNR median':>10} {'SNR worst':>10} {'corr worst':>10} {'length moved':>13}")
    for precision in ("bfloat16", "float16"):
        dtype = getattr(torch, precision)
        for name, parts in VARIANTS.items():
            synth = variant(ref, dtype, parts)
            snrs, corrs, moved = [], [], 0
            with cuda_kernels_on_cpu():
                for (_, ids), a in zip(sentences, refs, strict=True):
                    b = forward_in(synth, ids)
                    if len(b) != len(a):
                        moved += 1
                        n = min(len(a), len(b))
                        a, b = a[:n], b[:n]
                    snrs.append(10 * np.log10(np.sum(a**2) / max(np.sum((a - b) ** 2), 1e-20)))
                    corrs.append(float(np.corrcoef(a, b)[0, 1]))
            print(f"{precision:<10} {name:<14} {statistics.median(snrs):>10.1f} {min(snrs):>10.1f} {min(corrs):>10.4f} "
                  f"{moved:>6} of {len(sentences)}")


if __name__ == "__main__":
    main()
