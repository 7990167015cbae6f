"""normalize_text / normalize_title: one example (or more) per category."""

from __future__ import annotations

import pytest

from backend.text import normalize_text, normalize_title


def _same(raw: str, spoken: str) -> None:
    assert normalize_text(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        # unicode punctuation
        ("“Hello,” she said.", '"Hello," she said.'),
        ("It’s ‘fine’ «really»", "It's 'fine' \"really\""),
        ("Wait… what", "Wait... what"),
        ("Wait. . . what", "Wait... what"),
        ("She ran—fast—home.", "She ran, fast, home."),
        ("He said -- nothing", "He said, nothing"),
        ("pages 10–20", "pages ten to twenty"),
        ("—Who’s there?", "Who's there?"),
        # invisible and odd spaces
        ("zero\u200bwidth\u200d soft\u00adhyphen", "zerowidth softhyphen"),
        ("non\u00a0breaking\u202fspaces\u3000here", "non breaking spaces here"),
        ("  lots \n\n of\t space  ", "lots of space"),
        ("ﬁne ﬂowers, ＡＢＣ１２", "fine flowers, ABC twelve"),
    ],
)
def test_unicode_cleanup(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("I have 3 cats and 42 dogs.", "I have three cats and forty-two dogs."),
        ("It costs 105 and 1,000,000 more.", "It costs one hundred five and one million more."),
        ("The 1st, 22nd and 103rd runners.", "The first, twenty-second and one hundred third runners."),
        ("In 1984 and 2005 and 1100.", "In nineteen eighty-four and two thousand five and eleven hundred."),
        ("The 1990s and the '80s.", "The nineteen nineties and the eighties."),
        ("Pi is 3.14 and .5 is half.", "Pi is three point one four and point five is half."),
        ("It was -5 outside.", "It was minus five outside."),
        ("Agent 007 and #1 hit.", "Agent zero zero seven and number one hit."),
        ("Version 1.2.3 of MP3 players.", "Version one dot two dot three of MP three players."),
        ("Add 2½ cups.", "Add two and a half cups."),
        ("Only ¼ mile.", "Only a quarter mile."),
        ("It was 20°C.", "It was twenty degrees Celsius."),
        (
            "Card 1234567890123456.",  # identifiers are read digit by digit
            "Card one two three four five six seven eight nine zero one two three four five six.",
        ),
    ],
)
def test_numbers(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("It costs $5.", "It costs five dollars."),
        ("It costs $5.50.", "It costs five dollars and fifty cents."),
        ("Only $1 or $0.99 or $1.01.", "Only one dollar or ninety-nine cents or one dollar and one cent."),
        ("£3 and €20 and ¥100.", "three pounds and twenty euros and one hundred yen."),
        ("A $1.5 million deal.", "A one point five million dollar deal."),
        ("It cost $1.5 million.", "It cost one point five million dollars."),
        ("Prices rose 12%.", "Prices rose twelve percent."),
        ("Up 3.5 % today.", "Up three point five percent today."),
    ],
)
def test_money_and_percent(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("Meet at 10:30.", "Meet at ten thirty."),
        ("Meet at 3:05 pm.", "Meet at three oh five p.m."),
        ("Meet at 10:00 sharp.", "Meet at ten o'clock sharp."),
        ("Meet at 9:00 AM today.", "Meet at nine a.m. today."),
        ("Meet at 5pm. Then go.", "Meet at five p.m. Then go."),
        ("We left at 10 p.m. and slept.", "We left at ten p.m. and slept."),
        ("Lap 1:02:45 done.", "Lap one hour, two minutes and forty-five seconds done."),
        ("Be there at 10:30:15.", "Be there at ten thirty and fifteen seconds."),
    ],
)
def test_times(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("Dr. Watson met Mr. Holmes and Mrs. Hudson.", "Doctor Watson met Mister Holmes and Missus Hudson."),
        ("Ms. Jones and Mr Smith.", "Miz Jones and Mister Smith."),
        ("He called the Dr.", "He called the Doctor."),
        ("We saw St. Paul's in St. Louis.", "We saw Saint Paul's in Saint Louis."),
        ("He lived on Baker St. Then he left.", "He lived on Baker Street. Then he left."),
        ("apples, pears, etc. and more", "apples, pears, et cetera and more"),
        ("apples, pears, etc. The end.", "apples, pears, et cetera. The end."),
        ("fruit, e.g. apples", "fruit, for example, apples"),
        ("one thing, i.e., this", "one thing, that is, this"),
        ("cats vs. dogs", "cats versus dogs"),
        ("Room No. 5", "Room number five"),
        ("Say no. Then leave.", "Say no. Then leave."),
        ("See p. 12 and Fig. 3.", "See page twelve and figure three."),
        ("Smith et al. found it.", "Smith and others found it."),
    ],
)
def test_abbreviations(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("Mail john.doe@example.com today.", "Mail john dot doe at example dot com today."),
        ("See https://www.example.com/path/to-page?x=1.", "See www dot example dot com slash path slash to dash page."),
        ("Visit example.org, then rest.", "Visit example dot org, then rest."),
        ("The end.It was", "The end.It was"),  # a missing space is not a web address
    ],
)
def test_web_addresses(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("I think I am. I.", "I think I am. I."),  # the pronoun stays
        ("Read Chapter XII and Part I first.", "Read Chapter twelve and Part one first."),
        ("World War II ended.", "World War two ended."),
        ("Henry VIII and Louis XIV.", "Henry the eighth and Louis the fourteenth."),
        ("Washington DC and the MIX.", "Washington DC and the MIX."),
        ("See Appendix C and Part D.", "See Appendix C and Part D."),
    ],
)
def test_roman_numerals_in_body_text(raw, spoken):
    _same(raw, spoken)


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("Chapter XII", "Chapter twelve"),
        ("CHAPTER IV: The End", "CHAPTER four: The End"),
        ("Part I", "Part one"),
        ("IX. The Return", "Nine. The Return"),
        ("XII", "Twelve"),
        ("Chapter 3: Dr. No", "Chapter three: Doctor No"),
        ("I Am Legend", "I Am Legend"),
        ("Chapter IIII", "Chapter IIII"),  # not a valid numeral: left alone
        ("Chapter MCM", "Chapter one thousand nine hundred"),
        ("Appendix C", "Appendix C"),
        ("MIX", "MIX"),
        ("X-Men", "X-Men"),
    ],
)
def test_titles(raw, spoken):
    assert normalize_title(raw) == spoken


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("* * *", ""),
        ("***", ""),
        ("⁂", ""),
        ("some *bold* and _italic_ words", "some bold and italic words"),
        ("snake_case here", "snake case here"),
        ("- a list item", "a list item"),
        ("`code` and ~strike~", "code and strike"),
        ("A footnote[12] marker()", "A footnote marker"),
        ("AT&T and/or R&D", "AT and T and or R and D"),
        ("😀 emoji, 你好。Ελληνικά", "😀 emoji, 你好。Ελληνικά"),
        ("", ""),
    ],
)
def test_symbols_and_markup(raw, spoken):
    _same(raw, spoken)


def test_deterministic_and_idempotent_enough():
    raw = "On 3/4 at 10:30, Dr. Who paid $5.50 — 12% more — than in 1984."
    once = normalize_text(raw)
    assert once == normalize_text(raw)
    assert not any(ch.isdigit() for ch in once)
    assert normalize_text(once) == once
