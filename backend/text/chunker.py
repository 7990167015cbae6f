"""Split normalized text into sentences and pack sentences into chunks
small enough for one TTS call.

Chunks never span paragraphs, so the renderer knows where to put paragraph
and chapter pauses. Nothing is ever dropped: joining the chunks of a
chapter gives back its text (up to whitespace)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .abbreviations import BEFORE_NUMBER_ABBREVIATIONS, NON_TERMINAL_ABBREVIATIONS
from .book import Book, Chapter
from .dates import MDY
from .dialogue import ends_sentence, quote_mark_for, quote_spans
from .normalize import is_unspeakable, normalize_text, normalize_title

DEFAULT_MAX_CHARS = 400


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    chapter_index: int
    paragraph_index: int  # index into the chapter's spoken paragraphs
    sentence_index: int  # index (within the paragraph) of the chunk's first sentence
    ends_paragraph: bool
    ends_chapter: bool
    # With a dialogue voice (backend/text/dialogue.py): the chunk is quoted speech, and/or the next
    # chunk goes on with its sentence (split at a quote: a shorter pause).
    dialogue: bool = False
    ends_mid_sentence: bool = False


# Sentence-ending punctuation with any closing quotes/brackets, followed by
# a space; or CJK sentence punctuation, which needs no space after it.
_SENTENCE_END = re.compile(
    r"([.!?\u2026]+)[\"'\u2019\u201d\u00bb)\]]*(?=\s)"
    r"|[\u3002\uff01\uff1f\u0964\u0965]+[\u300d\u300f\uff09\"']*"
)
_NEXT_VISIBLE = re.compile(r"\s*(\S)")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")  # "J", "U.S", "e.g"
_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|(?<=[\u2014\u2013])\s*|\s+(?=[\u2014\u2013])|\s+(?=-\s)")


def _is_abbreviation(text: str, end: int) -> bool:
    """Does the period at text[end] belong to an abbreviation or initial?"""
    before = text[max(0, end - 40) : end].rsplit(None, 1)
    word = before[-1].lstrip("\"'([\u201c\u2018") if before else ""
    if word.lower() in NON_TERMINAL_ABBREVIATIONS:
        return True
    if word.lower() in BEFORE_NUMBER_ABBREVIATIONS:  # "No. 5", but "Say no. Then"
        following = _NEXT_VISIBLE.match(text, end + 1)
        return following is not None and following.group(1).isdigit()
    # A single capital ("J. R. R. Tolkien") or dotted letters ("U.S.").
    return bool(_INITIALS.fullmatch(word)) and (len(word) == 1 and word.isupper() or "." in word)


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each stripped. A period after an abbreviation or
    an initial, or any end mark followed by a lower-case word ("'Why?' he
    asked"), does not end a sentence."""
    sentences: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        marks = m.group(1)
        if marks is not None:  # Latin-style punctuation, followed by whitespace
            following = _NEXT_VISIBLE.match(text, end)
            if following and following.group(1).islower():
                continue
            if marks == "." and _is_abbreviation(text, m.start()):
                continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _pieces_of_long_sentence(sentence: str, max_chars: int) -> list[str]:
    """Clauses first, then words, then hard cuts, each at most max_chars."""
    pieces: list[str] = []
    for clause in _CLAUSE_BREAK.split(sentence):
        clause = clause.strip()
        if not clause:
            continue
        if len(clause) <= max_chars:
            pieces.append(clause)
            continue
        for word in clause.split():
            if len(word) <= max_chars:
                pieces.append(word)
            else:
                pieces.extend(word[i : i + max_chars] for i in range(0, len(word), max_chars))
    return pieces


def _sentence_pieces(text: str, max_chars: int, first_sentence: int) -> list[tuple[str, int]]:
    """(piece, sentence index) of a text's sentences, long ones cut into pieces of max_chars."""
    pieces: list[tuple[str, int]] = []
    for n, sentence in enumerate(split_sentences(text), first_sentence):
        if len(sentence) <= max_chars:
            pieces.append((sentence, n))
        else:
            pieces.extend((p, n) for p in _pieces_of_long_sentence(sentence, max_chars))
    return pieces


# A piece of a paragraph: text, sentence index, dialogue, ends mid-sentence.
_Piece = tuple[str, int, bool, bool]


def _paragraph_pieces(paragraph: str, max_chars: int, quote_mark: str | None) -> list[_Piece]:
    if quote_mark is None:
        return [(text, n, False, False) for text, n in _sentence_pieces(paragraph, max_chars, 0)]
    spans = quote_spans(paragraph, quote_mark)
    pieces: list[_Piece] = []
    sentence = 0
    for k, (text, dialogue) in enumerate(spans):
        found = _sentence_pieces(text, max_chars, sentence)
        if not found:
            continue
        following = spans[k + 1][0] if k + 1 < len(spans) else None
        mid = not ends_sentence(text, following)
        pieces.extend((piece, n, dialogue, mid and i == len(found) - 1) for i, (piece, n) in enumerate(found))
        sentence = found[-1][1] + (0 if mid else 1)
    return pieces


def chunk_chapter(
    paragraphs: list[str], max_chars: int = DEFAULT_MAX_CHARS, chapter_index: int = 0, quote_mark: str | None = None,
    title_first: bool = False,
) -> list[Chunk]:
    """Pack the sentences of each (normalized) paragraph into chunks of at
    most `max_chars` characters. Empty paragraphs give no chunks but keep
    their index, so paragraph_index always points into `paragraphs`.
    `quote_mark` ('"' or "'", backend/text/dialogue.py): split at quotes, so quoted speech gets
    chunks of its own (Chunk.dialogue); None: quotes are text like any other. With `title_first`,
    paragraph 0 is the chapter's title: narration, whatever quotes it holds."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    # (text, paragraph_index, sentence_index, ends_paragraph, dialogue, ends_mid_sentence)
    planned: list[tuple[str, int, int, bool, bool, bool]] = []
    for paragraph_index, paragraph in enumerate(paragraphs):
        marks = None if title_first and paragraph_index == 0 else quote_mark
        pieces = _paragraph_pieces(paragraph, max_chars, marks)
        if not pieces:
            continue
        packed: list[_Piece] = []
        current = pieces[0]
        for piece in pieces[1:]:
            text, _, dialogue, _ = piece
            if dialogue == current[2] and not current[3] and len(current[0]) + 1 + len(text) <= max_chars:
                current = (f"{current[0]} {text}", current[1], dialogue, piece[3])
            else:
                packed.append(current)
                current = piece
        packed.append(current)
        # A chunk of punctuation only ("……" cut off by max_chars) has nothing to say: left out.
        packed = [piece for piece in packed if not is_unspeakable(piece[0])]
        planned.extend((text, paragraph_index, s_index, i == len(packed) - 1, dialogue, mid and i < len(packed) - 1)
                       for i, (text, s_index, dialogue, mid) in enumerate(packed))

    last = len(planned) - 1
    return [
        Chunk(text, chapter_index, p_index, s_index, ends_paragraph, i == last, dialogue, mid)
        for i, (text, p_index, s_index, ends_paragraph, dialogue, mid) in enumerate(planned)
    ]


def unspeakable_paragraphs(book: Book, chapters=None) -> list[str]:
    """The paragraphs (of the `chapters` given by index, or all) with nothing to say: punctuation
    only, such as "* * *" or "……". They get no chunk; the engine says how many were left out."""
    wanted = None if chapters is None else set(chapters)
    return [p for index, chapter in enumerate(book.chapters) if wanted is None or index in wanted
            for p in chapter.paragraphs if p.strip() and is_unspeakable(p)]


def spoken_paragraphs(chapter: Chapter, include_title: bool = True, date_order: str = MDY, check=None) -> list[str]:
    """The chapter's normalized paragraphs; the title first when included.
    `date_order` (dates.MDY or DMY) reads numeric dates such as 10/06/2005. `check()`, when
    given, is called before each paragraph and may raise to stop."""
    paragraphs = [normalize_title(chapter.title, date_order)] if include_title else []
    for p in chapter.paragraphs:
        if check is not None:
            check()
        paragraphs.append(normalize_text(p, date_order))
    return paragraphs


def normalized_chapter_text(chapter: Chapter, include_title: bool = True, date_order: str = MDY) -> str:
    """Everything that will be spoken for a chapter, paragraphs separated by
    blank lines (same paragraphs as plan_book_chunks uses)."""
    return "\n\n".join(p for p in spoken_paragraphs(chapter, include_title, date_order) if p)


def plan_book_chunks(book: Book, max_chars: int = DEFAULT_MAX_CHARS, *, include_titles: bool = True,
                     date_order: str = MDY, chapters=None, check=None, dialogue: bool = False) -> list[Chunk]:
    """Normalize and chunk every chapter of the book (or the `chapters` given, by index), in order.
    With include_titles, each chapter's title is its paragraph 0, so it is spoken and followed by
    a paragraph pause. `check()` is called before each paragraph (a big book takes seconds): it may
    raise to stop. With `dialogue`, quoted speech gets chunks of its own (Chunk.dialogue)."""
    chunks: list[Chunk] = []
    wanted = None if chapters is None else set(chapters)
    quote_mark = quote_mark_for(p for c in book.chapters for p in c.paragraphs) if dialogue else None
    for index, chapter in enumerate(book.chapters):
        if wanted is not None and index not in wanted:
            continue
        paragraphs = spoken_paragraphs(chapter, include_titles, date_order, check)
        chunks.extend(chunk_chapter(paragraphs, max_chars, index, quote_mark, title_first=include_titles))
    return chunks
