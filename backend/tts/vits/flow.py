"""Residual coupling flow (WaveNet-style coupling layers), reverse direction only.

Runs on padded time-major rows (see time_major.py): its convs are wide (192 -> 384) and the
chunks short, where tap GEMMs beat conv1d.
"""

from __future__ import annotations

import torch
from torch import nn

from backend.tts.vits.kernels import cpu_kernels
from backend.tts.vits.time_major import PaddedRows, tap_conv


class WaveNetStack(nn.Module):
    """Gated dilated convs with residual and skip outputs; multi-speaker voices add a per-layer
    speaker term to both gate halves (cond_layer)."""

    def __init__(self, hidden: int, kernel: int, dilation_rate: int, n_layers: int, gin_channels: int = 0):
        super().__init__()
        self.hidden = hidden
        if gin_channels:
            self.cond_layer = nn.Conv1d(gin_channels, 2 * hidden * n_layers, 1)
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        for i in range(n_layers):
            dilation = dilation_rate**i
            self.in_layers.append(
                nn.Conv1d(hidden, 2 * hidden, kernel, dilation=dilation, padding=(kernel * dilation - dilation) // 2)
            )
            out = 2 * hidden if i < n_layers - 1 else hidden  # the last layer has only a skip output
            self.res_skip_layers.append(nn.Conv1d(hidden, out, 1))
        self.reach = max(c.padding[0] for c in self.in_layers)

    def forward(self, h: torch.Tensor, pr: PaddedRows, g: torch.Tensor | None = None) -> torch.Tensor:
        """h: [N, H] rows, zero outside the items (updated in place); g: speaker embeddings
        [B, gin] or None -> skip sum of the inner rows."""
        hid, inner, last = self.hidden, h[pr.inner], len(self.in_layers) - 1
        cond = None if g is None else tap_conv(self.cond_layer, g)(g)  # [B, 2 * H * layers]
        skip = None
        for i, (inp, rs) in enumerate(zip(self.in_layers, self.res_skip_layers)):
            # The gate's halves as two GEMMs: contiguous outputs for tanh and sigmoid.
            gate_t, gate_s = tap_conv(inp, h, 0, hid)(pr, h), tap_conv(inp, h, hid)(pr, h)
            if cond is not None:  # the speaker's term for this layer, constant over time
                gate_t.add_(pr.per_item_inner(cond[:, 2 * hid * i : 2 * hid * i + hid]))
                gate_s.add_(pr.per_item_inner(cond[:, 2 * hid * i + hid : 2 * hid * (i + 1)]))
            acts = _tanh_(gate_t).mul_(torch.sigmoid_(gate_s))
            to_skip = tap_conv(rs, h, hid) if i < last else tap_conv(rs, h)
            skip = to_skip(acts) if skip is None else to_skip.accumulate_(skip, acts)
            if i < last:  # every tap of this layer has read h: now it may change
                pr.mask_inner_(tap_conv(rs, h, 0, hid).accumulate_(inner, acts))
        return pr.mask_inner_(skip)


def _tanh_(x: torch.Tensor) -> torch.Tensor:
    """tanh in place. On the CPU as 2 * sigmoid(2x) - 1 (within 2e-7): PyTorch's CPU tanh
    measured 3x the time of this, ~4% of the flow."""
    if not cpu_kernels(x):
        return x.tanh_()
    return x.mul_(2).sigmoid_().mul_(2).sub_(1)


class CouplingLayer(nn.Module):
    def __init__(self, channels: int, hidden: int, kernel: int, dilation_rate: int, n_layers: int, mean_only: bool,
                 gin_channels: int = 0):
        super().__init__()
        self.half = channels // 2
        self.mean_only = mean_only
        self.pre = nn.Conv1d(self.half, hidden, 1)
        self.enc = WaveNetStack(hidden, kernel, dilation_rate, n_layers, gin_channels)
        self.post = nn.Conv1d(hidden, self.half * (1 if mean_only else 2), 1)

    def reverse(self, z: torch.Tensor, pr: PaddedRows, g: torch.Tensor | None = None) -> torch.Tensor:
        """z: [N, channels] rows (changed in place and returned)."""
        x0, x1 = z[:, : self.half], z[pr.inner, self.half :]
        h = pr.mask_(tap_conv(self.pre, z)(x0))
        stats = pr.mask_inner_(tap_conv(self.post, z)(self.enc(h, pr, g)))
        if self.mean_only:
            x1.sub_(stats)
        else:
            mean, log_std = stats.chunk(2, dim=1)
            x1.sub_(mean).mul_(torch.exp(-log_std))  # zero where masked: 0 - 0 times 1
        return z


class CouplingFlow(nn.Module):
    def __init__(self, channels, hidden, kernel, dilation_rate, n_layers, flow_ids, mean_only, gin_channels=0):
        super().__init__()
        self.flows = nn.ModuleDict({
            str(i): CouplingLayer(channels, hidden, kernel, dilation_rate, n_layers, mean_only, gin_channels)
            for i in flow_ids
        })
        self.flow_ids = sorted(flow_ids, reverse=True)

    def reverse(self, z: torch.Tensor, mask: torch.Tensor, g: torch.Tensor | None = None) -> torch.Tensor:
        """z [B, C, F], mask [B, 1, F], g: speaker embeddings [B, gin] or None -> [B, C, F] (zero in padding)."""
        pr = PaddedRows.from_batch(z, mask, max(f.enc.reach for f in self.flows.values()))
        rows = pr.rows
        # Training order is (coupling, flip) pairs; inference walks it backwards.
        for i in self.flow_ids:
            rows = self.flows[str(i)].reverse(torch.flip(rows, [1]), pr, g)
        return pr.to_batch(rows)
