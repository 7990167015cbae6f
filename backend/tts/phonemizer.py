"""Text -> phoneme ids with the espeak-ng that piper-tts bundles (no system espeak needed)."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

from backend.text.pronunciation_markup import IPA, Pronunciation, has_marks, segments
from backend.tts.voice import Voice

log = logging.getLogger(__name__)
_LOCK = threading.Lock()  # espeak-ng is a process-wide C library: one caller at a time
# espeak-ng stops producing phonemes after ~140 letters of one word and drops the rest without
# a word of warning; longer runs are cut into pieces it reads whole.
_LONGEST_WORD = 60
_LONG_RUN = re.compile(rf"\S{{{_LONGEST_WORD + 1},}}")


def _break_long_words(text: str) -> str:
    return _LONG_RUN.sub(lambda m: " ".join(m.group(0)[i : i + _LONGEST_WORD]
                                            for i in range(0, len(m.group(0)), _LONGEST_WORD)), text)


_PHONEMIZER = None
# After a marked word: "'s" (said as z) and/or punctuation glued to it.
_GLUED_SUFFIX = re.compile(r"(['\u2019]s\b)?([,.;:!?]*)")
_STAND_IN, _PUNCTUATION = " thing ", ",.;:!?"  # see Phonemizer._words_between_marks
_STRESS_MARKS = "\u02c8\u02cc"  # primary, secondary
_SYLLABLE_BREAK = re.compile(r"[\s\-\u00b7.]+")


def _espeak():
    global _PHONEMIZER
    if _PHONEMIZER is None:
        from piper.phonemize_espeak import ESPEAK_DATA_DIR, EspeakPhonemizer

        _PHONEMIZER = EspeakPhonemizer(ESPEAK_DATA_DIR)
    return _PHONEMIZER


class Phonemizer:
    def __init__(self, voice: Voice):
        self.language = voice.espeak_voice
        self.id_map = voice.phoneme_id_map
        clusters = voice.config.get("vowel_clusters")
        self.vowel_clusters = {tuple(c) for c in clusters} if clusters else None

    def sentences(self, text: str) -> list[list[str]]:
        """Phonemes per sentence, as espeak-ng splits them (punctuation kept)."""
        with _LOCK:
            return [s for s in _espeak().phonemize(self.language, text, self.vowel_clusters) if s]

    def ids(self, text: str) -> list[int]:
        """One id sequence for a whole chunk: sentences joined by a word gap, `^ _ p _ p _ … $`.

        Words marked with a pronunciation (lexicon, heteronyms) are said as marked.
        Returns [] when the text has nothing to say (e.g. only punctuation).
        """
        return self.ids_from_phonemes(self.phonemes(text))

    def phonemes(self, text: str) -> list[str]:
        if not has_marks(text):
            return self._plain_phonemes(text)
        parts = list(segments(text))
        phonemes: list[str] = []
        for i, (written, how) in enumerate(parts):
            if how is not None:
                said = self.pronounce(how)
                if said and phonemes and phonemes[-1] != " ":
                    phonemes.append(" ")
                phonemes.extend(said)
                continue
            rest = written
            after_mark, before_mark = i > 0, i + 1 < len(parts)
            if after_mark:
                # What follows a marked word without a space: its possessive, its punctuation.
                suffix = _GLUED_SUFFIX.match(rest)
                phonemes.extend(["z"] if suffix.group(1) else [])
                phonemes.extend(ch for ch in suffix.group(2) if ch in self.id_map)
                rest = rest[suffix.end():]
            words = self._words_between_marks(rest, after_mark and rest[:1].isspace(), before_mark)
            if words:
                if phonemes:
                    phonemes.append(" ")
                phonemes.extend(words)
        return phonemes

    def _words_between_marks(self, text: str, after_mark: bool, before_mark: bool) -> list[str]:
        """espeak-ng reads a lone "a" as the letter and stresses a lone "is": a stand-in word where
        the marked word stands gives it the sentence around, and its phonemes are dropped again."""
        if not text.strip():
            return [ch for ch in text if ch in _PUNCTUATION and ch in self.id_map]
        said = self._plain_phonemes(f"{_STAND_IN if after_mark else ''}{text}{_STAND_IN if before_mark else ''}")
        words = "".join(said).split(" ")
        if after_mark and words:
            words[0] = "".join(ch for ch in words[0] if ch in _PUNCTUATION)  # the stand-in's, minus its sounds
        if before_mark and words:
            words.pop()
        return list(" ".join(w for w in words if w))

    def _plain_phonemes(self, text: str) -> list[str]:
        phonemes: list[str] = []
        for sentence in self.sentences(_break_long_words(text)) if text.strip() else ():
            if phonemes:
                phonemes.append(" ")
            phonemes.extend(sentence)
        return phonemes

    def pronounce(self, how: Pronunciation) -> list[str]:
        """The phonemes of one marked word: IPA as given, or a respelling said syllable by syllable."""
        return list(_pronounce(self.language, how.kind, how.value))

    def ids_from_phonemes(self, phonemes: list[str]) -> list[int]:
        if not any(p.strip() for p in phonemes):
            return []
        ids = list(self.id_map["^"]) + list(self.id_map["_"])
        missing = set()
        for p in phonemes:
            mapped = self.id_map.get(p)
            if mapped is None:
                missing.add(p)
                continue
            ids.extend(mapped)
            ids.extend(self.id_map["_"])
        ids.extend(self.id_map["$"])
        if missing:
            log.warning("Phonemes not in the voice's map were skipped: %s", " ".join(sorted(missing)))
        return ids


@lru_cache(maxsize=4096)
def _pronounce(language: str, kind: str, value: str) -> tuple[str, ...]:
    if kind == IPA:
        # A phrase's IPA keeps one word gap between its words.
        return tuple(unicodedata.normalize("NFD", " ".join(value.split())))
    return tuple(respelling_phonemes(language, value))


def respelling_phonemes(language: str, respelling: str) -> list[str]:
    """"her MY oh nee" -> one word: each syllable as espeak-ng says it, stress only where a
    syllable is in capitals (the first gets primary stress, later ones secondary). A respelling
    without capitals or of one syllable is said as espeak-ng reads it."""
    syllables = [s for s in _SYLLABLE_BREAK.split(respelling.strip()) if s]
    stressed = [s for s in syllables if s.isupper() and len(syllables) > 1]

    def said(syllable: str) -> list[str]:
        with _LOCK:
            sentences = _espeak().phonemize(language, syllable.lower())
        return [p for sentence in sentences for p in sentence if p.strip() and p not in ",.;:!?"]

    if not stressed:
        return said("".join(syllables))
    phonemes: list[str] = []
    first = True
    for syllable in syllables:
        sounds = [p for p in said(syllable) if p not in _STRESS_MARKS]
        if syllable in stressed:
            # Stress goes before the syllable's vowel, as espeak-ng writes it.
            vowel = next((i for i, p in enumerate(sounds) if p in _VOWELS), 0)
            sounds.insert(vowel, "\u02c8" if first else "\u02cc")
            first = False
        phonemes.extend(sounds)
    return phonemes


_VOWELS = frozenset("aeiouyæɑɒɐɔəɘɚɛɜɝɞɤɪʊʌʏøœɶɨʉɯ")
