"""Heteronym benchmark (prints numbers, asserts nothing). Issue 12, part 2.

(a) Accuracy per word on the labelled sentences of bench/data/heteronyms.tsv (public-domain
    books; sources in bench/data/README.md), dev and test split, for ours (backend/text/heteronyms.py,
    and espeak-ng where it leaves a word undecided: what the voice then says) and for espeak-ng
    alone in the same run (the reading it writes for the word when the sentence is phonemized plainly).
(b) Cost: the heteronym pass over a ~3-million-character book, chunked as a render plans it,
    against the render time of the same text (the real synthesizer's CPU speed on a few chunks).

    .venv/bin/python bench/heteronym_bench.py
    .venv/bin/python bench/heteronym_bench.py --show-errors test
    .venv/bin/python bench/heteronym_bench.py --no-timing

For another bench:  from bench.heteronym_bench import evaluate
    evaluate(split=None) -> {"sentences": int, "accuracy": float, "espeak_accuracy": float,
                             "decided": float, "dev_accuracy": float, "test_accuracy": float,
                             "per_word": {word: {"n": int, "ours": int, "espeak": int}}}
    split: "dev", "test" or None (both); the split accuracies are over that selection.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.text.heteronym_rules import READINGS  # noqa: E402
from backend.text.heteronyms import choose_readings, mark_heteronyms  # noqa: E402

DATA = ROOT / "bench" / "data" / "heteronyms.tsv"
HEADER = ["split", "word", "reading", "sentence", "source"]
BOOK_CHARS = 3_000_000
_STAND_IN = "blick"  # replaces the word to find which phonemes espeak-ng gave it (see espeak_reading)


def load_rows(split: str | None = None) -> list[dict]:
    rows = []
    with open(DATA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if cells == HEADER:
                continue
            if len(cells) != len(HEADER) or cells[1] not in READINGS or cells[2] not in READINGS[cells[1]]:
                raise ValueError(f"{DATA.name} line {n}: malformed row")
            row = dict(zip(HEADER, cells))
            if split in (None, row["split"]):
                rows.append(row)
    return rows


@lru_cache(maxsize=1)
def _espeak():
    from backend.tts.phonemizer import _espeak as espeak
    from backend.tts.voice import load_voice

    return espeak(), load_voice(None).espeak_voice


def _phoneme_words(text: str) -> list[str]:
    engine, language = _espeak()
    said = " ".join("".join(s) for s in engine.phonemize(language, text))
    return [w.strip(",.;:!?") for w in said.split()]


def _plain(ipa: str) -> str:
    return ipa.replace("ˌ", "")


def espeak_reading(sentence: str, word: str) -> str | None:
    """The reading espeak-ng gives the first `word` in `sentence`, or None if it cannot be told.
    The sentence is phonemized as is and with the word replaced by a stand-in; the phonemes that
    differ are the word's. Readings differ in sounds or in stress; both are compared."""
    m = re.search(rf"(?<![\w'’]){word}(?!\w)", sentence, re.IGNORECASE)
    if not m:
        return None
    said = _phoneme_words(sentence)
    other = _phoneme_words(sentence[: m.start()] + _STAND_IN + sentence[m.end():])
    diff = difflib.SequenceMatcher(None, said, other, autojunk=False)
    spans = ["".join(said[a:b]) for op, a, b, _, _ in diff.get_opcodes() if op in ("replace", "delete")]
    for text in spans:
        for strip in (_plain, lambda s: s.replace("ˈ", "").replace("ˌ", "")):
            found = [r for r, ipa in READINGS[word].items() if strip(ipa) in strip(text)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:  # one reading's phonemes inside the other's: the longer one
                return max(found, key=lambda r: len(READINGS[word][r]))
    return None


def evaluate(split: str | None = None) -> dict:
    """Accuracy of ours and of espeak-ng alone on the labelled sentences (see the module doc)."""
    return _score(split)[0]


def _score(split: str | None) -> tuple[dict, list[dict]]:
    per_word: dict[str, dict] = defaultdict(lambda: {"n": 0, "ours": 0, "espeak": 0})
    per_split: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    decided = 0
    rows = load_rows(split)
    for row in rows:
        word, label = row["word"], row["reading"]
        ours = next((c.reading for c in choose_readings(row["sentence"]) if c.word.lower() == word), None)
        espeak = espeak_reading(row["sentence"], word)
        decided += ours is not None
        final = ours if ours is not None else espeak
        stats = per_word[word]
        stats["n"] += 1
        stats["ours"] += final == label
        stats["espeak"] += espeak == label
        per_split[row["split"]][0] += final == label
        per_split[row["split"]][1] += 1
        row["ours"], row["espeak"] = final, espeak
    total = len(rows) or 1
    result = {
        "sentences": len(rows),
        "accuracy": sum(s["ours"] for s in per_word.values()) / total,
        "espeak_accuracy": sum(s["espeak"] for s in per_word.values()) / total,
        "decided": decided / total,
    }
    for name in ("dev", "test"):
        if per_split[name][1]:
            result[f"{name}_accuracy"] = per_split[name][0] / per_split[name][1]
    result["per_word"] = dict(sorted(per_word.items()))
    return result, rows


def print_accuracy(show_errors: str | None) -> None:
    scored = {name: _score(name) for name in ("dev", "test")}
    results = {name: r for name, (r, _) in scored.items()}
    print("(a) accuracy per word: ours (rules, espeak-ng where undecided) vs espeak-ng alone")
    print(f"    {'word':10} {'dev ours':>9} {'dev espeak':>11} {'test ours':>10} {'test espeak':>12}")
    words = sorted(set(results["dev"]["per_word"]) | set(results["test"]["per_word"]))
    for word in words:
        cells = []
        for name in ("dev", "test"):
            s = results[name]["per_word"].get(word, {"n": 0, "ours": 0, "espeak": 0})
            cells += [f"{s['ours']}/{s['n']}", f"{s['espeak']}/{s['n']}"]
        print(f"    {word:10} {cells[0]:>9} {cells[1]:>11} {cells[2]:>10} {cells[3]:>12}")
    for name, r in results.items():
        print(f"    {name}: {r['sentences']} sentences, ours {r['accuracy']:.1%} (rules decided {r['decided']:.0%}), "
              f"espeak-ng alone {r['espeak_accuracy']:.1%}")
    if show_errors:
        for row in scored[show_errors][1]:
            if row["ours"] != row["reading"]:
                print(f"    wrong {row['word']}: want {row['reading']}, said {row['ours']}: {row['sentence']}")


def timing_text(chars: int) -> tuple[list[str], list[str]]:
    """Chunks of ~`chars` characters as a render plans them: prose (the shared bench story or the
    demo book, repeated) and, as a worst case, the labelled sentences (a heteronym in each)."""
    from backend.text import Book, Chapter, plan_book_chunks

    story = next((p for p in (ROOT.parent / "shared" / "bench" / "lighthouse.md", ROOT / "resources" / "demo_book.md")
                  if p.exists()))
    prose = [p for p in story.read_text(encoding="utf-8").split("\n\n") if p.strip() and not p.startswith("#")]
    dense = [r["sentence"] for r in load_rows()]
    out = []
    for paragraphs in (prose, dense):
        size = sum(len(p) for p in paragraphs)
        book = Book("Bench", "Bench", [Chapter("One", paragraphs * (chars // size + 1))])
        out.append([c.text for c in plan_book_chunks(book)])
    return out[0], out[1]


def render_seconds_per_char(sample: list[str]) -> float:
    """The real synthesizer on the CPU, chunks side by side as a render runs them."""
    from backend.tts.synth import Synthesizer, SynthItem, chunk_seed

    synth = Synthesizer.load(device="cpu")
    items = [SynthItem(synth.phoneme_ids(t), chunk_seed(t), None) for t in sample]
    synth.synthesize_batch(items[:1])  # warm-up
    began = time.perf_counter()
    audio = synth.synthesize_batch(items)
    seconds = time.perf_counter() - began
    audio_s = sum(len(a) for a in audio) / synth.sample_rate
    print(f"    synthesizer: {sum(map(len, sample))} chars, {audio_s:.1f} s of audio in {seconds:.1f} s "
          f"(RTF {seconds / audio_s:.3f}, {synth.parallel_chunks} CPU streams)")
    return seconds / sum(map(len, sample))


def print_timing(synth: bool) -> None:
    print(f"\n(b) cost of the heteronym pass on a {BOOK_CHARS / 1e6:.0f}-million-character book")
    prose, dense = timing_text(BOOK_CHARS)
    if synth:
        per_char = render_seconds_per_char(prose[:12])
    else:
        per_char = 0.07 / 15  # RTF 0.07 at ~15 characters per second of audio
        print("    synthesizer not run: render time estimated at RTF 0.07, 15 characters per second")
    for name, chunks in (("prose", prose), ("worst case, a heteronym in every sentence", dense)):
        chars = sum(map(len, chunks))
        began = time.perf_counter()
        marked = sum(mark_heteronyms(c) != c for c in chunks)
        seconds = time.perf_counter() - began
        render = chars * per_char
        print(f"    {name}: {len(chunks):,} chunks, {chars:,} chars, {marked:,} chunks marked; pass {seconds:.2f} s, "
              f"render ~{render / 3600:.1f} h -> {seconds / render:.5%} of render time (goal < 5%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", choices=["dev", "test"], help="print the sentences read wrong")
    parser.add_argument("--no-timing", action="store_true", help="accuracy only")
    parser.add_argument("--no-synth", action="store_true", help="estimate render time instead of measuring it")
    args = parser.parse_args()
    print_accuracy(args.show_errors)
    if not args.no_timing:
        print_timing(not args.no_synth)


if __name__ == "__main__":
    main()
