"""The main window's Review view (app/dialogs/review.py): opened from the book panel, filled by
the worker (which plans the book), and after a chunk fix it starts a render, which renders only
that chunk and assembles only its chapter file; the rows are read again when it ends."""

from __future__ import annotations


class ReviewActions:
    review_dialog = None

    def open_review(self) -> None:
        from app.dialogs.review import ReviewDialog

        if self.book is None or self.book.job_dir is None:
            return
        if self.review_dialog is not None:
            self.review_dialog.raise_()
            return
        titles = [title for title, _ in self.book.chapters]
        dialog = ReviewDialog(self.book.path, self.book.job_dir, titles, self._settings_copy(), speaker=self, parent=self)
        dialog.fixed.connect(self._review_fixed)
        dialog.finished.connect(lambda _: self._review_closed(dialog))
        self.review_dialog = dialog
        dialog.show()
        self._refresh_review()

    def _refresh_review(self) -> None:
        if self.review_dialog is not None and self.book is not None:
            self._want_review.emit(str(self.book.path), self._settings_copy(), self._output_folder())

    def _output_folder(self) -> str:
        return self.output_edit.text().strip() or str(self.book.path.parent / f"{self.book.path.stem} audiobook")

    def _review_rows(self, rows, stale) -> None:
        if self.review_dialog is not None:
            self.review_dialog.show_rows(rows, stale)

    def _review_fixed(self, what: str) -> None:
        """A chunk was fixed: render (only what changed renders and is assembled again)."""
        self.log.append_line("info", f"{what}; rendering what changed…")
        if self.rendering:
            self.log.append_line("info", "A render is running: the fix is used when you start the next one.")
            return
        self.start()
        self._refresh_review()  # the worker takes it after the render it was just asked for

    def _review_closed(self, dialog) -> None:
        dialog.deleteLater()
        self.review_dialog = None

