"""Rendering chosen chapters with the user's book details, on a real four-chapter book with the real
voice (CPU): only those chapters' files, M4B marks and subtitles; every output tagged with the
edited details; a later render of every chapter reuses the cached chunks."""

from __future__ import annotations

import subprocess

import mutagen
import pytest

from backend.render.details import DetailEdits, read_picture, save_details
from backend.render.engine import AudioEngine, RenderJob
from backend.render.events import RenderEvents, RenderFailed
from backend.render.jobs import book_job_dir
from backend.render.m4b import ffmpeg_exe, probe_chapters
from backend.render.selection import save_selection
from backend.settings import RenderSettings
from tests.render.test_details import make_picture

FOUR = """---
title: Four Small Chapters
author: Own Author
---

# Four Small Chapters

## Copyright

Copyright 2020 by the author.

## One

The boat left early in the morning.

## Two

The light came on at dusk.

## Three

Then she went home and slept.
"""
TITLES = ["Copyright", "One", "Two", "Three"]


class Log(RenderEvents):
    def __init__(self):
        self.lines, self.progress_events = [], []

    def log(self, level, message):
        self.lines.append(message)

    def progress(self, progress):
        self.progress_events.append(progress)


def describe(path) -> str:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Chapters 2 and 4 (as saved for the book), with edited details and a chosen cover."""
    folder = tmp_path_factory.mktemp("selected")
    book = folder / "four.md"
    book.write_text(FOUR, encoding="utf-8")
    settings = RenderSettings(device="cpu", cache_dir=str(folder / "cache"), outputs=["m4b", "mp3", "srt"])
    job_dir = book_job_dir(book, settings)
    save_selection(job_dir, TITLES, [1, 3])
    cover = make_picture(folder / "cover.png", 320, 320)
    save_details(job_dir, DetailEdits(title="Edited Title", author="Edited Author", narrator="Anna Reader",
                                      year="2011", genre="Fiction"), picture=read_picture(cover))
    log = Log()
    summary = AudioEngine(RenderJob(book, folder / "out", settings), log).run()
    return folder, book, settings, summary, log, cover.read_bytes()


def test_only_the_selected_chapters_are_rendered(rendered):
    folder, _, _, summary, log, _ = rendered
    out = folder / "out"
    assert [p.name for p in sorted(out.glob("*.flac"))] == ["01 - One.flac", "02 - Three.flac"]
    assert summary.chapters == 2
    assert "Chapters 2,4 of 4 (2 selected, as saved for this book)" in log.lines
    assert any(line.startswith("Check: all ") and "of 2 selected chapters (of 4)" in line for line in log.lines)
    # Progress counts only the selected chapters' chunks.
    render_progress = [p for p in log.progress_events if p.stage == "render"]
    assert render_progress[-1].total == summary.rendered + summary.reused == summary.chunks
    m4b = out / "Edited Title.m4b"
    assert [c[2] for c in probe_chapters(m4b)[1]] == ["One", "Three"]
    srt = (out / "Edited Title.srt").read_text(encoding="utf-8")
    assert "boat" in srt and "home" in srt and "light" not in srt and "Copyright" not in srt


def test_every_output_carries_the_edited_details(rendered):
    folder, _, _, _, _, cover = rendered
    out = folder / "out"
    flac = mutagen.File(out / "01 - One.flac")
    assert flac["TITLE"] == ["One"] and flac["ALBUM"] == ["Edited Title"] and flac["ARTIST"] == ["Edited Author"]
    assert flac["TRACKNUMBER"] == ["1"] and flac["TRACKTOTAL"] == ["2"] and flac["COMPOSER"] == ["Anna Reader"]
    assert flac["DATE"] == ["2011"] and flac["GENRE"] == ["Fiction"]
    assert [p.data for p in flac.pictures] == [cover]
    mp3 = mutagen.File(out / "02 - Three.mp3")
    assert str(mp3["TIT2"]) == "Three" and str(mp3["TALB"]) == "Edited Title" and str(mp3["TPE1"]) == "Edited Author"
    assert str(mp3["TRCK"]) == "2/2" and str(mp3["TCOM"]) == "Anna Reader"
    assert mp3.tags.getall("APIC")[0].data == cover
    text = describe(out / "Edited Title.m4b")
    for line in ("title           : Edited Title", "artist          : Edited Author", "composer        : Anna Reader",
                 "date            : 2011", "genre           : Fiction"):
        assert line in text
    assert "(attached pic)" in text


def test_rendering_every_chapter_later_reuses_the_cached_chunks(rendered):
    folder, book, settings, first, _, _ = rendered
    log = Log()
    summary = AudioEngine(RenderJob(book, folder / "all", settings, chapters=(0, 1, 2, 3)), log).run()
    assert summary.chapters == 4 and summary.reused == first.chunks and summary.rendered == summary.chunks - first.chunks
    assert [p.name for p in sorted((folder / "all").glob("*.flac"))] == [
        "01 - Copyright.flac", "02 - One.flac", "03 - Two.flac", "04 - Three.flac"]
    assert "Chapters 1-4 of 4 (4 selected, as given for this run)" in log.lines
    assert mutagen.File(folder / "all" / "03 - Two.flac")["TRACKTOTAL"] == ["4"]


def test_no_selected_chapter_is_a_clear_error_that_changes_nothing(rendered, tmp_path):
    folder, book, settings, _, _, _ = rendered
    job_dir = book_job_dir(book, settings)
    save_selection(job_dir, TITLES, [])
    try:
        with pytest.raises(RenderFailed, match="No chapters of 'four.md' are selected: select at least one"):
            AudioEngine(RenderJob(book, tmp_path / "none", settings), Log()).run()
        assert not (tmp_path / "none").exists()
    finally:
        save_selection(job_dir, TITLES, [1, 3])


def test_a_cover_file_that_went_missing_stops_the_render_with_its_name(rendered, tmp_path):
    folder, book, settings, _, _, _ = rendered
    job = RenderJob(book, tmp_path / "out", settings, details=DetailEdits(cover=str(tmp_path / "gone.jpg")))
    with pytest.raises(RenderFailed, match="gone.jpg' as the cover: the file does not exist"):
        AudioEngine(job, Log()).run()


def test_chapter_files_of_an_earlier_selection_are_named_not_deleted(rendered):
    folder, book, settings, _, _, _ = rendered
    log = Log()
    AudioEngine(RenderJob(book, folder / "out", settings, chapters=(1,)), log).run()
    assert "'02 - Three.flac', '02 - Three.mp3' in the output folder are from an earlier render and not part of " \
           "this audiobook: delete them or choose another folder." in log.lines
    assert (folder / "out" / "02 - Three.flac").exists()
