"""Fixing one chunk (backend/check/overrides.py): new text or another take, undo, stale fixes, and a
render that renders only that chunk and assembles only its chapter file again."""

import json

import numpy as np
import pytest
import soundfile as sf

from backend.check.overrides import (
    chunk_identities,
    overrides_file,
    read_overrides,
    set_override,
    undo_override,
)
from backend.render.chunk_cache import ChunkCache
from backend.render.engine import AudioEngine, RenderJob
from backend.render.jobs import book_job_dir
from backend.render.plan import make_plan
from backend.settings import RenderSettings
from backend.text import load_book
from backend.tts.voice import load_voice
from tests.render.test_engine import BOOK, Recorder


def test_set_and_undo_keep_a_history(tmp_path):
    identity = (1, "The light came on at dusk.", 0)
    first = set_override(tmp_path, identity, text="The lamp came on at dusk.")
    assert first.text == "The lamp came on at dusk." and first.seed is None and first.previous is None
    second = set_override(tmp_path, identity, seed=42)  # another take keeps the new text
    assert (second.text, second.seed, second.previous) == (first.text, 42, first)
    assert read_overrides(tmp_path)[0][identity] == second
    assert undo_override(tmp_path, identity) == first
    assert undo_override(tmp_path, identity) is None and read_overrides(tmp_path)[0] == {}
    with pytest.raises(ValueError, match="no fix to undo"):
        undo_override(tmp_path, identity)
    with pytest.raises(ValueError, match="empty"):
        set_override(tmp_path, identity, text="   ")


def test_a_damaged_file_is_kept_aside_and_the_render_goes_on_without_it(tmp_path):
    overrides_file(tmp_path).write_text("{broken", encoding="utf-8")
    fixes, warning = read_overrides(tmp_path)
    assert fixes == {} and "damaged" in warning and "copy was kept" in warning
    assert list(tmp_path.glob("overrides.json.bak-*"))


def test_identities_count_repeated_text_and_stale_fixes_are_not_applied(tmp_path):
    book_file = tmp_path / "echo.txt"
    book_file.write_text("Echo\n\nHello.\n\nHello.\n", encoding="utf-8")
    book = load_book(book_file)
    voice, settings = load_voice(None), RenderSettings(max_chars=50, precision="float32")
    plan = make_plan(book, voice, settings)
    ids = chunk_identities([pc.chunk for pc in plan.chunks])
    assert [i[2] for i in ids if i[1] == "Hello."] == [0, 1]  # the same text twice: told apart by occurrence
    fixes = {ids[-1]: set_override(tmp_path, ids[-1], text="Goodbye."),
             (0, "Not in the book.", 0): set_override(tmp_path, (0, "Not in the book.", 0), seed=3)}
    fixed = make_plan(book, voice, settings, overrides=fixes)
    assert fixed.chunks[-1].spoken == "Goodbye." and fixed.chunks[-1].key != plan.chunks[-1].key
    assert [pc.key for pc in fixed.chunks[:-1]] == [pc.key for pc in plan.chunks[:-1]]
    assert [o.original for o in fixed.stale] == ["Not in the book."]


def render(tmp_path, name, events=None):
    book = tmp_path / "ferry.txt"
    if not book.exists():
        book.write_text(BOOK, encoding="utf-8")
    settings = RenderSettings(device="cpu", max_chars=60, cache_dir=str(tmp_path / "cache"), outputs=["srt", "m4b"])
    engine = AudioEngine(RenderJob(book, tmp_path / name, settings), events or Recorder())
    return engine.run(), engine, settings


def chapter_audio(folder):
    return [sf.read(p, dtype="float32")[0] for p in sorted(folder.glob("0*.flac"))]


def test_fixing_one_chunk_renders_it_alone_and_reassembles_only_its_chapter(tmp_path):
    first, engine, settings = render(tmp_path, "out")
    job_dir = book_job_dir(tmp_path / "ferry.txt", settings)
    plan = make_plan(load_book(tmp_path / "ferry.txt"), engine.synth.voice, engine.job.settings)
    target = next(pc for pc in plan.chunks if pc.chunk.text == "The light came on at dusk.")
    files = sorted((tmp_path / "out").glob("0*.flac"))
    before = [p.stat().st_mtime_ns for p in files]
    audio_before = chapter_audio(tmp_path / "out")
    cache = ChunkCache(job_dir / "chunks", 22050)
    others_before = {pc.key: cache.get(pc.key) for pc in plan.chunks if pc is not target}

    identity = chunk_identities([pc.chunk for pc in plan.chunks])[target.index]
    set_override(job_dir, identity, text="The lamp came on at dusk.")
    events = Recorder()
    fixed, _, _ = render(tmp_path, "out", events)
    assert fixed.rendered == 1 and fixed.reused == first.rendered - 1
    logs = [m for _, m in events.logs]
    assert any("Kept 1 of 2 chapter files" in m for m in logs) and any("Chunk fixes: 1 chunk" in m for m in logs)
    after = [p.stat().st_mtime_ns for p in files]
    assert after[0] == before[0] and after[1] != before[1]  # chapter 1 untouched, chapter 2 assembled again
    audio_after = chapter_audio(tmp_path / "out")
    assert np.array_equal(audio_after[0], audio_before[0]) and not np.array_equal(audio_after[1], audio_before[1])
    assert all(np.array_equal(cache.get(k), a) for k, a in others_before.items())  # no other chunk's samples changed
    srt = (tmp_path / "out" / "ferry.srt").read_text(encoding="utf-8")
    assert "The light came on at dusk." in srt  # subtitles keep the book's words
    manifest = json.loads((job_dir / "manifest.json").read_text(encoding="utf-8"))
    assert any(entry.get("override") for entry in manifest["chunks"])

    undo_override(job_dir, identity)  # the previous take is still cached: nothing renders
    undone, _, _ = render(tmp_path, "out")
    assert undone.rendered == 0
    assert all(np.array_equal(a, b) for a, b in zip(chapter_audio(tmp_path / "out"), audio_before, strict=True))
