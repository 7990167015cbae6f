"""Normalize text for speech: what goes in is what a reader sees, what
comes out is what a TTS phonemizer can say without guessing.

Regex based and deterministic; every pattern is compiled once at import.
Steps run in a fixed order (see normalize_text) because later steps rely
on earlier ones, e.g. "No. 5" must become "number 5" before digits turn
into words, and URLs must be spoken before their dots look like periods."""

from __future__ import annotations

import re
import unicodedata

from .abbreviations import expand_abbreviations
from .addresses import speak_addresses
from .dates import MDY, speak_dates
from .number_context import speak_number_groups
from .number_patterns import expand_numbers
from .roman_numerals import speak_roman_numerals, speak_title_numerals
from .web_addresses import speak_web_addresses


def _build_translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for ch in "\u2018\u2019\u201a\u201b\u2032\u2039\u203a\u00b4":
        table[ord(ch)] = "'"
    for ch in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb":
        table[ord(ch)] = '"'
    for ch in "\u2010\u2011\u2012\u2212\ufe63\uff0d":
        table[ord(ch)] = "-"
    # Math operators with ASCII look-alikes: asterisk and dot operators, division slash.
    for ch, ascii_form in (("\u2217", "*"), ("\u22c5", "*"), ("\u2219", "*"), ("\u2215", "/"), ("\u2044", "/"),
                           ("\u2266", "\u2264"), ("\u2267", "\u2265")):
        table[ord(ch)] = ascii_form
    # Every kind of space and line break becomes a plain space.
    for ch in "\t\n\r\f\v\u00a0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))):
        table[ord(ch)] = " "
    # Zero-width characters and soft hyphens are invisible and unspeakable.
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e":
        table[ord(ch)] = None
    table[ord("\u2026")] = "..."
    for code, letters in zip(range(0xFB00, 0xFB07), ("ff", "fi", "fl", "ffi", "ffl", "st", "st"), strict=True):
        table[code] = letters  # typographic ligatures
    # Full-width Latin letters and digits (not CJK punctuation, which the
    # sentence splitter understands as it is).
    for code in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):
        table[code] = chr(code - 0xFEE0)
    return table


_TRANSLATION = _build_translation()
# Characters the table changes are rare in most text; a regex finds them
# faster than str.translate walks every character.
_SPECIAL_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATION)) + "]")
# Vulgar fractions become "1/2" so the number pass reads them with their whole number and unit.
_FRACTIONS = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5", "⅗": "3/5",
              "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8"}
_FRACTION_CHARS = frozenset(_FRACTIONS)
_FRACTION = re.compile(r"(\d+)?\s?([" + "".join(_FRACTIONS) + "])")
# A dash between numbers is a range ("1812–1882", "pages 10--12"), read by the number pass.
_NUMBER_RANGE = re.compile(r"(?<=\d) ?(?:[\u2013\u2014]|--) ?(?=\d)")
# Em/en dashes, the horizontal bar, "--" and a spaced hyphen (not between two numbers: "10 - 12"
# is a range) all mark a break in the sentence; a comma gives the voice the same short pause.
_DASH = re.compile(r"[\u2013\u2014\u2015\u2e3a\u2e3b]+|-{2,}|(?<!\d)(?<![ap]m)(?<![AP]M)(?<!\.m\.) - | - (?!\d)")
_DASH_CHARS = ("\u2013", "\u2014", "\u2015", "\u2e3a", "\u2e3b")
_SPACED_ELLIPSIS = re.compile(r"\.(?:\s\.){2,}")
# A comma glued to a word, or between numbers where it cannot separate thousands ("12,15").
_GLUED_COMMA = re.compile(r"(?<=[^\W\d_]),(?=\w)|(?<=\d),(?=[^\W\d_]|\d{1,2}(?!\d)|\d{4,})|(?<=\d{4}),(?=\d)")
_GLUED_ELLIPSIS = re.compile(r"(?<=\.\.\.)(?=\d)")
_LONG_ELLIPSIS = re.compile(r"\.{4,}")
_HAS_DIGIT = re.compile(r"\d")
# "E=mc²", "10 m²" ("ten meters squared"): squared and cubed after a letter or digit.
_SUPERSCRIPTS = {"²": "squared", "³": "cubed"}
_SUPERSCRIPT_CHARS = frozenset(_SUPERSCRIPTS)
_SUPERSCRIPT = re.compile(r"([^\W_])([²³])")
# "10 m²" is ten square meters, "2 m³" two cubic meters: the unit pass reads "sq m", "cu m".
_UNIT_POWER = re.compile(r"(\d\s?)(km|cm|mm|m|mi|ft|in|yd)([²³])(?!\w)")
_UNIT_POWER_WORDS = {"²": "sq", "³": "cu"}
_BRACKETED_NOTE = re.compile(r"\[\d{1,3}\]|\[\*\]|\(\s*\)|\[\s*\]")
_STRAY_MARKUP = re.compile(r"[*#~^|`\\]+|(?<![^\W_])_+|_+(?![^\W_])")  # markdown/plain-text emphasis marks
_STRAY_MARKUP_CHARS = frozenset("*#~^|`\\_")
_WORD_UNDERSCORE = re.compile(r"(?<=\w)_(?=\w)")
# Symbols the number passes left (no number beside them): the word a reader says, or nothing.
_SYMBOL_WORDS = {"=": "equals", "+": "plus", "%": "percent", "°": "degrees", "×": "times", "÷": "divided by",
                 "±": "plus or minus", "≈": "about", "≠": "not equal to", "≤": "at most", "≥": "at least",
                 "$": "dollar", "£": "pound", "€": "euro", "¥": "yen", "₹": "rupee", "₩": "won", "¢": "cent",
                 "§": "section", "²": "squared", "³": "cubed", "<": "", ">": "", "{": "", "}": "", "/": " "}
_SYMBOL = re.compile("[" + re.escape("".join(_SYMBOL_WORDS)) + "]")
_AMPERSAND = re.compile(r"\s*&\s*")
_ET_CETERA = re.compile(r"&c\.(?=\s*[,;:)]|\s+[a-z])|&c\b")
_SLASH_BETWEEN_WORDS = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[,;:!?]|\.(?!\.\.\w))")
_SPACE_BEFORE_PUNCT_HINTS = (" ,", " ;", " :", " !", " ?", " .")
_REPEATED_CLAUSE_PUNCT = re.compile(r"([,;:])(?: ?[,;:])+")
_CLAUSE_BEFORE_END = re.compile(r"[,;:] ?(?=[.!?])|(?<=\w[.!?])[,;:](?= )")  # "two., It" (a dash after a period)
_PUNCTUATION_PAIR = re.compile(r"[,;:] ?[,;:.!?]|[.!?][,;:] ")
_LEADING_CLAUSE_PUNCT = re.compile(r"^(?:[\s,;:]|-(?=\s))+")  # also a "- " list marker
_DOUBLE_DOT = re.compile(r"(?<=\b[A-Za-z]\.)\.(?!\.)")  # "p.m." or "B.C." that also ended the sentence
_SEPARATOR_ONLY = re.compile(  # ASCII punctuation and the usual scene-break ornaments
    r"[\s!-/:-@\[-`{-~\u2022\u00b7\u25c6\u25c7\u25cb\u25cf\u2666\u2042\u2020\u2021\u00a7\u00b6\u2766\u203b]*"
)


def is_unspeakable(text: str) -> bool:
    """Nothing a voice can say: only whitespace, punctuation ("……", "「」", "* * *") and the
    usual scene-break ornaments. Letters, digits and symbols such as emoji are speakable."""
    if _SEPARATOR_ONLY.fullmatch(text):
        return True
    for ch in text:
        if ch.isalnum():
            return False
    return all(unicodedata.category(ch)[0] in "PZ" or ch.isspace() or _SEPARATOR_ONLY.fullmatch(ch) for ch in text)


def _clean_unicode(text: str) -> str:
    # Cheap substring tests decide which (slower) regex passes are needed.
    if not text.isascii():
        text = _SPECIAL_CHARS.sub(lambda m: _TRANSLATION[ord(m.group())] or "", text)
        if not _FRACTION_CHARS.isdisjoint(text):
            text = _FRACTION.sub(lambda m: (f"{m.group(1)} " if m.group(1) else " ") + _FRACTIONS[m.group(2)], text)
        if not _SUPERSCRIPT_CHARS.isdisjoint(text):
            text = _UNIT_POWER.sub(lambda m: f"{m.group(1)}{_UNIT_POWER_WORDS[m.group(3)]} {m.group(2)}", text)
            text = _SUPERSCRIPT.sub(lambda m: f"{m.group(1)} {_SUPERSCRIPTS[m.group(2)]}", text)
        if any(dash in text for dash in _DASH_CHARS):
            text = _NUMBER_RANGE.sub("-", text)
            text = _DASH.sub(", ", text)
    elif "\n" in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = " ".join(text.split())
    if "--" in text or " - " in text:
        text = _NUMBER_RANGE.sub("-", text)
        text = _DASH.sub(", ", text)
    if "[" in text or "(" in text:
        text = _BRACKETED_NOTE.sub("", text)  # before digits become words
    if ". ." in text:
        text = _SPACED_ELLIPSIS.sub("...", text)
    if "," in text:  # "1066,and", "11:20AM,2:40PM": a comma glued to a word gets its space
        text = _GLUED_COMMA.sub(", ", text)
    if "..." in text:  # "Wait...5 minutes": the number after an ellipsis is its own word
        text = _GLUED_ELLIPSIS.sub("... ", text)
    return text


def _symbols(text: str) -> str:
    if "&" in text:
        text = _ET_CETERA.sub("et cetera", text)  # "pemmican, &c., and"
        text = _AMPERSAND.sub(" and ", text)
    if "@" in text:
        text = text.replace("@", " at ")
    if "_" in text:
        text = _WORD_UNDERSCORE.sub(" ", text)
    if "/" in text:
        text = _SLASH_BETWEEN_WORDS.sub(" ", text)
    if not _STRAY_MARKUP_CHARS.isdisjoint(text):
        text = _STRAY_MARKUP.sub("", text)
    if _SYMBOL.search(text):
        text = _SYMBOL.sub(lambda m: f" {_SYMBOL_WORDS[m.group()]} ", text)
    return text


def _tidy(text: str) -> str:
    if "  " in text:
        text = " ".join(text.split())
    if any(hint in text for hint in _SPACE_BEFORE_PUNCT_HINTS):
        text = _SPACE_BEFORE_PUNCT.sub("", text)
    if _PUNCTUATION_PAIR.search(text):
        text = _REPEATED_CLAUSE_PUNCT.sub(r"\1", text)
        text = _CLAUSE_BEFORE_END.sub("", text)
    if text[:1] in (",", ";", ":", " ", "-"):
        text = _LEADING_CLAUSE_PUNCT.sub("", text)
    if ".." in text:
        text = _DOUBLE_DOT.sub("", text)
    if "...." in text:
        text = _LONG_ELLIPSIS.sub("...", text)
    return text.strip()


def normalize_text(text: str, date_order: str = MDY) -> str:
    """Make one paragraph (or any text) speakable. Returns a single line.
    `date_order` (dates.MDY or DMY) reads numeric dates such as 10/06/2005."""
    if not text:
        return ""
    text = _clean_unicode(text)
    text = speak_web_addresses(text)
    text = speak_addresses(text)
    text = expand_abbreviations(text)
    text = speak_roman_numerals(text)
    if _HAS_DIGIT.search(text):
        text = speak_dates(text, date_order)
        text = speak_number_groups(text)
        text = expand_numbers(text)
    text = _symbols(text)
    text = _tidy(text)
    if is_unspeakable(text):
        return ""  # a scene break such as "* * *" has nothing to say
    return text


def normalize_title(title: str, date_order: str = MDY) -> str:
    """Like normalize_text, but Roman numerals in headings are numbers:
    "Chapter XII" -> "Chapter twelve", "IV. The Storm" -> "Four. The Storm"."""
    title = speak_title_numerals(" ".join(title.split()))
    return normalize_text(title, date_order)
