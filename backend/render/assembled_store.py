"""Chapter files that need no assembling again: after one chunk is fixed (or a stopped render
resumes), only the chapters whose chunks or settings changed are assembled, mastered and tagged
anew; the others are kept, and what the later outputs need of them (speech cues, pauses, where
each chunk sits, the mastered length) is read back from `assembled.json` in the book's job folder.

A chapter file is kept only when the file on disk is the one recorded (same size and
modification time) and its fingerprint is the same: every chunk key and pause, the assembly and
mastering settings, the tags, the cover and the file's name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from backend.atomic_file import save_text
from backend.render.assembly import Break, ChapterAudio, ChunkPlace
from backend.render.subtitles import Cue

FILE_NAME = "assembled.json"
VERSION = 1


@dataclasses.dataclass(frozen=True)
class KeptChapter:
    audio: ChapterAudio  # as assembled (before mastering)
    head_added: float  # seconds of room tone mastering put in front (0 when mastering is off)
    duration: float  # of the file on disk
    frames: int


def fingerprint(chunks, assembly, settings, tags, cover: bytes | None, path: Path, rate: int) -> str:
    """Everything that makes chapter file `path`: its chunks (key and pauses, in order), the assembly
    and mastering settings, its tags and cover."""
    data = {
        "version": VERSION, "file": Path(path).name, "rate": rate,
        "chunks": [[pc.key, pc.chunk.ends_paragraph, pc.chunk.ends_chapter, pc.chunk.ends_mid_sentence] for pc in chunks],
        "assembly": dataclasses.asdict(assembly),
        "master": [settings.master, settings.room_tone_head, settings.room_tone_tail],
        "tags": [str(t) for t in dataclasses.astuple(tags)],
        "cover": hashlib.sha256(cover).hexdigest() if cover else None,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


class AssembledStore:
    def __init__(self, job_dir: Path):
        self.path = Path(job_dir) / FILE_NAME
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.records: dict = data["chapters"] if data.get("version") == VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.records = {}  # none yet, or unreadable: every chapter is assembled

    def kept(self, path: Path, print_: str) -> KeptChapter | None:
        record = self.records.get(str(Path(path).resolve()))
        if not record or record.get("fingerprint") != print_:
            return None
        try:
            stat = Path(path).stat()
            if stat.st_size != record["size"] or stat.st_mtime_ns != record["mtime_ns"]:
                return None
            a = record["audio"]
            audio = ChapterAudio(Path(path), a["sample_rate"], a["frames"], a["duration"], a["gain_db"],
                                 [Cue(*c) for c in a["cues"]], list(a["pauses"]), list(a["joins"]),
                                 [Break(*b) for b in a["breaks"]], [ChunkPlace(*p) for p in a["places"]])
            return KeptChapter(audio, record["head_added"], record["duration"], record["frames"])
        except (OSError, KeyError, TypeError, ValueError):
            return None

    def record(self, path: Path, print_: str, audio: ChapterAudio, head_added: float, duration: float,
               frames: int, chapter: int) -> None:
        """Remember chapter file `path` of the book's chapter `chapter` (0-based) just written (call it
        after its last change: the tags)."""
        stat = Path(path).stat()
        self.records[str(Path(path).resolve())] = {
            "chapter": chapter,
            "fingerprint": print_, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head_added": head_added,
            "duration": duration, "frames": frames,
            "audio": {"sample_rate": audio.sample_rate, "frames": audio.frames, "duration": audio.duration,
                      "gain_db": audio.gain_db, "cues": [[c.start, c.end, c.text] for c in audio.cues],
                      "pauses": audio.pauses, "joins": audio.joins, "breaks": [[b.frame, b.paragraph] for b in audio.breaks],
                      "places": [[p.index, p.origin] for p in audio.places]},
        }
        try:
            save_text(self.path, json.dumps({"version": VERSION, "chapters": self.records}) + "\n")
        except OSError:
            pass  # only a speed-up lost: the next render assembles this chapter again

    def where(self, chapter: int, position: int, folder: Path) -> tuple[Path, float] | None:
        """(chapter file, seconds) where the `position`-th chunk (0-based) of book chapter `chapter` is
        heard in the files last written to `folder`; None when that file is not there as written."""
        for name, record in self.records.items():
            path = Path(name)
            if record.get("chapter") != chapter or path.parent != Path(folder).resolve():
                continue
            try:
                if path.stat().st_mtime_ns != record["mtime_ns"]:
                    return None
                audio = record["audio"]
                for (index, _), cue in zip(audio["places"], audio["cues"], strict=True):
                    if index == position:
                        return path, cue[0] + record["head_added"]
            except (OSError, KeyError, TypeError, ValueError):
                return None
        return None
