"""Dates read as a narrator reads them.

"May 8" -> "May eighth", "July 4, 1779" -> "July fourth, seventeen seventy-nine", "8 May 1945" ->
"the eighth of May, nineteen forty-five", "Feb. 12" -> "February twelfth", "2006-08-05" -> "August
fifth, two thousand six", "300 BC" -> "three hundred B C". Numeric dates ("10/06/2005") follow the
book's order: month first in US English, day first elsewhere (DATE_ORDERS); a day above 12 settles it
either way. Runs before the general number pass, which would read "8" or "2005" out of context.
"""

from __future__ import annotations

import re

from .numbers import ordinal, year

MDY, DMY = "mdy", "dmy"
DATE_ORDERS = ("auto", MDY, DMY)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_ABBREVIATED = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9,
                "Oct": 10, "Nov": 11, "Dec": 12}
# Capitalized as books print them, or in capitals; lower case too where the word is no verb ("may", "march").
_NAMES = [form for name in _MONTHS for form in (name, name.upper(), *([name.lower()] if name not in ("May", "March") else []))]
_SHORT = [form for name in _ABBREVIATED for form in (name, name.upper(), *([name.lower()] if name != "Mar" else []))]
_MONTH_NUMBER = {form: i for i, name in enumerate(_MONTHS, 1) for form in (name, name.upper(), name.lower())}
_MONTH_NUMBER |= {form: n for name, n in _ABBREVIATED.items() for form in (name, name.upper(), name.lower())}


def _alternatives(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# Full names, or abbreviations with their period (or without one, but then only before a day).
_MONTH = rf"(?:(?P<{{0}}>{_alternatives(_NAMES)})\b|(?P<{{0}}_abbr>{_alternatives(_SHORT)})(?:\.|\b(?=\s+\d)))"
# After a day number an abbreviation needs no period ("5 Jan"), and "may" and "march" are months.
_MONTH_AFTER_DAY = (rf"(?:(?P<{{0}}>{_alternatives([*_NAMES, 'may', 'march'])})\b"
                    rf"|(?P<{{0}}_abbr>{_alternatives([*_SHORT, 'mar'])})(?:\.|\b))")
_DAY = r"(?P<{0}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>1\d{{3}}|20\d\d|[1-9]\d{{2}})"
_ERA = r"(?P<{0}>A\.D\.|B\.C\.E\.|B\.C\.|C\.E\.|BCE|AD|BC|CE)"
# Dotted, because espeak-ng says "A.D." as letters but "A D" as "uh D".
_ERA_SPOKEN = {"AD": "A.D.", "BC": "B.C.", "BCE": "B.C.E.", "CE": "C.E."}

# "July 4, 1779", "Feb. 12", "February 19,1674", "May 8th 1945"
_MONTH_DAY = (_MONTH.format("m1") + r"\s+" + _DAY.format("d1") + r"(?:-" + _DAY.format("d1_to") + r")?"
              + r"(?![\d:]|[.,]\d\d?(?!\d))"
              + r"(?:(?P<y1_sep>,\s?|\s+)" + _YEAR.format("y1") + r"(?!\d)(?:\s?" + _ERA.format("e1") + r")?)?")
# "8 May 1945", "the 3rd of October, 2004"
_DAY_MONTH = (_DAY.format("d2") + r"\s+(?P<of>of\s+)?" + _MONTH_AFTER_DAY.format("m2")
              + r"(?:,?\s+" + _YEAR.format("y2") + r"(?!\d)(?:\s?" + _ERA.format("e2") + r")?)?")
# "2006-08-05", "2016/07/03"
_ISO = r"(?P<iy>1\d{3}|20\d\d)(?P<isep>[-/])(?P<im>0[1-9]|1[0-2])(?P=isep)(?P<id>0[1-9]|[12]\d|3[01])(?![\d/-])"
# "10/06/2005", "6-10-05", "10.06.2005" (dots only with a four-digit year: "2.6.32" is a version)
_NUMERIC = (r"(?P<na>\d\d?)(?P<sep>[/-])(?P<nb>\d\d?)(?P=sep)(?P<ny>\d{4}|\d\d)(?![\d/-])"
            r"|(?P<da>\d\d?)\.(?P<db>\d\d?)\.(?P<dy>\d{4})(?![\d.])")
# "AD 43", "A.D. 1066"; "300 BC", "43 A.D.", "c. 1500"
_ERA_FIRST = r"(?P<era_first>AD|A\.D\.)\s?(?P<ey>\d{1,4})(?![\d,])"
_ERA_AFTER = r"(?P<ay>\d{1,4})\s?" + _ERA.format("ae") + r"(?![A-Za-z])"
_CIRCA = r"(?P<circa>\bca?\.)\s?(?=\d{3,4}\b)"

_DATES = re.compile(
    r"(?<![\w$£€¥.,/-])(?:"
    rf"{_ISO}|{_NUMERIC}|(?:{_MONTH_DAY})|(?:{_DAY_MONTH})|{_ERA_FIRST}|{_ERA_AFTER}"
    r")"
    rf"|{_CIRCA}"
)
# Cheap tests before the regex: a month name, a date separator between digits, an era.
_HINT = re.compile(
    rf"(?i:{_alternatives(list(_MONTH_NUMBER))})\b"
    r"|\d[/.-]\d\d?[/.-]\d|\d{4}[/-]\d\d[/-]\d|(?:AD|BC|BCE|CE|A\.D|B\.C|C\.E)\b|\bca?\.\s?\d"
)
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)


def date_order_for(setting: str, *languages: str | None) -> str:
    """MDY or DMY: the setting unless "auto"; then the first language tag given decides
    (US English and bare "en" read month first, every other region and language day first)."""
    if setting in (MDY, DMY):
        return setting
    for tag in languages:
        if tag:
            tag = tag.replace("_", "-").lower()
            return MDY if tag in ("en", "en-us") or tag.startswith("en-us-") else DMY
    return MDY


def _month(m: re.Match[str], group: str) -> str:
    return _month_name(m.group(group) or m.group(f"{group}_abbr"))


def _era(era: str | None) -> str:
    return " " + _ERA_SPOKEN[era.replace(".", "")] if era else ""


def _month_name(form: str) -> str:
    return _MONTHS[_MONTH_NUMBER[form] - 1]


def _short_year(digits: str) -> str:
    return year(digits) if len(digits) != 2 else ("oh " + year(digits[1]) if digits[0] == "0" else year(digits))


def spoken_date(month: int, day: int, year_digits: str | None, order: str, *, the: bool = True) -> str:
    """"August fifth, two thousand six" (MDY) or "the fifth of August, two thousand six" (DMY)."""
    name, nth = _MONTHS[month - 1], ordinal(str(day))
    said = f"{name} {nth}" if order == MDY else f"{'the ' if the else ''}{nth} of {name}"
    return f"{said}, {_short_year(year_digits)}" if year_digits else said


def _valid(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)


def _numeric(first: int, second: int, year_digits: str, order: str) -> str | None:
    reading = DMY if first > 12 else MDY if second > 12 else order  # a day above 12 settles it
    month, day = (second, first) if reading == DMY else (first, second)
    return spoken_date(month, day, year_digits, reading) if _valid(month, day) else None


def _date(m: re.Match[str], order: str) -> str:
    g = m.group
    if g("circa"):
        return "circa "
    if g("iy"):
        return spoken_date(int(g("im")), int(g("id")), g("iy"), order)
    if g("na") or g("da"):
        first, second, y = (g("na"), g("nb"), g("ny")) if g("na") else (g("da"), g("db"), g("dy"))
        return _numeric(int(first), int(second), y, order) or m.group(0)
    if g("era_first"):
        return f"A.D. {year(g('ey'))}"
    if g("ay"):
        return year(g("ay")) + _era(g("ae"))
    if g("m1") or g("m1_abbr"):
        month, day = _month(m, "m1"), int(g("d1"))
        if not _valid(_MONTH_NUMBER[month], day):
            return m.group(0)
        said = f"{month} {ordinal(str(day))}"
        if g("d1_to"):  # "Dec. 4-11": December fourth to eleventh
            said += f" to {ordinal(str(int(g('d1_to'))))}"
        if g("y1"):
            said += f", {year(g('y1'))}{_era(g('e1'))}"
        return said
    month, day = _month(m, "m2"), int(g("d2"))
    if not _valid(_MONTH_NUMBER[month], day):
        return m.group(0)
    the = "" if _THE_BEFORE.search(m.string, max(0, m.start() - 8), m.start()) else "the "
    said = f"{the}{ordinal(str(day))} of {month}"
    return said + (f", {year(g('y2'))}{_era(g('e2'))}" if g("y2") else "")


def speak_dates(text: str, order: str = MDY) -> str:
    """Every date in `text` in words; `order` (MDY or DMY) reads numeric dates."""
    if not _HINT.search(text):
        return text
    return _DATES.sub(lambda m: _date(m, order), text)
