"""Encoded copies of chapter audio: distribution MP3s (ACX/Audible's format) and Opus files.

Audio is streamed from the WAV/FLAC chapter files into ffmpeg (the imageio-ffmpeg binary) as raw
float PCM, a frame range at a time, so a chapter can be cut into parts at exact samples without
writing it twice. Every file appears under its name only when complete.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from backend.render.m4b import EncodeError, _cover_suffix, _encode_to, _read_infos, _write_temp, ffmpeg_exe

_BLOCK_FRAMES = 1 << 16

# ACX/Audible (and Findaway, Google Play): MP3, constant 192 kbps or more, 44.1 kHz, all files mono.
DISTRIBUTION_RATE = 44100
DISTRIBUTION_BITRATE = "192k"
OPUS_RATE = 48000  # Opus always decodes at 48 kHz
OPUS_BITRATE = "32k"  # speech, mono: small files for phones


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str | None = None  # the author
    album: str | None = None  # the book's title
    track: tuple[int, int] | None = None  # (n, N)
    genre: str | None = "Audiobook"
    year: str | None = None
    narrator: str | None = None  # written as composer, where audiobook players look for it
    description: str | None = None

    def ffmpeg_args(self) -> list[str]:
        values = {"title": self.title, "artist": self.artist, "album_artist": self.artist, "album": self.album,
                  "genre": self.genre, "date": self.year, "composer": self.narrator, "comment": self.description}
        if self.track:
            values["track"] = f"{self.track[0]}/{self.track[1]}"
        args = []
        for key, value in values.items():
            if value:
                args += ["-metadata", f"{key}={value}"]
        return args


@dataclass(frozen=True)
class Segment:
    """Frames [start, end) of one audio file (end None: to its end)."""

    path: Path
    start: int = 0
    end: int | None = None


def _check_segment(segment: Segment, out: Path) -> int:
    """The segment's frame count; EncodeError naming both files when it cannot be read."""
    info = _read_infos([segment.path], out)[0]
    end = info.frames if segment.end is None else segment.end
    if not 0 <= segment.start < end <= info.frames:
        raise EncodeError(f"Cannot write {out}: frames {segment.start}-{end} are not inside {segment.path} "
                          f"({info.frames} frames)", out)
    if info.channels != 1:
        raise EncodeError(f"Cannot write {out}: {segment.path} has {info.channels} channels; chapter files are mono",
                          out)
    return end


def _feed_segment(segment: Segment, end: int):
    def feed(stdin) -> None:
        with sf.SoundFile(str(segment.path)) as audio:
            audio.seek(segment.start)
            left = end - segment.start
            while left > 0:
                block = audio.read(min(_BLOCK_FRAMES, left), dtype="float32", always_2d=True)
                if not len(block):
                    raise OSError(f"{segment.path} ended {left} frames early")
                stdin.write(block.tobytes())
                left -= len(block)
    return feed


def _encode_segment(segment: Segment, out: Path, codec: list[str], rate: int, tags: Tags, fmt: str,
                    cover: bytes | None = None, cover_mime: str | None = None) -> Path:
    out = Path(out)
    end = _check_segment(segment, out)
    source_rate = sf.info(str(segment.path)).samplerate
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "warning", "-nostats", "-y",
            "-f", "f32le", "-ar", str(source_rate), "-ac", "1", "-i", "pipe:0"]
    maps = ["-map", "0:a"]
    with tempfile.TemporaryDirectory(prefix="export-") as work:
        if cover:
            cover_path = Path(work) / f"cover{_cover_suffix(cover, cover_mime, out)}"
            _write_temp(cover_path, cover, out)
            args += ["-i", str(cover_path)]
            maps += ["-map", "1:v", "-c:v", "copy", "-disposition:v:0", "attached_pic",
                     "-metadata:s:v", "title=Album cover", "-metadata:s:v", "comment=Cover (front)"]
        # soxr: the high-quality resampler (22.05 -> 44.1 kHz or 48 kHz), only when the rate differs.
        resample = ["-af", f"aresample={rate}:resampler=soxr"] if rate != source_rate else []
        _encode_to(out, args + maps + resample + ["-ar", str(rate), "-ac", "1"] + codec + tags.ffmpeg_args()
                   + ["-f", fmt], _feed_segment(segment, end))
    return out


def write_distribution_mp3(segment: Segment, out: Path, tags: Tags, cover: bytes | None = None,
                           cover_mime: str | None = None) -> Path:
    """MP3, 44.1 kHz mono, constant 192 kbps (no VBR/ABR), ID3v2.3 tags and the cover as its
    front-cover picture."""
    codec = ["-c:a", "libmp3lame", "-b:a", DISTRIBUTION_BITRATE, "-abr", "0", "-id3v2_version", "3",
             "-write_xing", "1"]
    return _encode_segment(segment, out, codec, DISTRIBUTION_RATE, tags, "mp3", cover, cover_mime)


def write_opus(source: Path, out: Path, tags: Tags, bitrate: str = OPUS_BITRATE) -> Path:
    """An Ogg Opus copy of a chapter file (mono speech at `bitrate`), with its tags."""
    codec = ["-c:a", "libopus", "-b:a", bitrate, "-application", "audio"]
    return _encode_segment(Segment(Path(source)), out, codec, OPUS_RATE, tags, "ogg")


__all__ = ["DISTRIBUTION_BITRATE", "DISTRIBUTION_RATE", "OPUS_BITRATE", "Segment", "Tags",
           "write_distribution_mp3", "write_opus"]
