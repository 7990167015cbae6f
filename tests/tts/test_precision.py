"""The reduced-precision path (used on CUDA) runs end to end; here bfloat16 on the CPU."""

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
    assert abs(len(out) - len(ref)) / len(ref) < 0.03
    n = min(len(out), len(ref))
    assert np.corrcoef(out[:n], ref[:n])[0, 1] > 0.5


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message shown when there is no GPU")
def test_cuda_without_a_gpu_says_so():
    with pytest.raises(ValueError, match="no CUDA GPU is available"):
        Synthesizer.load(device="cuda")
