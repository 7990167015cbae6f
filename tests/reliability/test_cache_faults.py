"""A damaged cache, through the real AudioEngine: each fault is noticed (a warning in the log),
only the damaged chunk is rendered again, and the audio equals an undamaged render."""

from __future__ import annotations

import io
import shutil

import pytest
import soundfile as sf

from backend.render.chunk_cache import MANIFEST_NAME
from tests.reliability.conftest import (
    BOOK_CHUNKS,
    Recorder,
    all_chunks_decode,
    cache_chunks,
    chapter_audio,
    job_dir,
    render,
    same_audio,
    settings,
)


def _flip_middle_byte(data: bytes) -> bytes:
    mid = len(data) // 2
    return data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1:]


def _other_rate(data: bytes) -> bytes:  # a whole, valid FLAC, but not at the voice's sample rate
    audio, _ = sf.read(io.BytesIO(data), dtype="float32")
    buffer = io.BytesIO()
    sf.write(buffer, audio, 16000, format="FLAC", subtype="PCM_24")
    return buffer.getvalue()


CHUNK_FAULTS = {
    "truncated-half": lambda data: data[: len(data) // 2],
    "truncated-header-only": lambda data: data[:200],
    "truncated-last-byte": lambda data: data[:-1],
    "zero-length": lambda data: b"",
    "garbage": lambda data: bytes(range(256)) * 40,
    "bit-flip": _flip_middle_byte,
    "wrong-sample-rate": _other_rate,
}

MANIFEST_FAULTS = {
    "truncated": lambda data: data[: len(data) // 2],
    "garbage": lambda data: b"\x00\xff\xfe garbage \x89PNG" * 20,
    "not-an-object": lambda data: b"[1, 2, 3]\n",
    "empty": lambda data: b"",
}


@pytest.fixture()
def damaged(tmp_path, reference):
    """A copy of the reference cache to damage; returns (book, settings, job folder)."""
    shutil.copytree(reference["cache"], tmp_path / "cache")
    st = settings(tmp_path / "cache")
    return reference["book"], st, job_dir(reference["book"], st)


def _warnings(events: Recorder) -> list[str]:
    return [message for level, message in events.logs if level == "warning"]


@pytest.mark.parametrize("fault", sorted(CHUNK_FAULTS))
def test_damaged_chunk_is_detected_and_only_it_rerendered(tmp_path, reference, damaged, synth, fault):
    book, st, job = damaged
    victim = cache_chunks(job / "chunks")[3]
    victim.write_bytes(CHUNK_FAULTS[fault](victim.read_bytes()))
    events = Recorder()
    summary = render(book, tmp_path / "out", st, synth, events)
    assert (summary.rendered, summary.reused) == (1, BOOK_CHUNKS - 1)
    assert any("1 cached chunks were damaged" in w for w in _warnings(events)), events.logs
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])
    assert all_chunks_decode(job / "chunks") and len(cache_chunks(job / "chunks")) == BOOK_CHUNKS


def test_deleted_chunk_is_rerendered_alone(tmp_path, reference, damaged, synth):
    # A deleted chunk looks exactly like one never rendered: the log says so in its resume line
    # (info level, not a warning; the engine does not compare the cache against the manifest).
    book, st, job = damaged
    cache_chunks(job / "chunks")[5].unlink()
    events = Recorder()
    summary = render(book, tmp_path / "out", st, synth, events)
    assert (summary.rendered, summary.reused) == (1, BOOK_CHUNKS - 1)
    assert any(f"Resuming: {BOOK_CHUNKS - 1} of {BOOK_CHUNKS} chunks" in m for _, m in events.logs), events.logs
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_several_faults_at_once(tmp_path, reference, damaged, synth):
    book, st, job = damaged
    chunks = cache_chunks(job / "chunks")
    chunks[0].write_bytes(b"")
    chunks[1].write_bytes(chunks[1].read_bytes()[:999])
    chunks[2].unlink()
    (job / MANIFEST_NAME).write_bytes(b"{\"version\": 1, \"chunks\": [")
    events = Recorder()
    summary = render(book, tmp_path / "out", st, synth, events)
    assert (summary.rendered, summary.reused) == (3, BOOK_CHUNKS - 3)
    warnings = _warnings(events)
    assert any("2 cached chunks were damaged" in w for w in warnings) and any("corrupt" in w for w in warnings)
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


@pytest.mark.parametrize("fault", sorted(MANIFEST_FAULTS))
def test_damaged_manifest_is_rebuilt_without_rendering(tmp_path, reference, damaged, synth, fault):
    book, st, job = damaged
    manifest = job / MANIFEST_NAME
    good = manifest.read_bytes()
    manifest.write_bytes(MANIFEST_FAULTS[fault](good))
    events = Recorder()
    summary = render(book, tmp_path / "out", st, synth, events)
    assert (summary.rendered, summary.reused) == (0, BOOK_CHUNKS)
    assert any("manifest.json was corrupt" in w and "rebuilding it" in w for w in _warnings(events)), events.logs
    assert manifest.read_bytes() == good  # rebuilt, the same as before
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_undamaged_cache_renders_nothing_and_warns_nothing(tmp_path, reference, damaged, synth):
    book, st, _ = damaged
    events = Recorder()
    summary = render(book, tmp_path / "out", st, synth, events)
    assert (summary.rendered, summary.reused) == (0, BOOK_CHUNKS)
    assert _warnings(events) == []
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])


def test_chunk_damaged_after_the_check_is_rendered_again_at_assembly(tmp_path, reference, damaged, synth,
                                                                      monkeypatch):
    """The cache is verified before rendering; a chunk that goes bad between then and assembly
    is caught when it is loaded (a warning), rendered again, and the audio is still identical."""
    from backend.render import engine as engine_module

    book, st, job = damaged
    victim = cache_chunks(job / "chunks")[7]
    real_render = engine_module.AudioEngine._render

    def render_then_damage(self, *args, **kwargs):
        real_render(self, *args, **kwargs)
        victim.write_bytes(b"\x00" * 64)

    monkeypatch.setattr(engine_module.AudioEngine, "_render", render_then_damage)
    events = Recorder()
    render(book, tmp_path / "out", st, synth, events)
    assert any("was unreadable; rendering it again" in w for w in _warnings(events)), events.logs
    assert same_audio(chapter_audio(tmp_path / "out"), reference["audio"])
    assert all_chunks_decode(job / "chunks") and victim.is_file()  # the bad entry was replaced
