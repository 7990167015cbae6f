"""Mastering inside a real render of the bundled demo book (real voice, CPU, real ffmpeg): chapter
files mastered before the M4B and subtitles are made from them, the audio report written, and a
change of preset re-assembles without rendering a chunk again."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from backend.render.engine import AudioEngine, RenderJob
from backend.render.m4b import probe_chapters
from backend.settings import RenderSettings
from tests.audio.audio_factory import ebur128, quiet_edges, rms_db
from tests.render.test_engine import Recorder

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo_book.md"
TITLE = "The Clockmaker's Apprentice"


def render(tmp_path, out, **kw):
    settings = RenderSettings(device="cpu", cache_dir=str(tmp_path / "cache"), outputs=["m4b", "srt"], **kw)
    events = Recorder()
    summary = AudioEngine(RenderJob(DEMO, tmp_path / out, settings), events).run()
    return summary, events


@pytest.fixture(scope="module")
def acx(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("mastered")
    summary, events = render(tmp_path, "acx")
    return tmp_path, summary, events


def test_the_demo_book_is_mastered_to_acx(acx):
    tmp_path, summary, events = acx
    files = sorted((tmp_path / "acx").glob("*.flac"))
    assert len(files) == 2
    for path in files:
        audio, rate = sf.read(path, dtype="float64")
        assert rate == 44100
        assert abs(rms_db(audio) - -20.0) <= 0.5
        lufs, true_peak = ebur128(path)
        assert true_peak <= -3.0
        head, tail = quiet_edges(audio, rate)
        assert 0.5 <= head <= 1.0 and 1.0 <= tail <= 5.0
    mastered = [m for level, m in events.logs if m.startswith("Mastered ")]
    assert len(mastered) == 2 and re.fullmatch(r"Mastered 01 - Chapter 1 The Shop on Quay Street: RMS -?\d+\.\d dB, "
                                               r"true peak -\d+\.\d dBTP", mastered[0])
    # The M4B is made from the mastered files; its chapter marks follow their new lengths.
    total, chapters = probe_chapters(tmp_path / "acx" / f"{TITLE}.m4b")
    assert abs(chapters[1][0] - sf.info(files[0]).duration) < 0.05
    assert abs(summary.audio_seconds - sum(sf.info(f).duration for f in files)) < 0.01


def test_subtitles_move_with_the_head_room_tone(acx):
    tmp_path, _, _ = acx
    srt = (tmp_path / "acx" / f"{TITLE}.srt").read_text(encoding="utf-8")
    first = re.search(r"(\d\d):(\d\d):(\d\d),(\d\d\d) -->", srt)
    start = int(first[2]) * 60 + int(first[3]) + int(first[4]) / 1000
    audio, rate = sf.read(sorted((tmp_path / "acx").glob("*.flac"))[0], dtype="float64")
    head, _ = quiet_edges(audio, rate)
    assert 0.5 < start and abs(start - head) < 0.1  # the first cue starts where the voice does


def test_the_audio_report_is_written_and_summarised(acx):
    tmp_path, summary, events = acx
    report_path = tmp_path / "acx" / f"{TITLE} audio report.csv"
    assert report_path in summary.outputs
    rows = report_path.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 4 and all("✗" not in row for row in rows)  # 2 chapters and the M4B
    assert summary.quality.passed and len(summary.quality.measurements) == 3
    assert any(m == "Audio check against Audiobook (ACX): All 3 files meet Audiobook (ACX)." for _, m in events.logs)


def test_another_preset_reassembles_without_rendering(acx):
    tmp_path, first, _ = acx
    summary, events = render(tmp_path, "ebu", master="ebu", room_tone_head=0.5, room_tone_tail=1.5)
    assert summary.rendered == 0 and summary.reused == first.chunks
    for path in sorted((tmp_path / "ebu").glob("*.flac")):
        lufs, true_peak = ebur128(path)
        assert abs(lufs - -23.0) <= 0.5 and true_peak <= -1.0


def test_off_leaves_the_assembled_files_alone(acx):
    tmp_path, first, _ = acx
    summary, events = render(tmp_path, "off", master="off")
    assert summary.rendered == 0
    files = sorted((tmp_path / "off").glob("*.flac"))
    for path in files:
        audio, rate = sf.read(path, dtype="float64")
        assert rate == 22050 and np.count_nonzero(audio[-int(0.5 * rate):]) == 0  # as assembled: digital silence
    assert not any(m.startswith("Mastered") for _, m in events.logs)
    assert (tmp_path / "off" / f"{TITLE} audio report.csv").exists() and summary.quality.passed
    assert "figures only" in summary.quality.verdict()
