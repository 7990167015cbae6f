"""Roman numerals spoken as a narrator reads them.

Headings ("CHAPTER III", "LETTER XXV", "XVII.") and series names ("World War
II", "Rocky II") take cardinals; rulers ("Charles I", "Henry VIII's") take
"the" and an ordinal. Everything else stays as written: the pronoun "I" and
capitalized words that happen to be valid numerals ("MIX", "DI", "CIVIL")."""

from __future__ import annotations

import re

from .numbers import cardinal, ordinal, roman_to_int, year

# A single letter counts only as I, V or X, since "Appendix C" or "Part D"
# are letters; D and M are left out of body text and leading numerals so
# that words like "MIX" stay words.
_ROMAN = r"(?:[IVXLC]{2,}|[IVX])"
_ROMAN_WITH_DM = r"(?:[IVXLCDM]{2,}|[IVX])"
_KEYWORD_WORDS = (
    "Chapter Chap. Part Book Volume Vol. Act Scene Section Sect. Appendix Canto Psalm Phase Article Stage Episode "
    "Title Type Class Schedule Category Tier Level Grade Mark Corollary Proposition Prop. Theorem Lemma Plate"
).split()
# Only numbers in a heading: in body text "Letter X" or "Day V" may be words.
_HEADING_WORDS = ("Letter Lesson Lecture Epistle Sonnet Essay Poem Hymn Ode Tale Story Day Night Period Adventure Stave "
                  "Fit Fable Sermon Discourse Dialogue Idyll Eclogue Elegy Satire Cantica Number").split()
# Names that take a number, not an ordinal: "Rocky II" is "Rocky two".
_SERIES = (
    "World War|Super Bowl|Star Wars|Final Fantasy|Grand Theft Auto|Toy Story|Rocky|Rambo|Apollo|Vatican|"
    "Saturn|Gemini|Voyager|Godfather|Jaws|Alien|Terminator|Shrek|Superman|Halloween|Civilization|Windows"
)


def _title_and_upper(words: list[str]) -> str:
    return "|".join(re.escape(v) for w in sorted(words, key=len, reverse=True) for v in (w, w.upper()))


_KEYWORDS = _title_and_upper(_KEYWORD_WORDS)
_HEADING_KEYWORDS = _title_and_upper(_KEYWORD_WORDS + _HEADING_WORDS)
# Keyword or series name, then a numeral; "X-Men" and "Part I's" stay.
_BODY_ROMAN = re.compile(rf"(?<![\w'])({_KEYWORDS}|{_title_and_upper(_SERIES.split('|'))})\s+({_ROMAN})\b(?![\-'])")
# Heading words in body text take a numeral of two letters or more ("see Lecture VII"), never "Day V".
_BODY_HEADING_ROMAN = re.compile(rf"(?<![\w'])({_title_and_upper(_HEADING_WORDS)})\s+([IVXLC]{{2,}})\b(?![\-'])")
# "I" is also a pronoun: in body text only these words make it a number.
_BODY_SINGLE_I = frozenset(
    w for word in ("Chapter", "Part", "Act", "Scene", "Volume", "Canto", "Appendix", "Episode", "World War", "Type", "Class")
    for w in (word, word.upper())
)
_TITLE_KEYWORD_ROMAN = re.compile(rf"(?<![\w'])((?i:{_HEADING_KEYWORDS}))\s+({_ROMAN_WITH_DM})\b(?!-)")
# "IV. The Storm", but not the initial in "I. M. Pei".
_TITLE_LEADING_ROMAN = re.compile(rf"^({_ROMAN})(?=\s*(?:[.:)](?!\s*[A-Z]\.)|$))")

# Rulers known well enough that "Charles I" or "Edward V" is the king, not
# the pronoun or a letter; any other capitalized name needs II or more.
_RULERS = frozenset((
    "Henry Edward George William Louis Charles James Richard Elizabeth Mary John Pius Leo Gregory "
    "Benedict Innocent Clement Urban Boniface Peter Frederick Philip Ferdinand Napoleon Alexander "
    "Nicholas Ivan Catherine Victor Constantine Ramesses Ptolemy Otto Alfonso Gustav Christian Olaf "
    "Harald Wilhelm Friedrich Ludwig Rudolf Leopold Francis Joseph Paul Stephen David Robert Sancho "
    "Anne Victoria Matilda Isabella Juan Carlos Felipe Pedro Manuel Haakon Magnus Eric Erik Canute "
    "Cnut Ethelred Edmund Harold Malcolm Duncan Kenneth Valentinian Theodosius Justinian Frederick "
    "Sixtus Julius Urban Nero Caesar Augustus Selim Suleiman Mehmed Murad Ahmed Rama Kamehameha"
).split())
_NOT_RULER_NUMERALS = frozenset((("Malcolm", "X"),))
# Capitalized words that start sentences but are never names.
_NOT_NAMES = frozenset((
    "The A An And But Or Nor So Yet If As At In On Of To For By With From Into Than Then When While "
    "Did Do Does Was Were Is Am Are Have Has Had Can Could Will Would Shall Should May Might Must "
    "What Why How Where Who Whom Which This That These Those There Here Now Not No Yes Oh Ah "
    "Give Take Get Put Set Run See Say Said Saw Let Make Made Dear Size"
).split()) | frozenset(_KEYWORD_WORDS + _HEADING_WORDS) | frozenset(
    # Numbered parts of a text take a number, not "the": "Lecture VII", "Corollary II".
    "Corollary Proposition Prop Theorem Lemma Definition Axiom Rule Plate Figure Fig Table Note Example Exercise "
    "Problem Question Observation Experiment Case Sect Chap Vol Sermon Letter Lecture Psalm Hymn Book Section".split())
# Old books put a period after the numeral: "Louis XII.'s reign", "Charles V., it".
_REGNAL = re.compile(r"(?<![\w'.])([A-Z][a-z]+)\s+([IVX]{2,}|[IVX])\b(\.(?=['\u2019]s\b|\s*[,;:)]|\s+[a-z]))?(?!-)")
_REGNAL_SINGLE_I_PRONOUN = re.compile(r"\s*'|\s+(?:am|think|thought|know|knew|guess|suppose|mean)\b")

# Whole paragraphs that are headings: "CHAPTER III, TWO MISFORTUNES",
# "LETTER XXV", "XVII.", "IV. THE STORM" (after dashes became commas).
_MAX_HEADING_CHARS = 100
_HEADING = re.compile(
    rf"(?:{_HEADING_KEYWORDS})\s+{_ROMAN_WITH_DM}\b(?!-)(?:\s*[.:,;)].*|\s*)"
    rf"|{_ROMAN}\s*[.:)]?"
    rf"|{_ROMAN}[.:)]\s+(?![A-Z]\.)[\"'A-Z].*"
)
# Fast tests for anything this module may change: most prose has no two
# capitals in a row and no lone V or X; a lone "I" counts only after a
# word that makes it a numeral.
_NUMERAL_LIKE = re.compile(r"(?=[IVXLCDM])(?:[IVXLCDM]{2}|(?<!\w)[VX]\b|^I\b)")  # lookahead: skips fast
_WORD_BEFORE_I = re.compile(r"([A-Z][A-Za-z]+)\s+I\b")
_WORDS_BEFORE_NUMERAL_I = _RULERS | _BODY_SINGLE_I | frozenset(w.split()[-1] for w in _BODY_SINGLE_I)


# "Act III, Scene ii", "chapter xiv": lower-case numerals of two letters or more after a keyword.
_LOWER_AFTER_KEYWORD = re.compile(
    r"\b((?i:act|scene|chapter|book|part|volume|vol\.?,?|canto|section|sc\.|ch\.|page|pages))\s+([ivxlc]{2,})\b(?![-'])"
)
_LOWER_HINT = re.compile(r"\s(?:i[ivx]|v[i]|x[ivxl]|l[ivx]|c[ivxlc]|ii)")
# A title page's year: "MDCCCLXXXIX" (five letters or more, from M, a valid numeral) -> eighteen eighty-nine.
_NUMERAL_YEAR = re.compile(r"(?<![\w'])M[DCLXVI]{4,}\b(?![-'])")


def _may_have_numerals(text: str) -> bool:
    if _NUMERAL_LIKE.search(text):
        return True
    return "I" in text and any(m.group(1) in _WORDS_BEFORE_NUMERAL_I for m in _WORD_BEFORE_I.finditer(text))


def _title_keyword(m: re.Match[str]) -> str:
    value = roman_to_int(m.group(2))
    return m.group(0) if value is None else f"{m.group(1)} {cardinal(str(value))}"


def _title_leading(m: re.Match[str]) -> str:
    value = roman_to_int(m.group(1))
    return m.group(0) if value is None else cardinal(str(value)).capitalize()


def speak_title_numerals(title: str) -> str:
    """Numerals of a heading as numbers: "Chapter XII" -> "Chapter twelve",
    "IV. The Storm" -> "Four. The Storm", "LETTER XXV" -> "LETTER twenty-five"."""
    title = _TITLE_KEYWORD_ROMAN.sub(_title_keyword, title)
    return _TITLE_LEADING_ROMAN.sub(_title_leading, title)


def is_heading(paragraph: str) -> bool:
    """Is the whole paragraph a numbered heading (plain-text books put
    "CHAPTER III--TWO MISFORTUNES" on a line of its own)?"""
    return len(paragraph) <= _MAX_HEADING_CHARS and _HEADING.fullmatch(paragraph.strip()) is not None


def _preceded_by_word(m: re.Match[str]) -> bool:
    start = m.start()
    return start > 0 and (m.string[start - 1].isalnum() or m.string[start - 1] in "'.")


def _body_roman(m: re.Match[str]) -> str:
    value = roman_to_int(m.group(2))
    if value is None or _preceded_by_word(m) or (m.group(2) == "I" and m.group(1) not in _BODY_SINGLE_I):
        return m.group(0)
    return f"{m.group(1)} {cardinal(str(value))}"


def _regnal(m: re.Match[str]) -> str:
    name, numeral = m.group(1), m.group(2)
    value = roman_to_int(numeral)
    if value is None or name in _NOT_NAMES or (name, numeral) in _NOT_RULER_NUMERALS:
        return m.group(0)
    if m.group(3) and name not in _RULERS and len(numeral) < 2:
        return m.group(0)
    if len(numeral) == 1:
        if name not in _RULERS:
            return m.group(0)  # "Did I", "Vitamin X"
        if numeral == "I" and _REGNAL_SINGLE_I_PRONOUN.match(m.string, m.end()):
            return m.group(0)  # "John I think", "Mary I'm here"
    return f"{name} the {ordinal(str(value))}"


def _lower_after_keyword(m: re.Match[str]) -> str:
    value = roman_to_int(m.group(2).upper())
    return m.group(0) if value is None else f"{m.group(1)} {cardinal(str(value))}"


def _numeral_year(m: re.Match[str]) -> str:
    value = roman_to_int(m.group(0))
    return m.group(0) if value is None or not 1000 <= value <= 2099 else year(str(value))


def speak_roman_numerals(text: str) -> str:
    """Roman numerals in one paragraph of body text, said as a narrator would."""
    if _LOWER_HINT.search(text):
        text = _LOWER_AFTER_KEYWORD.sub(_lower_after_keyword, text)
    if not _may_have_numerals(text):
        return text
    if is_heading(text):
        text = speak_title_numerals(text.strip())
    text = _BODY_ROMAN.sub(_body_roman, text)
    text = _BODY_HEADING_ROMAN.sub(_title_keyword, text)
    if "M" in text:
        text = _NUMERAL_YEAR.sub(_numeral_year, text)
    return _REGNAL.sub(_regnal, text)
