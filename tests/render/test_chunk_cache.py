"""Chunk cache: keys, FLAC round trip, atomic writes, corruption and disk errors."""

from __future__ import annotations

import errno
import json
import os

import numpy as np
import pytest

from backend import atomic_file
from backend.render.chunk_cache import (
    CacheWriteError,
    ChunkCache,
    chunk_key,
    read_manifest,
    write_manifest,
)

SR = 22050
PARAMS = {"length_scale": 1.0, "noise_scale": 0.667, "noise_w": 0.8}


def tone(seconds: float = 0.5, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def key_for(text: str = "Hello there.") -> str:
    return chunk_key(text, "voicehash", PARAMS, 7)


@pytest.fixture
def cache(tmp_path):
    return ChunkCache(tmp_path / "cache", SR)


# -- keys ----------------------------------------------------------------------
def test_key_is_stable_and_ignores_dict_order():
    reordered = dict(reversed(list(PARAMS.items())))
    assert chunk_key("a", "v", PARAMS, 1) == chunk_key("a", "v", reordered, 1)
    assert len(chunk_key("a", "v", PARAMS, 1)) == 64


@pytest.mark.parametrize("change", [
    lambda: chunk_key("b", "v", PARAMS, 1),
    lambda: chunk_key("a", "w", PARAMS, 1),
    lambda: chunk_key("a", "v", {**PARAMS, "noise_w": 0.81}, 1),
    lambda: chunk_key("a", "v", PARAMS, 2),
    lambda: chunk_key("a ", "v", PARAMS, 1),
])
def test_key_changes_with_each_input(change):
    assert change() != chunk_key("a", "v", PARAMS, 1)


def test_key_rejects_non_json_params():
    with pytest.raises(ValueError, match="JSON"):
        chunk_key("a", "v", {"x": object()}, 1)
    with pytest.raises(ValueError):
        chunk_key("a", "v", {"x": float("nan")}, 1)


# -- store ---------------------------------------------------------------------
def test_round_trip(cache):
    audio = tone()
    key = key_for()
    path = cache.put(key, audio)
    assert path == cache.folder / key[:2] / f"{key}.flac"
    got = cache.get(key)
    assert got.dtype == np.float32 and got.shape == audio.shape
    np.testing.assert_allclose(got, audio, atol=1e-5)
    assert cache.has(key) and cache.verify(key, len(audio)) and cache.verify(key)
    assert cache.keys() == [key]
    assert cache.size_bytes() == path.stat().st_size > 0


def test_missing_key(cache):
    key = key_for("never rendered")
    assert cache.get(key) is None
    assert not cache.has(key)
    assert not cache.verify(key, 100)


def test_overwrite_replaces_entry(cache):
    key = key_for()
    cache.put(key, tone(0.2))
    cache.put(key, tone(0.3))
    assert len(cache.get(key)) == int(SR * 0.3)
    assert cache.keys() == [key]


def test_bad_key_and_empty_audio_are_rejected(cache):
    with pytest.raises(ValueError, match="chunk key"):
        cache.put("../escape", tone())
    with pytest.raises(ValueError, match="non-empty"):
        cache.put(key_for(), np.zeros(0, np.float32))


def test_clear(cache):
    for i in range(3):
        cache.put(key_for(str(i)), tone(0.1))
    write_manifest(cache.folder, {"done": 3})
    cache.clear()
    assert cache.keys() == [] and cache.size_bytes() == 0
    assert read_manifest(cache.folder).data == {"done": 3}


# -- atomicity -----------------------------------------------------------------
class SimulatedCrash(BaseException):
    pass


def test_crash_between_write_and_replace_leaves_no_entry(cache, monkeypatch):
    key = key_for()

    def crash(src, dst):
        raise SimulatedCrash()

    monkeypatch.setattr(atomic_file.os, "replace", crash)
    with pytest.raises(SimulatedCrash):
        cache.put(key, tone())
    monkeypatch.undo()
    assert not cache.has(key) and cache.get(key) is None and cache.keys() == []


def test_temp_files_left_by_a_crash_are_not_entries(cache):
    key = key_for()
    leftover = cache.folder / key[:2] / f".tmp-abc{key}.flac"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a file")
    assert cache.keys() == [] and not cache.has(key)
    ChunkCache(cache.folder, SR)  # reopening (a resume) sweeps crash leftovers
    assert not leftover.exists()


# -- corruption ----------------------------------------------------------------
def _corrupt_truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt_empty(path):
    path.write_bytes(b"")


def _corrupt_garbage(path):
    path.write_bytes(b"this is not audio" * 50)


def _corrupt_delete(path):
    path.unlink()


@pytest.mark.parametrize("corrupt", [_corrupt_truncate, _corrupt_empty, _corrupt_garbage, _corrupt_delete])
def test_verify_detects_and_removes_bad_files(cache, corrupt):
    key = key_for()
    audio = tone(1.0)
    path = cache.put(key, audio)
    corrupt(path)
    assert cache.verify(key, len(audio)) is False
    assert not path.exists() and not cache.has(key)
    assert cache.get(key) is None


def test_verify_rejects_wrong_length_and_rate(cache, tmp_path):
    key = key_for()
    audio = tone(0.5)
    cache.put(key, audio)
    assert cache.verify(key, len(audio) + 1) is False
    assert not cache.has(key)

    cache.put(key, audio)
    other_rate = ChunkCache(cache.folder, 16000)
    assert other_rate.verify(key) is False


def test_get_of_corrupt_file_is_none(cache):
    key = key_for()
    path = cache.put(key, tone())
    _corrupt_garbage(path)
    assert cache.get(key) is None


# -- disk errors ---------------------------------------------------------------
def test_disk_full_raises_clear_error_and_keeps_cache_valid(cache, monkeypatch):
    good = key_for("already there")
    cache.put(good, tone(0.2))
    key = key_for()

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_file.os, "fsync", no_space)
    with pytest.raises(CacheWriteError) as info:
        cache.put(key, tone())
    monkeypatch.undo()
    message = str(info.value)
    assert "No space left on device" in message and str(cache.folder) in message
    assert info.value.errno == errno.ENOSPC and isinstance(info.value, OSError)
    # No temp file, no partial entry, the old entry intact.
    assert [p.name for p in cache.folder.rglob("*") if p.is_file()] == [f"{good}.flac"]
    assert cache.keys() == [good] and cache.verify(good, int(SR * 0.2))


def test_disk_full_while_overwriting_keeps_old_entry(cache, monkeypatch):
    key = key_for()
    cache.put(key, tone(0.2))

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_file.os, "fsync", no_space)
    with pytest.raises(CacheWriteError):
        cache.put(key, tone(0.4))
    monkeypatch.undo()
    assert cache.verify(key, int(SR * 0.2))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores folder permissions")
def test_read_only_folder_raises_clear_error(cache):
    key = key_for()
    os.chmod(cache.folder, 0o500)
    try:
        with pytest.raises(CacheWriteError, match="Permission denied") as info:
            cache.put(key, tone())
        assert str(cache.folder) in str(info.value)
    finally:
        os.chmod(cache.folder, 0o700)


def test_permission_error_from_the_os_is_wrapped(cache, monkeypatch):
    # Same path as the chmod test, for machines (CI as root) where that one skips.
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(atomic_file.tempfile, "mkstemp", denied)
    with pytest.raises(CacheWriteError, match="Permission denied") as info:
        cache.put(key_for(), tone())
    assert str(cache.folder) in str(info.value)


# -- manifest ------------------------------------------------------------------
def test_manifest_round_trip(tmp_path):
    data = {"book": "Café", "chunks": {"a": 1}, "done": [1, 2]}
    path = write_manifest(tmp_path, data)
    assert path == tmp_path / "manifest.json"
    assert read_manifest(tmp_path) == (data, None)
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_manifest_missing(tmp_path):
    assert read_manifest(tmp_path) == (None, None)


@pytest.mark.parametrize("content", [
    b'{"book": "Ca',  # truncated
    b"\x00\xff garbage",
    b"",
    b"[1, 2, 3]",  # valid JSON but not an object
])
def test_manifest_corrupt_gives_warning(tmp_path, content):
    (tmp_path / "manifest.json").write_bytes(content)
    data, warning = read_manifest(tmp_path)
    assert data is None
    assert "manifest.json" in warning and "corrupt" in warning and "rebuilding" in warning


def test_manifest_write_failure_keeps_old_manifest(tmp_path, monkeypatch):
    write_manifest(tmp_path, {"done": 1})

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_file.os, "fsync", no_space)
    with pytest.raises(CacheWriteError, match="No space left on device"):
        write_manifest(tmp_path, {"done": 2})
    monkeypatch.undo()
    assert read_manifest(tmp_path).data == {"done": 1}
    assert json.loads((tmp_path / "manifest.json").read_text()) == {"done": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
