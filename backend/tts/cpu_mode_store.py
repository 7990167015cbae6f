"""The CPU mode measured on this machine: what was tried, what won, and where it is remembered.

A CPU mode is how a batch of chunks runs on the CPU: how many streams side by side, threads per
stream, and the decoder's precision. Which is fastest depends on the machine (cores, AVX-512,
AMX) and the PyTorch build, so it is measured once (backend/tts/cpu_calibration.py) and kept in
the user cache folder with the machine's fingerprint; a new CPU, core count or PyTorch version
measures again. No torch import here: the window reads the choice without loading PyTorch.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

CALIBRATION_VERSION = 1  # bump when the trial or the rule changes
FILE_NAME = "cpu_mode.json"
FLOAT32, BFLOAT16 = "float32", "bfloat16"
# bfloat16 is chosen only when it is at least this much faster (it is a different take of every
# chunk, so a noise-level gain is not worth it) ...
BF16_MIN_GAIN = 0.05
# ... and when its audio is at least this close to float32's. 30 dB is the SNR of our own M4B
# (AAC 64 kbps) against its float32 source: a smaller change than the delivery encoding makes.
BF16_MIN_SNR_DB = 30.0


@dataclass(frozen=True)
class CpuMode:
    streams: int
    threads: int  # per stream
    precision: str = FLOAT32

    def describe(self) -> str:
        text = f"{_plural(self.streams, 'stream')} × {_plural(self.threads, 'thread')}"
        return text if self.precision == FLOAT32 else f"{text}, {self.precision}"


@dataclass
class Calibration:
    fingerprint: dict
    trials: list[tuple[CpuMode, float]] = field(default_factory=list)  # (mode, real-time factor)
    skipped: list[CpuMode] = field(default_factory=list)  # not tried: the time budget ran out
    bf16_snr_db: float | None = None  # bfloat16's audio against float32's, same chunks
    seconds: float = 0.0

    def best(self, precision: str | None = None, streams: int | None = None) -> CpuMode | None:
        """The fastest measured mode, among those of this precision and stream count if given."""
        fits = [(rtf, mode) for mode, rtf in self.trials
                if (precision is None or mode.precision == precision) and (streams is None or mode.streams == streams)]
        return min(fits, key=lambda f: f[0])[1] if fits else None

    def rtf(self, mode: CpuMode) -> float | None:
        return next((rtf for m, rtf in self.trials if m == mode), None)

    @property
    def bf16_allowed(self) -> bool:
        return self.bf16_snr_db is not None and self.bf16_snr_db >= BF16_MIN_SNR_DB

    def choice(self, streams: int | None = None) -> CpuMode | None:
        """The mode to render in: the fastest float32 mode, or the fastest bfloat16 one where
        that is clearly faster and sounds the same (see the constants above)."""
        fp32, bf16 = self.best(FLOAT32, streams), self.best(BFLOAT16, streams)
        if fp32 is None:
            return bf16 if self.bf16_allowed else None
        if bf16 is not None and self.bf16_allowed and self.rtf(bf16) < self.rtf(fp32) * (1 - BF16_MIN_GAIN):
            return bf16
        return fp32

    def to_json(self) -> dict:
        return {
            "fingerprint": self.fingerprint,
            "trials": [{"streams": m.streams, "threads": m.threads, "precision": m.precision, "rtf": rtf}
                       for m, rtf in self.trials],
            "skipped": [{"streams": m.streams, "threads": m.threads, "precision": m.precision} for m in self.skipped],
            "bf16_snr_db": self.bf16_snr_db,
            "seconds": self.seconds,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Calibration":
        def mode(d: dict) -> CpuMode:
            return CpuMode(int(d["streams"]), int(d["threads"]), str(d["precision"]))

        snr = data.get("bf16_snr_db")
        return cls(dict(data["fingerprint"]), [(mode(t), float(t["rtf"])) for t in data["trials"]],
                   [mode(s) for s in data.get("skipped", [])], None if snr is None else float(snr),
                   float(data.get("seconds", 0.0)))


def machine_fingerprint(threads: int) -> dict:
    """What the best mode depends on; a calibration is reused only while all of it is unchanged."""
    return {"cpu": cpu_model_name(), "threads": int(threads), "logical_cpus": os.cpu_count() or 1,
            "torch": _torch_version(), "version": CALIBRATION_VERSION}


def cpu_model_name() -> str:
    """The CPU's marketing name ('model name' in /proc/cpuinfo on Linux)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or os.environ.get("PROCESSOR_IDENTIFIER", "") or platform.machine() or "unknown CPU"


def calibration_file(folder: Path | None = None) -> Path:
    """Machine-wide, in the user cache folder (not a book's cache): one measurement serves every book."""
    if folder is None:
        from platformdirs import user_cache_dir

        from backend.settings import APP_NAME

        folder = Path(user_cache_dir(APP_NAME, appauthor=False))
    return folder / FILE_NAME


def load_calibration(path: Path, fingerprint: dict | None = None) -> Calibration | None:
    """The remembered calibration, or None when there is none, it is unreadable, or (given a
    fingerprint) it was measured on another machine, core count or PyTorch."""
    try:
        calibration = Calibration.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if fingerprint is not None and calibration.fingerprint != fingerprint:
        return None
    return calibration


def save_calibration(path: Path, calibration: Calibration) -> None:
    from backend.atomic_file import save_text

    save_text(path, json.dumps(calibration.to_json(), indent=1))


def forget_calibration(path: Path | None = None) -> bool:
    """Delete the remembered choice (the next CPU render measures again); True if there was one."""
    path = path or calibration_file()
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False


def _torch_version() -> str:
    import sys

    if "torch" in sys.modules:  # the build actually running
        return str(sys.modules["torch"].__version__)
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "unknown"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
