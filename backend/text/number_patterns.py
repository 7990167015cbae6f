"""Find numbers in running text and replace them with words.

One combined regex scans the text once. Its alternatives are ordered from
the most specific reading (money, times, fractions, measures, ordinals,
years) to the most general (plain digits); at any position the first
alternative that fits claims the number, so "12%" is a percentage before it
could be a plain 12. Dates, phone numbers, ranges and formulas were read
before this pass (dates.py, number_context.py)."""

from __future__ import annotations

import re

from .measures import (
    UNIT_WORD_AFTER,
    article,
    is_singular,
    sentence_period,
    unit_after_number,
    unit_period,
    unit_words,
    used_as_adjective,
)
from .numbers import cardinal, clock_time, fraction, money, number, ordinal, plural, spell_digits, year

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)"  # with or without thousands separators
_MERIDIEM = r"(?:\s?(?P<{}>[AaPp])\.?[Mm]\b\.?)"  # a.m./p.m.; formatted with a group name
_ZONE = r"(?:\s?(?P<zone>(?:[ECMP][SD]T|GMT|UTC|BST|CET|CEST|IST|[ecmp][sd]t|gmt|utc|bst|cet))\b\.?)"
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|[kKmM])\b)"

# The leading lookahead lets the regex engine skip quickly over text that
# cannot start a number (a large speed-up on long books).
_NUMBERS = re.compile(
    r"(?=[-+$£€¥₹₩#'.\dUACNHS])(?:"
    rf"(?P<money>(?P<country>US|U\.S\.|A|AU|C|CA|NZ|HK|S)?(?P<currency>[$£€¥₹₩])\s?"
    rf"(?:(?P<whole>{_NUM})(?:\.(?P<cents>\d+))?|\.(?P<cents_only>\d+)){_SCALE}?(?P<own_word>\s(?:dollars?|pounds?|euros?))?)"
    rf"|(?P<cent_sign>(?P<cent_amount>{_NUM}(?:\.\d+)?)\s?¢)"
    r"|(?P<minus>(?<![\w.,])-(?=\.?\d))"
    r"|(?P<plus>(?<![\w.,])\+(?=\s?\.?\d))"
    r"|(?P<hash>#(?=\d))"
    r"|(?P<lsd>(?<!\d)(?<!\d[.,])(?P<shillings>\d{1,3})s\.(?:\s?(?P<pence>\d{1,2})d\.)?|(?<!\d)(?<!\d[.,])(?P<pence_only>\d{1,2})d\.)"
    r"|(?P<time>(?<![\d:.])(?P<h>\d\d?):(?P<min>[0-5]\d)(?::(?P<sec>[0-5]\d))?(?![\d:])" + _MERIDIEM.format("tm") + "?"
    + _ZONE + "?)"
    r"|(?P<dotted_time>(?<!\d)(?<!\d[.,])(?P<dh>1[0-2]|0?[1-9])\.(?P<dm>[0-5]\d)" + _MERIDIEM.format("dtm") + ")"

    rf"|(?P<percent>(?P<pct>{_NUM}(?:\.\d+)?|\.\d+)\s?%)"
    rf"|(?P<degrees>(?P<deg>{_NUM}(?:\.\d+)?)\s?°(?:\s?(?P<deg_scale>[CFK](?![\w])))?"
    # latitude and longitude: "79° 20' N.", "86° 53' 10\""
    r"(?:\s?(?P<arcmin>[0-5]?\d)['′](?:\s?(?P<arcsec>[0-5]?\d(?:\.\d+)?)(?:\"|''|″))?)?"
    r"(?:\s?(?P<compass>[NSEW])\b(?P<compass_dot>\.)?)?)"
    rf"|(?P<inch_mark>(?<!\d)(?<!\d[.,])(?P<inches_n>{_NUM}(?:\.\d+)?)\")"
    r"|(?P<hour>(?<![\d:])(?<!\d[.,])(?P<hh>1[0-2]|0?[1-9])" + _MERIDIEM.format("hm") + ")"
    r"|(?P<fraction>(?<![\d/])(?<!\d[.,])(?:(?P<mixed>\d+)[\s-](?=\d+/\d))?(?P<fn>\d+)/(?P<fd>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\d/\w]|[.,]\d)"
    rf"(?:{unit_after_number('unit')}|{UNIT_WORD_AFTER})?)"
    rf"|(?P<ordinal>(?<!\d)(?<!\d[.,])(?P<nth>{_NUM})(?:st|nd|rd|th|ST|ND|RD|TH)\b)"
    r"|(?P<old_ordinal>(?<!\d)(?<!\d[.,])(?P<old_nth>\d*[23])d\b(?!\.))"  # "2d", "23d": older American "second", "twenty-third"
    r"|(?P<short_year>(?<![\w'])'(?P<oh>0\d)(?![\w'])(?!\s?%))"  # "the campaign of '03": oh three
    r"|(?P<decade>(?<!\d)(?<!\d[.,])(?P<decade_year>1[1-9]\d0|20\d0)s\b|(?:'|(?<!\d)(?<!\d[.,]))(?P<decade_short>[1-9]0)s\b)"
    r"|(?P<feet_inches>(?<!\d)(?<!\d[.,])(?P<feet>[1-9])'\s?(?P<inches>1[01]|\d)(?!\d)(?:\"|'')?)"
    r"|(?P<dotted>(?<![\d.])\d+(?:\.\d+){2,}(?!\d))"  # versions, IP addresses
    rf"|(?P<measure>(?<!\d)(?<!\d[.,])(?P<amount>{_NUM}(?:\.\d+)?|\.\d+)(?:\s(?P<measure_scale>thousand|million|billion))?"
    rf"{unit_after_number('measure_unit')})"
    # "at 7.30" is a British clock time (after a word that asks for a time); other "7.30" a decimal
    r"|(?P<dot_clock>(?<!\d)(?<!\d[.,])(?P<ch>1\d|2[0-3]|0?[1-9])\.(?P<cm>[0-5]\d)(?!\d|[.,]\d))"
    r"|(?P<year>(?<!\d)(?<!\d[.,])(?P<yyyy>1[1-9]\d\d|10[1-9]\d|20\d\d)(?!\d|,\d|\.\d))"
    rf"|(?P<number>(?<!\d)(?<!\d[.,])(?:{_NUM}(?:\.\d+)?|\.\d+(?!\.\d))(?!\d))"
    ")"
)
_LETTER = re.compile(r"[^\W\d_]")
# Stems of the decades for "'80s" -> "eighties".
_TENS = dict(zip("23456789", ("twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"), strict=True))
# "at 10:30:15" is a time of day; "ran it in 2:03:45" a duration.
_DOT_CLOCK_WORDS = re.compile(r"\b(?:at|until|till|by|before|after)\s+$", re.IGNORECASE)
_CLOCK_WORDS = re.compile(r"\b(?:at|by|until|till|from|before|after|since|around|about|to|past)\s+$", re.IGNORECASE)


def _meridiem(m: re.Match[str], name: str) -> str:
    """"a.m." / "p.m.": espeak-ng says the dotted letters ("A M" spaced would read "uh M")."""
    letter = m.group(name)
    return f"{letter.lower()}.m." if letter else ""


def _letters(abbreviation: str) -> str:
    """"EST" -> "E.S.T.": said letter by letter."""
    return "".join(f"{ch}." for ch in abbreviation.upper())


# Pence under a shilling are one word: "sixpence", "twopence".
def _pence(n: int) -> str:
    return "a penny" if n == 1 else f"{cardinal(str(n))}pence" if n < 12 else f"{cardinal(str(n))} pence"


def _shillings_and_pence(shillings: str | None, pence: str | None) -> str:
    said = [_count(int(shillings), "shilling", "shillings")] if shillings else []
    if pence and int(pence):
        said.append(_pence(int(pence)))
    return " and ".join(said)


def _decade(first: str | None, short: str | None) -> str:
    if first:
        return plural(year(first))
    return "tens" if short[0] == "1" else _TENS[short[0]] + "ies"  # type: ignore[index]


def _count(n: int, one: str, many: str) -> str:
    return f"{cardinal(str(n))} {one if n == 1 else many}"


def _duration(hours: int, minutes: int, seconds: int) -> str:
    """1, 1, 1 -> "one hour, one minute and one second" (zero parts left out)."""
    parts = [_count(n, one, one + "s") for n, one in ((hours, "hour"), (minutes, "minute"), (seconds, "second")) if n]
    if not parts:
        return "zero seconds"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _time(m: re.Match[str]) -> str:
    g = m.group
    hours, minutes = int(g("h")), int(g("min"))
    clock = g("tm") or _CLOCK_WORDS.search(m.string, max(0, m.start() - 10), m.start())
    if g("sec") and not clock:
        return _duration(hours, minutes, int(g("sec")))
    if hours > 23:  # "45:30" on a stopwatch
        return _duration(0, hours, minutes)
    words = clock_time(g("h"), g("min"), _meridiem(m, "tm"))
    if g("sec") and g("sec") != "00":
        words += f" and {_count(int(g('sec')), 'second', 'seconds')}"
    return words + (f" {_letters(g('zone').rstrip('.'))}" if g("zone") else "")


# Said as names, not as fractions.
_IDIOMS = {("24", "7"): "twenty-four seven", ("50", "50"): "fifty-fifty", ("9", "11"): "nine eleven",
           ("20", "20"): "twenty-twenty", ("7", "11"): "seven eleven"}


_COUNTRY_DOLLARS = {"US": "U.S.", "U.S.": "U.S.", "A": "Australian", "AU": "Australian", "C": "Canadian",
                    "CA": "Canadian", "NZ": "New Zealand", "HK": "Hong Kong", "S": "Singapore"}
# "$20 bills", "a £5 note": the amount names the thing, so the currency is said in the singular.
_NAMED_BY_AMOUNT = re.compile(r"\s(?:bills?|notes?|coins?|pieces?|checks?|cheques?|fines?|tickets?|fees?|bets?|"
                              r"prizes?|rewards?|bonds?|stamps?|bonus(?:es)?|gift cards?|raises?)\b")


_COMPASS = {"N": "north", "S": "south", "E": "east", "W": "west"}


def _degrees(m: re.Match[str]) -> str:
    g = m.group
    said = f"{number(g('deg'))} {unit_words(g('deg_scale') or '', is_singular(g('deg')))}"
    if g("arcmin"):
        said += f" {_count(int(g('arcmin')), 'minute', 'minutes')}"
    if g("arcsec"):
        said += f" {number(g('arcsec'))} {'second' if g('arcsec') == '1' else 'seconds'}"
    if g("compass"):
        said += f" {_COMPASS[g('compass')]}" + (sentence_period(m) if g("compass_dot") else "")
    return said


def _money(m: re.Match[str]) -> str:
    g = m.group
    cents = g("cents") or g("cents_only")
    if cents is not None and len(cents) == 1 and not g("scale"):
        cents += "0"  # "$20.5" is twenty dollars fifty
    adjective = used_as_adjective(m) or bool(_NAMED_BY_AMOUNT.match(m.string, m.end()))
    said = money(g("currency"), g("whole"), cents, g("scale"), adjective=adjective)
    if g("country") and g("currency") == "$":
        said = said.replace("dollar", f"{_COUNTRY_DOLLARS[g('country')]} dollar")
    return said  # a currency word the book wrote after the amount ("$4 million dollars") is said once


def _fraction(m: re.Match[str]) -> str:
    g = m.group
    if not g("mixed") and (g("fn"), g("fd")) in _IDIOMS and not (g("unit") or g("unit_word")):
        return _IDIOMS[g("fn"), g("fd")]
    top, bottom = int(g("fn")), int(g("fd"))
    unit, unit_word = g("unit"), g("unit_word")
    if bottom == 0 or (top >= bottom and not g("mixed")):
        said = f"{cardinal(g('fn'))} over {cardinal(g('fd'))}"  # "24/7", "10/3"
        return said + (f" {unit_words(unit, False)}{unit_period(m, 'unit')}" if unit else f" {unit_word}" if unit_word else "")
    if g("mixed"):
        said = f"{cardinal(g('mixed'))} and {fraction(top, bottom, article=True)}"
        if unit:
            return f"{said} {unit_words(unit, False)}{unit_period(m, 'unit')}"
        return f"{said} {unit_word}s" if unit_word else said
    if unit or unit_word:  # "1/4 cup" -> "a quarter cup"; "5/8 inch" -> "five eighths of an inch"
        name = unit_words(unit, True) if unit else unit_word
        said = fraction(top, bottom, article=True) if top == 1 else f"{fraction(top, bottom)} of {article(name)}"
        return f"{said} {name}" + (unit_period(m, "unit") if unit else "")
    return fraction(top, bottom)


def _words(m: re.Match[str]) -> str:
    kind = m.lastgroup
    g = m.group
    if kind == "money":
        return _money(m)
    if kind == "cent_sign":
        return number(g("cent_amount")) + (" cent" if g("cent_amount") == "1" else " cents")
    if kind == "minus":
        return "minus "
    if kind == "plus":
        return "plus "
    if kind == "hash":
        return "number "
    if kind == "time":
        return _time(m)
    if kind == "dotted_time":
        return f"{clock_time(g('dh'), g('dm'), _meridiem(m, 'dtm'))}"
    if kind == "dot_clock":
        after_clock_word = _DOT_CLOCK_WORDS.search(m.string, max(0, m.start() - 8), m.start())
        return clock_time(g("ch"), g("cm")) if after_clock_word else number(g(0))
    if kind == "lsd":  # the abbreviation's period may also end the sentence
        return _shillings_and_pence(g("shillings"), g("pence") or g("pence_only")) + sentence_period(m)
    if kind == "percent":
        return number(g("pct")) + " percent"
    if kind == "degrees":
        return _degrees(m)
    if kind == "inch_mark":  # 12" is twelve inches, unless the mark closes a quotation
        if m.string.count('"', 0, m.start()) % 2:
            return number(g("inches_n")) + '"'
        return f"{number(g('inches_n'))} {unit_words('in', is_singular(g('inches_n')) or used_as_adjective(m))}"
    if kind == "short_year":
        return f"oh {cardinal(g('oh')[1])}"
    if kind == "old_ordinal":
        return ordinal(g("old_nth"))
    if kind == "hour":
        return f"{cardinal(g('hh').lstrip('0'))} {_meridiem(m, 'hm')}"
    if kind == "fraction":
        return _fraction(m)
    if kind == "ordinal":
        return ordinal(g("nth"))
    if kind == "decade":
        return _decade(g("decade_year"), g("decade_short"))
    if kind == "feet_inches":  # 6'2" -> "six foot two"
        return f"{cardinal(g('feet'))} foot {cardinal(g('inches'))}" if g("inches") != "0" else f"{cardinal(g('feet'))} feet"
    if kind == "dotted":
        parts = g(0).split(".")
        return " dot ".join(cardinal(p) if len(p) < 4 else spell_digits(p) for p in parts)
    if kind == "measure":
        singular = (is_singular(g("amount")) and not g("measure_scale")) or used_as_adjective(m)
        scale = f" {g('measure_scale')}" if g("measure_scale") else ""
        return f"{number(g('amount'))}{scale} {unit_words(g('measure_unit'), singular)}{unit_period(m, 'measure_unit')}"
    if kind == "year":
        return year(g("yyyy"))
    return number(g(0))


def _replace(m: re.Match[str]) -> str:
    words = _words(m)
    if m.lastgroup in ("minus", "plus", "hash"):
        return words
    # Keep words apart from letters glued to the number ("MP3", "3D").
    s = m.string
    before = " " if m.start() > 0 and _LETTER.match(s, m.start() - 1) else ""
    after = " " if m.end() < len(s) and _LETTER.match(s, m.end()) else ""
    return f"{before}{words}{after}"


def expand_numbers(text: str) -> str:
    """Replace every number in `text` by words."""
    return _NUMBERS.sub(_replace, text)
