"""Mastering with the real ffmpeg: each preset's output measured independently (ffmpeg ebur128 run
here, pyloudnorm, numpy) meets its targets; room tone; determinism; bad inputs; flat memory."""

from __future__ import annotations

import shutil
import tracemalloc

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from backend.audio.mastering import MasteringError, master_file
from backend.audio.presets import ACX, EBU, OFF, PODCAST
from tests.audio.audio_factory import RATE, ebur128, encode, quiet_edges, rms_db, write_speechlike


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    return write_speechlike(tmp_path_factory.mktemp("src") / "chapter.flac", 20.0)


def mastered_copy(chapter, tmp_path, preset, name="ch.flac", **kwargs):
    path = tmp_path / name
    shutil.copyfile(chapter, path)
    return path, master_file(path, preset, **kwargs)


def test_acx_lands_on_rms_and_true_peak_also_after_mp3_encoding(chapter, tmp_path):
    path, result = mastered_copy(chapter, tmp_path, ACX, verify_mp3=True)
    audio, rate = sf.read(path, dtype="float64")
    assert rate == 44100 and result.sample_rate == 44100 and len(audio) == result.frames
    assert abs(rms_db(audio) - -20.0) <= 0.5  # ACX reads the RMS of the whole file
    lufs, true_peak = ebur128(path)
    assert true_peak <= -3.0 and 20 * np.log10(np.abs(audio).max()) <= -3.0
    mp3 = encode(path, tmp_path / "ch.mp3", "-c:a", "libmp3lame", "-b:a", "192k")
    assert ebur128(mp3)[1] <= -3.0  # true peak measured on what ACX receives
    assert result.problems == ()
    # The report's own figures agree with these independent ones.
    m = result.measurement
    assert abs(m.rms_db - rms_db(audio)) < 0.05 and abs(m.true_peak_db - true_peak) <= 0.1
    assert abs(m.integrated_lufs - lufs) <= 0.1


@pytest.mark.parametrize("preset", [PODCAST, EBU], ids=["podcast", "ebu"])
def test_lufs_presets_land_on_their_loudness(chapter, tmp_path, preset):
    path, result = mastered_copy(chapter, tmp_path, preset)
    lufs, true_peak = ebur128(path)
    audio, rate = sf.read(path, dtype="float64")
    reference = pyloudnorm.Meter(rate).integrated_loudness(audio)  # an independent BS.1770 implementation
    assert abs(lufs - preset.target) <= 0.5 and abs(reference - preset.target) <= 0.5
    assert true_peak <= preset.true_peak_max
    assert rate == 44100 and result.problems == ()


def test_room_tone_at_head_tail_and_under_pauses(chapter, tmp_path):
    path, result = mastered_copy(chapter, tmp_path, ACX, head=0.6, tail=3.0, seed=4)
    audio, rate = sf.read(path, dtype="float64")
    head, tail = quiet_edges(audio, rate)
    assert abs(head - 0.6) <= 0.05 and abs(tail - 3.0) <= 0.15
    source, source_rate = sf.read(chapter, dtype="float64")
    source_head, _ = quiet_edges(source * 10 ** (result.gain_db / 20), source_rate)
    assert abs(result.head_added - (0.6 - source_head)) <= 0.02  # what the cues move by
    # The room tone: well under -60 dB RMS, but never digital silence, also in every pause.
    windows = audio[: len(audio) // (rate // 2) * (rate // 2)].reshape(-1, rate // 2)
    floor = 10 * np.log10(np.square(windows).mean(axis=1).min())
    assert -80 < floor <= -60
    assert np.count_nonzero(audio[: int(0.5 * rate)]) > 0.9 * int(0.5 * rate)


def test_same_input_same_bytes(chapter, tmp_path):
    a, _ = mastered_copy(chapter, tmp_path, ACX, name="a.flac", seed=2)
    b, _ = mastered_copy(chapter, tmp_path, ACX, name="b.flac", seed=2)
    assert sf.read(a, dtype="int16")[0].tobytes() == sf.read(b, dtype="int16")[0].tobytes()


def test_quiet_and_loud_chapters_end_at_the_same_level(tmp_path):
    quiet = write_speechlike(tmp_path / "quiet.wav", 12.0, seed=5, peak_db=-20.0)
    loud = write_speechlike(tmp_path / "loud.wav", 12.0, seed=6, peak_db=-0.1)
    levels = []
    for path in (quiet, loud):
        result = master_file(path, ACX)
        audio, rate = sf.read(path, dtype="float64")
        levels.append(rms_db(audio))
        assert path.suffix == ".wav" and sf.info(path).format == "WAV" and result.measurement.true_peak_db <= -3.0
    assert abs(levels[0] - levels[1]) <= 0.3


def test_bad_inputs_are_refused_and_left_alone(tmp_path):
    junk = tmp_path / "junk.flac"
    junk.write_bytes(b"not audio at all" * 10)
    with pytest.raises(MasteringError, match="junk.flac"):
        master_file(junk, ACX)
    assert junk.read_bytes() == b"not audio at all" * 10
    mp3 = tmp_path / "x.mp3"
    mp3.write_bytes(b"")
    with pytest.raises(MasteringError, match="only FLAC and WAV"):
        master_file(mp3, ACX)
    with pytest.raises(ValueError, match="does not master"):
        master_file(junk, OFF)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.flac", "x.mp3"]  # no temp file left


def test_memory_stays_flat_for_a_long_chapter(tmp_path):
    """Five minutes of audio would be 53 MB as 44.1 kHz floats: mastering holds a few blocks only."""
    path = tmp_path / "long.flac"
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as out:
        for seed in range(15):
            out.write(write_block(seed))
    tracemalloc.start()
    try:
        result = master_file(path, ACX)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.duration > 290 and peak < 12e6, peak


def write_block(seed: int) -> np.ndarray:
    from tests.audio.audio_factory import speechlike

    return speechlike(20.0, seed=seed, lead=0.0, tail=0.3)
