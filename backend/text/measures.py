"""Units written after numbers ("5 kg", "60 mph", "1°C") and the words a narrator says for them,
singular or plural by the number ("one degree Celsius", "two and a half hours", "five eighths of an
inch"). The number pass (number_patterns.py) finds the number and hands the unit over."""

from __future__ import annotations

import re

# abbreviation -> (singular, plural)
UNITS = {
    "oz": ("ounce", "ounces"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"), "mg": ("milligram", "milligrams"),
    "µg": ("microgram", "micrograms"), "μg": ("microgram", "micrograms"), "kgs": ("kilogram", "kilograms"),
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "µm": ("micrometer", "micrometers"), "μm": ("micrometer", "micrometers"),
    "nm": ("nanometer", "nanometers"),
    "mi": ("mile", "miles"), "ft": ("foot", "feet"), "in": ("inch", "inches"), "yd": ("yard", "yards"),
    "yds": ("yard", "yards"),
    "mph": ("mile per hour", "miles per hour"), "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"), "m/s": ("meter per second", "meters per second"),
    "sq ft": ("square foot", "square feet"), "sq m": ("square meter", "square meters"),
    "sq km": ("square kilometer", "square kilometers"), "sq mi": ("square mile", "square miles"),
    "sq in": ("square inch", "square inches"), "cu ft": ("cubic foot", "cubic feet"),
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"), "cl": ("centiliter", "centiliters"),
    "l": ("liter", "liters"), "L": ("liter", "liters"), "gal": ("gallon", "gallons"), "qt": ("quart", "quarts"),
    "tsp": ("teaspoon", "teaspoons"), "tbsp": ("tablespoon", "tablespoons"), "cc": ("cubic centimeter", "cubic centimeters"),
    "hr": ("hour", "hours"), "hrs": ("hour", "hours"), "min": ("minute", "minutes"), "mins": ("minute", "minutes"),
    "wk": ("week", "weeks"), "wks": ("week", "weeks"), "mo": ("month", "months"), "mos": ("month", "months"),
    "hp": ("horsepower", "horsepower"), "ha": ("hectare", "hectares"), "deg": ("degree", "degrees"),
    "yr": ("year", "years"), "yrs": ("year", "years"), "sec": ("second", "seconds"), "secs": ("second", "seconds"),
    "ms": ("millisecond", "milliseconds"),
    "kB": ("kilobyte", "kilobytes"), "KB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"), "kW": ("kilowatt", "kilowatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "dB": ("decibel", "decibels"), "mAh": ("milliamp hour", "milliamp hours"),
}
# "sq ft", "cu m": square and cubic forms of the lengths.
for _length in ("km", "m", "cm", "mm", "mi", "ft", "in", "yd"):
    _one, _many = UNITS[_length]
    UNITS.setdefault(f"sq {_length}", (f"square {_one}", f"square {_many}"))
    UNITS.setdefault(f"cu {_length}", (f"cubic {_one}", f"cubic {_many}"))
    if _length in ("km", "m", "cm", "mm"):  # "10 m2", "5 cm3"
        UNITS.setdefault(f"{_length}2", (f"square {_one}", f"square {_many}"))
        UNITS.setdefault(f"{_length}3", (f"cubic {_one}", f"cubic {_many}"))
DEGREES = {"": ("degree", "degrees"), "C": ("degree Celsius", "degrees Celsius"),
           "F": ("degree Fahrenheit", "degrees Fahrenheit"), "K": ("kelvin", "kelvins")}
# Spelled-out units after a fraction: "5/8 inch" -> "five eighths of an inch".
UNIT_WORDS = frozenset(
    "inch foot yard mile meter metre kilometer centimeter millimeter ounce pound ton tonne gram kilogram cup "
    "teaspoon tablespoon pint quart gallon liter litre acre hour minute second day week month year century".split()
)


def _alternatives() -> str:
    names = sorted(UNITS, key=len, reverse=True)
    parts = []
    for name in names:
        escaped = re.escape(name).replace(r"\ ", r"\s")
        if name == "in":
            # "in" is a unit only where no word follows ("6 ft 2 in", "a 12 in. ruler"), never "5 in a row".
            escaped += r"(?=\.|\s*[,;:()!?]|\s*$|\s+(?:long|wide|tall|high|deep|thick|across)\b)"
        parts.append(escaped)
    return "|".join(parts)


_UNITS = _alternatives()


def unit_after_number(name: str) -> str:
    """The unit after a number as its own word ("5 kg", "5kg", "5 lbs."), not part of a longer word;
    groups `name` and `name`_dot (a regex may use this more than once, with other names)."""
    return rf"\s?(?P<{name}>{_UNITS})(?P<{name}_dot>\.)?(?![\w/'&])"


UNIT_WORD_AFTER = r"\s(?P<unit_word>" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")\b"
_ARTICLE_BEFORE = re.compile(r"\b(?:[Aa]n?)\s+$")
_SENTENCE_AFTER = re.compile(r"\s*(?:$|[\"')\]]*\s+[A-Z])")


def article(word: str) -> str:
    """"a" or "an" by sound: "an hour", "an inch", "a unit"."""
    word = word.lower()
    vowel_sound = word[:1] in "aeio" or word.startswith(("hour", "honest", "honor", "heir")) or (
        word.startswith("u") and not word.startswith(("uni", "use", "usu", "ute")))
    return "an" if vowel_sound else "a"


def unit_words(unit: str, singular: bool) -> str:
    one, many = UNITS[unit] if unit in UNITS else DEGREES[unit]
    return one if singular else many


def is_singular(number_text: str) -> bool:
    """Only exactly one takes the singular: "1 kg", "-1°C"; "1.0 kg" and "0.5 kg" are plural."""
    return number_text.lstrip("-+") == "1"


def used_as_adjective(m: re.Match[str]) -> bool:
    """"a 5 kg bag" is "a five kilogram bag": an article before the number."""
    return bool(_ARTICLE_BEFORE.search(m.string, max(0, m.start() - 4), m.start()))


def sentence_period(m: re.Match[str]) -> str:
    """"." when the text after the match starts a new sentence (or ends): the period of an
    abbreviation the match consumed ("5 lbs. Then…") also ended the sentence."""
    return "." if _SENTENCE_AFTER.match(m.string, m.end()) else ""


def unit_period(m: re.Match[str], name: str) -> str:
    """"5 lbs. of flour" loses the abbreviation's period; "It weighed 5 lbs. Then…" keeps it."""
    return sentence_period(m) if m.group(f"{name}_dot") else ""
