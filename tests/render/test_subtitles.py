"""SRT and WebVTT files for the book timeline: exact format, offsets, wrapping."""

from __future__ import annotations

import re

import pytest

from backend.render.subtitles import Cue, format_timestamp, split_cue_text, write_srt, write_vtt

CHAPTERS = [
    [Cue(0.06, 1.5, "Chapter One."), Cue(2.0, 3.25, "   "), Cue(3.5, 4.0, "It was a dark night.")],
    [Cue(0.06, 2.0, "Chapter Two."), Cue(2.5, 3.001, "Fish & chips <hot>.")],
]
OFFSETS = [0.0, 5930.5]  # chapter 2 starts at 1:38:50.5 (over 99 minutes)

TIME = r"(\d{2,}):(\d{2}):(\d{2})[,.](\d{3})"


def parse_time(text: str) -> float:
    h, m, s, ms = re.fullmatch(TIME, text).groups()
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_blocks(body: str) -> list[tuple[float, float, list[str]]]:
    cues = []
    for block in body.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if "-->" not in lines[0]:
            lines = lines[1:]  # the SRT counter
        start, end = lines[0].split(" --> ")
        cues.append((parse_time(start), parse_time(end), lines[1:]))
    return cues


def test_srt_is_exact(tmp_path):
    path = write_srt(CHAPTERS, OFFSETS, tmp_path / "book.srt")
    assert path.read_text(encoding="utf-8") == (
        "1\n00:00:00,060 --> 00:00:01,500\nChapter One.\n\n"
        "2\n00:00:03,500 --> 00:00:04,000\nIt was a dark night.\n\n"
        "3\n01:38:50,560 --> 01:38:52,500\nChapter Two.\n\n"
        "4\n01:38:53,000 --> 01:38:53,501\nFish & chips <hot>.\n"
    )
    parsed = parse_blocks(path.read_text(encoding="utf-8"))
    assert [c[2] for c in parsed] == [["Chapter One."], ["It was a dark night."], ["Chapter Two."],
                                     ["Fish & chips <hot>."]]
    assert parsed[2][0] == pytest.approx(5930.5 + 0.06)
    assert list(tmp_path.iterdir()) == [path]  # no temp file left


def test_vtt_is_exact_with_header_and_escaping(tmp_path):
    path = write_vtt(CHAPTERS, OFFSETS, tmp_path / "book.vtt")
    text = path.read_text(encoding="utf-8")
    assert text == (
        "WEBVTT\n\n"
        "00:00:00.060 --> 00:00:01.500\nChapter One.\n\n"
        "00:00:03.500 --> 00:00:04.000\nIt was a dark night.\n\n"
        "01:38:50.560 --> 01:38:52.500\nChapter Two.\n\n"
        "01:38:53.000 --> 01:38:53.501\nFish &amp; chips &lt;hot&gt;.\n"
    )
    parsed = parse_blocks(text.split("\n\n", 1)[1])
    assert [round(c[0], 3) for c in parsed] == [0.06, 3.5, 5930.56, 5933.0]


def test_timestamps_past_99_minutes_and_100_hours():
    assert format_timestamp(99 * 60 + 59.9994, ",") == "01:39:59,999"
    assert format_timestamp(3 * 3600 + 0.0005, ".") in ("03:00:00.000", "03:00:00.001")
    assert format_timestamp(100 * 3600 + 61.25, ".") == "100:01:01.250"
    assert format_timestamp(59.9996, ",") == "00:01:00,000"  # rounding carries into minutes


def test_offsets_are_applied_per_chapter(tmp_path):
    cues = [[Cue(1.0, 2.0, "a")], [Cue(1.0, 2.0, "b")], [Cue(1.0, 2.0, "c")]]
    parsed = parse_blocks(write_srt(cues, [0.0, 10.0, 7200.0], tmp_path / "o.srt").read_text())
    assert [(c[0], c[1]) for c in parsed] == [(1.0, 2.0), (11.0, 12.0), (7201.0, 7202.0)]


def test_long_text_is_wrapped_and_split_into_consecutive_cues(tmp_path):
    words = " ".join(f"word{i}" for i in range(60))  # ~410 characters
    parsed = parse_blocks(write_srt([[Cue(10.0, 30.0, words + "\n\nend")]], [100.0],
                                    tmp_path / "long.srt").read_text())
    assert len(parsed) > 1
    assert parsed[0][0] == pytest.approx(110.0) and parsed[-1][1] == pytest.approx(130.0)
    for (s1, e1, lines), (s2, _, _) in zip(parsed, parsed[1:]):
        assert e1 == pytest.approx(s2, abs=0.001) and s1 < e1
    for _, _, lines in parsed:
        assert 1 <= len(lines) <= 2
        assert all(0 < len(line) <= 42 for line in lines)
    assert " ".join(line for c in parsed for line in c[2]) == words + " end"


def test_split_cue_text_collapses_whitespace():
    assert split_cue_text("  a\n\nb\tc ") == [["a b c"]]
    assert split_cue_text(" \n ") == []


def test_mismatched_offsets_and_backwards_cues_raise(tmp_path):
    with pytest.raises(ValueError, match="offsets"):
        write_srt(CHAPTERS, [0.0], tmp_path / "x.srt")
    with pytest.raises(ValueError, match="ends before"):
        write_vtt([[Cue(2.0, 1.0, "x")]], [0.0], tmp_path / "x.vtt")
    assert list(tmp_path.iterdir()) == []


def test_empty_book_gives_valid_files(tmp_path):
    assert write_vtt([], [], tmp_path / "e.vtt").read_text() == "WEBVTT\n"
    assert write_srt([[]], [0.0], tmp_path / "e.srt").read_text() == ""
