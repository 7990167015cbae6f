"""Small building blocks shared by the VITS parts."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.nn import functional as F


def sequence_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """[B] lengths -> [B, 1, max_len] float mask (1 inside, 0 in padding)."""
    steps = torch.arange(max_len, device=lengths.device)
    return (steps[None, :] < lengths[:, None]).unsqueeze(1)


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of a [B, C, T] tensor."""

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(x.transpose(1, 2), (x.shape[1],), self.gamma, self.beta, self.eps)
        return x.transpose(1, 2)

    def rows(self, x: torch.Tensor) -> torch.Tensor:
        """The same norm on time-major rows [..., C]."""
        return F.layer_norm(x, (x.shape[-1],), self.gamma, self.beta, self.eps)


class DilatedDepthSeparableConv(nn.Module):
    """Residual stack of depthwise dilated convs + 1x1 convs (the duration predictor's body)."""

    def __init__(self, channels: int, kernel: int, n_layers: int):
        super().__init__()
        self.convs_sep = nn.ModuleList()
        self.convs_1x1 = nn.ModuleList()
        self.norms_1 = nn.ModuleList()
        self.norms_2 = nn.ModuleList()
        for i in range(n_layers):
            dilation = kernel**i
            self.convs_sep.append(
                nn.Conv1d(channels, channels, kernel, groups=channels, dilation=dilation,
                          padding=(kernel * dilation - dilation) // 2)
            )
            self.convs_1x1.append(nn.Conv1d(channels, channels, 1))
            self.norms_1.append(ChannelLayerNorm(channels))
            self.norms_2.append(ChannelLayerNorm(channels))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if cond is not None:
            x = x + cond
        for sep, pw, n1, n2 in zip(self.convs_sep, self.convs_1x1, self.norms_1, self.norms_2):
            y = F.gelu(n1(sep(x * mask)))
            y = F.gelu(n2(pw(y)))
            x = x + y
        return x * mask


def conv(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Apply a Conv1d/ConvTranspose1d to [B, C, T], or to [B, C, 1, T] channels-last."""
    if x.dim() == 3:
        return module(x)
    w = _channels_last_weight(module, x)
    if isinstance(module, nn.ConvTranspose1d):
        return F.conv_transpose2d(x, w, module.bias, stride=(1, module.stride[0]), padding=(0, module.padding[0]))
    return F.conv2d(x, w, module.bias, padding=(0, module.padding[0]), dilation=(1, module.dilation[0]))


def weight_form(module: nn.Module, key: tuple, make: Callable[[], object]) -> object:
    """A rearranged copy of a module's weights (per key: layout, device, dtype...), made once
    by make(). Inference only: the copy does not follow later weight edits."""
    forms = module.__dict__.setdefault("_weight_forms", {})
    if key not in forms:
        with torch.no_grad():
            forms[key] = make()
    return forms[key]


def _channels_last_weight(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The 4D channels-last copy of a conv weight: converting it on every call cost ~6% of CPU synthesis."""
    return weight_form(module, ("channels_last", x.device, x.dtype), lambda: module.weight.detach().unsqueeze(2)
                       .to(x.dtype).contiguous(memory_format=torch.channels_last))


def to_channels_last_2d(x: torch.Tensor) -> torch.Tensor:
    """[B, C, T] -> [B, C, 1, T] stored time-major, the layout oneDNN convolves without reorders."""
    return x.unsqueeze(2).contiguous(memory_format=torch.channels_last)
