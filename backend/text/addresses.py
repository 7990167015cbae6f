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
                 "Ter": "Terrace", "Cres": "Crescent", "Expy": "Expressway", "Fwy": "Freeway", "Cir": "Circle"}
_STREET_TYPES |= {short.lower(): name for short, name in _STREET_TYPES.items()}  # "12 S 1st st"
# US states before a ZIP code ("Santa Clara, CA 95051"), and the older abbreviations books print
# after a town ("Memphis, Tenn.", "Chicago, Ill."); not those that are also words or names after a
# comma in dialogue ("Yes, Pa.", "La, sir", "Miss.", "Cal.").
_STATES = dict(zip(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA "
    "RI SC SD TN TX UT VT VA WA WV WI WY DC".split(),
    ("Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida", "Georgia",
     "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland",
     "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire",
     "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania",
     "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
     "West Virginia", "Wisconsin", "Wyoming", "D C"), strict=True))
_OLD_STATES = {"Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California",
               "Colo": "Colorado", "Conn": "Connecticut", "Fla": "Florida", "Ga": "Georgia",
               "Ill": "Illinois", "Ind": "Indiana", "Kan": "Kansas", "Kans": "Kansas", "Ky": "Kentucky",
               "Md": "Maryland", "Mass": "Massachusetts", "Mich": "Michigan", "Minn": "Minnesota",
               "Mont": "Montana", "Neb": "Nebraska", "Nev": "Nevada",
               "Okla": "Oklahoma", "Penn": "Pennsylvania", "Tenn": "Tennessee",
               "Tex": "Texas", "Va": "Virginia", "Vt": "Vermont", "Wis": "Wisconsin",
               "Wyo": "Wyoming", "N.Y": "New York", "N.J": "New Jersey", "N.C": "North Carolina", "S.C": "South Carolina",
               "N.H": "New Hampshire", "R.I": "Rhode Island", "D.C": "D C", "W.Va": "West Virginia"}
_OLD_STATE = re.compile(r"(?<=[a-z], )(?P<state>" + "|".join(sorted(map(re.escape, _OLD_STATES), key=len, reverse=True))
                        + r")\.")
# "a tempest from the S.W.": two-letter compass points with periods.
_DOTTED_COMPASS = re.compile(r"(?<![\w.])(?P<point>[NS]\.\s?[EW])\.")
_COMPASS_WORDS = {"N.E": "north-east", "N.W": "north-west", "S.E": "south-east", "S.W": "south-west"}
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
_ZIP = re.compile(r"\b(?P<state>[A-Z]{2})(?P<gap>,?\s)(?P<zip>\d{5})(?:-(?P<plus4>\d{4}))?\b")
_HINT = re.compile(rf"\d\s+(?:\S+\s+){{1,4}}(?:{_TYPE})\b|\b[A-Z]{{2}},?\s\d{{5}}\b")
_WORDS_HINT = re.compile(r"[a-z], [A-Z][a-zA-Z.]{0,4}\.|[NS]\.\s?[EW]\.")
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
    plus4 = f" {spell_digits(m.group('plus4'), zero='oh')}" if m.group("plus4") else ""
    state = _STATES.get(m.group("state"), m.group("state"))
    return f"{state}{m.group('gap')}{spell_digits(m.group('zip'), zero='oh')}{plus4}"


def _kept_period(m: re.Match[str]) -> str:
    """The abbreviation's period stays only where it also ended the sentence."""
    return "." if _SENTENCE_AFTER.match(m.string, m.end()) else ""


def _old_state(m: re.Match[str]) -> str:
    return _OLD_STATES[m.group("state")] + _kept_period(m)


def _dotted_compass(m: re.Match[str]) -> str:
    return _COMPASS_WORDS[m.group("point").replace(" ", "")] + _kept_period(m)


def speak_addresses(text: str) -> str:
    """Street addresses, ZIP codes with their state, older state abbreviations after a town, and
    dotted compass points."""
    if _WORDS_HINT.search(text):
        text = _OLD_STATE.sub(_old_state, text)
        text = _DOTTED_COMPASS.sub(_dotted_compass, text)
    if not _HINT.search(text):
        return text
    return _ZIP.sub(_zip, _ADDRESS.sub(_address, text))
