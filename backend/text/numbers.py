"""Digits to words for speech (English), built on num2words.

Every public function takes and returns plain strings so the regex
callbacks in normalize.py stay one-liners. American style: no "and"
inside numbers, no commas ("one hundred five", "one million two hundred")."""

from __future__ import annotations

import re
from functools import lru_cache

from num2words import num2words

# Longer digit strings are identifiers (phone, ISBN), read digit by digit.
_MAX_CARDINAL_DIGITS = 15
_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_VALID_ROMAN = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_AND = re.compile(r",? and |, ")


def _american(words: str) -> str:
    return _AND.sub(" ", words)


@lru_cache(maxsize=4096)
def _cardinal_int(n: int) -> str:
    return _american(num2words(n))


def spell_digits(digits: str, zero: str = "zero") -> str:
    """'907' -> 'nine zero seven'; telephone numbers say zero as "oh" (`zero="oh"`)."""
    return " ".join(zero if d == "0" else _DIGIT_NAMES[int(d)] for d in digits)


def cardinal(digits: str) -> str:
    """'1,234' -> 'one thousand two hundred thirty-four'; '007' -> 'zero zero seven'."""
    digits = digits.replace(",", "")
    if len(digits) > 1 and digits.startswith("0") or len(digits) > _MAX_CARDINAL_DIGITS:
        return spell_digits(digits)
    return _cardinal_int(int(digits))


def number(token: str) -> str:
    """A cardinal with optional thousands separators and decimals: '3.14', '1,000.5'."""
    whole, _, fraction = token.replace(",", "").partition(".")
    words = cardinal(whole) if whole else ""
    if fraction:
        words = f"{words} point {spell_digits(fraction)}".strip()
    return words


@lru_cache(maxsize=1024)
def ordinal(digits: str) -> str:
    """'22' -> 'twenty-second'."""
    return _american(num2words(int(digits.replace(",", "")), to="ordinal"))


@lru_cache(maxsize=1024)
def year(digits: str) -> str:
    """'1984' -> 'nineteen eighty-four', '2005' -> 'two thousand five', '1905' -> 'nineteen oh five'."""
    return _american(num2words(int(digits), to="year")).replace("oh-", "oh ")


def plural(words: str) -> str:
    """'nineteen ninety' -> 'nineteen nineties' (decades)."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def clock_time(hours: str, minutes: str, suffix: str = "") -> str:
    """'10','30' -> 'ten thirty'; '3','05' -> 'three oh five'; '10','00' -> 'ten o'clock'."""
    h = cardinal(str(int(hours)))
    if minutes == "00":
        return f"{h} {suffix}" if suffix else f"{h} o'clock"
    m = f"oh {_DIGIT_NAMES[int(minutes[1])]}" if minutes[0] == "0" else cardinal(minutes)
    return f"{h} {m} {suffix}".rstrip()


_CURRENCIES = {  # one, many, one sub-unit, many sub-units
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₩": ("won", "won", "", ""),
    "¢": ("cent", "cents", "", ""),
}
_SCALES = {"k": "thousand", "m": "million", "bn": "billion"}


def money(symbol: str, whole: str | None, fraction: str | None, scale: str | None, *, adjective: bool = False) -> str:
    """'$', '5', '50', None -> 'five dollars and fifty cents'; '£', '3', '50' -> 'three pounds fifty';
    '$', None, '01' -> 'one cent'; '$', '1', '5', 'million' -> 'one point five million dollars'."""
    one, many, sub_one, sub_many = _CURRENCIES[symbol]
    if adjective:  # "a £5 note", "a $1.5 million deal"
        many, sub_many = one, sub_one
    whole = (whole or "0").replace(",", "")
    if scale:
        scale_word = _SCALES.get(scale.lower(), scale.lower())
        amount = number(f"{whole}.{fraction}" if fraction else whole)
        return f"{amount} {scale_word} {many}"
    if fraction and (len(fraction) != 2 or not sub_one):
        return f"{number(whole + '.' + fraction)} {many}"
    cents = int(fraction) if fraction else 0
    if not cents:
        return f"{cardinal(whole)} {one if int(whole) == 1 else many}"
    sub = f"{cardinal(str(cents))} {sub_one if cents == 1 else sub_many}"
    if not int(whole):
        return sub
    main = f"{cardinal(whole)} {one if int(whole) == 1 else many}"
    # British usage says the pence as a bare number: "three pounds fifty".
    return f"{main} {cardinal(str(cents))}" if symbol == "£" else f"{main} and {sub}"


_FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def fraction(numerator: int, denominator: int, *, article: bool = False) -> str:
    """3, 4 -> 'three quarters'; 1, 2 -> 'one half' (or 'a half' with `article`); 5, 8 -> 'five eighths'."""
    one, many = _FRACTION_NAMES.get(denominator) or (ordinal(str(denominator)), plural_ordinal(ordinal(str(denominator))))
    if numerator == 1:
        return f"{'an' if article and one[0] in 'aeio' else 'a' if article else 'one'} {one}"
    return f"{cardinal(str(numerator))} {many}"


def plural_ordinal(words: str) -> str:
    """'eighth' -> 'eighths', 'third' -> 'thirds'."""
    return words + "s"


def roman_to_int(numeral: str) -> int | None:
    """'XII' -> 12; None when it is not a valid (upper-case) Roman numeral."""
    if not numeral or not _VALID_ROMAN.fullmatch(numeral):
        return None
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUES[ch]
        if i + 1 < len(numeral) and _ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total
