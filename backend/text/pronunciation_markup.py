"""How a chosen pronunciation travels from the text side to the phonemizer.

The lexicon and the heteronym reader replace a word in a chunk's spoken text by a mark that keeps
the word as written and says how to say it: phonemes (espeak-ng IPA) or a respelling ("her MY oh
nee": syllables, the stressed one in capitals). The marks are Unicode private-use characters, which
no book uses and which normalization never produces, so the mark survives chunking, is part of the
chunk's cache key (an edited entry re-renders exactly the chunks it touches) and is stripped back to
the written word wherever text is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
IPA, RESPELLING = "i", "r"
_MARK = re.compile(f"{OPEN}([^{SEP}{CLOSE}]*){SEP}([{IPA}{RESPELLING}])([^{CLOSE}]*){CLOSE}")
_MARK_CHARS = re.compile(f"[{OPEN}{SEP}{CLOSE}]")


@dataclass(frozen=True)
class Pronunciation:
    """How to say a word: `kind` is IPA ("i") or RESPELLING ("r")."""

    kind: str
    value: str


def mark(written: str, how: Pronunciation) -> str:
    """The written word, marked to be said as `how`."""
    written = _MARK_CHARS.sub("", written)
    value = _MARK_CHARS.sub("", how.value)
    return f"{OPEN}{written}{SEP}{how.kind}{value}{CLOSE}"


def has_marks(text: str) -> bool:
    return OPEN in text


def plain_text(spoken: str) -> str:
    """The text as written: every mark replaced by its word (for logs, subtitles, checks)."""
    if OPEN not in spoken:
        return spoken
    return _MARK.sub(lambda m: m.group(1), spoken)


def segments(spoken: str) -> Iterator[tuple[str, Pronunciation | None]]:
    """(text, None) for plain runs and (written word, pronunciation) for marks, in order."""
    pos = 0
    for m in _MARK.finditer(spoken):
        if m.start() > pos:
            yield spoken[pos : m.start()], None
        yield m.group(1), Pronunciation(m.group(2), m.group(3))
        pos = m.end()
    if pos < len(spoken):
        yield spoken[pos:], None


def unmarked_spans(spoken: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the runs outside marks: where another rule may still change words."""
    pos = 0
    for m in _MARK.finditer(spoken):
        if m.start() > pos:
            yield pos, m.start()
        pos = m.end()
    if pos < len(spoken):
        yield pos, len(spoken)


def replace_outside_marks(spoken: str, pattern: re.Pattern[str], repl) -> str:
    """pattern.sub(repl, …) applied only to text outside existing marks (marks never nest)."""
    if OPEN not in spoken:
        return pattern.sub(repl, spoken)
    out, pos = [], 0
    for start, end in unmarked_spans(spoken):
        out.append(spoken[pos:start])
        out.append(pattern.sub(repl, spoken[start:end]))
        pos = end
    out.append(spoken[pos:])
    return "".join(out)
