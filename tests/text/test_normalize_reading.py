"""What a narrator says for dates, ranges, fractions, units, money, times, phone numbers and formulas
(issue 12): the issue's examples and the general rule behind each."""

from __future__ import annotations

import re

import pytest

from backend.text import normalize_text
from backend.text.dates import DMY, MDY, date_order_for


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("May 8", "May eighth"),
        ("On May 8 we sailed.", "On May eighth we sailed."),
        ("July 4, 1779", "July fourth, seventeen seventy-nine"),
        ("8 May 1945", "the eighth of May, nineteen forty-five"),
        ("on the 3rd of October, 2004", "on the third of October, two thousand four"),
        ("4th July 1776", "the fourth of July, seventeen seventy-six"),
        ("Feb. 12", "February twelfth"),
        ("Dec. 25, 1990", "December twenty-fifth, nineteen ninety"),
        ("Jan 12, 2001", "January twelfth, two thousand one"),
        ("5 Jan", "the fifth of January"),
        ("2006-08-05", "August fifth, two thousand six"),
        ("the 1980s", "the nineteen eighties"),
        ("the '90s", "the nineties"),
        ("the 60s", "the sixties"),
        ("In 1905 he left.", "In nineteen oh five he left."),
        ("AD 43", "A.D. forty-three"),
        ("300 BC", "three hundred B.C."),
        ("In 1066 AD the king fell.", "In ten sixty-six A.D. the king fell."),
        ("It fell in 43 B.C. The city burned.", "It fell in forty-three B.C. The city burned."),
        ("c. 1500", "circa fifteen hundred"),
        ("February 19,1674", "February nineteenth, sixteen seventy-four"),
        ("In March 1820 it rained.", "In March eighteen twenty it rained."),
        ("May I come in?", "May I come in?"),
    ],
)
def test_dates(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, mdy, dmy",
    [
        ("10/06/2005", "October sixth, two thousand five", "the tenth of June, two thousand five"),
        ("10-06-2005", "October sixth, two thousand five", "the tenth of June, two thousand five"),
        ("25/12/2005", "the twenty-fifth of December, two thousand five", "the twenty-fifth of December, two thousand five"),
        ("12/25/2005", "December twenty-fifth, two thousand five", "December twenty-fifth, two thousand five"),
        ("10.06.2005", "October sixth, two thousand five", "the tenth of June, two thousand five"),
        ("2006-08-05", "August fifth, two thousand six", "the fifth of August, two thousand six"),
        ("On 3/4/05 we met.", "On March fourth, oh five we met.", "On the third of April, oh five we met."),
    ],
)
def test_numeric_dates_follow_the_date_order(raw, mdy, dmy):
    assert normalize_text(raw, MDY) == mdy
    assert normalize_text(raw, DMY) == dmy


def test_invalid_dates_and_versions_are_not_dates():
    assert "thirteenth" not in normalize_text("13/13/2005") and "/" not in normalize_text("13/13/2005")
    assert normalize_text("Linux 2.6.32") == "Linux two dot six dot thirty-two"
    assert normalize_text("June 45") == "June forty-five"


@pytest.mark.parametrize(
    "setting, languages, order",
    [
        ("auto", ("en-US",), MDY),
        ("auto", ("en",), MDY),
        ("auto", ("en-GB",), DMY),
        ("auto", ("en_AU",), DMY),
        ("auto", ("fr",), DMY),
        ("auto", (None, "en-us"), MDY),  # no book language: the voice's
        ("auto", (None, "en-gb-x-rp"), DMY),
        ("auto", (None, None), MDY),
        ("dmy", ("en-US",), DMY),
        ("mdy", ("en-GB",), MDY),
    ],
)
def test_date_order_from_setting_then_language(setting, languages, order):
    assert date_order_for(setting, *languages) == order


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("(1812-1882)", "(eighteen twelve to eighteen eighty-two)"),
        ("1812\u20131882", "eighteen twelve to eighteen eighty-two"),
        ("pages 10-12", "pages ten to twelve"),
        ("pp. 10-12", "pages ten to twelve"),
        ("10 - 12", "ten to twelve"),
        ("pages 10--12", "pages ten to twelve"),
        ("They won 3-2.", "They won three to two."),
        ("In 1939-45 the war raged.", "In nineteen thirty-nine to forty-five the war raged."),
        ("between 500-1000 people", "between five hundred and one thousand people"),
        ("15-20 minutes", "fifteen to twenty minutes"),
        ("It costs $5-10.", "It costs five dollars to ten dollars."),
        ("from 9am-5pm", "from nine a.m. to five p.m."),
        ("from 9:30-11:00", "from nine thirty to eleven o'clock"),
        ("a 3:1 majority", "a three to one majority"),
        ("a five-year-old", "a five-year-old"),
        ("B-52 and COVID-19", "B fifty-two and COVID nineteen"),
    ],
)
def test_ranges_and_scores(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("1/2", "one half"),
        ("2 1/2 hours", "two and a half hours"),
        ("3/4 of an hour", "three quarters of an hour"),
        ("5/8 inch", "five eighths of an inch"),
        ("It was 1/3 full.", "It was one third full."),
        ("7/16 in.", "seven sixteenths of an inch."),
        ("2 3/4 miles", "two and three quarters miles"),
        ("Add 2\u00bd cups.", "Add two and a half cups."),
        ("about \u00be mile", "about three quarters of a mile"),
        ("1/4 cup water", "a quarter cup water"),
        ("open 24/7", "open twenty-four seven"),
        ("a 50/50 chance", "a fifty-fifty chance"),
    ],
)
def test_fractions(raw, spoken):
    assert normalize_text(raw) == spoken


UNITS = [
    ("3 oz", "three ounces"), ("1 oz", "one ounce"), ("1 lb", "one pound"), ("5 lbs", "five pounds"),
    ("2 kg", "two kilograms"), ("500 g", "five hundred grams"), ("5 mg", "five milligrams"),
    ("10 km", "ten kilometers"), ("100 m", "one hundred meters"), ("1 m", "one meter"), ("5 cm", "five centimeters"),
    ("3 mm", "three millimeters"), ("4 mi", "four miles"), ("6 ft", "six feet"), ("1 ft", "one foot"),
    ("She was 5 ft 2 in tall.", "She was five feet two inches tall."), ("3 yd", "three yards"),
    ("60 mph", "sixty miles per hour"), ("100 km/h", "one hundred kilometers per hour"),
    ("1\u00b0C", "one degree Celsius"), ("32\u00b0F", "thirty-two degrees Fahrenheit"), ("45\u00b0", "forty-five degrees"),
    ("-5\u00b0C", "minus five degrees Celsius"), ("50%", "fifty percent"), ("200 sq ft", "two hundred square feet"),
    ("250 ml", "two hundred fifty milliliters"), ("2 l", "two liters"), ("1.5 kg", "one point five kilograms"),
    ("A 5 kg bag.", "A five kilogram bag."), ("Add 5 lbs. of sugar.", "Add five pounds of sugar."),
    ("It weighed 5 lbs. Then it broke.", "It weighed five pounds. Then it broke."),
    ("He was 6'2\" tall.", "He was six foot two tall."),
]


@pytest.mark.parametrize("raw, spoken", UNITS)
def test_units_after_numbers(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize("raw", ["He came in 5 in the morning.", "I have 5 in my pocket.", "Give me 5 m&ms"])
def test_words_that_look_like_units_stay_words(raw):
    assert "inch" not in normalize_text(raw) and "meter" not in normalize_text(raw)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("$5", "five dollars"), ("£20", "twenty pounds"), ("€3", "three euros"), ("¥100", "one hundred yen"),
        ("₹500", "five hundred rupees"), ("₩1000", "one thousand won"), ("50¢", "fifty cents"), ("1¢", "one cent"),
        ("$.01", "one cent"), ("$1.5 million", "one point five million dollars"), ("£3.50", "three pounds fifty"),
        ("£0.50", "fifty pence"), ("$5.50", "five dollars and fifty cents"), ("A £5 note.", "A five pound note."),
        ("$3.5m", "three point five million dollars"),
    ],
)
def test_money(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("1:01:01", "one hour, one minute and one second"),
        ("She ran it in 2:03:45.", "She ran it in two hours, three minutes and forty-five seconds."),
        ("at 10:30:15", "at ten thirty and fifteen seconds"),
        ("It was 3.01 A.M. when he woke.", "It was three oh one a.m. when he woke."),
        ("10:00 p.m. came.", "ten p.m. came."),
        ("at 10 p.m. and later", "at ten p.m. and later"),
        ("at 10 p.m. Then he slept.", "at ten p.m. Then he slept."),
        ("Meet at 7:15.", "Meet at seven fifteen."),
    ],
)
def test_times(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("+1 123-123-5678", "plus one, one two three, one two three, five six seven eight"),
        ("Call (555) 123-4567.", "Call five five five, one two three, four five six seven."),
        ("1-800-555-1234", "one, eight oh oh, five five five, one two three four"),
        ("call 555-1234 now", "call five five five, one two three four now"),
        ("+44 20 7946 0958", "plus four four, two oh, seven nine four six, oh nine five eight"),
        ("ISBN 978-3-16-148410-0", "ISBN nine seven eight, three, one six, one four eight four one oh, oh"),
    ],
)
def test_telephone_numbers_and_serials(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("8*7", "eight times seven"),
        ("1+1 = 2", "one plus one equals two"),
        ("x=5", "x equals five"),
        ("5 - 3 = 2", "five minus three equals two"),
        ("10 / 2 = 5", "ten divided by two equals five"),
        ("3 < 5", "three is less than five"),
        ("2^10", "two to the power of ten"),
        ("E=mc\u00b2", "E equals mc squared"),
        ("#1", "number one"),
        ("an 8 x 10 photo", "an eight by ten photo"),
    ],
)
def test_symbols_between_numbers(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("St. John", "Saint John"),
        ("Miss St. John smiled.", "Miss Saint John smiled."),
        ("Cape St. Anthony", "Cape Saint Anthony"),
        ("He lived on Main St.", "He lived on Main Street."),
        ("123 Circle Dr., Santa Maria", "one twenty-three Circle Drive, Santa Maria"),
        ("708 N 1st St, San City", "seven oh eight North first Street, San City"),
        ("Dr. Watson came.", "Doctor Watson came."),
        ("No. 13", "Number thirteen"),
        ("He was No. 1 in his class.", "He was number one in his class."),
        ("no 1 wants it", "no one wants it"),
        ("John Smith Jr. arrived.", "John Smith Junior arrived."),
        ("Mt. Everest and Ft. Knox", "Mount Everest and Fort Knox"),
        ("Apt. 4B on 5th Ave. was his.", "Apartment four B on fifth Avenue was his."),
    ],
)
def test_abbreviations_by_context(raw, spoken):
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("The 1st, 2nd and 21st.", "The first, second and twenty-first."),
        ("1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"),
        ("3.14", "three point one four"),
        ("It was -5 outside.", "It was minus five outside."),
        ("+5 degrees", "plus five degrees"),
    ],
)
def test_punctuation_quirks(raw, spoken):
    assert normalize_text(raw) == spoken


_UNSAID = re.compile(r"[\d$%/=+*#@°₩£€¥₹¢×÷<>^]")


@pytest.mark.parametrize(
    "raw",
    [
        "On 10/06/2005 at 10:30 p.m., No. 7 paid $1,234.56 (12% more) for 3/4 lb of tea at 5 Main St.",
        "Call +1 123-123-5678 or (555) 123-4567; ref #42, 8*7=56, x=5, 2^8, 1+1 = 2, 50 < 60.",
        "From 1812-1882, 45° north, 100 km/h, -5°C, 2 1/2 hrs, ₩5000, 50¢, 24/7, 3:1, v2.0.1.",
        "A lone $ and % and = and + and ° and ₩ and / and < and > here.",
    ],
)
def test_nothing_the_voice_would_spell_survives(raw):
    spoken = normalize_text(raw)
    assert not _UNSAID.search(spoken), spoken


def test_a_render_plan_reads_dates_by_the_book_language_unless_the_setting_says(tmp_path):
    from backend.render.plan import make_plan
    from backend.settings import RenderSettings
    from backend.text import load_book
    from backend.tts.voice import load_voice

    voice = load_voice(None)  # en-us
    said = {}
    for lang in ("en-GB", "en-US", None):
        path = tmp_path / f"book-{lang}.md"
        front = f"---\nlang: {lang}\n---\n\n" if lang else ""
        path.write_text(f"{front}# One\n\nThe letter was posted on 10/06/2005.\n", encoding="utf-8")
        book = load_book(path)
        for setting in ("auto", "mdy", "dmy"):
            plan = make_plan(book, voice, RenderSettings(date_order=setting))
            said[lang, setting] = (plan.chunks[-1].chunk.text, plan.chunks[-1].key)
    october, june = "October sixth, two thousand five", "the tenth of June, two thousand five"
    assert june in said["en-GB", "auto"][0] and october in said["en-US", "auto"][0]
    assert october in said[None, "auto"][0]  # no language in the book: the voice's (en-us)
    assert october in said["en-GB", "mdy"][0] and june in said["en-US", "dmy"][0]
    # A changed reading is a changed chunk: its cache key differs, so it is rendered again.
    assert said["en-GB", "auto"][1] != said["en-US", "auto"][1] == said["en-GB", "mdy"][1]


def test_letters_are_written_so_the_phonemizer_says_them_as_letters():
    """"A M" spaced is read "uh M" by espeak-ng; the dotted forms are read as letters."""
    from backend.tts.phonemizer import Phonemizer
    from backend.tts.voice import load_voice

    phonemizer = Phonemizer(load_voice(None))
    for raw, letters in (("at 10 a.m. today", "ˌeɪˈɛm"), ("It was 3.01 A.M. then", "ˌeɪˈɛm"), ("AD 43", "ˌeɪdˈiː"),
                         ("300 BC", "bˌiːsˈiː"), ("at 10:00 p.m.", "pˌiːʲˈɛm")):
        said = "".join(phonemizer.phonemes(normalize_text(raw)))
        assert letters in said, (raw, normalize_text(raw), said)
        assert "ɐ ˈɛm" not in said


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("Louis XII.'s reign", "Louis the twelfth's reign"),
        ("the court of Charles V., it", "the court of Charles the fifth, it"),
        ("They crowned Henry VIII. The king", "They crowned Henry the eighth. The king"),
        ("pemmican, &c., and tea", "pemmican, et cetera, and tea"),
        ("This was in about 79\u00b0 20' N.", "This was in about seventy-nine degrees twenty minutes north."),
        ("a 12\" ruler", "a twelve inch ruler"),
        ('"He was 12" she said.', '"He was twelve" she said.'),  # a closing quote, not inches
        ("fought May 2nd and 3d, 1863", "fought May second and third, eighteen sixty-three"),
        ("paid 2d. for it", "paid twopence for it"),
        ("11:30EST", "eleven thirty E.S.T."),
        ("US$76.3 trillion", "seventy-six point three trillion U.S. dollars"),
        ("all in $20 bills", "all in twenty dollar bills"),
        ("$4 million dollars", "four million dollars"),
        ("$20.5", "twenty dollars and fifty cents"),
        ("in Memphis, Tenn., Jan. 15, 1877", "in Memphis, Tennessee, January fifteenth, eighteen seventy-seven"),
        ("Yes, Pa. I will.", "Yes, Pa. I will."),
        ("a gale from the S.W., of such force", "a gale from the south-west, of such force"),
        ("Room 101", "Room one oh one"),
        ("2788 San Tomas Expy, Santa Clara, CA 95051",
         "twenty-seven eighty-eight San Tomas Expressway, Santa Clara, California nine five oh five one"),
        ("17 may 2010", "the seventeenth of May, twenty ten"),
        ("0161 123 4567 ext. 123", "oh one six one, one two three, four five six seven extension one two three"),
        ("+49 171 1234567", "plus four nine, one seven one, one two three four five six seven"),
        ("the campaign of '03", "the campaign of oh three"),
        ("Dec. 4-11, 1721", "December fourth to eleventh, seventeen twenty-one"),
        ("Lecture VII and Corollary II", "Lecture seven and Corollary two"),
        ("Kirby's Entomology, vol. ii, p. 317.", "Kirby's Entomology, volume two, page three hundred seventeen."),
        ("Chap. XXVII.", "Chapter twenty-seven."),
        ("Wm. Penn's house", "William Penn's house"),
        ("the election of St Etienne", "the election of Saint Etienne"),
        ("In 3/4 hour look at it.", "In three quarters of an hour look at it."),
        ("1/4th", "one quarter"),
        ("2x8 m2", "two by eight square meters"),
        ("2 m\u00b3", "two cubic meters"),
        ("3 kgs and 2 wks and 800 hp", "three kilograms and two weeks and eight hundred horsepower"),
        ("[10,000 x 100,000,000=Trillion]", "[ten thousand times one hundred million equals Trillion]"),
    ],
)
def test_older_and_rarer_forms(raw, spoken):
    assert normalize_text(raw) == spoken


def test_random_mixtures_of_numbers_symbols_and_abbreviations_never_fail_or_leave_digits():
    """20,000 seeded random strings built from the pieces the rules look for, glued in any order."""
    import random

    atoms = ["1", "2", "3", "12", "1999", "2006", "10", "0", "5", "$", "£", "€", "%", "°", "C", "F", "/", "-", "\u2013",
             ":", ".", ",", "'", '"', "(", ")", "+", "=", "*", "x", " ", "kg", "m", "in", "ft", "May", "Jan.", "St.",
             "Dr.", "No.", "AD", "BC", "a.m.", "pm", "I", "XII", "Henry", "the", "#", "&c.", "\u00bd", "\u00b2", "\u00a7",
             "\u00a2", "\u20a9", "\u20b9", "US$", "Room", "call", "N.", "S.W."]
    rng = random.Random(7)
    for _ in range(20000):
        raw = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 12)))
        spoken = normalize_text(raw)
        assert not re.search(r"[\d$£€%°₩₹¢=+*#/²³]", spoken), (raw, spoken)
