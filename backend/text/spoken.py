"""A chunk's text as the voice will say it: the user's pronunciations, then heteronyms read from
context, then runs of a script the voice cannot speak left out.

The result carries pronunciation marks (backend/text/pronunciation_markup.py) and is what the
chunk's cache key covers, so a changed pronunciation re-renders exactly the chunks it touches.
"""

from __future__ import annotations

from dataclasses import dataclass

from .heteronyms import applies_to, mark_heteronyms
from .language import drop_unspeakable
from .lexicon import Lexicon


@dataclass(frozen=True)
class SpokenText:
    text: str  # with pronunciation marks
    entries: tuple[str, ...] = ()  # the lexicon entries used, sorted (for the log and the manifest)
    skipped: tuple[str, ...] = ()  # runs in a script the voice cannot speak, left out


def spoken_text(text: str, lexicon: Lexicon | None = None, *, language: str | None = None) -> SpokenText:
    """`language`: the voice's ("en-us"); None keeps every script (nothing is skipped)."""
    entries: tuple[str, ...] = ()
    if lexicon:
        text, used = lexicon.apply(text)
        entries = tuple(sorted(used))
    if applies_to(language):  # English voices (and None); the lexicon's marks above win
        text = mark_heteronyms(text)
    text, skipped = drop_unspeakable(text, language)
    return SpokenText(text, entries, tuple(skipped))
