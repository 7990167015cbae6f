"""The language check: the book's language from metadata or script, against the voice's; and
short runs of a script the voice cannot speak left out of an English book's chunks."""

import dataclasses

import pytest

from backend.render.plan import make_plan
from backend.settings import RenderSettings
from backend.text import Book, Chapter, load_book
from backend.text.language import (
    ARABIC,
    CYRILLIC,
    HAN,
    HIRAGANA,
    LATIN,
    book_language,
    check_language,
    drop_unspeakable,
    script_of,
    speakable_scripts,
    voice_language,
)
from backend.text.pronunciation_markup import Pronunciation, mark
from backend.text.spoken import spoken_text
from backend.tts.voice import load_voice
from tests.text.epub_factory import Doc, TocItem, write_epub

NEKO = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"


@pytest.fixture(scope="module")
def english_voice():
    return load_voice(None)


@pytest.fixture(scope="module")
def persian_voice(english_voice):
    config = dict(english_voice.config, language={"code": "fa_IR", "family": "fa", "name_english": "Persian"})
    return dataclasses.replace(english_voice, name="fa_IR-test-medium", espeak_voice="fa", config=config)


def book(*paragraphs, language=None):
    return Book("Test", None, [Chapter("One", list(paragraphs))], language=language)


def test_script_of_characters():
    assert [script_of(c) for c in "aé猫はカЖم"] == [LATIN, LATIN, HAN, HIRAGANA, "Katakana", CYRILLIC, ARABIC]
    assert [script_of(c) for c in " 7.,!「」"] == [None] * 7


def test_voice_language_and_its_scripts(english_voice, persian_voice):
    assert voice_language(english_voice) == "en_US"
    assert speakable_scripts("en-us") == {LATIN}
    assert speakable_scripts("ja") == {LATIN, HAN, HIRAGANA, "Katakana"}
    assert voice_language(persian_voice) == "fa_IR" and speakable_scripts("fa_IR") == {LATIN, ARABIC}
    assert speakable_scripts("xx-unknown") is None


def test_language_from_epub_and_markdown_metadata(tmp_path):
    epub = write_epub(tmp_path / "neko.epub", [Doc("c1.xhtml", f"<h1>第一章</h1><p>{NEKO}</p>")],
                      [TocItem("第一章", "c1.xhtml")], language="ja")
    assert load_book(epub).language == "ja" and book_language(load_book(epub)) == "ja"
    md = tmp_path / "livre.md"
    md.write_text("---\ntitle: Le Livre\nlang: fr-CA\n---\n\n## Un\n\nIl était une fois.\n", encoding="utf-8")
    assert load_book(md).language == "fr-CA" and book_language(load_book(md)) == "fr-CA"
    md.write_text("---\nlanguage: \"de\"\n---\n\nEs war einmal.\n", encoding="utf-8")
    assert load_book(md).language == "de"
    md.write_text("# Plain\n\nNo front matter here.\n", encoding="utf-8")
    assert load_book(md).language is None


@pytest.mark.parametrize("text, expected", [
    (NEKO, "ja"),
    ("我们在北京吃了晚饭。天气很好。", "zh"),
    ("안녕하세요. 저는 학생입니다.", "ko"),
    ("مرحبا بالعالم. هذا كتاب صغير.", "ar"),
    ("Жили-были дед да баба.", "und-Cyrl"),
    ("Η Αθήνα είναι η πρωτεύουσα.", "el"),
    ("Once upon a time there was a cat.", None),  # Latin alone cannot tell English from French
    ("Il était une fois un chat.", None),
    ("They said 東京へようこそ as we landed in Tokyo, and we smiled back at everyone there.", None),
])
def test_language_guessed_from_the_script(text, expected):
    assert book_language(book(text)) == expected


def test_metadata_the_text_contradicts_loses():
    assert book_language(book(NEKO, language="en")) == "ja"  # tools stamp "en" on any book
    assert book_language(book("Once upon a time.", language="und")) is None
    assert book_language(book("Once upon a time.", language="eng")) == "eng"


def test_check_language_messages(english_voice, persian_voice):
    assert check_language(book(NEKO, language="ja"), english_voice) == (
        "This book is in Japanese (its metadata says 'ja'), but the voice 'en_US-joe-medium' speaks English "
        "and would spell the text out letter by letter. Add a Japanese Piper voice, or pass --any-language "
        "to render it anyway.")
    assert check_language(book("مرحبا بالعالم. هذا كتاب."), english_voice, "press Start") == (
        "This book seems to be in Arabic (judging by its script), but the voice 'en_US-joe-medium' speaks "
        "English and would spell the text out letter by letter. Add an Arabic Piper voice, or press Start.")
    cyrillic = check_language(book("Жили-были дед да баба."), english_voice)
    assert "Cyrillic script" in cyrillic and "Add a Piper voice for that language" in cyrillic
    french = check_language(book("Il était une fois.", language="fr"), english_voice)
    assert french.startswith("This book is in French (its metadata says 'fr'), but the voice") and "spell" not in french
    assert check_language(book("Once upon a time.", language="en-GB"), english_voice) is None
    assert check_language(book("Il était une fois."), english_voice) is None  # no metadata: no claim
    assert check_language(book("Tokyo is 東京 in Japanese, and this is an English book."), english_voice) is None
    # An untagged Arabic-script book may be Persian: a Persian voice reads the script, so no claim.
    assert check_language(book("مرحبا بالعالم. هذا كتاب."), persian_voice) is None
    assert "Arabic" in check_language(book("مرحبا بالعالم.", language="ar"), persian_voice)


@pytest.mark.parametrize("text, spoken, runs", [
    ('She said "こんにちは" to the driver.', "She said to the driver.", ["こんにちは"]),
    ("Tokyo (東京) is big.", "Tokyo is big.", ["東京"]),
    ("The sign read 東京 タワー, a landmark.", "The sign read, a landmark.", ["東京 タワー"]),
    ("He wrote 「ありがとう」 and left.", "He wrote and left.", ["ありがとう"]),
    ("Say مرحبا بالعالم now.", "Say now.", ["مرحبا بالعالم"]),
    ("He flew to Москва. Then home.", "He flew to. Then home.", ["Москва"]),
    ("The word λόγος means word.", "The word means word.", ["λόγος"]),
    ("Start: 日本語. End.", "Start. End.", ["日本語"]),
    ("The angle θ is small, café naïve.", "The angle θ is small, café naïve.", []),  # espeak names lone Greek letters
    ("Plain English, nothing to drop.", "Plain English, nothing to drop.", []),
])
def test_drop_unspeakable_for_an_english_voice(text, spoken, runs):
    assert drop_unspeakable(text, "en-us") == (spoken, runs)


def test_drop_unspeakable_keeps_the_voices_own_script():
    assert drop_unspeakable("Привет, мир! Hello.", "ru") == ("Привет, мир! Hello.", [])
    assert drop_unspeakable("東京へようこそ。", "ja_JP") == ("東京へようこそ。", [])
    assert drop_unspeakable("東京へようこそ。", None) == ("東京へようこそ。", [])  # no language: keep all


def test_spoken_text_skips_unspeakable_runs_but_not_pronunciation_marks():
    said = mark("myth", Pronunciation("i", "mˈɪθ"))
    text = f"A {said} about 東京 here."
    spoken = spoken_text(text, language="en-us")
    assert spoken.text == f"A {said} about here." and spoken.skipped == ("東京",)
    assert spoken_text(text).text == text and spoken_text(text).skipped == ()


def test_plan_skips_runs_and_lists_them_once(english_voice):
    trip = book("We landed at dawn. The sign said 東京へようこそ in bright letters.",
                'She said "ありがとう" to the driver, and "ありがとう" again.', language="en")
    plan = make_plan(trip, english_voice, RenderSettings(max_chars=400))
    assert [pc.spoken for pc in plan.chunks][1:] == ["We landed at dawn. The sign said in bright letters.",
                                                     "She said to the driver, and again."]
    assert plan.skipped == ["東京へようこそ", "ありがとう"]
    # An English book is no mismatch: "render anyway" changes nothing there.
    anyway = make_plan(trip, english_voice, RenderSettings(max_chars=400, any_language=True))
    assert [pc.key for pc in anyway.chunks] == [pc.key for pc in plan.chunks]


def test_plan_of_a_book_rendered_anyway_keeps_everything(english_voice):
    neko = book(NEKO, language="ja")
    assert make_plan(neko, english_voice, RenderSettings(any_language=True)).skipped == []
    assert NEKO[:5] in make_plan(neko, english_voice, RenderSettings(any_language=True)).chunks[1].spoken
