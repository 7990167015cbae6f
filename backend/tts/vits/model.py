"""The whole VITS inference path, batched with per-item noise and speaking rate."""

from __future__ import annotations

import torch
from torch import nn

from backend.tts.hparams import VitsHParams
from backend.tts.vits.decoder import Generator
from backend.tts.vits.duration import StochasticDurationPredictor
from backend.tts.vits.flow import CouplingFlow
from backend.tts.vits.layers import sequence_mask
from backend.tts.vits.text_encoder import TextEncoder


class Vits(nn.Module):
    def __init__(self, hp: VitsHParams):
        super().__init__()
        self.hp = hp
        self.hop_length = hp.decoder.hop_length
        self.enc_p = TextEncoder(hp.n_vocab, hp.inter, hp.hidden, hp.ffn_channels, hp.n_heads,
                                 hp.enc_layers, hp.ffn_kernel, hp.window)
        self.dp = StochasticDurationPredictor(hp.hidden, hp.dp_channels, hp.dp_kernel, hp.dp_layers,
                                              hp.dp_flow_ids, hp.spline_bins, hp.gin_channels)
        self.flow = CouplingFlow(hp.inter, hp.flow_hidden, hp.flow_kernel, hp.flow_dilation_rate,
                                 hp.flow_layers, hp.flow_ids, hp.flow_mean_only, hp.gin_channels)
        self.dec = Generator(hp.inter, hp.decoder, hp.gin_channels)
        # The text encoder takes no speaker: in Piper's VITS only dp, flow and dec are conditioned.
        if hp.n_speakers > 1:
            self.emb_g = nn.Embedding(hp.n_speakers, hp.gin_channels)

    def speaker_embedding(self, speakers: torch.Tensor) -> torch.Tensor | None:
        """Speaker ids [B] -> embeddings [B, gin]; None for a single-speaker voice."""
        if self.hp.n_speakers <= 1:
            return None
        return self.emb_g(speakers)

    def durations(self, ids, lengths, duration_noise, length_scales, g=None):
        """Frames per phoneme [B, T] (int) plus the prior stats, for padded ids [B, T]
        (g: speaker embeddings [B, gin] of a multi-speaker voice)."""
        mask = sequence_mask(lengths, ids.shape[1])
        fmask = mask.to(duration_noise.dtype)
        x, mean, log_std = self.enc_p(ids, mask)
        log_w = self.dp(x.float(), fmask.float(), duration_noise.float(), None if g is None else g.float())
        w = torch.exp(log_w) * fmask.float() * length_scales[:, None, None]
        frames = torch.ceil(w).squeeze(1).long()
        return frames, mean, log_std

    @staticmethod
    def expand(stats: torch.Tensor, frames: torch.Tensor, n_frames: int) -> torch.Tensor:
        """Repeat each phoneme's stats for its frames: [B, C, T] -> [B, C, n_frames] (zeros after the end)."""
        ends = torch.cumsum(frames, dim=1)  # [B, T]
        steps = torch.arange(n_frames, device=frames.device)
        owner = torch.searchsorted(ends, steps.expand(frames.shape[0], -1).contiguous(), right=True)
        valid = owner < frames.shape[1]
        owner = owner.clamp(max=frames.shape[1] - 1)
        out = stats.gather(2, owner.unsqueeze(1).expand(-1, stats.shape[1], -1))
        return out * valid.unsqueeze(1).to(out.dtype)

    def synthesize(self, z_p: torch.Tensor, frame_lengths: torch.Tensor, tile_frames: int = 0,
                   g: torch.Tensor | None = None) -> torch.Tensor:
        """Prior sample [B, inter, F] -> audio [B, F * hop], in the decoder's precision."""
        mask = sequence_mask(frame_lengths, z_p.shape[2]).to(z_p.dtype)
        z = self.flow.reverse(z_p, mask, None if g is None else g.to(z_p.dtype))
        return self.dec((z * mask).to(self.dec.conv_pre.weight.dtype), tile_frames, g).squeeze(1)
