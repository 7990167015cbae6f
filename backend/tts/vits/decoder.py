"""HiFi-GAN generator: latent frames -> waveform (hop = product of upsample rates)."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from backend.tts.hparams import DecoderLayout
from backend.tts.vits import decoder_rows as rows_form
from backend.tts.vits.kernels import cpu_kernels
from backend.tts.vits.layers import conv, to_channels_last_2d

_SLOPE = 0.1
# On the CPU, levels this narrow run as channels-last 2D convs: oneDNN then skips the
# layout reorders around every call and uses its faster kernels (measured 141 -> 79 ms for
# a 32-channel level; 1.5x for the six convs of a 128-channel level).
_CHANNELS_LAST_MAX = 128
# The tail from the first level this narrow runs in tiles (see forward).
_TILED_MAX = 64


def _same_conv(channels: int, kernel: int, dilation: int) -> nn.Conv1d:
    return nn.Conv1d(channels, channels, kernel, dilation=dilation, padding=(kernel * dilation - dilation) // 2)


class ResBlock2(nn.Module):
    """One conv per dilation, each wrapped in a residual with a leaky ReLU in front."""

    def __init__(self, channels: int, kernel: int, dilations):
        super().__init__()
        self.convs = nn.ModuleList(_same_conv(channels, kernel, d) for d in dilations)

    def forward(self, x: torch.Tensor, x_act: torch.Tensor) -> torch.Tensor:
        # x_act = leaky_relu(x), shared by all blocks of a level (computed once by the caller).
        for i, c in enumerate(self.convs):
            x = conv(c, x_act if i == 0 else F.leaky_relu(x, _SLOPE)).add_(x)  # in place: no extra buffer
        return x


class ResBlock1(nn.Module):
    """Pairs of (dilated conv, plain conv), each pair in a residual."""

    def __init__(self, channels: int, kernel: int, dilations):
        super().__init__()
        self.convs1 = nn.ModuleList(_same_conv(channels, kernel, d) for d in dilations)
        self.convs2 = nn.ModuleList(_same_conv(channels, kernel, 1) for _ in dilations)

    def forward(self, x: torch.Tensor, x_act: torch.Tensor) -> torch.Tensor:
        for i, (c1, c2) in enumerate(zip(self.convs1, self.convs2)):
            xt = conv(c1, x_act if i == 0 else F.leaky_relu(x, _SLOPE))
            x = conv(c2, F.leaky_relu_(xt, _SLOPE)).add_(x)
        return x


class Generator(nn.Module):
    def __init__(self, in_channels: int, layout: DecoderLayout, gin_channels: int = 0):
        super().__init__()
        ch = layout.initial_channels
        self.conv_pre = nn.Conv1d(in_channels, ch, layout.pre_kernel, padding=layout.pre_kernel // 2)
        if gin_channels:  # multi-speaker: a per-speaker offset on conv_pre's output
            self.cond = nn.Conv1d(gin_channels, ch, 1)
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        block = ResBlock1 if layout.resblock_type == "1" else ResBlock2
        for rate, kernel, pad in zip(layout.upsample_rates, layout.upsample_kernels, layout.upsample_pads):
            self.ups.append(nn.ConvTranspose1d(ch, ch // 2, kernel, stride=rate, padding=pad))
            ch //= 2
            for k, d in zip(layout.resblock_kernels, layout.resblock_dilations):
                self.resblocks.append(block(ch, k, d))
        self.per_level = len(layout.resblock_kernels)
        self.conv_post = nn.Conv1d(ch, 1, layout.post_kernel, padding=layout.post_kernel // 2, bias=layout.post_bias)
        self.hop = layout.hop_length
        # Tiling starts at the first narrow, high-rate level: the wide levels before it are
        # cheap and run whole; the tiled tail needs only a few samples of halo.
        narrow = [i for i, c in enumerate(_level_channels(layout)) if c <= _TILED_MAX]
        self.tail_from = narrow[0] if narrow else len(layout.upsample_rates)
        self.tail_unit = 1  # frames -> samples at the tail's input rate
        for rate in layout.upsample_rates[: self.tail_from]:
            self.tail_unit *= rate
        self.tail_halo = _tail_halo(layout, self.tail_from)

    def forward(self, z: torch.Tensor, tile_frames: int = 0, g: torch.Tensor | None = None) -> torch.Tensor:
        """Latent [B, C, F] (+ speaker embeddings g [B, gin] of a multi-speaker voice) -> audio [B, 1, F * hop].

        With tile_frames > 0 (CPU) the narrow, full-rate tail of the network runs in tiles of
        that many frames. It is a pure conv stack with a finite receptive field, so a tile with
        `tail_halo` samples of context each side gives the same samples, while its activations
        stay in cache and oneDNN reuses its kernels for the repeated tile shape.
        """
        on_cpu = cpu_kernels(z)
        if on_cpu and z.shape[0] == 1 and all(rows_form.can_run_as_rows(up) for up in self.ups):
            x = rows_form.conv_rows(self.conv_pre, z)  # one chunk on the CPU: GEMMs on rows (decoder_rows.py)
        else:
            x = self.conv_pre(z)
        if g is not None:  # the speaker term is constant over time: it enters before any tiling
            offset = F.linear(g.to(z.dtype), self.cond.weight[:, :, 0], self.cond.bias)  # [B, C]
            x.add_(offset[0] if x.dim() == 2 else offset[:, :, None])
        for level in range(self.tail_from):
            x = self._level(level, x, on_cpu)
        rows = x.dim() == 2  # else [B, C, T] or [B, C, 1, T]
        n, tile, halo = x.shape[0 if rows else -1], tile_frames * self.tail_unit, self.tail_halo
        if tile_frames <= 0 or n <= tile + 2 * halo:
            return self._tail(x, on_cpu)
        pieces, window = [], tile + 2 * halo
        # bfloat16: every window the same length (shifted inside at the ends, which keeps the true
        # boundary), as oneDNN builds its AMX kernels per shape at ~15 ms a conv; with one shape
        # that is paid once. (float32 kernels build fast: there the shorter end tiles win.)
        same_shape = x.dtype == torch.bfloat16
        for start in range(0, n, tile):
            end = min(start + tile, n)
            lo, hi = max(0, start - halo), min(n, end + halo)
            if same_shape:
                lo = min(lo, n - window)
                hi = lo + window
            scale = self.hop // self.tail_unit
            out = self._tail(x[lo:hi] if rows else x[..., lo:hi], on_cpu)
            pieces.append(out[:, :, (start - lo) * scale : (end - lo) * scale])
        return torch.cat(pieces, dim=2)

    def _level(self, level: int, x: torch.Tensor, on_cpu: bool) -> torch.Tensor:
        up = self.ups[level]
        blocks = self.resblocks[level * self.per_level : (level + 1) * self.per_level]
        x = F.leaky_relu(x, _SLOPE)
        if x.dim() == 2:  # rows
            x = rows_form.upsample_rows(up, x)
            if x.shape[1] >= rows_form.ROWS_MIN_CHANNELS:
                return rows_form.resblocks_rows(blocks, x, _SLOPE)
            x = rows_form.rows_to_channels_last(x)  # narrow: oneDNN's convs are faster
        else:
            if on_cpu and x.dim() == 3 and up.out_channels <= _CHANNELS_LAST_MAX:
                x = to_channels_last_2d(x)
            x = conv(up, x)
        x_act = F.leaky_relu(x, _SLOPE)
        acc = blocks[0](x, x_act)
        for blk in blocks[1:]:
            acc.add_(blk(x, x_act))
        return acc.div_(self.per_level)

    def _tail(self, x: torch.Tensor, on_cpu: bool) -> torch.Tensor:
        for level in range(self.tail_from, len(self.ups)):
            x = self._level(level, x, on_cpu)
        if x.dim() == 2:
            x = rows_form.rows_to_channels_last(x)
        x = conv(self.conv_post, F.leaky_relu(x))  # default slope 0.01 here, as in HiFi-GAN
        if x.dim() == 4:
            x = x.squeeze(2).contiguous()
        return torch.tanh_(x)


def _level_channels(layout: DecoderLayout) -> list[int]:
    return [layout.initial_channels >> (i + 1) for i in range(len(layout.upsample_rates))]


def _tail_halo(layout: DecoderLayout, first: int) -> int:
    """Samples of context (at the input rate of level `first`) that can reach an output sample."""
    scale = 1  # output samples per unit at the current level's input rate
    for rate in layout.upsample_rates[first:]:
        scale *= rate
    reach = 0
    for rate, kernel in zip(layout.upsample_rates[first:], layout.upsample_kernels[first:]):
        reach += math.ceil(kernel / rate) * scale  # transposed conv spread, in input units
        scale //= rate
        chain = max(sum((layout.resblock_kernels[j] // 2) * d for d in dils)
                    for j, dils in enumerate(layout.resblock_dilations))
        if layout.resblock_type == "1":
            chain += len(layout.resblock_dilations[0]) * (max(layout.resblock_kernels) // 2)
        reach += chain * scale
    reach += layout.post_kernel // 2
    total = 1
    for rate in layout.upsample_rates[first:]:
        total *= rate
    return math.ceil(reach / total) + 1
