"""The main window's book actions: the chapter selection (saved per book at each change; the Start
and Resume counts follow it), the Book details dialog, and handing both to a render. A mixin of
MainWindow; the backend (backend/render/selection.py, details.py) holds the rules."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


class BookActions:
    details_dialog = None

    def _connect_book_panel(self) -> None:
        self.book_panel.selection_changed.connect(self._selection_changed)
        self.book_panel.details_button.clicked.connect(self.open_details)

    def _selection_changed(self, chapters: list) -> None:
        from backend.render.selection import format_chapters, save_selection

        book = self.book
        if book is None:
            return
        book.selected = list(chapters)
        try:
            save_selection(book.job_dir, [t for t, _ in book.chapters], book.selected)
        except (OSError, ValueError) as exc:
            self.log.append_line("warning", f"Chapter selection not saved: {exc}. This render still uses it.")
        book.recount()
        self.statusBar().showMessage(f"Chapters {format_chapters(book.selected) or 'none'} selected")
        self._update_buttons()

    def _update_book_controls(self) -> None:
        self.book_panel.set_book_controls_enabled(self.book is not None and not self.rendering)

    def open_details(self) -> None:
        from app.dialogs.book_details import BookDetailsDialog

        if self.book is None or self.rendering:
            return
        dialog = BookDetailsDialog(self.book, parent=self)
        dialog.accepted.connect(lambda: self._details_saved(dialog.saved))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.details_dialog = dialog

    def _details_saved(self, edits) -> None:
        """Show the saved details at once (the next render uses them)."""
        from pathlib import Path

        book = self.book
        book.edits = edits
        book.title = edits.title or book.own.get("title")
        book.author = edits.author or book.own.get("author")
        cover = book.own.get("cover")
        if edits.cover:
            try:
                cover = Path(edits.cover).read_bytes()
            except OSError:
                pass
        book.cover = cover
        self.book_panel.show_book(book, self.settings.length_scale or 1.0)
        self._update_buttons()
        self.log.append_line("info", f"Book details saved for '{book.path.name}'.")

    def _ask_render(self, book_path: str, out: str, settings, skip=None) -> bool:
        """Ask the worker for a render of the selected chapters; False (with a message) when none is."""
        if self.book is not None and not self.book.selected:
            self.notify(QMessageBox.Icon.Information, "No chapters selected",
                        "Check at least one chapter in the list (or press Select all), then Start.")
            return False
        chapters = self.book.selected if self.book is not None and str(self.book.path) == str(book_path) else None
        self.worker.prepare_render(chapters)
        if skip is None:
            self._want_render.emit(book_path, out, settings)
        else:
            self._want_render_skipping.emit(book_path, out, settings, skip)
        return True
