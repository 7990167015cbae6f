"""Tags on finished audio files, written in place with mutagen (GPL-2.0-or-later): FLAC Vorbis
comments and a front-cover PICTURE block, an ID3v2.3 chunk in a WAV, Vorbis comments and a
METADATA_BLOCK_PICTURE in an Opus file.

mutagen rewrites only the metadata blocks, never the audio frames, so tagging cannot change a
sample (the resume tests compare samples) and needs no second encode; ffmpeg would have to
remux the whole file. The MP3s get their ID3 tags from ffmpeg while they are encoded.
"""

from __future__ import annotations

import base64
from pathlib import Path

from backend.render.exports import Tags


class TagError(OSError):
    """A file's tags could not be written (the audio is untouched)."""


def _picture(cover: bytes, mime: str | None):
    from mutagen.flac import Picture

    from backend.render.details import picture_size

    kind, width, height = picture_size(cover)
    picture = Picture()
    picture.type = 3  # front cover
    picture.mime = mime or kind
    picture.desc = "Cover (front)"
    picture.width, picture.height, picture.depth = width, height, 24
    picture.data = cover
    return picture


def _vorbis_fields(tags: Tags) -> dict[str, str]:
    fields = {"TITLE": tags.title, "ARTIST": tags.artist, "ALBUMARTIST": tags.artist, "ALBUM": tags.album,
              "GENRE": tags.genre, "DATE": tags.year, "COMPOSER": tags.narrator, "PERFORMER": tags.narrator,
              "DESCRIPTION": tags.description, "COMMENT": tags.description}
    if tags.track:
        fields.update(TRACKNUMBER=str(tags.track[0]), TRACKTOTAL=str(tags.track[1]))
    return {k: v for k, v in fields.items() if v}


def _id3(tags: Tags, cover: bytes | None, mime: str | None):
    from mutagen import id3

    frames = id3.ID3()
    for frame, value in ((id3.TIT2, tags.title), (id3.TPE1, tags.artist), (id3.TPE2, tags.artist),
                         (id3.TALB, tags.album), (id3.TCON, tags.genre), (id3.TCOM, tags.narrator),
                         (id3.TDRC, tags.year)):
        if value:
            frames.add(frame(encoding=3, text=[value]))
    if tags.track:
        frames.add(id3.TRCK(encoding=3, text=[f"{tags.track[0]}/{tags.track[1]}"]))
    if tags.description:
        frames.add(id3.COMM(encoding=3, lang="eng", desc="", text=[tags.description]))
    if cover:
        frames.add(id3.APIC(encoding=3, mime=_picture(cover, mime).mime, type=3, desc="Cover (front)", data=cover))
    return frames


def _fresh(audio):
    """The file's tags, emptied (created when it has none)."""
    if audio.tags is None:
        audio.add_tags()
    audio.tags.clear()
    return audio.tags


def write_tags(path: Path, tags: Tags, cover: bytes | None = None, cover_mime: str | None = None) -> Path:
    """Replace the tags of a .flac, .wav or .opus file with `tags` (and the cover, when given)."""
    import mutagen

    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".flac":
            from mutagen.flac import FLAC

            audio = FLAC(str(path))
            audio.clear_pictures()
            _fresh(audio).update(_vorbis_fields(tags))  # ffmpeg's "encoder" and all else from before goes
            if cover:
                audio.add_picture(_picture(cover, cover_mime))
            audio.save()
        elif suffix == ".wav":
            from mutagen.wave import WAVE

            audio = WAVE(str(path))
            fresh = _fresh(audio)
            for frame in _id3(tags, cover, cover_mime).values():
                fresh.add(frame)
            audio.save(v2_version=3)
        elif suffix == ".opus":
            from mutagen.oggopus import OggOpus

            audio = OggOpus(str(path))
            _fresh(audio).update(_vorbis_fields(tags))
            if cover:
                audio["METADATA_BLOCK_PICTURE"] = base64.b64encode(_picture(cover, cover_mime).write()).decode("ascii")
            audio.save()
        else:
            raise TagError(f"Cannot tag '{path.name}': {suffix or 'no'} files are not tagged here")
    except (mutagen.MutagenError, OSError) as exc:
        if isinstance(exc, TagError):
            raise
        raise TagError(f"Cannot write the tags of '{path.name}' in '{path.parent}': {exc}") from exc
    except ValueError as exc:  # a cover that is neither JPEG nor PNG
        raise TagError(f"Cannot put the cover into '{path.name}': {exc}") from exc
    return path
