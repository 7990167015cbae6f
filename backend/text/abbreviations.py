"""Abbreviations: spoken expansions for normalization, and the list of
words whose final period does not end a sentence (used by the chunker)."""

from __future__ import annotations

import re

# Titles written before a name: "Dr. Watson" -> "Doctor Watson".
_NAME_TITLES = {
    "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor",
    "Capt": "Captain", "Col": "Colonel", "Gen": "General", "Lt": "Lieutenant",
    "Sgt": "Sergeant", "Cpl": "Corporal", "Maj": "Major", "Adm": "Admiral",
    "Rev": "Reverend", "Hon": "Honorable", "Gov": "Governor", "Sen": "Senator",
    "Pres": "President", "Insp": "Inspector", "Supt": "Superintendent",
    "Messrs": "Messieurs", "Mme": "Madame", "Mlle": "Mademoiselle", "Mt": "Mount", "Ft": "Fort",
    "Lieut": "Lieutenant", "Sergt": "Sergeant", "Brig": "Brigadier", "Cmdr": "Commander", "Fr": "Father",
    # Given names as older books abbreviate them: "Wm. Penn", "Chas. Dickens".
    "Wm": "William", "Chas": "Charles", "Geo": "George", "Thos": "Thomas", "Jas": "James", "Jno": "John",
    "Benj": "Benjamin", "Saml": "Samuel", "Robt": "Robert", "Richd": "Richard", "Edw": "Edward",
}
# Often the last word of a sentence, so a period before a capital stays.
_SENTENCE_FINAL = {
    "etc": "et cetera", "Jr": "Junior", "Sr": "Senior", "Inc": "Incorporated",
    "Ltd": "Limited", "Corp": "Corporation", "Bros": "Brothers", "approx": "approximately",
    "Ave": "Avenue", "Rd": "Road", "Blvd": "Boulevard", "Esq": "Esquire", "Esqr": "Esquire", "Co": "Company",
}
# Only abbreviations when a number follows: "No. 5", "p. 12", "Fig. 3".
_BEFORE_NUMBER = {
    "No": "number", "no": "number", "Nos": "numbers", "nos": "numbers", "Fig": "figure",
    "fig": "figure", "Vol": "volume", "vol": "volume", "Ch": "chapter", "ch": "chapter",
    "p": "page", "pp": "pages", "Art": "article", "Sec": "section", "Ex": "example", "Figs": "figures",
    "Chap": "Chapter", "chap": "chapter", "Sect": "Section", "sect": "section", "Prop": "Proposition",
    "Theor": "Theorem", "Cor": "Corollary", "Exper": "Experiment", "Obs": "Observation", "ext": "extension",
    "figs": "figures", "Apt": "apartment", "apt": "apartment",
}
# The words the expansions write (the words-to-check scan leaves them out).
EXPANSION_WORDS = frozenset([*_NAME_TITLES.values(), *_SENTENCE_FINAL.values(), "Saint", "Street", "Drive"])
# Words that do not end a sentence with their period, even before a capital.
NON_TERMINAL_ABBREVIATIONS = frozenset(
    [k.lower() for k in _NAME_TITLES] + ["st", "e.g", "i.e", "vs", "cf", "viz", "al", "u.s", "u.k", "ph.d"]
)
# These are abbreviations only before a number ("No. 5"; "Say no. Then").
BEFORE_NUMBER_ABBREVIATIONS = frozenset(k.lower() for k in _BEFORE_NUMBER)


def _alternatives(words: dict[str, str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


# One regex for all abbreviations, so the text is scanned once. The leading
# lookahead lets the engine skip fast over characters that cannot start one.
_ABBREVIATION = re.compile(
    r"(?=[A-Za-z])(?:"
    # before a number, or a Roman numeral of a numbered part ("Chap. XXVII", "Prop. II")
    rf"(?P<before_number>(?:{_alternatives(_BEFORE_NUMBER)})\.\s?(?=\d|[IVXLC]+\b|[ivxlc]{{2,}}\b))"
    r"|(?P<saint>St\.(?=(?P<saint_capital>\s+[A-Z]))?)"
    rf"|(?P<title>(?:{_alternatives(_NAME_TITLES)})\.(?P<title_end>\s*$)?)"
    # British style without the period ("Mr Smith"): only where unambiguous.
    r"|(?P<bare_title>(?:Mrs|Mr|Ms|Dr|St)(?=\s+[A-Z][a-z]))"
    rf"|(?P<final>(?:{_alternatives(_SENTENCE_FINAL)})\.(?=(?P<final_end>\s+[A-Z\"']|\s*$))?)"
    r"|(?P<eg>[Ee]\.\s?g\.,?)|(?P<ie>[Ii]\.\s?e\.,?)"
    r"|(?P<et_al>et al\.(?P<et_al_mid>(?=\s+[a-z,;]))?)"
    r"|(?P<cf>cf\.)|(?P<viz>viz\.)|(?P<versus>[Vv]s\.?(?=\s))"
    ")"
)


def _period_gate() -> re.Pattern[str]:
    """A regex that finds only periods ending a known abbreviation. It
    starts with a literal '.', which the engine finds very fast, so most
    paragraphs are ruled out without running the full regex above."""
    words = set(_NAME_TITLES) | set(_SENTENCE_FINAL) | set(_BEFORE_NUMBER)
    words |= {"St", "cf", "viz", "al", "vs", "Vs", "e.g", "E.g", "i.e", "I.e", "e. g", "E. g", "i. e", "I. e"}
    by_length: dict[int, list[str]] = {}
    for word in words:
        by_length.setdefault(len(word), []).append(re.escape(word))
    # Look-behinds must have a fixed width: one per word length.
    lookbehinds = [rf"(?<=\b(?:{'|'.join(sorted(group))})\.)" for _, group in sorted(by_length.items())]
    return re.compile(r"\.(?:" + "|".join(lookbehinds) + ")")


_PERIOD_GATE = _period_gate()
_BARE_HINTS = ("Mr ", "Mrs ", "Ms ", "Dr ", "St ", "vs ", "Vs ")
# The word before a street type: a name ("Baker St.") or an ordinal ("5th St."); a house number
# before it ("221 Baker St.") is read by addresses.py.
_PREVIOUS_WORD = re.compile(r"(?:([A-Z][a-z]+)|\d+(?:st|nd|rd|th))\s+$")
_NEXT_WORD = re.compile(r"\s+([A-Z][a-z]*)\b(?!\.)")
# Capitalized words that start sentences and are never names: "Baker St.
# Then he left" ends a sentence, "St. John" and "Miss St. John" do not.
_SENTENCE_STARTERS = frozenset((
    "The A An Then He She It They We I You But And So There This That These Those His Her Its Our "
    "Their My Your When After Before Now As At In On If Yet Or Nor Not Here Later Soon Still "
    "Meanwhile Afterwards Some All Every Each What Why How Where Nobody Everyone Someone"
).split())
# Capitalized words that come before "St. Paul" or "Dr. Watson" without
# being a street name: "Miss St. John", "Cape St. Anthony", "Then Dr. Who".
_NOT_A_STREET_NAME = _SENTENCE_STARTERS | frozenset((
    "To From Of Near By For With Into Past Old New Miss Mister Missus Master Lady Lord Sir Dame "
    "Madame Mademoiselle Monsieur Cape Fort Mount Lake Port Point Isle Bay Sault Ask Tell Thank Thanks"
).split())


def _after_street_name(m: re.Match[str]) -> bool:
    before = _PREVIOUS_WORD.search(m.string, max(0, m.start() - 40), m.start())
    return before is not None and before.group(1) not in _NOT_A_STREET_NAME


def _sentence_follows(m: re.Match[str], end: int) -> bool:
    """Does a new sentence start after the abbreviation ending at `end`?"""
    following = _NEXT_WORD.match(m.string, end)
    return not m.string[end:].strip() or (following is not None and following.group(1) in _SENTENCE_STARTERS)


def _saint_or_street(m: re.Match[str]) -> str:
    if m.group("saint_capital") and not (_after_street_name(m) and _sentence_follows(m, m.end())):
        return "Saint"
    # "Baker St. Then..." keeps its period: a new sentence starts after it.
    return "Street." if _sentence_follows(m, m.end()) else "Street"


def _doctor_or_drive(m: re.Match[str]) -> str:
    """"Dr. Watson" is a doctor; "123 Circle Dr., Santa Maria" a drive."""
    following = _NEXT_WORD.match(m.string, m.end())
    before_name = following is not None and following.group(1) not in _SENTENCE_STARTERS
    word = "Drive" if _after_street_name(m) and not before_name else "Doctor"
    return word + "." if _sentence_follows(m, m.end()) else word


_SENTENCE_START = re.compile(r"(?:^|[.!?][\"')\]]*\s+)$")


def _expand(m: re.Match[str]) -> str:
    start = m.start()
    if start and (m.string[start - 1].isalnum() or m.string[start - 1] == "."):
        return m.group(0)  # inside a longer word ("Adr.", "x.e.g.")
    kind = m.lastgroup if m.lastgroup in _KINDS else next(k for k in _KINDS if m.group(k) is not None)
    g = m.group
    if kind == "before_number":
        word = _BEFORE_NUMBER[g(0).split(".")[0]]
        # "No. 13 was there." starts a sentence: "Number thirteen ...".
        at_start = g(0)[0].isupper() and _SENTENCE_START.search(m.string, max(0, start - 5), start)
        return (word.capitalize() if at_start else word) + " "
    if kind == "saint":
        return _saint_or_street(m)
    if kind == "title":
        abbreviation = g(0).split(".")[0]
        if abbreviation == "Dr":
            return _doctor_or_drive(m)
        word = _NAME_TITLES[abbreviation]
        # "... went to see the Dr." keeps the period that ends the sentence.
        return word + "." if _sentence_follows(m, m.end()) else word
    if kind == "bare_title":
        return "Saint" if g(0) == "St" else _NAME_TITLES[g(0)]
    if kind == "final":
        word = _SENTENCE_FINAL[g(0)[:-1]]
        return word + "." if g("final_end") is not None else word
    if kind in ("eg", "ie"):
        words = "for example," if kind == "eg" else "that is,"
        return words.capitalize() if g(0)[0].isupper() else words
    if kind == "et_al":
        return "and others" if g("et_al_mid") is not None else "and others."
    return {"cf": "compare", "viz": "namely", "versus": "versus"}[kind]


_KINDS = ("before_number", "saint", "title", "bare_title", "final", "eg", "ie", "et_al", "cf", "viz", "versus")


def expand_abbreviations(text: str) -> str:
    """Spell out common abbreviations so the voice does not read them
    letter by letter or pause at their period."""
    if _PERIOD_GATE.search(text) or any(hint in text for hint in _BARE_HINTS):
        return _ABBREVIATION.sub(_expand, text)
    return text
