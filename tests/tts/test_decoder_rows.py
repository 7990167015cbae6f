"""One chunk's decoder on the CPU runs its wide levels as GEMMs on rows: same samples as the
conv path (a batch of two takes the conv path), for every preset shape and in tiles."""

import pytest
import torch
from torch import nn

from backend.tts.vits import decoder_rows
from backend.tts.vits.decoder_rows import conv_rows, rows_to_channels_last, upsample_rows
from backend.tts.vits.model import Vits
from tests.tts.test_architecture import HIGH, MEDIUM, X_LOW


@pytest.mark.parametrize("hp", [MEDIUM, X_LOW, HIGH], ids=["medium", "x_low-like", "high-like"])
@pytest.mark.parametrize("tile", [0, 16])
def test_rows_decoder_matches_the_conv_path(hp, tile, monkeypatch):
    torch.manual_seed(0)
    dec = Vits(hp).eval().dec
    z = torch.randn(1, hp.inter, 70)
    calls = []
    run = decoder_rows.resblocks_rows
    monkeypatch.setattr(decoder_rows, "resblocks_rows", lambda *a: calls.append(1) or run(*a))
    with torch.inference_mode():
        alone = dec(z, tile)
        assert calls, "one chunk on the CPU should take the rows path"
        calls.clear()
        in_batch = dec(torch.cat([z, z]), tile)[:1]
        assert not calls
    assert alone.shape == in_batch.shape == (1, 1, 70 * hp.decoder.hop_length)
    assert (alone - in_batch).abs().max() < 1e-5


@pytest.mark.parametrize("kernel,stride", [(16, 8), (8, 4), (4, 2)])
def test_polyphase_upsampling_equals_conv_transpose(kernel, stride):
    torch.manual_seed(1)
    up = nn.ConvTranspose1d(12, 6, kernel, stride=stride, padding=(kernel - stride) // 2).eval()
    x = torch.randn(1, 12, 23)
    with torch.inference_mode():
        want = up(x)[0].t()
        got = upsample_rows(up, x[0].t().contiguous())
    assert got.shape == want.shape == (23 * stride, 6)
    assert (got - want).abs().max() < 1e-5


def test_an_upsampler_that_does_not_fit_takes_the_conv_path():
    odd = nn.ConvTranspose1d(4, 2, 5, stride=2, padding=1)  # output length 2T + 1
    assert not decoder_rows.can_run_as_rows(odd)
    assert decoder_rows.can_run_as_rows(nn.ConvTranspose1d(4, 2, 4, stride=2, padding=1))


def test_rows_and_channels_last_share_memory():
    rows = torch.randn(9, 5)
    x = rows_to_channels_last(rows)
    assert x.shape == (1, 5, 1, 9) and x.is_contiguous(memory_format=torch.channels_last)
    assert x.data_ptr() == rows.data_ptr()


def test_a_conv_on_rows_equals_conv1d():
    torch.manual_seed(2)
    conv = nn.Conv1d(10, 7, 7, padding=3).eval()
    x = torch.randn(1, 10, 30)
    with torch.inference_mode():
        assert (conv_rows(conv, x) - conv(x)[0].t()).abs().max() < 1e-5
