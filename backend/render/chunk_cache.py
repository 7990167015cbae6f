"""Content-addressed store of rendered chunk audio for one render job.

A chunk's key hashes everything that changes its audio, so a resumed
render reuses exactly the chunks an uninterrupted one would produce.
Every file (chunk or manifest) is written to a temporary name in the same
folder, flushed, fsynced and renamed, so a crash never leaves a half
written entry under a real name.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import soundfile as sf

from backend.atomic_file import replacing

# Bump when the key recipe or the stored format changes, so old entries miss.
KEY_VERSION = 1
TIMING_VERSION = 1
TIMING_SUFFIX = ".dur.json"  # beside <key>.flac: the chunk's phoneme durations
CHECK_SUFFIX = ".check.json"  # beside <key>.flac: the speech check of its take (backend/render/check_step.py)
MANIFEST_NAME = "manifest.json"
_TEMP_PREFIX = ".tmp-"
_KEY_RE = re.compile(r"^[0-9a-f]{64}$")


class CacheWriteError(OSError):
    """A chunk or the manifest could not be written (disk full, read-only...)."""

    def __init__(self, message: str, err: int | None = None, folder: Path | None = None):
        if err is None:
            super().__init__(message)
        else:
            super().__init__(err, message)
        self.message = message
        self.folder = folder

    def __str__(self) -> str:  # OSError would prefix "[Errno 28]"
        return self.message


class ManifestRead(NamedTuple):
    data: dict | None  # None when missing or unreadable
    warning: str | None  # set when a manifest existed but could not be used


@dataclass(frozen=True)
class ChunkTiming:
    """How a chunk's audio is timed: phoneme id `ids[i]` lasts `frames[i]` hops of `hop` samples,
    in order from the audio's first sample (the duration predictor's output). Kept beside the
    audio so a resumed render has them; never part of the cache key."""

    ids: tuple[int, ...]
    frames: tuple[int, ...]
    hop: int

    @property
    def samples(self) -> int:
        """The audio's length in samples, as these durations make it."""
        return sum(self.frames) * self.hop

    def to_json(self) -> dict:
        return {"version": TIMING_VERSION, "hop": self.hop, "ids": list(self.ids), "frames": list(self.frames)}

    @classmethod
    def from_json(cls, data) -> ChunkTiming | None:
        """None for anything that is not a well-formed version-1 timing."""
        if not isinstance(data, dict) or data.get("version") != TIMING_VERSION:
            return None
        hop, ids, frames = data.get("hop"), data.get("ids"), data.get("frames")
        counts = all(isinstance(v, list) and all(type(n) is int and n >= 0 for n in v) for v in (ids, frames))
        if not (type(hop) is int and hop > 0 and counts and len(ids) == len(frames) > 0):
            return None
        return cls(tuple(ids), tuple(frames), hop)


def chunk_key(text: str, voice_hash: str, params: dict, seed: int) -> str:
    """sha256 hex of a canonical JSON of the text, voice, parameters and seed."""
    payload = {"v": KEY_VERSION, "text": text, "voice": voice_hash, "params": params, "seed": seed}
    try:
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"chunk_key: synthesis parameters must be plain JSON values: {exc}") from exc
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _atomic_write_bytes(target: Path, data: bytes, what: str) -> None:
    """Write data to target via temp file + fsync + os.replace; raise CacheWriteError on OSError.

    On any failure the temp file is removed and an existing target is untouched.
    """
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with replacing(target, prefix=_TEMP_PREFIX, suffix=target.suffix, private=True) as temp:
            temp.write_bytes(data)
    except OSError as exc:
        raise CacheWriteError(
            f"Could not write {what} in folder {folder}: {_reason(exc)}", exc.errno, folder
        ) from exc


class ChunkCache:
    """Chunk audio stored as 24-bit FLAC at <folder>/<key[:2]>/<key>.flac."""

    def __init__(self, folder: Path, sample_rate: int):
        if sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {sample_rate}")
        self.folder = Path(folder)
        self.sample_rate = int(sample_rate)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheWriteError(
                f"Could not create cache folder {self.folder}: {_reason(exc)}", exc.errno, self.folder
            ) from exc
        self._remove_stale_temps()

    # -- paths -----------------------------------------------------------------
    def path_for(self, key: str) -> Path:
        # Keys become file names, so only accept what chunk_key produces.
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ValueError(f"Not a chunk key (64 lowercase hex characters): {key!r}")
        return self.folder / key[:2] / f"{key}.flac"

    def timing_path(self, key: str) -> Path:
        return self.path_for(key).with_suffix(TIMING_SUFFIX)

    def check_path(self, key: str) -> Path:
        return self.path_for(key).with_suffix(CHECK_SUFFIX)

    def _entry_files(self):
        for path in self.folder.glob("??/*.flac"):
            if _KEY_RE.match(path.stem) and path.parent.name == path.stem[:2]:
                yield path

    def _remove_stale_temps(self) -> None:
        # Temp files are left only by a crash mid-write; they are never valid entries.
        for path in list(self.folder.glob(f"??/{_TEMP_PREFIX}*")) + list(self.folder.glob(f"{_TEMP_PREFIX}*")):
            with contextlib.suppress(OSError):
                path.unlink()

    # -- store -----------------------------------------------------------------
    def put(self, key: str, audio: np.ndarray) -> Path:
        """Store audio (float32, mono 1-D or frames x channels) atomically."""
        target = self.path_for(key)
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim not in (1, 2) or samples.shape[0] == 0:
            raise ValueError(f"Chunk {key[:12]}: audio must be a non-empty 1-D or 2-D array, got shape {samples.shape}")
        # Encode in memory first (chunks are seconds long): disk errors then surface
        # as plain OSError from our own write, not from inside libsndfile callbacks.
        buffer = io.BytesIO()
        sf.write(buffer, samples, self.sample_rate, format="FLAC", subtype="PCM_24")
        _atomic_write_bytes(target, buffer.getvalue(), f"chunk {key[:12]}")
        with contextlib.suppress(OSError):  # a new take: its speech check is to be done again
            self.check_path(key).unlink()
        return target

    def put_timing(self, key: str, timing: ChunkTiming) -> Path:
        """Store a chunk's phoneme durations atomically beside its audio."""
        target = self.timing_path(key)
        text = json.dumps(timing.to_json(), ensure_ascii=False, separators=(",", ":"))
        _atomic_write_bytes(target, text.encode("utf-8"), f"the timing of chunk {key[:12]}")
        return target

    def get_timing(self, key: str) -> ChunkTiming | None:
        """The chunk's phoneme durations; None when missing (a chunk cached before they were kept),
        unreadable or malformed: the caller derives them again."""
        try:
            return ChunkTiming.from_json(json.loads(self.timing_path(key).read_bytes().decode("utf-8")))
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    def put_check(self, key: str, result: dict) -> Path:
        """Store the speech check of the chunk's current take (backend/render/check_step.py) beside it."""
        target = self.check_path(key)
        _atomic_write_bytes(target, json.dumps(result, ensure_ascii=False).encode("utf-8"), f"the check of chunk {key[:12]}")
        return target

    def get_check(self, key: str) -> dict | None:
        """The chunk's speech check; None when not checked yet (or unreadable: checked again)."""
        try:
            data = json.loads(self.check_path(key).read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def length(self, key: str) -> int | None:
        """The cached audio's length in samples (from its header), None when missing or unreadable."""
        try:
            return sf.info(str(self.path_for(key))).frames
        except (OSError, RuntimeError):
            return None

    def has(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def get(self, key: str) -> np.ndarray | None:
        """Decoded float32 audio, or None when the chunk is missing or undecodable."""
        path = self.path_for(key)
        try:
            audio, _ = sf.read(path, dtype="float32", always_2d=False)
        except (OSError, RuntimeError):
            # Missing, or a corrupt file: both mean "render it again".
            return None
        return audio

    def verify(self, key: str, expected_frames: int | None = None) -> bool:
        """True when the chunk decodes fully with the right rate and length.

        A bad file is deleted so the caller re-renders it (and warns). The
        header alone is not enough: a truncated FLAC keeps its original frame
        count in STREAMINFO, so the audio is decoded (a few ms per chunk).
        """
        path = self.path_for(key)
        if not path.is_file():
            return False
        ok = False
        try:
            info = sf.info(str(path))
            if info.samplerate == self.sample_rate and info.frames > 0 and (
                expected_frames is None or info.frames == expected_frames
            ):
                audio, _ = sf.read(path, dtype="float32", always_2d=True)
                ok = audio.shape[0] == info.frames
        except (OSError, RuntimeError):
            ok = False
        if not ok:
            for stale in (path, self.timing_path(key)):
                with contextlib.suppress(OSError):
                    stale.unlink()
        return ok

    def keys(self) -> list[str]:
        return sorted(path.stem for path in self._entry_files())

    def size_bytes(self) -> int:
        total = 0
        for path in self._entry_files():
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        return total

    def clear(self) -> None:
        """Delete every chunk (and crash leftovers); the manifest is left to its owner."""
        for sub in self.folder.glob("??"):
            if sub.is_dir():
                shutil.rmtree(sub, ignore_errors=True)
        self._remove_stale_temps()


# -- manifest ------------------------------------------------------------------
def write_manifest(folder: Path, data: dict) -> Path:
    """Atomically write data as <folder>/manifest.json; raises CacheWriteError."""
    # Serialize first so a bad value (a TypeError, a programming error) touches no file.
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    target = Path(folder) / MANIFEST_NAME
    _atomic_write_bytes(target, text.encode("utf-8") + b"\n", MANIFEST_NAME)
    return target


def read_manifest(folder: Path) -> ManifestRead:
    """Read <folder>/manifest.json; never raises.

    Missing -> (None, None). Unreadable, truncated or not a JSON object ->
    (None, warning) so the caller can log it and rebuild the manifest.
    """
    path = Path(folder) / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ManifestRead(None, None)
    except OSError as exc:
        return ManifestRead(None, f"{path} could not be read ({_reason(exc)}); rebuilding it")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ManifestRead(None, f"{path} was corrupt ({exc.__class__.__name__}: {exc}); rebuilding it")
    if not isinstance(data, dict):
        return ManifestRead(None, f"{path} was corrupt (expected a JSON object); rebuilding it")
    return ManifestRead(data, None)


__all__ = [
    "CacheWriteError",
    "ChunkCache",
    "ChunkTiming",
    "KEY_VERSION",
    "MANIFEST_NAME",
    "ManifestRead",
    "chunk_key",
    "read_manifest",
    "write_manifest",
]
