"""Normalization benchmark (prints numbers, asserts nothing). Issue 12, "Measure".

(a) Accuracy per category on three labelled corpora of what a human narrator
    of an audiobook says for each written case (sources and labelling rules in
    bench/data/README.md). A case passes when normalize_text's output equals
    one of its spoken forms after both are canonicalized (see canonical()).
      - development set, bench/data/normalize_cases.tsv: the rules were
        fixed while looking at its failures, so its score is optimistic;
      - held-out sets 1 and 2, bench/data/normalize_heldout.tsv and
        normalize_heldout2.tsv: each was scored once before anyone looked at
        its failures (the "first run" figure in its title, the honest one);
        general rules were fixed afterwards, so their scores today are
        development figures too. A new held-out set is needed for a new
        honest figure (see the README).
(b) Heteronym accuracy, from bench/heteronym_bench.py's evaluate() when present.
(c) Time to normalize a ~600,000-word book, paragraph by paragraph as the
    engine feeds it, and to plan its chunks (plan_book_chunks), against a plain
    lowercase + str.split pass over the same paragraphs in the same run.

    python bench/normalize_bench.py                            # all three tables
    python bench/normalize_bench.py --show-failures            # every failing case, all sets
    python bench/normalize_bench.py --show-failures roman      # one category
    python bench/normalize_bench.py --show-failures --set heldout2
    python bench/normalize_bench.py --set dev --no-timing      # one set only
    python bench/normalize_bench.py --cases other.tsv          # any file in the same format
    python bench/normalize_bench.py --words 100000 --book some_book.txt
    python bench/normalize_bench.py --no-timing
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.text import Book, Chapter, load_book, normalize_text, plan_book_chunks  # noqa: E402

CASES = ROOT / "bench" / "data" / "normalize_cases.tsv"
HELDOUT = ROOT / "bench" / "data" / "normalize_heldout.tsv"
HELDOUT2 = ROOT / "bench" / "data" / "normalize_heldout2.tsv"
# (--set name, file, title of its table)
SETS = (
    ("dev", CASES, "development set (normalize_cases.tsv, used while fixing rules)"),
    ("heldout1", HELDOUT, "held-out set 1 (normalize_heldout.tsv; first run, before its failures were seen: 222/275 = 80.7%)"),
    ("heldout2", HELDOUT2, "held-out set 2 (normalize_heldout2.tsv; first run, before its failures were seen: 244/273 = 89.4%)"),
)
HEADER = ["category", "source", "written", "spoken", "date_order"]
DATE_ORDERS = ("", "mdy", "dmy")
# The timing book: the shared bench story, else the bundled demo book.
BOOK_CANDIDATES = (ROOT.parent / "shared" / "bench" / "lighthouse.md", ROOT / "resources" / "demo_book.md")
GOAL_SECONDS = 3.0


@dataclass(frozen=True)
class Case:
    line: int
    category: str
    source: str
    written: str
    spoken: tuple[str, ...]  # acceptable forms, as labelled
    date_order: str  # "" means the default (mdy)


def load_cases(path: Path) -> list[Case]:
    """Parse the TSV strictly: tabs separate the columns, ' || ' separates
    acceptable spoken forms; a malformed row stops the bench with its line."""
    cases: list[Case] = []
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if not lines or lines[0].rstrip("\r").split("\t") != HEADER:
        sys.exit(f"{path}:1: the header must be the tab-separated columns {HEADER}")
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (4, 5):
            sys.exit(f"{path}:{number}: expected 4 or 5 tab-separated columns, found {len(fields)}: {line[:80]!r}")
        category, source, written, spoken = (field.strip() for field in fields[:4])
        date_order = fields[4].strip() if len(fields) == 5 else ""
        if not category or not written or not spoken:
            sys.exit(f"{path}:{number}: category, written and spoken must not be empty")
        if date_order not in DATE_ORDERS:
            sys.exit(f"{path}:{number}: date_order must be empty, mdy or dmy, not {date_order!r}")
        forms = tuple(form.strip() for form in spoken.split(" || "))
        if any(not form for form in forms):
            sys.exit(f"{path}:{number}: an empty spoken form (check the ' || ' separators)")
        cases.append(Case(number, category, source, written, forms, date_order))
    return cases


_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
_DASHES = re.compile("[-\u2010-\u2015\u2212]")
_NOT_WORD = re.compile(r"[^\w\s]")


def canonical(text: str) -> str:
    """What the comparison sees: NFKC, lowercase, apostrophes removed
    (o'clock = oclock), hyphens and dashes -> spaces, every other character
    that is not a letter, digit or space -> space (so "A.M." = "A M"),
    whitespace collapsed. "Forty-two." == "forty two"."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _APOSTROPHES.sub("", text)
    text = _DASHES.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    return " ".join(text.split())


def _accepts_date_order(function) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "date_order" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def run_cases(cases: list[Case]) -> list[tuple[Case, str, bool]]:
    with_order = _accepts_date_order(normalize_text)
    results = []
    for case in cases:
        try:
            if case.date_order and with_order:
                got = normalize_text(case.written, date_order=case.date_order)
            else:
                got = normalize_text(case.written)
        except Exception as exc:  # a crash is a failed case, not a failed bench
            got = f"<{type(exc).__name__}: {exc}>"
        expected = {canonical(form) for form in case.spoken}
        results.append((case, got, canonical(got) in expected))
    if not with_order and any(c.date_order for c in cases):
        print("note: normalize_text has no date_order parameter; rows with a date_order were run without it")
    return results


def report_accuracy(results: list[tuple[Case, str, bool]], path: Path, title: str | None = None) -> tuple[int, int, float]:
    """Print the per-category table; return (correct, n, mean of categories %)."""
    by_category: dict[str, list[bool]] = defaultdict(list)
    for case, _got, ok in results:
        by_category[case.category].append(ok)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if title:
        print(f"    {title}: {len(results)} labelled cases in {shown}")
    else:
        print(f"(a) normalization accuracy: {len(results)} labelled cases in {shown} (canonical comparison)")
    print(f"    {'category':<14}{'correct':>8}{'n':>6}{'%':>8}")
    for category in sorted(by_category):
        oks = by_category[category]
        print(f"    {category:<14}{sum(oks):>8}{len(oks):>6}{100 * sum(oks) / len(oks):>7.1f}%")
    total = sum(ok for _c, _g, ok in results)
    print(f"    {'overall':<14}{total:>8}{len(results):>6}{100 * total / max(1, len(results)):>7.1f}%")
    macro = sum(sum(v) / len(v) for v in by_category.values()) / max(1, len(by_category))
    print(f"    {'mean of cats':<14}{'':>14}{100 * macro:>7.1f}%")
    return total, len(results), 100 * macro


def show_failures(results: list[tuple[Case, str, bool]], category: str, label: str = "") -> None:
    failing = [(c, g) for c, g, ok in results if not ok and category in ("all", c.category)]
    where = f", {label}" if label else ""
    print(f"\nfailing cases ({category}{where}): {len(failing)}")
    for case, got in failing:
        order = f", date_order={case.date_order}" if case.date_order else ""
        more = f"  (+{len(case.spoken) - 1} more accepted)" if len(case.spoken) > 1 else ""
        print(f"  [{case.category}] line {case.line} ({case.source}{order})")
        print(f"    written:  {case.written}")
        print(f"    expected: {case.spoken[0]}{more}")
        print(f"    got:      {got}")


def report_heteronyms() -> None:
    try:
        from bench.heteronym_bench import evaluate
    except Exception:  # absent, or not importable yet
        print("\n(b) heteronym bench not available")
        return
    try:
        result = evaluate()
    except Exception as exc:
        print(f"\n(b) heteronym bench failed: {type(exc).__name__}: {exc}")
        return
    print("\n(b) heteronyms (bench/heteronym_bench.py evaluate()):")
    if not isinstance(result, dict):
        print(f"    {result}")
        return
    for key, value in result.items():
        if isinstance(value, float):
            print(f"    {key}: {value:.3f}")
        elif isinstance(value, (int, str, bool)) or value is None:
            print(f"    {key}: {value}")
        elif isinstance(value, dict) and len(value) <= 12:
            parts = ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in value.items())
            print(f"    {key}: {parts}")
        else:
            print(f"    {key}: ({type(value).__name__} of {len(value) if hasattr(value, '__len__') else '?'})")


def timing_book(words: int, source: Path | None) -> tuple[Book, str]:
    """A book of at least `words` words: the chapters of a real (short) book
    repeated, so paragraphs have the shape and density of prose the engine
    feeds to normalize_text. Built in memory; nothing is written."""
    path = source or next((p for p in BOOK_CANDIDATES if p.exists()), None)
    if path is None:
        sys.exit("no book to time: pass --book PATH")
    base = load_book(path)
    base_words = sum(len(p.split()) for ch in base.chapters for p in ch.paragraphs)
    if base_words == 0:
        sys.exit(f"{path}: no words to time")
    chapters: list[Chapter] = []
    count, copy = 0, 0
    while count < words:
        copy += 1
        for chapter in base.chapters:
            chapters.append(Chapter(f"{chapter.title} ({copy})", list(chapter.paragraphs)))
            count += sum(len(p.split()) for p in chapter.paragraphs)
    return Book(base.title, base.author, chapters), f"{path.name} x{copy} ({base_words:,} words each)"


def bench_timing(words: int, source: Path | None) -> None:
    book, described = timing_book(words, source)
    paragraphs = [p for chapter in book.chapters for p in chapter.paragraphs]
    counted = sum(len(p.split()) for p in paragraphs)
    print(f"\n(c) timing: {counted:,} words, {len(paragraphs):,} paragraphs, {len(book.chapters):,} chapters from {described}")
    for p in paragraphs[:200]:  # warm-up: compiled patterns, caches, first-call costs
        normalize_text(p)

    began = time.perf_counter()
    for p in paragraphs:
        p.lower().split()
    reference = time.perf_counter() - began

    began = time.perf_counter()
    for p in paragraphs:
        normalize_text(p)
    normalize_seconds = time.perf_counter() - began

    began = time.perf_counter()
    chunks = plan_book_chunks(book)
    plan_seconds = time.perf_counter() - began

    verdict = "meets" if normalize_seconds < GOAL_SECONDS else "MISSES"
    print(f"    reference (lower + split per paragraph): {reference:.3f} s")
    print(f"    normalize_text per paragraph: {normalize_seconds:.2f} s ({counted / normalize_seconds:,.0f} words/s), "
          f"{normalize_seconds / reference:,.0f}x the reference; goal < {GOAL_SECONDS:g} s: {verdict}")
    print(f"    plan_book_chunks (normalize titles + paragraphs, split, chunk): {plan_seconds:.2f} s -> {len(chunks):,} chunks, "
          f"{plan_seconds / reference:,.0f}x the reference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=None,
                        help="one labelled TSV to measure instead of the two standard sets")
    parser.add_argument("--set", choices=("all", *(name for name, _p, _t in SETS)), default="all",
                        help="which standard set(s) to measure and list failures of (default: %(default)s)")
    parser.add_argument("--show-failures", nargs="?", const="all", metavar="CATEGORY",
                        help="list failing cases, of one category or all")
    parser.add_argument("--words", type=int, default=600_000, help="words in the timing book (default: %(default)s)")
    parser.add_argument("--book", type=Path, help="book file (.txt/.md/.epub) to repeat for the timing")
    parser.add_argument("--no-timing", action="store_true", help="skip (c)")
    args = parser.parse_args()

    if args.cases is not None:
        chosen = [("", args.cases, None)]
    else:
        chosen = [s for s in SETS if args.set in ("all", s[0])]
    runs = []  # (name, path, title, cases, results)
    for name, path, title in chosen:
        if not path.exists():
            sys.exit(f"{path}: no such file")
        cases = load_cases(path)
        runs.append((name, path, title, cases, run_cases(cases)))
    if args.show_failures and args.show_failures != "all":
        known = {c.category for _n, _p, _t, cases, _r in runs for c in cases}
        if args.show_failures not in known:
            sys.exit(f"unknown category {args.show_failures!r}; categories: {', '.join(sorted(known))}")

    if args.cases is not None:
        report_accuracy(runs[0][4], args.cases.resolve())
    else:
        print("(a) normalization accuracy (canonical comparison)")
        scores = {}
        for i, (name, path, title, _cases, results) in enumerate(runs):
            if i:
                print()
            scores[name] = report_accuracy(results, path.resolve(), title)
        if len(scores) > 1:
            print("\n    overall today: " + ";  ".join(
                f"{name} {correct}/{n} = {100 * correct / max(1, n):.1f}% (mean of cats {macro:.1f}%)"
                for name, (correct, n, macro) in scores.items()))
            print("    the honest figures are the held-out sets' first runs (in their titles); today's scores include "
                  "rule fixes made while looking at them")
    if args.show_failures:
        for name, path, _title, _cases, results in runs:
            show_failures(results, args.show_failures, path.name)
    report_heteronyms()
    if not args.no_timing and args.words > 0:
        bench_timing(args.words, args.book)


if __name__ == "__main__":
    main()
