"""What was heard against what was to be said: both sides normalized alike (the book's own
normalization: numbers, dates and times as words), then one word alignment per window of
chunks, each chunk scored on its part of it.

Word error rate = (substituted + missing + added words) / words to say. An added word belongs to
the chunk of the word before it (to the first chunk at a window's start).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from backend.text.normalize import normalize_text
from backend.text.pronunciation_markup import plain_text

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Flag rule: more than a fifth of the words wrong (two at least), or three or more missing, or nothing
# heard. Words wrong only in their spelling or where they split ("it swept" heard as "it's wet",
# "past" as "passed") are the recognizer's, not the voice's: they do not flag a chunk whose letters
# are at least 90% right. A single wrong word is Whisper tiny's doubt on short lines, not a flag.
MAX_WER = 0.2
MAX_MISSING = 3
MAX_LETTER_ERRORS = 0.1


@dataclass(frozen=True)
class ChunkScore:
    wer: float
    missing: tuple[str, ...]  # words to say that were not heard
    added: tuple[str, ...]  # words heard that were not to be said
    heard: str  # the transcript's words attributed to this chunk
    words: int  # words to say
    letter_errors: float = 0.0  # edits per letter between the letters to say and those heard (spaces aside)

    @property
    def flagged(self) -> bool:
        if self.words and not self.heard:  # nothing heard at all: silence, noise
            return True
        errors = round(self.wer * self.words)  # one word alone (a title's "Pier" heard "here") is the recognizer's doubt
        return (errors >= 2 and self.wer > MAX_WER and self.letter_errors > MAX_LETTER_ERRORS) or len(self.missing) >= MAX_MISSING

    def to_json(self) -> dict:
        return {"wer": round(self.wer, 4), "missing": list(self.missing), "added": list(self.added),
                "heard": self.heard, "words": self.words, "letter_errors": round(self.letter_errors, 4)}

    @classmethod
    def from_json(cls, data) -> ChunkScore | None:
        try:
            return cls(float(data["wer"]), tuple(map(str, data["missing"])), tuple(map(str, data["added"])),
                       str(data["heard"]), int(data["words"]), float(data.get("letter_errors", 0.0)))
        except (KeyError, TypeError, ValueError):
            return None


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (two rows)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j - 1] + (ca != cb), previous[j] + 1, current[j - 1] + 1))
        previous = current
    return previous[-1]


# Whisper writes the time 6:45 as "645", which reads "six hundred forty five": "hundred" is left out
# on both sides, so a time is not a false alarm (a missing "hundred" alone never flags a chunk).
_IGNORED = frozenset({"hundred"})


def comparable_words(text: str) -> list[str]:
    """Lower-case words, digits spelled out, punctuation and pronunciation marks gone."""
    spoken = normalize_text(plain_text(text)).replace("-", " ").lower().replace("\u2019", "'")
    return [w for w in _WORD.findall(spoken) if w not in _IGNORED]


def _alignment(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Levenshtein alignment as (ref index or None, hyp index or None) pairs, in order."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        row, above = cost[i], cost[i - 1]
        for j in range(1, m + 1):
            row[j] = min(above[j - 1] + (ref[i - 1] != hyp[j - 1]), above[j] + 1, row[j - 1] + 1)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


def score_window(expected: Sequence[str], heard: str) -> list[ChunkScore]:
    """One score per chunk of a window: `expected` are the chunks' texts in the order they were
    played, `heard` the transcript of the whole window."""
    ref, owner = [], []
    for n, text in enumerate(expected):
        words = comparable_words(text)
        ref += words
        owner += [n] * len(words)
    hyp = comparable_words(heard)
    errors = [0] * len(expected)
    missing: list[list[str]] = [[] for _ in expected]
    added: list[list[str]] = [[] for _ in expected]
    heard_words: list[list[str]] = [[] for _ in expected]
    current = 0
    for r, h in _alignment(ref, hyp):
        if r is not None:
            current = owner[r]
        if r is not None and h is not None:
            errors[current] += ref[r] != hyp[h]
            heard_words[current].append(hyp[h])
        elif r is not None:
            errors[current] += 1
            missing[current].append(ref[r])
        else:
            errors[current] += 1
            added[current].append(hyp[h])
            heard_words[current].append(hyp[h])
    scores = []
    for n in range(len(expected)):
        words = owner.count(n)
        wer = errors[n] / words if words else float(bool(added[n]))
        letters = 0.0
        if wer > MAX_WER:  # only then does it matter (and the letters' alignment costs a moment)
            said = "".join(r for r, o in zip(ref, owner) if o == n).replace("'", "")
            got = "".join(heard_words[n]).replace("'", "")
            letters = _edits(said, got) / max(1, len(said))
        scores.append(ChunkScore(wer, tuple(missing[n]), tuple(added[n]), " ".join(heard_words[n]), words, letters))
    return scores


def is_flagged(result: dict | None) -> bool:
    """A stored check result (ChunkScore.to_json) judged by today's rule; unreadable ones are flagged."""
    if result is None:
        return False
    score = ChunkScore.from_json(result)
    return score is None or score.flagged
