"""Street addresses read as people read them aloud: "708 N 1st St" -> "seven oh eight North first
Street", "1211 E Arques Ave" -> "twelve eleven East Arques Avenue", "Salt Lake City, UT 84116" -> "...
UT eight four one one six". House numbers go in pairs, ZIP codes digit by digit, and street types
and compass points are said in full. Runs before the abbreviation pass, which knows "St." only
from its neighbours."""

from __future__ import annotations

import re

from .numbers import cardinal, spell_digits

_STREET_TYPES = {"St": "Street", "Ave": "Avenue", "Av": "Avenue", "Rd": "Road", "Ct": "Court", "Blvd": "Boulevard",
                 "Dr": "Drive", "Ln": "Lane", "Pl": "Place", "Pkwy": "Parkway", "Hwy": "Highway", "Sq": "Square",
                 "Ter": "Terrace", "Cres": "Crescent"}
_COMPASS = {"N": "North", "S": "South", "E": "East", "W": "West", "NE": "Northeast", "NW": "Northwest",
            "SE": "Southeast", "SW": "Southwest"}
_TYPE = "|".join(sorted(_STREET_TYPES, key=len, reverse=True))
_POINT = "|".join(sorted(_COMPASS, key=len, reverse=True))
_ADDRESS = re.compile(
    r"(?<![\w.,$£€#-])(?P<house>\d{1,5})\s+"
    rf"(?:(?P<dir>{_POINT})\.?\s+)?"
    r"(?P<street>(?:\d+(?:st|nd|rd|th)|[A-Z][a-z]+)(?:\s+[A-Z][a-z]+){0,3})\s+"
    rf"(?P<type>{_TYPE})\b(?P<dot>\.)?"
    rf"(?:\s+(?P<dir2>{_POINT})\b\.?)?"
    r"(?![\w'])"
)
# A ZIP code after a state: "UT 84116", "AK, 99712", "NY 10001-1234".
_ZIP = re.compile(r"(?<=\b[A-Z]{2})(?P<gap>,?\s)(?P<zip>\d{5})(?:-(?P<plus4>\d{4}))?\b")
_HINT = re.compile(rf"\d\s+(?:\S+\s+){{1,4}}(?:{_TYPE})\b|\b[A-Z]{{2}},?\s\d{{5}}\b")
_SENTENCE_AFTER = re.compile(r"\s*(?:$|[\"')\]]*\s+[A-Z])")


def house_number(digits: str) -> str:
    """"708" -> "seven oh eight", "123" -> "one twenty-three", "4557" -> "forty-five fifty-seven"."""
    n = int(digits)
    if len(digits) > 4 or digits.startswith("0"):
        return spell_digits(digits)
    if n < 100:
        return cardinal(digits)
    high, low = divmod(n, 100)
    if low == 0:
        return f"{cardinal(str(high))} hundred" if high % 10 else cardinal(digits)  # "fifteen hundred", "two thousand"
    return f"{cardinal(str(high))} {'oh ' + cardinal(str(low)) if low < 10 else cardinal(str(low))}"


def _address(m: re.Match[str]) -> str:
    g = m.group
    said = [house_number(g("house"))]
    if g("dir"):
        said.append(_COMPASS[g("dir")])
    said.append(g("street"))
    said.append(_STREET_TYPES[g("type")])
    if g("dir2"):
        said.append(_COMPASS[g("dir2")])
    ends = (g("dot") or g("dir2")) and m.group(0).endswith(".") and _SENTENCE_AFTER.match(m.string, m.end())
    return " ".join(said) + ("." if ends else "")


def _zip(m: re.Match[str]) -> str:
    plus4 = f" {spell_digits(m.group('plus4'))}" if m.group("plus4") else ""
    return f"{m.group('gap')}{spell_digits(m.group('zip'))}{plus4}"


def speak_addresses(text: str) -> str:
    if not _HINT.search(text):
        return text
    return _ZIP.sub(_zip, _ADDRESS.sub(_address, text))
