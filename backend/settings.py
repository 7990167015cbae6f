"""Typed render settings shared by the CLI and (later) the window, with validation.

Persistence (user_settings.json in the platformdirs config dir) comes with the desktop app;
this module already owns the field names, defaults and limits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from backend.text.chunker import DEFAULT_MAX_CHARS

APP_NAME = "audiobook-renderer"
CHAPTER_FORMATS = ("flac", "wav")
EXTRA_OUTPUTS = ("m4b", "mp3", "srt", "vtt")
PRECISIONS = ("float32", "float16", "bfloat16")


@dataclass
class RenderSettings:
    voice: str | None = None  # path to a Piper .onnx; None: the bundled voice
    device: str = "auto"  # auto (CUDA when available), cpu, cuda, cuda:N
    precision: str = "float32"
    batch_size: int = 1  # chunks per forward pass; 1 is right on a CPU
    max_chars: int = DEFAULT_MAX_CHARS
    length_scale: float | None = None  # speaking rate; None: the voice's default
    noise_scale: float | None = None
    noise_w: float | None = None
    seed: int = 0
    sentence_pause: float = 0.30
    paragraph_pause: float = 0.80
    chapter_pause: float = 1.50
    chapter_format: str = "flac"
    outputs: list[str] = field(default_factory=lambda: ["m4b", "srt", "vtt"])
    footnotes: str = "skip"
    cache_dir: str | None = None  # None: the platformdirs user cache dir

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        def check(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(message)

        check(isinstance(self.batch_size, int) and 1 <= self.batch_size <= 64, "batch size must be 1 to 64")
        check(isinstance(self.max_chars, int) and 50 <= self.max_chars <= 2000, "chunk length must be 50 to 2000 characters")
        check(self.precision in PRECISIONS, f"precision must be one of {', '.join(PRECISIONS)}")
        check(self.device == "auto" or self.device == "cpu" or self.device.startswith("cuda"),
              "device must be auto, cpu, cuda or cuda:N")
        for name in ("length_scale", "noise_scale", "noise_w"):
            value = getattr(self, name)
            check(value is None or (isinstance(value, (int, float)) and 0.0 <= value <= 5.0),
                  f"{name} must be between 0 and 5")
        check(self.length_scale is None or self.length_scale >= 0.2, "length_scale must be at least 0.2")
        for name in ("sentence_pause", "paragraph_pause", "chapter_pause"):
            value = getattr(self, name)
            check(isinstance(value, (int, float)) and 0.0 <= value <= 10.0, f"{name} must be 0 to 10 seconds")
        check(self.chapter_format in CHAPTER_FORMATS, f"chapter format must be one of {', '.join(CHAPTER_FORMATS)}")
        check(all(o in EXTRA_OUTPUTS for o in self.outputs), f"outputs must be among {', '.join(EXTRA_OUTPUTS)}")
        check(self.footnotes in ("skip", "read"), "footnotes must be 'skip' or 'read'")

    def resolved_device(self) -> str:
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

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
