"""Quoted speech found in normalized paragraphs (backend/text/dialogue.py) and chunks split at
quotes when a book has a dialogue voice (backend/text/chunker.py)."""

import re

import pytest

from backend.text import Book, Chapter
from backend.text.chunker import chunk_chapter, plan_book_chunks
from backend.text.dialogue import DOUBLE, SINGLE, quote_mark_for, quote_spans
from backend.text.normalize import normalize_text


def spans(raw: str, mark: str = DOUBLE):
    return quote_spans(normalize_text(raw), mark)


def test_english_curly_quotes_around_a_speech_tag():
    assert spans("“Hello,” she said. “How are you?”") == [
        ('"Hello,"', True), ("she said.", False), ('"How are you?"', True)]


def test_straight_quotes_and_a_quote_inside_a_sentence():
    assert spans('He turned. "Wait for me," he called, "I am coming!" Then silence.') == [
        ("He turned.", False), ('"Wait for me,"', True), ("he called,", False), ('"I am coming!"', True),
        ("Then silence.", False)]


@pytest.mark.parametrize("raw", ["„Guten Tag“, sagte er. „Wie geht es?“", "»Guten Tag«, sagte er. »Wie geht es?«",
                                 "« Guten Tag », sagte er. « Wie geht es ? »"])
def test_other_languages_quotation_marks(raw):
    found = spans(raw)
    assert [dialogue for _, dialogue in found] == [True, False, True]
    assert "sagte er." in found[1][0] and "Guten Tag" in found[0][0]


def test_british_single_quotes_keep_apostrophes_inside():
    raw = "‘I can’t stay,’ she said, ‘it’s late. Don’t wait up.’ The boys’ coats hung by the door."
    assert quote_mark_for([raw]) == SINGLE
    assert spans(raw, SINGLE) == [
        ("'I can't stay,'", True), ("she said,", False), ("'it's late. Don't wait up.'", True),
        ("The boys' coats hung by the door.", False)]


def test_a_book_with_double_quotes_uses_them_whatever_its_apostrophes():
    assert quote_mark_for(["“Don’t,” he said. It’s ’tis and ’em."]) == DOUBLE
    assert quote_mark_for(["No quotes at all here."]) == DOUBLE


def test_quoted_words_and_titles_stay_narration():
    for raw in ('They called him "the Captain" at the docks.', 'She read the "Times" every day.',
                'He did not say a "word" to anyone.'):
        assert spans(raw) == [(normalize_text(raw), False)], raw


def test_an_unclosed_quote_runs_to_the_end_of_its_paragraph_only():
    first, second, third = "“This goes on", "“and on, over the break.”", "Narration again."
    assert spans(first) == [('"This goes on', True)]
    chunks = chunk_chapter([normalize_text(p) for p in (first, second, third)], 400, 0, DOUBLE)
    assert [(c.text, c.dialogue) for c in chunks] == [
        ('"This goes on', True), ('"and on, over the break."', True), ("Narration again.", False)]


def test_a_dash_between_two_quotes_joins_the_quote_before_it():
    found = spans("“Stop!” — “Go!”")
    assert "".join(t for t, _ in found).replace(" ", "") == normalize_text("“Stop!” — “Go!”").replace(" ", "")
    assert all(dialogue for _, dialogue in found)


@pytest.mark.parametrize("raw", [
    "“Hello,” she said. “How are you?”", 'He said "no", then "yes, of course," and left.',
    "“Unclosed at the end", "’Tis the season, he said.", '"" Empty quotes "".', '"', 'A "', 'x"y"z "a b c" d',
    "‘I can’t,’ she said.", "“Stop!” — “Go!”", "— “Quoted.” —"])
def test_nothing_is_dropped(raw):
    text = normalize_text(raw)
    for mark in (DOUBLE, SINGLE):
        found = quote_spans(text, mark)
        assert re.sub(r"\s+", "", "".join(t for t, _ in found)) == re.sub(r"\s+", "", text)
        assert all(t.strip() for t, _ in found)


def test_chunks_split_at_quotes_mark_dialogue_and_mid_sentence_joins():
    paragraph = normalize_text("“Hello,” she said. “How are you?” “Fine.” He smiled.")
    chunks = chunk_chapter([paragraph], 400, 0, DOUBLE)
    assert [(c.text, c.dialogue, c.ends_mid_sentence, c.ends_paragraph) for c in chunks] == [
        ('"Hello,"', True, True, False),  # the sentence goes on in the narration voice: a short pause
        ("she said.", False, False, False),
        ('"How are you?" "Fine."', True, False, False),  # two quotes in a row share a chunk
        ("He smiled.", False, False, True)]


def test_a_question_before_its_speech_tag_goes_on_in_lower_case():
    chunks = chunk_chapter([normalize_text("“Why?” he asked.")], 400, 0, DOUBLE)
    assert [(c.text, c.dialogue, c.ends_mid_sentence) for c in chunks] == [
        ('"Why?"', True, True), ("he asked.", False, False)]


def test_long_quotes_are_still_cut_to_max_chars():
    quote = "“" + " ".join(["Every word of this speech goes on and on."] * 6) + "”"
    chunks = chunk_chapter([normalize_text(f"{quote} she said.")], 60, 0, DOUBLE)
    assert all(len(c.text) <= 60 for c in chunks)
    assert [c.dialogue for c in chunks] == [True] * (len(chunks) - 1) + [False]


def test_without_a_quote_mark_chunks_are_as_before():
    paragraphs = [normalize_text(p) for p in ("“Hello,” she said. “How are you?”", "Plain text. More of it.")]
    plain = chunk_chapter(paragraphs, 400, 0)
    assert [c.text for c in plain] == ['"Hello," she said. "How are you?"', "Plain text. More of it."]
    assert not any(c.dialogue or c.ends_mid_sentence for c in plain)


def test_book_titles_stay_narration_and_every_character_is_planned():
    book = Book(title="T", author=None, chapters=[
        Chapter("“Quoted” Title", ["“Hello there,” she said. It rained.", "‘No,’ he said — in single quotes."])])
    chunks = plan_book_chunks(book, 400, dialogue=True)
    assert chunks[0].text == '"Quoted" Title' and not chunks[0].dialogue
    assert [c.dialogue for c in chunks[1:]] == [True, False, False]  # the book quotes with double marks
    spoken = "".join(normalize_text(p) for p in ["“Quoted” Title", *book.chapters[0].paragraphs])
    assert re.sub(r"\s+", "", "".join(c.text for c in chunks)) == re.sub(r"\s+", "", spoken)
    assert plan_book_chunks(book, 400) == plan_book_chunks(book, 400, dialogue=False)
