"""Scoring what was heard against what was to be said (backend/check/words.py)."""

from backend.check.words import ChunkScore, comparable_words, score_window


def test_both_sides_are_normalized_alike():
    spoken = "at six forty-five doctor o'brien paid twelve dollars"
    assert comparable_words("At 6:45, Dr. O'Brien paid $12.") == comparable_words(spoken)
    from backend.text.pronunciation_markup import RESPELLING, Pronunciation, mark

    marked = f"Well-known {mark('Hermione', Pronunciation(RESPELLING, 'her MY oh nee'))} said: \u201cHi!\u201d"
    assert comparable_words(marked) == ["well", "known", "hermione", "said", "hi"]


def test_a_clean_window_scores_zero_for_every_chunk():
    expected = ["The ferry left at 6:45.", "Nobody waved."]
    scores = score_window(expected, "The ferry left at six forty-five. Nobody waved.")
    assert [s.wer for s in scores] == [0.0, 0.0] and not any(s.flagged for s in scores)
    assert scores[1].heard == "nobody waved" and scores[1].words == 2


def test_missing_and_added_words_belong_to_their_chunk():
    expected = ["She walked to the point instead, past the quarry.", "The wind was cold.", "Then she went home."]
    scores = score_window(expected, "She walked to the point instead. Then she went home, slowly.")
    assert scores[0].missing == ("past", "the", "quarry") and scores[0].flagged  # three words missing
    assert scores[1].missing == ("the", "wind", "was", "cold") and scores[1].wer == 1.0  # silence
    assert scores[2].added == ("slowly",) and scores[2].wer == 0.25 and not scores[2].flagged  # one word: doubt


def test_another_sentence_instead_is_flagged_by_its_error_rate():
    [score] = score_window(["The light came on at dusk."], "Mara was not on it.")
    assert score.flagged and score.wer >= 0.8


def test_one_misheard_word_in_a_long_chunk_passes():
    text = "Every morning at seven fifteen, Ada unlocked the little shop on Quay Street."
    [score] = score_window([text], text.replace("Quay", "Key"))
    assert 0 < score.wer <= 0.2 and not score.flagged


def test_scores_round_trip_through_json():
    [score] = score_window(["The wind was cold."], "The wind was old.")
    assert ChunkScore.from_json(score.to_json()) == ChunkScore(round(score.wer, 4), (), (), "the wind was old", 4,
                                                               round(score.letter_errors, 4))
    assert ChunkScore.from_json({"wer": "x"}) is None


def test_whisper_times_written_as_numbers_are_no_false_alarm():
    [score] = score_window(["At 6:45."], "At 645.")
    assert score.wer == 0.0


def test_words_split_or_spelled_otherwise_are_the_recognizers_not_flagged():
    [score] = score_window(["It swept the water once."], "It's wet the water once.")
    assert score.wer == 0.4 and score.letter_errors < 0.1 and not score.flagged
    [score] = score_window(["It swept the water once."], "It went under once.")
    assert score.flagged


def test_short_lines_are_flagged_for_silence_but_not_for_one_doubtful_word():
    [score] = score_window(["The Pier"], "The pair.")
    assert score.wer == 0.5 and not score.flagged
    [score] = score_window(["Pier"], "")
    assert score.flagged and score.missing == ("pier",)
