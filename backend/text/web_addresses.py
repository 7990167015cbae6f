"""Speak URLs and e-mail addresses the way people read them aloud:
"john@example.com" -> "john at example dot com"."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Lower-case top-level domains that are not also English words ("it", "in",
# "me"), so "end.It was" with a missing space is not taken for an address.
_TLDS = "com|org|net|edu|gov|mil|io|info|biz|app|dev|ai|tv|uk|ca|au|de|fr|nl|eu|ru|jp|cn|br|ch|se"
_URL = re.compile(
    r"\b(?:(?i:https?|ftp)://|(?i:www)\.)[^\s<>\"]+"
    rf"|\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>\"]*)?"
)
# Starts with literals only, so the engine scans for it fast.
_URL_HINT = re.compile(rf"://|www\.|WWW\.|\.(?:{_TLDS})\b")
_TRAILING_PUNCTUATION = re.compile(r"[.,;:!?)\]'\"]+$")
_SCHEME = re.compile(r"^[a-z]+://", re.IGNORECASE)
_SYMBOL_WORDS = {".": " dot ", "/": " slash ", "-": " dash ", "_": " underscore ", "+": " plus ", "@": " at "}
_SYMBOLS = re.compile(r"[./\-_+@]")


def _speak_symbols(part: str) -> str:
    return _SYMBOLS.sub(lambda m: _SYMBOL_WORDS[m.group(0)], part)


def _speak_email(m: re.Match[str]) -> str:
    return f"{_speak_symbols(m.group(1))} at {_speak_symbols(m.group(2))}"


def _speak_url(m: re.Match[str]) -> str:
    url = m.group(0)
    trailing = _TRAILING_PUNCTUATION.search(url)
    tail = trailing.group(0) if trailing else ""
    url = url[: len(url) - len(tail)]
    url = _SCHEME.sub("", url)
    # Query strings and fragments are noise when heard.
    url = re.split(r"[?#]", url, maxsplit=1)[0].rstrip("/")
    return " ".join(_speak_symbols(url).split()) + tail


def speak_web_addresses(text: str) -> str:
    if "@" in text:
        text = _EMAIL.sub(_speak_email, text)
    if _URL_HINT.search(text):  # cheap test before the slower regex
        text = _URL.sub(_speak_url, text)
    return text
