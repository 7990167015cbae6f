"""The book's words most likely to be misread, so a user can fix them before a long render:
proper nouns (names the voice guesses from spelling), all-caps words (read as a word or spelled?),
rare spellings (letters English spelling does not use that way: "Daenerys", "Khaleesi", "Tyr'el",
"Siobhán") and words the phonemizer takes for another language.

espeak-ng's compiled dictionary is packed and cannot be read from Python, so "a word it guesses
by rules" is approximated by these signs; the user decides, with Listen, which ones need an entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .abbreviations import EXPANSION_WORDS
from .book import Book
from .chunker import split_sentences, spoken_paragraphs
from .lexicon import Lexicon

NAME, ALL_CAPS, RARE = "proper noun", "all caps", "rare spelling"
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
# Letter patterns English spelling rarely makes; each found in invented or foreign names.
_RARE = re.compile(
    r"[^\x00-\x7f]|q(?!u)|^(?:dz|zh|kh|ts|tl|ng|mb|nd|sr|vl|zd|yy|aa|ii|uu|x[^aeiouy])|"
    r"[aeiou]{4}|(?:aa|ii|uu|yy|kk|jj|vv|hh|ww|xx|zz(?=[^aeiouy]))|[^aeiouy\W]{5}|['\u2019](?!(?:s|t|d|ll|re|ve|m)\b)",
    re.IGNORECASE,
)
_COMMON_CAPITALIZED = frozenset("I I'm I'll I've I'd OK TV".split())
_OPENING = ('"', "'", "(", "\u201c", "\u2018")
# Words normalization writes out itself ("Mr." -> "Mister") are not the book's spelling.
_EXPANSIONS = frozenset(w for words in EXPANSION_WORDS for w in words.split())
_ROMAN = re.compile(r"[IVXLCDM]+")


@dataclass
class WordToCheck:
    word: str
    count: int = 0
    reasons: set[str] = field(default_factory=set)
    example: str = ""  # a sentence where it is used


def _tokens(paragraphs: Iterable[tuple[str, bool]]):
    for paragraph, is_title in paragraphs:
        for sentence in split_sentences(paragraph):
            for i, m in enumerate(_WORD.finditer(sentence)):
                # A capital after an opening quote starts the quoted sentence ("Well," she said); every
                # word of a title may be capitalized ("The Silent Clock"): neither says "a name".
                starts = is_title or i == 0 or sentence[max(0, m.start() - 1) : m.start()] in _OPENING
                yield m.group(0), starts, sentence


def words_to_check(book: Book, lexicon: Lexicon | None = None, limit: int | None = None) -> list[WordToCheck]:
    """Candidates, most frequent first; words the lexicon already covers are left out."""
    paragraphs = [(p, i == 0) for chapter in book.chapters for i, p in enumerate(spoken_paragraphs(chapter))]
    lower_seen: set[str] = set()
    found: dict[str, WordToCheck] = {}
    mid_sentence: set[str] = set()
    for word, first, sentence in _tokens(paragraphs):
        if word.islower():
            lower_seen.add(word)
            if not _RARE.search(word):
                continue
        entry = found.get(word)
        if entry is None:
            entry = found[word] = WordToCheck(word, example=sentence[:160])
        entry.count += 1
        if not first:
            mid_sentence.add(word)
    results = []
    for word, entry in found.items():
        if word in _COMMON_CAPITALIZED or word in _EXPANSIONS or (lexicon and lexicon.find(word)):
            continue
        letters = word.replace("'", "").replace("\u2019", "").replace("-", "")
        if len(letters) >= 2 and letters.isupper() and not _ROMAN.fullmatch(letters):
            entry.reasons.add(ALL_CAPS)
        elif word[:1].isupper() and word.lower() not in lower_seen and word in mid_sentence:
            entry.reasons.add(NAME)
        if _RARE.search(word):
            entry.reasons.add(RARE)
        if entry.reasons:
            results.append(entry)
    results.sort(key=lambda e: (-e.count, e.word.casefold()))
    return results[:limit] if limit else results
