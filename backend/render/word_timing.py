"""Word timings of one chunk, from the phoneme durations its audio was made with.

The voice times every phoneme id (backend/tts/synth.py keeps the frames per id; the chunk cache
stores them beside the audio). Here the chunk's phonemes are made again from its spoken text and
checked against the ids that were synthesized, so each phoneme gets its exact span of the audio.
The text's words are then aligned to that phoneme stream: espeak-ng joins some words ("in the" ->
"ɪnðə") and says others in parts, so counting word gaps is not enough. Each word is phonemized
alone (cached: books repeat their words), the two phoneme strings are matched character by
character (difflib), and a word starts at the phoneme its own first phoneme matched, inside a
joined phoneme word too. A chunk whose phonemes do not match its ids, or whose words match too
little of what was said, gets no word timings (None): its outputs fall back to sentence level.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from backend.render.chunk_cache import ChunkTiming
from backend.text.pronunciation_markup import mark, plain_text, segments

# Phonemes that make no sound of their own: word gaps, punctuation (a pause) and stress marks.
STRESS = frozenset("\u02c8\u02cc")
SILENT = frozenset(" ,.;:!?-'\"()\u2014\u2026\u2193#") | STRESS
MIN_MATCH = 0.6  # share of the phonemes the words and the audio must have in common
_SPACE = re.compile(r"(\s+)")
_WORD = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class TimedWord:
    """A word as written (`text`, with its punctuation) and when it is said, in seconds from the
    first sample of its chunk's audio. `end` is the end of its last sound (pauses excluded)."""

    text: str
    start: float
    end: float


def spoken_tokens(spoken: str) -> list[str]:
    """The spoken text split at whitespace outside pronunciation marks: a marked phrase ("New York"
    said one way) stays one token, and a suffix glued to a mark ("'s") stays with it."""
    tokens, current = [], ""
    for written, how in segments(spoken):
        if how is not None:
            current += mark(written, how)
            continue
        for part in _SPACE.split(written):
            if part.isspace():
                if current:
                    tokens.append(current)
                current = ""
            else:
                current += part
    if current:
        tokens.append(current)
    return tokens


def is_word(text: str) -> bool:
    """A token that is said: it has a letter or digit ("—" or "…" alone are not words)."""
    return bool(_WORD.search(text))


def phoneme_spans(phonemes: list[str], id_map: dict, timing: ChunkTiming) -> list[tuple[int, int]] | None:
    """(first frame, end frame) of each phoneme, its trailing pad included; None when these
    phonemes are not what made the timed ids (the text, the voice or espeak-ng changed)."""
    pad, ids = list(id_map.get("_", ())), []
    spans: list[tuple[int, int]] = []
    frames = timing.frames
    ids.extend(id_map.get("^", ()))
    ids.extend(pad)
    cursor = sum(frames[: len(ids)])
    for p in phonemes:
        mapped = list(id_map.get(p, ()))
        if not mapped:  # skipped by the phonemizer: no sound, no time
            spans.append((cursor, cursor))
            continue
        first = len(ids)
        ids.extend(mapped)
        ids.extend(pad)
        end = cursor + sum(frames[first : len(ids)])
        spans.append((cursor, end))
        cursor = end
    ids.extend(id_map.get("$", ()))
    if tuple(ids) != tuple(timing.ids):
        return None
    return spans


class WordAligner:
    """Aligns chunks of one voice; keeps each token's phonemes alone (espeak-ng is called once per
    distinct token of the book)."""

    def __init__(self, phonemizer, sample_rate: int):
        self.phonemizer = phonemizer
        self.sample_rate = sample_rate
        self._alone: dict[str, list[str]] = {}

    def _sounds_alone(self, token: str) -> list[str]:
        said = self._alone.get(token)
        if said is None:
            said = [p for p in self.phonemizer.phonemes(token) if p not in SILENT]
            self._alone[token] = said
        return said

    def align(self, spoken: str, timing: ChunkTiming | None) -> list[TimedWord] | None:
        """Every word of the chunk (tokens without letters are left out) with its time; None when
        the chunk cannot be aligned. Never raises for odd text."""
        tokens = [t for t in spoken_tokens(spoken) if is_word(plain_text(t))]
        if timing is None or not tokens:
            return None
        phonemes = self.phonemizer.phonemes(spoken)
        spans = phoneme_spans(phonemes, self.phonemizer.id_map, timing)
        if spans is None:
            return None
        # What was said: sounding phonemes, each with its span; where each phoneme word starts.
        heard = [i for i, p in enumerate(phonemes) if p not in SILENT]
        word_starts = {pos for pos, i in enumerate(heard) if pos == 0 or " " in phonemes[heard[pos - 1] + 1 : i]}
        expected, token_starts = [], []
        for token in tokens:
            token_starts.append(len(expected))
            expected.extend(self._sounds_alone(token))
        said = [phonemes[i] for i in heard]
        if not said or not expected:
            return None
        matcher = difflib.SequenceMatcher(None, expected, said, autojunk=False)
        matched = sum(block.size for block in matcher.get_matching_blocks())
        if matched < MIN_MATCH * max(len(expected), len(said)):
            return None
        starts = [_map_position(e, matcher.get_opcodes(), word_starts) for e in token_starts]
        for n in range(1, len(starts)):  # in order, whatever the matcher did
            starts[n] = max(starts[n], starts[n - 1])
        bounds = starts + [len(said)]
        rate, hop = self.sample_rate, timing.hop
        frame_spans = [(spans[_stressed(phonemes, heard[a])][0], spans[heard[b - 1]][1]) if b > a else None
                       for a, b in zip(bounds, bounds[1:])]
        return [TimedWord(plain_text(t), s * hop / rate, e * hop / rate)
                for t, (s, e) in zip(tokens, _share_empty(frame_spans, tokens))]


def _stressed(phonemes: list[str], i: int) -> int:
    """A stress mark before a sound has its own frames, in which the sound already starts."""
    while i > 0 and phonemes[i - 1] in STRESS:
        i -= 1
    return i


def _map_position(e: int, opcodes, word_starts: set[int]) -> int:
    """Where position `e` of the words' own phonemes lands among the phonemes said."""
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "insert" and i1 == e and j1 in word_starts:
            return j1  # said sounds the words lack, at the start of a word: they begin this word
        if i1 <= e < i2:
            if tag == "equal":
                return j1 + (e - i1)
            if tag == "replace":  # sounds said otherwise ("to" as tə, a linking r): start where a said word does
                guess = j1 + (e - i1) * (j2 - j1) // (i2 - i1)
                return min((j for j in range(j1, j2) if j in word_starts), key=lambda j: abs(j - guess), default=guess)
            return j1  # delete: sounds the audio lacks; the word starts where the gap is
    return opcodes[-1][4] if opcodes else 0


def _share_empty(spans: list[tuple[int, int] | None], tokens: list[str]) -> list[tuple[int, int]]:
    """Words that got no phonemes of their own share the span of the next word that has some (or
    the previous one, at the end), by letter count, so every word has a time and none overlap."""
    out: list[tuple[int, int]] = []
    waiting: list[int] = []
    for n, span in enumerate(spans):
        waiting.append(n)
        if span is None:
            continue
        out.extend(_split(span, [len(plain_text(tokens[k])) for k in waiting]))
        waiting = []
    if waiting:
        if not out:
            return [(0, 0)] * len(spans)
        last = waiting[0] - 1
        shared = _split(out.pop(), [len(plain_text(tokens[k])) for k in [last, *waiting]])
        out.extend(shared)
    return out


def _split(span: tuple[int, int], weights: list[int]) -> list[tuple[int, int]]:
    start, end = span
    total, done, parts = sum(weights) or 1, 0, []
    for w in weights:
        a = start + (end - start) * done // total
        done += w
        parts.append((a, start + (end - start) * done // total))
    return parts
