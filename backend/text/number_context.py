"""Numbers read by what joins them, before single numbers are read (number_patterns.py):

- telephone numbers and serials, digit group by digit group: "+1 123-123-5678" -> "plus one, one two
  three, one two three, five six seven eight";
- formulas: "8*7" -> "8 times 7", "1+1 = 2" -> "1 plus 1 equals 2", "x=5" -> "x equals 5";
- ranges and scores: "10-12", "10 - 12", "(1812-1882)", "won 3-2" -> "10 to 12" ….
The numbers themselves stay digits here; the number pass reads them next (as years, money, units).
"""

from __future__ import annotations

import re

from .addresses import house_number
from .numbers import spell_digits

_PHONE = re.compile(
    r"(?<![\w+/.,-])"
    r"(?:\+(?P<cc>\d{1,3})[\s.-]?|(?P<trunk>1)[\s.-])?"  # +1 or a leading 1-
    r"(?:\((?P<area>\d{3})\)[\s-]?|(?P<area2>\d{3})[.-]|(?P<area3>\d{3})\s(?=\d{3}[.-]))"
    r"(?P<exchange>\d{3})[\s.-](?P<line>\d{4})(?![\w-]|[.,]\d)"
    # international: "+44 20 7946 0958", "+49 171 1234567"
    r"|(?<![\w+])\+(?P<intl>\d{1,3}(?:[\s.-]\d{1,8}){1,5})(?![\w-]|[.,]\d)"
    # national with a trunk 0: "0161 123 4567", "07700 900873", "(012) 3456789"
    r"|(?<![\w+(])(?P<national>\(0\d{2,4}\)\s?\d{3,8}(?:[\s-]\d{3,4})?|0\d{2,4}[\s-]\d{3,8}(?:[\s-]\d{3,4})?)(?![\w-]|[.,]\d)"
)
# A bare "555-1234" is a phone number only where the text says so ("call 555-1234"); after "dial" or
# "call" any number is said digit by digit ("dial 911").
_LOCAL_PHONE = re.compile(
    r"(?i:\b(?:call|phone|telephone|tel\.?|fax|dial|ring|number|no\.|at)\s+)(?P<ex>[2-9]\d\d)-(?P<ln>\d{4})(?![\w-])"
    r"|(?i:\b(?:dial|dialed|dialled|call|phone|telephone|ring|extension)\s+)(?:[A-Z][a-z]+\s+)?(?P<dialled>\d{3,})(?!\w|[.,]\d|-)"
)
# Three or more groups of digits joined by hyphens: ISBNs, part and serial numbers.
_SERIAL = re.compile(r"(?<![\w.,/-])\d+(?:-\d+){2,}(?![\w/-]|[.,]\d)")

_OPERAND = r"(?:\d+(?:[.,]\d+)*|(?<![\w'])[A-Za-z](?![\w']))"
_OPERATOR = r"(?:[-+*×÷=<>≤≥≠≈^/])"
_FORMULA = re.compile(rf"(?<![\w.,])-?{_OPERAND}(?:\s?{_OPERATOR}\s?-?{_OPERAND})+(?![\w])")
_MATH_OPERATORS = frozenset("+*×÷=<>≤≥≠≈^")
_SPOKEN_OPERATOR = {
    "+": "plus", "-": "minus", "*": "times", "×": "times", "÷": "divided by", "/": "divided by", "=": "equals",
    "<": "is less than", ">": "is greater than", "≤": "is less than or equal to", "≥": "is greater than or equal to",
    "≠": "is not equal to", "≈": "is approximately", "^": "to the power of",
}
_OPERATOR_IN_FORMULA = re.compile(r"(?<=[\w.])\s?([-+*×÷=<>≤≥≠≈^/])\s?|(?<=\s)([-+*×÷=<>≤≥≠≈^/])\s?")
# "8 x 10" is a size: "8 by 10".
_BY = re.compile(r"(?<=\d) ?[x×] ?(?=\d)")

_CURRENCY = "$£€¥₹₩"
# One side of a range: an amount, a number, a decade or a percentage, or a clock time ("9:30", "9am").
_END = r"(?:\d\d?:\d\d|[$£€¥₹₩]?\d[\d,]*(?:\.\d+)?(?:s\b|\s?%)?)(?:\s?[AaPp]\.?[Mm]\b\.?)?"
_RANGE = re.compile(rf"(?<![\w.,/:-])(?P<a>{_END})(?:-|\s-\s|\s?--\s?)(?P<b>{_END})(?![\d:/-]|[.,]\d)")
# "Room 101", "P. O. Box 2782", "Suite 450", "Flight 815": said like a house number.
_NUMBERED_PLACE = re.compile(r"\b(?P<place>(?i:room|box|suite|flight|gate|platform)\s)(?P<code>\d{3,4})\b(?![.,]\d)")
# "401(k)", "501(c)(3)": a plan or section named by digits, said like a house number.
_NAMED_BY_DIGITS = re.compile(r"(?<![\w.,])(?P<code>\d{3})(?=\([a-z0-9]\))")
# Longer runs of digits are identifiers, not the ends of a range ("EIN 64-6221541").
_LONG_DIGITS = 6
_HINT = re.compile(r"\d\s?(?:[-+*×÷=<>≤≥≠≈^x:%(]|--)|[-+=^*×÷<>]\s?\d|\(\d{3}\)|\b0\d{2,4}[\s)]"
                   r"|(?i:dial|call|phone|ring|room|box|suite|flight|gate|platform|extension)")
_BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)
# "a 3:1 majority" is a ratio; "Psalm 23:4" a chapter and verse (a clock time needs two digits after the colon).
_RATIO = re.compile(r"(?<![\d:.,])(?P<x>\d{1,3}):(?P<y>\d)(?![\d:])")
_VERSE_BOOK = re.compile(r"\b[A-Z][a-z]+\.?\s+$")
# "B-52", "COVID-19", "I-95": the hyphen between a letter and a number is not said.
_LETTER_HYPHEN_NUMBER = re.compile(r"(?<=[A-Za-z])-(?=\d)")


def _groups(*groups: str) -> str:
    """Digit groups as people read phone numbers: "oh" for zero, a pause between groups."""
    return ", ".join(spell_digits(g, zero="oh") for g in groups if g)


def _phone(m: re.Match[str]) -> str:
    g = m.group
    if g("intl"):
        return "plus " + _groups(*re.split(r"[\s.-]", g("intl")))
    if g("national"):
        return _groups(*re.split(r"[\s()-]+", g("national")))
    head = f"plus {spell_digits(g('cc'), zero='oh')}" if g("cc") else g("trunk") and "one"
    return ", ".join(part for part in (head, _groups(g("area") or g("area2") or g("area3"), g("exchange"), g("line"))) if part)


def _local_phone(m: re.Match[str]) -> str:
    digits = ("dialled",) if m.group("dialled") else ("ex", "ln")
    return m.group(0)[: m.start(digits[0]) - m.start()] + _groups(*(m.group(d) for d in digits))


def _formula(m: re.Match[str]) -> str:
    text = m.group(0)
    if _MATH_OPERATORS.isdisjoint(text) or not any(ch.isdigit() for ch in text):
        return text  # "10-12" is a range, "1/2" a fraction: theirs to read
    return _OPERATOR_IN_FORMULA.sub(lambda o: f" {_SPOKEN_OPERATOR[o.group(1) or o.group(2)]} ", text).strip()


def _by_or_times(m: re.Match[str]) -> str:
    """"8 x 10 photo" is a size; "10,000 x 100,000,000=Trillion" a product."""
    return " times " if "=" in m.string[m.end() : m.end() + 40] else " by "


def _range(m: re.Match[str]) -> str:
    a, b = m.group("a"), m.group("b")
    if max(len(a), len(b)) >= _LONG_DIGITS and a.isdigit() and b.isdigit():
        return _groups(a, b)
    if a[0] in _CURRENCY and b[0] not in _CURRENCY:
        b = a[0] + b  # "$5-10": "five dollars to ten dollars"
    joined = "and" if _BETWEEN.search(m.string, max(0, m.start() - 9), m.start()) else "to"
    return f"{a} {joined} {b}"


def _ratio(m: re.Match[str]) -> str:
    verse = _VERSE_BOOK.search(m.string, max(0, m.start() - 20), m.start())
    return f"{m.group('x')}, {m.group('y')}" if verse else f"{m.group('x')} to {m.group('y')}"


def speak_number_groups(text: str) -> str:
    """Phone numbers, serials, formulas and ranges in `text` (see the module docstring)."""
    if not _HINT.search(text):
        return text
    text = _PHONE.sub(_phone, text)
    text = _LOCAL_PHONE.sub(_local_phone, text)
    text = _SERIAL.sub(lambda m: _groups(*m.group(0).split("-")), text)
    text = _NAMED_BY_DIGITS.sub(lambda m: house_number(m.group("code")) + " ", text)
    text = _NUMBERED_PLACE.sub(lambda m: m.group("place") + house_number(m.group("code")), text)
    text = _FORMULA.sub(_formula, text)
    text = _BY.sub(_by_or_times, text)
    text = _RATIO.sub(_ratio, text)
    text = _RANGE.sub(_range, text)
    return _LETTER_HYPHEN_NUMBER.sub(" ", text)
