"""Roman numerals and abbreviations read by context, as a narrator would."""

from __future__ import annotations

import pytest

from backend.text import normalize_text, normalize_title, split_sentences
from backend.text.roman_numerals import is_heading


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("CHAPTER III--TWO MISFORTUNES", "CHAPTER three, TWO MISFORTUNES"),
        ("CHAPTER III\u2014TWO MISFORTUNES", "CHAPTER three, TWO MISFORTUNES"),
        ("LETTER XXV", "LETTER twenty-five"),
        ("Letter IV.", "Letter four."),
        ("XVII.", "Seventeen."),
        ("XVII", "Seventeen"),
        ("Book IV", "Book four"),
        ("PART II.", "PART two."),
        ("PART I", "PART one"),
        ("Chapter I. In Which We Meet", "Chapter one. In Which We Meet"),
        ("IV. THE STORM", "Four. THE STORM"),
        ("Chapter XLII", "Chapter forty-two"),
        ("BOOK MDCCC", "BOOK one thousand eight hundred"),
    ],
)
def test_headings_read_alike_as_title_and_as_paragraph(raw, spoken):
    assert normalize_title(raw) == spoken
    assert normalize_text(raw) == spoken  # a plain-text book's heading line


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("Charles I was beheaded.", "Charles the first was beheaded."),
        ("Valentinian III ruled the West.", "Valentinian the third ruled the West."),
        ("Henry VIII's wives were six.", "Henry the eighth's wives were six."),
        ("They crowned Henry VIII.", "They crowned Henry the eighth."),
        ("Louis XIV and Louis XVI.", "Louis the fourteenth and Louis the sixteenth."),
        ("Pope John Paul II came.", "Pope John Paul the second came."),
        ("Queen Elizabeth II's reign.", "Queen Elizabeth the second's reign."),
        ("Edward V vanished.", "Edward the fifth vanished."),
        ("World War II ended.", "World War two ended."),
        ("World War I began.", "World War one began."),
        ("We watched Rocky II twice.", "We watched Rocky two twice."),
        ("Star Wars Episode IV is old.", "Star Wars Episode four is old."),
        ("Super Bowl LII was close.", "Super Bowl fifty-two was close."),
        ("Read Part I and Chapter XII.", "Read Part one and Chapter twelve."),
        ("WORLD WAR II", "WORLD WAR two"),
    ],
)
def test_roman_numerals_in_names(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "text",
    [
        "I think so.",
        "Then I went home.",
        "Did I?",
        "I think I am. I.",
        "John I think is right.",
        "MIX",
        "CIVIL WAR",
        "DI",
        "the MIX and the DI",
        "Malcolm X spoke.",
        "Size XL fits.",
        "X-Men",
        "See Appendix C and Part D.",
        "Vitamin C and Type D.",
        "I. M. Pei built it.",
        "He read the letter. I was glad.",
        "A day I will remember.",
    ],
)
def test_words_that_only_look_like_numerals_stay(text):
    assert normalize_text(text) == text


@pytest.mark.parametrize(
    "title, spoken",
    [
        ("I Am Legend", "I Am Legend"),
        ("MIX", "MIX"),
        ("DI", "DI"),
        ("CIVIL WAR", "CIVIL WAR"),
        ("I. M. Pei", "I. M. Pei"),
        ("Part I", "Part one"),
    ],
)
def test_titles_keep_words(title, spoken):
    assert normalize_title(title) == spoken


@pytest.mark.parametrize(
    "paragraph, heading",
    [
        ("CHAPTER III, TWO MISFORTUNES", True),
        ("LETTER XXV", True),
        ("XVII.", True),
        ("Part II of the plan was simple, and Part III was not.", False),
        ("I went home.", False),
        ("I. M. Pei built it.", False),
    ],
)
def test_is_heading(paragraph, heading):
    assert is_heading(paragraph) is heading


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("St. John came.", "Saint John came."),
        ("Miss St. John smiled.", "Miss Saint John smiled."),
        ("We rounded Cape St. Anthony.", "We rounded Cape Saint Anthony."),
        ("Then St. Paul spoke.", "Then Saint Paul spoke."),
        ("He lives on Main St.", "He lives on Main Street."),
        ("He lives on Main St. and works.", "He lives on Main Street and works."),
        ("He lives on Main St., near the bank.", "He lives on Main Street, near the bank."),
        ("He lived on Baker St. Then he left.", "He lived on Baker Street. Then he left."),
        ("Mr. St. John", "Mister Saint John"),
        ("Dr. Watson came.", "Doctor Watson came."),
        ("Then Dr. Who came.", "Then Doctor Who came."),
        ("123 Circle Dr., Santa Maria", "one twenty-three Circle Drive, Santa Maria"),
        ("She lives on Sunset Dr. The house is blue.", "She lives on Sunset Drive. The house is blue."),
        ("He called the Dr.", "He called the Doctor."),
        ("He called the Dr. Then he left.", "He called the Doctor. Then he left."),
        ("No. 13 was empty.", "Number thirteen was empty."),
        ("He lived at No. 13.", "He lived at number thirteen."),
        ("There was no 1 there.", "There was no one there."),
        ("Say no. Then leave.", "Say no. Then leave."),
        ("Kramer vs. Kramer", "Kramer versus Kramer"),
        ("apples, pears, etc. and more", "apples, pears, et cetera and more"),
        ("fruit, e.g. apples", "fruit, for example, apples"),
        ("one thing, i.e. this", "one thing, that is, this"),
        ("John Smith Jr. came home.", "John Smith Junior came home."),
        ("I met John Smith Jr. He was kind.", "I met John Smith Junior. He was kind."),
        ("We climbed Mt. Everest.", "We climbed Mount Everest."),
        ("They rode to Ft. Worth.", "They rode to Fort Worth."),
    ],
)
def test_abbreviations_by_context(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, sentence_count",
    [
        ("Miss St. John smiled. Then she left.", 2),
        ("We climbed Mt. Everest. Then we rested.", 2),
        ("He lived on Baker St. Then he left.", 2),
        ("Kramer vs. Kramer won. Then it ended.", 2),
        ("No. 13 was empty. No. 14 was not.", 2),
        ("Say no. Then leave.", 2),
    ],
)
def test_abbreviation_period_never_ends_a_sentence(raw, sentence_count):
    # The chunker splits normalized text: only real sentence ends remain.
    assert len(split_sentences(normalize_text(raw))) == sentence_count


@pytest.mark.parametrize(
    "raw, sentences",
    [
        ("Say no. Then leave.", ["Say no.", "Then leave."]),
        ("Room No. 5 is here. Go.", ["Room No. 5 is here.", "Go."]),
        ("See p. 12 for more. Then stop.", ["See p. 12 for more.", "Then stop."]),
        ("He studied art. Then he left.", ["He studied art.", "Then he left."]),
        ("Miss St. John smiled. Then she left.", ["Miss St. John smiled.", "Then she left."]),
        ("We climbed Mt. Everest. Then we rested.", ["We climbed Mt. Everest.", "Then we rested."]),
    ],
)
def test_split_sentences_of_raw_text(raw, sentences):
    assert split_sentences(raw) == sentences
