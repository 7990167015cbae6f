"""Text -> phoneme ids with the espeak-ng that piper-tts bundles (no system espeak needed)."""

from __future__ import annotations

import logging
import re
import threading

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

        Returns [] when the text has nothing to say (e.g. only punctuation).
        """
        phonemes: list[str] = []
        for sentence in self.sentences(_break_long_words(text)):
            if phonemes:
                phonemes.append(" ")
            phonemes.extend(sentence)
        return self.ids_from_phonemes(phonemes)

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
