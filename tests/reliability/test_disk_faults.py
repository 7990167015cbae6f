"""Folders that cannot be written and a disk that fills up mid-render.

Each ends in one clear error (RenderFailed / CLI exit 1 with an "Error:" line naming the folder, no
traceback), leaves the cache valid (every chunk file decodes), and once the fault is gone the same
render resumes and equals the reference. The tests run as root, where chmod stops nothing, so an
unwritable folder is a path whose parent is a regular file. A full disk is simulated by making
os.fsync fail with ENOSPC after K chunk writes; where this machine allows mounting, a real tiny
tmpfs is filled up too.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.render.events import RenderFailed
from tests.reliability.conftest import (
    BOOK_CHUNKS,
    Recorder,
    all_chunks_decode,
    cache_chunks,
    chapter_audio,
    cli,
    job_dir,
    render,
    render_args,
    same_audio,
    settings,
)


def _blocked(tmp_path: Path, name: str) -> Path:
    """A folder path that cannot be created, even by root: its parent is a regular file."""
    blocker = tmp_path / "blocker-file"
    blocker.write_text("I am a file, not a folder\n")
    return blocker / name


def _clean_error(proc: subprocess.CompletedProcess, *names: str) -> None:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, proc.stderr
    for name in names:
        assert name in errors[0], errors[0]


def _temps(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob(".*") if p.is_file()]  # ".tmp-*" (cache), ".NAME.*.tmp" (outputs)


class FullDisk:
    """os.fsync raising ENOSPC for the temp files matching `which` after `allow` of them succeeded."""

    def __init__(self, which, allow: int):
        self.which, self.allow, self.calls, self.refused = which, allow, 0, 0
        self.real = os.fsync

    def __call__(self, fd):
        try:
            target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            target = None
        if target is not None and self.which(target):
            self.calls += 1
            if self.calls > self.allow:
                self.refused += 1
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real(fd)


def _is_chunk_temp(path: Path) -> bool:
    return path.name.startswith(".tmp-") and path.suffix == ".flac"


# -- folders that cannot be written ----------------------------------------------------------
def test_output_folder_not_writable_engine(tmp_path, reference, synth):
    st = settings(tmp_path / "cache")
    events = Recorder()
    with pytest.raises(RenderFailed, match="blocker-file") as failure:
        render(reference["book"], _blocked(tmp_path, "out"), st, synth, events)
    assert "output folder" in str(failure.value) and events.failure == str(failure.value)
    job = job_dir(reference["book"], st)
    assert all_chunks_decode(job / "chunks") and len(cache_chunks(job / "chunks")) == BOOK_CHUNKS
    # The folder problem fixed (another folder): nothing is rendered again.
    summary = render(reference["book"], tmp_path / "out", st, synth)
    assert summary.rendered == 0 and same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_output_folder_not_writable_cli(tmp_path, reference):
    shutil.copytree(reference["cache"], tmp_path / "cache")
    out = _blocked(tmp_path, "out")
    proc = cli(render_args(reference["book"], out, tmp_path / "cache", "--outputs", "srt"))
    _clean_error(proc, str(out))
    assert all_chunks_decode(tmp_path / "cache")


def test_cache_folder_not_writable_engine(tmp_path, reference, synth):
    cache = _blocked(tmp_path, "cache")
    events = Recorder()
    with pytest.raises(RenderFailed, match="blocker-file"):
        render(reference["book"], tmp_path / "out", settings(cache), synth, events)
    assert events.failure and not (tmp_path / "out").exists()
    summary = render(reference["book"], tmp_path / "out", settings(tmp_path / "cache"), synth)
    assert summary.rendered == BOOK_CHUNKS and same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_cache_folder_not_writable_cli(tmp_path, reference):
    cache = _blocked(tmp_path, "cache")
    proc = cli(render_args(reference["book"], tmp_path / "out", cache, "--outputs", "srt"))
    _clean_error(proc, "blocker-file")


def test_chunk_subfolder_not_writable_mid_render(tmp_path, reference, synth):
    """Some chunks are stored, then one cannot be (its <key[:2]> folder is a file): one clear error;
    the stored chunks stay valid and the resume renders only the rest."""
    st = settings(tmp_path / "cache")
    job = job_dir(reference["book"], st)
    keys = sorted(p.stem for p in cache_chunks(reference["cache"]))
    (job / "chunks").mkdir(parents=True)
    blocker = job / "chunks" / keys[-1][:2]
    blocker.write_text("not a folder")
    with pytest.raises(RenderFailed, match=str(blocker)):
        render(reference["book"], tmp_path / "out", st, synth)
    stored = cache_chunks(job / "chunks")
    assert all_chunks_decode(job / "chunks") and _temps(job) == []
    blocker.unlink()
    summary = render(reference["book"], tmp_path / "out", st, synth)
    assert summary.reused == len(stored) and summary.rendered == BOOK_CHUNKS - len(stored)
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


# -- a full disk -------------------------------------------------------------------------------
@pytest.mark.parametrize("allow", [0, 6])
def test_disk_full_during_chunk_write_then_resume(tmp_path, reference, synth, monkeypatch, allow):
    st = settings(tmp_path / "cache")
    job = job_dir(reference["book"], st)
    full = FullDisk(_is_chunk_temp, allow)
    monkeypatch.setattr("backend.atomic_file.os.fsync", full)
    events = Recorder()
    with pytest.raises(RenderFailed) as failure:
        render(reference["book"], tmp_path / "out", st, synth, events)
    message = str(failure.value)
    assert "No space left on device" in message and str(job / "chunks") in message, message
    assert full.refused == 1 and events.failure == message
    assert [level for level, _ in events.logs].count("error") == 1
    assert len(cache_chunks(job / "chunks")) == allow and all_chunks_decode(job / "chunks")
    assert _temps(job) == [] and not (tmp_path / "out").exists()

    monkeypatch.undo()  # space is back
    summary = render(reference["book"], tmp_path / "out", st, synth)
    assert (summary.reused, summary.rendered) == (allow, BOOK_CHUNKS - allow)
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_disk_full_while_writing_a_chapter_file_names_the_folder(tmp_path, reference, synth, monkeypatch):
    shutil.copytree(reference["cache"], tmp_path / "cache")
    st = settings(tmp_path / "cache")
    out = tmp_path / "out"
    full = FullDisk(lambda p: p.parent == out, 1)
    monkeypatch.setattr("backend.atomic_file.os.fsync", full)
    with pytest.raises(RenderFailed) as failure:
        render(reference["book"], out, st, synth)
    assert full.refused == 1 and not list(out.glob(".*"))
    monkeypatch.undo()
    assert render(reference["book"], out, st, synth).rendered == 0
    assert same_audio(chapter_audio(out), reference["audio"])
    assert str(out) in str(failure.value), str(failure.value)


# -- a real full disk: a tiny tmpfs (needs mount rights; skipped elsewhere) ---------------------
@pytest.fixture()
def tiny_disk(tmp_path):
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    try:
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")

    def grow():
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount_point)], check=True, timeout=30)

    try:
        yield mount_point, grow
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def test_real_full_disk_for_the_cache_cli(tmp_path, reference, tiny_disk):
    disk, grow = tiny_disk
    args = render_args(reference["book"], tmp_path / "out", disk / "cache", "--outputs", "srt")
    proc = cli(args)
    _clean_error(proc, str(disk / "cache"), "No space left on device")
    stored = cache_chunks(disk / "cache")
    assert 0 < len(stored) < BOOK_CHUNKS and all_chunks_decode(disk / "cache")
    assert _temps(disk / "cache") == []
    grow()  # space is back
    done = cli(args)
    assert done.returncode == 0, done.stderr
    assert f"Resuming: {len(stored)} of {BOOK_CHUNKS}" in done.stderr
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_real_full_disk_for_the_output_cli(tmp_path, reference, tiny_disk):
    disk, grow = tiny_disk
    shutil.copytree(reference["cache"], tmp_path / "cache")
    args = render_args(reference["book"], disk / "out", tmp_path / "cache", "--outputs", "srt")
    proc = cli(args)
    assert proc.returncode == 1 and not list((disk / "out").glob(".*"))  # holds today
    grow()
    done = cli(args)
    assert done.returncode == 0 and same_audio(chapter_audio(disk / "out"), reference["audio"])
    _clean_error(proc, str(disk / "out"))
