"""The `audiobook` command: no arguments (or just a book file) opens the window; a
subcommand runs the headless CLI."""

from __future__ import annotations

import sys


def main() -> int:
    args = sys.argv[1:]
    # A lone word: a command, not a book to open.
    lone_commands = ("render", "say", "voices", "cpu-mode", "blend", "install-shortcut", "uninstall-shortcut",
                     "review", "rerender", "queue")
    if not args or (len(args) == 1 and not args[0].startswith("-") and args[0] not in lone_commands):
        from app.main import main as window

        return window(sys.argv)
    from backend.cli import main as cli

    return cli(args)


if __name__ == "__main__":
    sys.exit(main())
