"""Where every sentence and word of a chapter is heard in its (mastered) chapter file.

A word's time in the file is its chunk's place (backend/render/assembly.py: where the chunk's own
sample 0 falls, its trimmed near-silence accounted for) plus the word's time inside the chunk
(backend/render/word_timing.py) plus the room tone mastering put before everything. Times are
kept inside the chunk's speech (its cue), so the first word starts when the speech does. A chunk
without word timings (it could not be aligned) shares its cue among its sentences by length.
These timelines feed the word-level subtitles and the read-along EPUB.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from backend.render.assembly import ChapterAudio
from backend.render.chunk_cache import ChunkCache, ChunkTiming
from backend.render.events import RenderStopped
from backend.render.plan import PlannedChunk, RenderPlan
from backend.render.subtitles import Cue
from backend.render.word_timing import TimedWord, WordAligner, is_word, spoken_tokens
from backend.text.chunker import split_sentences
from backend.text.pronunciation_markup import plain_text

_PREDICT_BATCH = 64  # chunks timed between two looks at the Stop button


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: float  # seconds in the chapter file
    end: float


@dataclass
class Sentence:
    """A sentence (or a piece of a long one) as shown: its tokens, each with its Word when timed."""

    parts: list[tuple[str, Word | None]]
    start: float | None = None  # None: a chunk with nothing to say, never heard
    end: float | None = None

    @property
    def text(self) -> str:
        return " ".join(token for token, _ in self.parts)

    @property
    def words(self) -> list[Word]:
        return [word for _, word in self.parts if word is not None]


@dataclass
class Paragraph:
    heading: bool  # the chapter's title, as spoken
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class ChapterTimeline:
    number: int  # 1-based, as in the chapter file's name
    title: str
    audio: Path
    duration: float  # seconds of the chapter file
    paragraphs: list[Paragraph] = field(default_factory=list)

    def sentences(self) -> Iterator[Sentence]:
        for paragraph in self.paragraphs:
            yield from paragraph.sentences


def chunk_words(engine, plan: RenderPlan, cache: ChunkCache) -> dict[str, list[TimedWord] | None]:
    """Each unique chunk's word timings (None: not aligned) from the durations in the cache. A chunk
    cached before durations were kept is timed again by the duration predictor alone (its audio is
    not rendered again) when that predicts exactly the cached length; otherwise it stays unaligned."""
    unique = plan.unique_keys
    timings = {key: cache.get_timing(key) for key in unique}
    missing = [key for key, timing in timings.items() if timing is None and engine.synth_item(unique[key])[0].ids]
    if missing:
        timings.update(_predict_missing(engine, cache, [unique[key] for key in missing]))
    aligners: dict[int, WordAligner] = {}  # one per voice: each aligns with its own phonemes
    words = {}
    for key, pc in unique.items():
        synth = engine.reader(pc)[0]
        aligner = aligners.setdefault(id(synth), WordAligner(synth.phonemizer, synth.sample_rate))
        words[key] = aligner.align(pc.spoken, timings[key])
    speaking = [key for key, pc in unique.items() if any(is_word(plain_text(t)) for t in spoken_tokens(pc.spoken))]
    unaligned = sum(1 for key in speaking if words[key] is None)
    if unaligned:
        engine._log(f"Word timings: {unaligned} of {len(speaking)} chunks could not be aligned to their phonemes; "
                    "their sentences are timed by length within the chunk.", "warning")
    return words


def _predict_missing(engine, cache: ChunkCache, chunks: list[PlannedChunk]) -> dict[str, ChunkTiming | None]:
    from dataclasses import replace

    found: dict[str, ChunkTiming | None] = {}
    engine._log(f"{len(chunks)} cached chunk{'s were' if len(chunks) != 1 else ' was'} rendered before word timings "
                "were kept; timing them with the duration predictor (their audio stays as cached).")
    for first in range(0, len(chunks), _PREDICT_BATCH):
        if engine.cancel.cancelled:
            raise RenderStopped()
        batch = chunks[first : first + _PREDICT_BATCH]
        # Each in its own voice and speaker (a speaker has its own durations), run by its own synthesizer.
        items = [engine.synth_item(pc) for pc in batch]
        for synth in {id(s): s for _, s in items}.values():
            mine = [(pc, item) for pc, (item, s) in zip(batch, items, strict=True) if s is synth]
            predicted = synth.predict_durations([replace(item, part=0) for _, item in mine])
            for (pc, item), frames in zip(mine, predicted, strict=True):
                timing = ChunkTiming(tuple(item.ids), tuple(int(f) for f in frames), synth.hop_length)
                found[pc.key] = timing if timing.samples == cache.length(pc.key) else None
                if found[pc.key] is not None:
                    cache.put_timing(pc.key, timing)
    wrong = sum(1 for timing in found.values() if timing is None)
    if wrong:
        engine._log(f"{wrong} of them did not match their cached audio (rendered on another device or precision?); "
                    "they are timed by sentence. Clear the book's cache for word timings everywhere.", "warning")
    return found


def chapter_timeline(number: int, title: str, planned: Sequence[PlannedChunk], result: ChapterAudio, shift: float,
                     duration: float, words: dict[str, list[TimedWord] | None]) -> ChapterTimeline:
    """The chapter's paragraphs and sentences with their times in the chapter file; `shift`: the
    seconds mastering added before the assembled audio."""
    timeline = ChapterTimeline(number, title, result.path, duration)
    places = {place.index: (place, cue) for place, cue in zip(result.places, result.cues, strict=True)}
    last_paragraph = None
    for index, pc in enumerate(planned):
        if pc.chunk.paragraph_index != last_paragraph:
            timeline.paragraphs.append(Paragraph(heading=pc.chunk.paragraph_index == 0))
            last_paragraph = pc.chunk.paragraph_index
        placed = places.get(index)
        timed = words.get(pc.key) if placed else None
        sentences = _chunk_sentences(pc.spoken, timed, placed, shift)
        timeline.paragraphs[-1].sentences.extend(sentences)
    return timeline


def _chunk_sentences(spoken: str, timed: list[TimedWord] | None, placed, shift: float) -> list[Sentence]:
    tokens = [plain_text(t) for t in spoken_tokens(spoken)]
    groups = _sentence_groups(tokens)
    if placed is None:
        return [Sentence([(tokens[i], None) for i in group]) for group in groups]
    place, cue = placed
    lo, hi = cue.start + shift, cue.end + shift
    word_at: dict[int, Word] = {}
    if timed is not None:
        spoken_words = [i for i, token in enumerate(tokens) if is_word(token)]
        for i, w in zip(spoken_words, timed, strict=True):
            start = min(max(place.origin + shift + w.start, lo), hi)
            word_at[i] = Word(tokens[i], start, min(max(place.origin + shift + w.end, start), hi))
    sentences = [Sentence([(tokens[i], word_at.get(i)) for i in group]) for group in groups]
    if word_at:
        for sentence in sentences:
            timed_words = sentence.words
            if timed_words:
                sentence.start, sentence.end = timed_words[0].start, timed_words[-1].end
        _fill_untimed(sentences, lo)
    else:  # not aligned: the cue shared by length
        weights = [max(1, len(s.text)) for s in sentences]
        total, done = sum(weights), 0
        for sentence, weight in zip(sentences, weights):
            sentence.start = lo + (hi - lo) * done / total
            done += weight
            sentence.end = lo + (hi - lo) * done / total
    return sentences


def _fill_untimed(sentences: list[Sentence], lo: float) -> None:
    """A sentence without a said word (only "—") takes no time, where the one before it ends."""
    before = lo
    for sentence in sentences:
        if sentence.start is None:
            sentence.start = sentence.end = before
        before = sentence.end


def _sentence_groups(tokens: list[str]) -> list[list[int]]:
    """Token indices per sentence, as the chunker splits sentences (a token may hold spaces: a
    marked phrase)."""
    groups: list[list[int]] = []
    pos = 0
    for sentence in split_sentences(" ".join(tokens)):
        need, group = len(sentence.split()), []
        while pos < len(tokens) and need > 0:
            need -= len(tokens[pos].split())
            group.append(pos)
            pos += 1
        if group:
            groups.append(group)
    if pos < len(tokens):
        if groups:
            groups[-1].extend(range(pos, len(tokens)))
        else:
            groups.append(list(range(pos, len(tokens))))
    return groups


def word_cues(timeline: ChapterTimeline) -> list[Cue]:
    """One cue per said word (from its start to the end of its sound, never past the next word's
    start); a sentence without word timings is one cue."""
    cues: list[Cue] = []
    for sentence in timeline.sentences():
        if sentence.start is None:
            continue
        words = sentence.words
        if not words:
            cues.append(Cue(sentence.start, sentence.end, sentence.text))
            continue
        cues.extend(Cue(w.start, w.end, w.text) for w in words)
    for n in range(len(cues) - 1):
        if cues[n].end > cues[n + 1].start:
            cues[n] = Cue(cues[n].start, max(cues[n].start, cues[n + 1].start), cues[n].text)
    return cues
