"""Find numbers in running text and replace them with words.

One combined regex scans the text once. Its alternatives are ordered from
the most specific reading (money, times, ordinals, years) to the most
general (plain digits); at any position the first alternative that fits
claims the number, so "12%" is a percentage before it could be a plain 12."""

from __future__ import annotations

import re

from .numbers import cardinal, clock_time, money, number, ordinal, plural, spell_digits, year

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)"  # with or without thousands separators
_MERIDIEM = r"(?:\s?(?P<{}>[AaPp])\.?[Mm]\b\.?)"  # a.m./p.m.; formatted with a group name
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|[kKmM])\b)"

# The leading lookahead lets the regex engine skip quickly over text that
# cannot start a number (a large speed-up on long books).
_NUMBERS = re.compile(
    r"(?=[-$£€¥#'.\d])(?:"
    rf"(?P<money>(?P<currency>[$£€¥])\s?(?P<whole>{_NUM})(?:\.(?P<cents>\d+))?{_SCALE}?)"
    r"|(?P<minus>(?<![\w.,])-(?=\.?\d))"
    r"|(?P<hash>#(?=\d))"
    r"|(?P<time>(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)(?::(?P<sec>[0-5]\d))?(?![\d:])"
    + _MERIDIEM.format("tm") + "?)"
    rf"|(?P<percent>(?P<pct>{_NUM}(?:\.\d+)?|\.\d+)\s?%)"
    rf"|(?P<degrees>(?P<deg>{_NUM}(?:\.\d+)?)\s?°\s?(?P<unit>[CF]\b)?)"
    r"|(?P<hour>(?<![\d:.,])(?P<hh>1[0-2]|0?[1-9])" + _MERIDIEM.format("hm") + ")"
    rf"|(?P<ordinal>(?<![\d.,])(?P<nth>{_NUM})(?:st|nd|rd|th|ST|ND|RD|TH)\b)"
    r"|(?P<decade>(?<![\d.,])(?P<decade_year>1[1-9]\d0|20\d0)s\b|'(?P<decade_short>[1-9]0)s\b)"
    r"|(?P<dotted>(?<![\d.])\d+(?:\.\d+){2,}(?!\d))"  # versions, IP addresses
    r"|(?P<year>(?<![\d.,])(?P<yyyy>1[1-9]\d\d|20\d\d)(?!\d|,\d|\.\d))"
    rf"|(?P<number>(?<![\d.,])(?:{_NUM}(?:\.\d+)?|\.\d+)(?!\d))"
    ")"
)
_LETTER = re.compile(r"[^\W\d_]")
# Stems of the decades for "'80s" -> "eighties".
_TENS = dict(zip("23456789", ("twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"), strict=True))
_DEGREE_SCALES = {"C": " Celsius", "F": " Fahrenheit"}


def _meridiem(letter: str | None) -> str:
    return f"{letter.lower()}.m." if letter else ""


def _decade(first: str | None, short: str | None) -> str:
    if first:
        return plural(year(first))
    return "tens" if short[0] == "1" else _TENS[short[0]] + "ies"  # type: ignore[index]


def _words(m: re.Match[str]) -> str:
    kind = m.lastgroup
    g = m.group
    if kind == "money":
        return money(g("currency"), g("whole"), g("cents"), g("scale"))
    if kind == "minus":
        return "minus "
    if kind == "hash":
        return "number "
    if kind == "time":
        words = clock_time(g("h"), g("min"), _meridiem(g("tm")))
        if g("sec") and g("sec") != "00":
            words += f" and {cardinal(str(int(g('sec'))))} seconds"
        return words
    if kind == "percent":
        return number(g("pct")) + " percent"
    if kind == "degrees":
        return f"{number(g('deg'))} degrees{_DEGREE_SCALES.get(g('unit') or '', '')}"
    if kind == "hour":
        return f"{cardinal(g('hh').lstrip('0'))} {_meridiem(g('hm'))}"
    if kind == "ordinal":
        return ordinal(g("nth"))
    if kind == "decade":
        return _decade(g("decade_year"), g("decade_short"))
    if kind == "dotted":
        parts = g(0).split(".")
        return " dot ".join(cardinal(p) if len(p) < 4 else spell_digits(p) for p in parts)
    if kind == "year":
        return year(g("yyyy"))
    return number(g(0))


def _replace(m: re.Match[str]) -> str:
    words = _words(m)
    if m.lastgroup in ("minus", "hash"):
        return words
    # Keep words apart from letters glued to the number ("MP3", "3D").
    s = m.string
    before = " " if m.start() > 0 and _LETTER.match(s, m.start() - 1) else ""
    after = " " if m.end() < len(s) and _LETTER.match(s, m.end()) else ""
    return f"{before}{words}{after}"


def expand_numbers(text: str) -> str:
    """Replace every number in `text` by words."""
    return _NUMBERS.sub(_replace, text)
