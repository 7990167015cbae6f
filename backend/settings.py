"""Typed render settings shared by the CLI and (later) the window, with validation.

This module owns the field names, defaults and limits; persistence (user_settings.json in the
platformdirs config dir) lives in backend/settings_store.py.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from backend.text.chunker import DEFAULT_MAX_CHARS
from backend.voices.catalog import DEFAULT_INDEX_URL

APP_NAME = "audiobook-renderer"
CHAPTER_FORMATS = ("flac", "wav")
EXTRA_OUTPUTS = ("m4b", "mp3", "srt", "vtt", "words", "distribution", "opus", "readalong")
PRECISIONS = ("auto", "float32", "float16", "bfloat16")
MASTER_PRESETS = ("acx", "podcast", "ebu", "off")  # backend/audio/presets.py defines them


@dataclass
class RenderSettings:
    voice: str | None = None  # path to a Piper .onnx; None: the bundled voice
    device: str = "auto"  # auto (CUDA when available), cpu, cuda, cuda:N
    precision: str = "auto"  # auto: on a CPU the measured fastest that sounds the same; float32 on a GPU
    batch_size: int | str = 1  # chunks per forward pass on a GPU, or "auto"
    cpu_streams: int | str = "auto"  # on a CPU: chunks rendered side by side; auto = measured on this machine
    max_chars: int = DEFAULT_MAX_CHARS
    length_scale: float | None = None  # speaking rate; None: the voice's default
    noise_scale: float | None = None
    noise_w: float | None = None
    # Multi-speaker voices: a speaker name (the voice's speaker_id_map) or id; None: the first speaker.
    speaker: str | int | None = None
    # Named speaker blends ('alice:0.7,bob:0.3'): such a name can be used as the speaker.
    blends: dict[str, str] = field(default_factory=dict)
    # The Piper voice catalog's index (voices.json); a mirror is a copy of the Piper voices repository.
    voice_index_url: str = DEFAULT_INDEX_URL
    seed: int = 0
    sentence_pause: float = 0.30
    paragraph_pause: float = 0.80
    chapter_pause: float = 1.50
    chapter_format: str = "flac"
    outputs: list[str] = field(default_factory=lambda: ["m4b", "srt", "vtt"])
    footnotes: str = "skip"
    # How to read "10/06/2005": auto (from the book's language: en-US month/day, other regions
    # day/month), "mdy" or "dmy".
    date_order: str = "auto"
    cache_dir: str | None = None  # None: the platformdirs user cache dir
    # GPU memory policy (used on CUDA): cap on this process's VRAM, and when to clear the
    # allocator cache (fragmentation above the threshold and at least `interval` batches since
    # the last clear; interval 0 = never).
    vram_limit_percent: int | None = None  # None: by VRAM tier (95/90/85 %)
    cache_clear_fragmentation: float = 0.30
    cache_clear_interval: int = 20
    voices: list[str] = field(default_factory=list)  # user-added Piper voices (.onnx paths)
    # Render a book whose language the voice does not speak (refused otherwise); such a book is
    # read as the voice can, spelling what it cannot say (see backend/text/language.py).
    any_language: bool = False
    # Mastering after the chapter files are assembled (backend/audio/mastering.py): the loudness spec
    # to meet (acx: RMS -20 dB, true peak -3 dBTP; podcast: -16 LUFS; ebu: -23 LUFS; off) and the
    # room tone every chapter file starts and ends with. Not part of any chunk's cache key.
    master: str = "acx"
    room_tone_head: float = 0.75
    room_tone_tail: float = 2.5
    # Exports: the M4B's AAC bit rate (kbps, mono), and the narrator named in tags and the opening
    # credits (None: the voice's name, e.g. "Joe" for en_US-joe-medium).
    m4b_bitrate: int = 64
    narrator: str | None = None
    # The listening check (backend/render/check_step.py; the `.[check]` extra): off, flag (hear every
    # chunk with Whisper and flag the ones not heard as written) or retry (flag, then try other seeds
    # and keep the best take). check_model: a faster-whisper model folder; None: Whisper tiny.en.
    check: str = "off"
    check_model: str | None = None
    # Scale-out (backend/render/dispatch.py): worker processes on this machine ("auto": one per GPU
    # when there are several, else the render runs in one process; N > 1 on a CPU: N processes
    # sharing the cores), or a Ray cluster's address ("auto": a local instance; the `.[cluster]` extra).
    workers: int | str = "auto"
    cluster: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        def check(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(message)

        check(self.batch_size == "auto" or (isinstance(self.batch_size, int) and not isinstance(self.batch_size, bool)
                                             and 1 <= self.batch_size <= 64), "batch size must be 1 to 64 or 'auto'")
        check(self.cpu_streams == "auto" or (isinstance(self.cpu_streams, int) and not isinstance(self.cpu_streams, bool)
                                              and 1 <= self.cpu_streams <= 64), "CPU streams must be 1 to 64 or 'auto'")
        check(isinstance(self.max_chars, int) and 50 <= self.max_chars <= 2000, "chunk length must be 50 to 2000 characters")
        check(self.precision in PRECISIONS, f"precision must be one of {', '.join(PRECISIONS)}")
        check(isinstance(self.device, str) and (self.device in ("auto", "cpu") or self.device.startswith("cuda")),
              "device must be auto, cpu, cuda or cuda:N")
        for name in ("voice", "cache_dir"):
            value = getattr(self, name)
            check(value is None or isinstance(value, (str, os.PathLike)), f"{name} must be a file path or null")
        check(isinstance(self.seed, int) and not isinstance(self.seed, bool), "seed must be a whole number")
        for name in ("length_scale", "noise_scale", "noise_w"):
            value = getattr(self, name)
            check(value is None or (isinstance(value, (int, float)) and 0.0 <= value <= 5.0),
                  f"{name} must be between 0 and 5")
        check(self.length_scale is None or self.length_scale >= 0.2, "length_scale must be at least 0.2")
        check(self.speaker is None
              or (isinstance(self.speaker, int) and not isinstance(self.speaker, bool) and self.speaker >= 0)
              or (isinstance(self.speaker, str) and 0 < len(self.speaker.strip()) <= 200),
              "speaker must be a speaker name, a speaker id (0 or more) or null")
        check(isinstance(self.blends, dict) and all(isinstance(k, str) and 0 < len(k.strip()) <= 100 and isinstance(v, str)
                                                    and ":" in v for k, v in self.blends.items()),
              "blends must map names to mixes such as 'alice:0.7,bob:0.3'")
        check(isinstance(self.voice_index_url, str) and self.voice_index_url.startswith(("http://", "https://", "file://")),
              "voice_index_url must be an http://, https:// or file:// address of a voices.json")
        for name in ("sentence_pause", "paragraph_pause", "chapter_pause"):
            value = getattr(self, name)
            check(isinstance(value, (int, float)) and 0.0 <= value <= 10.0, f"{name} must be 0 to 10 seconds")
        check(self.chapter_format in CHAPTER_FORMATS, f"chapter format must be one of {', '.join(CHAPTER_FORMATS)}")
        check(isinstance(self.outputs, (list, tuple)) and all(o in EXTRA_OUTPUTS for o in self.outputs),
              f"outputs must be among {', '.join(EXTRA_OUTPUTS)}")
        check(self.footnotes in ("skip", "read"), "footnotes must be 'skip' or 'read'")
        check(self.date_order in ("auto", "mdy", "dmy"), "date_order must be 'auto', 'mdy' or 'dmy'")
        check(self.vram_limit_percent is None or (isinstance(self.vram_limit_percent, int)
                                                  and 50 <= self.vram_limit_percent <= 100),
              "VRAM limit must be 50 to 100 percent")
        check(isinstance(self.cache_clear_fragmentation, (int, float)) and 0.0 < self.cache_clear_fragmentation < 1.0,
              "cache-clear fragmentation threshold must be between 0 and 1")
        check(isinstance(self.cache_clear_interval, int) and 0 <= self.cache_clear_interval <= 10000,
              "cache-clear interval must be 0 (never) to 10000 batches")
        check(isinstance(self.voices, list) and all(isinstance(v, str) for v in self.voices),
              "voices must be a list of file paths")
        check(isinstance(self.any_language, bool), "any_language must be true or false")
        check(self.master in MASTER_PRESETS, f"master must be one of {', '.join(MASTER_PRESETS)}")
        for name in ("room_tone_head", "room_tone_tail"):
            value = getattr(self, name)
            check(isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 10.0,
                  f"{name} must be 0 to 10 seconds")
        check(isinstance(self.m4b_bitrate, int) and not isinstance(self.m4b_bitrate, bool)
              and 16 <= self.m4b_bitrate <= 320, "M4B bit rate must be 16 to 320 kbps")
        check(self.check in ("off", "flag", "retry"), "check must be off, flag or retry")
        check(self.check_model is None or (isinstance(self.check_model, str) and self.check_model.strip() != ""),
              "check_model must be a faster-whisper model folder or null")
        check(self.workers == "auto" or (isinstance(self.workers, int) and not isinstance(self.workers, bool)
                                          and 1 <= self.workers <= 64), "workers must be 1 to 64 or 'auto'")
        check(self.cluster is None or (isinstance(self.cluster, str) and 0 < len(self.cluster.strip()) <= 300),
              "cluster must be a Ray address (host:port, ray://host:port or auto) or null")
        check(self.narrator is None or (isinstance(self.narrator, str) and len(self.narrator) <= 200),
              "narrator must be a name (at most 200 characters) or null")

    def resolved_device(self) -> str:
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def resolved_batch_size(self, device: str) -> int:
        """'auto' is 1 on the CPU; on CUDA the VRAM tier table until the GPU subsystem measures it."""
        if self.batch_size != "auto":
            return int(self.batch_size)
        if not device.startswith("cuda"):
            return 1
        import torch

        total_gb = torch.cuda.get_device_properties(torch.device(device)).total_memory / 1e9
        return recommended_batch_size(total_gb)

    def cache_root(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        from platformdirs import user_cache_dir

        return Path(user_cache_dir(APP_NAME, appauthor=False))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def recommended_batch_size(total_vram_gb: float) -> int:
    """The tier table: 24 GB+: 10, 16 GB+: 5, 12 GB+: 3, 8 GB+: 2, less: 1."""
    for floor, size in ((24, 10), (16, 5), (12, 3), (8, 2)):
        if total_vram_gb >= floor * 0.95:  # cards sold as 24 GB report a little less
            return size
    return 1
