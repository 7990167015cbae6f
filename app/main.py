"""Start the window: Qt first (it appears in a fraction of a second); torch and the voice load
in the worker thread afterwards."""

from __future__ import annotations

import sys
from pathlib import Path

ICON = Path(__file__).resolve().parent / "assets" / "icon.svg"  # package data: an installed wheel has it


def main(argv: list[str] | None = None) -> int:
    from app.platform_check import check_platform

    can_start, message = check_platform()  # before Qt, which aborts when its X11 libraries are missing
    if message:
        print(message, file=sys.stderr)
    if not can_start:
        return 1
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from backend.gpu.session import prepare_process

    prepare_process()  # before the worker thread imports torch
    from app.main_window import MainWindow
    from backend.settings_store import load_settings, save_settings

    argv = sys.argv if argv is None else argv
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Audiobook Renderer")
    app.setDesktopFileName("audiobook-renderer")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    loaded = load_settings()
    window = MainWindow(loaded.settings, loaded.warnings, save_settings)
    window.show()
    from app.window_reactions import BOOK_SUFFIXES

    books = [a for a in argv[1:] if Path(a).suffix.lower() in BOOK_SUFFIXES]
    if books:
        window.open_book(books[0])
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
