"""The reduced-precision path runs end to end (bfloat16 with the CPU kernels here; both
reduced precisions with the CUDA kernels in test_cuda_branches.py), and a CUDA request works
on a GPU machine or says why not on one without."""

import numpy as np
import pytest
import torch

from backend.tts.synth import Synthesizer
from tests.tts.conftest import SENTENCES


def test_bfloat16_speaks_like_float32(synth_quiet):
    low = Synthesizer.load(noise_scale=0.0, noise_w=0.0, dtype="bfloat16")
    assert low.model.dec.conv_pre.weight.dtype == torch.bfloat16
    assert low.model.dp.pre.weight.dtype == torch.float32  # spline flows stay in float32
    ref = synth_quiet.synthesize(SENTENCES[2])
    out = low.synthesize(SENTENCES[2])
    assert out.dtype == np.float32 and np.isfinite(out).all()
    assert len(out) == len(ref)  # the text encoder stays float32: the same durations
    assert np.corrcoef(out, ref)[0, 1] > 0.99


def test_cuda_request_on_this_machine(synth_quiet):
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU is available"):
            Synthesizer.load(device="cuda")
        return
    gpu = Synthesizer.load(device="cuda", noise_scale=0.0, noise_w=0.0)
    assert gpu.device.type == "cuda" and gpu.parallel_chunks == 1
    out, ref = gpu.synthesize(SENTENCES[2]), synth_quiet.synthesize(SENTENCES[2])
    assert out.shape == ref.shape and np.abs(out - ref).max() < 1e-2  # TF32 and other kernels: close, not equal
    with pytest.raises(ValueError, match="does not exist"):
        Synthesizer.load(device=f"cuda:{torch.cuda.device_count()}")
