"""English heteronyms read from context: read/read, lead/lead, live/live, wind/wind, tear/tear...

espeak-ng knows one reading of most of these words, or guesses from the word just before ("to
record" vs "the record"). Here a few cues around each occurrence decide instead: the word before
(a determiner or possessive makes a noun, "to", a modal or "I/we/they" a verb, "have"/"was" the
participle "read"), the word after (an object makes a verb, "of" a noun), and word-specific
collocations ("bow and arrow", "wear and tear", "the close of day", "a minute examination").
A reading chosen is written into the spoken text as a pronunciation mark (the lexicon's, which
runs first and wins); an occurrence no rule decides stays unmarked and espeak-ng reads it.

Pure Python and fast: a chunk without any of the words costs one regex search. Accuracy on the
labelled sentences of bench/data/heteronyms.tsv is reported by bench/heteronym_bench.py.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from . import heteronym_rules as R
from .pronunciation_markup import IPA, Pronunciation, mark, segments, unmarked_spans

WORDS = tuple(R.READINGS)


def _trie(words) -> str:
    """One alternation sharing prefixes ("r(?:e(?:ad|cord|fuse)|ow)"): a third faster than a flat one."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    branches = [ch + _trie_node(sub) for ch, sub in sorted(tree.items())]
    return "(?:" + "|".join(branches) + ")"


def _trie_node(node: dict) -> str:
    if list(node) == [""]:
        return ""
    branches = [ch + _trie_node(sub) for ch, sub in sorted(node.items()) if ch]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


# The gate: chunks without any of the words return at once. A hyphen before is allowed
# ("thorough-bass"), a letter or apostrophe is not.
_GATE = re.compile(r"(?<![\w'’])" + _trie(WORDS) + r"(?!\w)", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|--|[—–]|[^\sA-Za-z0-9]")
_SENTENCE_END = frozenset(".!?")
_CLAUSE_END = frozenset(".!?;:,\"“”()—–-")
_QUOTES = frozenset("\"“”‘’'()")


# Words that end a run of adjectives before a noun ("first", "only", "daily" may be adjectives there).
_FUNCTION_WORDS = (R.ADVERBS - {"first", "only", "daily"} | R.MODALS | R.DO | R.HAVE | R.BE | R.SUBJECTS | R.THIRD | R.OBJECT_PRONOUNS
                   | R.PREPOSITIONS | R.DETERMINERS | R.POSSESSIVES | {"to", "and", "or", "but", "that", "which", "nor"})


def _adverb_ly(word: str) -> bool:
    return len(word) > 4 and word.endswith("ly") and word not in ("early", "family", "holy", "ugly", "lily", "july")


def _genitive(word: str) -> bool:
    return word.endswith("'s") and word not in ("it's", "that's", "there's", "what's", "who's", "he's", "she's")


class Choice(NamedTuple):
    start: int
    end: int
    word: str  # as written
    reading: str | None  # None: no rule decided; espeak-ng reads it


def choose_readings(text: str) -> list[Choice]:
    """Every heteronym in `text` with the reading its context gives (None where nothing decides)."""
    hits = list(_GATE.finditer(text))
    if not hits:
        return []
    toks = _Tokens(text)
    out = []
    for m in hits:
        i = bisect_left(toks.starts, m.start())
        if i >= len(toks.starts) or toks.starts[i] != m.start():
            continue
        word = m.group(0).lower()
        if toks.low[i] not in (word, word + "'s"):
            continue  # part of a contraction or a longer word
        out.append(Choice(m.start(), m.end(), m.group(0), R.RULES[word](_Ctx(toks, i))))
    return out


def mark_heteronyms(spoken: str) -> str:
    """`spoken` with each decided heteronym marked with its IPA. Words inside existing marks (the
    lexicon's) are left alone, but the text they hold still counts as context."""
    if not _GATE.search(spoken):
        return spoken
    # Decide on the plain text, then map each choice back into an unmarked run of `spoken`.
    plain, runs, pos_plain, spans = [], [], 0, iter(unmarked_spans(spoken))
    for written, how in segments(spoken):
        if how is None:
            s0, s1 = next(spans)
            runs.append((pos_plain, s0, s1 - s0))
        plain.append(written)
        pos_plain += len(written)
    text = "".join(plain)
    edits = []
    for c in choose_readings(text):
        if c.reading is None or _redundant(c):
            continue
        for p0, s0, n in runs:
            if p0 <= c.start and c.end <= p0 + n:
                edits.append((s0 + c.start - p0, s0 + c.end - p0, c.reading))
                break
    for start, end, reading in reversed(edits):
        word = spoken[start:end]
        spoken = spoken[:start] + mark(word, Pronunciation(IPA, R.READINGS[word.lower()][reading])) + spoken[end:]
    return spoken


def applies_to(language: str | None) -> bool:
    """English voices, and None (no language given: keep everything, as the tests use it)."""
    return language is None or language.lower().replace("_", "-").split("-")[0] == "en"


def _redundant(c: Choice) -> bool:
    """The reading espeak-ng gives this word anyway, in any context: no mark needed."""
    word = c.word.lower()
    if word == "polish":
        return c.reading == ("Polish" if c.word[0].isupper() else "shine")
    return R.ESPEAK_FIXED.get(word) == c.reading


class _Tokens:
    def __init__(self, text: str):
        self.starts, self.ends, self.raw, self.low = [], [], [], []
        for m in _TOKEN.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.raw.append(m.group(0))
            self.low.append(m.group(0).lower().replace("’", "'"))


class _Ctx:
    """One occurrence and the tokens around it."""

    def __init__(self, toks: _Tokens, i: int):
        self.t, self.i = toks, i
        self.raw = toks.raw[i]
        self.possessive = toks.low[i].endswith("'s")  # "the invalid's room"

    def tok(self, j: int) -> str:
        return self.t.low[j] if 0 <= j < len(self.t.low) else ""

    def prev(self, k: int = 1) -> str:
        return self.tok(self.i - k)

    def next(self, k: int = 1) -> str:
        return self.tok(self.i + k)

    def prev_word(self) -> tuple[str, int]:
        """The nearest word before, skipping adverbs ("would not object"); punctuation stops it."""
        j = self.i - 1
        while j >= 0 and (self.t.low[j] in R.ADVERBS or _adverb_ly(self.t.low[j])):
            j -= 1
        return self.tok(j), j

    def hyphen(self) -> tuple[str, str]:
        """The words glued on by hyphens ("thorough-bass", "lead-line"), else ''."""
        left = self.prev(2) if self.prev() == "-" and self.t.ends[self.i - 1] == self.t.starts[self.i] else ""
        right = self.next(2) if self.next() == "-" and self.t.starts[self.i + 1] == self.t.ends[self.i] else ""
        return left, right

    def sentence_start(self) -> bool:
        j = self.i - 1
        while j >= 0 and self.t.low[j] in _QUOTES:
            j -= 1
        return j < 0 or (self.t.low[j] in _SENTENCE_END and self.tok(j - 1) not in R.NOT_SENTENCE_END)

    def window(self, n: int) -> set[str]:
        return set(self.t.low[max(0, self.i - n): self.i] + self.t.low[self.i + 1: self.i + 1 + n])

    def name_before(self) -> bool:
        """A capitalized word (a name) just before, not the sentence's first word and not "I"."""
        p, j = self.prev_word()
        return j >= 0 and self.t.raw[j][:1].isupper() and p != "i" and not _Ctx(self.t, j).sentence_start()

    def verb_cue(self) -> bool:
        """Something before that takes a bare verb: to, a modal, do, I/we/they, let him..."""
        p, j = self.prev_word()
        if p == "to" or p in R.MODALS or p in R.DO or p in R.SUBJECTS or p.endswith("'ll"):
            return True
        return p in R.OBJECT_PRONOUNS and self.tok(j - 1) in R.CAUSATIVE

    def noun_cue(self) -> bool:
        """A determiner, possessive or preposition just before: a noun (or adjective) follows."""
        p = self.prev()
        return p in R.DETERMINERS or p in R.POSSESSIVES or p in R.PREPOSITIONS or _genitive(p) or self.after_adjectives()

    def after_adjectives(self) -> bool:
        """A determiner or preposition, then one or two adjectives: "a pitiable object", "the great
        American desert", "in common use". A word in -s there is more likely a plural subject
        ("their hands refuse"), so it stops."""
        for k in (1, 2):
            w = self.prev(k)
            if not w.isalpha() or w.endswith("s") or w in _FUNCTION_WORDS:
                return False
            before = self.prev(k + 1)
            if before in R.DETERMINERS or before in R.POSSESSIVES or before in R.PREPOSITIONS:
                return True
        return False

    def genitive_before(self) -> bool:
        return _genitive(self.prev())

    def object_after(self) -> bool:
        return self.next() in R.OBJECTS

    def tense(self) -> str | None:
        """Past or present from the verbs around: first in the clause, else in the sentence; in the
        narration or in the speech, where the word is (so "said" tells nothing of a quoted "read")."""
        quoted, inside = [], False
        for w in self.t.low:
            if w in ('"', "“", "”"):
                inside = w == "“" or (w == '"' and not inside)
            quoted.append(inside)
        for stops in (_CLAUSE_END, _SENTENCE_END):
            lo = hi = self.i
            while lo > 0 and self.t.low[lo - 1] not in stops:
                lo -= 1
            while hi + 1 < len(self.t.low) and self.t.low[hi + 1] not in stops:
                hi += 1
            past = present = 0
            for j in range(lo, hi + 1):
                w = self.t.low[j]
                if j == self.i or quoted[j] != quoted[self.i]:
                    continue
                if w in R.PAST_MARKERS or (w.endswith("ed") and len(w) > 4 and w not in R.NOT_PAST_ED):
                    past += 1
                elif w in R.PRESENT_MARKERS or w.endswith(("'m", "'re", "n't")):
                    present += 1
            if past != present:
                return "past" if past > present else "present"
        return None
