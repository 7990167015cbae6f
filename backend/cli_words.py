"""Command line for pronunciations, sharing the window's lexicon files:

    audiobook words BOOK [--limit N] [--lexicon FILE]      words to check before a long render
    audiobook lexicon list [--book BOOK]
    audiobook lexicon add WORD SAY [--phonemes] [--case-sensitive] [--inside-words] [--book BOOK]
    audiobook lexicon remove WORD [--book BOOK]
    audiobook lexicon import FILE [--book BOOK]   /   audiobook lexicon export FILE [--book BOOK]

Without --book the global lexicon (in the user config folder) is meant; with it, that book's own.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _target(args) -> Path:
    from backend.lexicon_store import book_lexicon_path, global_lexicon_path
    from backend.settings_store import load_settings

    if args.book:
        book = Path(args.book)
        if not book.is_file():
            raise ValueError(f"There is no book file '{book}'.")
        return book_lexicon_path(book, load_settings().settings)
    return global_lexicon_path()


def _cmd_words(args) -> int:
    from backend.lexicon_store import load_lexicons
    from backend.settings_store import load_settings
    from backend.text.loader import load_book
    from backend.text.words_to_check import words_to_check

    book_path = Path(args.book)
    book = load_book(book_path)
    lexicon = load_lexicons(book_path, load_settings().settings, tuple(args.lexicon or ()))
    found = words_to_check(book, lexicon, args.limit)
    if not found:
        print("No words to check: no names, all-caps words or rare spellings that the lexicon lacks.")
        return 0
    width = max(len(w.word) for w in found)
    for w in found:
        print(f"{w.word:<{width}}  {w.count:>5}  {', '.join(sorted(w.reasons))}")
    print(f"\n{len(found)} words. Fix one with: audiobook lexicon add WORD \"res PELL ing\" --book {args.book}",
          file=sys.stderr)
    return 0


def _cmd_lexicon(args) -> int:
    from backend.lexicon_store import read_lexicon, write_lexicon
    from backend.text.lexicon import LexiconEntry, validate_entry

    path = _target(args)
    lexicon = read_lexicon(path)
    if args.action == "list":
        for e in lexicon.entries:
            flags = [name for name, on in (("phonemes", e.phonemes), ("case-sensitive", e.case_sensitive),
                                           ("inside words", not e.whole_word)) if on]
            print(f"{e.word}\t{e.say}" + (f"\t({', '.join(flags)})" if flags else ""))
        print(f"{len(lexicon)} entries in {path}", file=sys.stderr)
        return 0
    if args.action == "add":
        if not args.say:
            raise ValueError("Say how to pronounce it: audiobook lexicon add WORD \"her MY oh nee\"")
        entry = validate_entry(LexiconEntry(args.word, args.say, args.phonemes, args.case_sensitive,
                                            not args.inside_words))
        write_lexicon(path, lexicon.with_entry(entry))
        print(f"Added '{entry.word}' -> '{entry.say}' to {path}", file=sys.stderr)
        return 0
    if args.action == "remove":
        entry = lexicon.find(args.word)
        if entry is None:
            raise ValueError(f"'{args.word}' is not in {path}.")
        write_lexicon(path, lexicon.without(entry))
        print(f"Removed '{entry.word}' from {path}", file=sys.stderr)
        return 0
    other = Path(args.word)
    if args.action == "import":
        added = read_lexicon(other, missing_ok=False)
        write_lexicon(path, type(lexicon).layered(lexicon, added))
        print(f"Imported {len(added)} entries from {other} into {path}", file=sys.stderr)
    else:
        write_lexicon(other, lexicon)
        print(f"Exported {len(lexicon)} entries to {other}", file=sys.stderr)
    return 0


def add_word_parsers(sub) -> None:
    words = sub.add_parser("words", help="list the book's words to check (names, all caps, rare spellings)")
    words.add_argument("book", help="the book file")
    words.add_argument("--limit", type=int, default=None, help="show at most N words (most frequent first)")
    words.add_argument("--lexicon", action="append", metavar="FILE", help="words this lexicon covers are left out")
    words.set_defaults(func=_cmd_words)
    lex = sub.add_parser("lexicon", help="list, add, remove, import or export pronunciations")
    lex.add_argument("action", choices=("list", "add", "remove", "import", "export"))
    lex.add_argument("word", nargs="?", help="the word or phrase (add, remove), or the JSON file (import, export)")
    lex.add_argument("say", nargs="?", help="add: a respelling (her MY oh nee) or, with --phonemes, espeak-ng IPA")
    lex.add_argument("--phonemes", action="store_true", help="SAY is espeak-ng IPA, not a respelling")
    lex.add_argument("--case-sensitive", action="store_true", help="match the word's case exactly")
    lex.add_argument("--inside-words", action="store_true", help="also change the word inside longer words")
    lex.add_argument("--book", help="the book whose own lexicon to change (default: the global lexicon)")
    lex.set_defaults(func=_check_then(_cmd_lexicon))


def _check_then(command):
    def run(args) -> int:
        if args.action != "list" and not args.word:
            raise ValueError(f"audiobook lexicon {args.action} needs "
                             f"{'a JSON file' if args.action in ('import', 'export') else 'a WORD'}.")
        return command(args)
    return run
