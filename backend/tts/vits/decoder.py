"""HiFi-GAN generator: latent frames -> waveform (hop = product of upsample rates)."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from backend.tts.hparams import DecoderLayout
from backend.tts.vits.layers import conv, to_channels_last_2d

_SLOPE = 0.1
# On the CPU, levels this narrow run as channels-last 2D convs: oneDNN then skips the
# layout reorders around every call (measured 141 -> 79 ms for a 32-channel level).
_CHANNELS_LAST_MAX = 64


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
    def __init__(self, in_channels: int, layout: DecoderLayout):
        super().__init__()
        ch = layout.initial_channels
        self.conv_pre = nn.Conv1d(in_channels, ch, layout.pre_kernel, padding=layout.pre_kernel // 2)
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
        self.halo_frames = _receptive_halo_frames(layout)

    def forward(self, z: torch.Tensor, tile_frames: int = 0) -> torch.Tensor:
        """Latent [B, C, F] -> audio [B, 1, F * hop].

        With tile_frames > 0 the frames are decoded in overlapping tiles. The network is a
        pure conv stack with a finite receptive field, so a tile with `halo_frames` of context
        each side gives the same samples; on a CPU the tile's activations stay in cache, which
        is what makes the 32-channel, full-rate last level fast, and it bounds peak memory.
        """
        n = z.shape[2]
        if tile_frames <= 0 or n <= tile_frames + 2 * self.halo_frames:
            return self._decode(z)
        pieces = []
        for start in range(0, n, tile_frames):
            end = min(start + tile_frames, n)
            lo, hi = max(0, start - self.halo_frames), min(n, end + self.halo_frames)
            out = self._decode(z[:, :, lo:hi])
            pieces.append(out[:, :, (start - lo) * self.hop : (end - lo) * self.hop])
        return torch.cat(pieces, dim=2)

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        x = self.conv_pre(z)
        on_cpu = z.device.type == "cpu"
        for level, up in enumerate(self.ups):
            x = F.leaky_relu_(x, _SLOPE)  # x is always a fresh buffer here
            if on_cpu and x.dim() == 3 and up.out_channels <= _CHANNELS_LAST_MAX:
                x = to_channels_last_2d(x)
            x = conv(up, x)
            x_act = F.leaky_relu(x, _SLOPE)
            blocks = self.resblocks[level * self.per_level : (level + 1) * self.per_level]
            acc = blocks[0](x, x_act)
            for blk in blocks[1:]:
                acc.add_(blk(x, x_act))
            x = acc.div_(self.per_level)
        x = conv(self.conv_post, F.leaky_relu_(x))  # default slope 0.01 here, as in HiFi-GAN
        if x.dim() == 4:
            x = x.squeeze(2).contiguous()
        return torch.tanh_(x)


def _receptive_halo_frames(layout: DecoderLayout) -> int:
    """Frames of context each side that can influence a frame's samples (rounded up, +1 spare)."""
    samples_per_unit = layout.hop_length  # output samples per input unit at the current level
    reach = (layout.pre_kernel // 2) * samples_per_unit
    for rate, kernel in zip(layout.upsample_rates, layout.upsample_kernels):
        reach += math.ceil(kernel / rate) * samples_per_unit  # transposed conv spread, in input units
        samples_per_unit //= rate
        chain = max(sum((layout.resblock_kernels[j] // 2) * d for d in dils)
                    for j, dils in enumerate(layout.resblock_dilations))
        if layout.resblock_type == "1":
            chain += len(layout.resblock_dilations[0]) * (max(layout.resblock_kernels) // 2)
        reach += chain * samples_per_unit
    reach += layout.post_kernel // 2
    return math.ceil(reach / layout.hop_length) + 1
