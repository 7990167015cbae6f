"""Stochastic duration predictor, inference (reverse) direction only.

Noise [B, 2, T] runs backwards through neural-spline flows conditioned on the text encoding;
the first channel of the result is log-duration per phoneme.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from backend.tts.vits.layers import DilatedDepthSeparableConv

_MIN_BIN = 1e-3
_MIN_DERIVATIVE = 1e-3
TAIL_BOUND = 5.0  # fixed in VITS (not stored in the graph as a weight)


def inverse_rational_quadratic(x, widths_raw, heights_raw, derivs_raw, bound: float):
    """Inverse of a monotonic rational-quadratic spline on [-bound, bound], identity outside.

    x: [...]; *_raw: [..., K] (derivs_raw: [..., K-1], interior knots only).
    """
    n_bins = widths_raw.shape[-1]
    edge = math.log(math.exp(1 - _MIN_DERIVATIVE) - 1)  # softplus^-1 so edge slopes are 1
    derivs = _MIN_DERIVATIVE + F.softplus(F.pad(derivs_raw, (1, 1), value=edge))

    def knots(raw):
        size = _MIN_BIN + (1 - _MIN_BIN * n_bins) * F.softmax(raw, dim=-1)
        cum = F.pad(torch.cumsum(size, dim=-1), (1, 0))
        cum = 2 * bound * cum - bound
        cum = torch.cat([torch.full_like(cum[..., :1], -bound), cum[..., 1:-1], torch.full_like(cum[..., :1], bound)], -1)
        return cum, cum[..., 1:] - cum[..., :-1]

    cum_w, widths = knots(widths_raw)
    cum_h, heights = knots(heights_raw)

    inside = (x >= -bound) & (x <= bound)
    xc = x.clamp(-bound, bound)
    locations = torch.cat([cum_h[..., :-1], cum_h[..., -1:] + 1e-6], -1)
    idx = ((xc.unsqueeze(-1) >= locations).sum(-1, keepdim=True) - 1).clamp(0, n_bins - 1)

    def pick(t):
        return t.gather(-1, idx).squeeze(-1)

    in_cw, in_w, in_ch, in_h = pick(cum_w), pick(widths), pick(cum_h), pick(heights)
    delta = pick(heights / widths)
    d0, d1 = pick(derivs[..., :-1]), pick(derivs[..., 1:])

    y = xc - in_ch
    a = y * (d0 + d1 - 2 * delta) + in_h * (delta - d0)
    b = in_h * d0 - y * (d0 + d1 - 2 * delta)
    c = -delta * y
    disc = (b * b - 4 * a * c).clamp_min(0)
    root = (2 * c) / (-b - torch.sqrt(disc))
    return torch.where(inside, root * in_w + in_cw, x)


class ElementwiseAffine(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.m = nn.Parameter(torch.zeros(channels, 1))
        self.logs = nn.Parameter(torch.zeros(channels, 1))

    def reverse(self, z, mask, cond):
        return (z - self.m) * torch.exp(-self.logs) * mask


class ConvFlow(nn.Module):
    """Coupling flow whose transform is a rational-quadratic spline predicted by a conv net."""

    def __init__(self, channels: int, kernel: int, n_layers: int, bins: int):
        super().__init__()
        self.channels = channels
        self.bins = bins
        self.pre = nn.Conv1d(1, channels, 1)
        self.convs = DilatedDepthSeparableConv(channels, kernel, n_layers)
        self.proj = nn.Conv1d(channels, 3 * bins - 1, 1)

    def reverse(self, z, mask, cond):
        z0, z1 = z[:, :1], z[:, 1:]
        h = self.proj(self.convs(self.pre(z0), mask, cond)) * mask
        b, _, t = z0.shape
        h = h.reshape(b, 1, -1, t).permute(0, 1, 3, 2)  # [B, 1, T, 3K-1]
        scale = math.sqrt(self.channels)
        k = self.bins
        z1 = inverse_rational_quadratic(z1, h[..., :k] / scale, h[..., k:2 * k] / scale, h[..., 2 * k:], TAIL_BOUND)
        return torch.cat([z0, z1], 1) * mask


class StochasticDurationPredictor(nn.Module):
    def __init__(self, in_channels: int, channels: int, kernel: int, n_layers: int, flow_ids, bins: int,
                 gin_channels: int = 0):
        super().__init__()
        self.pre = nn.Conv1d(in_channels, channels, 1)
        if gin_channels:  # multi-speaker: the speaker shifts the conditioning input
            self.cond = nn.Conv1d(gin_channels, channels, 1)
        self.convs = DilatedDepthSeparableConv(channels, kernel, n_layers)
        self.proj = nn.Conv1d(channels, channels, 1)
        flows = {"0": ElementwiseAffine(2)}
        flows.update({str(i): ConvFlow(channels, kernel, n_layers, bins) for i in flow_ids})
        self.flows = nn.ModuleDict(flows)
        self.flow_ids = sorted(flow_ids, reverse=True)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, noise: torch.Tensor,
                g: torch.Tensor | None = None) -> torch.Tensor:
        """x: encoder output [B, C, T]; noise: [B, 2, T] already scaled; g: speaker embeddings
        [B, gin] (multi-speaker voices). Returns log-durations [B, 1, T]."""
        h = self.pre(x)
        if g is not None:
            h = h + self.cond(g.unsqueeze(2))
        cond = self.proj(self.convs(h, mask)) * mask
        z = noise
        # Training order is affine, then (spline, flip) pairs; inference walks it backwards.
        for i in self.flow_ids:
            z = self.flows[str(i)].reverse(torch.flip(z, [1]), mask, cond)
        z = self.flows["0"].reverse(torch.flip(z, [1]), mask, cond)
        return z[:, :1]
