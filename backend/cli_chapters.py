"""Chapter selection and book details on the command line:

    audiobook chapters BOOK                       numbers, titles, characters, estimated duration, selection
    audiobook chapters BOOK --select 1-3,7        save the selection for this book (as the window does)
    audiobook chapters BOOK --select default      forget it: all but front and back matter again
    audiobook render BOOK --chapters 1-3,7 --title T --author A --narrator N --cover FILE   (this run only)
"""

from __future__ import annotations

import sys
from pathlib import Path


def _hms(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _load(book_path: Path, settings):
    from backend.text import load_book

    return load_book(book_path, footnotes=settings.footnotes)


def _spoken_characters(book, settings) -> list[int]:
    """Characters each chapter gives the voice (normalized, title included), as the plan counts them."""
    from backend.render.plan import book_date_order
    from backend.text import normalized_chapter_text
    from backend.tts.errors import VoiceError
    from backend.tts.voice import load_voice

    try:
        order = book_date_order(book, load_voice(settings.voice), settings)
    except VoiceError:
        order = book_date_order(book, load_voice(None), settings)
    return [len(normalized_chapter_text(c, date_order=order).replace("\n\n", " ")) for c in book.chapters]


def _cmd_chapters(args) -> int:
    from backend.render.jobs import book_job_dir
    from backend.render.selection import (
        MATTER_LABELS,
        chapter_titles,
        clear_selection,
        estimate_seconds,
        format_chapters,
        matter_of,
        parse_chapters,
        resolve_selection,
        save_selection,
    )
    from backend.settings_store import load_settings

    settings = load_settings().settings
    book_path = Path(args.book)
    book = _load(book_path, settings)
    job_dir = book_job_dir(book_path, settings)
    titles = chapter_titles(book)
    if args.select is not None:
        if args.select.strip().lower() == "default":
            cleared = clear_selection(job_dir)
            print("The saved selection was removed: all but front and back matter." if cleared
                  else "No selection was saved: the default is in use.", file=sys.stderr)
        else:
            try:
                chosen = parse_chapters(args.select, len(titles))
            except ValueError as exc:
                raise ValueError(f"--select '{args.select}': {exc}") from None
            save_selection(job_dir, titles, chosen)
            print(f"Saved the selection for this book: chapters {format_chapters(chosen) or 'none'}.", file=sys.stderr)
    selection = resolve_selection(book, job_dir)
    if selection.warning:
        print(f"WARNING: {selection.warning}", file=sys.stderr)
    chars = _spoken_characters(book, settings)
    speed = settings.length_scale or 1.0
    width = min(60, max([len(t) for t in titles] + [5]))
    print(f"{'#':>3}  Sel  {'Title':<{width}}  {'Characters':>10}  {'Duration':>8}  Part")
    for i, (title, n) in enumerate(zip(titles, chars, strict=True)):
        mark = "[x]" if i in selection.chapters else "[ ]"
        shown = title if len(title) <= width else title[: width - 1] + "…"
        print(f"{i + 1:>3}  {mark}  {shown:<{width}}  {n:>10,}  {_hms(estimate_seconds(n, speed)):>8}  "
              f"{MATTER_LABELS[matter_of(book.chapters[i])]}".rstrip())
    picked = sum(chars[i] for i in selection.chapters)
    everything = len(selection.chapters) == len(titles)
    source = {"saved": "saved for this book", "given": "",
              "default": f"the default: {'all' if everything else 'front and back matter left out'}"}[selection.source]
    print(f"\nSelected ({source}): {format_chapters(selection.chapters) or 'none'} — "
          f"{len(selection.chapters)} of {len(titles)} chapters, {picked:,} characters, "
          f"about {_hms(estimate_seconds(picked, speed))} of audio")
    print("To change it: add --select 1-3,7 (saved for the book), or render with --chapters 1-3,7 (that run only).",
          file=sys.stderr)
    return 0


def run_choices(args, book_path: Path, settings):
    """`render`'s --chapters and --title/--author/--narrator/--cover, checked before anything heavy
    loads: (chapters or None, DetailEdits or None). ValueError names the flag and the problem."""
    from backend.render.details import DetailEdits, clean_edits, cover_warning, read_picture

    chapters = None
    if getattr(args, "chapters", None) is not None:
        from backend.render.selection import parse_chapters
        from backend.text import BookError

        try:
            book = _load(book_path, settings)
        except BookError:
            book = None  # the render says why it cannot be read
        if book is not None:
            try:
                chapters = parse_chapters(args.chapters, len(book.chapters))
            except ValueError as exc:
                raise ValueError(f"--chapters '{args.chapters}': {exc}") from None
            if not chapters:
                raise ValueError(f"--chapters '{args.chapters}' selects no chapter")
    given = {k: getattr(args, k, None) for k in ("title", "author", "narrator")}
    cover = getattr(args, "cover", None)
    if all(v is None for v in given.values()) and cover is None:
        return chapters, None
    try:
        cleaned = clean_edits(DetailEdits(**given))
    except ValueError as exc:
        raise ValueError(f"--{str(exc).split()[1]}: {exc}") from None
    if cover is not None:
        picture = read_picture(cover)
        if problem := cover_warning(picture.width, picture.height):
            print(f"WARNING: {problem}", file=sys.stderr)
        cover = str(Path(cover).resolve())
    # A blank --narrator means the voice's name, even over a narrator saved for the book.
    narrator = "" if given["narrator"] is not None and not cleaned.narrator else cleaned.narrator
    return chapters, DetailEdits(title=cleaned.title, author=cleaned.author, narrator=narrator, cover=cover)


def add_chapters_parser(sub) -> None:
    c = sub.add_parser("chapters", help="list a book's chapters (numbers, characters, estimated duration) and "
                                        "which are selected; --select saves a selection")
    c.add_argument("book", help="the book file")
    c.add_argument("--select", default=None, metavar="SPEC",
                   help="save the chapters to render for this book, e.g. 1-3,7 or all; 'default' forgets a saved "
                        "selection (all but front and back matter)")
    c.set_defaults(func=_cmd_chapters)
