"""The pronunciation lexicon: matching (whole word, case, phrases, titles), validation, marks and
what the voice's phonemizer makes of them, and the files (layers, damaged files)."""

from __future__ import annotations

import json

import pytest

from backend.lexicon_store import LexiconFileError, load_lexicons, read_lexicon, write_lexicon
from backend.settings import RenderSettings
from backend.text import Book, Chapter, plan_book_chunks
from backend.text.lexicon import Lexicon, LexiconEntry, LexiconError, validate_entry
from backend.text.pronunciation_markup import plain_text, segments
from backend.text.spoken import spoken_text
from backend.text.words_to_check import ALL_CAPS, NAME, RARE, words_to_check


def lex(*entries: LexiconEntry) -> Lexicon:
    return Lexicon(validate_entry(e) for e in entries)


def marked_words(text: str) -> list[tuple[str, str]]:
    return [(w, how.value) for w, how in segments(text) if how is not None]


def test_whole_word_by_default_and_case_ignored():
    lexicon = lex(LexiconEntry("Hermione", "her MY oh nee"), LexiconEntry("bow", "bough"))
    text, used = lexicon.apply("Hermione, HERMIONE and hermione's bowl; the bow. Hermiones and elbow.")
    assert marked_words(text) == [("Hermione", "her MY oh nee"), ("HERMIONE", "her MY oh nee"),
                                  ("hermione", "her MY oh nee"), ("bow", "bough")]
    assert used == {"Hermione", "bow"}
    assert plain_text(text) == "Hermione, HERMIONE and hermione's bowl; the bow. Hermiones and elbow."


def test_case_sensitive_inside_words_and_phrases():
    lexicon = lex(LexiconEntry("US", "you ESS", case_sensitive=True),
                  LexiconEntry("New York", "nuː jˈɔːk", phonemes=True),
                  LexiconEntry("ough", "off", whole_word=False))
    text, _ = lexicon.apply("Tell us about the US. New  York is tough.")
    assert marked_words(text) == [("US", "you ESS"), ("New  York", "nuː jˈɔːk"), ("ough", "off")]
    assert "Tell us" in text  # the lower-case pronoun is not the country


def test_entries_match_normalized_text_and_later_layers_win():
    glob = lex(LexiconEntry("Dr. Who", "DOK ter HOO"), LexiconEntry("Ada", "AH dah"))
    book = lex(LexiconEntry("ada", "AY duh"))
    merged = Lexicon.layered(glob, book)
    spoken = spoken_text("Ada met Doctor Who.", merged)
    assert marked_words(spoken.text) == [("Ada", "AY duh"), ("Doctor Who", "DOK ter HOO")]
    assert spoken.entries == ("Dr. Who", "ada")


def test_titles_get_pronunciations_too():
    book = Book("T", None, [Chapter("Hermione's Ring", ["Hermione smiled."])])
    chunks = plan_book_chunks(book)
    lexicon = lex(LexiconEntry("Hermione", "her MY oh nee"))
    assert all(marked_words(spoken_text(c.text, lexicon).text) for c in chunks)


@pytest.mark.parametrize("entry, named", [
    (LexiconEntry("Zork", "zˈɔːɹk§", phonemes=True), "Zork"),
    (LexiconEntry("Zork", "z0rk"), "Zork"),
    (LexiconEntry("Zork", ""), "Zork"),
    (LexiconEntry("", "zork"), "no word"),
    (LexiconEntry("!!!", "bang"), "!!!"),
    (LexiconEntry("Zork", "zˈɔːɹk.", phonemes=True), "Zork"),  # punctuation is a pause, not a sound
])
def test_invalid_entries_are_refused_naming_the_entry(entry, named):
    with pytest.raises(LexiconError, match=named):
        validate_entry(entry)


def test_marked_words_are_said_as_marked():
    from backend.tts.phonemizer import Phonemizer
    from backend.tts.voice import load_voice

    phonemizer = Phonemizer(load_voice(None))
    lexicon = lex(LexiconEntry("Hermione", "her MY oh nee"), LexiconEntry("Zork", "zˈɔːɹk", phonemes=True))
    plain = "".join(phonemizer.phonemes("Hermione met Zork."))
    said = "".join(phonemizer.phonemes(lexicon.apply("Hermione met Zork.")[0]))
    assert said != plain
    assert said.startswith("hɜːmˈaɪoʊniː mˈɛt zˈɔːɹk") and said.endswith(".")
    # A possessive keeps its z; a lone "a" between marks stays the article, not the letter.
    assert "".join(phonemizer.phonemes(lexicon.apply("Zork's a Zork")[0])) == "zˈɔːɹkz ɐ zˈɔːɹk"


def test_files_round_trip_layers_and_book_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDIOBOOK_CONFIG_DIR", str(tmp_path / "config"))
    from backend.lexicon_store import book_lexicon_path, global_lexicon_path

    settings = RenderSettings(cache_dir=str(tmp_path / "cache"))
    book = tmp_path / "b.txt"
    book.write_text("Ada went out.", encoding="utf-8")
    write_lexicon(global_lexicon_path(), lex(LexiconEntry("Ada", "AH dah"), LexiconEntry("Brennan", "BREN un")))
    extra = write_lexicon(tmp_path / "extra.json", lex(LexiconEntry("Brennan", "BRAY nan")))
    write_lexicon(book_lexicon_path(book, settings), lex(LexiconEntry("ADA", "AY duh")))
    merged = load_lexicons(book, settings, (extra,))
    assert {e.word: e.say for e in merged.entries} == {"ADA": "AY duh", "Brennan": "BRAY nan"}
    assert read_lexicon(extra).entries == lex(LexiconEntry("Brennan", "BRAY nan")).entries
    with pytest.raises(LexiconFileError, match="does not exist"):
        load_lexicons(book, settings, (tmp_path / "missing.json",))


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not valid JSON"),
    (json.dumps({"entries": [{"word": "Zork", "say": "z§", "phonemes": True}]}), "Zork"),
    (json.dumps({"entries": "nope"}), "entries"),
])
def test_a_damaged_file_is_backed_up_and_reported(tmp_path, content, reason):
    path = tmp_path / "lexicon.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconFileError, match=reason) as info:
        read_lexicon(path)
    assert info.value.backup is not None and info.value.backup.read_text(encoding="utf-8") == content
    assert path.read_text(encoding="utf-8") == content  # the original is left as it was


def test_typed_ipa_look_alikes_become_espeak_phonemes():
    assert validate_entry(LexiconEntry("Quay", "ki:", phonemes=True)).say == "kiː"
    assert validate_entry(LexiconEntry("Zork", "z'ɔːɹk", phonemes=True)).say == "zˈɔːɹk"


def test_words_of_titles_are_not_taken_for_names():
    book = Book("T", None, [Chapter("The Silent Clock", ["The clock was silent. Ada wound it.", "Then Ada left."])])
    found = {w.word: w for w in words_to_check(book)}
    assert "Silent" not in found and "Clock" not in found
    assert NAME in found["Ada"].reasons


def test_words_to_check_finds_names_caps_and_rare_spellings():
    book = Book("T", None, [Chapter("One", [
        "Daenerys met Jon at Winterfell. The NASA rocket flew over the sea.",
        "Then Daenerys smiled at Siobhán and Tyr'el. \"Well,\" said Mister Jon. The cat sat.",
    ])])
    found = {w.word: w for w in words_to_check(book)}
    assert found["Daenerys"].count == 2 and NAME in found["Daenerys"].reasons
    assert ALL_CAPS in found["NASA"].reasons
    assert RARE in found["Siobhán"].reasons and RARE in found["Tyr'el"].reasons
    assert not {"The", "Then", "Well", "Mister", "cat", "rocket"} & set(found)
    covered = words_to_check(book, lex(LexiconEntry("daenerys", "dih NAIR iss")))
    assert "Daenerys" not in {w.word for w in covered}
