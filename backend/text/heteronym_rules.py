"""The rules of backend/text/heteronyms.py: each heteronym's readings as espeak-ng IPA, the word
lists the context rules look at, and one rule per word (it gets the occurrence's context, see
heteronyms._Ctx, and returns a reading or None).

Every IPA string is what espeak-ng (en-us, as bundled in piper-tts) writes for that reading in an
unambiguous sentence ("I have read it" / "I will read it"); the few readings espeak-ng never
produces are put together from its own phonemes of rhyming words ("ɹˈaʊ" as in "how", "maɪnˈuːt"
from "my newt"). tests/text/test_heteronyms.py checks that the voice's phoneme map has them all.
"""

from __future__ import annotations

# word -> {reading: IPA}; the first reading is the noun/adjective (or commoner) one.
READINGS: dict[str, dict[str, str]] = {
    "read": {"present": "ɹˈiːd", "past": "ɹˈɛd"},
    "lead": {"guide": "lˈiːd", "metal": "lˈɛd"},
    "live": {"verb": "lˈɪv", "adjective": "lˈaɪv"},
    "wind": {"air": "wˈɪnd", "turn": "wˈaɪnd"},
    "tear": {"cry": "tˈɪɹ", "rip": "tˈɛɹ"},
    "bow": {"bend": "bˈaʊ", "arc": "bˈoʊ"},  # bend: a bow of the head, a ship's bow; arc: weapon, ribbon
    "close": {"near": "klˈoʊs", "shut": "klˈoʊz"},  # shut: also the noun "the close of day"
    "minute": {"time": "mˈɪnɪt", "tiny": "maɪnˈuːt"},
    "present": {"noun": "pɹˈɛzənt", "verb": "pɹɪzˈɛnt"},
    "record": {"noun": "ɹˈɛkɚd", "verb": "ɹᵻkˈɔːɹd"},
    "object": {"noun": "ˈɑːbdʒɛkt", "verb": "ɑːbdʒˈɛkt"},
    "content": {"noun": "kˈɑːntɛnt", "adjective": "kəntˈɛnt"},  # adjective: also the verb
    "desert": {"noun": "dˈɛzɚt", "verb": "dᵻzˈɜːt"},  # verb: also "their desert" (what one deserves)
    "wound": {"injury": "wˈuːnd", "wind": "wˈaʊnd"},
    "row": {"line": "ɹˈoʊ", "quarrel": "ɹˈaʊ"},  # line: also rowing a boat
    "bass": {"music": "bˈeɪs", "fish": "bˈæs"},
    "dove": {"bird": "dˈʌv", "dived": "dˈoʊv"},
    "invalid": {"sick": "ˈɪnvəlɪd", "void": "ɪnvˈælɪd"},
    "refuse": {"verb": "ɹᵻfjˈuːz", "rubbish": "ɹˈɛfjuːs"},
    "polish": {"shine": "pˈɑːlɪʃ", "Polish": "pˈoʊlɪʃ"},
    "subject": {"noun": "sˈʌbdʒɛkt", "verb": "səbdʒˈɛkt"},
    "produce": {"noun": "pɹˈɑːduːs", "verb": "pɹədˈuːs"},
    "project": {"noun": "pɹˈɑːdʒɛkt", "verb": "pɹədʒˈɛkt"},
    "separate": {"adjective": "sˈɛpɹət", "verb": "sˈɛpɚɹˌeɪt"},
    "estimate": {"noun": "ˈɛstᵻmət", "verb": "ˈɛstᵻmˌeɪt"},
    "graduate": {"noun": "ɡɹˈædʒuːət", "verb": "ɡɹˈædjuːˌeɪt"},
    "use": {"noun": "jˈuːs", "verb": "jˈuːz"},
    "does": {"verb": "dˈʌz", "deer": "dˈoʊz"},
    "sow": {"plant": "sˈoʊ", "pig": "sˈaʊ"},
    "moderate": {"adjective": "mˈɑːdɚɹət", "verb": "mˈɑːdɚɹˌeɪt"},
}

# Words espeak-ng always says one way whatever the context: marking that reading changes nothing,
# so it is left unmarked (fewer marks, unchanged cache keys). "polish" follows the letter case.
ESPEAK_FIXED = {"lead": "guide", "minute": "time", "row": "line", "bass": "music", "invalid": "void",
                "subject": "noun", "does": "verb", "sow": "plant"}

ADVERBS = frozenset("""not never ever always also only just still then now soon hardly scarcely even really certainly
gladly rather yet often seldom sometimes already surely truly perhaps probably immediately instantly daily once twice
first generally usually afterwards again but n't nay""".split())
MODALS = frozenset("""will would shall should can could may might must cannot can't won't wouldn't shan't shouldn't
couldn't mustn't mayn't wilt shalt canst couldst wouldst shouldst mightst""".split())
DO = frozenset("do does did don't doesn't didn't dost doth didst".split())
HAVE = frozenset("have has had having hast hath haven't hasn't hadn't".split())
BE = frozenset("be is was were are am been being art wert isn't wasn't weren't aren't".split())
SUBJECTS = frozenset("i we they you ye thou".split())  # take a bare verb after them
THIRD = frozenset("he she it who".split())
OBJECT_PRONOUNS = frozenset("me him her them us it you".split())
CAUSATIVE = frozenset("let lets make makes made help helps helped bid bade hear heard see saw watch watched".split())
DETERMINERS = frozenset("""the a an this these those every each no any some another such either neither whose what
whatever one two three four five six seven eight nine ten twenty thirty forty fifty hundred thousand half several many
few same own much little more less enough""".split())
POSSESSIVES = frozenset("my your his her its our their thy thine mine one's".split())
PREPOSITIONS = frozenset("""of in on at for with by from into upon about without under over through after before beyond
within among amongst towards toward against like than unto""".split())
INTENSIFIERS = frozenset("very so too quite more most less least as rather however".split())
# After a verb, these begin its object: the word before them is a verb.
OBJECTS = frozenset("""the a an his her their my your our its him them me us it this these those himself herself
themselves myself yourself ourselves itself thy thine one's every""".split())
PARTICLES = frozenset("up down off out away apart asunder open round around about".split())
ADJECTIVE_ENDINGS = ("ful", "ous", "ive", "able", "ible", "ing", "al", "ic", "ant", "ent", "less")
NUMBERS = frozenset("one two three four five six seven eight nine ten twelve twenty hundred thousand".split())
NOT_SENTENCE_END = frozenset("mr mrs ms dr st messrs mme jr sr vs etc no".split())

# For "read" with a bare subject: does the sentence around it tell of the past or the present?
PAST_MARKERS = frozenset("""was were had did said saw went came took made knew thought felt found told gave began got
stood sat ran heard left brought kept held spoke wrote rose fell met paid sent spent taught understood wore won threw
drew grew broke chose drove forgot hid lost meant sought struck swore tore woke became fled led lay bore fought caught
slept wept yesterday ago didn't wasn't weren't hadn't""".split())
PRESENT_MARKERS = frozenset("""is are am do does don't doesn't has have will shall can may must now today tomorrow""".split())
NOT_PAST_ED = frozenset("""need needed indeed speed seed bed red hundred feed proceed succeed exceed breed deed weed
steed creed bleed greed shed sled wed""".split())

METALS = frozenset("""iron tin copper silver gold brass zinc steel pewter pencil pencils pipe pipes shot bullet bullets
solder ore mines mine""".split())
LEAD_METAL_COMPOUNDS = frozenset("line lines pencil pencils pipe pipes coloured colored weight mine mines shot".split())
SOUNDING = frozenset("cast heave hove heaving casting threw throw sounded sounding took".split())
TAKE_FOLLOW = frozenset("""take took taken taking takes follow followed following follows give gave given keep kept in
into""".split())
LIVE_ADJ_NEXT = frozenset("""coal coals bait wire wires stock oak animal animals fish cattle creature creatures ember
embers shell shells body bodies steam weight rail ammunition cartridge cartridges""".split())
TEAR_CRY_NEXT = frozenset("""rolled fell stole started trickled glistened glistening twinkling twinkled dropped ran came
coursed dimmed gathered stood falling rolling trembled trembling or""".split())
BOW_ARC = frozenset("""arrow arrows archer archers archery quiver quivers spear spears sword swords shield shields
bowstring string strings strung violin fiddle cello ribbon ribbons sash knot rainbow cloud""".split())
BOW_BENDING = frozenset("bent bend bends bended drew draw drawn draws string strung break broke brake".split())
CLOSE_NEAR_NEXT = frozenset("""to by behind beside besides upon at after round around against under on quarters range
proximity contact attention examination friend friends friendship relation relations connexion connection vicinity
bonnet heart""".split())
CLOSE_NEAR_PREV = frozenset("""keep kept keeping sat sit sits sitting stood stand stands standing held hold holds
holding lay lie lies lying came come comes coming drew draw ran run followed follow stay stayed stick sticking pressed
press huddled crept""".split())
MINUTE_TINY_NEXT = frozenset("""particular particulars detail details examination examinations inquiry inquiries account
accounts description descriptions attention observation observations care knowledge point points circumstance
circumstances investigation investigations portion portions particle particles quantity quantities fragment fragments
atmospheric difference differences study analysis size creature creatures insect insects spot spots dot dots hole holes
crystal crystals grain grains drop drops speck specks scale structure anatomy accuracy precision exactness criticism
inspection survey search scrutiny instructions directions history narrative record records proportion proportions
organism organisms cells fibres fibers vessels veins print writing handwriting type character characters variations
alterations changes degree degrees traces distinctions shades touches arrangements regulations rules questions black
white red green blue grey gray brown yellow""".split())
DESERT_LAND_NEXT = frozenset("""place places land lands air island isle sands sand waste wastes plain plains region
regions country road""".split())
INVALID_SICK_NEXT = frozenset("""chair chairs carriage carriages mother father wife husband sister brother aunt uncle
daughter son lady gentleman cookery diet couch sofa friend child""".split())
INVALID_VOID_NEXT = frozenset("""claim claims will marriage contract contracts ticket tickets password argument
arguments deed deeds title vote votes election law laws treaty document documents passport license licence input command
option format date address value values data reason excuse plea patent""".split())
DEER = frozenset("deer buck bucks stag stags fawn fawns doe hart harts hind hinds herd herds antlers".split())
PIG = frozenset("pig pigs hog hogs swine litter piglets sty farrow boar wallowing mire sows".split())
QUARREL = frozenset("""kick kicked kicking noise quarrel quarrelled quarreled fight fighting shindy brawl brawlers
brawling rumpus fuss scolding scolded angry awful dreadful tremendous frightful terrible damndest damnedest deuce devil
jolly precious blazing""".split())
FISH = frozenset("""fish fishes fishing fisherman perch pickerel trout pike carp catch caught catching angler angling
hook hooks bait rod pond lake stream river bite nibble largemouth smallmouth striped""".split())
MUSIC = frozenset("""viol voice voices sing sang singing sung singer singers tenor treble alto soprano choir note notes
clef drum drums fiddle violin music organ chord chords thorough bassoon""".split())
POLISH_NATION = frozenset("""poland poles pole warsaw cracow count countess prince princess exile exiles refugee
refugees nobility nation nationality language insurrection russian russia lithuanian""".split())
DIVE_NEXT = frozenset("""in into under down off over after for beneath overboard from headlong deep below back through""".split())


def _pos(noun: str, verb: str, default: str | None = None):
    """The rule for words that split by part of speech: record, object, project, produce..."""

    def rule(c) -> str | None:
        if any(c.hyphen()):
            return noun
        if c.verb_cue():
            return verb
        if c.noun_cue():
            return noun
        if c.object_after() or (c.sentence_start() and c.next() in OBJECTS):
            return verb
        if c.next() == "of" or (c.prev() in PREPOSITIONS and not c.next().isalpha()):
            return noun
        return default

    return rule


def _read(c) -> str | None:
    left, _ = c.hyphen()
    if left:
        return "past"  # well-read, half-read
    p, j = c.prev_word()
    if p in HAVE or p in BE or p.endswith(("'ve", "'s")):
        return "past"  # had read, was read, it's read
    if c.verb_cue() and p not in SUBJECTS or p in ("let", "please"):
        return "present"
    if c.sentence_start():
        return "present"  # "Read it to me."
    if p in SUBJECTS | THIRD and (c.tok(j - 1) in DO or c.tok(j - 1) in MODALS):
        return "present"  # "Did you read it?"
    if p in SUBJECTS | THIRD and c.tok(j - 1) in HAVE:
        return "past"  # "Have you read it?"
    if p in THIRD or c.name_before():
        return "past"  # "he read" would be "he reads" in the present
    return c.tense()


def _lead(c) -> str | None:
    left, right = c.hyphen()
    if right in LEAD_METAL_COMPOUNDS or left in ("red", "white", "black", "sounding"):
        return "metal"
    if c.verb_cue() or c.object_after():
        return "guide"
    p, n = c.prev(), c.next()
    if p in ("of", "as", "like", "with") and (n in ("", "and", "or", "in") or not n.isalpha()):
        return "metal"  # made of lead, sank as lead
    if c.window(4) & METALS:
        return "metal"
    if p in ("the", "a", "an", "any", "no", "some", "much"):
        return "guide" if c.prev(2) in TAKE_FOLLOW else "metal"
    return "guide"


def _live(c) -> str | None:
    if any(c.hyphen()) or c.next() in LIVE_ADJ_NEXT:
        return "adjective"
    if c.verb_cue():
        return "verb"
    return "adjective" if c.noun_cue() else "verb"  # a live coal, thy live leg, like live legs


def _wind(c) -> str | None:
    left, right = c.hyphen()
    if right == "up":
        return "turn"  # a wind-up
    if left or right or c.noun_cue():
        return "air"
    if c.verb_cue() or (c.sentence_start() and c.next() in OBJECTS | {"up"}) or c.next() == "up":
        return "turn"
    return "air"


def _tear(c) -> str | None:
    p = c.prev()
    if p == "and" and c.prev(2) == "wear":
        return "rip"
    n, n2 = c.next(), c.next(2)
    if p in DETERMINERS or n in TEAR_CRY_NEXT or (n == "in" and n2 in ("his", "her", "their", "my", "the")):
        return "cry"  # a tear in her eye
    if c.verb_cue() or c.object_after() or n in PARTICLES or (n == "in" and n2 == "pieces"):
        return "rip"
    return None


def _bow(c) -> str | None:
    if c.next() in ("down", "before", "low", "himself", "herself", "themselves", "myself", "ourselves", "yourselves"):
        return "bend"  # ye shall all bow down (even with a sword nearby)
    if c.window(10) & BOW_ARC:
        return "arc"
    p, p2 = c.prev(), c.prev(2)
    if p in BOW_BENDING or (p in DETERMINERS | POSSESSIVES and p2 in BOW_BENDING):
        return "arc"  # bent his bow, draw the bow
    return "bend"


def _close(c) -> str | None:
    if any(c.hyphen()):
        return "near"
    n = c.next()
    if n in ("quarters", "range", "proximity", "contact"):
        return "near"
    if n == "of" and not c.verb_cue():
        return "shut"  # the close of the day
    if c.prev() in DETERMINERS | POSSESSIVES:
        return "near" if n.isalpha() else "shut"  # a close friend | towards the close.
    if n == "up":
        return "shut" if c.next(2) in OBJECTS or c.verb_cue() else "near"
    p, _ = c.prev_word()
    if p in INTENSIFIERS:
        return "near"  # too close a vicinity
    if c.verb_cue() or c.object_after() or (c.sentence_start() and n in OBJECTS):
        return "shut"
    if n in CLOSE_NEAR_NEXT or p in BE or p in CLOSE_NEAR_PREV:
        return "near"
    return None


def _minute(c) -> str | None:
    p, n = c.prev(), c.next()
    if (p in INTENSIFIERS and c.prev(2) not in DETERMINERS) or n in MINUTE_TINY_NEXT:
        return "tiny"
    if p in BE and not n.isalpha():
        return "tiny"  # "it was minute."
    return "time"


_noun_or_verb = _pos("noun", "verb")
_present_pos = _pos("noun", "verb", "noun")


def _present(c) -> str | None:
    p, _ = c.prev_word()
    if p in BE:
        return "noun"  # was present
    return _present_pos(c)


def _object(c) -> str | None:
    if c.next() == "to" and not c.noun_cue() and not c.prev().endswith(ADJECTIVE_ENDINGS):
        return "verb"  # object to it; but "a beautiful object to behold"
    return _noun_or_verb(c)


def _subject(c) -> str | None:
    p, _ = c.prev_word()
    if (p == "to" or p in MODALS) and c.object_after():
        return "verb"
    return "noun"


def _content(c) -> str | None:
    p = c.prev()
    return "noun" if p in DETERMINERS | POSSESSIVES | PREPOSITIONS or c.genitive_before() else "adjective"


def _desert(c) -> str | None:
    p = c.prev()
    if p in POSSESSIVES or c.genitive_before():
        return "verb"  # their desert: what they deserve
    if p in DETERMINERS or c.next() in DESERT_LAND_NEXT:
        return "noun"
    return _noun_or_verb(c)


def _refuse(c) -> str | None:
    if c.prev() in DETERMINERS or (c.next() == "of" and not c.verb_cue()):
        return "rubbish"
    return "verb"


def _invalid(c) -> str | None:
    p, _ = c.prev_word()
    if c.next() in INVALID_VOID_NEXT:
        return "void"  # an invalid claim
    if c.noun_cue() or c.next() in INVALID_SICK_NEXT or c.possessive:
        return "sick"
    if p in BE or p in ("declared", "rendered", "pronounced"):
        return "void"
    return None


_adjective_or_verb = _pos("adjective", "verb")


def _separate(c) -> str | None:
    p, _ = c.prev_word()
    if p in BE or p in NUMBERS or p in INTENSIFIERS:
        return "adjective"
    return _adjective_or_verb(c)


def _moderate(c) -> str | None:
    return "verb" if c.verb_cue() and c.object_after() else "adjective"


def _does(c) -> str | None:
    deer_like = c.prev() in DETERMINERS | NUMBERS | {"and"} or c.next() in ("and", "with", "were", "are")
    return "deer" if deer_like and c.window(5) & DEER else "verb"


def _sow(c) -> str | None:
    n = c.next()
    if c.possessive or c.window(8) & PIG or (c.prev() in DETERMINERS and n not in OBJECTS):
        return "pig"
    return "plant"


def _row(c) -> str | None:
    p, n = c.prev(), c.next()
    if n == "of" or c.prev(2) in ("in", "front", "back", "first", "second", "third", "fourth", "last"):
        return "line"
    if c.window(8) & QUARREL or (p in DETERMINERS and n == "!"):
        return "quarrel"
    return "line"


def _bass(c) -> str | None:
    window = c.window(12)
    return "fish" if len(window & FISH) > len(window & MUSIC) else "music"


def _polish(c) -> str | None:
    if c.window(6) & POLISH_NATION:
        return "Polish"
    if c.raw[0].isupper() and not (c.sentence_start() and c.object_after()):
        return "Polish"
    return "shine"


def _dove(c) -> str | None:
    p, _ = c.prev_word()
    subject = p in SUBJECTS or p in THIRD or c.name_before()
    return "dived" if subject and c.next() in DIVE_NEXT else "bird"


def _wound(c) -> str | None:
    p, _ = c.prev_word()
    around = {c.next(), c.next(2), c.next(3)}
    if c.prev() in DETERMINERS | POSSESSIVES | PREPOSITIONS or c.genitive_before():
        return "injury"
    if p == "to" or p in MODALS:
        return "injury"  # to wound: the past of wind is never after "to"
    if c.next() in PARTICLES or around & {"up", "round", "around", "about", "along"}:
        return "wind"
    if p in HAVE or (c.next() in ("it", "them") and around & {"in", "with"}):
        return "wind"
    if p in SUBJECTS:
        return "injury"  # "I wound, and I heal"
    if p in THIRD:
        return None  # "he wound the rope" or "he wound the man"
    return "injury" if not c.next().isalpha() else None


RULES = {  # word -> rule(context) -> reading or None
    "read": _read, "lead": _lead, "live": _live, "wind": _wind, "tear": _tear, "bow": _bow, "close": _close,
    "minute": _minute, "present": _present, "record": _noun_or_verb, "object": _object,
    "content": _content, "desert": _desert, "wound": _wound, "row": _row, "bass": _bass, "dove": _dove,
    "invalid": _invalid, "refuse": _refuse, "polish": _polish, "subject": _subject,
    "produce": _noun_or_verb, "project": _noun_or_verb, "separate": _separate,
    "estimate": _noun_or_verb, "graduate": _noun_or_verb, "use": _noun_or_verb,
    "does": _does, "sow": _sow, "moderate": _moderate,
}
assert set(RULES) == set(READINGS)
