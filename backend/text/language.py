"""Does the voice speak the book's language? And which runs of text can it not say at all?

A voice reads one language in one script (plus Latin: espeak-ng reads Latin names and acronyms in
every language). Text in any other script is spelled out letter by letter ("Chinese letter,
Japanese letter…"), so a Japanese book with the English voice becomes hours of noise. The book's
language comes from its metadata (EPUB dc:language, Markdown front matter) or, without it, from the
script most of its letters are written in. Latin script alone cannot tell English from French, so
without metadata a Latin-script book never counts as a mismatch.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .pronunciation_markup import CLOSE, OPEN

LATIN, GREEK, CYRILLIC, ARMENIAN, HEBREW, ARABIC = "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic"
SYRIAC, THAANA, DEVANAGARI, BENGALI, GURMUKHI = "Syriac", "Thaana", "Devanagari", "Bengali", "Gurmukhi"
GUJARATI, ORIYA, TAMIL, TELUGU, KANNADA = "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada"
MALAYALAM, SINHALA, THAI, LAO, TIBETAN, MYANMAR = "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar"
GEORGIAN, HANGUL, ETHIOPIC, CHEROKEE, KHMER = "Georgian", "Hangul", "Ethiopic", "Cherokee", "Khmer"
MONGOLIAN, HIRAGANA, KATAKANA, BOPOMOFO, HAN, YI = "Mongolian", "Hiragana", "Katakana", "Bopomofo", "Han", "Yi"
INHERITED = "Inherited"  # combining marks and joiners: they belong to the letter before them

# (first, last, script), sorted. Characters outside every range (digits, punctuation, spaces,
# symbols) belong to no script: every voice can say them or skips them quietly.
_RANGES = sorted([
    (0x0041, 0x005A, LATIN), (0x0061, 0x007A, LATIN), (0x00AA, 0x00AA, LATIN), (0x00BA, 0x00BA, LATIN),
    (0x00C0, 0x00D6, LATIN), (0x00D8, 0x00F6, LATIN), (0x00F8, 0x02AF, LATIN), (0x0300, 0x036F, INHERITED),
    (0x0370, 0x03FF, GREEK), (0x0400, 0x052F, CYRILLIC), (0x0530, 0x058F, ARMENIAN), (0x0590, 0x05FF, HEBREW),
    (0x0600, 0x06FF, ARABIC), (0x0700, 0x074F, SYRIAC), (0x0750, 0x077F, ARABIC), (0x0780, 0x07BF, THAANA),
    (0x08A0, 0x08FF, ARABIC), (0x0900, 0x097F, DEVANAGARI), (0x0980, 0x09FF, BENGALI),
    (0x0A00, 0x0A7F, GURMUKHI), (0x0A80, 0x0AFF, GUJARATI), (0x0B00, 0x0B7F, ORIYA), (0x0B80, 0x0BFF, TAMIL),
    (0x0C00, 0x0C7F, TELUGU), (0x0C80, 0x0CFF, KANNADA), (0x0D00, 0x0D7F, MALAYALAM), (0x0D80, 0x0DFF, SINHALA),
    (0x0E00, 0x0E7F, THAI), (0x0E80, 0x0EFF, LAO), (0x0F00, 0x0FFF, TIBETAN), (0x1000, 0x109F, MYANMAR),
    (0x10A0, 0x10FF, GEORGIAN), (0x1100, 0x11FF, HANGUL), (0x1200, 0x139F, ETHIOPIC), (0x13A0, 0x13FF, CHEROKEE),
    (0x1780, 0x17FF, KHMER), (0x1800, 0x18AF, MONGOLIAN), (0x1AB0, 0x1AFF, INHERITED), (0x1C80, 0x1C8F, CYRILLIC),
    (0x1C90, 0x1CBF, GEORGIAN), (0x1D00, 0x1DBF, LATIN), (0x1DC0, 0x1DFF, INHERITED), (0x1E00, 0x1EFF, LATIN),
    (0x1F00, 0x1FFF, GREEK), (0x200C, 0x200D, INHERITED), (0x20D0, 0x20FF, INHERITED), (0x2C60, 0x2C7F, LATIN),
    (0x2D00, 0x2D2F, GEORGIAN), (0x2DE0, 0x2DFF, CYRILLIC), (0x2E80, 0x2FDF, HAN), (0x3005, 0x3005, HAN),
    (0x3007, 0x3007, HAN), (0x3021, 0x3029, HAN), (0x3040, 0x309F, HIRAGANA), (0x30A0, 0x30FF, KATAKANA),
    (0x3100, 0x312F, BOPOMOFO), (0x3130, 0x318F, HANGUL), (0x31F0, 0x31FF, KATAKANA), (0x3400, 0x4DBF, HAN),
    (0x4E00, 0x9FFF, HAN), (0xA000, 0xA4CF, YI), (0xA640, 0xA69F, CYRILLIC), (0xA720, 0xA7FF, LATIN),
    (0xA8E0, 0xA8FF, DEVANAGARI), (0xA960, 0xA97F, HANGUL), (0xAB30, 0xAB6F, LATIN), (0xAC00, 0xD7FF, HANGUL),
    (0xF900, 0xFAFF, HAN), (0xFB00, 0xFB06, LATIN), (0xFB1D, 0xFB4F, HEBREW), (0xFB50, 0xFDFF, ARABIC),
    (0xFE00, 0xFE0F, INHERITED), (0xFE20, 0xFE2F, INHERITED), (0xFE70, 0xFEFF, ARABIC), (0xFF21, 0xFF3A, LATIN),
    (0xFF41, 0xFF5A, LATIN), (0xFF66, 0xFF9F, KATAKANA), (0xFFA0, 0xFFDC, HANGUL), (0x20000, 0x323AF, HAN),
])
_STARTS = [first for first, _, _ in _RANGES]


@lru_cache(maxsize=8192)
def _script_of_code(code: int) -> str | None:
    i = bisect_right(_STARTS, code) - 1
    if i >= 0 and code <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


def script_of(char: str) -> str | None:
    """The Unicode script of one character; None for digits, punctuation, spaces and symbols."""
    code = ord(char)
    if code < 0x80:
        return LATIN if char.isalpha() else None
    return _script_of_code(code)


# Each language's own scripts (primary subtag -> scripts). Latin is added for every voice.
_LATIN_LANGUAGES = ("af az ca cs cy da de en eo es et eu fi fil fo fr ga gd gl ha hr hu id is it jv lb lt lv mi ms "
                    "mt nb nl nn no pl pt ro sk sl so sq sv sw tl tk tr uz vi xh yo zu").split()
_LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {code: frozenset() for code in _LATIN_LANGUAGES}
_LANGUAGE_SCRIPTS.update({code: frozenset({CYRILLIC}) for code in "be bg kk ky mk mn ru sr tg tt uk".split()})
_LANGUAGE_SCRIPTS.update({code: frozenset({ARABIC}) for code in "ar fa ps sd ug ur".split()})
_LANGUAGE_SCRIPTS.update({code: frozenset({DEVANAGARI}) for code in "hi kok mr ne sa".split()})
_LANGUAGE_SCRIPTS.update({
    "el": frozenset({GREEK}), "hy": frozenset({ARMENIAN}), "ka": frozenset({GEORGIAN}), "he": frozenset({HEBREW}),
    "yi": frozenset({HEBREW}), "bn": frozenset({BENGALI}), "as": frozenset({BENGALI}), "pa": frozenset({GURMUKHI}),
    "gu": frozenset({GUJARATI}), "or": frozenset({ORIYA}), "ta": frozenset({TAMIL}), "te": frozenset({TELUGU}),
    "kn": frozenset({KANNADA}), "ml": frozenset({MALAYALAM}), "si": frozenset({SINHALA}), "th": frozenset({THAI}),
    "lo": frozenset({LAO}), "my": frozenset({MYANMAR}), "km": frozenset({KHMER}), "bo": frozenset({TIBETAN}),
    "am": frozenset({ETHIOPIC}), "ti": frozenset({ETHIOPIC}), "dv": frozenset({THAANA}),
    "zh": frozenset({HAN, BOPOMOFO}), "ja": frozenset({HAN, HIRAGANA, KATAKANA}), "ko": frozenset({HANGUL}),
})

_NAMES = {
    "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali",
    "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "ga": "Irish", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "kk": "Kazakh", "km": "Khmer", "kn": "Kannada", "ko": "Korean", "lb": "Luxembourgish",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi",
    "ms": "Malay", "my": "Burmese", "ne": "Nepali", "nl": "Dutch", "no": "Norwegian", "pa": "Punjabi",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "yi": "Yiddish",
    "zh": "Chinese",
}
# ISO 639-2 codes some EPUBs use, espeak-ng voice names, and Norwegian's several codes.
_ALIASES = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it", "por": "pt",
    "nld": "nl", "dut": "nl", "rus": "ru", "ukr": "uk", "pol": "pl", "ces": "cs", "cze": "cs", "ell": "el",
    "gre": "el", "ara": "ar", "heb": "he", "fas": "fa", "per": "fa", "hin": "hi", "jpn": "ja", "zho": "zh",
    "chi": "zh", "kor": "ko", "tha": "th", "tur": "tr", "swe": "sv", "dan": "da", "fin": "fi", "hun": "hu",
    "cmn": "zh", "yue": "zh", "nb": "no", "nn": "no", "nob": "no", "nno": "no", "nor": "no", "iw": "he",
}
_NO_LANGUAGE = {"", "und", "mul", "zxx", "mis"}  # undetermined, multiple, no linguistic content
# What a book in this (non-Latin) script is guessed to be, without metadata. Cyrillic is shared by
# too many languages to name one.
_SCRIPT_GUESS = {GREEK: "el", CYRILLIC: "und-Cyrl", ARMENIAN: "hy", HEBREW: "he", ARABIC: "ar",
                 DEVANAGARI: "hi", BENGALI: "bn", GURMUKHI: "pa", GUJARATI: "gu", ORIYA: "or", TAMIL: "ta",
                 TELUGU: "te", KANNADA: "kn", MALAYALAM: "ml", SINHALA: "si", THAI: "th", LAO: "lo",
                 TIBETAN: "bo", MYANMAR: "my", GEORGIAN: "ka", ETHIOPIC: "am", KHMER: "km", HANGUL: "ko",
                 SYRIAC: "und-Syrc", THAANA: "dv", MONGOLIAN: "und-Mong", CHEROKEE: "und-Cher", YI: "und-Yiii"}
_SCRIPT_CODES = {"Cyrl": CYRILLIC, "Syrc": SYRIAC, "Mong": MONGOLIAN, "Cher": CHEROKEE, "Yiii": YI}
_SAMPLE_CHARS = 40000


def primary_language(code: str | None) -> str | None:
    """"en_US", "en-us", "eng" -> "en"; None for no code or "und"."""
    if not code:
        return None
    head = re.split(r"[-_]", code.strip().lower())[0]
    head = _ALIASES.get(head, head)
    return None if head in _NO_LANGUAGE else head


def language_name(code: str | None) -> str:
    """English name of a language code ("ja" -> "Japanese"); a script-only guess names the script."""
    if code and code.startswith("und-"):
        return f"{_SCRIPT_CODES.get(code[4:], code[4:])} script"
    primary = primary_language(code)
    return _NAMES.get(primary or "", code or "an unknown language")


def voice_language(voice) -> str:
    """The voice's language from its .onnx.json: language.code ("en_US"), else its espeak voice ("en-us")."""
    code = (voice.config.get("language") or {}).get("code") if isinstance(voice.config, dict) else None
    return code if isinstance(code, str) and code else voice.espeak_voice


def speakable_scripts(language: str | None) -> frozenset[str] | None:
    """The scripts a voice of this language can read; None when the language is unknown here
    (then nothing is checked or skipped: better to read too much than to drop a book)."""
    own = _LANGUAGE_SCRIPTS.get(primary_language(language) or "")
    return None if own is None else own | {LATIN}


def _voice_name(voice) -> str:
    named = (voice.config.get("language") or {}).get("name_english") if isinstance(voice.config, dict) else None
    return named if isinstance(named, str) and named else language_name(voice_language(voice))


@dataclass(frozen=True)
class BookLanguage:
    code: str | None  # "ja", "fr-CA", "und-Cyrl"; None: Latin script without metadata, or no text
    script: str | None  # the script most letters are written in
    from_metadata: bool


def _letter_counts(book) -> Counter:
    """Letters per script in a sample of the text: the start of every chapter, so a long English
    foreword does not hide the language of the rest."""
    counts: Counter = Counter()
    budget = max(2000, _SAMPLE_CHARS // max(1, len(book.chapters)))
    for chapter in book.chapters:
        seen = 0
        for text in (chapter.title or "", *chapter.paragraphs):
            for char in text[: budget - seen]:
                script = script_of(char)
                if script is not None and script != INHERITED:
                    counts[script] += 1
            seen += len(text)
            if seen >= budget:
                break
    return counts


def _guess_from_script(counts: Counter) -> tuple[str | None, str | None]:
    """(language code, dominant script) from letter counts: Japanese when kana are present,
    Chinese for Han alone, Korean for Hangul; None for the code when Latin dominates."""
    if not counts:
        return None, None
    kana = counts[HIRAGANA] + counts[KATAKANA]
    groups: Counter = Counter()
    groups[(LATIN, None)] = counts[LATIN]
    cjk = counts[HAN] + kana
    if kana * 20 >= cjk > 0:  # Japanese mixes kanji and kana; Chinese has none of the latter
        groups[(HIRAGANA if counts[HIRAGANA] >= counts[KATAKANA] else KATAKANA, "ja")] = cjk
    elif counts[HAN]:
        groups[(HAN, "zh")] = cjk
    for script, guess in _SCRIPT_GUESS.items():
        if counts[script]:
            groups[(script, guess)] = counts[script]
    (script, code), _ = groups.most_common(1)[0]
    return code, script


def detect_book_language(book) -> BookLanguage:
    counts = _letter_counts(book)
    guess, script = _guess_from_script(counts)
    meta = (getattr(book, "language", None) or "").strip()
    if primary_language(meta):
        own = _LANGUAGE_SCRIPTS.get(primary_language(meta) or "")
        # Metadata the text contradicts loses: tools stamp "en" on books in any language.
        if own is not None and script not in (None, LATIN) and script not in own:
            return BookLanguage(guess, script, False)
        return BookLanguage(meta, script, True)
    return BookLanguage(guess, script, False)


def book_language(book) -> str | None:
    """The book's language: its metadata, else a guess from the script of its text (None when the
    text is Latin script: that alone cannot tell English from French)."""
    return detect_book_language(book).code


def _mismatch(book, voice) -> BookLanguage | None:
    speakable = speakable_scripts(voice_language(voice))
    found = detect_book_language(book)
    if speakable is None or found.code is None:
        return None
    if primary_language(found.code) == primary_language(voice_language(voice)):
        return None
    if not found.from_metadata and found.script in speakable:
        return None  # e.g. an untagged Arabic-script book and a Persian voice: the voice can read it
    return found


def describe_mismatch(book, voice) -> str | None:
    """One sentence when the voice does not speak the book's language, else None."""
    found = _mismatch(book, voice)
    if found is None:
        return None
    is_in = f"is in {language_name(found.code)} (its metadata says '{found.code}')" if found.from_metadata \
        else f"seems to be in {language_name(found.code)} (judging by its script)"
    effect = "" if found.script in (speakable_scripts(voice_language(voice)) or ()) else \
        " and would spell the text out letter by letter"
    return f"This book {is_in}, but the voice '{voice.name}' speaks {_voice_name(voice)}{effect}."


def check_language(book, voice, how_to_override: str = "pass --any-language to render it anyway") -> str | None:
    """A message for the user when the voice does not speak the book's language (what is wrong and
    what to do), else None."""
    problem = describe_mismatch(book, voice)
    if problem is None:
        return None
    code = detect_book_language(book).code or ""
    name = language_name(code)
    voice_for = "a Piper voice for that language" if code.startswith("und-") else \
        f"{'an' if name[0] in 'AEIOU' else 'a'} {name} Piper voice"
    return f"{problem} Add {voice_for}, or {how_to_override}."


def skipping_language(book, voice, any_language: bool) -> str | None:
    """The language whose unspeakable runs `drop_unspeakable` removes from this book's chunks: the
    voice's, unless the user chose to render a mismatched book anyway (then it reads everything)."""
    if any_language and _mismatch(book, voice):
        return None
    return voice_language(voice)


# Between two unspeakable runs, only spacing and punctuation: they make one run ("東京 タワー").
_GAP = re.compile(r"[\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u30fb\-·'’,、。]*")
# Punctuation that belongs to a removed run: CJK brackets and marks, full-width forms.
_RUN_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff5b-\uff65"
_EMPTY_PAIR = re.compile(r"""\(\s*\)|\[\s*\]|"\s*"|“\s*”|‘\s*’|«\s*»|„\s*“|'\s*'""")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]”’»])")
_DOUBLED_COMMA = re.compile(r",(\s*,)+")
_LEADING_PUNCT = re.compile(r"^[\s,;:]+")
_MARK_SPAN = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")


def drop_unspeakable(text: str, language: str | None) -> tuple[str, list[str]]:
    """`text` without the runs of letters in scripts a voice of `language` cannot speak, with
    punctuation and spacing tidied; and the runs removed. Pronunciation marks are left alone."""
    speakable = speakable_scripts(language)
    if speakable is None or text.isascii():
        return text, []
    protected = {m.start(): m.end() for m in _MARK_SPAN.finditer(text)}
    spans: list[list[int]] = []
    i, n = 0, len(text)
    while i < n:
        if i in protected:
            i = protected[i]
            continue
        script = script_of(text[i])
        if script is None or script in speakable or script == INHERITED:
            i += 1
            continue
        start = i
        while i < n and i not in protected and script_of(text[i]) not in speakable:
            if script_of(text[i]) is None:  # spacing or punctuation: part of the run only if more of it follows
                gap = _GAP.match(text, i).end()
                nxt = script_of(text[gap]) if gap < n else None
                if gap == i or nxt is None or nxt in speakable or nxt == INHERITED or gap in protected:
                    break
                i = gap
                continue
            i += 1
        run = text[start:i]
        if not (len(run.strip()) <= 2 and all(script_of(c) in (GREEK, None) for c in run)):
            spans.append([start, i])  # lone Greek letters stay: espeak-ng says their names ("theta")
    if not spans:
        return text, []
    runs = [text[a:b].strip() for a, b in spans]
    pieces, pos = [], 0
    for a, b in spans:
        # Full-width and CJK punctuation around a run goes with it ("「こんにちは」").
        while a > pos and re.match(f"[{_RUN_PUNCT}]", text[a - 1]):
            a -= 1
        while b < n and re.match(f"[{_RUN_PUNCT}]", text[b]):
            b += 1
        pieces.append(text[pos:a])
        pos = b
    pieces.append(text[pos:])
    return _tidy(" ".join(p.strip(" ") for p in pieces if p.strip(" "))), runs


def _tidy(text: str) -> str:
    text = _EMPTY_PAIR.sub("", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _DOUBLED_COMMA.sub(",", text)
    text = re.sub(r"[,;:]\s*([.!?;:,])", r"\1", text)  # "read 東京." left "read:."
    return _LEADING_PUNCT.sub("", text).strip()
