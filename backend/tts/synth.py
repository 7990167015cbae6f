"""Batched synthesis with our VITS: chunks in, float32 audio per chunk out.

A chunk's audio depends only on its ids, seed and parameters, never on its batch neighbours:
each item draws its noise from its own generator at its own length, and each output is trimmed
to its own frame count x hop (padded frames carry audible noise).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from backend.tts.cpu_streams import CpuStreams, default_streams
from backend.tts.cpu_tuning import keep_freed_memory_for_reuse
from backend.tts.errors import VoiceError
from backend.tts.hparams import infer_hparams
from backend.tts.onnx_weights import OnnxVoiceWeights, read_voice_weights
from backend.tts.phonemizer import Phonemizer
from backend.tts.vits.kernels import cpu_kernels, cuda_branches_forced
from backend.tts.vits.model import Vits
from backend.tts.voice import Voice, check_voice_matches_graph, load_voice

# Decoder tile on the CPU: the full-rate tail's activations stay small (a 31 s chunk peaks
# at +45 MB instead of +700 MB per stream) and oneDNN reuses its kernels for the repeated tile
# shape. Speed is the same as untiled here (64 frames was ~8% slower, 128-192 equal).
CPU_DECODER_TILE_FRAMES = 128

_LOW_PRECISION_PARTS = ("dec",)
_DTYPES = {"float32": torch.float32, "fp32": torch.float32, "float16": torch.float16,
           "fp16": torch.float16, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16}


def chunk_seed(text: str, base_seed: int = 0) -> int:
    """A stable 63-bit seed from the chunk's text, so the same chunk always sounds the same."""
    digest = hashlib.sha256(f"{base_seed}\x00{text}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


@dataclass(frozen=True)
class SynthItem:
    ids: Sequence[int]
    seed: int
    length_scale: float | None = None  # None: the voice's default
    # Optional sink: when a list is given, the synthesizer fills it with the frames (hops) each
    # phoneme id lasted in the audio it returned for this item. It travels with the item through
    # every wrapper (CPU streams, OOM splits, the CPU fallback) and changes nothing in the audio.
    durations: list[int] | None = field(default=None, compare=False, repr=False)
    # A multi-speaker voice's speaker id (Voice.speaker_id resolves names), or a blend: ((id, weight), ...)
    # with weights summing to 1 (backend/voices/blends.py); 0 for a single-speaker voice.
    speaker: int | tuple[tuple[int, float], ...] = 0
    # Which voice of a VoicePair (backend/tts/voice_pair.py) renders it: 0 narration, 1 dialogue.
    part: int = 0


def build_model(voice: Voice) -> Vits:
    weights = read_voice_weights(voice.model_path)
    model = model_from_weights(weights, voice.model_path.name)
    check_voice_matches_graph(voice, model.hp.n_vocab, model.hp.n_speakers)
    return model


def model_from_weights(weights: OnnxVoiceWeights, name: str) -> Vits:
    """Infer the architecture, build it and load the weights strictly: any misfit is a VoiceError."""
    try:
        hp = infer_hparams(weights)
    except VoiceError as exc:
        raise VoiceError(f"Cannot load voice '{name}': {exc}") from None
    model = Vits(hp)
    state = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in weights.tensors.items()}
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        detail = " ".join(line.strip() for line in str(exc).splitlines()[1:3])
        raise VoiceError(
            f"Cannot load voice '{name}': its weights do not fit the inferred architecture ({detail})."
        ) from None
    return model.eval()


class Synthesizer:
    def __init__(self, voice: Voice, device: str = "cpu", dtype: str = "float32",
                 noise_scale: float | None = None, noise_w: float | None = None, cpu_streams: int | str = "auto"):
        """cpu_streams: on the CPU, how many chunks of a batch run side by side ("auto": one per
        core, up to 8); 1 renders a batch as one padded forward pass, as on a GPU."""
        self.voice = voice
        self.device = _check_device(device)
        if dtype not in _DTYPES:
            raise ValueError(f"Unknown precision '{dtype}': use float32, float16 or bfloat16.")
        self.dtype = _DTYPES[dtype]
        if self.dtype == torch.float16 and self.device.type == "cpu" and not cuda_branches_forced():
            raise ValueError("float16 needs a CUDA device; use float32 (or bfloat16) on the CPU.")
        if self.device.type == "cpu":
            keep_freed_memory_for_reuse()
        # On the CPU a batch's chunks run side by side in streams (see cpu_streams); 1 = one padded pass.
        self.cpu_streams = CpuStreams(_stream_count(cpu_streams) if self.device.type == "cpu" else 1)
        self.noise_scale = voice.noise_scale if noise_scale is None else float(noise_scale)
        self.noise_w = voice.noise_w if noise_w is None else float(noise_w)
        t0 = time.perf_counter()
        model = build_model(voice)
        self.model = model.to(self.device)
        # Only the decoder (~77% of the work) takes a reduced precision (bench/precision_bench.py):
        # bf16 in the text encoder moved frames between phonemes in 4 of 12 sentences, in the flow
        # it cost ~16 dB of SNR; the decoder alone in bf16 keeps 37-40 dB.
        for name in _LOW_PRECISION_PARTS:
            getattr(self.model, name).to(self.dtype)
        self.load_seconds = time.perf_counter() - t0
        self.phonemizer = Phonemizer(voice)
        self.sample_rate = voice.sample_rate
        self.hop_length = self.model.hop_length

    @classmethod
    def load(cls, voice_path: str | Path | None = None, **kwargs) -> "Synthesizer":
        return cls(load_voice(voice_path), **kwargs)

    def phoneme_ids(self, text: str) -> list[int]:
        return self.phonemizer.ids(text)

    def synthesize(self, text: str, seed: int | None = None, length_scale: float | None = None,
                   speaker: int | tuple = 0) -> np.ndarray:
        """One text now, on the calling thread with all its CPU threads: for a preview, where
        latency counts and nothing is cached. (A book's chunks go through synthesize_batch, whose
        CPU streams make a chunk's samples the same alone or in a batch; these may differ from
        them by float rounding.)"""
        ids = self.phoneme_ids(text)
        return self._forward([SynthItem(ids, chunk_seed(text) if seed is None else seed, length_scale, speaker=speaker)])[0]

    def set_cpu_streams(self, cpu_streams: int | str) -> None:
        """Change how many chunks run side by side on the CPU (a warm synthesizer is reused)."""
        count = _stream_count(cpu_streams) if self.device.type == "cpu" else 1
        if count != self.cpu_streams.streams:
            self.cpu_streams.close()
            self.cpu_streams = CpuStreams(count)

    @property
    def parallel_chunks(self) -> int:
        """How many chunks this synthesizer renders at once at full speed (CPU streams; 1 on a GPU)."""
        return self.cpu_streams.streams

    def synthesize_batch(self, items: Sequence[SynthItem]) -> list[np.ndarray]:
        """Float32 audio per item, in input order. On a GPU (or with one CPU stream) one padded
        forward pass; on the CPU each item alone, in parallel streams."""
        if self.cpu_streams.streams > 1 and items:
            return self.cpu_streams.map(lambda item: self._forward([item])[0], items)
        return self._forward(items)

    def predict_durations(self, items: Sequence[SynthItem]) -> list[np.ndarray]:
        """Frames per phoneme id for each item, as synthesize_batch would time it, without making
        audio: the text encoder and duration predictor only (about a tenth of the work). For chunks
        cached before durations were kept. Each item runs alone, as a CPU stream renders it."""
        if self.cpu_streams.streams > 1 and items:
            return self.cpu_streams.map(lambda item: self._forward([item], audio=False)[0], items)
        return [self._forward([item], audio=False)[0] for item in items]

    @torch.inference_mode()  # per thread: each stream enters it itself
    def _forward(self, items: Sequence[SynthItem], audio: bool = True) -> list[np.ndarray]:
        """Audio per item (or, with audio=False, frames per phoneme id per item)."""
        results: list[np.ndarray] = [np.zeros(0, dtype=np.float32 if audio else np.int64) for _ in items]
        order = sorted((i for i, it in enumerate(items) if len(it.ids) > 0), key=lambda i: -len(items[i].ids))
        for item in items:
            if item.durations is not None:
                item.durations[:] = []  # stays empty for an item with nothing to say
        if not order:
            return results
        dev = self.device
        lengths = [len(items[i].ids) for i in order]
        ids = torch.zeros(len(order), lengths[0], dtype=torch.long)
        for row, i in enumerate(order):
            ids[row, : lengths[row]] = torch.as_tensor(list(items[i].ids), dtype=torch.long)
        gens = [torch.Generator().manual_seed(int(items[i].seed)) for i in order]
        # Noise is drawn on the CPU so a seed gives the same audio on any device.
        dur_noise = torch.zeros(len(order), 2, lengths[0])
        for row, g in enumerate(gens):
            dur_noise[row, :, : lengths[row]] = torch.randn(2, lengths[row], generator=g) * self.noise_w
        scales = torch.tensor(
            [self.voice.length_scale if items[i].length_scale is None else items[i].length_scale for i in order],
            dtype=torch.float32,
        )
        spk = self._speaker_embeddings([items[i] for i in order], dev)
        frames, mean, log_std = self.model.durations(
            ids.to(dev), torch.tensor(lengths, device=dev), dur_noise.to(dev), scales.to(dev), spk
        )
        wanted = not audio or any(items[i].durations is not None for i in order)
        per_id = frames.cpu().numpy() if wanted else None
        if not audio:
            for row, i in enumerate(order):
                results[i] = per_id[row, : lengths[row]].copy()
            return results
        frame_lengths = frames.sum(1).clamp_min(1)
        n_frames = int(frame_lengths.max())
        prior_noise = torch.zeros(len(order), mean.shape[1], n_frames)
        for row, (g, nf) in enumerate(zip(gens, frame_lengths.tolist())):
            prior_noise[row, :, :nf] = torch.randn(mean.shape[1], nf, generator=g) * self.noise_scale
        m = Vits.expand(mean, frames, n_frames)
        s = Vits.expand(log_std, frames, n_frames)
        z_p = m + prior_noise.to(dev) * torch.exp(s)
        tile = CPU_DECODER_TILE_FRAMES if cpu_kernels(dev) else 0
        out = self.model.synthesize(z_p, frame_lengths, tile, spk).float().cpu().numpy()
        for row, i in enumerate(order):
            results[i] = out[row, : frame_lengths[row].item() * self.hop_length].astype(np.float32, copy=True)
            if items[i].durations is not None:
                items[i].durations[:] = per_id[row, : lengths[row]].tolist()
        return results


    def _speaker_embeddings(self, items: Sequence[SynthItem], dev: torch.device) -> torch.Tensor | None:
        """[B, gin] embeddings: a speaker's own row, or a blend's weighted sum of rows (a single
        speaker is its row times 1.0: bit for bit the same)."""
        mixes = [self._speaker_mix(item) for item in items]
        if self.model.hp.n_speakers <= 1:
            return None
        rows = []
        for mix in mixes:
            ids = torch.tensor([sid for sid, _ in mix], device=dev)
            weights = torch.tensor([w for _, w in mix], device=dev)
            rows.append((self.model.speaker_embedding(ids) * weights[:, None]).sum(0))
        return torch.stack(rows)

    def _speaker_mix(self, item: SynthItem) -> tuple[tuple[int, float], ...]:
        count, spec = self.model.hp.n_speakers, item.speaker
        mix = ((spec, 1.0),) if isinstance(spec, int) and not isinstance(spec, bool) else spec
        try:
            ok = all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < count for s, _ in mix)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"Speaker {spec!r} is not in voice '{self.voice.name}' (speaker ids 0 to {count - 1}).")
        return tuple(mix)


def _stream_count(value: int | str) -> int:
    if value == "auto":
        return default_streams()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"CPU streams must be 'auto' or a whole number of at least 1, not {value!r}.")
    return value


def _check_device(device: str) -> torch.device:
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"Unknown device '{device}': use 'cpu' or 'cuda' / 'cuda:N'.") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("CUDA was requested but no CUDA GPU is available to PyTorch; use device 'cpu'.")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f"GPU {dev.index} does not exist ({torch.cuda.device_count()} found).")
    elif dev.type != "cpu":
        raise ValueError(f"Unsupported device '{device}': use 'cpu' or 'cuda'.")
    return dev
