"""Exports with the real ffmpeg on generated chapter audio: the distribution folder (MP3 format,
tags, cover, track numbers, long chapters split at paragraph pauses), Opus files and the M4B's
brand, tags and bit rate."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from backend.render import distribution
from backend.render.assembly import AssemblySettings, assemble_chapter
from backend.render.credits import credit_texts, narrator_name, voice_narrator
from backend.render.distribution import BookDetails, ChapterSource, chapter_parts, plan_cuts, write_distribution
from backend.render.exports import Segment, Tags, write_opus
from backend.render.m4b import EncodeError, ffmpeg_exe, probe_chapters, write_m4b
from backend.text.chunker import Chunk

SR = 22050
CHUNK_S = 6.0
MP3_BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]  # MPEG-1 Layer III, kbps
MP3_RATES = [44100, 48000, 32000]


def describe(path: Path) -> str:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True).stderr.decode()


def mp3_frames(path: Path) -> list[tuple[int, int]]:
    """(kbps, Hz) of every MPEG audio frame, walking the frame headers after the ID3v2 tag."""
    data = path.read_bytes()
    pos = 0
    if data[:3] == b"ID3":
        pos = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    frames = []
    while pos + 4 <= len(data) and data[pos:pos + 3] != b"TAG":
        header = int.from_bytes(data[pos:pos + 4], "big")
        assert header >> 21 == 0x7FF, f"lost frame sync at byte {pos}"
        assert (header >> 19) & 3 == 3 and (header >> 17) & 3 == 1, "not MPEG-1 Layer III"
        kbps, rate = MP3_BITRATES[(header >> 12) & 15], MP3_RATES[(header >> 10) & 3]
        frames.append((kbps, rate))
        pos += 144 * kbps * 1000 // rate + ((header >> 9) & 1)
    return frames


def tiny_jpeg(folder: Path) -> bytes:
    out = folder / "cover.jpg"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=32x32",
                    "-frames:v", "1", "-f", "image2", str(out)], check=True)
    return out.read_bytes()


@functools.lru_cache(maxsize=64)
def _speechlike(variant: int, seconds: float) -> np.ndarray:
    t = np.arange(round((seconds - 0.4) * SR)) / SR
    body = 0.25 * np.sin(2 * np.pi * (110 + 7 * (variant % 5)) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    hiss = np.random.default_rng(variant).standard_normal(round(0.2 * SR)) * 1e-4
    audio = np.concatenate([hiss, body, hiss]).astype(np.float32)
    audio.flags.writeable = False
    return audio


def speechlike(i: int, seconds: float = CHUNK_S) -> np.ndarray:
    """A chunk as the voice gives it: near-silence, a 'sentence' of tones, near-silence."""
    return _speechlike(i % 35, seconds)


def long_chapter(folder: Path, count: int, every: int = 5):
    """`count` chunks of 6 s, a paragraph every `every` chunks: (ChapterAudio, its ChapterSource)."""
    chunks = [Chunk(f"Sentence {i}.", 0, i // every, i % every, i % every == every - 1, i == count - 1)
              for i in range(count)]
    result = assemble_chapter(chunks, speechlike, SR, folder / "long.flac", AssemblySettings())
    source = ChapterSource(result.path, "The Long Chapter",
                           [(b.frame / SR, b.paragraph) for b in result.breaks])
    return result, source


def assert_cut_in_a_paragraph_pause(result, cut: int) -> None:
    audio = sf.read(str(result.path), start=cut - 2 * SR, stop=cut + 2 * SR, dtype="float32")[0]
    breaks = [b for b in result.breaks if abs(b.frame - cut) < SR]
    assert breaks and breaks[0].paragraph, "the cut is not at a paragraph pause"
    silent = np.abs(audio[2 * SR - round(0.25 * SR) : 2 * SR + round(0.25 * SR)])
    assert silent.max() == 0.0  # inside the pause's digital silence: no speech was cut


# -- splitting ---------------------------------------------------------------------------------
def test_a_chapter_over_120_minutes_is_split_at_paragraph_pauses(tmp_path):
    count = 1260  # 2 h 06 min of generated chunk audio
    result, source = long_chapter(tmp_path, count)
    assert result.duration > distribution.MAX_PART_SECONDS
    parts = chapter_parts(source)
    assert len(parts) == 2
    assert [p.title for p in parts] == ["The Long Chapter (part 1 of 2)", "The Long Chapter (part 2 of 2)"]
    assert parts[0].start == 0 and parts[-1].end == result.frames
    for a, b in zip(parts, parts[1:]):
        assert a.end == b.start
        assert_cut_in_a_paragraph_pause(result, a.end)
    for part in parts:
        assert (part.end - part.start) / SR <= distribution.MAX_PART_SECONDS
    # About even halves, not 120 minutes and 6.
    assert abs((parts[0].end - parts[0].start) - (parts[1].end - parts[1].start)) / SR < 60


def test_cuts_find_the_pause_in_a_file_shifted_and_filled_with_room_tone(tmp_path, monkeypatch):
    # What mastering does after assembly: room tone before the first sample (0.75 s here) and
    # noise at -72 dB under everything, so pauses are no longer digital silence.
    monkeypatch.setattr(distribution, "MAX_PART_SECONDS", 50.0)
    result, source = long_chapter(tmp_path, 24, every=3)
    audio = sf.read(str(result.path), dtype="float64")[0]
    head = round(0.75 * SR)
    shifted = np.concatenate([np.zeros(head), audio]) + 10 ** (-72 / 20) * np.random.default_rng(5).standard_normal(
        head + len(audio))
    sf.write(tmp_path / "mastered.flac", shifted, SR, subtype="PCM_16")
    parts = chapter_parts(ChapterSource(tmp_path / "mastered.flac", "M", source.breaks))  # breaks not shifted
    assert len(parts) == 4
    for part in parts[:-1]:
        original = part.end - head
        nearest = min(result.breaks, key=lambda b: abs(b.frame - original))
        assert nearest.paragraph and abs(nearest.frame - original) < round(0.2 * SR)


def test_split_parts_are_encoded_as_tracks_no_longer_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(distribution, "MAX_PART_SECONDS", 50.0)
    result, source = long_chapter(tmp_path, 24, every=3)  # ~2.4 minutes
    folder = tmp_path / "distribution"
    details = BookDetails("A Book", "Ann Author", "Joe", "1999", "Fiction", "About it.", tiny_jpeg(tmp_path),
                          "image/jpeg")
    short = assemble_chapter([Chunk("Hi.", 1, 0, 0, True, True)], lambda i: speechlike(99, 2.0), SR,
                             tmp_path / "short.flac", AssemblySettings())
    out = write_distribution(folder, [source, ChapterSource(short.path, "Short")], details)
    names = [p.name for p in out.files]
    assert names == ["01 - The Long Chapter (part 1 of 4).mp3", "02 - The Long Chapter (part 2 of 4).mp3",
                     "03 - The Long Chapter (part 3 of 4).mp3", "04 - The Long Chapter (part 4 of 4).mp3",
                     "05 - Short.mp3"]
    assert "split into 4 parts (cut at: paragraph, paragraph, paragraph)" in out.notes[0]
    total = 0.0
    for n, path in enumerate(out.files, 1):
        duration, _ = probe_chapters(path)
        assert duration <= 50.0 + 0.1  # the MP3's own encoder delay and padding
        text = describe(path)
        assert f"track           : {n}/5" in text and "album           : A Book" in text
        total += duration
    assert total == pytest.approx(result.duration + short.duration, abs=0.5)
    # A later render with fewer parts leaves no stale files behind.
    monkeypatch.setattr(distribution, "MAX_PART_SECONDS", 7200.0)
    again = write_distribution(folder, [source], details)
    assert sorted(p.name for p in folder.iterdir()) == ["01 - The Long Chapter.mp3"] == [p.name for p in again.files]


def test_plan_cuts_prefers_paragraphs_then_sentences_then_forces():
    paragraphs = [(t, True) for t in (40.0, 95.0, 130.0)]
    sentences = [(t, False) for t in range(5, 200, 10)]
    cuts = plan_cuts(200.0, sorted(paragraphs + sentences), 110.0)
    assert cuts == [(95.0, "paragraph")]
    assert plan_cuts(200.0, [(t, False) for t in range(5, 200, 10)], 110.0) == [(95, "sentence")]
    forced = plan_cuts(200.0, [], 110.0)
    assert [kind for _, kind in forced] == ["forced"] and forced[0][0] == pytest.approx(100.0)
    assert plan_cuts(100.0, paragraphs, 110.0) == []
    with pytest.raises(ValueError, match="part limit"):
        plan_cuts(100.0, [], 2.0)


# -- formats -----------------------------------------------------------------------------------
def test_distribution_mp3_is_44k_cbr_192_with_tags_and_cover(tmp_path):
    result, source = long_chapter(tmp_path, 4)
    cover = tiny_jpeg(tmp_path)
    out = write_distribution(tmp_path / "d", [source], BookDetails("Book", "Ann", "Joe", "2001", None, None, cover),
                             opening=result.path, closing=result.path)
    assert [p.name for p in out.files] == ["00 - Opening credits.mp3", "01 - The Long Chapter.mp3",
                                           "02 - Closing credits.mp3"]
    for n, path in enumerate(out.files, 1):
        text = describe(path)
        assert re.search(r"Audio: mp3 \(mp3float\), 44100 Hz, mono, fltp, 192 kb/s", text), text
        assert re.search(r"Video: mjpeg.*\(attached pic\)", text) and "Cover (front)" in text
        for tag in (f"track           : {n}/3", "artist          : Ann", "album           : Book", "composer        : Joe",
                    "date            : 2001", "genre           : Audiobook"):
            assert tag in text
        frames = mp3_frames(path)
        assert len(frames) > 100 and set(frames) == {(192, 44100)}  # every frame: constant bit rate
        assert path.read_bytes()[:3] == b"ID3" and path.read_bytes()[3] == 3  # ID3v2.3


def test_opus_file_decodes_with_tags(tmp_path):
    result, _ = long_chapter(tmp_path, 3)
    out = write_opus(result.path, tmp_path / "ch.opus", Tags("One", "Ann", "Book", (1, 2)))
    text = describe(out)
    assert "Audio: opus, 48000 Hz, mono" in text and "track           : 1/2" in text and "title           : One" in text
    decoded = tmp_path / "decoded.wav"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(out), str(decoded)], check=True)
    audio, rate = sf.read(str(decoded))
    assert rate == 48000 and len(audio) / rate == pytest.approx(result.duration, abs=0.05)
    assert np.sqrt(np.mean(audio**2)) > 0.01
    assert out.stat().st_size < 1.5 * 32_000 / 8 * result.duration  # 32 kbps, variable: more for these odd tones


def test_bad_segments_are_refused_with_the_file_named(tmp_path):
    result, _ = long_chapter(tmp_path, 2)
    from backend.render.exports import write_distribution_mp3

    with pytest.raises(EncodeError, match="not inside"):
        write_distribution_mp3(Segment(result.path, 10, result.frames + 5), tmp_path / "x.mp3", Tags("x"))
    with pytest.raises(EncodeError, match="does not exist"):
        write_distribution_mp3(Segment(tmp_path / "none.flac"), tmp_path / "x.mp3", Tags("x"))
    assert not (tmp_path / "x.mp3").exists()


def test_m4b_brand_tags_and_bit_rate(tmp_path):
    # Noise, so the AAC encoder needs every bit it is allowed (tones would come out smaller).
    noise = (0.1 * np.random.default_rng(3).standard_normal(30 * SR)).astype(np.float32)
    sf.write(tmp_path / "noise.flac", noise, SR)
    chapter = tmp_path / "noise.flac"
    out = write_m4b([chapter, chapter], ["One", "Two"], tmp_path / "b.m4b", title="Book", author="Ann",
                    cover=tiny_jpeg(tmp_path), cover_mime="image/jpeg", bitrate=96, narrator="Joe", year="1999",
                    description="A tale.", genre="Fiction")
    low = write_m4b([chapter, chapter], ["One", "Two"], tmp_path / "low.m4b", title="Book", bitrate="48k")
    assert 1.7 < out.stat().st_size / low.stat().st_size < 2.3
    text = describe(out)
    assert "major_brand     : M4B " in text
    for tag in ("artist          : Ann", "album           : Book", "composer        : Joe", "date            : 1999",
                "description     : A tale.", "genre           : Fiction", "media_type      : 2"):
        assert tag in text
    stream = re.search(r"Audio: aac \(LC\).*?, (\d+) Hz, mono, fltp, (\d+) kb/s", text)
    assert stream and abs(int(stream[2]) - 96) <= 4, text
    assert re.search(r"Video: mjpeg.*\(attached pic\)", text)
    _, chapters = probe_chapters(out)
    assert [c[2] for c in chapters] == ["One", "Two"] and chapters[1][0] == pytest.approx(30.0, abs=0.05)


# -- credits -----------------------------------------------------------------------------------
def test_credit_texts_and_narrator():
    assert credit_texts("The Clockmaker's Apprentice", "Ann Author", "Joe") == (
        "This is The Clockmaker's Apprentice, written by Ann Author, narrated by Joe.",
        "The end of The Clockmaker's Apprentice.")
    assert credit_texts("Who Is There?", None, None) == ("This is Who Is There?", "The end of Who Is There?")
    assert voice_narrator("en_US-joe-medium") == "Joe" and voice_narrator("de_DE-thorsten_emotional-x_low") == \
        "Thorsten Emotional"
    assert voice_narrator("my-voice") == "My Voice" and voice_narrator("solo") == "Solo"
    assert narrator_name("  Jane Reader ", "en_US-joe-medium") == "Jane Reader"
    assert narrator_name("", "en_US-joe-medium") == narrator_name(None, "en_US-joe-medium") == "Joe"
