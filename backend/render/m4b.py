"""Audiobook files: an M4B (AAC in MP4) with chapter markers and an
optional cover, and per-chapter MP3s, using the ffmpeg binary shipped in
the imageio-ffmpeg wheel (no system ffmpeg, no ffprobe).

Chapter audio is streamed block by block from the WAV/FLAC files into
ffmpeg's stdin as raw float PCM: mixed WAV and FLAC inputs then need no
concat list, chapter marks come from exact sample counts, and the book is
never held in memory.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
from pathlib import Path

import soundfile as sf

from backend.atomic_file import replacing

_BLOCK_FRAMES = 1 << 16
M4B_BRAND = "M4B "  # the ftyp major brand audiobook players look for
_STDERR_TAIL_LINES = 15
_COVER_SUFFIX = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/png": ".png"}


class AudioFileError(RuntimeError):
    """Base for errors writing or reading audiobook files."""


class EncodeError(AudioFileError):
    """ffmpeg (or our input checks) could not produce the output file."""

    def __init__(self, message: str, output: Path | None = None, stderr_tail: str = ""):
        super().__init__(message)
        self.output = output
        self.stderr_tail = stderr_tail


class ProbeError(AudioFileError):
    """ffmpeg could not read a file we asked it to describe."""


def ffmpeg_exe() -> str:
    """The bundled ffmpeg (backend/audio/ffmpeg_tool.py), its absence as an EncodeError here."""
    from backend.audio.ffmpeg_tool import AudioToolError
    from backend.audio.ffmpeg_tool import ffmpeg_exe as bundled_ffmpeg

    try:
        return bundled_ffmpeg()
    except AudioToolError as exc:
        raise EncodeError(str(exc)) from exc


def _tail(text: str, lines: int = _STDERR_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# -- FFMETADATA ------------------------------------------------------------------
def escape_ffmetadata(value: str) -> str:
    """Escape a value for an FFMETADATA1 file: '=', ';', '#', '\\' and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def build_ffmetadata(title: str, author: str | None, chapters: list[tuple[int, int, str]], *,
                     narrator: str | None = None, year: str | None = None, description: str | None = None,
                     genre: str | None = None) -> str:
    """FFMETADATA1 text; chapters are (start_ms, end_ms, title). The narrator goes in `composer`
    (where audiobook players such as Audiobookshelf look for it); media_type 2 marks an audiobook."""
    lines = [";FFMETADATA1", f"title={escape_ffmetadata(title)}", f"album={escape_ffmetadata(title)}",
             f"genre={escape_ffmetadata(genre or 'Audiobook')}", "media_type=2"]
    if author:
        lines += [f"artist={escape_ffmetadata(author)}", f"album_artist={escape_ffmetadata(author)}"]
    for key, value in (("composer", narrator), ("date", year), ("description", description),
                       ("comment", description)):
        if value:
            lines.append(f"{key}={escape_ffmetadata(value)}")
    for start_ms, end_ms, chapter_title in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start_ms}", f"END={end_ms}",
                  f"title={escape_ffmetadata(chapter_title)}"]
    return "\n".join(lines) + "\n"


# -- inputs ----------------------------------------------------------------------
def _read_infos(chapter_files: list[Path], out: Path) -> list:
    infos = []
    for path in chapter_files:
        path = Path(path)
        if not path.is_file():
            raise EncodeError(f"Cannot write {out}: chapter audio file {path} does not exist", out)
        try:
            infos.append(sf.info(str(path)))
        except (OSError, RuntimeError) as exc:
            raise EncodeError(f"Cannot write {out}: chapter audio file {path} is not readable audio ({exc})",
                              out) from exc
    first = infos[0]
    for path, info in zip(chapter_files, infos):
        if (info.samplerate, info.channels) != (first.samplerate, first.channels):
            raise EncodeError(
                f"Cannot write {out}: {path} is {info.samplerate} Hz / {info.channels} ch but "
                f"{chapter_files[0]} is {first.samplerate} Hz / {first.channels} ch", out)
    return infos


def _chapter_marks(infos, titles: list[str]) -> list[tuple[int, int, str]]:
    # Marks from cumulative sample counts, rounded once, so they never drift.
    marks, frames = [], 0
    rate = infos[0].samplerate
    for info, chapter_title in zip(infos, titles):
        start = round(frames * 1000 / rate)
        frames += info.frames
        marks.append((start, round(frames * 1000 / rate), chapter_title))
    return marks


def _cover_suffix(cover: bytes, cover_mime: str | None, out: Path) -> str:
    if cover_mime:
        suffix = _COVER_SUFFIX.get(cover_mime.lower())
        if suffix is None:
            raise EncodeError(f"Cannot write {out}: cover type {cover_mime!r} is not supported (use JPEG or PNG)", out)
        return suffix
    if cover.startswith(b"\xff\xd8"):
        return ".jpg"
    if cover.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    raise EncodeError(f"Cannot write {out}: the cover image is neither JPEG nor PNG", out)


# -- running ffmpeg --------------------------------------------------------------
def _run_ffmpeg(args: list[str], out: Path, feed=None) -> None:
    """Run ffmpeg; feed(stdin) streams input. Raises EncodeError with stderr's tail."""
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(args, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err)
        except OSError as exc:
            raise EncodeError(f"Could not start ffmpeg to write {out}: {exc}", out) from exc
        feed_error = None
        if feed:
            try:
                feed(proc.stdin)
            except BrokenPipeError:
                pass  # ffmpeg quit early; its stderr says why
            except BaseException as exc:  # a read error, or Ctrl+C: stop ffmpeg too
                proc.kill()
                feed_error = exc
            finally:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        code = proc.wait()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if feed_error is not None:
        if isinstance(feed_error, (OSError, RuntimeError)):
            raise EncodeError(f"Could not write {out}: reading chapter audio failed ({feed_error})",
                              out) from feed_error
        raise feed_error
    if code != 0:
        tail = _tail(stderr)
        raise EncodeError(f"ffmpeg failed (exit code {code}) writing {out}:\n{tail}", out, tail)


def _write_temp(path: Path, data: bytes, out: Path) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise EncodeError(f"Cannot write {out}: temporary file {path} failed ({exc.strerror or exc})", out) from exc


def _encode_to(out: Path, args: list[str], feed=None) -> None:
    """Run ffmpeg into a temp file beside `out`, then rename: `out` is never half written."""
    try:
        with replacing(out, suffix=".partial") as temp:
            _run_ffmpeg(args + [str(temp)], out, feed)
    except OSError as exc:
        raise EncodeError(f"Could not write {out}: folder {out.parent} is not writable or full "
                          f"({exc.strerror or exc})", out) from exc


def _stream_pcm(chapter_files: list[Path]):
    def feed(stdin) -> None:
        for path in chapter_files:
            with sf.SoundFile(str(path)) as audio:
                for block in audio.blocks(blocksize=_BLOCK_FRAMES, dtype="float32", always_2d=True):
                    stdin.write(block.tobytes())
    return feed


# -- public API ------------------------------------------------------------------
def write_m4b(chapter_files: list[Path], titles: list[str], out: Path, *, title: str,
              author: str | None = None, cover: bytes | None = None, cover_mime: str | None = None,
              bitrate: str | int = "64k", narrator: str | None = None, year: str | None = None,
              description: str | None = None, genre: str | None = None) -> Path:
    """Encode chapters (WAV/FLAC, same rate and channels) into one M4B: AAC, mono, at `bitrate`
    (kbps as an int, or ffmpeg's "64k"), major brand "M4B ", chapter marks, the book's tags.

    The file appears at `out` only when complete (temp name, then os.replace).
    """
    bitrate = f"{bitrate}k" if isinstance(bitrate, int) else bitrate
    out = Path(out)
    chapter_files = [Path(p) for p in chapter_files]
    if not chapter_files:
        raise EncodeError(f"Cannot write {out}: no chapter audio files were given", out)
    if len(titles) != len(chapter_files):
        raise EncodeError(f"Cannot write {out}: {len(chapter_files)} chapter files but {len(titles)} titles", out)
    infos = _read_infos(chapter_files, out)
    rate, channels = infos[0].samplerate, infos[0].channels
    marks = _chapter_marks(infos, titles)

    try:
        work_dir = tempfile.TemporaryDirectory(prefix="m4b-")
    except OSError as exc:
        raise EncodeError(f"Cannot write {out}: no room for temporary files ({exc.strerror or exc})", out) from exc
    with work_dir as work:
        metadata = Path(work) / "metadata.txt"
        text = build_ffmetadata(title, author, marks, narrator=narrator, year=year, description=description,
                                genre=genre)
        _write_temp(metadata, text.encode("utf-8"), out)
        args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "warning", "-nostats", "-y",
                "-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0",
                "-f", "ffmetadata", "-i", str(metadata)]
        maps = ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
        codecs = ["-c:a", "aac", "-b:a", bitrate, "-ac", "1"]
        if cover:
            cover_path = Path(work) / f"cover{_cover_suffix(cover, cover_mime, out)}"
            _write_temp(cover_path, cover, out)
            args += ["-i", str(cover_path)]
            maps += ["-map", "2:v"]
            codecs += ["-c:v", "copy", "-disposition:v:0", "attached_pic"]
        _encode_to(out, args + maps + codecs + ["-f", "mp4", "-brand", M4B_BRAND], _stream_pcm(chapter_files))
    return out


def write_mp3(wav_or_flac: Path, out: Path, bitrate: str = "192k", *, title: str | None = None,
              author: str | None = None) -> Path:
    """Encode one chapter file to MP3 (libmp3lame, constant bit rate, 44.1 kHz: what distributors take);
    appears at `out` only when complete."""
    source, out = Path(wav_or_flac), Path(out)
    _read_infos([source], out)
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "warning", "-nostats", "-nostdin", "-y", "-i", str(source),
            "-map", "0:a", "-c:a", "libmp3lame", "-b:a", bitrate, "-ar", "44100", "-id3v2_version", "3"]
    if title:
        args += ["-metadata", f"title={title}"]
    if author:
        args += ["-metadata", f"artist={author}"]
    _encode_to(out, args + ["-f", "mp3"])
    return out


_DURATION_RE = re.compile(r"^\s*Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_CHAPTER_RE = re.compile(r"^\s*Chapter #\d+:\d+:\s*start\s+(-?[\d.]+),\s*end\s+(-?[\d.]+)")
_TITLE_RE = re.compile(r"^\s*title\s*:\s?(.*)$")
# ffmpeg prints a multi-line value's further lines as "<spaces>: text".
_CONTINUATION_RE = re.compile(r"^\s+:\s?(.*)$")


def probe_chapters(path: Path) -> tuple[float, list[tuple[float, float, str]]]:
    """(duration_seconds, [(start, end, title), ...]) parsed from `ffmpeg -i path`."""
    path = Path(path)
    if not path.is_file():
        raise ProbeError(f"Cannot read chapters: {path} does not exist")
    # With no output file ffmpeg exits 1 after printing the input's description.
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                            stdin=subprocess.DEVNULL, capture_output=True)
    text = result.stderr.decode("utf-8", "replace")
    duration, chapters = None, []
    in_chapter = in_title = False
    for line in text.splitlines():
        if in_title and (m := _CONTINUATION_RE.match(line)):
            start, end, title = chapters[-1]
            chapters[-1] = (start, end, f"{title}\n{m[1].rstrip()}")
            continue
        in_title = False
        if (m := _DURATION_RE.match(line)) and duration is None:
            duration = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
        elif m := _CHAPTER_RE.match(line):
            chapters.append((float(m[1]), float(m[2]), ""))
            in_chapter = True
        elif in_chapter and (m := _TITLE_RE.match(line)):
            start, end, _ = chapters[-1]
            chapters[-1] = (start, end, m[1].rstrip())
            in_chapter, in_title = False, True
        elif line.lstrip().startswith(("Stream #", "Input #", "Output #")):
            in_chapter = False
    if duration is None:
        raise ProbeError(f"Cannot read chapters: ffmpeg could not read {path}:\n{_tail(text)}")
    return duration, chapters


__all__ = ["AudioFileError", "EncodeError", "ProbeError", "build_ffmetadata", "escape_ffmetadata",
           "probe_chapters", "write_m4b", "write_mp3"]
