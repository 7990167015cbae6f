"""Text encoder: phoneme embedding + transformer with windowed relative-position attention."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from backend.tts.vits.layers import ChannelLayerNorm
from backend.tts.vits.time_major import PaddedRows, tap_conv


class RelativeSelfAttention(nn.Module):
    """Multi-head self-attention with learned relative-position terms for |i-j| <= window.

    Only 2*window+1 relative positions carry weights, so instead of materializing a
    [T, 2T-1] relative matrix we gather the band directly: O(T^2) work, not O(T^2 * d).
    """

    def __init__(self, channels: int, n_heads: int, window: int):
        super().__init__()
        self.n_heads = n_heads
        self.head_dim = channels // n_heads
        self.window = window
        self.conv_q = nn.Conv1d(channels, channels, 1)
        self.conv_k = nn.Conv1d(channels, channels, 1)
        self.conv_v = nn.Conv1d(channels, channels, 1)
        self.conv_o = nn.Conv1d(channels, channels, 1)
        self.emb_rel_k = nn.Parameter(torch.zeros(1, 2 * window + 1, self.head_dim))
        self.emb_rel_v = nn.Parameter(torch.zeros(1, 2 * window + 1, self.head_dim))

    def _band_columns(self, length: int, device: torch.device):
        pos = torch.arange(length, device=device)
        cols = pos[:, None] + torch.arange(-self.window, self.window + 1, device=device)[None, :]
        col_valid = (cols >= 0) & (cols < length)
        return cols.clamp(0, length - 1), col_valid  # [T, 2w+1] each

    def forward(self, rows: torch.Tensor, pr: PaddedRows, attn_mask: torch.Tensor | None) -> torch.Tensor:
        """rows: [N, C] padded time-major rows -> the attention output [B, T, C].
        attn_mask: [B, 1, T, T] bool, or None when no item is padded."""
        b, t, c = pr.batch, pr.length, rows.shape[1]
        h, d = self.n_heads, self.head_dim

        def heads(conv: nn.Conv1d) -> torch.Tensor:  # [b, h, t, d] view of the items' rows
            return pr.items(tap_conv(conv, rows)(rows)).view(b, t, h, d).transpose(1, 2)

        q, k, v = heads(self.conv_q) / math.sqrt(d), heads(self.conv_k), heads(self.conv_v)
        cols, col_valid = self._band_columns(t, rows.device)

        scores = q @ k.transpose(2, 3)  # [b, h, t, t]
        rel_logits = q @ self.emb_rel_k[0].transpose(0, 1)  # [b, h, t, 2w+1]
        # The relative term touches only the 2w+1 diagonals: add it there in place, not
        # through a gathered [t, t] copy (three fewer passes over the t x t scores).
        for off in range(-self.window, self.window + 1):
            lo, hi = max(0, -off), t - max(0, off)  # rows whose column i + off exists
            if hi > lo:
                torch.diagonal(scores, off, 2, 3).add_(rel_logits[:, :, lo:hi, off + self.window])
        if attn_mask is not None:
            scores.masked_fill_(~attn_mask, -1e4)
        p = F.softmax(scores, dim=-1)

        out = p @ v
        p_band = p.gather(3, cols.expand(b, h, t, cols.shape[1])).masked_fill(~col_valid, 0.0)
        out = (out + p_band @ self.emb_rel_v[0]).transpose(1, 2).reshape(b * t, c)
        return tap_conv(self.conv_o, rows)(out).view(b, t, c)


class FeedForward(nn.Module):
    def __init__(self, channels: int, hidden: int, kernel: int):
        super().__init__()
        self.conv_1 = nn.Conv1d(channels, hidden, kernel, padding=kernel // 2)
        self.conv_2 = nn.Conv1d(hidden, channels, kernel, padding=kernel // 2)

    def forward(self, rows: torch.Tensor, pr: PaddedRows) -> torch.Tensor:
        """rows [N, C] (zero outside the items) -> output for the inner rows [N - 2P, C], masked."""
        mid = pr.new_rows(self.conv_1.out_channels)  # conv_2 reads its zero pads
        pr.mask_inner_(torch.relu_(tap_conv(self.conv_1, rows)(pr, rows, out=mid[pr.inner])))
        return pr.mask_inner_(tap_conv(self.conv_2, rows)(pr, mid))


class Encoder(nn.Module):
    def __init__(self, channels: int, ffn_channels: int, n_heads: int, n_layers: int, kernel: int, window: int):
        super().__init__()
        self.attn_layers = nn.ModuleList(RelativeSelfAttention(channels, n_heads, window) for _ in range(n_layers))
        self.norm_layers_1 = nn.ModuleList(ChannelLayerNorm(channels) for _ in range(n_layers))
        self.ffn_layers = nn.ModuleList(FeedForward(channels, ffn_channels, kernel) for _ in range(n_layers))
        self.norm_layers_2 = nn.ModuleList(ChannelLayerNorm(channels) for _ in range(n_layers))
        self.pad = kernel // 2

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, PaddedRows]:
        """x [B, T, C] time-major, mask [B, 1, T] bool -> padded rows (zero outside the items)."""
        # Unpadded (every CPU stream renders one chunk): no mask to apply to the scores.
        attn_mask = None if bool(mask.all()) else mask.unsqueeze(2) & mask.unsqueeze(3)  # [B, 1, T, T]
        pr = PaddedRows.from_time_major(x, mask, self.pad)
        rows = pr.rows
        for attn, n1, ffn, n2 in zip(self.attn_layers, self.norm_layers_1, self.ffn_layers, self.norm_layers_2):
            pr.items(rows).add_(attn(rows, pr, attn_mask))
            rows = pr.mask_(n1.rows(rows))
            rows[pr.inner].add_(ffn(rows, pr))
            rows = pr.mask_(n2.rows(rows))
        return rows, pr


class TextEncoder(nn.Module):
    """Phoneme ids -> prior mean and log-std per phoneme ([B, inter, T] each)."""

    def __init__(self, n_vocab, inter, hidden, ffn_channels, n_heads, n_layers, kernel, window):
        super().__init__()
        self.hidden = hidden
        self.emb = nn.Embedding(n_vocab, hidden)
        self.encoder = Encoder(hidden, ffn_channels, n_heads, n_layers, kernel, window)
        self.proj = nn.Conv1d(hidden, inter * 2, 1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor):
        """Returns the hidden states [B, hidden, T] (for the duration predictor), mean, log-std."""
        rows, pr = self.encoder(self.emb(ids) * math.sqrt(self.hidden), mask)
        stats = pr.to_batch(tap_conv(self.proj, rows)(rows)) * mask.to(rows.dtype)
        mean, log_std = stats.chunk(2, dim=1)
        return pr.to_batch(rows), mean, log_std
