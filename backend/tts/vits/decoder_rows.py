"""The HiFi-GAN decoder's wide levels on the CPU as GEMMs on time-major rows [T, C] (one chunk).

oneDNN builds (JIT-compiles) a primitive for every new input length, 1-2 ms per conv, and every
chunk has a new length: each chunk paid 50-100 ms of that (measured: first vs second call of
the decoder on the same length). MKL's GEMMs need nothing per shape and, at 64-128 channels,
ran as fast as oneDNN's convs or faster (62-84 vs 48-79 GF/s, one thread). Narrower levels stay
with oneDNN: GEMMs with 32 outputs were 15-35% slower there.

Rows [T, C] hold the same memory as a channels-last [1, C, 1, T] tensor, so the two switch
without copies.
"""

from __future__ import annotations

import torch
from torch import nn

from backend.tts.vits.layers import weight_form
from backend.tts.vits.time_major import tap_conv, zero_pads_

ROWS_MIN_CHANNELS = 64  # resblocks this wide run as GEMMs


def rows_to_channels_last(rows: torch.Tensor) -> torch.Tensor:
    """[T, C] rows -> a channels-last [1, C, 1, T] view (copies only if rows are strided)."""
    return rows.contiguous().t()[None, :, None, :]


class _Polyphase:
    """A ConvTranspose1d with kernel - 2 * padding == stride as GEMMs: output phase j of input
    frame t sums x[t - shift] @ W[:, :, k] over the taps k landing on j; the taps sharing a
    shift make one GEMM into a column block of [T, stride * C_out], which is the upsampled
    rows [T * stride, C_out] in memory."""

    def __init__(self, up: nn.ConvTranspose1d):
        w = up.weight.detach()  # [C_in, C_out, K]
        s, p, c_out = up.stride[0], up.padding[0], w.shape[1]
        if w.shape[2] - 2 * p != s or up.output_padding[0] or up.dilation[0] != 1 or up.groups != 1:
            raise ValueError("this transposed conv does not upsample by exactly its stride")
        by_shift: dict[int, list[tuple[int, int]]] = {}
        for k in range(w.shape[2]):
            phase = (k - p) % s
            by_shift.setdefault((k - p - phase) // s, []).append((phase, k))
        self.groups = []
        for shift, taps in sorted(by_shift.items(), key=lambda kv: kv[0] != 0):  # shift 0 first
            taps.sort()
            phases = [j for j, _ in taps]
            if phases != list(range(phases[0], phases[-1] + 1)):
                raise ValueError("this transposed conv's taps do not form contiguous phases")
            mat = torch.cat([w[:, :, k] for _, k in taps], 1).contiguous()
            self.groups.append((shift, phases[0] * c_out, (phases[-1] + 1) * c_out, mat))
        self.bias = (up.bias.detach() if up.bias is not None else torch.zeros(c_out)).repeat(s)
        self.stride, self.c_out = s, c_out

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        t, width = x.shape[0], self.stride * self.c_out
        y = self.bias.expand(t, width).clone()
        for shift, c0, c1, mat in self.groups:
            lo, hi = max(0, shift), min(t, t + shift)  # output frames whose input t - shift exists
            if hi > lo:
                y[lo:hi, c0:c1].addmm_(x[lo - shift : hi - shift], mat)
        return y.view(t * self.stride, self.c_out)


def _polyphase(up: nn.ConvTranspose1d) -> _Polyphase:
    return weight_form(up, ("polyphase",), lambda: _Polyphase(up))


def conv_rows(conv: nn.Conv1d, x: torch.Tensor) -> torch.Tensor:
    """A Conv1d on one item [1, C_in, T] -> rows [T, C_out]."""
    pad, t = conv.padding[0], x.shape[2]
    src = x.new_zeros(t + 2 * pad, x.shape[1])
    src[pad : pad + t] = x[0].t()
    return tap_conv(conv, x).add_to_(x.new_zeros(t, conv.out_channels), src, pad)


def upsample_rows(up: nn.ConvTranspose1d, x: torch.Tensor) -> torch.Tensor:
    return _polyphase(up)(x)


def can_run_as_rows(up: nn.ConvTranspose1d) -> bool:
    try:
        _polyphase(up)
        return up.weight.dtype in (torch.float32, torch.bfloat16)  # bf16 GEMMs use AMX where the CPU has it
    except ValueError:
        return False


class _PaddedScratch:
    """Rows [T + 2P, C] whose P pad rows stay zero: conv inputs are written into the middle."""

    def __init__(self, like: torch.Tensor, pad: int):
        self.pad = pad
        self.buf = zero_pads_(like.new_empty(like.shape[0] + 2 * pad, like.shape[1]), pad)

    def leaky(self, x: torch.Tensor, slope: float) -> torch.Tensor:
        torch.ops.aten.leaky_relu.out(x, slope, out=self.buf[self.pad : self.pad + x.shape[0]])
        return self.buf


def resblocks_rows(blocks, x: torch.Tensor, slope: float) -> torch.Tensor:
    """Mean of the level's resblocks (type 1 or 2) on rows x [T, C]."""
    convs = [c for blk in blocks for c in blk.modules() if isinstance(c, nn.Conv1d)]
    pad = max(c.padding[0] for c in convs)
    act = _PaddedScratch(x, pad).leaky(x, slope)  # leaky(x): every block's first input
    scratch, mid = _PaddedScratch(x, pad), _PaddedScratch(x, pad)
    acc = None
    for blk in blocks:
        y = x.clone()
        pairs = zip(blk.convs1, blk.convs2) if hasattr(blk, "convs1") else ((c, None) for c in blk.convs)
        for i, (c1, c2) in enumerate(pairs):
            src = act if i == 0 else scratch.leaky(y, slope)
            if c2 is None:  # type 2: y += c1(leaky(y))
                tap_conv(c1, y).add_to_(y, src, pad)
            else:  # type 1: y += c2(leaky(c1(leaky(y))))
                t = tap_conv(c1, y).add_to_(torch.zeros_like(y), src, pad)
                tap_conv(c2, y).add_to_(y, mid.leaky(t, slope), pad)
        acc = y if acc is None else acc.add_(y)
    return acc.div_(len(blocks))
