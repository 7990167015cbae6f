"""Checking the word timings of a render against its audio (tests/render/test_word_timing.py and
bench/word_timing_bench.py use these definitions).

The reference is made without backend/render/word_timing.py's alignment or the assembly's
bookkeeping:

- where a word starts inside its chunk: espeak-ng reads the chunk's text up to that word the way
  it reads it whole, so the word's first sound is sounding phoneme number n of the chunk, n being
  the sounding phonemes of the text before it; that phoneme's first frame comes from the stored
  durations (id i starts after frames[0..i-1]; ids are `^ _ p _ p … $`, one id per phoneme);
- where the chunk sits in the final chapter file: found by cross-correlating the chunk's cached
  audio with the chapter file decoded back to the voice's rate, so the assembly's trimming and
  pauses and mastering's room tone, resampling and limiter are all measured, not assumed.

An error is the time an output states (SRT, SMIL) minus the reference. A sanity check on the audio
itself: a word that follows a pause inside its chunk (after a comma or a full stop) starts near the
energy onset after that pause.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from backend.render.word_timing import SILENT, STRESS, is_word, spoken_tokens
from backend.text.pronunciation_markup import plain_text

SEARCH_S = 12.0  # how far after the previous chunk's end a chunk is looked for (pauses, room tone)
ONSET_WINDOW_S = 0.005
ONSET_RISE_DB = 20.0  # an onset: the first window this far above the pause's floor


@dataclass(frozen=True)
class ReferenceWord:
    text: str
    start: float  # seconds from the chunk's first sample
    after_pause: bool  # a punctuation pause comes right before it in the phonemes
    first_sound: str = ""  # its first sounding phoneme


def reference_words(phonemizer, spoken: str, ids, frames, hop: int, sample_rate: int) -> list[ReferenceWord | None]:
    """Each said word of a chunk and its start, from the durations and phoneme counts; None for a
    word whose start the two counts below do not agree on.

    A word starts with its first phoneme, a stress mark before its first sound included (that mark
    has its own frames, in which the sound already starts). Counted from the back, word k starts at
    sounding phoneme len(sounds) - the sounds of the text from it on; counted from the front, at
    n = the sounds of the text before it. espeak-ng reads the
    end of a prefix without its right-hand context ("to" alone is "tuː", before a word "tə"; no
    linking r): one sound more or less, so a front count next to a word gap moves onto it. A word
    espeak-ng joins to the one before ("in the" -> "ɪnðə") starts inside a phoneme word, where the
    back count lands as it is."""
    by_id = {tuple(v)[0]: k for k, v in phonemizer.id_map.items() if len(v) == 1}
    starts = np.concatenate([[0], np.cumsum(frames)])
    # Phoneme k is id 2 + 2k (after "^ _"); keep the ones that sound, and note which begin a word.
    heard = [j for j in range(2, len(ids) - 1, 2) if by_id.get(ids[j], " ") not in SILENT]
    begins = {n for n, j in enumerate(heard) if n == 0 or any(by_id.get(ids[i]) == " " for i in range(heard[n - 1], j))}

    def sounds(text: str) -> int:
        return sum(1 for p in phonemizer.phonemes(text) if p not in SILENT) if text else 0

    def snap(n: int) -> int:
        return next((m for m in (n, n + 1, n - 1) if m in begins), n)

    tokens = spoken_tokens(spoken)
    words: list[ReferenceWord | None] = []
    for k, token in enumerate(tokens):
        if not is_word(plain_text(token)):
            continue
        front = snap(sounds(" ".join(tokens[:k])))
        back = len(heard) - sounds(" ".join(tokens[k:]))
        if front != back or not 0 <= front < len(heard):
            words.append(None)
            continue
        j = heard[front]
        while j > 2 and by_id.get(ids[j - 2]) in STRESS:  # a stress mark before the sound: it starts there
            j -= 2
        pause = front > 0 and any(by_id.get(ids[i], "") in ",.;:!?" for i in range(heard[front - 1] + 1, j))
        words.append(ReferenceWord(plain_text(token), float(starts[j]) * hop / sample_rate, pause,
                                   by_id.get(ids[heard[front]], "")))
    return words


def decode(path: Path, sample_rate: int) -> np.ndarray:
    """A file as mono float32 at `sample_rate` (ffmpeg's soxr resampler)."""
    from backend.render.m4b import ffmpeg_exe

    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-ac", "1", "-af",
                          f"aresample={sample_rate}:resampler=soxr", "-f", "f32le", "-"], capture_output=True, check=True)
    return np.frombuffer(out.stdout, np.float32)


def locate(chapter: np.ndarray, chunk: np.ndarray, earliest: float, sample_rate: int) -> float:
    """Where (seconds) the chunk's sample 0 falls in the chapter, searched from `earliest` to SEARCH_S
    after it: the best match of its speech (from its first to its last sample over -50 dBFS)."""
    loud = np.flatnonzero(np.abs(chunk) >= 10 ** (-50 / 20))
    if not len(loud):
        raise ValueError("locate: the chunk is silent")
    first, last = int(loud[0]), int(loud[-1]) + 1
    speech = chunk[first:last].astype(np.float64)
    lo = max(0, round(earliest * sample_rate) + first)
    hi = min(len(chapter), round((earliest + SEARCH_S) * sample_rate) + last)
    window = chapter[lo:hi].astype(np.float64)
    if len(window) < len(speech):
        raise ValueError("locate: the chunk does not fit where it should be")
    size = 1 << int(np.ceil(np.log2(len(window) + len(speech))))
    corr = np.fft.irfft(np.fft.rfft(window, size) * np.conj(np.fft.rfft(speech, size)), size)[: len(window) - len(speech) + 1]
    return (lo + int(np.argmax(corr)) - first) / sample_rate


def onset(chapter: np.ndarray, near: float, sample_rate: int, before: float = 0.15, after: float = 0.15) -> float | None:
    """The energy onset closest after the quietest point before `near`: the first 5 ms window,
    within [near - before, near + after], ONSET_RISE_DB above the quietest window before `near`."""
    win = max(1, round(ONSET_WINDOW_S * sample_rate))
    lo, hi = max(0, round((near - before) * sample_rate)), min(len(chapter), round((near + after) * sample_rate))
    frames = (hi - lo) // win
    if frames < 4:
        return None
    rms = np.sqrt(np.mean(chapter[lo : lo + frames * win].astype(np.float64).reshape(frames, win) ** 2, axis=1) + 1e-20)
    mid = min(frames - 1, max(1, round((near * sample_rate - lo) / win)))
    quiet = int(np.argmin(rms[:mid]))
    rise = np.flatnonzero(rms[quiet:] >= rms[quiet] * 10 ** (ONSET_RISE_DB / 20))
    if not len(rise):
        return None
    return (lo + (quiet + int(rise[0])) * win) / sample_rate


def srt_starts(path: Path) -> list[tuple[float, str]]:
    """(start seconds, text) of every cue of an SRT file."""
    cues = []
    for block in Path(path).read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        if len(lines) < 3:
            continue
        h, m, rest = lines[1].split(" --> ")[0].split(":")
        s, ms = rest.split(",")
        cues.append((int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000, " ".join(lines[2:])))
    return cues


def percentile(values, q: float) -> float:
    return float(np.percentile(np.abs(np.asarray(values, dtype=np.float64)), q)) if len(values) else 0.0


@dataclass
class TimingReport:
    """Errors in seconds (stated minus reference), one per word."""

    words: list[str]
    srt_errors: list[float]
    smil_errors: list[float]
    onset_errors: list[float]  # stated start minus the energy onset, for words after a pause
    chunks_located: int = 0
    unsure: int = 0  # words the reference counts disagree on (left out)
    onset_words: list[str] = field(default_factory=list)  # the onset-checked words, with their first sound


def smil_starts(epub: Path, number: int) -> dict[int, float]:
    """clipBegin of each word clip (`#wN` -> N) of chapter `number`'s overlay in a read-along EPUB."""
    import re
    import zipfile

    with zipfile.ZipFile(epub) as z:
        smil = z.read(f"EPUB/chapter-{number:02d}.smil").decode("utf-8")
    found = {}
    for ref, begin in re.findall(r'#w(\d+)"/><audio [^>]*clipBegin="([\d:.]+)"', smil):
        h, m, s = begin.split(":")
        found[int(ref)] = int(h) * 3600 + int(m) * 60 + float(s)
    return found


def measure_render(book_path: Path, settings, out_dir: Path, stem: str) -> TimingReport:
    """Compare `<stem> words.srt` (and the read-along EPUB's word clips, when there) with the
    reference for every word of a finished render of `book_path` with `settings`."""
    import soundfile as sf

    from backend.render.chunk_cache import ChunkCache
    from backend.render.jobs import book_job_dir
    from backend.render.plan import make_plan
    from backend.text import load_book
    from backend.tts.phonemizer import Phonemizer
    from backend.tts.voice import load_voice

    voice = load_voice(settings.voice)
    rate, phonemizer = voice.sample_rate, Phonemizer(voice)
    from backend.render.cpu_mode_step import planning_settings

    job_dir = book_job_dir(book_path, settings)
    plan = make_plan(load_book(book_path), voice, planning_settings(settings, job_dir))
    cache = ChunkCache(job_dir / "chunks", rate)
    files = sorted(p for p in Path(out_dir).glob(f"[0-9][0-9] - *.{settings.chapter_format}"))
    chapters = sorted({pc.chunk.chapter_index for pc in plan.chunks})
    if len(files) != len(chapters):
        raise ValueError(f"measure_render: {len(files)} chapter files for {len(chapters)} chapters in {out_dir}")
    srt = srt_starts(Path(out_dir) / f"{stem} words.srt")
    epub = Path(out_dir) / f"{stem} read-along.epub"
    report, offset, cue = TimingReport([], [], [], []), 0.0, 0
    for number, (path, index) in enumerate(zip(files, chapters), 1):
        audio = decode(path, rate)
        clips = smil_starts(epub, number) if epub.exists() else {}
        cursor, word_number = 0.0, 0
        for pc in (pc for pc in plan.chunks if pc.chunk.chapter_index == index):
            timing, chunk = cache.get_timing(pc.key), cache.get(pc.key)
            if timing is None or chunk is None or not np.any(np.abs(chunk) >= 10 ** (-50 / 20)):
                continue
            origin = locate(audio, chunk, cursor, rate)
            report.chunks_located += 1
            cursor = max(0.0, origin + len(chunk) / rate - 1.0)  # the next chunk's lead may overlap this one's tail
            for word in reference_words(phonemizer, pc.spoken, timing.ids, timing.frames, timing.hop, rate):
                word_number += 1
                stated, text = srt[cue]
                cue += 1
                if word is None:
                    report.unsure += 1
                    continue
                if text != word.text:
                    raise ValueError(f"measure_render: subtitle {cue} is {text!r}, the reference word {word.text!r}")
                truth = origin + word.start
                report.words.append(word.text)
                report.srt_errors.append(stated - offset - truth)
                if word_number in clips:
                    report.smil_errors.append(clips[word_number] - truth)
                if word.after_pause and (heard := onset(audio, stated - offset, rate)) is not None:
                    report.onset_errors.append(stated - offset - heard)
                    report.onset_words.append(f"{word.text} /{word.first_sound}/")
        offset += sf.info(str(path)).duration
    return report

