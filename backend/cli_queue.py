"""`audiobook queue add BOOK… [render options] | list | run | remove N | move N TO`: the render
queue the window's Queue panel shows too (backend/library/queue.py)."""

from __future__ import annotations

import signal
import sys

PER_RUN = ("chapters", "title", "author", "narrator", "cover", "lexicon", "dialogue_voice", "dialogue_speaker")


def run_queue_command(args) -> int:
    from backend.library.queue import QueueError

    try:
        return {"add": _add, "list": _list, "run": _run, "remove": _remove, "move": _move}[args.action](args)
    except (QueueError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


def _add(args) -> int:
    from backend.cli_render import settings_from_args
    from backend.library.queue import add_books, load_queue

    given = [f"--{name.replace('_', '-')}" for name in PER_RUN if getattr(args, name, None) is not None]
    if given:
        print(f"Error: {', '.join(given)} cannot be queued: they belong to one run. Save them for the book instead "
              "('audiobook chapters BOOK --select', Book details, the window's Dialogue voice).", file=sys.stderr)
        return 1
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    added = add_books(args.books, settings, args.output)
    total = len(load_queue())
    for entry in added:
        print(f"Queued {entry.name} (output: {entry.output_dir()})")
    print(f"{total} book{'s' if total != 1 else ''} in the queue; 'audiobook queue run' renders them.")
    return 0


def _list(args) -> int:
    from backend.library.queue import load_queue

    entries = load_queue()
    if not entries:
        print("The queue is empty: 'audiobook queue add BOOK…' adds books.")
        return 0
    for n, entry in enumerate(entries, 1):
        voice = entry.settings.get("voice") or "bundled voice"
        print(f"{n:>3}. {entry.name}  [{entry.describe()}]  voice: {voice}  → {entry.output_dir()}")
    return 0


def _remove(args) -> int:
    from backend.library.queue import remove_entry

    print(f"Removed {remove_entry(args.number).name} from the queue.")
    return 0


def _move(args) -> int:
    from backend.library.queue import move_entry

    move_entry(args.number, args.to)
    return _list(args)


def _run(args) -> int:
    from backend.cli_render import ConsoleEvents
    from backend.library.runner import run_queue
    from backend.render.events import CancelToken

    cancel, events = CancelToken(), ConsoleEvents()

    def stop(signum, frame):
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        events.log("warning", "Stopping after the current batch… (Ctrl-C again to stop at once)")

    old = signal.signal(signal.SIGINT, stop), signal.signal(signal.SIGTERM, stop)
    try:
        done, failed, stopped = run_queue(events, cancel)
    finally:
        signal.signal(signal.SIGINT, old[0])
        signal.signal(signal.SIGTERM, old[1])
    print(f"Queue: {done} done, {failed} failed{', stopped (run it again to resume)' if stopped else ''}.",
          file=sys.stderr)
    return 130 if stopped else (1 if failed else 0)


def add_queue_parser(sub) -> None:
    from backend.cli_render import add_render_options

    queue = sub.add_parser("queue", help="a queue of books rendered one after another (shared with the window)")
    actions = queue.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="queue books with the saved settings and these render options")
    add_render_options(add, books=True)
    actions.add_parser("list", help="the queued books and their state")
    actions.add_parser("run", help="render the waiting books in order (Ctrl-C stops; run again to resume)")
    remove = actions.add_parser("remove", help="take a book out of the queue")
    remove.add_argument("number", type=int)
    move = actions.add_parser("move", help="move book NUMBER to place TO")
    move.add_argument("number", type=int)
    move.add_argument("to", type=int)
    queue.set_defaults(func=run_queue_command)
