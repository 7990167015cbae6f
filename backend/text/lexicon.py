"""The pronunciation lexicon: words or phrases -> how to say them.

An entry says a word either as a respelling ("Hermione" -> "her MY oh nee": syllables, the stressed
one in capitals) or as espeak-ng IPA phonemes ("hɜːmˈaɪəni", marked as phonemes). By default an
entry matches whole words only and ignores case; it can be made case-sensitive, or allowed inside
longer words. Entries match the normalized text, so an entry for "Dr. Who" finds "Doctor Who".
Pure text work: files are read and written in backend/lexicon_store.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from .normalize import normalize_text
from .pronunciation_markup import IPA, RESPELLING, Pronunciation, mark, replace_outside_marks

MAX_WORD_CHARS = 100
_RESPELLING_CHARS = re.compile(r"[^\W\d_]+(?:[\s'\u2019\-\u00b7.]+[^\W\d_]*)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ue000-\uf8ff]")
_IPA_LOOKALIKES = str.maketrans({":": "\u02d0", "'": "\u02c8", ",": "\u02cc"})
_PUNCTUATION = frozenset(".;!?\"()-")


class LexiconError(ValueError):
    """An entry that cannot be used; the message names the entry and says why."""


def _default_phonemes() -> frozenset[str]:
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    return frozenset(DEFAULT_PHONEME_ID_MAP)


@dataclass(frozen=True)
class LexiconEntry:
    word: str  # as written in the book (a word or a phrase)
    say: str  # a respelling, or espeak-ng IPA when `phonemes`
    phonemes: bool = False
    case_sensitive: bool = False
    whole_word: bool = True

    @property
    def pronunciation(self) -> Pronunciation:
        return Pronunciation(IPA if self.phonemes else RESPELLING, self.say)

    @property
    def identity(self) -> str:
        """Two entries with the same identity are the same word: the later one wins."""
        return self.word if self.case_sensitive else self.word.casefold()

    def to_json(self) -> dict:
        return asdict(self)


def validate_entry(entry: LexiconEntry, phoneme_set: Iterable[str] | None = None) -> LexiconEntry:
    """The entry, tidied (spaces collapsed); LexiconError naming it when it cannot be used.
    `phoneme_set`: the characters the voice knows (its phoneme id map); default: Piper's map."""
    word = " ".join(str(entry.word).split())
    say = " ".join(str(entry.say).split())
    name = f"Pronunciation entry '{word[:40] or entry.word[:40]}'"
    if not word:
        raise LexiconError("A pronunciation entry has no word: type the word or phrase it is for.")
    if len(word) > MAX_WORD_CHARS:
        raise LexiconError(f"{name}: the word is longer than {MAX_WORD_CHARS} characters.")
    if _CONTROL.search(word) or _CONTROL.search(say):
        raise LexiconError(f"{name}: it contains control or private characters.")
    if not any(ch.isalnum() for ch in word):
        raise LexiconError(f"{name}: the word has no letters to find in the book.")
    if not say:
        raise LexiconError(f"{name}: say how to pronounce it (a respelling or phonemes).")
    if entry.phonemes:
        # Typed IPA often uses ASCII look-alikes: "ki:" for kiː, "'" for the stress mark ˈ.
        say = say.translate(_IPA_LOOKALIKES)
        known = frozenset(phoneme_set) if phoneme_set is not None else _default_phonemes()
        # Punctuation is in the voice's map (it makes pauses) but is no sound of a word.
        unknown = sorted({ch for ch in unicodedata.normalize("NFD", say)
                          if not ch.isspace() and (ch not in known or ch in _PUNCTUATION)})
        if unknown:
            raise LexiconError(f"{name}: these are not espeak-ng phonemes the voice knows: {' '.join(unknown)} "
                               "(write IPA as espeak-ng does, e.g. hɜːmˈaɪəni, or untick Phonemes and "
                               "write a respelling such as her MY oh nee).")
    elif not _RESPELLING_CHARS.fullmatch(say):
        raise LexiconError(f"{name}: a respelling uses letters, spaces and hyphens only "
                           "(e.g. her MY oh nee, the stressed syllable in capitals); for IPA tick Phonemes.")
    return replace(entry, word=word, say=say)


def entry_from_json(data: object, where: str = "") -> LexiconEntry:
    """One entry from its JSON object; LexiconError (naming it) when a field is missing or wrong."""
    label = f" {where}" if where else ""
    if not isinstance(data, dict):
        raise LexiconError(f"Pronunciation entry{label} is not an object with \"word\" and \"say\".")
    word, say = data.get("word"), data.get("say")
    if not isinstance(word, str) or not isinstance(say, str):
        raise LexiconError(f"Pronunciation entry{label} ('{str(word)[:40]}') needs \"word\" and \"say\" as text.")
    flags = {}
    for name in ("phonemes", "case_sensitive", "whole_word"):
        if name in data:
            if not isinstance(data[name], bool):
                raise LexiconError(f"Pronunciation entry '{word[:40]}': \"{name}\" must be true or false.")
            flags[name] = data[name]
    return validate_entry(LexiconEntry(word, say, **flags))


class Lexicon:
    """Validated entries; later entries replace earlier ones with the same identity."""

    def __init__(self, entries: Iterable[LexiconEntry] = ()):
        by_identity: dict[str, LexiconEntry] = {}
        for entry in entries:
            by_identity.pop(entry.identity, None)
            by_identity[entry.identity] = entry
        self.entries: tuple[LexiconEntry, ...] = tuple(by_identity.values())
        self._passes = _compile(self.entries)

    @classmethod
    def layered(cls, *layers: Lexicon | None) -> Lexicon:
        """Later layers win (global, then extra files, then the book's)."""
        return cls(e for layer in layers if layer for e in layer.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, word: str) -> LexiconEntry | None:
        for entry in self.entries:
            if entry.identity == (word if entry.case_sensitive else word.casefold()):
                return entry
        return None

    def with_entry(self, entry: LexiconEntry) -> Lexicon:
        return Lexicon((*self.entries, entry))

    def without(self, entry: LexiconEntry) -> Lexicon:
        return Lexicon(e for e in self.entries if e.identity != entry.identity)

    def to_json(self) -> dict:
        return {"version": 1, "entries": [e.to_json() for e in self.entries]}

    def apply(self, text: str) -> tuple[str, set[str]]:
        """The text with every entry's matches marked; and the words of the entries used."""
        used: set[str] = set()
        for pattern, lookup, fold in self._passes:
            if not pattern.search(text):
                continue

            def marked(m: re.Match[str]) -> str:
                entry = lookup[_key(m.group(0), fold)]
                used.add(entry.word)
                return mark(m.group(0), entry.pronunciation)

            text = replace_outside_marks(text, pattern, marked)
        return text, used


def _key(text: str, fold: bool) -> str:
    text = " ".join(text.split())
    return text.casefold() if fold else text


def _compile(entries: tuple[LexiconEntry, ...]) -> list[tuple[re.Pattern[str], dict[str, LexiconEntry], bool]]:
    """Up to four passes (whole word or not × case or not), longest match first within each.
    Each entry's word is normalized as the book's text is, so it is found where the text has it."""
    groups: dict[tuple[bool, bool], dict[str, LexiconEntry]] = {}
    for entry in entries:
        written = normalize_text(entry.word).rstrip(".") or entry.word
        fold = not entry.case_sensitive
        groups.setdefault((entry.whole_word, fold), {})[_key(written, fold)] = entry
    passes = []
    for whole_word, fold in ((True, False), (True, True), (False, False), (False, True)):
        lookup = groups.get((whole_word, fold))
        if not lookup:
            continue
        alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(lookup, key=len, reverse=True))
        body = rf"(?<!\w)(?:{alternatives})(?!\w)" if whole_word else f"(?:{alternatives})"
        passes.append((re.compile(body, re.IGNORECASE if fold else 0), lookup, fold))
    return passes
