"""Convolutions as tap GEMMs on padded time-major rows must equal conv1d, item by item."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from backend.tts.vits.layers import sequence_mask
from backend.tts.vits.time_major import PaddedRows, tap_conv


def _conv(cin, cout, kernel, dilation=1, seed=0):
    torch.manual_seed(seed)
    return nn.Conv1d(cin, cout, kernel, dilation=dilation, padding=(kernel * dilation - dilation) // 2).eval()


@pytest.mark.parametrize("kernel,dilation", [(1, 1), (3, 1), (5, 1), (3, 2), (7, 3)])
def test_a_padded_batch_gives_each_item_its_own_conv(kernel, dilation):
    conv = _conv(12, 20, kernel, dilation)
    lengths = torch.tensor([31, 17, 4])
    mask = sequence_mask(lengths, 31)
    x = torch.randn(3, 12, 31)
    pr = PaddedRows.from_batch(x, mask, pad=max(1, conv.padding[0]))
    with torch.inference_mode():
        out = pr.mask_inner_(tap_conv(conv, pr.rows)(pr))
        whole = pr.to_batch(torch.cat([pr.rows.new_zeros(pr.pad, 20), out, pr.rows.new_zeros(pr.pad, 20)]))
        for i, n in enumerate(lengths.tolist()):
            alone = conv(x[i : i + 1, :, :n])[0]  # the conv's own zero padding at both ends
            assert torch.allclose(whole[i, :, :n], alone, atol=1e-5)
            assert torch.count_nonzero(whole[i, :, n:]) == 0  # padding stays empty


def test_one_unpadded_item_needs_no_mask_and_matches_conv1d():
    conv = _conv(8, 6, 5)
    x = torch.randn(1, 8, 40)
    pr = PaddedRows.from_batch(x, torch.ones(1, 1, 40, dtype=torch.bool), pad=2)
    assert pr.valid is None
    with torch.inference_mode():
        got = tap_conv(conv, pr.rows)(pr).t()
        assert torch.allclose(got, conv(x)[0], atol=1e-5)


def test_the_tap_weights_are_made_once_per_conv_and_dtype():
    conv = _conv(4, 4, 3)
    rows = torch.zeros(5, 4)
    assert tap_conv(conv, rows) is tap_conv(conv, rows)
    assert tap_conv(conv, rows) is not tap_conv(conv, rows, 0, 2)
    assert tap_conv(conv, rows.double()).weights[0].dtype == torch.float64


def test_a_conv_wider_than_the_padding_or_grouped_is_refused():
    pr = PaddedRows.from_batch(torch.randn(1, 4, 10), torch.ones(1, 1, 10, dtype=torch.bool), pad=1)
    with pytest.raises(ValueError, match="reaches 2 frames"):
        tap_conv(_conv(4, 4, 5), pr.rows)(pr)
    with pytest.raises(ValueError, match="ungrouped"):
        tap_conv(nn.Conv1d(4, 4, 3, groups=2, padding=1), pr.rows)


def test_rows_round_trip_and_zero_outside_the_items():
    x = torch.randn(2, 3, 6)
    mask = sequence_mask(torch.tensor([6, 2]), 6)
    pr = PaddedRows.from_batch(x, mask, pad=2)
    assert pr.rows.shape == (2 * (6 + 4), 3)
    back = pr.to_batch(pr.rows)
    assert torch.equal(back[0], x[0]) and torch.equal(back[1, :, :2], x[1, :, :2])
    assert torch.count_nonzero(back[1, :, 2:]) == 0
    rows = pr.mask_(torch.ones_like(pr.rows))
    assert rows.sum().item() == (6 + 2) * 3


def test_the_cpu_gate_tanh_matches_torch():
    from backend.tts.vits.flow import _tanh_

    x = torch.linspace(-12, 12, 10_001)
    assert torch.allclose(_tanh_(x.clone()), torch.tanh(x), atol=3e-7, rtol=0)
    assert F.mse_loss(_tanh_(x.clone()), torch.tanh(x)) < 1e-14
