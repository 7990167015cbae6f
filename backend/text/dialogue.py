"""Quoted speech: which parts of a paragraph are dialogue (read in the dialogue voice, when the
user picks one for the book) and which are narration.

It reads normalized text, where every double quotation mark of every language (“ ” „ « » 「 」
and the straight one) is already '"' and every single one is "'" (backend/text/normalize.py). A
book quotes speech with one of the two: double marks, unless the book's own text opens far more
single quotes than it uses double marks (British typesetting: ‘Hello,’ she said).

A quote runs from its opening mark to its closing mark or to the end of the paragraph. A quote
that goes on over a paragraph break opens again at the start of the next paragraph (the rule of
every language that marks quotes), so that paragraph is dialogue again, and a stray mark never
turns the rest of a book into dialogue. A quoted word or two inside a sentence (a "so-called"
word, a title) stays narration. Speech marked only by dashes (— Hola —dijo) is not
recognized: it reads as narration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .normalize import is_unspeakable

DOUBLE, SINGLE = '"', "'"
_DOUBLE_MARKS = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f\""
_SINGLE_OPENINGS = re.compile(r"\u2018|(?:^|(?<=[\s(\[\u2014]))'(?=\w)")
_OPEN_BEFORE = "([{\u2014\u2013-:"  # a quote may open right after these (and after a space)
_TRAILING = re.compile(r"[.,;:!?]+")  # "Hello", he said: the comma goes with the quote
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*$")


def quote_mark_for(paragraphs: Iterable[str]) -> str:
    """The mark a book quotes speech with, judged on its raw (not normalized) text."""
    doubles = singles = 0
    for text in paragraphs:
        doubles += sum(text.count(mark) for mark in _DOUBLE_MARKS)
        singles += len(_SINGLE_OPENINGS.findall(text))
    return SINGLE if singles >= 2 and singles > 2 * doubles else DOUBLE


def _opens(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if mark == DOUBLE:  # French spacing: « Bonjour » is '" Bonjour "' once normalized
        return not after.isspace() or (before.isspace() and text[i + 1 :].lstrip()[:1].isalnum())
    return (before.isspace() or before in _OPEN_BEFORE) and (after.isalnum() or after == DOUBLE)


def _closes(text: str, i: int, mark: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isspace():  # before a word it opens (a quote whose close is missing): still dialogue
        return not after.isalnum()  # French spacing: « Bonjour », dit-il
    return mark == DOUBLE or not after.isalnum()  # "don't" inside a single-quoted line is an apostrophe


def _is_speech(text: str, start: int, close: int) -> bool:
    """Is the quote from text[start] to its closing mark at text[close] speech, not a quoted word
    or title (a "so-called" word, the "Times")? Speech opens its paragraph, ends in punctuation
    inside the marks ("Yes!", "Well,"), or runs to three words or more."""
    inner = text[start + 1 : close].strip()
    return not text[:start].strip() or inner[-1:] in ".,!?;:-" or len(inner.split()) >= 3


def quote_spans(paragraph: str, mark: str = DOUBLE) -> list[tuple[str, bool]]:
    """The paragraph as (text, is_dialogue) runs, in order, each stripped, none empty. Joined
    they give back the paragraph (up to whitespace): nothing is dropped. A run of punctuation
    only (the dash between two quotes) joins the run before it."""
    runs: list[tuple[int, int, bool]] = []
    start, inside, i = 0, False, 0
    while i < len(paragraph):
        if paragraph[i] == mark:
            if not inside and _opens(paragraph, i, mark):
                runs.append((start, i, False))
                start, inside = i, True
            elif inside and _closes(paragraph, i, mark):
                trailing = _TRAILING.match(paragraph, i + 1)
                end = trailing.end() if trailing else i + 1
                runs.append((start, end, _is_speech(paragraph, start, i)))
                start, inside, i = end, False, end - 1
        i += 1
    runs.append((start, len(paragraph), inside))
    spans: list[tuple[str, bool]] = []
    for begin, end, dialogue in runs:
        text = paragraph[begin:end].strip()
        if not text:
            continue
        if spans and (is_unspeakable(text) or spans[-1][1] == dialogue):
            spans[-1] = (f"{spans[-1][0]} {text}", spans[-1][1])
        elif spans and is_unspeakable(spans[-1][0]):  # the paragraph opened with punctuation only
            spans[-1] = (f"{spans[-1][0]} {text}", dialogue)
        else:
            spans.append((text, dialogue))
    return spans


def ends_sentence(text: str, following: str | None) -> bool:
    """Does a run ending in `text` end its sentence? Not when it ends without an end mark
    ("Hello," he said) or the next run goes on in lower case ("Why?" he asked)."""
    if following is None:
        return True
    first = following.lstrip("\"'([ ")[:1]
    return bool(_SENTENCE_END.search(text)) and not first.islower()
