"""Convolutions as matrix products on time-major rows (the coupling flow and the text encoder).

A batch [B, C, T] is held as one 2D tensor of rows [B * (T + 2P), C]: each item with P zero
rows before and after it, P at least the widest conv's padding. A conv is then one GEMM per
kernel tap over all rows at once (out[r] += rows[r + offset] @ W_tap): no item reads its
neighbour's frames, no im2col copy is made, and the same code serves one chunk on a CPU stream
and a padded batch on a GPU. Rows outside an item (its pads, and its padding in a batch) must
be zero wherever a conv reads them, so results there are masked after every layer.

Why: PyTorch's conv1d reorders the weights for oneDNN on every call and, below ~100 frames,
takes a slow im2col path; for these wide, short convs the GEMMs measured 1.1-1.7x faster
(the flow 0.74-0.88x the time for 47-1,285 frames, one thread).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from backend.tts.vits.layers import weight_form


@dataclass
class PaddedRows:
    """A [B, C, T] batch as padded rows; `valid` is [N, 1] (1 on an item's frames) or None
    when nothing but the outer pads is empty (one unpadded item)."""

    rows: torch.Tensor  # [N, C], N = B * (T + 2 * pad)
    valid: torch.Tensor | None
    batch: int
    length: int
    pad: int

    @classmethod
    def from_batch(cls, x: torch.Tensor, mask: torch.Tensor, pad: int) -> "PaddedRows":
        """x [B, C, T], mask [B, 1, T] (1 inside, 0 in padding; x is zeroed there)."""
        return cls.from_time_major(x.transpose(1, 2), mask, pad)

    @classmethod
    def from_time_major(cls, x: torch.Tensor, mask: torch.Tensor, pad: int) -> "PaddedRows":
        """x [B, T, C], mask [B, 1, T]."""
        b, t, c = x.shape
        tmask = mask.transpose(1, 2).to(x.dtype)  # [B, T, 1]
        buf = x.new_zeros(b, t + 2 * pad, c)
        buf[:, pad : pad + t] = x * tmask
        valid = None
        if b > 1 or not bool(mask.all()):
            valid = x.new_zeros(b, t + 2 * pad, 1)
            valid[:, pad : pad + t] = tmask
            valid = valid.view(-1, 1)
        return cls(buf.view(-1, c), valid, b, t, pad)

    @property
    def inner(self) -> slice:
        """The rows a conv writes: every row whose taps stay inside the buffer."""
        return slice(self.pad, self.rows.shape[0] - self.pad)

    def mask_(self, rows: torch.Tensor) -> torch.Tensor:
        """Zero `rows` ([N, C]) outside the items, in place."""
        return rows.mul_(self.valid) if self.valid is not None else zero_pads_(rows, self.pad)

    def mask_inner_(self, rows: torch.Tensor) -> torch.Tensor:
        """Zero inner rows ([N - 2P, C]) outside the items (padding in a batch), in place."""
        return rows if self.valid is None else rows.mul_(self.valid[self.inner])

    def items(self, rows: torch.Tensor) -> torch.Tensor:
        """The items' frames of padded rows [N, C] as a [B, T, C] view."""
        return rows.view(self.batch, self.length + 2 * self.pad, -1)[:, self.pad : self.pad + self.length]

    def to_batch(self, rows: torch.Tensor) -> torch.Tensor:
        """Padded rows [N, C] -> [B, C, T]."""
        return self.items(rows).transpose(1, 2).contiguous()

    def per_item_inner(self, values: torch.Tensor) -> torch.Tensor:
        """Per-item vectors [B, C] as a term for the inner rows: [1, C] (broadcasts) for one item,
        else [N - 2P, C] with each item's vector on its rows (and its pads, masked later)."""
        if self.batch == 1:
            return values
        c = values.shape[1]
        rows = values[:, None, :].expand(self.batch, self.length + 2 * self.pad, c).reshape(-1, c)
        return rows[self.inner]

    def new_rows(self, channels: int) -> torch.Tensor:
        """Uninitialised rows [N, channels] with the outer pads zeroed: fill the inner rows."""
        return zero_pads_(self.rows.new_empty(self.rows.shape[0], channels), self.pad)


def zero_pads_(rows: torch.Tensor, pad: int) -> torch.Tensor:
    """Zero the first and last `pad` rows, in place."""
    rows[:pad].zero_()
    rows[rows.shape[0] - pad :].zero_()
    return rows


class TapConv:
    """One Conv1d (or a slice of its output channels) as per-tap [C_in, C_out] matrices."""

    def __init__(self, conv: nn.Conv1d, lo: int = 0, hi: int | None = None, *, device=None, dtype=None):
        if conv.groups != 1 or conv.stride[0] != 1:
            raise ValueError("only ungrouped, stride-1 convs run as tap GEMMs")
        w = conv.weight.detach()[lo:hi].to(device=device, dtype=dtype)  # [C_out, C_in, k]
        k, d, p = w.shape[2], conv.dilation[0], conv.padding[0]
        self.offsets = [t * d - p for t in range(k)]
        self.weights = [w[:, :, t].t().contiguous() for t in range(k)]
        bias = conv.bias.detach()[lo:hi] if conv.bias is not None else torch.zeros(w.shape[0])
        self.bias = bias.to(device=device, dtype=dtype).contiguous()
        self.reach = max(abs(o) for o in self.offsets)

    def __call__(self, x: PaddedRows | torch.Tensor, src: torch.Tensor | None = None,
                 out: torch.Tensor | None = None) -> torch.Tensor:
        """Output for the inner rows [N - 2P, C_out] of `src` (default: x.rows), into `out` if
        given; with plain rows as x (a 1x1 conv), for every row of x."""
        if not isinstance(x, PaddedRows):
            return torch.addmm(self.bias, x, self.weights[0], out=out)
        src = x.rows if src is None else src
        if self.reach > x.pad:
            raise ValueError(f"conv reaches {self.reach} frames, the rows are padded by {x.pad}")
        lo, n = x.pad, src.shape[0] - 2 * x.pad
        first = src[lo + self.offsets[0] : lo + self.offsets[0] + n]
        out = torch.addmm(self.bias, first, self.weights[0], out=out)  # the first tap brings the bias
        return self._add_taps_(out, src, lo, 1)

    def add_to_(self, out: torch.Tensor, src: torch.Tensor, pad: int) -> torch.Tensor:
        """out [T, C_out] += conv(src) in place, src: one item's rows [T + 2 * pad, C_in] with
        zero pads (the GEMMs add into out: a residual costs nothing extra)."""
        return self._add_taps_(out.add_(self.bias), src, pad, 0)

    def _add_taps_(self, out: torch.Tensor, src: torch.Tensor, pad: int, first: int) -> torch.Tensor:
        n = out.shape[0]
        for off, w in zip(self.offsets[first:], self.weights[first:]):
            out.addmm_(src[pad + off : pad + off + n], w)
        return out

    def accumulate_(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """out += 1x1 conv of plain rows x, in place (the GEMM adds into out: no temporary)."""
        return out.addmm_(x, self.weights[0]).add_(self.bias)


def tap_conv(conv: nn.Conv1d, like: torch.Tensor, lo: int = 0, hi: int | None = None) -> TapConv:
    """The TapConv of `conv` for `like`'s device and dtype, made once per module."""
    return weight_form(conv, ("taps", like.device, like.dtype, lo, hi),
                       lambda: TapConv(conv, lo, hi, device=like.device, dtype=like.dtype))
