"""Front, back and notes matter: which chapters are the book itself.

From EPUB semantics (epub:type / role, the EPUB 3 landmarks, the EPUB 2 guide) and,
for any format, from titles ("Copyright", "Contents", "Also by …"). The chapter list
shows every chapter; those that are not "body" or "notes" start unselected."""

from __future__ import annotations

import re
from collections.abc import Iterable

BODY, FRONT, BACK, TOC, NOTES = "body", "front", "back", "toc", "notes"

# epub:type and role values (less "doc-") and EPUB 2 guide types that name a kind of section.
_SPECIFIC = {
    **dict.fromkeys(("toc", "landmarks", "page-list"), TOC),
    **dict.fromkeys(
        ("cover", "titlepage", "title-page", "halftitlepage", "copyright-page", "dedication", "frontispiece", "imprint",
         "imprimatur", "seriespage", "loi", "lot", "errata"), FRONT),
    **dict.fromkeys(("index", "colophon", "other-credits", "contributors", "credits", "bibliography"), BACK),
    **dict.fromkeys(("footnotes", "endnotes", "rearnotes", "notes"), NOTES),
    **dict.fromkeys(
        ("chapter", "part", "volume", "division", "preface", "foreword", "introduction", "prologue", "epilogue",
         "afterword", "conclusion", "appendix", "acknowledgments", "acknowledgements", "glossary", "epigraph"), BODY),
}
_GENERAL = {"frontmatter": FRONT, "backmatter": BACK, "bodymatter": BODY, "text": BODY}

_TITLE_PATTERNS = (
    (TOC, r"(?:the )?(?:table of )?contents(?: of .*)?|toc"),
    (FRONT, r"(?:front )?cover(?: page| image)?|(?:half[ -])?title(?: page)?|copyright(?: page| notice)?|"
            r"legal notice|dedication|frontispiece|imprint|list of (?:illustrations|figures|tables|maps|plates)|"
            r"illustrations|praise for .*|series page"),
    (BACK, r"index(?: of .*)?|general index|colophon|about the (?:authors?|publisher|translators?|illustrators?|editors?)|"
           r"(?:also|other (?:books|titles|works)|more books|books|novels|titles) by .*|by the same author.*|"
           r"a note on the type|bibliography|works cited|the full project gutenberg licen[cs]e"),
    (NOTES, r"(?:end|foot)?notes(?: (?:on|to) .*)?|notes and .*"),
)
_TITLE_RE = [(matter, re.compile(rf"(?:{pattern})", re.I)) for matter, pattern in _TITLE_PATTERNS]
_TITLE_NOISE = re.compile(r"^[\W\d_]+|[\W_]+$")
_MAX_TITLE_CHARS = 60


def matter_from_title(title: str | None) -> str | None:
    """"Copyright" -> front, "Table of Contents" -> toc, "Also by Jane Doe" -> back, "Notes on the
    Poems" -> notes; None when the title says nothing of the kind."""
    if not title or len(title) > _MAX_TITLE_CHARS:
        return None
    text = " ".join(_TITLE_NOISE.sub("", title).split())
    for matter, pattern in _TITLE_RE:
        if pattern.fullmatch(text):
            return matter
    return None


def matter_from_types(types: Iterable[str]) -> str | None:
    """The matter a section's semantics give; the most specific wins, the last of equals."""
    specific = general = None
    for kind in types:
        kind = kind.lower().removeprefix("doc-")
        if kind in _SPECIFIC:
            specific = _SPECIFIC[kind]
        elif kind in _GENERAL:
            general = _GENERAL[kind]
    return specific or general


def resolve_matter(types: Iterable[str], landmarks: Iterable[str], title: str | None) -> str:
    """Matter from (in this order) the section's own semantics, the landmarks or guide entries
    pointing at it, its title, and the general front/back/body matter semantics."""
    types, landmarks = list(types), list(landmarks)
    specific_types = [t for t in types if t.lower().removeprefix("doc-") in _SPECIFIC]
    specific_marks = [k for k in landmarks if k.lower() in _SPECIFIC]
    return (
        matter_from_types(specific_types)
        or matter_from_types(specific_marks)
        or matter_from_title(title)
        or matter_from_types(types + landmarks)
        or BODY
    )
