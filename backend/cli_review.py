"""`audiobook review BOOK` (the chunks the listening check flagged, or all) and `audiobook rerender
BOOK --chunk N [--text "…" | --seed S | --new-take | --undo]` (fix one chunk, then render: only
that chunk renders, only its chapter file is assembled again)."""

from __future__ import annotations

import sys
from pathlib import Path

from backend.check.review import book_plan


def _planned(args, settings_of):
    """book_plan for the command's book, or None after saying why it cannot be planned."""
    try:
        return book_plan(Path(args.book), settings_of(args))
    except (OSError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return None


def _saved_settings(args):
    from backend.settings_store import apply_overrides, load_settings

    settings = load_settings().settings
    return apply_overrides(settings, cache_dir=args.cache_dir) if args.cache_dir else settings


def run_review(args) -> int:
    from backend.check.words import is_flagged
    from backend.render.chunk_cache import ChunkCache

    planned = _planned(args, _saved_settings)
    if planned is None:
        return 1
    plan, _, job_dir, rate = planned
    cache = ChunkCache(job_dir / "chunks", rate)
    checked = flagged = 0
    print(f"{'Chunk':>5} {'Chapter':>7} {'WER':>5}  Text → heard")
    for pc in plan.chunks:
        result = cache.get_check(pc.key) if cache.has(pc.key) else None
        checked += result is not None
        flagged += is_flagged(result)
        if not (args.all or is_flagged(result) or pc.override is not None):
            continue
        wer = f"{result['wer']:.2f}" if result else "  -  "
        heard = f" → \"{result['heard']}\"" if result else (" (not rendered yet)" if not cache.has(pc.key) else " (not checked)")
        marks = (" [flagged]" if is_flagged(result) else "") + (f" [fix: {pc.override.describe()}]" if pc.override else "")
        print(f"{pc.index + 1:>5} {pc.chunk.chapter_index + 1:>7} {wer:>5}  \"{pc.chunk.text}\"{heard}{marks}")
    for stale in plan.stale:
        print(f"Stale fix (not applied): chapter {stale.chapter + 1}, \"{stale.original[:60]}\" {stale.describe()}")
    if not checked:
        print("No chunk of this book has been checked: render it with --check flag (pip install \".[check]\").",
              file=sys.stderr)
    else:
        print(f"{flagged} of {checked} checked chunks flagged. Fix one: audiobook rerender BOOK --chunk N "
              "--text \"…\" | --new-take | --undo", file=sys.stderr)
    return 0


def run_rerender(args) -> int:
    from backend.check.overrides import chunk_identities, next_seed, set_override, undo_override
    from backend.cli_render import run_render, settings_from_args

    planned = _planned(args, lambda a: settings_from_args(a, warn=False))  # as the render will plan it
    if planned is None:
        return 1
    plan, _, job_dir, _ = planned
    if not 1 <= args.chunk <= len(plan.chunks):
        print(f"Error: there is no chunk {args.chunk}: this book's selected chapters have {len(plan.chunks)} chunks "
              "(see 'audiobook review BOOK --all').", file=sys.stderr)
        return 1
    pc = plan.chunks[args.chunk - 1]
    identity = chunk_identities([p.chunk for p in plan.chunks])[args.chunk - 1]
    try:
        if args.undo:
            restored = undo_override(job_dir, identity)
            said = f"back to {restored.describe()}" if restored else "back to the book's text and seed"
        elif args.text is not None:
            said = f"now {set_override(job_dir, identity, text=args.text).describe()}"
        else:
            seed = args.chunk_seed if args.chunk_seed is not None else next_seed(pc.seed, None)
            said = f"now {set_override(job_dir, identity, seed=seed).describe()}"
    except (OSError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"Chunk {args.chunk} (\"{pc.chunk.text[:60]}\"): {said}. Rendering…", file=sys.stderr)
    return run_render(args)


def add_review_parsers(sub) -> None:
    from backend.cli_render import add_render_options

    review = sub.add_parser("review", help="the chunks the listening check flagged (--all: every chunk), numbered "
                                           "for rerender")
    review.add_argument("book")
    review.add_argument("--all", action="store_true", help="every chunk, checked or not")
    review.add_argument("--cache-dir", default=None, help="where the render's chunks are cached (as given to render)")
    review.set_defaults(func=run_review)
    rerender = sub.add_parser("rerender", help="fix one chunk (new text, another take, or undo) and render again: only "
                                               "that chunk renders")
    add_render_options(rerender, chunk_seed=True)
    rerender.add_argument("--chunk", type=int, required=True, metavar="N", help="the chunk's number (audiobook review)")
    how = rerender.add_mutually_exclusive_group()
    how.add_argument("--text", default=None, help="what the chunk should say instead (the book file is not changed)")
    how.add_argument("--seed", dest="chunk_seed", type=int, default=None, help="the seed of the new take")
    how.add_argument("--new-take", action="store_true", help="another take with the next seed (the default)")
    how.add_argument("--undo", action="store_true", help="restore the chunk's previous text and take")
    rerender.set_defaults(func=run_rerender, seed=None)
