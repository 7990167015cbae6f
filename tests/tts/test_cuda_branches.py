"""The model's CUDA branches on CPU tensors (cuda_kernels_on_cpu), so a shape or dtype bug in the
GPU code cannot hide until a GPU is lent: the padded-batch conv decoder (no rows GEMMs, no
channels-last, no tiles), the flow's plain tanh, and float16/bfloat16 decoders. On torch's
`meta` device (not a CPU device, so it takes the CUDA branches by itself) the flow and decoder
run a padded batch of 8 x 20,000 frames for shapes and dtypes only, in about a second."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from backend.tts.synth import Synthesizer, SynthItem, chunk_seed
from backend.tts.vits import decoder as decoder_module
from backend.tts.vits import decoder_rows, flow
from backend.tts.vits.kernels import cpu_kernels, cuda_kernels_on_cpu
from backend.tts.vits.layers import sequence_mask
from tests.tts.conftest import SENTENCES


def quiet(**kw) -> Synthesizer:
    return Synthesizer.load(noise_scale=0.0, noise_w=0.0, cpu_streams=1, **kw)


@pytest.fixture(scope="module")
def float32():
    return quiet()


def items_of(synth, texts):
    return [SynthItem(synth.phoneme_ids(t), chunk_seed(t)) for t in texts]


class Spy:
    """Counts calls of the CPU-only helpers and of the flow's tanh, while running them for real."""

    def __init__(self, monkeypatch):
        self.calls: dict[str, int] = {}
        for module, name in ((decoder_rows, "conv_rows"), (decoder_rows, "upsample_rows"),
                             (decoder_module, "to_channels_last_2d"), (flow, "_tanh_")):
            monkeypatch.setattr(module, name, self._counting(name, getattr(module, name)))
        real_tail = decoder_module.Generator._tail
        monkeypatch.setattr(decoder_module.Generator, "_tail", self._counting("tail", real_tail))
        real_tanh = torch.Tensor.tanh_
        monkeypatch.setattr(torch.Tensor, "tanh_", self._counting("tensor.tanh_", real_tanh))

    def _counting(self, name, fn):
        def call(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return fn(*args, **kwargs)

        return call


def test_the_switch_only_changes_cpu_tensors():
    x = torch.zeros(1)
    assert cpu_kernels(x) and cpu_kernels(torch.device("cpu"))
    with cuda_kernels_on_cpu():
        assert not cpu_kernels(x) and not cpu_kernels(torch.device("cpu"))
        with cuda_kernels_on_cpu():
            pass
        assert not cpu_kernels(x)  # nested: still on until the outer one ends
    assert cpu_kernels(x) and not cpu_kernels(torch.empty(1, device="meta"))


def test_cuda_branches_take_the_batched_conv_path(monkeypatch, float32):
    items = items_of(float32, SENTENCES[1:3])
    cpu_path = float32.synthesize_batch(items[:1])
    spy = Spy(monkeypatch)
    with cuda_kernels_on_cpu():
        batch = float32.synthesize_batch(items)
        alone = float32.synthesize_batch(items[:1])
    assert "conv_rows" not in spy.calls and "upsample_rows" not in spy.calls  # no rows GEMMs
    assert "to_channels_last_2d" not in spy.calls  # plain [B, C, T] convs
    assert spy.calls["tail"] == 2  # one whole tail per forward: no tiles
    assert spy.calls["_tanh_"] > 0 and spy.calls["tensor.tanh_"] >= spy.calls["_tanh_"]  # the flow's plain tanh
    # Same audio as the CPU kernels, and a chunk does not depend on its batch neighbour.
    assert batch[0].shape == alone[0].shape == cpu_path[0].shape
    assert np.abs(batch[0] - alone[0]).max() < 1e-3 and np.abs(alone[0] - cpu_path[0]).max() < 1e-3


@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
def test_reduced_precision_batch_speaks_like_float32(float32, precision):
    with cuda_kernels_on_cpu():  # float16 is refused on a real CPU render; here it runs the GPU path
        low = quiet(dtype=precision)
        assert low.model.dec.conv_pre.weight.dtype == getattr(torch, precision)
        for part in (low.model.enc_p, low.model.dp, low.model.flow):  # timing and the flow stay float32
            assert next(part.parameters()).dtype == torch.float32
        items = items_of(low, SENTENCES[2:4])
        out = low.synthesize_batch(items)
        ref = float32.synthesize_batch(items)
    for a, b in zip(out, ref, strict=True):
        assert a.dtype == np.float32 and np.isfinite(a).all()
        assert a.shape == b.shape  # same durations: the encoder is float32
        assert np.corrcoef(a, b)[0, 1] > 0.99


def test_float16_needs_a_gpu_on_a_real_cpu_render():
    with pytest.raises(ValueError, match="float16 needs a CUDA device"):
        quiet(dtype="float16")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_long_padded_batch_shapes_on_the_meta_device(float32, dtype):
    model = copy.deepcopy(float32.model).to("meta")
    model.dec.to(dtype)
    b, frames = 8, 20_000  # 8 chunks of ~3.9 minutes each
    lengths = torch.tensor([frames - 997 * i for i in range(b)], device="meta")
    with torch.inference_mode():
        z_p = torch.empty(b, model.hp.inter, frames, device="meta")
        audio = model.synthesize(z_p, lengths)
        mask = sequence_mask(lengths, frames).float()
        assert model.flow.reverse(z_p, mask).shape == (b, model.hp.inter, frames)
    assert audio.shape == (b, frames * model.hop_length) and audio.dtype == dtype


def test_device_checks_on_a_two_gpu_machine(monkeypatch):
    from backend.tts.synth import _check_device
    from tests.gpu.fake_cuda import FakeCard, FakeCuda, GiB

    FakeCuda([FakeCard("NVIDIA GeForce RTX 4090", 24 * GiB), FakeCard("NVIDIA GeForce RTX 3060", 12 * GiB)]).install(monkeypatch)
    assert _check_device("cuda:1") == torch.device("cuda:1") and _check_device("cuda") == torch.device("cuda")
    with pytest.raises(ValueError, match=r"GPU 2 does not exist \(2 found\)"):
        _check_device("cuda:2")
    with pytest.raises(ValueError, match="Unsupported device 'meta'"):
        _check_device("meta")
    with pytest.raises(ValueError, match="Unknown device 'gpu0'"):
        _check_device("gpu0")
