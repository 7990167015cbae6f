"""The quality report's measurements against independent ones (ffmpeg ebur128 run here,
pyloudnorm, numpy), for FLAC, MP3 (CBR and VBR) and an M4B; the checks; CSV and table."""

from __future__ import annotations

import math
import re
import shutil

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from backend.audio.mastering import master_file
from backend.audio.presets import ACX, OFF, PODCAST, check_measurement, get_preset
from backend.audio.quality import QualityError, measure_file
from backend.audio.report import build_report
from tests.audio.audio_factory import ebur128, encode, quiet_edges, rms_db, write_speechlike


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality")
    raw = write_speechlike(folder / "raw.flac", 15.0, seed=1)  # RMS -24 dB, peaks -1 dB: as assembled
    mastered = folder / "mastered.flac"
    shutil.copyfile(raw, mastered)
    master_file(mastered, ACX, seed=1)
    cbr = encode(mastered, folder / "cbr.mp3", "-c:a", "libmp3lame", "-b:a", "192k")
    vbr = encode(mastered, folder / "vbr.mp3", "-c:a", "libmp3lame", "-q:a", "4")
    return {"raw": raw, "mastered": mastered, "cbr": cbr, "vbr": vbr}


@pytest.mark.parametrize("name", ["raw", "mastered", "cbr", "vbr"])
def test_figures_agree_with_ebur128_pyloudnorm_and_numpy(files, name):
    path = files[name]
    m = measure_file(path)
    lufs, true_peak = ebur128(path)
    assert abs(m.integrated_lufs - lufs) <= 0.5 and abs(m.true_peak_db - true_peak) <= 0.5
    if path.suffix == ".flac":  # soundfile reads these; numpy and pyloudnorm give the reference
        audio, rate = sf.read(path, dtype="float64")
        assert abs(m.rms_db - rms_db(audio)) < 0.01
        assert abs(m.sample_peak_db - 20 * np.log10(np.abs(audio).max())) < 0.01
        assert abs(m.integrated_lufs - pyloudnorm.Meter(rate).integrated_loudness(audio)) <= 0.5
        head, tail = quiet_edges(audio, rate)
        assert abs(m.head_s - head) <= 0.011 and abs(m.tail_s - tail) <= 0.011
        assert m.duration == pytest.approx(len(audio) / rate)


def test_noise_floor_is_the_quietest_half_second(files):
    raw, mastered = measure_file(files["raw"]), measure_file(files["mastered"])
    assert raw.noise_floor_db == -math.inf  # digital silence in the pauses
    audio, rate = sf.read(files["mastered"], dtype="float64")
    hop = rate // 10
    hops = np.square(audio[: len(audio) // hop * hop]).reshape(-1, hop).mean(axis=1)
    windows = np.convolve(hops, np.ones(5) / 5, "valid")
    assert abs(mastered.noise_floor_db - 10 * np.log10(windows.min())) < 0.01
    assert -80 < mastered.noise_floor_db <= -60


def test_stream_facts(files):
    flac, cbr, vbr = (measure_file(files[n]) for n in ("mastered", "cbr", "vbr"))
    assert (flac.codec, flac.lossless, flac.sample_rate, flac.channel_mode) == ("flac", True, 44100, "mono")
    assert (cbr.codec, cbr.bit_rate_kbps, cbr.bit_rate_mode, cbr.lossless) == ("mp3", 192.0, "CBR", False)
    assert vbr.bit_rate_mode == "VBR"


def test_checks_against_the_presets(files):
    raw, mastered, cbr, vbr = (measure_file(files[n]) for n in ("raw", "mastered", "cbr", "vbr"))
    assert all(c.ok for c in check_measurement(mastered, ACX).values())
    assert all(c.ok for c in check_measurement(cbr, ACX).values())
    failed = {k for k, c in check_measurement(raw, ACX).items() if c.ok is False}
    # as assembled: 22.05 kHz, RMS -24 dB, peaks -1 dB, digital silence, almost no head room tone
    assert failed == {"rms_db", "sample_peak_db", "true_peak_db", "noise_floor_db", "head_s", "sample_rate"}
    assert check_measurement(vbr, ACX)["bit_rate"].ok is False  # ACX wants constant bit rate
    assert set(check_measurement(mastered, PODCAST)) == {"integrated_lufs", "true_peak_db"}
    assert check_measurement(mastered, OFF) == {}
    with pytest.raises(ValueError, match="acx, podcast, ebu, off"):
        get_preset("loud")


def test_a_whole_book_m4b_is_not_held_to_the_per_file_limits(files, tmp_path):
    from backend.render.m4b import write_m4b

    m4b = write_m4b([files["mastered"], files["mastered"]], ["One", "Two"], tmp_path / "book.m4b", title="Book")
    m = measure_file(m4b)
    assert m.chapters == 2 and m.codec == "aac"
    checks = check_measurement(m, ACX)
    assert "duration" not in checks and "bit_rate" not in checks and checks["rms_db"].ok


def test_report_csv_and_table(files, tmp_path):
    junk = tmp_path / "notes.mp3"
    junk.write_text("not audio")
    report = build_report([files["mastered"], files["raw"], junk], ACX)
    assert [m.path.name for m in report.measurements] == ["mastered.flac", "raw.flac"]
    assert report.unreadable[0][0] == "notes.mp3" and "not audio that can be read" in report.unreadable[0][1]
    assert not report.passed and "2 of 3 files do not meet Audiobook (ACX)" in report.verdict()
    csv_path = report.write_csv(tmp_path / "Book audio report.csv")
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("file,Duration (h:mm:ss),Duration check,Loudness (LUFS)")
    assert lines[1].startswith("mastered.flac,0:00:") and "✗" not in lines[1] and "✓" in lines[1]
    assert "raw.flac" in lines[2] and "noise floor -inf" in lines[2] and lines[3].startswith("notes.mp3,")
    table = report.table()
    assert "True peak" in table and re.search(r" -(19\.[5-9]|20\.[0-5]) ✓ ", table) and "22050 Hz ✗" in table
    assert "✗ raw.flac: RMS" in table and "Audio check against Audiobook (ACX)" in table
    off = build_report([files["raw"]], OFF)
    assert off.passed and "figures only" in off.verdict() and "✗" not in off.table()


def test_unreadable_files_say_why(tmp_path):
    with pytest.raises(QualityError, match="does not exist"):
        measure_file(tmp_path / "missing.wav")
    with pytest.raises(QualityError, match="is not a file"):
        measure_file(tmp_path)
    text = tmp_path / "text.wav"
    text.write_text("hello")
    with pytest.raises(QualityError, match="text.wav"):
        measure_file(text)
