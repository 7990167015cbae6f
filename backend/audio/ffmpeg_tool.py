"""The bundled ffmpeg (imageio-ffmpeg; there is no ffprobe): where it is, and what `ffmpeg -i`
says about a file (codec, rate, channels, bit rate, chapters)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path


class AudioToolError(RuntimeError):
    """ffmpeg is missing, or could not read or write an audio file; the message says which and why."""


def ffmpeg_exe() -> str:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise AudioToolError(f"The ffmpeg binary from imageio-ffmpeg is not available: {exc}") from exc


def stderr_tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass(frozen=True)
class StreamInfo:
    codec: str  # flac, pcm_s16le, mp3, aac, opus, …
    sample_rate: int
    channels: int
    layout: str  # mono, stereo, 5.1, …
    bit_rate_kbps: float | None  # the stream's (or the file's) bit rate, None when ffmpeg does not say
    chapters: int  # chapter marks in the container (an M4B of a whole book has several)

    @property
    def lossless(self) -> bool:
        return self.codec.startswith("pcm_") or self.codec in ("flac", "alac", "wavpack", "ape", "tta")


_STREAM_RE = re.compile(r"Stream #\d+:\d+(?:\[\w+\])?(?:\(\w+\))?: Audio: (\w+)[^,]*, (\d+) Hz, ([^,]+),")
_STREAM_KBPS_RE = re.compile(r"(\d+(?:\.\d+)?) kb/s")
_FILE_KBPS_RE = re.compile(r"^\s*Duration: .*bitrate: (\d+(?:\.\d+)?) kb/s", re.MULTILINE)
_CHAPTER_RE = re.compile(r"^\s*Chapter #\d+:\d+:", re.MULTILINE)
_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "4.0": 4, "5.0": 5, "5.1": 6, "6.1": 7, "7.1": 8}


def parse_stream_info(ffmpeg_stderr: str) -> StreamInfo | None:
    """The first audio stream of the first input described in `ffmpeg -i` output, or None when
    there is none. What ffmpeg says about its output (it copies the chapters there) is left out."""
    ffmpeg_stderr = ffmpeg_stderr.split("\nOutput #", 1)[0]
    match = _STREAM_RE.search(ffmpeg_stderr)
    if match is None:
        return None
    codec, rate, layout = match[1], int(match[2]), match[3].strip()
    layout = layout.split("(")[0].strip()
    channels = _CHANNELS.get(layout)
    if channels is None:
        digits = re.match(r"(\d+) channels", layout)
        channels = int(digits[1]) if digits else 1
    line_end = ffmpeg_stderr.find("\n", match.end())
    line = ffmpeg_stderr[match.end(): line_end if line_end >= 0 else None]
    kbps = _STREAM_KBPS_RE.search(line) or _FILE_KBPS_RE.search(ffmpeg_stderr)
    return StreamInfo(codec, rate, channels, layout, float(kbps[1]) if kbps else None,
                      len(_CHAPTER_RE.findall(ffmpeg_stderr)))


def probe(path: Path) -> StreamInfo:
    """StreamInfo of a file from `ffmpeg -i` (ffmpeg exits 1 there: no output was asked for)."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                            stdin=subprocess.DEVNULL, capture_output=True)
    text = result.stderr.decode("utf-8", "replace")
    info = parse_stream_info(text)
    if info is None:
        raise AudioToolError(f"'{path}' is not an audio file ffmpeg can read ({stderr_tail(text, 1) or 'no audio stream'}).")
    return info


def mp3_bit_rate_mode(path: Path) -> str | None:
    """'CBR' or 'VBR' for an MP3, from the LAME/Xing header of its first frame ('Info' marks a
    constant bit rate, 'Xing' or 'VBRI' a variable one; no header: an old CBR encoder); None when
    the file cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(10)
            skip = 0
            if head[:3] == b"ID3" and len(head) == 10:  # ID3v2: size is four 7-bit bytes
                skip = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
            handle.seek(skip)
            frame = handle.read(4096)
    except OSError:
        return None
    if b"Xing" in frame or b"VBRI" in frame:
        return "VBR"
    return "CBR"
